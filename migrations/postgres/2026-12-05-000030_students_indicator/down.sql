ALTER TABLE census DROP COLUMN students;
ALTER TABLE learner_profiles DROP COLUMN met_students_skilled;
