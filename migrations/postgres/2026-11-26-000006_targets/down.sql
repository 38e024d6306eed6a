DROP INDEX certificates_program;
DROP INDEX enrollments_user_status;
DROP TABLE indicator_targets;
