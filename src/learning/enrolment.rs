//! Joining and leaving a course, and a learner's courses.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::courses::{self, course_not_found};
use crate::db::courses as q_courses;
use crate::db::learning as q;
use crate::db::{DbConn, DbPool};
use crate::error::{ApiError, ApiResult, Code};

#[derive(Serialize, ToSchema)]
pub struct EnrollmentResponse {
    pub course: String,
    pub title: String,
    /// `in_progress` or `completed`
    #[schema(value_type = String)]
    pub status: super::EnrollmentStatus,
    /// Share of required lessons and quizzes done, 0–100.
    pub percent: u32,
    pub enrolled_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

fn enrollment_view(
    conn: &mut DbConn,
    e: &q::Enrollment,
    course: &PublishedCourse,
) -> ApiResult<EnrollmentResponse> {
    let done = super::done_items(conn, &e.user_id, &e.course_id)?;
    Ok(EnrollmentResponse {
        course: course.card.slug.clone(),
        title: course.card.title.clone(),
        status: e.status,
        percent: super::percent(&course.content.doc, &done),
        enrolled_at: e.enrolled_at.and_utc(),
        last_activity_at: e.last_activity_at.and_utc(),
        completed_at: e.completed_at.map(|d| d.and_utc()),
    })
}

/// Why `slug`, which the catalogue does not serve, cannot be joined: 409
/// `course_not_published` for a draft, else 404.
pub fn not_served(pool: &DbPool, slug: &str) -> ApiResult<ApiError> {
    Ok(match q_courses::find_by_slug(&mut *pool.get()?, slug)? {
        Some(_) => ApiError::of(
            Code::CourseNotPublished,
            format!("Course `{slug}` is not published yet."),
        ),
        None => course_not_found(slug),
    })
}

/// Enrols the actor in `course` (idempotent; `true` when new). Runs on the writer's connection.
pub fn enroll(
    conn: &mut DbConn,
    clock: &crate::clock::Clock,
    actor: &AuthUser,
    course: &PublishedCourse,
    slug: &str,
) -> ApiResult<(bool, EnrollmentResponse)> {
    let row = courses::find(conn, slug)?;
    let created = q::ensure_enrollment(conn, &actor.id, &row.id, clock.now())?;
    let e = q::enrollment(conn, &actor.id, &row.id)?
        .ok_or_else(|| ApiError::not_found("enrolment vanished"))?;
    Ok((created, enrollment_view(conn, &e, course)?))
}

/// Leaves a course; lesson progress is kept. Runs on the writer's connection.
pub fn leave(conn: &mut DbConn, actor: &AuthUser, slug: &str) -> ApiResult<()> {
    let row = courses::find(conn, slug)?;
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        q::leave(conn, &actor.id, &row.id)?;
        crate::reports::learner_changed(conn, &actor.id, crate::reports::LearnerChange::Activity)
    })
}

/// The actor's courses (those the catalogue serves) with percentage done and status.
pub fn mine(
    pool: &DbPool,
    catalogue: &Catalogue,
    actor: &AuthUser,
) -> ApiResult<Vec<EnrollmentResponse>> {
    let mut conn = pool.get()?;
    let mut out = Vec::new();
    for (e, slug) in q::enrollments_of(&mut conn, &actor.id)? {
        if let Some(course) = catalogue.get(&slug) {
            out.push(enrollment_view(&mut conn, &e, &course)?);
        }
    }
    Ok(out)
}
