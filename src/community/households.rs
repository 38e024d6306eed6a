//! The households of a village (its admins and facilitators keep them).

use serde_json::json;

use super::{village, Db};
use crate::access::Action;
use crate::auth::AuthUser;
use crate::db::community::{self as q, Household};
use crate::error::{ApiError, ApiResult, Code, Validator};

pub struct NewHousehold {
    pub code: String,
    pub label: String,
    pub address: Option<String>,
}

/// Adds a household to a village (409 `code_taken` when the village has its code); audited.
pub fn create(
    db: &Db,
    actor: &AuthUser,
    village_id: String,
    new: NewHousehold,
) -> ApiResult<Household> {
    let mut v = Validator::new();
    v.length("code", &new.code, 1, 40);
    v.length("label", &new.label, 1, 200);
    v.finish()?;
    village(&mut *db.read()?, actor, Action::Facilitate, &village_id)?;
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        if q::households_of(conn, &village_id)?
            .iter()
            .any(|h| h.code == new.code.trim())
        {
            return Err(ApiError::conflict(
                Code::CodeTaken,
                "The village already has a household with this code.",
            ));
        }
        let hid = q::insert_household(
            conn,
            &village_id,
            new.code.trim(),
            new.label.trim(),
            new.address.as_deref(),
        )?;
        q::audit(
            conn,
            &actor_id,
            "household.create",
            None,
            Some(&village_id),
            &json!({"household": hid}),
        )?;
        q::household(conn, &hid)?.ok_or_else(|| ApiError::not_found("vanished"))
    })
}

/// The households of a village.
pub fn of_village(db: &Db, actor: &AuthUser, village_id: &str) -> ApiResult<Vec<Household>> {
    let mut conn = db.read()?;
    village(&mut conn, actor, Action::Facilitate, village_id)?;
    Ok(q::households_of(&mut conn, village_id)?)
}
