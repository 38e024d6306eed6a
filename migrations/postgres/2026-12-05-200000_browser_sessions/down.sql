ALTER TABLE sessions DROP COLUMN cookie_hash;
