CREATE TABLE quiz_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    quiz_key TEXT NOT NULL,
    release INTEGER NOT NULL,
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    paper TEXT NOT NULL,
    answers TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    deadline_at TIMESTAMP,
    submitted_at TIMESTAMP,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    score_bp INTEGER,
    passed BOOLEAN,
    result TEXT,
    UNIQUE (user_id, course_id, quiz_key, number)
);
CREATE INDEX quiz_attempts_quiz ON quiz_attempts(course_id, quiz_key, status);

CREATE TABLE attempt_answers (
    attempt_id TEXT NOT NULL REFERENCES quiz_attempts(id) ON DELETE CASCADE,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    quiz_key TEXT NOT NULL,
    question_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    correct BOOLEAN NOT NULL,
    credit_bp INTEGER NOT NULL,
    wrong_answer TEXT,
    PRIMARY KEY (attempt_id, question_key)
);
CREATE INDEX attempt_answers_quiz ON attempt_answers(course_id, quiz_key, question_key);
