//! The authoring pages of instructors: the courses they may edit and their drafts, a lesson's
//! Markdown edited with a preview rendered as learners see it and saved with the optimistic
//! version check, the draft checked and published, and its releases. They call the use cases of
//! `courses::authoring` (the same as `/api/v1/courses/{slug}/…`) with the same access decisions:
//! what the API refuses (403 to someone who may not edit the course, 404 for no such course or
//! lesson) is this site's 404 here.
//!
//! `courses` holds the list and a course's page (check, publish, releases); `order` its "Lên" /
//! "Xuống" buttons (modules and items reordered); `lesson` the lesson editor; `questions` a quiz's
//! questions edited; `stats` a quiz's statistics with their chart.

mod courses;
mod lesson;
mod order;
mod questions;
mod stats;

use actix_web::web;

use super::{Ctx, PageError};
use crate::auth::AuthUser;
use crate::content::validate::Issue;
use crate::courses::authoring::{self, Draft};
use crate::i18n::Lang;
use crate::telemetry::run_blocking;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/author", web::get().to(courses::courses_page))
        .route(
            "/author/courses/{slug}",
            web::get().to(courses::course_page),
        )
        .route(
            "/author/courses/{slug}/publish",
            web::post().to(courses::publish),
        )
        .route(
            "/author/courses/{slug}/order",
            web::post().to(order::modules),
        )
        .route(
            "/author/courses/{slug}/modules/{module}/order",
            web::post().to(order::items),
        )
        .route(
            "/author/courses/{slug}/quizzes/{key}",
            web::get().to(questions::questions_page),
        )
        .route(
            "/author/courses/{slug}/quizzes/{key}/questions/{question}",
            web::post().to(questions::question_post),
        )
        .route(
            "/author/courses/{slug}/quizzes/{key}/stats",
            web::get().to(stats::stats_page),
        )
        .route(
            "/author/courses/{slug}/lessons/{key}",
            web::get().to(lesson::lesson_page),
        )
        .route(
            "/author/courses/{slug}/lessons/{key}/save",
            web::post().to(lesson::lesson_post),
        );
}

/// The draft of `slug` for one of its authors and the part of it `find` picks (a lesson, a
/// quiz); the 404 page when there is no such course or part, or the user may not edit it.
async fn draft_with<T>(
    ctx: &Ctx,
    user: AuthUser,
    slug: &str,
    find: impl FnOnce(&Draft) -> Option<T>,
) -> Result<(Draft, T), PageError> {
    let lang = ctx.lang;
    let pool = ctx.state.pool.clone();
    let s = slug.to_string();
    let draft = run_blocking(move || authoring::get(&pool, &user, &s))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    let part = find(&draft).ok_or_else(|| PageError::not_found(lang))?;
    Ok((draft, part))
}

/// The validator's sentence in the page's language (`message_vi` on the Vietnamese page); the
/// editors check what was typed with the use case's own rule before calling it, so that the
/// author reads the validator's words beside the field, not the API's English.
fn said(lang: Lang, i: &Issue) -> String {
    super::pick(lang, &i.message_vi, &i.message).to_string()
}

/// A moment as the authoring pages show it (Vietnam's time, to the minute).
fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    super::clock(at)
}
