//! The integration suite: black-box HTTP tests against a real app on SQLite and PostgreSQL.

mod accounts;
mod cli;
mod courses;
mod helpers;
mod quizzes;
mod system;
