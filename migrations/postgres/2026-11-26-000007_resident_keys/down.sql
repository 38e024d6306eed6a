DROP INDEX learner_profiles_external_key;
ALTER TABLE learner_profiles DROP COLUMN external_key;
