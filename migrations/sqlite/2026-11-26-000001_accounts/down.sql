DROP TABLE mail_outbox;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE localities;
