//! One resident: their progress and audit trail, and the page's forms (enrol them in a course,
//! record a lesson done in person, give a reset code, correct the profile).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::{field_errors, is_validation, message_of, Chrome, Ctx, Errors, Form, PageError};
use super::{course_views, eid_name, no_store, pick, staff_user, CourseView, Opt, ProfileOptions};
use crate::auth::AuthUser;
use crate::community::profiles::ProfileChanges;
use crate::community::residents::{self, RecordedProgress};
use crate::community::Db;
use crate::content::catalogue::Filter;
use crate::courses::catalogue;
use crate::error::ApiError;
use crate::i18n::pages::Texts;
use crate::learning::{LessonStatus, ProgressEvent};
use crate::privacy::erasure::{self, StaffRequest};
use crate::telemetry::{run_blocking, run_writing};

/// What the handlers of this page answer: the page, a redirect back to it, or an error page.
type Answer = Result<HttpResponse, PageError>;

struct LessonGroup {
    label: String,
    lessons: Vec<Opt>,
}

struct AuditView {
    action: String,
    at: String,
}

#[derive(Template)]
#[template(path = "staff_resident.html")]
struct ResidentPage {
    c: Chrome,
    id: String,
    name: String,
    eid: &'static str,
    household: String,
    birth_year: String,
    courses: Vec<CourseView>,
    enrol_options: Vec<Opt>,
    lesson_groups: Vec<LessonGroup>,
    profile: ProfileOptions,
    households: Vec<Opt>,
    errs: Errors,
    flash: String,
    error: String,
    reset_code: String,
    reset_until: String,
    /// `None`: the audit is for admins of the area only.
    audit: Option<Vec<AuditView>>,
    /// An erasure of the resident's data waiting for its day, if any.
    erasure: Option<ErasurePending>,
    /// Days between an erasure request and the erasure (`erasure_grace_days`).
    grace_days: i64,
    /// What was typed in the erasure form (given again when it is refused).
    erasure_reason: String,
    erasure_doc: String,
}

/// An erasure request waiting, as the resident's page shows it.
struct ErasurePending {
    due: String,
    document_ref: String,
}

#[derive(Default)]
struct Outcome {
    errs: Errors,
    flash: String,
    error: String,
    reset: Option<(String, String)>,
    /// The erasure form as it was sent (reason, document reference), when refused.
    erasure_typed: Option<(String, String)>,
}

pub(super) async fn resident_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let user = staff_user(&ctx).await?;
    let flash = match ctx.here.split_once("?done=") {
        Some((_, what)) => match what {
            "enrol" => ctx.t().staff_enrolled.to_string(),
            "lesson" => ctx.t().staff_lesson_recorded.to_string(),
            "profile" => ctx.t().staff_profile_saved.to_string(),
            "erasure" => ctx.t().staff_erasure_asked.to_string(),
            "erasure_cancelled" => ctx.t().staff_erasure_cancelled.to_string(),
            _ => String::new(),
        },
        None => String::new(),
    };
    let page = resident_view(
        &ctx,
        &user,
        path.into_inner(),
        Outcome {
            flash,
            ..Outcome::default()
        },
    )
    .await?;
    ctx.ok(&page)
}

async fn resident_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    out: Outcome,
) -> Result<ResidentPage, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    let grace_days = ctx.state.settings.erasure_grace_days;
    let (o, villages, audit, pending) = run_blocking(move || {
        let db = Db::of(&st);
        let o = residents::overview_of(&db, &st.catalogue, &actor, &rid)?;
        let villages = residents::my_village_list(&db, &actor).unwrap_or_default();
        let audit = residents::audit_trail(&db, &actor, &rid).ok();
        let pending =
            erasure::resident_erasure(&mut *st.pool.get()?, &actor, &rid, grace_days)?.pending;
        Ok((o, villages, audit, pending))
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    let households: Vec<_> = villages
        .into_iter()
        .filter(|m| Some(&m.village.id) == o.profile.village_id.as_ref())
        .flat_map(|m| m.households)
        .collect();
    let household = households
        .iter()
        .find(|h| Some(&h.id) == o.profile.household_id.as_ref())
        .map(|h| h.label.clone())
        .unwrap_or_default();
    let cards = catalogue::search(&ctx.state.catalogue, Filter::default(), 0, 100)
        .map(|p| p.items)
        .unwrap_or_default();
    let joined: Vec<&str> = o.courses.iter().map(|c| c.slug.as_str()).collect();
    let enrol_options = cards
        .iter()
        .filter(|c| !joined.contains(&c.slug.as_str()))
        .map(|c| Opt {
            value: c.slug.clone(),
            label: pick(lang, &c.title, &c.title_en).to_string(),
            selected: false,
        })
        .collect();
    let lesson_groups = o
        .courses
        .iter()
        .filter_map(|c| {
            let course = ctx.state.catalogue.get(&c.slug)?;
            Some(LessonGroup {
                label: pick(lang, &c.title, &c.title_en).to_string(),
                lessons: course
                    .content
                    .doc
                    .lessons()
                    .map(|l| Opt {
                        value: format!("{}/{}", c.slug, l.key),
                        label: pick(lang, &l.meta.title, &l.meta.title_en).to_string(),
                        selected: false,
                    })
                    .collect(),
            })
        })
        .collect();
    let (reset_code, reset_until) = out.reset.unwrap_or_default();
    let (erasure_reason, erasure_doc) = out.erasure_typed.unwrap_or_default();
    Ok(ResidentPage {
        c: ctx.chrome(o.resident.display_name.clone(), true),
        id,
        name: o.resident.display_name.clone(),
        eid: eid_name(t, &o.profile.eid_status),
        household,
        birth_year: o
            .profile
            .birth_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        courses: course_views(lang, &o.courses),
        enrol_options,
        lesson_groups,
        profile: ProfileOptions::new(
            t,
            o.profile.gender.as_deref().unwrap_or(""),
            &o.profile.learner_group,
            &o.profile.eid_status,
        ),
        households: households
            .iter()
            .map(|h| Opt {
                value: h.id.clone(),
                label: h.label.clone(),
                selected: Some(&h.id) == o.profile.household_id.as_ref(),
            })
            .collect(),
        errs: out.errs,
        flash: out.flash,
        error: out.error,
        reset_code,
        reset_until,
        audit: audit.map(|rows| {
            rows.into_iter()
                .map(|(action, _, _, at)| AuditView {
                    action: audit_name(t, &action).to_string(),
                    at: super::super::clock(at.and_utc()),
                })
                .collect()
        }),
        erasure: pending.map(|p| ErasurePending {
            due: super::super::day(lang, p.due_at),
            document_ref: p.document_ref.unwrap_or_default(),
        }),
        grace_days,
        erasure_reason,
        erasure_doc,
    })
}

fn audit_name(t: &Texts, action: &str) -> String {
    match action {
        "resident.register" => t.audit_register.to_string(),
        "resident.enroll" => t.audit_enroll.to_string(),
        "resident.progress" => t.audit_progress.to_string(),
        "resident.password_reset" => t.audit_reset.to_string(),
        "resident.profile" => t.audit_profile.to_string(),
        "erasure_requested" => t.audit_erasure_requested.to_string(),
        "erasure_cancelled" => t.audit_erasure_cancelled.to_string(),
        "privacy.choices" => t.audit_privacy_choices.to_string(),
        other => other.to_string(),
    }
}

/// A form of the resident page refused: the page again, with the error beside its field.
async fn refused_form(ctx: &Ctx, user: &AuthUser, id: String, field: &str, e: ApiError) -> Answer {
    let lang = ctx.lang;
    let e = PageError::on_form(lang, e)?;
    let mut out = Outcome::default();
    if is_validation(&e) {
        for (f, m) in field_errors(lang, &e) {
            out.errs.push(if f == "event" { field } else { &f }, m);
        }
    } else {
        out.errs.push(field, message_of(lang, &e));
    }
    let page = resident_view(ctx, user, id, out).await?;
    ctx.render(e.status, &page)
}

/// A form of the resident page sent: back to the page, saying what was `done` (`?done=…`), or
/// the page again with the refusal beside `field`.
async fn form_done(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    done: &str,
    field: &str,
    result: Result<(), ApiError>,
) -> Answer {
    match result {
        Ok(()) => Ok(ctx.see_other(&format!("/staff/residents/{id}?done={done}"))),
        Err(e) => refused_form(ctx, user, id, field, e).await,
    }
}

pub(super) async fn enrol(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let slug = form.text("course");
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    let result = run_blocking(move || {
        residents::enroll(&Db::of(&st), &st.catalogue, &st.clock, &actor, rid, slug)
    })
    .await;
    form_done(ctx, &user, id, "enrol", "course", result).await
}

pub(super) async fn record_lesson(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let chosen = form.text("lesson");
    let Some((slug, key)) = chosen.split_once('/') else {
        let e = ApiError::field("lesson", "required", "choose a lesson");
        return refused_form(ctx, &user, id, "lesson", e).await;
    };
    let course = match crate::courses::published(&ctx.state.catalogue, slug) {
        Ok(c) => c,
        Err(e) => return refused_form(ctx, &user, id, "lesson", e).await,
    };
    let r = RecordedProgress {
        resident_id: id.clone(),
        course,
        slug: slug.to_string(),
        lesson_key: key.to_string(),
        event: ProgressEvent {
            client_event_id: uuid::Uuid::new_v4().to_string(),
            status: LessonStatus::Completed.as_str().into(),
            time_spent_seconds: 0,
            occurred_at: ctx.state.clock.now().and_utc(),
        },
    };
    let (st, actor) = (ctx.state.clone(), user.clone());
    let result = run_writing(&ctx.state.clone(), move |conn| {
        residents::record_progress(conn, &st.completion(), &actor, r)
    })
    .await;
    form_done(ctx, &user, id, "lesson", "lesson", result).await
}

pub(super) async fn reset_code(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    match run_blocking(move || residents::reset_code(&Db::of(&st), &actor, rid)).await {
        Ok(r) => {
            let out = Outcome {
                reset: Some((r.code, super::super::clock(r.expires_at.and_utc()))),
                ..Outcome::default()
            };
            let page = resident_view(ctx, &user, id, out).await?;
            Ok(no_store(ctx.ok(&page)?))
        }
        Err(e) => refused_form(ctx, &user, id, "reset", e).await,
    }
}

pub(super) async fn correct_profile(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let t = ctx.t();
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let by = form.text("birth_year");
    let birth_year = match by.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                let mut out = Outcome::default();
                out.errs.push("birth_year", t.err_birth_year);
                let page = resident_view(ctx, &user, id, out).await?;
                return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        },
    };
    let nonempty = |n: &str| Some(form.text(n)).filter(|s| !s.is_empty());
    let ch = ProfileChanges {
        birth_year,
        gender: nonempty("gender"),
        learner_group: nonempty("learner_group"),
        eid_status: nonempty("eid_status"),
        household_id: nonempty("household"),
    };
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    let result = run_blocking(move || residents::update_profile(&Db::of(&st), &actor, rid, ch))
        .await
        .map(|_| ());
    form_done(ctx, &user, id, "profile", "household", result).await
}

/// Asks for the erasure of the resident's data on their written request (the same use case as
/// `POST /api/v1/facilitator/residents/{id}/erasure`): a reason, the request's reference, and
/// the confirmation ticked; refused, the page again with the error beside its field.
pub(super) async fn request_erasure(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let t = ctx.t();
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let input = StaffRequest {
        reason: form.text("reason"),
        document_ref: form.text("document_ref"),
    };
    let typed = (input.reason.clone(), input.document_ref.clone());
    let refused = |errs: Errors| Outcome {
        errs,
        erasure_typed: Some(typed.clone()),
        ..Outcome::default()
    };
    if form.get("confirm") != Some("yes") {
        let mut errs = Errors::default();
        // The fields' own errors too, so that everything is said at once.
        if let Err(e) = input.clone().checked() {
            for (f, m) in field_errors(ctx.lang, &e) {
                errs.push(&f, m);
            }
        }
        errs.push("confirm", t.staff_erasure_confirm_required);
        let page = resident_view(ctx, &user, id, refused(errs)).await?;
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (now, grace) = (ctx.state.clock.now(), ctx.state.settings.erasure_grace_days);
    let (actor, rid) = (user.clone(), id.clone());
    let result = run_writing(&ctx.state, move |conn| {
        erasure::request_for_resident(conn, &actor, &rid, input, now, grace)
    })
    .await;
    match result {
        Ok(_) => Ok(ctx.see_other(&format!("/staff/residents/{id}?done=erasure"))),
        Err(e) if is_validation(&e) => {
            let mut errs = Errors::default();
            for (f, m) in field_errors(ctx.lang, &e) {
                errs.push(&f, m);
            }
            let page = resident_view(ctx, &user, id, refused(errs)).await?;
            ctx.render(e.status, &page)
        }
        Err(e) => refused_form(ctx, &user, id, "erasure", e).await,
    }
}

/// Cancels the erasure waiting (the same use case as `DELETE
/// /api/v1/facilitator/residents/{id}/erasure`); none waiting: the page says so.
pub(super) async fn cancel_erasure(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let (now, grace) = (ctx.state.clock.now(), ctx.state.settings.erasure_grace_days);
    let (actor, rid) = (user.clone(), id.clone());
    let result = run_writing(&ctx.state, move |conn| {
        erasure::cancel_for_resident(conn, &actor, &rid, now, grace)
    })
    .await
    .map(|_| ());
    form_done(ctx, &user, id, "erasure_cancelled", "erasure", result).await
}
