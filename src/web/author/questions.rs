//! A quiz's questions edited, one form a question: its prompt and explanation, saved with the
//! API's `PUT /courses/{slug}/quizzes/{key}/questions/{question}` use case
//! (`courses::quizzes::replace_question`, the rest of the question kept as it is) and the
//! draft version the page was shown at: if someone saved the draft since, nothing is saved and
//! the form says so, keeping what was typed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::learn::pick;
use super::super::{field_errors, is_validation, message_of, Chrome, Ctx, Form, PageError};
use crate::auth::AuthUser;
use crate::content::validate::quiz_issues;
use crate::content::QuizDoc;
use crate::courses::authoring::Draft;
use crate::courses::quizzes;
use crate::error::Code;
use crate::telemetry::run_blocking;

struct QuestionForm {
    key: String,
    kind: String,
    prompt: String,
    explanation: String,
    prompt_error: String,
    explanation_error: String,
    /// Someone saved the draft after this form was shown.
    conflict: bool,
}

#[derive(Template)]
#[template(path = "author_questions.html")]
struct QuestionsPage {
    c: Chrome,
    slug: String,
    key: String,
    course_title: String,
    title: String,
    version: i32,
    saved: Option<String>,
    questions: Vec<QuestionForm>,
}

fn quiz_of(draft: &Draft, key: &str) -> Option<QuizDoc> {
    draft.doc.quizzes().find(|q| q.key == key).cloned()
}

/// The draft (for its authors) and its quiz `key`; the 404 page otherwise.
async fn load(
    ctx: &Ctx,
    user: AuthUser,
    slug: &str,
    key: &str,
) -> Result<(Draft, QuizDoc), PageError> {
    super::draft_with(ctx, user, slug, |d| quiz_of(d, key)).await
}

fn page(ctx: &Ctx, draft: &Draft, quiz: &QuizDoc) -> QuestionsPage {
    let t = ctx.t();
    QuestionsPage {
        c: ctx.chrome(
            format!("{}: {}", t.author_questions_title, quiz.spec.title),
            true,
        ),
        slug: draft.doc.slug.clone(),
        key: quiz.key.clone(),
        course_title: pick(ctx.lang, &draft.doc.meta.title, &draft.doc.meta.title_en).to_string(),
        title: quiz.spec.title.clone(),
        version: draft.row.draft_version,
        saved: None,
        questions: quiz
            .spec
            .questions
            .iter()
            .map(|q| QuestionForm {
                key: q.key.clone(),
                kind: q.kind.clone(),
                prompt: q.prompt.clone(),
                explanation: q.explanation.clone(),
                prompt_error: String::new(),
                explanation_error: String::new(),
                conflict: false,
            })
            .collect(),
    }
}

#[derive(Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

/// `GET /author/courses/{slug}/quizzes/{key}`.
pub(super) async fn questions_page(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    query: Result<web::Query<SavedQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let (slug, key) = path.into_inner();
    let (draft, quiz) = load(&ctx, user, &slug, &key).await?;
    let mut p = page(&ctx, &draft, &quiz);
    p.saved = query
        .ok()
        .and_then(|q| q.into_inner().saved)
        .filter(|s| p.questions.iter().any(|q| &q.key == s));
    ctx.ok(&p)
}

/// `POST /author/courses/{slug}/quizzes/{key}/questions/{question}`.
pub(super) async fn question_post(
    form: Form,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let t = ctx.t();
    let user = ctx.user().await?;
    let (slug, key, qkey) = path.into_inner();
    let Ok(version) = form.text("version").trim().parse::<i32>() else {
        return Err(PageError::bad_form(lang));
    };
    let (draft, quiz) = load(ctx, user.clone(), &slug, &key).await?;
    let Some(question) = quiz.spec.questions.iter().find(|q| q.key == qkey) else {
        return Err(PageError::not_found(lang));
    };
    let (prompt, explanation) = (form.text("prompt"), form.text("explanation"));
    let mut p = page(ctx, &draft, &quiz);
    let i = p.questions.iter().position(|q| q.key == qkey).unwrap_or(0);
    p.questions[i].prompt = prompt.clone();
    p.questions[i].explanation = explanation.clone();
    if prompt.trim().is_empty() {
        p.questions[i].prompt_error = t.err_required.to_string();
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let mut changed = question.clone();
    changed.prompt = prompt.trim().to_string();
    changed.explanation = explanation.trim().to_string();
    // The validator's rule for the quiz (`replace_question` applies it again), in its words:
    // this question's problems beside their field, any other one (with its place) under the
    // prompt.
    let mut spec = quiz.spec.clone();
    let qi = spec.questions.iter().position(|q| q.key == qkey);
    if let Some(at) = qi {
        spec.questions[at] = changed.clone();
    }
    let issues = quiz_issues(&quiz.key, &spec, false);
    if !issues.is_empty() {
        let form = &mut p.questions[i];
        for issue in &issues {
            let words = super::said(lang, issue);
            let (slot, words) = match (issue.loc.question == qi, issue.loc.field) {
                (true, Some("explanation")) => (&mut form.explanation_error, words),
                (true, _) => (&mut form.prompt_error, words),
                (false, _) => (&mut form.prompt_error, format!("{}: {words}", issue.path())),
            };
            if !slot.is_empty() {
                slot.push_str(" · ");
            }
            slot.push_str(&words);
        }
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let pool = ctx.state.pool.clone();
    let (s, k, q) = (slug.clone(), key.clone(), qkey.clone());
    let res = run_blocking(move || {
        quizzes::replace_question(&pool, &user, &s, &k, &q, changed, Some(version))
    })
    .await;
    match res {
        Ok(_) => Ok(ctx.see_other(&format!(
            "/author/courses/{slug}/quizzes/{key}?saved={qkey}#q-{qkey}"
        ))),
        Err(e) if e.code == Code::EditConflict => {
            // Nothing saved: what was typed stays; the forms now carry the current version.
            p.questions[i].conflict = true;
            ctx.render(StatusCode::CONFLICT, &p)
        }
        Err(e) if is_validation(&e) => {
            for (field, message) in field_errors(lang, &e) {
                let slot = if field.ends_with("explanation") {
                    &mut p.questions[i].explanation_error
                } else {
                    &mut p.questions[i].prompt_error
                };
                if slot.is_empty() {
                    *slot = message;
                }
            }
            if p.questions[i].prompt_error.is_empty() && p.questions[i].explanation_error.is_empty()
            {
                p.questions[i].prompt_error = message_of(lang, &e);
            }
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(PageError::hidden(lang, e)),
    }
}
