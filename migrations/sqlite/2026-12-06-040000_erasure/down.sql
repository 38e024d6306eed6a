ALTER TABLE households DROP COLUMN erased_met_at;
DROP TABLE erased_facts;
DROP TABLE erasure_requests;
