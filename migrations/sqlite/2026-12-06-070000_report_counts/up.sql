-- The indicator counts the reports read (src/reports/counts.rs): per village, year of the
-- population's ages (0 for a population that does not depend on age), indicator, month its fact
-- was first met ('' when not met) and e-identity status, how many people (profiles and erased
-- people's facts). Kept in step with the profiles by the facts hook; rebuilt with the facts.
CREATE TABLE report_counts (
    village_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    k TEXT NOT NULL,
    month TEXT NOT NULL,
    eid_status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (village_id, year, k, month, eid_status)
);
-- The people active since a day (a report's "active in the last 30 days"), by village.
CREATE INDEX learner_profiles_active ON learner_profiles (last_active_at, village_id);
-- The fingerprint of the facts changes (src/reports/facts.rs): rebuild them with the counts.
DELETE FROM indicator_facts_basis;
