DROP TABLE access_records;
