//! Learner profiles: a learner's own (birth year, gender, learner group), what staff set
//! (e-identity status, household), and the village link an import asks its owner to answer.

use chrono::NaiveDateTime;

use super::{
    accept_village_link, decline_village_link, waiting_village_link, Db, EID_STATUSES, GENDERS,
};
use crate::auth::AuthUser;
use crate::content::GROUPS;
use crate::db::community::{self as q, Profile};
use crate::db::{now, DbConn};
use crate::error::{ApiError, ApiResult, Validator};

/// What changes in a profile; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct ProfileChanges {
    pub birth_year: Option<i32>,
    pub gender: Option<String>,
    pub learner_group: Option<String>,
    /// Staff only (a facilitator who has seen the VNeID app).
    pub eid_status: Option<String>,
    /// Staff only: a household of the resident's village.
    pub household_id: Option<String>,
}

/// Checks `ch` and applies it to `p` (except the household, which the caller checks against the
/// village); `by_staff`: a facilitator or an admin changes it, not the learner.
pub(super) fn apply(p: &mut Profile, ch: &ProfileChanges, by_staff: bool) -> ApiResult<()> {
    let mut v = Validator::new();
    if let Some(y) = ch.birth_year {
        v.check(
            Profile::birth_years().contains(&y),
            "birth_year",
            "out_of_range",
            "must be between 1900 and this year",
        );
        p.birth_year = Some(y);
    }
    if let Some(g) = &ch.gender {
        v.check(
            GENDERS.contains(&g.as_str()),
            "gender",
            "invalid",
            "female, male or other",
        );
        p.gender = Some(g.clone());
    }
    if let Some(g) = &ch.learner_group {
        v.check(
            GROUPS.contains(&g.as_str()),
            "learner_group",
            "invalid",
            "citizen, official, enterprise_worker or student",
        );
        p.learner_group = g.clone();
    }
    if let Some(e) = &ch.eid_status {
        v.check(
            by_staff,
            "eid_status",
            "forbidden",
            "set by a facilitator who has seen the VNeID app",
        );
        v.check(
            EID_STATUSES.contains(&e.as_str()),
            "eid_status",
            "invalid",
            "none, level1 or level2",
        );
        p.eid_status = e.clone();
    }
    if ch.household_id.is_some() {
        v.check(
            by_staff,
            "household_id",
            "forbidden",
            "set by a facilitator",
        );
    }
    p.updated_at = now();
    v.finish()
}

/// The actor's own profile (an empty one if they have none yet).
pub fn mine(db: &Db, actor: &AuthUser) -> ApiResult<Profile> {
    Ok(q::profile(&mut *db.read()?, &actor.id)?.unwrap_or_else(|| Profile::empty(&actor.id)))
}

/// The actor changes their own birth year, gender and learner group (the e-identity status and
/// the household are staff's: 422 `forbidden`).
pub fn update_mine(db: &Db, actor: &AuthUser, ch: ProfileChanges) -> ApiResult<Profile> {
    let user_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        let mut p = q::profile(conn, &user_id)?.unwrap_or_else(|| Profile::empty(&user_id));
        apply(&mut p, &ch, false)?;
        super::save_profile(conn, &p)?;
        Ok(p)
    })
}

/// The village that asks to count the actor among its residents.
pub struct WaitingLink {
    pub village_id: String,
    pub village_name: String,
    pub requested_at: NaiveDateTime,
}

/// The village link waiting for the actor's answer (404 when none).
pub fn waiting_link(db: &Db, actor: &AuthUser) -> ApiResult<WaitingLink> {
    let mut conn = db.read()?;
    let link = waiting_village_link(&mut conn, &actor.id)?;
    let village = q::locality(&mut conn, &link.village_id)?
        .ok_or_else(|| ApiError::not_found("No such locality."))?;
    Ok(WaitingLink {
        village_id: link.village_id,
        village_name: village.name,
        requested_at: link.created_at,
    })
}

/// The actor answers the waiting village link, on the writer's connection `conn`: accepted, their
/// profile now puts them in the village (`Some` profile); declined, nothing changes (`None`).
pub fn answer_link(
    conn: &mut DbConn,
    actor: &AuthUser,
    accept: bool,
) -> ApiResult<Option<Profile>> {
    if accept {
        accept_village_link(conn, &actor.id).map(Some)
    } else {
        decline_village_link(conn, &actor.id).map(|_| None)
    }
}
