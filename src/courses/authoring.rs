//! The authoring use cases: a course's draft (course fields, modules, lessons, their order),
//! its co-authors, publishing and the releases. Each takes its typed input and the acting user,
//! checks that they may edit the course (`access`), and answers the draft as it now stands.
//! The modules and lessons of the draft are edited in `outline`.

mod outline;

pub(super) use outline::insert_item;
pub use outline::{
    check_position, create_lesson, create_module, delete_lesson, delete_module, key_taken,
    module_mut, reorder_items, reorder_items_at, reorder_modules, reorder_modules_at,
    update_lesson, update_lesson_at, update_module, LessonPatch, ModulePatch,
};

use chrono::{DateTime, Utc};

use super::{find, parse_draft, Published};
use crate::access::{self, Action};
use crate::auth::AuthUser;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::content::render::ReleaseContent;
use crate::content::validate::{meta_issues, Issue};
use crate::content::CourseDoc;
use crate::db::courses::{self as q, CourseRow};
use crate::db::{DbConn, DbPool, Writer};
use crate::error::{ApiError, ApiResult, Code, FieldError};

/// A course's draft as its authors see it.
pub struct Draft {
    pub row: CourseRow,
    pub co_authors: Vec<String>,
    pub doc: CourseDoc,
}

fn draft(conn: &mut DbConn, slug: &str) -> ApiResult<Draft> {
    let row = find(conn, slug)?;
    Ok(Draft {
        co_authors: q::authors(conn, &row.id)?,
        doc: parse_draft(&row)?,
        row,
    })
}

/// The course `slug`, if `actor` may edit it.
fn editable(conn: &mut DbConn, actor: &AuthUser, slug: &str) -> ApiResult<CourseRow> {
    let row = find(conn, slug)?;
    access::require_editor(conn, actor, &row)?;
    Ok(row)
}

/// A 422 naming each issue's field (its path when it has none), or nothing when there are none.
pub fn issues_to_error(issues: Vec<Issue>) -> ApiResult<()> {
    issues_named(issues, |i| match i.loc.field {
        Some(f) => f.to_string(),
        None => i.path(),
    })
}

/// A 422 naming each issue by `field`, or nothing when there are none.
pub fn issues_named(issues: Vec<Issue>, field: impl Fn(&Issue) -> String) -> ApiResult<()> {
    if issues.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        issues
            .into_iter()
            .map(|i| FieldError {
                field: field(&i),
                code: "invalid".into(),
                message: i.message,
            })
            .collect(),
    ))
}

/// Creates a draft course that `actor` (an instructor or admin) owns; 409 when the slug is taken.
pub fn create(writer: &Writer, actor: &AuthUser, doc: CourseDoc) -> ApiResult<Draft> {
    access::require(actor, Action::CreateCourse)?;
    issues_to_error(meta_issues(&doc))?;
    let owner = actor.id.clone();
    writer.transaction(move |conn| {
        super::create(conn, &doc, Some(&owner))?;
        draft(conn, &doc.slug)
    })
}

/// The draft, with lesson bodies and quiz answers, for its authors.
pub fn get(pool: &DbPool, actor: &AuthUser, slug: &str) -> ApiResult<Draft> {
    let mut conn = pool.get()?;
    editable(&mut conn, actor, slug)?;
    draft(&mut conn, slug)
}

/// Applies `f` to the draft for an author, saves it, and answers the new draft.
pub fn edit(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    f: impl FnMut(&mut CourseDoc) -> ApiResult<()>,
) -> ApiResult<Draft> {
    edit_at(pool, actor, slug, None, f)
}

/// [`edit`] for an author who read the draft at version `expected` (409 `edit_conflict` when
/// someone saved since, and nothing is saved).
pub fn edit_at(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    expected: Option<i32>,
    f: impl FnMut(&mut CourseDoc) -> ApiResult<()>,
) -> ApiResult<Draft> {
    let mut conn = pool.get()?;
    super::edit_draft_at(&mut conn, slug, actor, expected, f)?;
    draft(&mut conn, slug)
}

/// A course in its author's list.
pub struct CourseSummary {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub draft_version: i32,
    pub updated_at: DateTime<Utc>,
    /// The latest release and when it was published.
    pub latest_release: Option<(i32, DateTime<Utc>)>,
    /// The draft differs from the latest release (always true before the first release).
    pub unpublished_changes: bool,
    /// The actor owns the course (else co-authors it, or is a platform admin).
    pub owner: bool,
}

/// Whether the draft differs from the latest release of `releases` (newest first).
fn unpublished(doc: &CourseDoc, releases: &[ReleaseInfo]) -> bool {
    releases
        .first()
        .is_none_or(|r| r.content_hash != crate::content::render::content_hash(doc))
}

fn release_infos(conn: &mut DbConn, course_id: &str) -> ApiResult<Vec<ReleaseInfo>> {
    Ok(q::releases(conn, course_id)?
        .into_iter()
        .map(|(number, content_hash, at, by)| ReleaseInfo {
            number,
            content_hash,
            published_at: at.and_utc(),
            published_by: by,
        })
        .collect())
}

/// The courses `actor` may edit (the same decision as every authoring use case: owner,
/// co-author, platform admin), by slug. 403 for someone who may neither create a course nor
/// edit one.
pub fn my_courses(pool: &DbPool, actor: &AuthUser) -> ApiResult<Vec<CourseSummary>> {
    let mut conn = pool.get()?;
    let mut out = Vec::new();
    for row in q::all(&mut conn)? {
        match access::require_editor(&mut conn, actor, &row) {
            Ok(()) => {}
            Err(e) if e.status == actix_web::http::StatusCode::FORBIDDEN => continue,
            Err(e) => return Err(e),
        }
        let doc = parse_draft(&row)?;
        let releases = release_infos(&mut conn, &row.id)?;
        out.push(CourseSummary {
            unpublished_changes: unpublished(&doc, &releases),
            latest_release: releases.first().map(|r| (r.number, r.published_at)),
            owner: row.owner_id.as_deref() == Some(actor.id.as_str()),
            slug: row.slug,
            title: doc.meta.title,
            title_en: doc.meta.title_en,
            draft_version: row.draft_version,
            updated_at: row.updated_at.and_utc(),
        });
    }
    if out.is_empty() {
        access::require(actor, Action::CreateCourse)?;
    }
    Ok(out)
}

/// A draft as its authors review it before publishing.
pub struct Overview {
    pub draft: Draft,
    /// Every problem that would stop publishing (as `POST /courses/{slug}/publish` lists them).
    pub issues: Vec<Issue>,
    /// Newest first.
    pub releases: Vec<ReleaseInfo>,
    pub unpublished_changes: bool,
}

/// The draft, its problems and its releases, for its authors.
pub fn overview(pool: &DbPool, actor: &AuthUser, slug: &str) -> ApiResult<Overview> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    let draft = draft(&mut conn, slug)?;
    let releases = release_infos(&mut conn, &row.id)?;
    Ok(Overview {
        issues: crate::content::validate::validate(&draft.doc),
        unpublished_changes: unpublished(&draft.doc, &releases),
        releases,
        draft,
    })
}

/// New values for some of the course fields; `cover_image_url` empty removes the cover.
#[derive(Default)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
    pub language: Option<String>,
    pub topic: Option<String>,
    pub level: Option<String>,
    pub groups: Option<Vec<String>>,
    pub competences: Option<Vec<String>>,
    pub estimated_minutes: Option<u32>,
    pub strict_order: Option<bool>,
    pub cover_image_url: Option<String>,
}

/// Changes the draft's course fields.
pub fn update_course(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    b: CoursePatch,
) -> ApiResult<Draft> {
    edit(pool, actor, slug, move |doc| {
        let m = &mut doc.meta;
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *dst = v.clone();
            }
        };
        set(&mut m.title, &b.title);
        set(&mut m.title_en, &b.title_en);
        set(&mut m.summary, &b.summary);
        set(&mut m.summary_en, &b.summary_en);
        set(&mut m.language, &b.language);
        set(&mut m.topic, &b.topic);
        set(&mut m.level, &b.level);
        if let Some(g) = &b.groups {
            m.groups = g.clone();
        }
        if let Some(c) = &b.competences {
            m.competences = c.clone();
        }
        if let Some(n) = b.estimated_minutes {
            m.estimated_minutes = n;
        }
        if let Some(s) = b.strict_order {
            m.strict_order = s;
        }
        if let Some(u) = &b.cover_image_url {
            m.cover_image_url = (!u.is_empty()).then(|| u.clone());
        }
        issues_to_error(meta_issues(doc))
    })
}

/// Deletes a course that was never published (409 `course_published` otherwise).
pub fn delete_course(pool: &DbPool, actor: &AuthUser, slug: &str) -> ApiResult<()> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    if row.latest_release.is_some() {
        return Err(ApiError::of(
            Code::CoursePublished,
            "A published course cannot be deleted; its releases are kept for learners and certificates.",
        ));
    }
    q::delete(&mut conn, &row.id)?;
    Ok(())
}

/// Adds the user `author` as a co-author (422 on `user_id` when there is no such user).
pub fn add_author(pool: &DbPool, actor: &AuthUser, slug: &str, author: &str) -> ApiResult<Draft> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    crate::accounts::find_user(&mut conn, author)
        .map_err(|_| ApiError::field("user_id", "not_found", "No such user."))?;
    q::add_author(&mut conn, &row.id, author)?;
    draft(&mut conn, slug)
}

/// Removes a co-author (404 when they are not one).
pub fn remove_author(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    author: &str,
) -> ApiResult<Draft> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    if q::remove_author(&mut conn, &row.id, author)? == 0 {
        return Err(ApiError::not_found(
            "This user is not a co-author of the course.",
        ));
    }
    draft(&mut conn, slug)
}

/// Validates the whole draft and freezes it as a new numbered release, which the catalogue serves
/// at once; nothing new when the draft equals the latest release.
pub fn publish(
    pool: &DbPool,
    writer: &Writer,
    catalogue: &Catalogue,
    actor: &AuthUser,
    slug: &str,
) -> ApiResult<Published> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    let doc = parse_draft(&row)?;
    drop(conn);
    let by = actor.id.clone();
    let published = writer.transaction(move |conn| super::publish(conn, &row, &doc, Some(&by)))?;
    if published.created {
        catalogue.put(PublishedCourse::build(
            published.course_id.clone(),
            published.content.clone(),
            published.number,
            published.published_at,
        ));
    }
    Ok(published)
}

/// One release of a course, as listed.
pub struct ReleaseInfo {
    pub number: i32,
    pub content_hash: String,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<String>,
}

/// The releases of a course, newest first.
pub fn releases(pool: &DbPool, actor: &AuthUser, slug: &str) -> ApiResult<Vec<ReleaseInfo>> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    release_infos(&mut conn, &row.id)
}

/// One frozen release: its number, when it was published, and its content.
pub fn release(
    pool: &DbPool,
    actor: &AuthUser,
    slug: &str,
    n: i32,
) -> ApiResult<(i32, DateTime<Utc>, ReleaseContent)> {
    let mut conn = pool.get()?;
    let row = editable(&mut conn, actor, slug)?;
    let rel = q::release(&mut conn, &row.id, n)?
        .ok_or_else(|| ApiError::not_found(format!("Course `{slug}` has no release {n}.")))?;
    let content: ReleaseContent = serde_json::from_str(&rel.content).map_err(ApiError::internal)?;
    Ok((rel.number, rel.published_at.and_utc(), content))
}
