DROP INDEX certificates_revoked_places;
DROP INDEX certificates_status_index;
ALTER TABLE certificates DROP COLUMN status_index;
