-- Each certificate's place in the issuer's revocation status list (W3C Bitstring Status List,
-- src/certs/status.rs): list n (from 1) holds the places (n - 1) * 131072 to n * 131072 - 1, and
-- the place's bit is 1 once the certificate is revoked. A new certificate takes the next place
-- from the sequence (SQLite, whose writes are serialized, takes the largest place + 1); the ones
-- issued before this migration get places in the order they were issued. NULL: no place
-- (benchmark seeds, which carry no credential).
ALTER TABLE certificates ADD COLUMN status_index BIGINT;
UPDATE certificates SET status_index = r.n - 1
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY issued_at, id) AS n FROM certificates) AS r
WHERE r.id = certificates.id;
CREATE UNIQUE INDEX certificates_status_index ON certificates(status_index);
-- A status list is built from its revoked places only.
CREATE INDEX certificates_revoked_places ON certificates(status_index) WHERE revoked_at IS NOT NULL;
CREATE SEQUENCE certificate_status_index MINVALUE 0 START 0;
SELECT setval('certificate_status_index', COALESCE((SELECT MAX(status_index) + 1 FROM certificates), 0), false);
