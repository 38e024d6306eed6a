//! Course authoring rules (who may edit is `access`): drafts with optimistic saves, publishing immutable
//! releases, importing course files, and loading the in-memory catalogue.

pub mod authoring;
pub mod catalogue;
pub mod quizzes;

use chrono::{DateTime, Utc};

use crate::auth::AuthUser;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::content::files::Tree;
use crate::content::render::{content_hash, ReleaseContent};
use crate::content::validate::validate;
use crate::content::CourseDoc;
use crate::db::courses::{self as q, CourseRow};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, Code, FieldError};

pub fn course_not_found(slug: &str) -> ApiError {
    ApiError::not_found(format!("No course `{slug}`."))
}

/// The published course `slug` the catalogue serves (404 when none).
pub fn published(catalogue: &Catalogue, slug: &str) -> ApiResult<std::sync::Arc<PublishedCourse>> {
    catalogue.get(slug).ok_or_else(|| course_not_found(slug))
}

pub fn find(conn: &mut DbConn, slug: &str) -> ApiResult<CourseRow> {
    q::find_by_slug(conn, slug)?.ok_or_else(|| course_not_found(slug))
}

pub fn parse_draft(row: &CourseRow) -> ApiResult<CourseDoc> {
    serde_json::from_str(&row.draft).map_err(|e| {
        ApiError::internal(anyhow::anyhow!("draft of {} does not parse: {e}", row.slug))
    })
}

fn to_json(doc: &CourseDoc) -> ApiResult<String> {
    serde_json::to_string(doc).map_err(ApiError::internal)
}

/// Creates a draft course; 409 when the slug is taken.
pub fn create(conn: &mut DbConn, doc: &CourseDoc, owner: Option<&str>) -> ApiResult<CourseRow> {
    crate::db::transaction(conn, |conn| {
        if q::find_by_slug(conn, &doc.slug)?.is_some() {
            return Err(ApiError::of(
                Code::CourseExists,
                format!("A course with slug `{}` already exists.", doc.slug),
            ));
        }
        q::insert(conn, &doc.slug, owner, &to_json(doc)?)?;
        find(conn, &doc.slug)
    })
}

/// Applies `f` to the draft and saves it; a concurrent save makes it re-read and re-apply.
pub fn edit_draft<T>(
    conn: &mut DbConn,
    slug: &str,
    user: &AuthUser,
    f: impl FnMut(&mut CourseDoc) -> ApiResult<T>,
) -> ApiResult<(T, CourseDoc)> {
    edit_draft_at(conn, slug, user, None, f)
}

/// [`edit_draft`] for an author who read the draft at version `expected`: when the draft is no
/// longer at that version (someone saved meanwhile), nothing is saved and the answer is 409
/// `edit_conflict`, so that the author compares before saving again.
pub fn edit_draft_at<T>(
    conn: &mut DbConn,
    slug: &str,
    user: &AuthUser,
    expected: Option<i32>,
    mut f: impl FnMut(&mut CourseDoc) -> ApiResult<T>,
) -> ApiResult<(T, CourseDoc)> {
    for _ in 0..5 {
        let row = find(conn, slug)?;
        crate::access::require_editor(conn, user, &row)?;
        if expected.is_some_and(|v| v != row.draft_version) {
            return Err(ApiError::of(
                Code::EditConflict,
                "Someone saved the draft after you opened it; compare, then save again.",
            ));
        }
        let mut doc = parse_draft(&row)?;
        let out = f(&mut doc)?;
        if q::save_draft(conn, &row.id, row.draft_version, &to_json(&doc)?)? {
            return Ok((out, doc));
        }
    }
    Err(ApiError::of(
        Code::EditConflict,
        "The draft changed while saving; try again.",
    ))
}

/// Saves `doc` as the draft without permission checks (import).
fn replace_draft(conn: &mut DbConn, row: &CourseRow, doc: &CourseDoc) -> ApiResult<()> {
    if !q::save_draft(conn, &row.id, row.draft_version, &to_json(doc)?)? {
        return Err(ApiError::of(
            Code::EditConflict,
            "The draft changed while importing.",
        ));
    }
    Ok(())
}

/// The 422 listing every problem of a course.
pub fn invalid_course(issues: &[crate::content::validate::Issue]) -> ApiError {
    let errors: Vec<FieldError> = issues
        .iter()
        .map(|i| FieldError {
            field: i.path(),
            code: "invalid".into(),
            message: i.message.clone(),
        })
        .collect();
    let mut err = ApiError::validation(errors);
    err.code = crate::error::Code::CourseInvalid;
    err.detail = format!("The course has {} problem(s); see `errors`.", issues.len());
    err
}

pub struct Published {
    pub course_id: String,
    pub number: i32,
    pub published_at: DateTime<Utc>,
    /// False when the content equals the latest release (nothing new was made).
    pub created: bool,
    pub content: ReleaseContent,
}

/// Validates the whole course and freezes a numbered release, unless the latest release already
/// has this content.
pub fn publish(
    conn: &mut DbConn,
    row: &CourseRow,
    doc: &CourseDoc,
    by: Option<&str>,
) -> ApiResult<Published> {
    let issues = validate(doc);
    if !issues.is_empty() {
        return Err(invalid_course(&issues));
    }
    let hash = content_hash(doc);
    crate::db::transaction(conn, |conn| {
        let latest = q::latest_release(conn, &row.id)?;
        if let Some(latest) = latest.as_ref().filter(|l| l.content_hash == hash) {
            let content: ReleaseContent =
                serde_json::from_str(&latest.content).map_err(ApiError::internal)?;
            return Ok(Published {
                course_id: row.id.clone(),
                number: latest.number,
                published_at: latest.published_at.and_utc(),
                created: false,
                content,
            });
        }
        let number = latest.map(|l| l.number + 1).unwrap_or(1);
        let content = ReleaseContent::build(doc);
        let json = serde_json::to_string(&content).map_err(ApiError::internal)?;
        let at = q::insert_release(conn, &row.id, number, &json, &hash, by)?;
        Ok(Published {
            course_id: row.id.clone(),
            number,
            published_at: at.and_utc(),
            created: true,
            content,
        })
    })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportOutcome {
    pub slug: String,
    pub created: bool,
    pub release: i32,
    pub new_release: bool,
}

/// Imports every course of a tree: creates or updates drafts and publishes a release when the
/// content changed (importing twice makes one release). Courses with problems are skipped.
pub fn import_tree(
    conn: &mut DbConn,
    tree: &Tree,
    owner: Option<&str>,
    catalogue: Option<&Catalogue>,
) -> ApiResult<Vec<ImportOutcome>> {
    let mut outcomes = Vec::new();
    for course in &tree.courses {
        if !course.problems().is_empty() {
            continue;
        }
        let doc = &course.doc;
        let (row, created) = match q::find_by_slug(conn, &doc.slug)? {
            Some(row) => {
                if parse_draft(&row)? != *doc {
                    replace_draft(conn, &row, doc)?;
                }
                (find(conn, &doc.slug)?, false)
            }
            None => (create(conn, doc, owner)?, true),
        };
        let published = publish(conn, &row, doc, owner)?;
        if published.created {
            if let Some(cat) = catalogue {
                cat.put(PublishedCourse::build(
                    published.course_id.clone(),
                    published.content.clone(),
                    published.number,
                    published.published_at,
                ));
            }
        }
        outcomes.push(ImportOutcome {
            slug: doc.slug.clone(),
            created,
            release: published.number,
            new_release: published.created,
        });
    }
    for (slug, p) in &tree.programs {
        save_program(conn, slug, p)?;
    }
    let indicators: Vec<(&str, Option<&crate::reports::Qualification>)> = tree
        .indicators
        .iter()
        .filter(|(_, q)| q.problems().is_empty())
        .map(|(key, q)| (key.as_str(), Some(q)))
        .collect();
    crate::reports::save_config(conn, &indicators)?;
    Ok(outcomes)
}

/// Brings the in-memory catalogue in line with the database: loads releases it does not
/// serve yet and drops courses that are gone. Returns how many courses changed.
/// Whether the releases stored differ from those `catalogue` serves: a cheap check, run on a
/// replica when there is one (a replica a moment behind only delays the refresh, which then
/// reads the primary: a lagging replica never turns the catalogue back).
pub fn catalogue_differs(conn: &mut DbConn, catalogue: &Catalogue) -> ApiResult<bool> {
    let stored = q::release_versions(conn)?;
    let served = catalogue.releases();
    Ok(stored.len() != served.len() || stored.iter().any(|(slug, n)| served.get(slug) != Some(n)))
}

pub fn refresh_catalogue(conn: &mut DbConn, catalogue: &Catalogue) -> ApiResult<usize> {
    let stored = q::release_versions(conn)?;
    let served = catalogue.releases();
    let stale: Vec<&String> = stored
        .iter()
        .filter(|(slug, n)| served.get(slug) != Some(n))
        .map(|(slug, _)| slug)
        .collect();
    let mut changed = 0;
    if !stale.is_empty() {
        for rel in q::all_latest_releases(conn)? {
            let content: ReleaseContent =
                serde_json::from_str(&rel.content).map_err(ApiError::internal)?;
            if stale.contains(&&content.doc.slug) {
                catalogue.put(PublishedCourse::build(
                    rel.course_id.clone(),
                    content,
                    rel.number,
                    rel.published_at.and_utc(),
                ));
                changed += 1;
            }
        }
    }
    for slug in served.keys() {
        if !stored.iter().any(|(s, _)| s == slug) {
            catalogue.remove(slug);
            changed += 1;
        }
    }
    Ok(changed)
}

/// Creates or replaces a program.
pub fn save_program(
    conn: &mut DbConn,
    slug: &str,
    p: &crate::content::files::ProgramDoc,
) -> ApiResult<()> {
    let json = |v: &Vec<String>| serde_json::to_string(v).map_err(ApiError::internal);
    crate::db::learning::upsert_program(
        conn,
        slug,
        &p.title,
        &p.title_en,
        &p.summary,
        &p.summary_en,
        &json(&p.groups)?,
        &json(&p.courses)?,
        crate::db::now(),
    )?;
    Ok(())
}
