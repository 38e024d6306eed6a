//! The learner's pages: home ("Học tiếp"), catalogue, course, lesson and "learned", the
//! certificate, and the offline queue's endpoint.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{Chrome, Ctx, Form, PageError};
use crate::auth::AuthUser;
use crate::content::catalogue::{Filter, PublishedCourse};
use crate::content::ItemDoc;
use crate::courses::{self, catalogue};
use crate::i18n::Lang;
use crate::learning::{
    enrolment, home, progress, CourseStatus, EnrollmentStatus, ItemStatus, LessonStatus,
    ProgressEvent,
};
use crate::telemetry::{run_blocking, run_writing};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home_page))
        .route("/courses", web::get().to(catalogue_page))
        .route("/courses/{slug}", web::get().to(course_page))
        .route("/courses/{slug}/enrol", web::post().to(enrol))
        .route("/courses/{slug}/lessons/{key}", web::get().to(lesson_page))
        .route(
            "/courses/{slug}/lessons/{key}/done",
            web::post().to(lesson_done),
        )
        .route("/courses/{slug}/offline", web::get().to(offline_list))
        .route("/learn/events", web::post().to(offline_events))
        .route("/my/certificates/{serial}", web::get().to(certificate_page));
}

/// Picks the text of the page's language.
pub fn pick<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::En if !en.is_empty() => en,
        _ => vi,
    }
}

fn published(ctx: &Ctx, slug: &str) -> Result<std::sync::Arc<PublishedCourse>, PageError> {
    courses::published(&ctx.state.catalogue, slug).map_err(|e| PageError::from_api(ctx.lang, e))
}

// ---------------------------------------------------------------- home

struct ContinueView {
    course_title: String,
    item_title: String,
    href: String,
    percent: u32,
}

struct CourseRow {
    title: String,
    href: String,
    percent: u32,
    completed: bool,
}

struct CertRow {
    title: String,
    href: String,
    date: String,
    revoked: bool,
}

struct ProgramRow {
    title: String,
    percent: u32,
    courses: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    next: Vec<ContinueView>,
    courses: Vec<CourseRow>,
    certificates: Vec<CertRow>,
    programs: Vec<ProgramRow>,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    c: Chrome,
    cards: Vec<CardView>,
}

pub fn item_href(slug: &str, key: &str, is_quiz: bool) -> String {
    if is_quiz {
        format!("/courses/{slug}/quizzes/{key}")
    } else {
        format!("/courses/{slug}/lessons/{key}")
    }
}

pub fn date(lang: Lang, d: chrono::NaiveDateTime) -> String {
    match lang {
        Lang::Vi => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

async fn home_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let Some(user) = ctx.maybe_user().await? else {
        let page = catalogue::search(&ctx.state.catalogue, Filter::default(), 0, 6)
            .map_err(|e| PageError::from_api(lang, e))?;
        let cards = page.items.iter().map(|c| card_view(lang, c)).collect();
        let mut res = ctx.ok(&WelcomePage {
            c: ctx.chrome(ctx.t().welcome_title, false),
            cards,
        })?;
        if ctx.has_session() {
            // A session that ended (logged out elsewhere, expired): forget its cookie.
            let _ = res.add_cookie(&ctx.session_removed());
        }
        return Ok(res);
    };
    let (st, actor) = (ctx.state.clone(), user.clone());
    let (h, name) = run_blocking(move || {
        let name = crate::accounts::find_user(&mut *st.pool.get()?, &actor.id)?.display_name;
        Ok((home::home(&st.pool, &st.catalogue, &actor)?, name))
    })
    .await
    .map_err(|e| PageError::from_api(lang, e))?;
    let next = h
        .courses
        .iter()
        .filter_map(|c| {
            let n = c.next.as_ref()?;
            Some(ContinueView {
                course_title: pick(lang, &c.title, &c.title_en).to_string(),
                item_title: pick(lang, &n.title, &n.title_en).to_string(),
                href: item_href(&c.slug, &n.key, n.is_quiz),
                percent: c.percent,
            })
        })
        .collect();
    let courses = h
        .courses
        .iter()
        .map(|c| CourseRow {
            title: pick(lang, &c.title, &c.title_en).to_string(),
            href: format!("/courses/{}", c.slug),
            percent: c.percent,
            completed: c.status == EnrollmentStatus::Completed,
        })
        .collect();
    let certificates = h
        .certificates
        .iter()
        .map(|c| CertRow {
            title: pick(lang, &c.title, &c.title_en).to_string(),
            href: format!("/my/certificates/{}", c.serial),
            date: date(lang, c.issued_at),
            revoked: c.revoked,
        })
        .collect();
    let programs = h
        .programs
        .iter()
        .map(|p| ProgramRow {
            title: pick(lang, &p.program.title, &p.program.title_en).to_string(),
            percent: p.percent,
            courses: p
                .program
                .courses
                .iter()
                .map(|slug| {
                    let title = ctx
                        .state
                        .catalogue
                        .get(slug)
                        .map(|c| pick(lang, &c.card.title, &c.card.title_en).to_string())
                        .unwrap_or_else(|| slug.clone());
                    (
                        title,
                        format!("/courses/{slug}"),
                        p.completed_courses.contains(slug),
                    )
                })
                .collect(),
        })
        .collect();
    ctx.ok(&HomePage {
        c: ctx.chrome(ctx.t().home_title, true),
        name,
        next,
        courses,
        certificates,
        programs,
    })
}

// ---------------------------------------------------------------- catalogue

struct CardView {
    title: String,
    summary: String,
    href: String,
    minutes: u32,
    lessons: usize,
    quizzes: usize,
    topic: String,
    level: String,
}

fn card_view(lang: Lang, c: &crate::content::catalogue::CourseCard) -> CardView {
    let t = crate::i18n::pages::texts(lang);
    CardView {
        title: pick(lang, &c.title, &c.title_en).to_string(),
        summary: pick(lang, &c.summary, &c.summary_en).to_string(),
        href: format!("/courses/{}", c.slug),
        minutes: c.estimated_minutes,
        lessons: c.lesson_count,
        quizzes: c.quiz_count,
        topic: t.topic_name(&c.topic).to_string(),
        level: t.level_name(&c.level).to_string(),
    }
}

#[derive(Deserialize)]
struct CatalogueQuery {
    q: Option<String>,
    topic: Option<String>,
    level: Option<String>,
    group: Option<String>,
    from: Option<usize>,
}

/// A select's options: (value, label, selected).
type Options = Vec<(&'static str, &'static str, bool)>;

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    c: Chrome,
    q: String,
    topics: Options,
    levels: Options,
    groups: Options,
    cards: Vec<CardView>,
    more: Option<String>,
    error: String,
    /// A filter is chosen: the filters are shown open.
    filtered: bool,
}

const PAGE_SIZE: usize = 20;

fn options(
    values: &[&'static str],
    label: impl Fn(&str) -> &'static str,
    chosen: &Option<String>,
) -> Options {
    values
        .iter()
        .map(|v| (*v, label(v), chosen.as_deref() == Some(*v)))
        .collect()
}

async fn catalogue_page(
    ctx: Ctx,
    query: Result<web::Query<CatalogueQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let query = query.map(|q| q.into_inner()).unwrap_or(CatalogueQuery {
        q: None,
        topic: None,
        level: None,
        group: None,
        from: None,
    });
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (topic, level, group) = (blank(query.topic), blank(query.level), blank(query.group));
    let q = blank(query.q.clone());
    let from = query.from.unwrap_or(0);
    let filter = Filter {
        topic: topic.clone(),
        group: group.clone(),
        level: level.clone(),
        language: None,
        competence: None,
        q: q.clone(),
    };
    let (cards, more, error) =
        match catalogue::search(&ctx.state.catalogue, filter, from, PAGE_SIZE) {
            Ok(page) => {
                let more = page.next_offset.map(|n| {
                    let mut s = url::form_urlencoded::Serializer::new(String::new());
                    for (k, v) in [
                        ("q", &q),
                        ("topic", &topic),
                        ("level", &level),
                        ("group", &group),
                    ] {
                        if let Some(v) = v {
                            s.append_pair(k, v);
                        }
                    }
                    s.append_pair("from", &n.to_string());
                    format!("/courses?{}", s.finish())
                });
                (
                    page.items.iter().map(|c| card_view(lang, c)).collect(),
                    more,
                    String::new(),
                )
            }
            Err(e) => (Vec::new(), None, super::message_of(lang, &e)),
        };
    ctx.ok(&CataloguePage {
        c: ctx.chrome(t.catalogue_title, ctx.has_session()),
        q: query.q.unwrap_or_default(),
        topics: options(crate::content::TOPICS, |v| t.topic_name(v), &topic),
        levels: options(crate::content::LEVELS, |v| t.level_name(v), &level),
        groups: options(crate::content::GROUPS, |v| t.group_name(v), &group),
        filtered: topic.is_some() || level.is_some() || group.is_some(),
        cards,
        more,
        error,
    })
}

// ---------------------------------------------------------------- course

struct ItemRow {
    title: String,
    href: String,
    is_quiz: bool,
    minutes: Option<u32>,
    optional: bool,
    done: bool,
    locked: bool,
}

struct ModuleView {
    title: String,
    summary: String,
    items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    c: Chrome,
    slug: String,
    title: String,
    summary: String,
    minutes: u32,
    level: String,
    topic: String,
    strict: bool,
    modules: Vec<ModuleView>,
    /// `not_enrolled`, `in_progress`, `completed`, or "" when nobody is signed in.
    status: String,
    percent: u32,
    next_href: Option<String>,
    lock_reason: String,
}

async fn course_page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let course = published(&ctx, &path)?;
    let user = ctx.maybe_user().await?;
    let progress = match &user {
        Some(u) => {
            let (pool, actor, c) = (ctx.state.pool.clone(), u.clone(), course.clone());
            Some(
                run_blocking(move || progress::in_course(&pool, &actor, &c))
                    .await
                    .map_err(|e| PageError::from_api(lang, e))?,
            )
        }
        None => None,
    };
    let doc = &course.content.doc;
    let state_of = |key: &str| {
        progress
            .as_ref()
            .and_then(|p| p.items.iter().find(|i| i.key == key))
            .map(|i| (i.status == ItemStatus::Done, i.locked))
            .unwrap_or((false, false))
    };
    let modules = doc
        .modules
        .iter()
        .map(|m| ModuleView {
            title: pick(lang, &m.meta.title, &m.meta.title_en).to_string(),
            summary: pick(lang, &m.meta.summary, &m.meta.summary_en).to_string(),
            items: m
                .items
                .iter()
                .map(|i| {
                    let (done, locked) = state_of(i.key());
                    match i {
                        ItemDoc::Lesson(l) => ItemRow {
                            title: pick(lang, &l.meta.title, &l.meta.title_en).to_string(),
                            href: item_href(&doc.slug, &l.key, false),
                            is_quiz: false,
                            minutes: Some(l.meta.estimated_minutes),
                            optional: l.meta.optional,
                            done,
                            locked,
                        },
                        ItemDoc::Quiz(q) => ItemRow {
                            title: pick(lang, &q.spec.title, &q.spec.title_en).to_string(),
                            href: item_href(&doc.slug, &q.key, true),
                            is_quiz: true,
                            minutes: None,
                            optional: q.spec.optional,
                            done,
                            locked,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    let done: std::collections::HashSet<String> = progress
        .as_ref()
        .map(|p| {
            p.items
                .iter()
                .filter(|i| i.status == ItemStatus::Done)
                .map(|i| i.key.clone())
                .collect()
        })
        .unwrap_or_default();
    let next_href = progress.as_ref().and_then(|_| {
        home::next_item(doc, &done)
            .map(|i| item_href(&doc.slug, i.key(), matches!(i, ItemDoc::Quiz(_))))
    });
    ctx.ok(&CoursePage {
        c: ctx.chrome(
            pick(lang, &course.card.title, &course.card.title_en),
            user.is_some(),
        ),
        slug: doc.slug.clone(),
        title: pick(lang, &course.card.title, &course.card.title_en).to_string(),
        summary: pick(lang, &course.card.summary, &course.card.summary_en).to_string(),
        minutes: course.card.estimated_minutes,
        level: t.level_name(&course.card.level).to_string(),
        topic: t.topic_name(&course.card.topic).to_string(),
        strict: doc.meta.strict_order,
        modules,
        status: progress
            .as_ref()
            .map(|p| p.status.as_str().to_string())
            .unwrap_or_default(),
        percent: progress.as_ref().map(|p| p.percent).unwrap_or(0),
        next_href,
        lock_reason: t.locked_reason.to_string(),
    })
}

async fn enrol(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let slug = path.into_inner();
    let course = published(ctx, &slug)?;
    let state = ctx.state.clone();
    let s = slug.clone();
    run_writing(&ctx.state.clone(), move |conn| {
        enrolment::enroll(conn, &state.clock, &user, &course, &s).map(|_| ())
    })
    .await
    .map_err(|e| PageError::from_api(lang, e))?;
    Ok(ctx.see_other(&format!("/courses/{slug}")))
}

// ---------------------------------------------------------------- lesson

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage<'a> {
    c: Chrome,
    slug: &'a str,
    key: &'a str,
    course_title: &'a str,
    title: &'a str,
    minutes: u32,
    position: usize,
    count: usize,
    html: &'a str,
    video_url: Option<&'a str>,
    transcript: Option<&'a str>,
    previous: Option<String>,
    next: Option<String>,
    done_flash: bool,
    error: String,
}

#[derive(Deserialize)]
struct LessonQuery {
    done: Option<String>,
}

/// The lesson: public like the API's lesson (no session read), so that it is served from
/// memory; "learned" is a form the server checks.
async fn lesson_page(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    query: Result<web::Query<LessonQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let (slug, key) = path.into_inner();
    let done_flash = query.is_ok_and(|q| q.done.is_some());
    render_lesson(&ctx, &slug, &key, done_flash, String::new())
}

fn render_lesson(
    ctx: &Ctx,
    slug: &str,
    key: &str,
    done_flash: bool,
    error: String,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let course = published(ctx, slug)?;
    let doc = &course.content.doc;
    let order: Vec<&ItemDoc> = doc.modules.iter().flat_map(|m| m.items.iter()).collect();
    let Some(pos) = order.iter().position(|i| i.key() == key) else {
        return Err(PageError::not_found(lang));
    };
    let ItemDoc::Lesson(l) = order[pos] else {
        return Err(PageError::not_found(lang));
    };
    let href = |i: &ItemDoc| item_href(slug, i.key(), matches!(i, ItemDoc::Quiz(_)));
    let html = course
        .content
        .html
        .get(key)
        .map(String::as_str)
        .unwrap_or("");
    let page = LessonPage {
        c: ctx.chrome(
            pick(lang, &l.meta.title, &l.meta.title_en),
            ctx.has_session(),
        ),
        slug,
        key,
        course_title: pick(lang, &course.card.title, &course.card.title_en),
        title: pick(lang, &l.meta.title, &l.meta.title_en),
        minutes: l.meta.estimated_minutes,
        position: pos + 1,
        count: order.len(),
        html,
        video_url: l.meta.video_url.as_deref(),
        transcript: l.meta.transcript.as_deref(),
        previous: pos.checked_sub(1).map(|p| href(order[p])),
        next: order.get(pos + 1).map(|i| href(i)),
        done_flash,
        error,
    };
    let status = if page.error.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CONFLICT
    };
    ctx.render(status, &page)
}

/// "Tôi đã học xong bài này": records the completed event (enrolling the learner) and goes on
/// to the next item, or back to the course when it was the last.
async fn lesson_done(
    form: Form,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let (slug, key) = path.into_inner();
    let course = published(ctx, &slug)?;
    let event = ProgressEvent {
        client_event_id: uuid::Uuid::new_v4().to_string(),
        status: LessonStatus::Completed.as_str().into(),
        time_spent_seconds: form
            .get("seconds")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| (0..=crate::learning::MAX_TIME_SPENT).contains(s))
            .unwrap_or(0),
        occurred_at: ctx.state.clock.now().and_utc(),
    };
    let state = ctx.state.clone();
    let (c, k) = (course.clone(), key.clone());
    let result = run_writing(&ctx.state.clone(), move |conn| {
        progress::record(conn, &state.completion(), user, &c, &k, &event)
    })
    .await;
    match result {
        Ok(p) => {
            let doc = &course.content.doc;
            let order: Vec<&ItemDoc> = doc.modules.iter().flat_map(|m| m.items.iter()).collect();
            let pos = order.iter().position(|i| i.key() == key);
            let to = match (p.status, pos.and_then(|p| order.get(p + 1))) {
                (CourseStatus::Completed, _) | (_, None) => format!("/courses/{slug}?done={key}"),
                (_, Some(next)) => format!(
                    "{}?done=1",
                    item_href(&slug, next.key(), matches!(next, ItemDoc::Quiz(_)))
                ),
            };
            Ok(ctx.see_other(&to))
        }
        Err(e) if e.status.is_client_error() => {
            render_lesson(ctx, &slug, &key, false, super::message_of(lang, &e))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- offline

/// The addresses a kept course needs offline: its page and every lesson page (the service
/// worker fetches and stores them), with their total size in bytes.
async fn offline_list(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let course = published(&ctx, &path)?;
    let doc = &course.content.doc;
    let mut urls = vec![format!("/courses/{}", doc.slug)];
    let mut bytes: usize = 0;
    for l in doc.lessons() {
        urls.push(item_href(&doc.slug, &l.key, false));
        // The page is its lesson's HTML plus the layout: about 6 KB uncompressed.
        bytes += course
            .content
            .html
            .get(&l.key)
            .map(String::len)
            .unwrap_or(0)
            + 6_000;
    }
    Ok(ctx.finish(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(serde_json::json!({ "urls": urls, "bytes": bytes }).to_string()),
    ))
}

/// Events the device queued while offline: the API's progress batch use case, on the browser
/// session, with the CSRF token in `X-CSRF-Token`. Answers the batch's JSON.
async fn offline_events(
    ctx: Ctx,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ctx.csrf_ok(token) {
        return Err(PageError::csrf(lang, "/"));
    }
    let Some(user) = ctx.maybe_user().await? else {
        return Ok(HttpResponse::Unauthorized().finish());
    };
    let events: Vec<progress::BatchEvent> =
        serde_json::from_slice(&body).map_err(|_| PageError::bad_form(lang))?;
    if events.len() > progress::MAX_BATCH {
        return Err(PageError::bad_form(lang));
    }
    let state = ctx.state.clone();
    let answer = run_writing(&ctx.state.clone(), move |conn| {
        progress::batch(conn, &state.catalogue, &state.completion(), &user, events)
    })
    .await
    .map_err(|e| PageError::from_api(lang, e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

// ---------------------------------------------------------------- certificate

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    c: Chrome,
    name: String,
    title: String,
    date: String,
    serial: String,
    pdf: String,
    verify: String,
    qr_svg: String,
    revoked: bool,
}

async fn certificate_page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let user: AuthUser = ctx.user().await?;
    let pool = ctx.state.pool.clone();
    let serial = path.into_inner();
    let c = run_blocking(move || crate::certs::mine(&mut *pool.get()?, &user.id, &serial))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    let verify = crate::certs::verify_url(&ctx.state.settings.public_url, &c.serial);
    ctx.ok(&CertificatePage {
        c: ctx.chrome(pick(lang, &c.title, &c.title_en), true),
        name: c.recipient_name.clone(),
        title: pick(lang, &c.title, &c.title_en).to_string(),
        date: date(lang, c.issued_at),
        pdf: format!("/api/v1/certificates/{}/pdf", c.serial),
        qr_svg: crate::certs::qr_svg(&verify),
        verify,
        serial: c.serial,
        revoked: c.revoked_at.is_some(),
    })
}
