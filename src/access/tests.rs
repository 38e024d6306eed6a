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
