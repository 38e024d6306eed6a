-- Retention (src/privacy/retention.rs, docs/PRIVACY.md; issue 21, item 8): the job deletes, in
-- batches of a few hundred rows, what is older than its setting. Each batch finds its rows by
-- these times; without an index every batch would read the whole table.
CREATE INDEX progress_events_received ON progress_events (received_at);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_last_used ON sessions (last_used_at) WHERE revoked_at IS NULL;
CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX access_records_read ON access_records (read_at);
