CREATE TABLE indicator_config (
    indicator TEXT PRIMARY KEY NOT NULL,
    qualification TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
