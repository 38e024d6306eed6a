CREATE TABLE enrollments (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    last_activity_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (user_id, course_id)
);
CREATE INDEX enrollments_course ON enrollments(course_id, status);

CREATE TABLE lesson_progress (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    lesson_key TEXT NOT NULL,
    status TEXT NOT NULL,
    time_spent_seconds BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, course_id, lesson_key)
);

CREATE TABLE progress_events (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_event_id TEXT NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    lesson_key TEXT NOT NULL,
    status TEXT NOT NULL,
    time_spent_seconds BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    PRIMARY KEY (user_id, client_event_id)
);

CREATE TABLE programs (
    slug TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary TEXT NOT NULL,
    summary_en TEXT NOT NULL,
    groups TEXT NOT NULL,
    courses TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE certificates (
    id TEXT PRIMARY KEY NOT NULL,
    serial TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    course_id TEXT REFERENCES courses(id),
    program_slug TEXT REFERENCES programs(slug),
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    credential TEXT NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    UNIQUE (user_id, course_id),
    UNIQUE (user_id, program_slug)
);
CREATE INDEX certificates_user ON certificates(user_id);
