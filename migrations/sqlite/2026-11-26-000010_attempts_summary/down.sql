DROP INDEX quiz_attempts_learner;
