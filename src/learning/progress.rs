//! A learner's progress: in a course (every item, strict order), one lesson's event, and the
//! offline batches. A change that finishes a course completes it in the same request.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Completion, CourseStatus, IssuedCertificate, ItemKind, ItemStatus, Learner, Outcome,
    ProgressEvent, Snapshot,
};
use crate::auth::{AuthUser, Caller};
use crate::certs::CertificateKind;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::content::ItemDoc;
use crate::db::{DbConn, DbPool};
use crate::error::{ApiError, ApiResult, Code, FieldError};

/// The most events one offline batch may hold.
pub const MAX_BATCH: usize = 500;

#[derive(Serialize, ToSchema)]
pub struct ItemProgress {
    pub key: String,
    #[schema(value_type = String)]
    pub kind: ItemKind,
    /// `done`, `started` or `not_started`
    #[schema(value_type = String)]
    pub status: ItemStatus,
    pub optional: bool,
    /// Strict order: the item opens when the required items before it are done.
    pub locked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CourseProgress {
    pub course: String,
    pub release: i32,
    /// `not_enrolled`, `in_progress` or `completed`
    #[schema(value_type = String)]
    pub status: CourseStatus,
    pub percent: u32,
    pub strict_order: bool,
    pub items: Vec<ItemProgress>,
    /// Certificates issued by this very request (the course, and programs it completes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates_issued: Vec<IssuedCertificate>,
}

fn course_progress(
    snap: &Snapshot,
    done: &HashSet<String>,
    course: &PublishedCourse,
    issued: Vec<IssuedCertificate>,
) -> CourseProgress {
    let doc = &course.content.doc;
    let started: HashSet<&str> = snap.lessons.iter().map(|(k, _, _)| k.as_str()).collect();
    let locked = super::locked_items(doc, done);
    let status = if issued.iter().any(|c| c.kind == CertificateKind::Course) {
        CourseStatus::Completed
    } else {
        snap.enrollment_status
            .map_or(CourseStatus::NotEnrolled, CourseStatus::from)
    };
    CourseProgress {
        course: doc.slug.clone(),
        release: course.release,
        status,
        percent: super::percent(doc, done),
        strict_order: doc.meta.strict_order,
        items: doc
            .modules
            .iter()
            .flat_map(|m| m.items.iter())
            .map(|i| {
                let (kind, optional) = match i {
                    ItemDoc::Lesson(l) => (ItemKind::Lesson, l.meta.optional),
                    ItemDoc::Quiz(q) => (ItemKind::Quiz, q.spec.optional),
                };
                ItemProgress {
                    key: i.key().to_string(),
                    kind,
                    status: if done.contains(i.key()) {
                        ItemStatus::Done
                    } else if started.contains(i.key()) {
                        ItemStatus::Started
                    } else {
                        ItemStatus::NotStarted
                    },
                    optional,
                    locked: locked.contains(i.key()),
                }
            })
            .collect(),
        certificates_issued: issued,
    }
}

/// The learner's progress in a course after a change: completes the course (and programs) when
/// it is done now, in the same request.
pub fn progress_after_change(
    conn: &mut DbConn,
    completion: &Completion<'_>,
    user_id: &str,
    course: &PublishedCourse,
) -> ApiResult<CourseProgress> {
    let snap = Snapshot::load(conn, user_id, &course.course_id)?;
    let done = snap.done();
    let issued = super::complete(conn, completion, user_id, course, Some(&done))?;
    Ok(course_progress(&snap, &done, course, issued))
}

/// The actor's progress in `course`: every item with its status and whether strict order locks it.
pub fn in_course(
    pool: &DbPool,
    actor: &AuthUser,
    course: &PublishedCourse,
) -> ApiResult<CourseProgress> {
    let mut conn = pool.get()?;
    let snap = Snapshot::load(&mut conn, &actor.id, &course.course_id)?;
    let done = snap.done();
    Ok(course_progress(&snap, &done, course, Vec::new()))
}

/// The error a rejected event answers: 409 `lesson_locked`, else a 422 naming its field.
pub fn outcome_error(outcome: Outcome) -> ApiError {
    match outcome {
        Outcome::Rejected {
            code: "lesson_locked",
            reason,
        } => ApiError::of(Code::LessonLocked, reason),
        Outcome::Rejected { code, reason } => {
            let field = match code {
                "invalid_event_id" => "client_event_id",
                "invalid_status" => "status",
                "invalid_time_spent" => "time_spent_seconds",
                "future_event" => "occurred_at",
                _ => "lesson",
            };
            ApiError::validation(vec![FieldError {
                field: field.into(),
                code: code.into(),
                message: reason,
            }])
        }
        _ => ApiError::internal(anyhow::anyhow!("not an error outcome")),
    }
}

/// Records one progress event on the lesson `key` of `course` (enrolling the learner), and
/// answers their progress. Runs on the writer's connection, which checks the caller first.
pub fn record(
    conn: &mut DbConn,
    completion: &Completion<'_>,
    caller: impl Into<Caller>,
    course: &PublishedCourse,
    key: &str,
    event: &ProgressEvent,
) -> ApiResult<CourseProgress> {
    let user = caller.into().check(conn)?;
    let outcome = super::apply(
        conn,
        completion.clock.now(),
        Learner {
            id: &user.id,
            recorded_by: None,
        },
        &course.course_id,
        &course.content.doc,
        key,
        event,
    )?;
    if let Outcome::Rejected { .. } = outcome {
        return Err(outcome_error(outcome));
    }
    progress_after_change(conn, completion, &user.id, course)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchEvent {
    pub course: String,
    pub lesson: String,
    /// A UUID made by the device (else the event is rejected).
    pub client_event_id: String,
    /// `started` or `completed` (else the event is rejected).
    pub status: String,
    /// 0–86400 (else the event is rejected).
    #[serde(default)]
    pub time_spent_seconds: i64,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub client_event_id: String,
    /// `applied`, `duplicate` or `rejected`
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    /// One result per event, in the order sent.
    pub results: Vec<BatchResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates_issued: Vec<IssuedCertificate>,
}

fn batch_result(client_event_id: String, outcome: Outcome) -> BatchResult {
    let (outcome, code, reason) = match outcome {
        Outcome::Applied => ("applied", None, None),
        Outcome::Duplicate => ("duplicate", None, None),
        Outcome::Rejected { code, reason } => ("rejected", Some(code), Some(reason)),
    };
    BatchResult {
        client_event_id,
        outcome,
        code,
        reason,
    }
}

/// Applies events recorded offline in the order they happened, each once by its client event
/// id (a rejected event never blocks the others), then completes the courses they touched.
/// Runs on the writer's connection.
pub fn batch(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    completion: &Completion<'_>,
    actor: &AuthUser,
    events: Vec<BatchEvent>,
) -> ApiResult<BatchResponse> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|i| events[*i].occurred_at);
    let mut results: Vec<Option<BatchResult>> = (0..events.len()).map(|_| None).collect();
    let mut touched: Vec<String> = Vec::new();
    let now = completion.clock.now();
    for i in order {
        let e = &events[i];
        let outcome = match catalogue.get(&e.course) {
            None => Outcome::Rejected {
                code: "unknown_course",
                reason: format!("no published course `{}`", e.course),
            },
            Some(course) => {
                let event = ProgressEvent {
                    client_event_id: e.client_event_id.clone(),
                    status: e.status.clone(),
                    time_spent_seconds: e.time_spent_seconds,
                    occurred_at: e.occurred_at,
                };
                let o = super::apply(
                    conn,
                    now,
                    Learner {
                        id: &actor.id,
                        recorded_by: None,
                    },
                    &course.course_id,
                    &course.content.doc,
                    &e.lesson,
                    &event,
                )?;
                if o == Outcome::Applied && !touched.contains(&e.course) {
                    touched.push(e.course.clone());
                }
                o
            }
        };
        results[i] = Some(batch_result(e.client_event_id.clone(), outcome));
    }
    let mut issued = Vec::new();
    for slug in touched {
        if let Some(course) = catalogue.get(&slug) {
            issued.extend(super::complete(conn, completion, &actor.id, &course, None)?);
        }
    }
    Ok(BatchResponse {
        results: results.into_iter().flatten().collect(),
        certificates_issued: issued,
    })
}
