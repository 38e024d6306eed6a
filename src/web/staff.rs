//! The staff pages of the community digital teams (Tổ công nghệ số cộng đồng): the residents of
//! their villages, registering one (and printing their login card), following one (enrol,
//! record an in-person lesson, a reset code, the profile), who needs help, the questions their
//! learners find hardest, and (admins of the area) residents imported from a CSV file. They call
//! the use cases of `community::residents`, `community::households`, `community::help` and
//! `community::imports`, the same as `/api/v1/facilitator/*` and
//! `/api/v1/admin/imports/residents`, with the same access decisions: what the API refuses (403 for
//! someone who is no facilitator, 404 for a resident elsewhere) is this site's 404 here.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{field_errors, is_validation, message_of, Chrome, Ctx, Errors, Form, PageError};
use crate::auth::AuthUser;
use crate::community::households::{self, NewHousehold};
use crate::community::imports;
use crate::community::profiles::ProfileChanges;
use crate::community::residents::{self, NewResident, RecordedProgress, ResidentOverview};
use crate::community::{help, Db, EID_STATUSES, GENDERS};
use crate::content::catalogue::Filter;
use crate::content::{fold, GROUPS};
use crate::courses::catalogue;
use crate::error::{ApiError, Code};
use crate::i18n::pages::Texts;
use crate::i18n::Lang;
use crate::learning::{LessonStatus, ProgressEvent};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

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
        .route("/staff/help", web::get().to(help_page))
        .route("/staff/questions", web::get().to(questions_page))
        .route("/staff/import", web::get().to(import_page))
        .route("/staff/import", web::post().to(import_post));
}

fn db(state: &AppState) -> Db {
    Db::new(&state.pool, &state.writer)
}

/// A refusal as the staff pages answer it: whoever may not act here (403 in the API, someone
/// who is no facilitator) or on this object (404) gets the site's 404, and learns nothing.
fn refused(lang: Lang, e: ApiError) -> PageError {
    if e.status == StatusCode::FORBIDDEN {
        PageError::not_found(lang)
    } else {
        PageError::from_api(lang, e)
    }
}

/// The signed-in user (else the login page, then back here).
async fn staff_user(ctx: &Ctx) -> Result<AuthUser, PageError> {
    ctx.user().await
}

async fn staff_home(ctx: Ctx) -> Result<HttpResponse, PageError> {
    staff_user(&ctx).await?;
    Ok(ctx.see_other("/staff/residents"))
}

fn pick<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::En if !en.is_empty() => en,
        _ => vi,
    }
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

fn reason_name(t: &Texts, v: &str) -> &'static str {
    match v {
        "inactive" => t.help_inactive,
        "never_started" => t.help_never_started,
        "failed_quiz_twice" => t.help_failed_quiz_twice,
        "stuck_on_lesson" => t.help_stuck_on_lesson,
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

/// A group of options (the households of one village).
struct OptGroup {
    label: String,
    options: Vec<Opt>,
}

// ---------------------------------------------------------------- residents

struct CourseView {
    title: String,
    percent: u32,
    completed: bool,
}

struct ResidentView {
    href: String,
    name: String,
    eid: &'static str,
    courses: Vec<CourseView>,
    last_activity: String,
    needs_help: bool,
}

struct FilterView {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "staff_residents.html")]
struct ResidentsPage {
    c: Chrome,
    q: String,
    filters: Vec<FilterView>,
    residents: Vec<ResidentView>,
    total: usize,
}

#[derive(Deserialize)]
struct ResidentsQuery {
    q: Option<String>,
    status: Option<String>,
}

/// Where a resident stands overall: not started (no course begun), finished (every course
/// joined completed), or in progress.
fn standing(o: &ResidentOverview) -> &'static str {
    if o.courses.is_empty() || o.courses.iter().all(|c| c.percent == 0 && !c.completed) {
        "not_started"
    } else if o.courses.iter().all(|c| c.completed) {
        "finished"
    } else {
        "in_progress"
    }
}

async fn residents_page(
    ctx: Ctx,
    query: Result<web::Query<ResidentsQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let (q, status) = match query {
        Ok(q) => (
            q.q.clone().unwrap_or_default(),
            q.status.clone().unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let st = ctx.state.clone();
    let (list, helped) = run_blocking(move || {
        let db = db(&st);
        let list = residents::overview(&db, &st.catalogue, &user, None)?;
        let helped: std::collections::HashSet<String> =
            help::needs_help(&db, &st.clock, &user, 14)?
                .into_iter()
                .map(|n| n.resident.user_id)
                .collect();
        Ok((list, helped))
    })
    .await
    .map_err(|e| refused(lang, e))?;
    let total = list.len();
    let folded = fold(&q);
    let residents = list
        .iter()
        .filter(|o| folded.is_empty() || fold(&o.resident.display_name).contains(&folded))
        .filter(|o| match status.as_str() {
            "needs_help" => helped.contains(&o.resident.user_id),
            "not_started" | "in_progress" | "finished" => standing(o) == status,
            _ => true,
        })
        .map(|o| ResidentView {
            href: format!("/staff/residents/{}", o.resident.user_id),
            name: o.resident.display_name.clone(),
            eid: eid_name(t, &o.profile.eid_status),
            courses: o
                .courses
                .iter()
                .map(|c| CourseView {
                    title: pick(lang, &c.title, &c.title_en).to_string(),
                    percent: c.percent,
                    completed: c.completed,
                })
                .collect(),
            last_activity: o
                .resident
                .last_activity_at
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            needs_help: helped.contains(&o.resident.user_id),
        })
        .collect();
    let filters = [
        ("", t.filter_all),
        ("not_started", t.filter_not_started),
        ("in_progress", t.filter_in_progress),
        ("finished", t.filter_finished),
        ("needs_help", t.filter_needs_help),
    ]
    .into_iter()
    .map(|(value, label)| FilterView {
        value,
        label,
        selected: value == status,
    })
    .collect();
    ctx.ok(&ResidentsPage {
        c: ctx.chrome(t.staff_residents_title, true),
        q,
        filters,
        residents,
        total,
    })
}

// ---------------------------------------------------------------- register

/// What the registration form holds (what was typed comes back with the errors).
#[derive(Default, Clone)]
struct Typed {
    name: String,
    village: String,
    household: String,
    household_name: String,
    birth_year: String,
    gender: String,
    group: String,
    eid: String,
    phone: String,
    username: String,
}

/// A login card to print: shown once, as the answer to the registration.
#[derive(Clone)]
struct Card {
    name: String,
    village: String,
    username: String,
    pin: String,
}

impl Card {
    /// The card carried in the next registration form (so that a sheet holds several).
    fn packed(&self) -> String {
        [&self.name, &self.village, &self.username, &self.pin]
            .map(|s| s.replace('|', ""))
            .join("|")
    }
    fn unpack(s: &str) -> Option<Card> {
        let mut p = s.split('|');
        let card = Card {
            name: p.next()?.to_string(),
            village: p.next()?.to_string(),
            username: p.next()?.to_string(),
            pin: p.next()?.to_string(),
        };
        (p.next().is_none() && !card.username.is_empty()).then_some(card)
    }
}

/// Cards on one A4 sheet.
const CARDS_PER_SHEET: usize = 10;

#[derive(Template)]
#[template(path = "staff_new.html")]
struct NewResidentPage {
    c: Chrome,
    v: Typed,
    villages: Vec<Opt>,
    households: Vec<OptGroup>,
    genders: Vec<Opt>,
    groups: Vec<Opt>,
    eids: Vec<Opt>,
    errs: Errors,
    error: String,
    /// Cards printed so far on this sheet (carried in the form).
    cards: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff_card.html")]
struct CardPage {
    c: Chrome,
    cards: Vec<Card>,
    packed: Vec<String>,
    site: String,
    qr_svg: String,
    resident_href: String,
}

async fn new_resident_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let page = new_form(
        &ctx,
        &user,
        Typed::default(),
        Errors::default(),
        String::new(),
        vec![],
    )
    .await?;
    ctx.ok(&page)
}

async fn new_form(
    ctx: &Ctx,
    user: &AuthUser,
    mut v: Typed,
    errs: Errors,
    error: String,
    cards: Vec<String>,
) -> Result<NewResidentPage, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let (st, actor) = (ctx.state.clone(), user.clone());
    let villages = run_blocking(move || residents::my_village_list(&db(&st), &actor))
        .await
        .map_err(|e| refused(lang, e))?;
    if v.village.is_empty() {
        v.village = villages
            .first()
            .map(|m| m.village.id.clone())
            .unwrap_or_default();
    }
    if v.group.is_empty() {
        v.group = "citizen".into();
    }
    if v.eid.is_empty() {
        v.eid = "none".into();
    }
    let households = villages
        .iter()
        .filter(|m| !m.households.is_empty())
        .map(|m| OptGroup {
            label: m.village.name.clone(),
            options: m
                .households
                .iter()
                .map(|h| Opt {
                    value: h.id.clone(),
                    label: h.label.clone(),
                    selected: h.id == v.household,
                })
                .collect(),
        })
        .collect();
    let village_opts = villages
        .iter()
        .map(|m| Opt {
            value: m.village.id.clone(),
            label: m.village.name.clone(),
            selected: m.village.id == v.village,
        })
        .collect();
    Ok(NewResidentPage {
        c: ctx.chrome(t.staff_new_title, true),
        villages: village_opts,
        households,
        genders: opts(GENDERS, |g| gender_name(t, g).to_string(), &v.gender),
        groups: opts(GROUPS, |g| t.group_name(g).to_string(), &v.group),
        eids: opts(EID_STATUSES, |e| eid_name(t, e).to_string(), &v.eid),
        v,
        errs,
        error,
        cards,
    })
}

/// The registration form again after a card, the cards so far carried along (the next card
/// goes on the same sheet).
async fn another(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let cards: Vec<String> = form
        .all("card")
        .into_iter()
        .filter(|c| Card::unpack(c).is_some())
        .collect();
    // A full sheet starts a new one.
    let cards = if cards.len() >= CARDS_PER_SHEET {
        vec![]
    } else {
        cards
    };
    let page = new_form(
        ctx,
        &user,
        Typed::default(),
        Errors::default(),
        String::new(),
        cards,
    )
    .await?;
    let mut res = ctx.ok(&page)?;
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// A username from the name (ASCII, dots), with a few random digits.
fn suggested_username(name: &str) -> String {
    let base: String = fold(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    let mut base: String = base.chars().take(24).collect();
    base = base.trim_end_matches('.').to_string();
    if base.is_empty() {
        base = "hocvien".into();
    }
    format!("{base}.{}", random_digits(3))
}

fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// A PIN of 6 digits that is not trivial.
fn new_pin() -> String {
    loop {
        let pin = random_digits(6);
        if crate::community::check_pin_or_password(&pin).is_none() {
            return pin;
        }
    }
}

async fn register(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let t = ctx.t();
    let user = staff_user(ctx).await?;
    let cards: Vec<String> = form
        .all("card")
        .into_iter()
        .filter(|c| Card::unpack(c).is_some())
        .take(CARDS_PER_SHEET - 1)
        .collect();
    let mut v = Typed {
        name: form.text("display_name").trim().to_string(),
        village: form.text("village"),
        household: form.text("household"),
        household_name: form.text("household_name").trim().to_string(),
        birth_year: form.text("birth_year").trim().to_string(),
        gender: form.text("gender"),
        group: form.text("learner_group"),
        eid: form.text("eid_status"),
        phone: form.text("phone").trim().to_string(),
        username: form.text("username").trim().to_string(),
    };
    let mut errs = Errors::default();
    let birth_year = if v.birth_year.is_empty() {
        None
    } else {
        match v.birth_year.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                errs.push("birth_year", t.err_birth_year);
                None
            }
        }
    };
    if v.name.is_empty() {
        errs.push("display_name", t.err_required);
    }
    if errs.any() {
        let page = new_form(ctx, &user, v, errs, String::new(), cards).await?;
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // A household created on the spot, in the chosen village.
    if !v.household_name.is_empty() {
        let (st, actor) = (ctx.state.clone(), user.clone());
        let new = NewHousehold {
            code: format!("HGD-{}", random_digits(6)),
            label: v.household_name.clone(),
            address: None,
        };
        let village = v.village.clone();
        match run_blocking(move || households::create(&db(&st), &actor, village, new)).await {
            Ok(h) => {
                v.household = h.id;
                v.household_name.clear();
            }
            Err(e) if is_validation(&e) => {
                errs.push("household_name", message_of(lang, &e));
                let page = new_form(ctx, &user, v, errs, String::new(), cards).await?;
                return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
            Err(e) => return Err(refused(lang, e)),
        }
    }
    let username = if v.username.is_empty() {
        suggested_username(&v.name)
    } else {
        v.username.clone()
    };
    let pin = new_pin();
    let new = NewResident {
        village_id: v.village.clone(),
        household_id: Some(v.household.clone()).filter(|h| !h.is_empty()),
        display_name: v.name.clone(),
        username: username.clone(),
        password: pin.clone(),
        phone: Some(v.phone.clone()).filter(|p| !p.is_empty()),
        profile: ProfileChanges {
            birth_year,
            gender: Some(v.gender.clone()).filter(|g| !g.is_empty()),
            learner_group: Some(v.group.clone()).filter(|g| !g.is_empty()),
            eid_status: Some(v.eid.clone()).filter(|g| !g.is_empty()),
            household_id: None,
        },
    };
    let (st, actor) = (ctx.state.clone(), user.clone());
    let result = run_blocking(move || {
        let db = db(&st);
        let r = residents::register(&db, &st.hasher, &st.settings.public_url, &actor, new)?;
        let village = residents::my_village_list(&db, &actor)?
            .into_iter()
            .find(|m| Some(&m.village.id) == r.profile.village_id.as_ref())
            .map(|m| m.village.name)
            .unwrap_or_default();
        Ok((r, village))
    })
    .await;
    match result {
        Ok((r, village)) => {
            let card = Card {
                name: r.user.display_name.clone(),
                village,
                username: r.user.username.clone().unwrap_or(username),
                pin,
            };
            let mut all: Vec<Card> = cards.iter().filter_map(|c| Card::unpack(c)).collect();
            all.push(card);
            let site = ctx
                .state
                .settings
                .public_url
                .trim_end_matches('/')
                .to_string();
            let page = CardPage {
                c: ctx.chrome(t.staff_card_title, true),
                packed: all.iter().map(Card::packed).collect(),
                cards: all,
                qr_svg: crate::certs::qr_svg(&format!("{site}/login")),
                site,
                resident_href: format!("/staff/residents/{}", r.user.id),
            };
            let mut res = ctx.ok(&page)?;
            // The PIN is in this answer only: no cache keeps it.
            res.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let mut error = String::new();
            if is_validation(&e) {
                for (field, message) in field_errors(lang, &e) {
                    let field = match field.as_str() {
                        "password" | "username" => "username",
                        "learner_group" => "learner_group",
                        f => f,
                    };
                    errs.push(field, message);
                }
            } else {
                match e.code {
                    Code::UsernameTaken => errs.push("username", t.err_taken),
                    Code::PhoneTaken => errs.push("phone", t.err_taken),
                    _ if e.status == StatusCode::NOT_FOUND => {
                        errs.push("household", t.err_household)
                    }
                    _ => error = message_of(lang, &e),
                }
            }
            if !errs.any() && error.is_empty() {
                error = message_of(lang, &e);
            }
            let page = new_form(ctx, &user, v, errs, error, cards).await?;
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(refused(lang, e)),
    }
}

// ---------------------------------------------------------------- one resident

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
    genders: Vec<Opt>,
    groups: Vec<Opt>,
    eids: Vec<Opt>,
    households: Vec<Opt>,
    errs: Errors,
    flash: String,
    error: String,
    reset_code: String,
    reset_until: String,
    /// `None`: the audit is for admins of the area only.
    audit: Option<Vec<AuditView>>,
}

#[derive(Default)]
struct Outcome {
    errs: Errors,
    flash: String,
    error: String,
    reset: Option<(String, String)>,
}

async fn resident_page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let flash = match ctx.here.split_once("?done=") {
        Some((_, what)) => match what {
            "enrol" => ctx.t().staff_enrolled.to_string(),
            "lesson" => ctx.t().staff_lesson_recorded.to_string(),
            "profile" => ctx.t().staff_profile_saved.to_string(),
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
    let (o, villages, audit) = run_blocking(move || {
        let db = db(&st);
        let o = residents::overview_of(&db, &st.catalogue, &actor, &rid)?;
        let villages = residents::my_village_list(&db, &actor).unwrap_or_default();
        let audit = residents::audit_trail(&db, &actor, &rid).ok();
        Ok((o, villages, audit))
    })
    .await
    .map_err(|e| refused(lang, e))?;
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
        courses: o
            .courses
            .iter()
            .map(|c| CourseView {
                title: pick(lang, &c.title, &c.title_en).to_string(),
                percent: c.percent,
                completed: c.completed,
            })
            .collect(),
        enrol_options,
        lesson_groups,
        genders: opts(
            GENDERS,
            |g| gender_name(t, g).to_string(),
            o.profile.gender.as_deref().unwrap_or(""),
        ),
        groups: opts(
            GROUPS,
            |g| t.group_name(g).to_string(),
            &o.profile.learner_group,
        ),
        eids: opts(
            EID_STATUSES,
            |e| eid_name(t, e).to_string(),
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
                    at: at.format("%d/%m/%Y %H:%M").to_string(),
                })
                .collect()
        }),
    })
}

fn audit_name(t: &Texts, action: &str) -> String {
    match action {
        "resident.register" => t.audit_register.to_string(),
        "resident.enroll" => t.audit_enroll.to_string(),
        "resident.progress" => t.audit_progress.to_string(),
        "resident.password_reset" => t.audit_reset.to_string(),
        "resident.profile" => t.audit_profile.to_string(),
        other => other.to_string(),
    }
}

/// A form of the resident page refused: the page again, with the error beside its field.
async fn refused_form(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    field: &str,
    e: ApiError,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    if !e.status.is_client_error() || e.status == StatusCode::FORBIDDEN {
        return Err(refused(lang, e));
    }
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

async fn enrol(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let slug = form.text("course");
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    match run_blocking(move || {
        residents::enroll(&db(&st), &st.catalogue, &st.clock, &actor, rid, slug)
    })
    .await
    {
        Ok(()) => Ok(ctx.see_other(&format!("/staff/residents/{id}?done=enrol"))),
        Err(e) => refused_form(ctx, &user, id, "course", e).await,
    }
}

async fn record_lesson(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
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
    let _ = lang;
    match result {
        Ok(()) => Ok(ctx.see_other(&format!("/staff/residents/{id}?done=lesson"))),
        Err(e) => refused_form(ctx, &user, id, "lesson", e).await,
    }
}

async fn reset_code(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let id = path.into_inner();
    let (st, actor, rid) = (ctx.state.clone(), user.clone(), id.clone());
    match run_blocking(move || residents::reset_code(&db(&st), &actor, rid)).await {
        Ok(r) => {
            let out = Outcome {
                reset: Some((
                    r.code,
                    r.expires_at.format("%H:%M %d/%m/%Y UTC").to_string(),
                )),
                ..Outcome::default()
            };
            let page = resident_view(ctx, &user, id, out).await?;
            let mut res = ctx.ok(&page)?;
            res.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) => refused_form(ctx, &user, id, "reset", e).await,
    }
}

async fn correct_profile(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
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
    match run_blocking(move || residents::update_profile(&db(&st), &actor, rid, ch)).await {
        Ok(_) => Ok(ctx.see_other(&format!("/staff/residents/{id}?done=profile"))),
        Err(e) => refused_form(ctx, &user, id, "household", e).await,
    }
}

// ---------------------------------------------------------------- needs help

struct HelpView {
    href: String,
    name: String,
    reasons: Vec<&'static str>,
    last_activity: String,
}

#[derive(Template)]
#[template(path = "staff_help.html")]
struct HelpPage {
    c: Chrome,
    days: i64,
    people: Vec<HelpView>,
}

#[derive(Deserialize)]
struct HelpQuery {
    days: Option<i64>,
}

async fn help_page(
    ctx: Ctx,
    query: Result<web::Query<HelpQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let days = query
        .ok()
        .and_then(|q| q.days)
        .filter(|d| (1..=365).contains(d))
        .unwrap_or(14);
    let st = ctx.state.clone();
    let list = run_blocking(move || help::needs_help(&db(&st), &st.clock, &user, days))
        .await
        .map_err(|e| refused(lang, e))?;
    let people = list
        .into_iter()
        .map(|n| HelpView {
            href: format!("/staff/residents/{}", n.resident.user_id),
            name: n.resident.display_name,
            reasons: n.reasons.iter().map(|r| reason_name(t, r)).collect(),
            last_activity: n
                .resident
                .last_activity_at
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
        })
        .collect();
    ctx.ok(&HelpPage {
        c: ctx.chrome(t.staff_help_title, true),
        days,
        people,
    })
}

// ---------------------------------------------------------------- hardest questions

struct QuestionView {
    prompt: String,
    course: String,
    quiz: String,
    right: String,
    answered: i64,
}

#[derive(Template)]
#[template(path = "staff_questions.html")]
struct QuestionsPage {
    c: Chrome,
    questions: Vec<QuestionView>,
}

/// The questions the learners of my villages find hardest (`help::difficult_questions`, as
/// `/api/v1/facilitator/difficult-questions`).
async fn questions_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let st = ctx.state.clone();
    let list = run_blocking(move || help::difficult_questions(&db(&st), &st.catalogue, &user))
        .await
        .map_err(|e| refused(lang, e))?;
    let questions = list
        .into_iter()
        .map(|d| {
            let (course, quiz) = course_and_quiz(&ctx, &d.course, &d.quiz);
            QuestionView {
                prompt: if d.prompt.is_empty() {
                    d.question
                } else {
                    d.prompt
                },
                course,
                quiz,
                right: format!("{:.0}%", d.correct_share * 100.0),
                answered: d.answered,
            }
        })
        .collect();
    ctx.ok(&QuestionsPage {
        c: ctx.chrome(t.staff_questions_title, true),
        questions,
    })
}

/// The titles of a published course and of its quiz (else their slug and key).
fn course_and_quiz(ctx: &Ctx, slug: &str, key: &str) -> (String, String) {
    let lang = ctx.lang;
    let Some(course) = ctx.state.catalogue.get(slug) else {
        return (slug.to_string(), key.to_string());
    };
    let doc = &course.content.doc;
    let quiz = doc
        .quizzes()
        .find(|q| q.key == key)
        .map(|q| pick(lang, &q.spec.title, &q.spec.title_en).to_string())
        .unwrap_or_else(|| key.to_string());
    (
        pick(lang, &doc.meta.title, &doc.meta.title_en).to_string(),
        quiz,
    )
}

// ---------------------------------------------------------------- import

struct ImportLine {
    line: usize,
    outcome: &'static str,
    message: String,
}

struct ImportView {
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
    applied: bool,
    lines: Vec<ImportLine>,
}

#[derive(Template)]
#[template(path = "staff_import.html")]
struct ImportPage {
    c: Chrome,
    all_or_nothing: bool,
    error: String,
    report: Option<ImportView>,
}

async fn import_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    imports::may_import(&user).map_err(|e| refused(ctx.lang, e))?;
    let t = ctx.t();
    ctx.ok(&ImportPage {
        c: ctx.chrome(t.staff_import_title, true),
        all_or_nothing: false,
        error: String::new(),
        report: None,
    })
}

/// The fields of the import form: the CSRF token, the file and the mode.
#[derive(Default)]
struct ImportForm {
    csrf: String,
    file: Option<web::Bytes>,
    all_or_nothing: bool,
}

/// Reads the `multipart/form-data` body (already within the server's body limit,
/// `max_body_bytes`, as the API's upload); `None` when it is not such a form.
async fn import_form(req: &HttpRequest, body: web::Bytes) -> Option<ImportForm> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.ok()? {
        match field.name() {
            Some("csrf") => form.csrf = field.text().await.ok()?,
            Some("mode") => form.all_or_nothing = field.text().await.ok()? == "all_or_nothing",
            Some("file") => {
                let bytes = field.bytes().await.ok()?;
                form.file = (!bytes.is_empty()).then_some(bytes);
            }
            _ => {}
        }
    }
    Some(form)
}

/// Imports the uploaded CSV with `community::imports::import_residents` (as
/// `POST /api/v1/admin/imports/residents`) and shows its report line by line.
async fn import_post(
    ctx: Ctx,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let user = staff_user(&ctx).await?;
    // Refused before the upload is read, as in the API.
    imports::may_import(&user).map_err(|e| refused(lang, e))?;
    let body = body.map_err(|_| PageError::bad_form(lang))?;
    let form = import_form(&req, body)
        .await
        .ok_or_else(|| PageError::bad_form(lang))?;
    // Nothing is imported without this browser's token.
    if !ctx.csrf_ok(&form.csrf) {
        return Err(PageError::csrf(lang, "/staff/import"));
    }
    let t = ctx.t();
    let all_or_nothing = form.all_or_nothing;
    let page = |error: String, report: Option<ImportView>| ImportPage {
        c: ctx.chrome(t.staff_import_title, true),
        all_or_nothing,
        error,
        report,
    };
    let Some(csv) = form.file else {
        return ctx.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(t.staff_import_no_file.to_string(), None),
        );
    };
    let st = ctx.state.clone();
    let mode = all_or_nothing.then_some("all_or_nothing");
    let result = run_blocking(move || imports::import_residents(&db(&st), &user, &csv, mode)).await;
    let report = match result {
        Ok(r) => r,
        Err(e) if is_validation(&e) => {
            // The file as a whole could not be read (not UTF-8, not CSV, wrong columns).
            let error = message_of(lang, &e);
            return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page(error, None));
        }
        Err(e) => return Err(refused(lang, e)),
    };
    let mut lines: Vec<ImportLine> = report
        .problems
        .iter()
        .map(|p| ImportLine {
            line: p.row,
            outcome: t.staff_outcome_rejected,
            message: if p.column.is_empty() {
                p.problem.clone()
            } else {
                format!("{} {}: {}", t.staff_column, p.column, p.problem)
            },
        })
        .chain(report.waiting_for_owner.iter().map(|&line| ImportLine {
            line,
            outcome: t.staff_outcome_waiting,
            message: t.staff_waiting_message.to_string(),
        }))
        .collect();
    lines.sort_by_key(|l| l.line);
    let view = ImportView {
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        rejected: report.rejected,
        applied: report.applied,
        lines,
    };
    ctx.render(StatusCode::OK, &page(String::new(), Some(view)))
}
