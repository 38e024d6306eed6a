//! My courses and their drafts; one course's draft: its content, its problems by location, the
//! publish button when it has none, and its releases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::learn::pick;
use super::super::{Chrome, Ctx, Form, PageError};
use super::{refused, when};
use crate::content::validate::Issue;
use crate::content::{CourseDoc, ItemDoc};
use crate::courses::authoring::{self, Overview};
use crate::error::Code;
use crate::i18n::Lang;
use crate::telemetry::run_blocking;

// ---------------------------------------------------------------- my courses

struct CourseRowView {
    href: String,
    title: String,
    role: &'static str,
    release: Option<(i32, String)>,
    changes: bool,
    updated: String,
    version: i32,
}

#[derive(Template)]
#[template(path = "author_courses.html")]
struct CoursesPage {
    c: Chrome,
    courses: Vec<CourseRowView>,
}

pub(super) async fn courses_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let (lang, t) = (ctx.lang, ctx.t());
    let pool = ctx.state.pool.clone();
    let list = run_blocking(move || authoring::my_courses(&pool, &user))
        .await
        .map_err(|e| refused(lang, e))?;
    let courses = list
        .into_iter()
        .map(|s| CourseRowView {
            href: format!("/author/courses/{}", s.slug),
            title: pick(lang, &s.title, &s.title_en).to_string(),
            role: if s.owner {
                t.author_owner
            } else {
                t.author_coauthor
            },
            release: s.latest_release.map(|(n, at)| (n, when(at))),
            changes: s.unpublished_changes,
            updated: when(s.updated_at),
            version: s.draft_version,
        })
        .collect();
    ctx.ok(&CoursesPage {
        c: ctx.chrome(t.author_title, true),
        courses,
    })
}

// ---------------------------------------------------------------- one course

struct ItemView {
    title: String,
    key: String,
    /// The editor's address, for a lesson.
    edit: Option<String>,
}

struct ModuleView {
    title: String,
    items: Vec<ItemView>,
}

struct IssueView {
    /// As the API's validation names it (`modules[0].items[1].body`).
    path: String,
    /// The module and item in words.
    place: String,
    /// The lesson's editor, when the problem is in a lesson.
    edit: Option<String>,
    message: String,
}

struct ReleaseView {
    number: i32,
    at: String,
}

#[derive(Template)]
#[template(path = "author_course.html")]
struct CoursePage {
    c: Chrome,
    slug: String,
    title: String,
    version: i32,
    updated: String,
    flash: String,
    modules: Vec<ModuleView>,
    issues: Vec<IssueView>,
    changes: bool,
    releases: Vec<ReleaseView>,
}

fn lesson_editor(slug: &str, item: &ItemDoc) -> Option<String> {
    matches!(item, ItemDoc::Lesson(_))
        .then(|| format!("/author/courses/{slug}/lessons/{}", item.key()))
}

/// Where an issue is, in words: "Phần 2: title › item title".
fn place(lang: Lang, doc: &CourseDoc, issue: &Issue) -> (String, Option<String>) {
    let t = crate::i18n::pages::texts(lang);
    let Some(m) = issue
        .loc
        .module
        .and_then(|m| doc.modules.get(m).map(|x| (m, x)))
    else {
        return (
            pick(lang, &doc.meta.title, &doc.meta.title_en).to_string(),
            None,
        );
    };
    let (mi, module) = m;
    let mut words = format!(
        "{} {}: {}",
        t.author_module,
        mi + 1,
        pick(lang, &module.meta.title, &module.meta.title_en)
    );
    let item = issue.loc.item.and_then(|i| module.items.get(i));
    if let Some(item) = item {
        words.push_str(" › ");
        words.push_str(item.title());
    }
    (words, item.and_then(|i| lesson_editor(&doc.slug, i)))
}

fn course_view(ctx: &Ctx, o: Overview, flash: String) -> CoursePage {
    let lang = ctx.lang;
    let t = ctx.t();
    let doc = &o.draft.doc;
    let slug = doc.slug.clone();
    let modules = doc
        .modules
        .iter()
        .map(|m| ModuleView {
            title: pick(lang, &m.meta.title, &m.meta.title_en).to_string(),
            items: m
                .items
                .iter()
                .map(|i| ItemView {
                    title: match i {
                        ItemDoc::Lesson(l) => {
                            pick(lang, &l.meta.title, &l.meta.title_en).to_string()
                        }
                        ItemDoc::Quiz(q) => format!("{}: {}", t.author_quiz, q.spec.title),
                    },
                    key: i.key().to_string(),
                    edit: lesson_editor(&slug, i),
                })
                .collect(),
        })
        .collect();
    let issues = o
        .issues
        .iter()
        .map(|i| {
            let (place, edit) = place(lang, doc, i);
            IssueView {
                path: i.path(),
                place,
                edit,
                message: i.message.clone(),
            }
        })
        .collect();
    CoursePage {
        c: ctx.chrome(pick(lang, &doc.meta.title, &doc.meta.title_en), true),
        title: pick(lang, &doc.meta.title, &doc.meta.title_en).to_string(),
        version: o.draft.row.draft_version,
        updated: when(o.draft.row.updated_at.and_utc()),
        flash,
        modules,
        issues,
        changes: o.unpublished_changes,
        releases: o
            .releases
            .iter()
            .map(|r| ReleaseView {
                number: r.number,
                at: when(r.published_at),
            })
            .collect(),
        slug,
    }
}

#[derive(Deserialize)]
pub(super) struct CourseQuery {
    published: Option<i32>,
    unchanged: Option<i32>,
}

async fn overview(ctx: &Ctx, slug: String) -> Result<Overview, PageError> {
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let pool = ctx.state.pool.clone();
    run_blocking(move || authoring::overview(&pool, &user, &slug))
        .await
        .map_err(|e| refused(lang, e))
}

pub(super) async fn course_page(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<CourseQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let o = overview(&ctx, path.into_inner()).await?;
    let t = ctx.t();
    let flash = match query.ok().map(|q| q.into_inner()) {
        Some(CourseQuery {
            published: Some(n), ..
        }) => format!("{} {n}.", t.author_published_flash),
        Some(CourseQuery {
            unchanged: Some(n), ..
        }) => format!("{} {n}.", t.author_unchanged_flash),
        _ => String::new(),
    };
    ctx.ok(&course_view(&ctx, o, flash))
}

/// "Xuất bản": the draft validated and frozen as a new release (the API's publish); when it has
/// problems (someone changed it since the page was shown), the page again with them.
pub(super) async fn publish(
    form: Form,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let slug = path.into_inner();
    let st = ctx.state.clone();
    let s = slug.clone();
    let res =
        run_blocking(move || authoring::publish(&st.pool, &st.writer, &st.catalogue, &user, &s))
            .await;
    match res {
        Ok(p) if p.created => {
            Ok(ctx.see_other(&format!("/author/courses/{slug}?published={}", p.number)))
        }
        Ok(p) => Ok(ctx.see_other(&format!("/author/courses/{slug}?unchanged={}", p.number))),
        Err(e) if e.code == Code::CourseInvalid => {
            let o = overview(ctx, slug).await?;
            ctx.render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &course_view(ctx, o, String::new()),
            )
        }
        Err(e) => Err(refused(lang, e)),
    }
}
