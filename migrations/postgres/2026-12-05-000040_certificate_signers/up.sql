-- Who issues and signs the certificates of a locality's learners (src/certs/signers.rs): each
-- field is optional; a certificate takes, field by field, the value of its village, else of the
-- nearest ancestor that sets it, else the `certificate_*` setting.
CREATE TABLE certificate_signers (
    locality_id TEXT PRIMARY KEY REFERENCES localities(id) ON DELETE CASCADE,
    issuing_body TEXT,
    place TEXT,
    signer_title TEXT,
    signer_name TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT
);
