-- A learner's attempts at a quiz are summed up from the latest one, found by the
-- (user_id, course_id, quiz_key, number) key; the index of every attempt's summary goes. Grading
-- changes no indexed column any more (status left the quiz index; statistics filter it from the
-- rows), so it updates the row alone.
DROP INDEX quiz_attempts_learner;
DROP INDEX quiz_attempts_quiz;
CREATE INDEX quiz_attempts_quiz ON quiz_attempts(course_id, quiz_key);
-- Room on each page for the row's new version when it is graded or its answers are saved
-- (a heap-only update, no index entries).
ALTER TABLE quiz_attempts SET (fillfactor = 80);
