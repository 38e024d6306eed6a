//! The wrappers around [`decide`]: each looks up what the decision needs (no more), decides, and
//! turns a refusal into the error.

use super::{decide, manageable, Action, Actor, Object, ResidentPlace, NO_RESIDENT};
use crate::auth::AuthUser;
use crate::db::community::{self as cq, Profile};
use crate::db::courses::CourseRow;
use crate::db::users::Locality;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

fn check(actor: &Actor<'_>, action: Action, object: Object<'_>) -> ApiResult<()> {
    decide(actor, action, &object).into_result()
}

/// An action on nothing in particular (`RunPlatform`, `EnterAdminArea`, `CreateCourse`): 403
/// unless the actor's roles allow it.
pub fn require(user: &AuthUser, action: Action) -> ApiResult<()> {
    check(&Actor::of(user), action, Object::Platform)
}

/// Roots of the subtrees `user` administers (the localities they see first); `None` for a
/// platform admin.
pub fn admin_roots(user: &AuthUser) -> Option<Vec<String>> {
    Actor::of(user)
        .admin_roots()
        .map(|roots| roots.into_iter().map(String::from).collect())
}

/// The locality and its ancestors, nearest first: the ancestors only when the decision may turn
/// on them (an actor who administers part of the tree, not this locality itself, and no team of
/// theirs serves it).
fn place(conn: &mut DbConn, actor: &Actor<'_>, id: &str) -> ApiResult<Vec<String>> {
    let mut path = vec![id.to_string()];
    let needs_ancestors = !actor.team_villages.iter().any(|v| v == id)
        && actor
            .admin_roots()
            .is_some_and(|roots| !roots.is_empty() && !roots.contains(&id));
    if needs_ancestors {
        path.extend(cq::ancestors(conn, id)?);
    }
    Ok(path)
}

/// Whether `user` administers `locality_id` (it or one of its ancestors is granted).
pub fn administers(conn: &mut DbConn, user: &AuthUser, locality_id: &str) -> ApiResult<bool> {
    let actor = Actor::of(user);
    let path = place(conn, &actor, locality_id)?;
    Ok(actor.administers(&path))
}

/// The locality, if `user` administers it: 404 for a locality that does not exist, 403 outside
/// the admin's subtree.
pub fn require_admin_of(
    conn: &mut DbConn,
    user: &AuthUser,
    locality_id: &str,
) -> ApiResult<Locality> {
    let actor = Actor::of(user);
    let loc = cq::locality(conn, locality_id)?;
    let path = match loc {
        Some(_) => Some(place(conn, &actor, locality_id)?),
        None => None,
    };
    check(
        &actor,
        Action::Administer,
        Object::Locality(path.as_deref()),
    )?;
    loc.ok_or_else(|| ApiError::not_found("No such locality."))
}

/// 403 unless `user` may do what facilitators do in `village_id` (`Facilitate`), or register a
/// resident there (`RegisterResident`): a team of theirs serves it, or they administer it.
pub fn require_village(
    conn: &mut DbConn,
    user: &AuthUser,
    action: Action,
    village_id: &str,
) -> ApiResult<()> {
    let teams = cq::facilitator_villages(conn, &user.id)?;
    let actor = Actor::of(user).with_teams(&teams);
    let path = place(conn, &actor, village_id)?;
    check(&actor, action, Object::Locality(Some(&path)))
}

/// The villages of `user`'s teams; 403 when they are in no team.
pub fn require_team_villages(conn: &mut DbConn, user: &AuthUser) -> ApiResult<Vec<String>> {
    let teams = cq::facilitator_villages(conn, &user.id)?;
    check(
        &Actor::of(user).with_teams(&teams),
        Action::Facilitate,
        Object::Platform,
    )?;
    Ok(teams)
}

/// A resident's profile if `user` may `See`, `Manage` or `Audit` them; otherwise the refusal
/// [`decide`] gives (404 for someone outside one's villages, as for an unknown resident).
pub fn require_resident(
    conn: &mut DbConn,
    user: &AuthUser,
    action: Action,
    resident_id: &str,
) -> ApiResult<Profile> {
    let profile = cq::profile(conn, resident_id)?;
    let teams = match (action, &profile) {
        (Action::See | Action::Manage, Some(_)) => cq::facilitator_villages(conn, &user.id)?,
        _ => Vec::new(),
    };
    let actor = Actor::of(user).with_teams(&teams);
    let village = profile.as_ref().and_then(|p| p.village_id.as_deref());
    let place = match village {
        Some(v) => Some(place(conn, &actor, v)?),
        None => None,
    };
    let holds_role = match (action, &place) {
        (Action::Manage, Some(_)) => cq::holds_any_role(conn, resident_id)?,
        _ => false,
    };
    let object = Object::Resident(place.as_deref().map(|village| ResidentPlace {
        village,
        holds_role,
    }));
    check(&actor, action, object)?;
    profile.ok_or_else(|| ApiError::not_found(NO_RESIDENT))
}

/// Whether staff whose area `in_area` answers for may change a person's account on their behalf
/// (move it, correct it, give a reset code): the profile puts the person in a village of that
/// area (an account created there for a resident, or linked there by its owner) and the account
/// holds no role. Imports, registrations and resets all ask this.
pub fn may_manage(
    conn: &mut DbConn,
    profile: &Profile,
    in_area: &mut dyn FnMut(&mut DbConn, &str) -> ApiResult<bool>,
) -> ApiResult<bool> {
    let Some(village) = &profile.village_id else {
        return Ok(false);
    };
    if !in_area(conn, village)? {
        return Ok(false);
    }
    Ok(manageable(
        true,
        cq::holds_any_role(conn, &profile.user_id)?,
    ))
}

/// 403 unless `user` owns or co-authors the course, or is a platform admin.
pub fn require_editor(conn: &mut DbConn, user: &AuthUser, row: &CourseRow) -> ApiResult<()> {
    let actor = Actor::of(user);
    let owner = row.owner_id.as_deref();
    // The co-authors are read only when the owner and the role do not decide already.
    let co_author = !actor.is_platform_admin()
        && owner != Some(actor.id)
        && crate::db::courses::is_author(conn, &row.id, &user.id)?;
    check(&actor, Action::Edit, Object::Course { owner, co_author })
}

/// 404 unless the attempt (owned by `owner`, `None`: no such attempt) is `user_id`'s.
pub fn require_own_attempt(user_id: &str, owner: Option<&str>) -> ApiResult<()> {
    let actor = Actor {
        id: user_id,
        roles: &[],
        team_villages: &[],
    };
    check(&actor, Action::Use, Object::Attempt(owner))
}
