DROP TABLE course_releases;
DROP TABLE course_authors;
DROP TABLE courses;
