DROP INDEX learner_profiles_active;
DROP TABLE report_counts;
