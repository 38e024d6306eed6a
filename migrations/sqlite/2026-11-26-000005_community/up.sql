CREATE TABLE census (
    locality_id TEXT NOT NULL REFERENCES localities(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    population BIGINT,
    aged_14_plus BIGINT,
    adults BIGINT,
    working_age BIGINT,
    households BIGINT,
    officials BIGINT,
    enterprise_workers BIGINT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (locality_id, year)
);

CREATE TABLE households (
    id TEXT PRIMARY KEY NOT NULL,
    village_id TEXT NOT NULL REFERENCES localities(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    address TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (village_id, code)
);

CREATE TABLE learner_profiles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    birth_year INTEGER,
    gender TEXT,
    learner_group TEXT NOT NULL DEFAULT 'citizen',
    village_id TEXT REFERENCES localities(id),
    household_id TEXT REFERENCES households(id),
    eid_status TEXT NOT NULL DEFAULT 'none',
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX learner_profiles_village ON learner_profiles(village_id);
CREATE INDEX learner_profiles_household ON learner_profiles(household_id);

CREATE TABLE teams (
    id TEXT PRIMARY KEY NOT NULL,
    village_id TEXT NOT NULL REFERENCES localities(id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX teams_village ON teams(village_id);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    subject_user_id TEXT REFERENCES users(id),
    locality_id TEXT REFERENCES localities(id),
    details TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject_user_id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
