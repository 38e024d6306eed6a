DROP TABLE indicator_config;
