//! Programs (learning paths): the list, one program, a learner's progress in each, and their
//! creation by platform admins.

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{self, Action};
use crate::auth::AuthUser;
use crate::content::catalogue::Catalogue;
use crate::content::files::ProgramDoc;
use crate::content::{is_valid_key, GROUPS};
use crate::db::learning as q;
use crate::db::DbPool;
use crate::error::{ApiError, ApiResult, FieldError};

#[derive(Serialize, ToSchema)]
pub struct ProgramResponse {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub summary_en: String,
    pub groups: Vec<String>,
    pub courses: Vec<String>,
}

fn program_view(p: q::ProgramRow) -> ProgramResponse {
    ProgramResponse {
        groups: serde_json::from_str(&p.groups).unwrap_or_default(),
        courses: serde_json::from_str(&p.courses).unwrap_or_default(),
        slug: p.slug,
        title: p.title,
        title_en: p.title_en,
        summary: p.summary,
        summary_en: p.summary_en,
    }
}

/// Every program.
pub fn list(pool: &DbPool) -> ApiResult<Vec<ProgramResponse>> {
    Ok(q::all_programs(&mut *pool.get()?)?
        .into_iter()
        .map(program_view)
        .collect())
}

/// The program `slug` (404 when none).
pub fn get(pool: &DbPool, slug: &str) -> ApiResult<ProgramResponse> {
    q::program(&mut *pool.get()?, slug)?
        .map(program_view)
        .ok_or_else(|| ApiError::not_found(format!("No program `{slug}`.")))
}

#[derive(Serialize, ToSchema)]
pub struct MyProgram {
    #[serde(flatten)]
    pub program: ProgramResponse,
    pub completed_courses: Vec<String>,
    pub percent: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// Every program with the actor's progress: courses completed and the program certificate.
pub fn mine(pool: &DbPool, actor: &AuthUser) -> ApiResult<Vec<MyProgram>> {
    let mut conn = pool.get()?;
    let completed: HashSet<String> = q::completed_slugs(&mut conn, &actor.id)?
        .into_iter()
        .collect();
    let certs = q::certificates_of(&mut conn, &actor.id)?;
    Ok(q::all_programs(&mut conn)?
        .into_iter()
        .map(program_view)
        .map(|p| {
            let done: Vec<String> = p
                .courses
                .iter()
                .filter(|c| completed.contains(*c))
                .cloned()
                .collect();
            let percent = if p.courses.is_empty() {
                0
            } else {
                (done.len() * 100 / p.courses.len()) as u32
            };
            let certificate = certs
                .iter()
                .find(|c| c.program_slug.as_deref() == Some(p.slug.as_str()))
                .map(|c| c.serial.clone());
            MyProgram {
                program: p,
                completed_courses: done,
                percent,
                certificate,
            }
        })
        .collect())
}

/// Every problem of a program's slug and document (422 when there is one).
fn check(slug: &str, p: &ProgramDoc) -> ApiResult<()> {
    let mut errors = Vec::new();
    if !is_valid_key(slug) {
        errors.push(FieldError {
            field: "slug".into(),
            code: "invalid".into(),
            message: "lowercase a-z, 0-9 and hyphens".into(),
        });
    }
    if p.title.trim().is_empty() || p.title_en.trim().is_empty() {
        errors.push(FieldError {
            field: "title".into(),
            code: "required".into(),
            message: "title and title_en are required".into(),
        });
    }
    if p.courses.is_empty() {
        errors.push(FieldError {
            field: "courses".into(),
            code: "required".into(),
            message: "a program needs at least one course".into(),
        });
    }
    for g in &p.groups {
        if !GROUPS.contains(&g.as_str()) {
            errors.push(FieldError {
                field: "groups".into(),
                code: "invalid".into(),
                message: format!("unknown group `{g}`"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(())
}

/// Creates or replaces the program `slug` (platform admins); each of its courses must be
/// published (404 otherwise).
pub fn put(
    pool: &DbPool,
    catalogue: &Catalogue,
    actor: &AuthUser,
    slug: &str,
    p: ProgramDoc,
) -> ApiResult<ProgramResponse> {
    access::require(actor, Action::RunPlatform)?;
    check(slug, &p)?;
    let unknown: Vec<&str> = p
        .courses
        .iter()
        .filter(|c| catalogue.get(c).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::not_found(format!(
            "No published course `{}`.",
            unknown.join("`, `")
        )));
    }
    let mut conn = pool.get()?;
    crate::courses::save_program(&mut conn, slug, &p)?;
    Ok(program_view(
        q::program(&mut conn, slug)?.ok_or_else(|| ApiError::not_found("program vanished"))?,
    ))
}
