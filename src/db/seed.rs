//! Bulk inserts for benchmark data (`hocso dev seed`): multi-row inserts on the concrete backend,
//! which the multi-backend connection cannot express.

use diesel::prelude::*;

use super::schema::{certificates, enrollments, households, learner_profiles, users};
use super::DbConn;

macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConn::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

pub type UserRow = (
    diesel::dsl::Eq<users::id, String>,
    diesel::dsl::Eq<users::display_name, String>,
    diesel::dsl::Eq<users::username, Option<String>>,
    diesel::dsl::Eq<users::password_hash, String>,
    diesel::dsl::Eq<users::language, &'static str>,
    diesel::dsl::Eq<users::created_at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<users::updated_at, chrono::NaiveDateTime>,
);

pub fn users(conn: &mut DbConn, rows: &[UserRow]) -> QueryResult<usize> {
    insert_rows!(conn, users::table, rows)
}

pub type HouseholdRow = (
    diesel::dsl::Eq<households::id, String>,
    diesel::dsl::Eq<households::village_id, String>,
    diesel::dsl::Eq<households::code, String>,
    diesel::dsl::Eq<households::label, String>,
    diesel::dsl::Eq<households::created_at, chrono::NaiveDateTime>,
);

pub fn households(conn: &mut DbConn, rows: &[HouseholdRow]) -> QueryResult<usize> {
    insert_rows!(conn, households::table, rows)
}

pub fn profiles(conn: &mut DbConn, rows: &[super::community::Profile]) -> QueryResult<usize> {
    insert_rows!(conn, learner_profiles::table, rows)
}

pub type EnrollmentRow = (
    diesel::dsl::Eq<enrollments::user_id, String>,
    diesel::dsl::Eq<enrollments::course_id, String>,
    diesel::dsl::Eq<enrollments::status, crate::learning::EnrollmentStatus>,
    diesel::dsl::Eq<enrollments::enrolled_at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<enrollments::last_activity_at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<enrollments::completed_at, Option<chrono::NaiveDateTime>>,
);

pub fn enrollments(conn: &mut DbConn, rows: &[EnrollmentRow]) -> QueryResult<usize> {
    insert_rows!(conn, enrollments::table, rows)
}

pub fn certificates(
    conn: &mut DbConn,
    rows: &[super::learning::CertificateRow],
) -> QueryResult<usize> {
    insert_rows!(conn, certificates::table, rows)
}
