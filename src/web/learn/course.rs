//! A course: modules, items, strict-order locks and why; enrolling.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::{Chrome, Ctx, Form, PageError};
#[allow(unused_imports)]
use super::catalogue::{card_view, CardView};
use super::{item_href, pick, published};
use crate::content::ItemDoc;
use crate::learning::{enrolment, home, progress, ItemStatus};
use crate::telemetry::{run_blocking, run_writing};

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

pub(super) async fn course_page(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
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

pub(super) async fn enrol(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
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
