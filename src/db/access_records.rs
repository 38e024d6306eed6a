//! Records of access (`access_records`): one row for each kind of a person's data a facilitator or
//! an admin read, and when.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{access_records, users};
use super::DbConn;
use crate::kinds::{ReadKind, ReaderRole};

#[derive(Insertable)]
#[diesel(table_name = access_records)]
pub struct NewAccessRecord<'a> {
    pub id: &'a str,
    pub subject_id: &'a str,
    pub actor_id: &'a str,
    pub actor_role: ReaderRole,
    pub what: ReadKind,
    pub read_at: NaiveDateTime,
}

/// One record as its person sees it: who (their display name, the role they read in), what, when.
#[derive(Queryable, Clone, Debug)]
pub struct AccessRecordRow {
    pub id: String,
    pub actor_name: String,
    pub actor_role: ReaderRole,
    pub what: ReadKind,
    pub read_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, rows: &[NewAccessRecord<'_>]) -> QueryResult<()> {
    // One statement a row: the multi-backend connection has no batch insert.
    for row in rows {
        diesel::insert_into(access_records::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Up to `limit` records of `subject_id`, newest first, after `(read_at, id)` when given.
pub fn of_subject(
    conn: &mut DbConn,
    subject_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<AccessRecordRow>> {
    let mut q = access_records::table
        .inner_join(users::table.on(users::id.eq(access_records::actor_id)))
        .filter(access_records::subject_id.eq(subject_id))
        .select((
            access_records::id,
            users::display_name,
            access_records::actor_role,
            access_records::what,
            access_records::read_at,
        ))
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            access_records::read_at.lt(at).or(access_records::read_at
                .eq(at)
                .and(access_records::id.lt(id))),
        );
    }
    q.order((access_records::read_at.desc(), access_records::id.desc()))
        .limit(limit)
        .load(conn)
}
