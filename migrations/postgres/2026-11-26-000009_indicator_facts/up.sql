-- Per learner, when the course and certificate part of each indicator's qualification was first
-- met (NULL: not met), and when they were last active (at most once a day). Kept up to date on
-- completion, leaving a course, revocation and progress, and rebuilt whenever the indicator
-- configuration changes (`indicator_facts_basis` holds the configuration the columns were computed
-- with). Reports scan the profiles of a subtree and nothing else.
ALTER TABLE learner_profiles ADD COLUMN met_eid_level2_14plus TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_eid_any_14plus TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_working_age_trained TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_officials_skilled TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_adults_basic_knowledge TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_adults_certified TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_enterprise_workers_skilled TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN met_households_certified TIMESTAMP;
ALTER TABLE learner_profiles ADD COLUMN last_active_at TIMESTAMP;
-- Per household, when a member first counted for the household indicator.
ALTER TABLE households ADD COLUMN met_households_certified TIMESTAMP;

-- The village of the learner when a certificate was issued: a year's certificates are counted where
-- they were earned, and do not move when the learner does.
ALTER TABLE certificates ADD COLUMN village_id TEXT;
UPDATE certificates SET village_id = (SELECT p.village_id FROM learner_profiles p WHERE p.user_id = certificates.user_id);
CREATE INDEX certificates_village ON certificates(village_id, issued_at);

CREATE TABLE indicator_facts_basis (
    id INTEGER PRIMARY KEY NOT NULL,
    config TEXT NOT NULL,
    refreshed_at TIMESTAMP NOT NULL
);
