//! Who may do what to what: every "may this actor do this to this object" of the platform, and
//! whether a refusal is 404 or 403.
//!
//! The decision is pure: [`decide`] takes what the actor holds ([`Actor`]: their role grants and,
//! for facilitation, their teams' villages), the [`Action`], and where the object sits
//! ([`Object`]: a locality's place in the tree, a resident's village, a course's authors, an
//! attempt's owner), all looked up before. The `require_*` functions below are the thin wrappers
//! that do those lookups (no more than the decision needs) and turn a refusal into the error.
//!
//! 404 or 403: an object whose existence is itself private answers 404 to whoever may not act on
//! it (a resident outside one's villages, another learner's attempt), so that nothing is learnt
//! about people elsewhere. Localities and courses are public knowledge: acting on one outside
//! one's reach is 403, and so is every refusal that depends on the actor's roles alone.
//!
//! Who may:
//! - a **platform admin** (an admin grant without locality): everything;
//! - an **admin of a locality** (a grant on a province, commune or village): that locality and
//!   its whole subtree, including what facilitators do in its villages;
//! - a **facilitator**: the villages of their community digital teams: households, residents,
//!   progress on a resident's behalf; a resident's account only if it holds no role;
//! - an **instructor**: create courses; edit the courses they own or co-author;
//! - **everyone**: their own attempts (and what `/me` shows them).

use crate::auth::{AuthUser, Role, RoleScope};
use crate::db::community::{self as cq, Profile};
use crate::db::courses::CourseRow;
use crate::db::users::Locality;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// The acting user as decisions see them.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub roles: &'a [RoleScope],
    /// The villages of the actor's community digital teams (looked up only for facilitation).
    pub team_villages: &'a [String],
}

impl<'a> Actor<'a> {
    pub fn of(user: &'a AuthUser) -> Self {
        Self {
            id: &user.id,
            roles: &user.roles,
            team_villages: &[],
        }
    }

    fn with_teams(self, team_villages: &'a [String]) -> Self {
        Self {
            team_villages,
            ..self
        }
    }

    fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r.role == role)
    }

    fn is_platform_admin(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r.role == Role::Admin && r.locality.is_none())
    }

    /// Roots of the subtrees the actor administers; `None` for a platform admin.
    fn admin_roots(&self) -> Option<Vec<&'a str>> {
        if self.is_platform_admin() {
            return None;
        }
        let roles: &'a [RoleScope] = self.roles;
        Some(
            roles
                .iter()
                .filter(|r| r.role == Role::Admin)
                .filter_map(|r| r.locality.as_deref())
                .collect(),
        )
    }

    /// Whether the actor administers the locality whose `path` (itself, then its ancestors) is
    /// given.
    fn administers(&self, path: &[String]) -> bool {
        match self.admin_roots() {
            None => true,
            Some(roots) => path.iter().any(|p| roots.contains(&p.as_str())),
        }
    }

    /// Whether the actor may do what facilitators do in the village whose `path` is given: a
    /// team of theirs serves it, or they administer it.
    fn facilitates(&self, path: &[String]) -> bool {
        path.first().is_some_and(|v| self.team_villages.contains(v)) || self.administers(path)
    }
}

/// The admin pages entered before any one locality is named; each has its refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminArea {
    Localities,
    Reports,
    IndicatorConfig,
    ResidentImport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Platform-wide work: accounts and roles, revoking certificates, programs, the indicator
    /// settings, a new province. A platform admin only.
    RunPlatform,
    /// Enter an admin page (the localities one administers, reports, the indicator
    /// configuration, resident imports): an admin grant anywhere; each locality is then checked
    /// with [`Action::Administer`].
    EnterAdminArea(AdminArea),
    /// Manage a locality and its subtree: children, census, targets, teams, reports, audit.
    Administer,
    /// Do what facilitators do in a village (households, residents' progress); on
    /// [`Object::Platform`]: act as a facilitator at all (a team somewhere).
    Facilitate,
    /// Register a resident in a village: as `Facilitate`, with its own refusal.
    RegisterResident,
    /// See a resident of one's villages (their progress, their learning on their behalf).
    See,
    /// Change a resident's account on their behalf (move it, correct it, a reset code): as
    /// `See`, and the account holds no role.
    Manage,
    /// Read a resident's audit trail: admins of the resident's area.
    Audit,
    /// Create a course: instructors and platform admins.
    CreateCourse,
    /// Edit, publish or read the statistics of a course: its owner, co-authors, platform admins.
    Edit,
    /// Use one's own attempt.
    Use,
}

/// Where a resident lives, for the decision.
#[derive(Clone, Copy, Debug)]
pub struct ResidentPlace<'a> {
    /// Their village, then its ancestors.
    pub village: &'a [String],
    pub holds_role: bool,
}

/// The object of an action, as looked up before the decision (`None`: there is no such object,
/// or, for a resident, no village puts them anywhere).
#[derive(Clone, Copy, Debug)]
pub enum Object<'a> {
    /// Nothing in particular: the platform, or the actor's own area.
    Platform,
    /// A locality: itself, then its ancestors, nearest first.
    Locality(Option<&'a [String]>),
    Resident(Option<ResidentPlace<'a>>),
    Course {
        owner: Option<&'a str>,
        co_author: bool,
    },
    /// A quiz attempt, by its owner.
    Attempt(Option<&'a str>),
}

/// The answer, with the detail a refusal gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    NotFound(&'static str),
    Forbidden(&'static str),
}

impl Decision {
    pub fn into_result(self) -> ApiResult<()> {
        match self {
            Decision::Allowed => Ok(()),
            Decision::NotFound(detail) => Err(ApiError::not_found(detail)),
            Decision::Forbidden(detail) => Err(ApiError::forbidden(detail)),
        }
    }
}

const NO_RESIDENT: &str = "No such resident in your villages.";

/// May `actor` do `action` to `object`? Pure: everything it needs is looked up before.
pub fn decide(actor: &Actor<'_>, action: Action, object: &Object<'_>) -> Decision {
    use Decision::{Allowed, Forbidden, NotFound};
    let allow = |yes: bool, no: Decision| if yes { Allowed } else { no };
    match (action, object) {
        (Action::RunPlatform, _) => allow(
            actor.is_platform_admin(),
            Forbidden("This needs the admin role for the whole platform."),
        ),
        (Action::EnterAdminArea(area), _) => allow(
            actor.has_role(Role::Admin),
            Forbidden(match area {
                AdminArea::Localities => "Only admins manage localities.",
                AdminArea::Reports => "Reports are for admins of the area.",
                AdminArea::IndicatorConfig => "Only admins see the indicator configuration.",
                AdminArea::ResidentImport => "Only admins import residents.",
            }),
        ),
        (Action::CreateCourse, _) => allow(
            actor.has_role(Role::Instructor) || actor.is_platform_admin(),
            Forbidden("Only instructors and admins create courses."),
        ),
        (Action::Administer, Object::Locality(None)) => NotFound("No such locality."),
        (Action::Administer, Object::Locality(Some(path))) => allow(
            actor.administers(path),
            Forbidden("This locality is outside the area you administer."),
        ),
        (Action::Facilitate, Object::Platform) => allow(
            !actor.team_villages.is_empty(),
            Forbidden("You are not a member of any community digital team."),
        ),
        (Action::Facilitate | Action::RegisterResident, Object::Locality(None)) => {
            NotFound("No such village.")
        }
        (Action::Facilitate, Object::Locality(Some(path))) => allow(
            actor.facilitates(path),
            Forbidden("This village is outside your area."),
        ),
        (Action::RegisterResident, Object::Locality(Some(path))) => allow(
            actor.facilitates(path),
            Forbidden("You may register residents only in your own villages."),
        ),
        (Action::See, Object::Resident(r)) => allow(
            r.is_some_and(|r| actor.facilitates(r.village)),
            NotFound(NO_RESIDENT),
        ),
        (Action::Manage, Object::Resident(r)) => allow(
            r.is_some_and(|r| manageable(actor.facilitates(r.village), r.holds_role)),
            NotFound(NO_RESIDENT),
        ),
        (Action::Audit, Object::Resident(None)) => NotFound("No such resident."),
        (Action::Audit, Object::Resident(Some(r))) => allow(
            actor.administers(r.village),
            Forbidden("This resident is outside the area you administer."),
        ),
        (Action::Edit, Object::Course { owner, co_author }) => allow(
            actor.is_platform_admin() || *owner == Some(actor.id) || *co_author,
            Forbidden("Only the course's owner, its co-authors and admins may do this."),
        ),
        (Action::Use, Object::Attempt(owner)) => {
            allow(*owner == Some(actor.id), NotFound("No such attempt."))
        }
        // Anything not stated above is refused.
        _ => Forbidden("You may not do this."),
    }
}

/// Whether staff may change a person's account on their behalf: the person is in their area
/// and the account holds no role.
fn manageable(in_area: bool, holds_role: bool) -> bool {
    in_area && !holds_role
}

// The wrappers: lookups, then the decision.

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

#[cfg(test)]
mod tests {
    use super::*;

    use Decision::{Allowed, Forbidden, NotFound};

    fn grant(role: Role, locality: Option<&str>) -> RoleScope {
        RoleScope {
            role,
            locality: locality.map(String::from),
        }
    }

    fn path(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    /// The tree: province P > communes C1, C2 > villages V1 (in C1), V2 (in C2).
    struct World {
        p: Vec<String>,
        c1: Vec<String>,
        v1: Vec<String>,
        v2: Vec<String>,
    }

    fn world() -> World {
        World {
            p: path(&["P"]),
            c1: path(&["C1", "P"]),
            v1: path(&["V1", "C1", "P"]),
            v2: path(&["V2", "C2", "P"]),
        }
    }

    /// The actors: a platform admin, a commune admin (C1), a facilitator (team in V1), an
    /// instructor, a learner.
    fn roles(name: &str) -> Vec<RoleScope> {
        match name {
            "platform admin" => vec![grant(Role::Admin, None)],
            "commune admin" => vec![grant(Role::Admin, Some("C1"))],
            "facilitator" => vec![grant(Role::Facilitator, Some("V1"))],
            "instructor" => vec![grant(Role::Instructor, None)],
            "learner" => vec![],
            other => panic!("no actor {other}"),
        }
    }

    fn teams(name: &str) -> Vec<String> {
        match name {
            "facilitator" => path(&["V1"]),
            _ => Vec::new(),
        }
    }

    const ACTORS: [&str; 5] = [
        "platform admin",
        "commune admin",
        "facilitator",
        "instructor",
        "learner",
    ];

    /// Each row: action, object, and the decision for each actor in `ACTORS` order.
    fn check_table(rows: &[(Action, Object<'_>, [Decision; 5])]) {
        for (action, object, expected) in rows {
            for (name, want) in ACTORS.iter().zip(expected) {
                let (roles, teams) = (roles(name), teams(name));
                let actor = Actor {
                    id: name,
                    roles: &roles,
                    team_villages: &teams,
                };
                assert_eq!(
                    decide(&actor, *action, object),
                    *want,
                    "{name} × {action:?} × {object:?}"
                );
            }
        }
    }

    fn loc(path: &[String]) -> Object<'_> {
        Object::Locality(Some(path))
    }

    fn at(village: &[String], holds_role: bool) -> Object<'_> {
        Object::Resident(Some(ResidentPlace {
            village,
            holds_role,
        }))
    }

    const PLATFORM: Decision = Forbidden("This needs the admin role for the whole platform.");
    const OUTSIDE: Decision = Forbidden("This locality is outside the area you administer.");
    const NOT_VILLAGE: Decision = Forbidden("This village is outside your area.");
    const NO_RES: Decision = NotFound(NO_RESIDENT);

    #[test]
    fn roles_alone() {
        let reports = Forbidden("Reports are for admins of the area.");
        let create = Forbidden("Only instructors and admins create courses.");
        let no_team = Forbidden("You are not a member of any community digital team.");
        use Object::Platform as Pf;
        check_table(&[
            (
                Action::RunPlatform,
                Pf,
                [Allowed, PLATFORM, PLATFORM, PLATFORM, PLATFORM],
            ),
            (
                Action::EnterAdminArea(AdminArea::Reports),
                Pf,
                [Allowed, Allowed, reports, reports, reports],
            ),
            (
                Action::CreateCourse,
                Pf,
                [Allowed, create, create, Allowed, create],
            ),
            (
                Action::Facilitate,
                Pf,
                [no_team, no_team, Allowed, no_team, no_team],
            ),
        ]);
    }

    #[test]
    fn localities() {
        let w = world();
        let gone = NotFound("No such locality.");
        let register = Forbidden("You may register residents only in your own villages.");
        check_table(&[
            (
                Action::Administer,
                loc(&w.p),
                [Allowed, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE],
            ),
            (
                Action::Administer,
                loc(&w.c1),
                [Allowed, Allowed, OUTSIDE, OUTSIDE, OUTSIDE],
            ),
            // The subtree: a village of the commune.
            (
                Action::Administer,
                loc(&w.v1),
                [Allowed, Allowed, OUTSIDE, OUTSIDE, OUTSIDE],
            ),
            (
                Action::Administer,
                loc(&w.v2),
                [Allowed, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE],
            ),
            (
                Action::Administer,
                Object::Locality(None),
                [gone, gone, gone, gone, gone],
            ),
            // Admins may do what facilitators do; facilitators only in their teams' villages.
            (
                Action::Facilitate,
                loc(&w.v1),
                [Allowed, Allowed, Allowed, NOT_VILLAGE, NOT_VILLAGE],
            ),
            (
                Action::Facilitate,
                loc(&w.v2),
                [Allowed, NOT_VILLAGE, NOT_VILLAGE, NOT_VILLAGE, NOT_VILLAGE],
            ),
            (
                Action::RegisterResident,
                loc(&w.v2),
                [Allowed, register, register, register, register],
            ),
            (
                Action::RegisterResident,
                loc(&w.v1),
                [Allowed, Allowed, Allowed, register, register],
            ),
        ]);
    }

    #[test]
    fn residents() {
        let w = world();
        let audit_out = Forbidden("This resident is outside the area you administer.");
        let no_such = NotFound("No such resident.");
        check_table(&[
            // Outside one's villages a resident is 404, like one who does not exist.
            (
                Action::See,
                at(&w.v1, false),
                [Allowed, Allowed, Allowed, NO_RES, NO_RES],
            ),
            (
                Action::See,
                at(&w.v2, false),
                [Allowed, NO_RES, NO_RES, NO_RES, NO_RES],
            ),
            (
                Action::See,
                Object::Resident(None),
                [NO_RES, NO_RES, NO_RES, NO_RES, NO_RES],
            ),
            (
                Action::Manage,
                at(&w.v1, false),
                [Allowed, Allowed, Allowed, NO_RES, NO_RES],
            ),
            // An account that holds a role is nobody's to change on its behalf.
            (
                Action::Manage,
                at(&w.v1, true),
                [NO_RES, NO_RES, NO_RES, NO_RES, NO_RES],
            ),
            // The audit trail: admins of the area only, not facilitators.
            (
                Action::Audit,
                at(&w.v1, false),
                [Allowed, Allowed, audit_out, audit_out, audit_out],
            ),
            (
                Action::Audit,
                at(&w.v2, false),
                [Allowed, audit_out, audit_out, audit_out, audit_out],
            ),
            (
                Action::Audit,
                Object::Resident(None),
                [no_such, no_such, no_such, no_such, no_such],
            ),
        ]);
    }

    #[test]
    fn courses_and_attempts() {
        let edit = Forbidden("Only the course's owner, its co-authors and admins may do this.");
        let none = NotFound("No such attempt.");
        check_table(&[
            (
                Action::Edit,
                Object::Course {
                    owner: Some("instructor"),
                    co_author: false,
                },
                [Allowed, edit, edit, Allowed, edit],
            ),
            (
                Action::Edit,
                Object::Course {
                    owner: None,
                    co_author: false,
                },
                [Allowed, edit, edit, edit, edit],
            ),
            // `co_author`: the actor co-authors it.
            (
                Action::Edit,
                Object::Course {
                    owner: Some("someone"),
                    co_author: true,
                },
                [Allowed, Allowed, Allowed, Allowed, Allowed],
            ),
            // Another's attempt is 404 even for a platform admin.
            (
                Action::Use,
                Object::Attempt(Some("learner")),
                [none, none, none, none, Allowed],
            ),
            (
                Action::Use,
                Object::Attempt(None),
                [none, none, none, none, none],
            ),
        ]);
    }

    #[test]
    fn anything_unstated_is_refused() {
        let w = world();
        check_table(&[(
            Action::Edit,
            Object::Locality(Some(&w.c1)),
            [Forbidden("You may not do this."); 5],
        )]);
    }

    #[test]
    fn the_same_rule_for_imports_and_staff() {
        assert!(manageable(true, false));
        assert!(!manageable(true, true));
        assert!(!manageable(false, false));
    }
}
