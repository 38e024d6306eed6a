-- PostgreSQL only (how it stores the JSON of attempts); SQLite has no such setting. The twin keeps
-- both trees at the same versions.
SELECT 1;
