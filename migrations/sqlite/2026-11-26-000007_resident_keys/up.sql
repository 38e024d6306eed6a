ALTER TABLE learner_profiles ADD COLUMN external_key TEXT;
CREATE UNIQUE INDEX learner_profiles_external_key ON learner_profiles(external_key);
