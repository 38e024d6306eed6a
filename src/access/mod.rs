//! Who may do what to what: every "may this actor do this to this object" of the platform, and
//! whether a refusal is 404 or 403.
//!
//! The decision is pure: [`decide`] takes what the actor holds ([`Actor`]: their role grants and,
//! for facilitation, their teams' villages), the [`Action`], and where the object sits
//! ([`Object`]: a locality's place in the tree, a resident's village, a course's authors, an
//! attempt's owner), all looked up before. The `require_*` functions (`lookups.rs`) are the thin
//! wrappers that do those lookups (no more than the decision needs) and turn a refusal into the
//! error.
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

mod lookups;
#[cfg(test)]
mod tests;

pub use lookups::{
    admin_roots, administers, may_manage, require, require_admin_of, require_editor,
    require_own_attempt, require_resident, require_team_villages, require_village,
};

use crate::auth::{AuthUser, Role, RoleScope};
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
