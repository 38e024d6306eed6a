-- Starting an attempt sums up the learner's earlier attempts at the quiz (count, open one, last
-- submission) from this index alone, without reading rows whose papers fill several pages.
CREATE INDEX quiz_attempts_learner
    ON quiz_attempts(user_id, course_id, quiz_key, status, submitted_at, deadline_at, id);
