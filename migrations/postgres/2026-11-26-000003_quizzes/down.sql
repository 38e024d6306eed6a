DROP TABLE attempt_answers;
DROP TABLE quiz_attempts;
