//! Records of access (issue 21, item 7; docs/PRIVACY.md): every read of one person's data by a
//! facilitator or an admin is recorded by [`record_read`], which the use cases that read it call
//! (so the API and the pages record alike), and the person sees who looked and when
//! ([`mine`]). A person's own reads are not recorded. Lists of many people (a village's residents,
//! who needs help, the admin's search) are not recorded person by person: see docs/PRIVACY.md.

use chrono::{DateTime, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{AuthUser, Role};
use crate::db::access_records::{self as rows, NewAccessRecord};
use crate::db::{new_id, now, DbConn, Writer};
use crate::error::{ApiError, ApiResult};
pub use crate::kinds::{ReadKind, ReaderRole};

/// Who reads another person's data, and in which role.
#[derive(Clone, Copy, Debug)]
pub struct Staff<'a> {
    pub id: &'a str,
    pub role: ReaderRole,
}

impl<'a> Staff<'a> {
    /// `actor` as a reader of another's data: admin when they hold an admin grant, else
    /// facilitator (nobody else reaches one person's data).
    pub fn of(actor: &'a AuthUser) -> Self {
        let admin = actor.roles.iter().any(|r| r.role == Role::Admin);
        Self {
            id: &actor.id,
            role: if admin {
                ReaderRole::Admin
            } else {
                ReaderRole::Facilitator
            },
        }
    }

    /// A platform admin (`accounts::admin::PlatformAdmin`).
    pub fn admin(id: &'a str) -> Self {
        Self {
            id,
            role: ReaderRole::Admin,
        }
    }
}

/// Records that `staff` read `what` of `subject_id`'s data, now; nothing when they read their
/// own. The one way a read is recorded: each use case that shows one person's data to staff calls
/// it once the access was granted and the data read (so the API and the pages record alike). If
/// the record cannot be written the read fails: nothing is shown unrecorded.
pub fn record_read(
    writer: &Writer,
    staff: Staff<'_>,
    subject_id: &str,
    what: &[ReadKind],
) -> ApiResult<()> {
    if staff.id == subject_id || what.is_empty() {
        return Ok(());
    }
    let (actor_id, subject_id, role) = (staff.id.to_string(), subject_id.to_string(), staff.role);
    let what = what.to_vec();
    writer.transaction(move |conn| {
        let at = now();
        let ids: Vec<String> = what.iter().map(|_| new_id()).collect();
        let new: Vec<NewAccessRecord<'_>> = what
            .iter()
            .zip(&ids)
            .map(|(&what, id)| NewAccessRecord {
                id,
                subject_id: &subject_id,
                actor_id: &actor_id,
                actor_role: role,
                what,
                read_at: at,
            })
            .collect();
        rows::insert(conn, &new).map_err(ApiError::from)
    })
}

/// Who read one's data: their display name and the role they read in (not their contact data).
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct Reader {
    pub display_name: String,
    pub role: ReaderRole,
}

/// One read of the person's data.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct AccessRecord {
    pub id: String,
    pub actor: Reader,
    pub what: ReadKind,
    pub read_at: DateTime<chrono::Utc>,
}

/// Where the next page of records starts: after this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub read_at: NaiveDateTime,
    pub id: String,
}

impl Cursor {
    /// The cursor as two texts (the time in microseconds, the id), for an opaque wire form.
    pub fn to_parts(&self) -> [String; 2] {
        [
            self.read_at.and_utc().timestamp_micros().to_string(),
            self.id.clone(),
        ]
    }

    /// The cursor of [`to_parts`](Self::to_parts); 422 on `cursor` when it is not one.
    pub fn from_parts(parts: &[String]) -> ApiResult<Cursor> {
        let bad = || {
            ApiError::field(
                "cursor",
                "invalid",
                "The cursor is not one this server gave out.",
            )
        };
        let [micros, id] = parts else {
            return Err(bad());
        };
        let read_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(bad)?
            .naive_utc();
        Ok(Cursor {
            read_at,
            id: id.clone(),
        })
    }
}

/// A page of records, newest first, and where the next one starts (none on the last page).
pub struct AccessPage {
    pub items: Vec<AccessRecord>,
    pub next: Option<Cursor>,
}

/// The records of reads of the signed-in person's data, newest first: `limit` of them after
/// `after`.
pub fn mine(
    conn: &mut DbConn,
    me: &AuthUser,
    after: Option<Cursor>,
    limit: i64,
) -> ApiResult<AccessPage> {
    let mut found = rows::of_subject(conn, &me.id, after.map(|c| (c.read_at, c.id)), limit + 1)?;
    let next = if found.len() as i64 > limit {
        found.truncate(limit as usize);
        found.last().map(|r| Cursor {
            read_at: r.read_at,
            id: r.id.clone(),
        })
    } else {
        None
    };
    Ok(AccessPage {
        items: found
            .into_iter()
            .map(|r| AccessRecord {
                id: r.id,
                actor: Reader {
                    display_name: r.actor_name,
                    role: r.actor_role,
                },
                what: r.what,
                read_at: r.read_at.and_utc(),
            })
            .collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_others() {
        let c = Cursor {
            read_at: DateTime::from_timestamp_micros(1_780_000_000_123_456)
                .unwrap()
                .naive_utc(),
            id: "r1".into(),
        };
        assert_eq!(Cursor::from_parts(&c.to_parts()).unwrap(), c);
        assert!(Cursor::from_parts(&["x".into(), "r1".into()]).is_err());
        assert!(Cursor::from_parts(&["1".into()]).is_err());
    }
}
