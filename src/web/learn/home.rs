//! The home page: welcome (signed out), or "Học tiếp", my courses, certificates and programs.

use actix_web::HttpResponse;
use askama::Template;

use super::super::{Chrome, Ctx, PageError};
#[allow(unused_imports)]
use super::catalogue::{card_view, CardView};
use super::{day, item_href, pick};
use crate::content::catalogue::Filter;
use crate::courses::catalogue;
use crate::learning::{home, EnrollmentStatus};
use crate::telemetry::run_blocking;

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

pub(super) async fn home_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
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
            date: day(lang, c.issued_at),
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
