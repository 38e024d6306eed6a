//! Who needs help (and why), and the questions the learners of my villages find hardest.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::{day, Chrome, Ctx, PageError};
use super::{pick, staff_user};
use crate::community::help;
use crate::community::Db;
use crate::i18n::pages::Texts;
use crate::telemetry::run_blocking;

// ---------------------------------------------------------------- needs help

fn reason_name(t: &Texts, v: &str) -> &'static str {
    match v {
        "inactive" => t.help_inactive,
        "never_started" => t.help_never_started,
        "failed_quiz_twice" => t.help_failed_quiz_twice,
        "stuck_on_lesson" => t.help_stuck_on_lesson,
        _ => "",
    }
}

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
pub(super) struct HelpQuery {
    days: Option<i64>,
}

pub(super) async fn help_page(
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
    let list = run_blocking(move || {
        st.read_stale_on(|pool| {
            help::needs_help(&Db::reading_on(pool, &st), &st.clock, &user, days)
        })
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    let people = list
        .into_iter()
        .map(|n| HelpView {
            href: format!("/staff/residents/{}", n.resident.user_id),
            name: n.resident.display_name,
            reasons: n.reasons.iter().map(|r| reason_name(t, r)).collect(),
            last_activity: n
                .resident
                .last_activity_at
                .map(|d| day(lang, d))
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
pub(super) async fn questions_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let st = ctx.state.clone();
    let list = run_blocking(move || {
        st.read_stale_on(|pool| {
            help::difficult_questions(&Db::reading_on(pool, &st), &st.catalogue, &user)
        })
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
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
