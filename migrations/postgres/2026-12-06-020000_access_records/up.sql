-- Records of access (src/privacy/access_records.rs, docs/PRIVACY.md; issue 21, item 7): each
-- read of one person's data by a facilitator or an admin: whose (subject_id), by whom and in which
-- role, what was read (profile, progress, account, certificates, audit) and when. The person sees
-- them (GET /api/v1/me/access-records, the /privacy page).
CREATE TABLE access_records (
    id TEXT PRIMARY KEY NOT NULL,
    subject_id TEXT NOT NULL REFERENCES users (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    actor_role TEXT NOT NULL,
    what TEXT NOT NULL,
    read_at TIMESTAMP NOT NULL
);
CREATE INDEX access_records_by_subject ON access_records (subject_id, read_at, id);
