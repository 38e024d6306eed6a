//! Consent records (`consents`): one row per consent given, withdrawn in place.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::consents;
use super::DbConn;
use crate::kinds::ConsentWay;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = consents)]
pub struct Consent {
    pub id: String,
    pub user_id: String,
    pub notice_version: String,
    pub way: ConsentWay,
    pub given_at: NaiveDateTime,
    pub recorded_by: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = consents)]
pub struct NewConsent<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub notice_version: &'a str,
    pub way: ConsentWay,
    pub given_at: NaiveDateTime,
    pub recorded_by: Option<&'a str>,
}

pub fn insert(conn: &mut DbConn, c: &NewConsent<'_>) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(c)
        .execute(conn)
        .map(drop)
}

/// The consents of `user_id`, newest first.
pub fn of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Consent>> {
    consents::table
        .filter(consents::user_id.eq(user_id))
        .order((consents::given_at.desc(), consents::id.desc()))
        .select(Consent::as_select())
        .load(conn)
}

/// Marks the consent `id` of `user_id` withdrawn at `at` (once); whether a row changed.
pub fn withdraw(
    conn: &mut DbConn,
    user_id: &str,
    id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        consents::table
            .filter(consents::id.eq(id))
            .filter(consents::user_id.eq(user_id))
            .filter(consents::withdrawn_at.is_null()),
    )
    .set(consents::withdrawn_at.eq(at))
    .execute(conn)
    .map(|n| n > 0)
}
