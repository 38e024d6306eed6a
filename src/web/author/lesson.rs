//! A lesson's Markdown edited in a form: "Xem trước" shows it rendered and sanitized by the very
//! function that renders lessons for learners at publish time; "Lưu" saves it to the draft if
//! nobody saved the draft since the form was loaded (the form carries that version). On a
//! conflict the author's text stays in the form, with the saved text beside it to compare.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::learn::pick;
use super::super::{field_errors, is_validation, Chrome, Ctx, Errors, Form, PageError};
use crate::auth::AuthUser;
use crate::content::files::normalize_body;
use crate::content::render::markdown_to_html;
use crate::content::validate::lesson_issues;
use crate::content::LessonDoc;
use crate::courses::authoring::{self, Draft, LessonPatch};
use crate::error::Code;
use crate::telemetry::run_blocking;

#[derive(Template)]
#[template(path = "author_lesson.html")]
struct LessonPage {
    c: Chrome,
    slug: String,
    key: String,
    course_title: String,
    title: String,
    minutes: u32,
    /// What the textarea holds.
    body: String,
    /// The draft version the form was loaded at (a save is refused if the draft moved on).
    version: i32,
    saved: Option<i32>,
    /// The sanitized HTML learners would see, after "Xem trước".
    preview: Option<String>,
    /// After a conflicting save: the text saved in the draft now.
    conflict: Option<String>,
    errs: Errors,
}

fn lesson_of(draft: &Draft, key: &str) -> Option<LessonDoc> {
    draft.doc.lessons().find(|l| l.key == key).cloned()
}

/// The draft (for its authors) and its lesson `key`; the 404 page otherwise.
async fn load(
    ctx: &Ctx,
    user: AuthUser,
    slug: &str,
    key: &str,
) -> Result<(Draft, LessonDoc), PageError> {
    super::draft_with(ctx, user, slug, |d| lesson_of(d, key)).await
}

fn page(ctx: &Ctx, draft: &Draft, lesson: &LessonDoc) -> LessonPage {
    let lang = ctx.lang;
    let title = pick(lang, &lesson.meta.title, &lesson.meta.title_en).to_string();
    LessonPage {
        c: ctx.chrome(format!("{}: {title}", ctx.t().author_lesson_title), true),
        slug: draft.doc.slug.clone(),
        key: lesson.key.clone(),
        course_title: pick(lang, &draft.doc.meta.title, &draft.doc.meta.title_en).to_string(),
        title,
        minutes: lesson.meta.estimated_minutes,
        body: lesson.body.clone(),
        version: draft.row.draft_version,
        saved: None,
        preview: None,
        conflict: None,
        errs: Errors::default(),
    }
}

#[derive(Deserialize)]
pub(super) struct LessonQuery {
    saved: Option<i32>,
}

pub(super) async fn lesson_page(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    query: Result<web::Query<LessonQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let (slug, key) = path.into_inner();
    let (draft, lesson) = load(&ctx, user, &slug, &key).await?;
    let mut p = page(&ctx, &draft, &lesson);
    p.saved = query.ok().and_then(|q| q.saved);
    ctx.ok(&p)
}

/// "Xem trước" (`do=preview`) or "Lưu" (`do=save`).
pub(super) async fn lesson_post(
    form: Form,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let (slug, key) = path.into_inner();
    let body = form.text("body");
    let Ok(version) = form.text("version").trim().parse::<i32>() else {
        return Err(PageError::bad_form(lang));
    };
    let (draft, lesson) = load(ctx, user.clone(), &slug, &key).await?;
    let mut p = page(ctx, &draft, &lesson);
    p.body = body.clone();
    p.version = version;
    if form.get("do") != Some("save") {
        p.preview = Some(markdown_to_html(&body));
        return ctx.ok(&p);
    }
    if body.trim().is_empty() {
        p.errs.push("body", ctx.t().err_required);
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    // The validator's rule for a lesson (`update_lesson_at` applies it again), in its words.
    let mut typed = lesson.clone();
    typed.body = normalize_body(&body);
    let issues = lesson_issues(&typed);
    if !issues.is_empty() {
        let words: Vec<String> = issues.iter().map(|i| super::said(lang, i)).collect();
        p.errs.push("body", words.join(" · "));
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let pool = ctx.state.pool.clone();
    let (s, k) = (slug.clone(), key.clone());
    let patch = LessonPatch {
        title: None,
        title_en: None,
        estimated_minutes: None,
        competences: None,
        optional: None,
        video_url: None,
        transcript: None,
        sources: None,
        body: Some(body),
    };
    let res = run_blocking(move || {
        authoring::update_lesson_at(&pool, &user, &s, &k, patch, Some(version))
    })
    .await;
    match res {
        Ok(d) => Ok(ctx.see_other(&format!(
            "/author/courses/{slug}/lessons/{key}?saved={}",
            d.row.draft_version
        ))),
        Err(e) if e.code == Code::EditConflict => {
            // Nothing was saved: the author's text stays in the form; the saved text beside it,
            // and the form now carries the current version (saving again replaces it, knowingly).
            p.conflict = Some(lesson.body.clone());
            p.version = draft.row.draft_version;
            ctx.render(StatusCode::CONFLICT, &p)
        }
        Err(e) if is_validation(&e) => {
            p.errs = Errors(field_errors(lang, &e));
            if p.errs.of("body").is_empty() {
                p.errs.push("body", super::super::message_of(lang, &e));
            }
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(PageError::hidden(lang, e)),
    }
}
