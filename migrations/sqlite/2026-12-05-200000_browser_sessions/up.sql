-- Browser sessions (the web pages, src/web/session.rs) are rows of the same `sessions` table as
-- API tokens, so that "log out everywhere" ends both. The cookie holds `<session id>.<secret>`;
-- only the secret's SHA-256 is stored. NULL: a session of API tokens.
ALTER TABLE sessions ADD COLUMN cookie_hash TEXT;
