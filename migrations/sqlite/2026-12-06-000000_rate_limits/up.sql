-- Rate limit counters shared by every server instance (src/ratelimit.rs, `rate_limit_store`):
-- one row per key, the key an HMAC of `action:client` or `action:login` (no address or login in
-- clear), `tat_ms` the GCRA "theoretical arrival time" in milliseconds since 1970. A row whose
-- tat_ms has passed says nothing a missing row would not: instances delete those every minute.
-- Used on PostgreSQL; an SQLite deployment is one process and counts in memory (the table is
-- there so that both databases have one schema).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    tat_ms BIGINT NOT NULL
);
CREATE INDEX rate_limits_by_tat ON rate_limits (tat_ms);
