CREATE TABLE indicator_targets (
    locality_id TEXT NOT NULL REFERENCES localities(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    kind TEXT NOT NULL,
    value_bp BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (locality_id, year, indicator)
);
CREATE INDEX enrollments_user_status ON enrollments(user_id, status);
CREATE INDEX certificates_program ON certificates(program_slug, user_id);
