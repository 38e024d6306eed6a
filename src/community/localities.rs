//! Localities (province → commune → village), the tree admins work in, and their census figures
//! (the denominators of the official rates).

use serde_json::json;

use super::Db;
use crate::access::{self, Action, AdminArea};
use crate::auth::AuthUser;
use crate::db::community::{self as q, Census};
use crate::db::now;
use crate::db::users::Locality;
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::kinds::LocalityKind;

/// A new locality: under a parent the actor administers, or a province (platform admins).
pub struct NewLocality {
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
}

/// Adds a locality under one the actor administers (a province: platform admins only). A province
/// holds communes, a commune villages, a village nothing (409 `kind_mismatch`); an official code
/// is unique (409 `code_taken`).
pub fn create(db: &Db, actor: &AuthUser, new: NewLocality) -> ApiResult<Locality> {
    let mut v = Validator::new();
    v.length("name", &new.name, 1, 200);
    let kind = LocalityKind::parse(&new.kind);
    v.check(
        kind.is_some(),
        "kind",
        "invalid",
        "must be province, commune or village",
    );
    if let Some(c) = &new.code {
        v.length("code", c, 1, 40);
    }
    v.finish()?;
    let Some(kind) = kind else {
        return Err(ApiError::field(
            "kind",
            "invalid",
            "must be province, commune or village",
        ));
    };
    let mut conn = db.read()?;
    match &new.parent_id {
        Some(p) => {
            let parent = access::require_admin_of(&mut conn, actor, p)?;
            let parent_kind = LocalityKind::parse(&parent.kind);
            // A kind this version does not know holds villages, as a commune does.
            let expected = parent_kind
                .unwrap_or(LocalityKind::Commune)
                .child()
                .unwrap_or(LocalityKind::Village);
            if parent_kind == Some(LocalityKind::Village) || kind != expected {
                let holds = if parent_kind == Some(LocalityKind::Village) {
                    "a village holds no localities".to_string()
                } else {
                    format!("a {} holds {expected}s", parent.kind)
                };
                return Err(ApiError::conflict(Code::KindMismatch, holds));
            }
        }
        None => {
            access::require(actor, Action::RunPlatform)?;
            if kind != LocalityKind::Province {
                return Err(ApiError::field(
                    "kind",
                    "invalid",
                    "a locality without parent is a province",
                ));
            }
        }
    }
    drop(conn);
    db.writer.transaction(move |conn| {
        if let Some(code) = &new.code {
            if q::locality_by_code(conn, code)?.is_some() {
                return Err(ApiError::conflict(
                    Code::CodeTaken,
                    format!("Another locality has code `{code}`."),
                ));
            }
        }
        let id = q::insert_locality(
            conn,
            new.parent_id.as_deref(),
            kind.as_str(),
            new.name.trim(),
            new.code.as_deref(),
        )?;
        q::locality(conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))
    })
}

/// Adds a locality under `parent_id` of the kind the parent holds (a province holds communes, a
/// commune villages; a village nothing: 409 `kind_mismatch`), as [`create`] does.
pub fn create_child(
    db: &Db,
    actor: &AuthUser,
    parent_id: String,
    name: String,
    code: Option<String>,
) -> ApiResult<Locality> {
    let parent = access::require_admin_of(&mut *db.read()?, actor, &parent_id)?;
    let kind = LocalityKind::parse(&parent.kind)
        .unwrap_or(LocalityKind::Commune)
        .child()
        .ok_or_else(|| ApiError::conflict(Code::KindMismatch, "a village holds no localities"))?;
    create(
        db,
        actor,
        NewLocality {
            parent_id: Some(parent_id),
            kind: kind.as_str().to_string(),
            name,
            code,
        },
    )
}

/// The localities an admin starts from: every province for a platform admin, else the roots of
/// their grants.
pub fn roots(db: &Db, actor: &AuthUser) -> ApiResult<Vec<Locality>> {
    access::require(actor, Action::EnterAdminArea(AdminArea::Localities))?;
    let mut conn = db.read()?;
    match access::admin_roots(actor) {
        None => Ok(q::children(&mut conn, None)?),
        Some(roots) => {
            let mut out = Vec::new();
            for r in roots {
                out.extend(q::locality(&mut conn, &r)?);
            }
            Ok(out)
        }
    }
}

/// A locality the actor administers, with its children.
pub fn with_children(db: &Db, actor: &AuthUser, id: &str) -> ApiResult<(Locality, Vec<Locality>)> {
    let mut conn = db.read()?;
    let loc = access::require_admin_of(&mut conn, actor, id)?;
    let children = q::children(&mut conn, Some(id))?;
    Ok((loc, children))
}

/// A locality with the localities below it, down to some depth.
pub struct TreeNode {
    pub locality: Locality,
    pub children: Vec<TreeNode>,
}

/// A locality the actor administers with its children and grandchildren (the locality tree's
/// page), and its parent when the actor administers that too (the way up).
pub fn tree_of(db: &Db, actor: &AuthUser, id: &str) -> ApiResult<(TreeNode, Option<Locality>)> {
    let mut conn = db.read()?;
    let loc = access::require_admin_of(&mut conn, actor, id)?;
    let parent = match &loc.parent_id {
        Some(p) if access::administers(&mut conn, actor, p)? => q::locality(&mut conn, p)?,
        _ => None,
    };
    let children = q::children(&mut conn, Some(id))?;
    let ids: Vec<String> = children.iter().map(|c| c.id.clone()).collect();
    let mut grandchildren = if ids.is_empty() {
        Vec::new()
    } else {
        q::children_of(&mut conn, &ids)?
    };
    let children = children
        .into_iter()
        .map(|c| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut grandchildren)
                .into_iter()
                .partition(|g| g.parent_id.as_deref() == Some(c.id.as_str()));
            grandchildren = rest;
            TreeNode {
                locality: c,
                children: mine
                    .into_iter()
                    .map(|g| TreeNode {
                        locality: g,
                        children: Vec::new(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok((
        TreeNode {
            locality: loc,
            children,
        },
        parent,
    ))
}

/// A new name or official code (`Some("")`: no code any more); `None` leaves it.
pub struct LocalityChanges {
    pub name: Option<String>,
    pub code: Option<String>,
}

/// Renames a locality or changes its official code (admins of its area); audited.
pub fn update(db: &Db, actor: &AuthUser, id: String, ch: LocalityChanges) -> ApiResult<Locality> {
    let mut v = Validator::new();
    if let Some(n) = &ch.name {
        v.length("name", n, 1, 200);
    }
    if let Some(c) = ch.code.as_deref().filter(|c| !c.is_empty()) {
        v.length("code", c, 1, 40);
    }
    v.finish()?;
    access::require_admin_of(&mut *db.read()?, actor, &id)?;
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        if let Some(name) = &ch.name {
            q::rename_locality(conn, &id, name.trim())?;
        }
        if let Some(code) = &ch.code {
            let code = (!code.is_empty()).then(|| code.trim().to_string());
            if let Some(c) = &code {
                if q::locality_by_code(conn, c)?.is_some_and(|l| l.id != id) {
                    return Err(ApiError::conflict(
                        Code::CodeTaken,
                        format!("Another locality has code `{c}`."),
                    ));
                }
            }
            q::set_locality_code(conn, &id, code.as_deref())?;
        }
        q::audit(
            conn,
            &actor_id,
            "locality.update",
            None,
            Some(&id),
            &json!({"name": ch.name, "code": ch.code}),
        )?;
        q::locality(conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))
    })
}

/// The census figures of a locality for a year; `None`: unknown.
#[derive(Default)]
pub struct CensusFigures {
    pub population: Option<i64>,
    pub aged_14_plus: Option<i64>,
    pub adults: Option<i64>,
    pub working_age: Option<i64>,
    pub households: Option<i64>,
    pub officials: Option<i64>,
    pub enterprise_workers: Option<i64>,
    pub students: Option<i64>,
}

fn check_census(c: &Census) -> ApiResult<()> {
    let mut v = Validator::new();
    for (name, value) in [
        ("population", c.population),
        ("aged_14_plus", c.aged_14_plus),
        ("adults", c.adults),
        ("working_age", c.working_age),
        ("households", c.households),
        ("officials", c.officials),
        ("enterprise_workers", c.enterprise_workers),
        ("students", c.students),
    ] {
        v.check(
            value.is_none_or(|n| (0..=200_000_000).contains(&n)),
            name,
            "out_of_range",
            "must be between 0 and 200,000,000",
        );
    }
    // Age groups are parts of the population.
    if let Some(p) = c.population {
        for (name, part) in [
            ("aged_14_plus", c.aged_14_plus),
            ("adults", c.adults),
            ("working_age", c.working_age),
        ] {
            v.check(
                part.is_none_or(|n| n <= p),
                name,
                "inconsistent",
                "cannot exceed the population",
            );
        }
    }
    v.finish()
}

fn check_year(year: i32) -> ApiResult<()> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field(
            "year",
            "out_of_range",
            "must be between 2000 and 2100",
        ));
    }
    Ok(())
}

/// Sets the census figures of a locality the actor administers for a year (2000–2100); audited.
pub fn set_census(
    db: &Db,
    actor: &AuthUser,
    id: String,
    year: i32,
    f: CensusFigures,
) -> ApiResult<Census> {
    check_year(year)?;
    let c = Census {
        locality_id: id.clone(),
        year,
        population: f.population,
        aged_14_plus: f.aged_14_plus,
        adults: f.adults,
        working_age: f.working_age,
        households: f.households,
        officials: f.officials,
        enterprise_workers: f.enterprise_workers,
        students: f.students,
        updated_at: now(),
    };
    check_census(&c)?;
    access::require_admin_of(&mut *db.read()?, actor, &id)?;
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        q::save_census(conn, &c)?;
        q::audit(
            conn,
            &actor_id,
            "census.set",
            None,
            Some(&id),
            &json!({"year": year}),
        )?;
        Ok(c)
    })
}

/// The census figures of a locality the actor administers for a year (404 when none).
pub fn census(db: &Db, actor: &AuthUser, id: &str, year: i32) -> ApiResult<Census> {
    let mut conn = db.read()?;
    access::require_admin_of(&mut conn, actor, id)?;
    q::census_of(&mut conn, id, year)?
        .ok_or_else(|| ApiError::not_found(format!("No census figures for {year}.")))
}

/// A locality the actor administers and its census figures for a year, if any (the census
/// form shows them).
pub fn census_form(
    db: &Db,
    actor: &AuthUser,
    id: &str,
    year: i32,
) -> ApiResult<(Locality, Option<Census>)> {
    check_year(year)?;
    let mut conn = db.read()?;
    let loc = access::require_admin_of(&mut conn, actor, id)?;
    let census = q::census_of(&mut conn, id, year)?;
    Ok((loc, census))
}
