-- A person's own data as a file (src/privacy/export.rs, docs/PRIVACY.md; issue 21, item 3): each
-- export a person asked for, its state (pending, building, ready, failed), the file once built
-- (content: the JSON; the readable page is made from it), and when it expires (expires_at: then
-- it is refused with 410 and the retention job removes it).
CREATE TABLE exports (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    ready_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    size_bytes BIGINT,
    content TEXT
);
CREATE INDEX exports_by_user ON exports (user_id, requested_at);
CREATE INDEX exports_by_status ON exports (status, requested_at);
