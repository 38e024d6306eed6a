DROP INDEX access_records_read;
DROP INDEX audit_log_at;
DROP INDEX mail_outbox_created;
DROP INDEX one_time_tokens_expires;
DROP INDEX sessions_last_used;
DROP INDEX sessions_revoked;
DROP INDEX refresh_tokens_expires;
DROP INDEX progress_events_received;
