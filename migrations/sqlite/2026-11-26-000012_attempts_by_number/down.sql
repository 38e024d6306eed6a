DROP INDEX quiz_attempts_quiz;
CREATE INDEX quiz_attempts_quiz ON quiz_attempts(course_id, quiz_key, status);
CREATE INDEX quiz_attempts_learner
    ON quiz_attempts(user_id, course_id, quiz_key, status, submitted_at, deadline_at, id);
