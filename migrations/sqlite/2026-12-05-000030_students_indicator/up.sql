-- The students' indicator (`students_skilled`, docs/REPORTS.md): per learner, when they first met
-- its qualification (kept like the other `met_` columns of migration 000009), and the census
-- figure of pupils and students, its denominator.
ALTER TABLE learner_profiles ADD COLUMN met_students_skilled TIMESTAMP;
ALTER TABLE census ADD COLUMN students BIGINT;
