-- A resident row that found an account its importer may not change (a self-registered learner,
-- an account holding a role, or one counted in another area): the link to the village waits here
-- until the account's owner confirms it (or declines it).
CREATE TABLE village_links (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    village_id TEXT NOT NULL REFERENCES localities(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    birth_year INTEGER,
    learner_group TEXT NOT NULL,
    eid_status TEXT NOT NULL,
    external_key TEXT,
    requested_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
