//! The integration suite: black-box HTTP tests against a real app on SQLite and PostgreSQL.

mod access_records;
mod accounts;
mod backup;
mod certificates;
mod choices;
mod cli;
mod cluster;
mod community;
mod courses;
mod curriculum;
mod erasure;
mod exports;
mod hardening;
mod helpers;
mod imports;
mod input;
mod instances;
mod learning;
mod privacy;
mod quizzes;
mod replication;
mod reports;
mod resilience;
mod retention;
mod system;
mod takeover;
