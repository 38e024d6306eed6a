//! The integration suite: black-box HTTP tests against a real app on SQLite and PostgreSQL.

mod accounts;
mod cli;
mod community;
mod courses;
mod curriculum;
mod helpers;
mod imports;
mod learning;
mod quizzes;
mod reports;
mod resilience;
mod system;
mod input;
mod takeover;
