-- An attempt's paper (about 2.6 KB of JSON) and grading (1.4 KB) are kept out of line and
-- uncompressed: grading an attempt then rewrites a small row that points to the unchanged paper,
-- instead of compressing it again (pglz_compress was PostgreSQL's largest cost in the quiz benchmark).
ALTER TABLE quiz_attempts ALTER COLUMN paper SET STORAGE EXTERNAL;
ALTER TABLE quiz_attempts ALTER COLUMN result SET STORAGE EXTERNAL;
