//! Community digital teams (Tổ công nghệ số cộng đồng): a village's team, whose members are its
//! facilitators.

use serde_json::json;

use super::{Db, LocalityKind};
use crate::access;
use crate::accounts;
use crate::auth::{AuthUser, Role};
use crate::db::community::{self as q, Team};
use crate::error::{ApiError, ApiResult, Code, Validator};

/// A team and its members' user ids.
pub struct TeamMembers {
    pub team: Team,
    pub members: Vec<String>,
}

/// Creates a team for a village the actor administers (409 `not_a_village`); audited.
pub fn create(
    db: &Db,
    actor: &AuthUser,
    village_id: String,
    name: String,
) -> ApiResult<TeamMembers> {
    let mut v = Validator::new();
    v.length("name", &name, 1, 200);
    v.finish()?;
    let loc = access::require_admin_of(&mut *db.read()?, actor, &village_id)?;
    if LocalityKind::parse(&loc.kind) != Some(LocalityKind::Village) {
        return Err(ApiError::conflict(
            Code::NotAVillage,
            "a team belongs to a village",
        ));
    }
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        let id = q::insert_team(conn, &village_id, name.trim())?;
        q::audit(
            conn,
            &actor_id,
            "team.create",
            None,
            Some(&village_id),
            &json!({"team": id}),
        )?;
        Ok(TeamMembers {
            team: q::team(conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))?,
            members: Vec::new(),
        })
    })
}

/// The team, if the actor administers its village.
fn administered_team(conn: &mut crate::db::DbConn, actor: &AuthUser, id: &str) -> ApiResult<Team> {
    let team = q::team(conn, id)?.ok_or_else(|| ApiError::not_found("No such team."))?;
    access::require_admin_of(conn, actor, &team.village_id)?;
    Ok(team)
}

/// Records a change of `team`'s members in the audit trail and answers with its members now.
fn member_changed(
    conn: &mut crate::db::DbConn,
    actor_id: &str,
    action: &str,
    member: &str,
    team: Team,
    id: &str,
) -> ApiResult<TeamMembers> {
    q::audit(
        conn,
        actor_id,
        action,
        Some(member),
        Some(&team.village_id),
        &json!({"team": id}),
    )?;
    Ok(TeamMembers {
        members: q::members(conn, id)?,
        team,
    })
}

/// Adds a member to a team: they become a facilitator (a grant, if they had none) for the team's
/// village; audited. A `member` that names no user is a 422 on `user_id`.
pub fn add_member(db: &Db, actor: &AuthUser, id: String, member: String) -> ApiResult<TeamMembers> {
    let mut conn = db.read()?;
    let team = administered_team(&mut conn, actor, &id)?;
    accounts::find_user(&mut conn, &member)
        .map_err(|_| ApiError::field("user_id", "not_found", "No such user."))?;
    drop(conn);
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        q::add_member(conn, &id, &member)?;
        // Already a facilitator (a grant written meanwhile): nothing to add.
        accounts::grant(conn, &member, Role::Facilitator, None, Some(&actor_id)).or_else(|e| {
            if e.code == Code::Conflict {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        member_changed(conn, &actor_id, "team.add_member", &member, team, &id)
    })
}

/// Removes a member from a team (404 if they are not one); audited.
pub fn remove_member(
    db: &Db,
    actor: &AuthUser,
    id: String,
    member: String,
) -> ApiResult<TeamMembers> {
    let team = administered_team(&mut *db.read()?, actor, &id)?;
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        if q::remove_member(conn, &id, &member)? == 0 {
            return Err(ApiError::not_found("Not a member of this team."));
        }
        member_changed(conn, &actor_id, "team.remove_member", &member, team, &id)
    })
}

/// A member of a team as the officers' page shows them.
pub struct Member {
    pub id: String,
    pub display_name: String,
    /// How they log in: username, phone or e-mail (the first they have).
    pub login: String,
}

/// A team with its members' names.
pub struct TeamView {
    pub team: Team,
    pub members: Vec<Member>,
}

/// The teams of a village the actor administers, with their members (404 no such village, 409
/// `not_a_village`).
pub fn of_village(
    db: &Db,
    actor: &AuthUser,
    village_id: &str,
) -> ApiResult<(crate::db::users::Locality, Vec<TeamView>)> {
    let mut conn = db.read()?;
    let loc = access::require_admin_of(&mut conn, actor, village_id)?;
    if LocalityKind::parse(&loc.kind) != Some(LocalityKind::Village) {
        return Err(ApiError::conflict(
            Code::NotAVillage,
            "a team belongs to a village",
        ));
    }
    let mut out = Vec::new();
    for team in q::teams_of(&mut conn, village_id)? {
        let mut members = Vec::new();
        for id in q::members(&mut conn, &team.id)? {
            let u = accounts::find_user(&mut conn, &id)?;
            members.push(Member {
                login: u.username.or(u.phone).or(u.email).unwrap_or_default(),
                id,
                display_name: u.display_name,
            });
        }
        out.push(TeamView { team, members });
    }
    Ok((loc, out))
}

/// Adds the person who logs in as `login` (username, phone or e-mail) to a team, as
/// [`add_member`] does; someone unknown is a 422 on `member`.
pub fn add_member_by_login(
    db: &Db,
    actor: &AuthUser,
    id: String,
    login: &str,
) -> ApiResult<TeamMembers> {
    let mut conn = db.read()?;
    administered_team(&mut conn, actor, &id)?;
    let mut v = Validator::new();
    v.length("member", login, 1, 200);
    v.finish()?;
    let user = accounts::find_by_login(&mut conn, &accounts::parse_login(login))?
        .ok_or_else(|| ApiError::field("member", "not_found", "No such user."))?;
    drop(conn);
    add_member(db, actor, id, user.id)
}
