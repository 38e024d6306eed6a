DROP TABLE certificates;
DROP TABLE programs;
DROP TABLE progress_events;
DROP TABLE lesson_progress;
DROP TABLE enrollments;
