//! Enrolment, lesson progress (single and offline batches), course progress, programs.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Json;
use crate::access::{self, Action};
use crate::auth::{AuthUser, TokenUser};
use crate::content::catalogue::PublishedCourse;
use crate::content::files::ProgramDoc;
use crate::content::{is_valid_key, ItemDoc, GROUPS};
use crate::courses::{self, course_not_found};
use crate::db::courses as q_courses;
use crate::db::learning as q;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::learning::{self, IssuedCertificate, Learner, Outcome, ProgressEvent};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

pub const MAX_BATCH: usize = 500;

fn published(state: &AppState, slug: &str) -> ApiResult<Arc<PublishedCourse>> {
    state
        .catalogue
        .get(slug)
        .ok_or_else(|| course_not_found(slug))
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentResponse {
    pub course: String,
    pub title: String,
    /// `in_progress` or `completed`
    pub status: String,
    /// Share of required lessons and quizzes done, 0–100.
    pub percent: u32,
    pub enrolled_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

fn enrollment_view(
    conn: &mut crate::db::DbConn,
    e: &q::Enrollment,
    course: &PublishedCourse,
) -> ApiResult<EnrollmentResponse> {
    let done = learning::done_items(conn, &e.user_id, &e.course_id)?;
    Ok(EnrollmentResponse {
        course: course.card.slug.clone(),
        title: course.card.title.clone(),
        status: e.status.clone(),
        percent: learning::percent(&course.content.doc, &done),
        enrolled_at: e.enrolled_at.and_utc(),
        last_activity_at: e.last_activity_at.and_utc(),
        completed_at: e.completed_at.map(|d| d.and_utc()),
    })
}

/// Join a course (idempotent).
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 201, body = EnrollmentResponse),
    (status = 200, description = "Already enrolled", body = EnrollmentResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`course_not_published`: a draft not published yet", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/enrollment")]
pub async fn enroll(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    let Some(course) = state.catalogue.get(&slug) else {
        let pool = state.pool.clone();
        let s = slug.clone();
        let draft =
            run_blocking(move || Ok(q_courses::find_by_slug(&mut *pool.get()?, &s)?)).await?;
        return Err(match draft {
            Some(_) => ApiError::conflict(
                "course_not_published",
                format!("Course `{slug}` is not published yet."),
            ),
            None => course_not_found(&slug),
        });
    };
    let st = state.clone();
    let (created, view) = run_writing(&state, move |conn| {
        let row = courses::find(conn, &slug)?;
        let created = q::ensure_enrollment(conn, &user.id, &row.id, st.clock.now())?;
        let e = q::enrollment(conn, &user.id, &row.id)?
            .ok_or_else(|| ApiError::not_found("enrolment vanished"))?;
        Ok((created, enrollment_view(conn, &e, &course)?))
    })
    .await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(view))
}

/// Leave a course. Lesson progress is kept, so joining again continues where the learner was.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 204),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/enrollment")]
pub async fn leave(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    run_writing(&state, move |conn| {
        let row = courses::find(conn, &slug)?;
        crate::db::transaction::<_, ApiError, _>(conn, |conn| {
            q::leave(conn, &user.id, &row.id)?;
            crate::reports::learner_changed(conn, &user.id, crate::reports::LearnerChange::Activity)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// My courses with percentage done, last activity and status.
#[utoipa::path(tag = "learning", security(("bearer" = [])), responses((status = 200, body = Vec<EnrollmentResponse>)))]
#[get("/me/enrollments")]
pub async fn my_enrollments(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<EnrollmentResponse>>> {
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let mut out = Vec::new();
            for (e, slug) in q::enrollments_of(&mut conn, &user.id)? {
                if let Some(course) = st.catalogue.get(&slug) {
                    out.push(enrollment_view(&mut conn, &e, &course)?);
                }
            }
            Ok(out)
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ItemProgress {
    pub key: String,
    pub kind: &'static str,
    /// `done`, `started` or `not_started`
    pub status: &'static str,
    pub optional: bool,
    /// Strict order: the item opens when the required items before it are done.
    pub locked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CourseProgress {
    pub course: String,
    pub release: i32,
    /// `not_enrolled`, `in_progress` or `completed`
    pub status: String,
    pub percent: u32,
    pub strict_order: bool,
    pub items: Vec<ItemProgress>,
    /// Certificates issued by this very request (the course, and programs it completes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates_issued: Vec<IssuedCertificate>,
}

fn course_progress(
    snap: &learning::Snapshot,
    done: &HashSet<String>,
    course: &PublishedCourse,
    issued: Vec<IssuedCertificate>,
) -> CourseProgress {
    let doc = &course.content.doc;
    let started: HashSet<&str> = snap.lessons.iter().map(|(k, _, _)| k.as_str()).collect();
    let locked = learning::locked_items(doc, done);
    let status = if issued.iter().any(|c| c.kind == "course") {
        "completed".to_string()
    } else {
        snap.enrollment_status
            .clone()
            .unwrap_or_else(|| "not_enrolled".to_string())
    };
    CourseProgress {
        course: doc.slug.clone(),
        release: course.release,
        status,
        percent: learning::percent(doc, done),
        strict_order: doc.meta.strict_order,
        items: doc
            .modules
            .iter()
            .flat_map(|m| m.items.iter())
            .map(|i| {
                let (kind, optional) = match i {
                    ItemDoc::Lesson(l) => ("lesson", l.meta.optional),
                    ItemDoc::Quiz(q) => ("quiz", q.spec.optional),
                };
                ItemProgress {
                    key: i.key().to_string(),
                    kind,
                    status: if done.contains(i.key()) {
                        "done"
                    } else if started.contains(i.key()) {
                        "started"
                    } else {
                        "not_started"
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
fn progress_after_change(
    conn: &mut crate::db::DbConn,
    state: &AppState,
    user_id: &str,
    course: &PublishedCourse,
) -> ApiResult<CourseProgress> {
    let snap = learning::Snapshot::load(conn, user_id, &course.course_id)?;
    let done = snap.done();
    let issued = learning::complete(conn, &state.completion(), user_id, course, Some(&done))?;
    Ok(course_progress(&snap, &done, course, issued))
}

/// My progress in a course: every item with its status and whether strict order locks it.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = CourseProgress),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/courses/{slug}/progress")]
pub async fn my_course_progress(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<CourseProgress>> {
    let slug = path.into_inner();
    let course = published(&state, &slug)?;
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let snap = learning::Snapshot::load(&mut conn, &user.id, &course.course_id)?;
            let done = snap.done();
            Ok(course_progress(&snap, &done, &course, Vec::new()))
        })
        .await?,
    ))
}

fn outcome_error(outcome: Outcome) -> ApiError {
    match outcome {
        Outcome::Rejected {
            code: "lesson_locked",
            reason,
        } => ApiError::conflict("lesson_locked", reason),
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

/// Record progress on a lesson. Idempotent by `client_event_id`; a completed lesson never goes
/// back. Progress in a course the learner has not joined enrols them.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), request_body = ProgressEvent, responses(
    (status = 200, body = CourseProgress),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`lesson_locked`: strict order, earlier items not done", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/me/courses/{slug}/lessons/{key}/progress")]
pub async fn put_progress(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<(String, String)>,
    body: Json<ProgressEvent>,
) -> ApiResult<web::Json<CourseProgress>> {
    let (slug, key) = path.into_inner();
    let course = published(&state, &slug)?;
    let event = body.0;
    let st = state.clone();
    Ok(web::Json(
        run_writing(&state, move |conn| {
            let user = token.check(conn)?;
            let outcome = learning::apply(
                conn,
                st.clock.now(),
                Learner {
                    id: &user.id,
                    recorded_by: None,
                },
                &course.course_id,
                &course.content.doc,
                &key,
                &event,
            )?;
            if let Outcome::Rejected { .. } = outcome {
                return Err(outcome_error(outcome));
            }
            progress_after_change(conn, &st, &user.id, &course)
        })
        .await?,
    ))
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// At most 500 events, in any order (more → 413).
    pub events: Vec<BatchEvent>,
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

/// Upload events recorded while offline (up to 500, any order). Each is applied once by its
/// client event id; a rejected event never blocks the others. Events are applied in the order
/// they happened.
#[utoipa::path(tag = "learning", security(("bearer" = [])), request_body = BatchRequest, responses(
    (status = 200, body = BatchResponse),
    (status = 413, description = "More than 500 events", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/progress/batch")]
pub async fn progress_batch(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<BatchRequest>,
) -> ApiResult<web::Json<BatchResponse>> {
    let events = body.0.events;
    if events.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "A batch holds at most {MAX_BATCH} events; this one has {}.",
                events.len()
            ),
        ));
    }
    let st = state.clone();
    Ok(web::Json(
        run_writing(&state, move |conn| {
            let mut order: Vec<usize> = (0..events.len()).collect();
            order.sort_by_key(|i| events[*i].occurred_at);
            let mut results: Vec<Option<BatchResult>> = (0..events.len()).map(|_| None).collect();
            let mut touched: Vec<String> = Vec::new();
            let now = st.clock.now();
            for i in order {
                let e = &events[i];
                let outcome = match st.catalogue.get(&e.course) {
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
                        let o = learning::apply(
                            conn,
                            now,
                            Learner {
                                id: &user.id,
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
                results[i] = Some(match outcome {
                    Outcome::Applied => BatchResult {
                        client_event_id: e.client_event_id.clone(),
                        outcome: "applied",
                        code: None,
                        reason: None,
                    },
                    Outcome::Duplicate => BatchResult {
                        client_event_id: e.client_event_id.clone(),
                        outcome: "duplicate",
                        code: None,
                        reason: None,
                    },
                    Outcome::Rejected { code, reason } => BatchResult {
                        client_event_id: e.client_event_id.clone(),
                        outcome: "rejected",
                        code: Some(code),
                        reason: Some(reason),
                    },
                });
            }
            let mut issued = Vec::new();
            for slug in touched {
                if let Some(course) = st.catalogue.get(&slug) {
                    issued.extend(learning::complete(
                        conn,
                        &st.completion(),
                        &user.id,
                        &course,
                        None,
                    )?);
                }
            }
            Ok(BatchResponse {
                results: results.into_iter().flatten().collect(),
                certificates_issued: issued,
            })
        })
        .await?,
    ))
}

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

/// Programs (learning paths).
#[utoipa::path(tag = "learning", responses((status = 200, body = Vec<ProgramResponse>)))]
#[get("/programs")]
pub async fn list_programs(
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<ProgramResponse>>> {
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            Ok(q::all_programs(&mut *pool.get()?)?
                .into_iter()
                .map(program_view)
                .collect())
        })
        .await?,
    ))
}

/// One program.
#[utoipa::path(tag = "learning", params(("slug" = String, Path)), responses(
    (status = 200, body = ProgramResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/programs/{slug}")]
pub async fn get_program(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<ProgramResponse>> {
    let pool = state.pool.clone();
    let slug = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            q::program(&mut *pool.get()?, &slug)?
                .map(program_view)
                .ok_or_else(|| ApiError::not_found(format!("No program `{slug}`.")))
        })
        .await?,
    ))
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

/// Programs with my progress: courses completed and the program certificate.
#[utoipa::path(tag = "learning", security(("bearer" = [])), responses((status = 200, body = Vec<MyProgram>)))]
#[get("/me/programs")]
pub async fn my_programs(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<MyProgram>>> {
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let completed: HashSet<String> = q::completed_slugs(&mut conn, &user.id)?
                .into_iter()
                .collect();
            let certs = q::certificates_of(&mut conn, &user.id)?;
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
        })
        .await?,
    ))
}

/// Create or replace a program (platform admins).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("slug" = String, Path, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)), request_body = ProgramDoc, responses(
    (status = 200, body = ProgramResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "A course of the program is not published", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/programs/{slug}")]
pub async fn put_program(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<ProgramDoc>,
) -> ApiResult<web::Json<ProgramResponse>> {
    access::require(&user, Action::RunPlatform)?;
    let slug = path.into_inner();
    let p = body.0;
    let mut errors = Vec::new();
    if !is_valid_key(&slug) {
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
    let unknown: Vec<&str> = p
        .courses
        .iter()
        .filter(|c| state.catalogue.get(c).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::not_found(format!(
            "No published course `{}`.",
            unknown.join("`, `")
        )));
    }
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            courses::save_program(&mut conn, &slug, &p)?;
            Ok(program_view(
                q::program(&mut conn, &slug)?
                    .ok_or_else(|| ApiError::not_found("program vanished"))?,
            ))
        })
        .await?,
    ))
}
