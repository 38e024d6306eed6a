//! The staff pages of the community digital teams (Tổ công nghệ số cộng đồng): the residents of
//! their villages, registering one (and printing their login card), following one (enrol,
//! record an in-person lesson, a reset code, the profile), who needs help, the questions their
//! learners find hardest, and (admins of the area) residents imported from a CSV file. They call
//! the use cases of `community::residents`, `community::households`, `community::help` and
//! `community::imports`, the same as `/api/v1/facilitator/*` and
//! `/api/v1/admin/imports/residents`, with the same access decisions: what the API refuses (403 for
//! someone who is no facilitator, 404 for a resident elsewhere) is this site's 404 here.
//!
//! One module a page group: `residents` (the list), `register` (a new resident and the login
//! cards), `resident` (one resident and the page's forms), `help` (who needs help, the hardest
//! questions) and `import` (the CSV upload); this one holds the routes and what they share.

mod help;
mod import;
mod register;
mod resident;
mod residents;

use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::{web, HttpResponse};

use super::{pick, Ctx, PageError};
use crate::auth::AuthUser;
use crate::community::residents::CourseProgress;
use crate::community::{EID_STATUSES, GENDERS};
use crate::content::GROUPS;
use crate::i18n::pages::Texts;
use crate::i18n::Lang;

use help::{help_page, questions_page};
use import::{import_page, import_post};
use register::{another, new_resident_page, register};
use resident::{
    cancel_erasure, correct_profile, enrol, record_lesson, request_erasure, reset_code,
    resident_page,
};
use residents::residents_page;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff", web::get().to(staff_home))
        .route("/staff/residents", web::get().to(residents_page))
        .route("/staff/residents/new", web::get().to(new_resident_page))
        .route("/staff/residents/new", web::post().to(register))
        .route("/staff/residents/another", web::post().to(another))
        .route("/staff/residents/{id}", web::get().to(resident_page))
        .route("/staff/residents/{id}/enrol", web::post().to(enrol))
        .route(
            "/staff/residents/{id}/lesson",
            web::post().to(record_lesson),
        )
        .route(
            "/staff/residents/{id}/reset-code",
            web::post().to(reset_code),
        )
        .route(
            "/staff/residents/{id}/profile",
            web::post().to(correct_profile),
        )
        .route(
            "/staff/residents/{id}/erasure",
            web::post().to(request_erasure),
        )
        .route(
            "/staff/residents/{id}/erasure/cancel",
            web::post().to(cancel_erasure),
        )
        .route("/staff/help", web::get().to(help_page))
        .route("/staff/questions", web::get().to(questions_page))
        .route("/staff/import", web::get().to(import_page))
        .route("/staff/import", web::post().to(import_post));
}

/// The signed-in user (else the login page, then back here).
async fn staff_user(ctx: &Ctx) -> Result<AuthUser, PageError> {
    ctx.user().await
}

async fn staff_home(ctx: Ctx) -> Result<HttpResponse, PageError> {
    staff_user(&ctx).await?;
    Ok(ctx.see_other("/staff/residents"))
}

/// The answer kept by no cache (it holds a PIN, a reset code or the cards of a sheet).
fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn eid_name(t: &Texts, v: &str) -> &'static str {
    match v {
        "level1" => t.eid_level1,
        "level2" => t.eid_level2,
        _ => t.eid_none,
    }
}

fn gender_name(t: &Texts, v: &str) -> &'static str {
    match v {
        "female" => t.gender_female,
        "male" => t.gender_male,
        "other" => t.gender_other,
        _ => "",
    }
}

/// One option of a select.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opts(values: &[&str], name: impl Fn(&str) -> String, chosen: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt {
            value: v.to_string(),
            label: name(v),
            selected: *v == chosen,
        })
        .collect()
}

/// The choices of the profile fields both forms ask for (`staff_profile_fields.html`).
struct ProfileOptions {
    genders: Vec<Opt>,
    groups: Vec<Opt>,
    eids: Vec<Opt>,
}

impl ProfileOptions {
    fn new(t: &Texts, gender: &str, group: &str, eid: &str) -> Self {
        ProfileOptions {
            genders: opts(GENDERS, |g| gender_name(t, g).to_string(), gender),
            groups: opts(GROUPS, |g| t.group_name(g).to_string(), group),
            eids: opts(EID_STATUSES, |e| eid_name(t, e).to_string(), eid),
        }
    }
}

/// A course joined, with how far the resident is.
struct CourseView {
    title: String,
    percent: u32,
    completed: bool,
}

fn course_views(lang: Lang, courses: &[CourseProgress]) -> Vec<CourseView> {
    courses
        .iter()
        .map(|c| CourseView {
            title: pick(lang, &c.title, &c.title_en).to_string(),
            percent: c.percent,
            completed: c.completed,
        })
        .collect()
}
