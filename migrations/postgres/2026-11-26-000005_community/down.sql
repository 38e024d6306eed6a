DROP TABLE audit_log;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE learner_profiles;
DROP TABLE households;
DROP TABLE census;
