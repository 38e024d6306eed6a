-- Consent to the privacy notice (src/privacy, docs/PRIVACY.md; Luật Bảo vệ dữ liệu cá nhân
-- 91/2025/QH15): which version of the notice, when, how (online by the person, or on paper or in
-- person before the facilitator who registered them) and who recorded it; withdrawn_at once the
-- person withdraws it.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    notice_version TEXT NOT NULL,
    way TEXT NOT NULL,
    given_at TIMESTAMP NOT NULL,
    recorded_by TEXT REFERENCES users (id),
    withdrawn_at TIMESTAMP
);
CREATE INDEX consents_by_user ON consents (user_id, given_at);
