//! Quiz pages: the quiz's facts and the learner's attempts, the attempt as a form (every
//! question type by touch: radios, checkboxes, a text box, and selects for ordering and
//! matching), saving, a confirmation before submitting, and the result as the quiz's
//! `show_answers` allows. Grading stays on the server (`quiz::learner`).
//! The questions of the form, read back and put in words, are `questions`.

mod questions;

use std::collections::HashMap;

use actix_web::http::header::RETRY_AFTER;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use questions::{answers_of, question_view, solution_text, QuestionView};

use super::learn::pick;
use super::{day, Chrome, Ctx, Form, PageError};
use crate::auth::AuthUser;
use crate::certs::CertificateKind;
use crate::error::{ApiError, Code};
use crate::i18n::Lang;
use crate::quiz::attempts::Ctx as QuizCtx;
use crate::quiz::learner::{self, AttemptResponse};
use crate::quiz::{check_shown, Answer, AnswerProblem, AttemptStatus, ShownQuestion};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses/{slug}/quizzes/{key}", web::get().to(quiz_page))
        .route("/courses/{slug}/quizzes/{key}/start", web::post().to(start))
        .route("/attempts/{id}", web::get().to(attempt_page))
        .route("/attempts/{id}/save", web::post().to(save))
        .route("/attempts/{id}/submit", web::post().to(submit));
}

fn cx(state: &AppState) -> QuizCtx<'_> {
    QuizCtx {
        clock: &state.clock,
        catalogue: &state.catalogue,
    }
}

/// A refusal of the quiz pages in the page's language: attempts used up, how long to wait, the
/// attempt's time over, an attempt started meanwhile, answers refused (the page says which
/// answer and why before the use case does: [`answers_refused`]).
fn quiz_refusal(lang: Lang, e: &ApiError) -> String {
    let t = crate::i18n::pages::texts(lang);
    match e.code {
        Code::MaxAttemptsReached => t.no_attempts_left.to_string(),
        Code::CooldownActive => {
            let wait: i64 = e
                .headers
                .iter()
                .find(|(n, _)| *n == RETRY_AFTER)
                .and_then(|(_, v)| v.to_str().ok()?.parse().ok())
                .unwrap_or(60);
            let minutes = (wait + 59) / 60;
            match lang {
                Lang::Vi => format!("{} {minutes} phút nữa.", t.cooldown),
                Lang::En => format!("{} {minutes} minute(s).", t.cooldown),
            }
        }
        Code::AttemptClosed => t.attempt_time_over.to_string(),
        Code::AttemptSubmitted => t.attempt_already_submitted.to_string(),
        Code::Conflict => t.attempt_started_meanwhile.to_string(),
        Code::ValidationFailed => t.answer_refused.to_string(),
        _ => super::message_of(lang, e),
    }
}

/// What is wrong with a refused answer, in the page's language.
fn answer_problem(lang: Lang, p: AnswerProblem) -> &'static str {
    let t = crate::i18n::pages::texts(lang);
    match p {
        AnswerProblem::NotInAttempt => t.answer_not_in_attempt,
        AnswerProblem::WrongField => t.answer_wrong_field,
        AnswerProblem::UnknownOption => t.answer_unknown_option,
        AnswerProblem::ChosenTwice => t.answer_chosen_twice,
        AnswerProblem::TooLong => t.answer_too_long,
        AnswerProblem::OrderIncomplete => t.answer_order_incomplete,
        AnswerProblem::MatchedTwice => t.answer_matched_twice,
    }
}

/// The answers of a posted form the use case would refuse, checked against the questions shown
/// ([`check_shown`], the rule `save_answers` applies): per refused question its id and what is
/// wrong in the page's language. The use case checks again; this only says it in words.
fn answers_refused(
    lang: Lang,
    questions: &[ShownQuestion],
    answers: &[Answer],
) -> Vec<(String, String)> {
    answers
        .iter()
        .filter_map(|a| {
            check_shown(questions, a).err().map(|r| {
                (
                    a.question.clone(),
                    answer_problem(lang, r.problem).to_string(),
                )
            })
        })
        .collect()
}

// ---------------------------------------------------------------- the quiz

struct PastAttempt {
    number: i32,
    href: String,
    open: bool,
    score: String,
    passed: Option<bool>,
    date: String,
}

#[derive(Template)]
#[template(path = "quiz.html")]
struct QuizPage {
    c: Chrome,
    slug: String,
    key: String,
    course_title: String,
    title: String,
    questions: u32,
    pass_mark: u32,
    minutes: Option<u32>,
    attempts_left: Option<u32>,
    open_attempt: Option<String>,
    attempts: Vec<PastAttempt>,
    passed: bool,
    /// The best score so far (`87%`), when an attempt is graded.
    best: Option<String>,
    /// The best score is 100 %: nothing to try again, the course is the way on.
    perfect: bool,
    error: String,
}

async fn quiz_page(ctx: Ctx, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let (slug, key) = path.into_inner();
    render_quiz(&ctx, &slug, &key, String::new()).await
}

async fn render_quiz(
    ctx: &Ctx,
    slug: &str,
    key: &str,
    error: String,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let quiz_id = format!("{slug}.{key}");
    let (course, key) = learner::served_quiz(&ctx.state.catalogue, &quiz_id)
        .map_err(|e| PageError::from_api(lang, e))?;
    let user = ctx.user().await?;
    let spec = course
        .content
        .doc
        .quiz(&key)
        .ok_or_else(|| PageError::not_found(lang))?;
    let state = ctx.state.clone();
    let id = quiz_id.clone();
    let history = run_blocking(move || learner::history(&state.pool, cx(&state), user, id))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    let open_attempt = history
        .attempts
        .iter()
        .find(|a| a.status == AttemptStatus::Open)
        .map(|a| format!("/attempts/{}", a.id));
    let attempts = history
        .attempts
        .iter()
        .map(|a| PastAttempt {
            number: a.number,
            href: format!("/attempts/{}", a.id),
            open: a.status == AttemptStatus::Open,
            score: a.score.map(|s| format!("{s:.0}%")).unwrap_or_default(),
            passed: a.passed,
            date: day(lang, a.started_at.naive_utc()),
        })
        .collect();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    ctx.render(
        status,
        &QuizPage {
            c: ctx.chrome(pick(lang, &spec.title, &spec.title_en), true),
            slug: slug.to_string(),
            key: key.clone(),
            course_title: pick(lang, &course.card.title, &course.card.title_en).to_string(),
            title: pick(lang, &spec.title, &spec.title_en).to_string(),
            questions: spec.questions_per_attempt,
            pass_mark: spec.pass_mark,
            minutes: spec.time_limit_seconds.map(|s| s.div_ceil(60)),
            attempts_left: history.attempts_left,
            open_attempt,
            attempts,
            passed: history.passed,
            best: history.best_score.map(|s| format!("{s:.0}%")),
            perfect: history.best_score.is_some_and(|s| s >= 100.0),
            error,
        },
    )
}

async fn start(form: Form, path: web::Path<(String, String)>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let (slug, key) = path.into_inner();
    let quiz_id = format!("{slug}.{key}");
    let (course, key_checked) = learner::served_quiz(&ctx.state.catalogue, &quiz_id)
        .map_err(|e| PageError::from_api(lang, e))?;
    let user = ctx.user().await?;
    let state = ctx.state.clone();
    let result = run_writing(&ctx.state.clone(), move |conn| {
        learner::start(conn, cx(&state), user, &course, &key_checked, &quiz_id)
    })
    .await;
    match result {
        Ok((attempt, _)) => Ok(ctx.see_other(&format!("/attempts/{}", attempt.id))),
        Err(e) if e.status.is_client_error() => {
            render_quiz(ctx, &slug, &key, quiz_refusal(lang, &e)).await
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- the attempt

#[derive(Template)]
#[template(path = "attempt.html")]
struct AttemptPage {
    c: Chrome,
    id: String,
    quiz_href: String,
    course_href: String,
    number: i32,
    open: bool,
    deadline: String,
    deadline_iso: String,
    questions: Vec<QuestionView>,
    saved_flash: bool,
    error: String,
    /// Submitted: score, passed, pass mark, late
    score: String,
    passed: bool,
    pass_mark: u32,
    late: bool,
    answers_shown: bool,
    /// Every answer right (100 %): nothing to try again, the course is the way on.
    perfect: bool,
    certificate: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    c: Chrome,
    id: String,
    unanswered: Vec<usize>,
}

#[derive(Deserialize)]
struct AttemptQuery {
    saved: Option<String>,
    cert: Option<String>,
}

async fn load(ctx: &Ctx, user: AuthUser, id: String) -> Result<AttemptResponse, PageError> {
    let lang = ctx.lang;
    let state = ctx.state.clone();
    run_blocking(move || learner::get(&state.pool, cx(&state), user, &id))
        .await
        .map_err(|e| PageError::from_api(lang, e))
}

/// What a refused form showed again: the answers as posted (over the saved ones) and, per
/// refused question id, what is wrong.
#[derive(Default)]
struct Refused<'a> {
    typed: &'a [Answer],
    problems: Vec<(String, String)>,
}

fn attempt_view(
    ctx: &Ctx,
    a: &AttemptResponse,
    saved_flash: bool,
    error: String,
    certificate: Option<String>,
    refused: Refused<'_>,
) -> AttemptPage {
    let lang = ctx.lang;
    let (slug, key) = a.quiz.split_once('.').unwrap_or((&a.quiz, ""));
    let by_q: HashMap<&str, &Answer> = a
        .answers
        .iter()
        .chain(refused.typed)
        .map(|x| (x.question.as_str(), x))
        .collect();
    let results: HashMap<&str, &crate::quiz::QuestionResult> = a
        .result
        .iter()
        .flat_map(|r| r.questions.iter())
        .map(|r| (r.question.as_str(), r))
        .collect();
    let questions = a
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut v = question_view(lang, i + 1, q, by_q.get(q.id.as_str()).copied());
            if let Some((_, problem)) = refused.problems.iter().find(|(id, _)| *id == q.id) {
                v.error = problem.clone();
            }
            v.result = results.get(q.id.as_str()).map(|r| {
                (
                    r.correct,
                    r.explanation.clone().unwrap_or_default(),
                    r.solution
                        .as_ref()
                        .map(|s| solution_text(q, s, lang))
                        .unwrap_or_default(),
                )
            });
            v
        })
        .collect();
    let title = ctx
        .state
        .catalogue
        .get(slug)
        .and_then(|c| {
            c.content
                .doc
                .quiz(key)
                .map(|s| pick(lang, &s.title, &s.title_en).to_string())
        })
        .unwrap_or_else(|| ctx.t().quiz_title.to_string());
    AttemptPage {
        c: ctx.chrome(title, true),
        id: a.id.clone(),
        quiz_href: format!("/courses/{slug}/quizzes/{key}"),
        course_href: format!("/courses/{slug}"),
        number: a.number,
        open: a.status == AttemptStatus::Open,
        deadline: a.deadline_at.map(super::hour).unwrap_or_default(),
        deadline_iso: a.deadline_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
        questions,
        saved_flash,
        error,
        score: a
            .result
            .as_ref()
            .map(|r| format!("{:.0}%", r.score))
            .unwrap_or_default(),
        passed: a.result.as_ref().is_some_and(|r| r.passed),
        pass_mark: a.result.as_ref().map(|r| r.pass_mark).unwrap_or(0),
        late: a.late,
        answers_shown: a.result.as_ref().is_some_and(|r| r.answers_shown),
        perfect: a.result.as_ref().is_some_and(|r| r.score >= 100.0),
        certificate,
    }
}

async fn attempt_page(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<AttemptQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let a = load(&ctx, user, path.into_inner()).await?;
    let (saved, cert) = match query {
        Ok(q) => (q.saved.is_some(), q.cert.clone()),
        Err(_) => (false, None),
    };
    let certificate = cert
        .filter(|s| crate::certs::parse_serial(s).is_some())
        .map(|s| format!("/my/certificates/{s}"));
    ctx.ok(&attempt_view(
        &ctx,
        &a,
        saved,
        String::new(),
        certificate,
        Refused::default(),
    ))
}

/// Saves the answers; `action=review` then shows the confirmation. A script saving as the
/// learner answers (header `X-CSRF-Token`) gets 204.
async fn save(
    form: Form,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let id = path.into_inner();
    let scripted = req.headers().contains_key("x-csrf-token");
    // A script's refusal: its words alone, which it shows where "saved" would be.
    let words = |status: StatusCode, words: String| {
        Ok(ctx.finish(
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(words),
        ))
    };
    let current = load(ctx, user.clone(), id.clone()).await?;
    if current.status != AttemptStatus::Open {
        if scripted {
            let t = ctx.t();
            let why = if current.late {
                t.attempt_time_over
            } else {
                t.attempt_already_submitted
            };
            return words(StatusCode::CONFLICT, why.to_string());
        }
        return Ok(ctx.see_other(&format!("/attempts/{id}")));
    }
    let answers = answers_of(&form, &current.questions);
    let problems = answers_refused(lang, &current.questions, &answers);
    if !problems.is_empty() {
        // Nothing saved; said in the page's language beside each question refused, with what
        // was chosen kept, and above: which questions to look at again. A script saving as the
        // learner answers gets the words alone ("Câu 2: …"), which it shows as its status.
        let t = ctx.t();
        let number = |id: &str| {
            current
                .questions
                .iter()
                .position(|q| q.id == id)
                .map(|i| i + 1)
        };
        if scripted {
            let said = problems
                .iter()
                .map(|(id, p)| match number(id) {
                    Some(n) => format!("{} {n}: {p}", t.question),
                    None => p.clone(),
                })
                .collect::<Vec<_>>()
                .join(" ");
            return words(StatusCode::UNPROCESSABLE_ENTITY, said);
        }
        let numbers: Vec<String> = problems
            .iter()
            .filter_map(|(id, _)| number(id))
            .map(|n| n.to_string())
            .collect();
        let mut error = t.answer_refused.to_string();
        if !numbers.is_empty() {
            error = format!("{error} {} {}.", t.answer_look_again, numbers.join(", "));
        }
        let page = attempt_view(
            ctx,
            &current,
            false,
            error,
            None,
            Refused {
                typed: &answers,
                problems,
            },
        );
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let state = ctx.state.clone();
    let aid = id.clone();
    let result = run_writing(&ctx.state.clone(), move |conn| {
        learner::save_answers(conn, cx(&state), user, &aid, answers)
    })
    .await;
    match result {
        Ok(_) if scripted => Ok(ctx.finish(HttpResponse::NoContent().finish())),
        Ok(a) if form.get("action") == Some("review") => {
            let answered: std::collections::HashSet<&str> =
                a.answers.iter().map(|x| x.question.as_str()).collect();
            let unanswered = a
                .questions
                .iter()
                .enumerate()
                .filter(|(_, q)| !answered.contains(q.id.as_str()))
                .map(|(i, _)| i + 1)
                .collect();
            ctx.ok(&ConfirmPage {
                c: ctx.chrome(ctx.t().submit_confirm_title, true),
                id,
                unanswered,
            })
        }
        Ok(_) => Ok(ctx.see_other(&format!("/attempts/{id}?saved=1"))),
        Err(e) if scripted && e.status.is_client_error() => words(e.status, quiz_refusal(lang, &e)),
        // Submitted meanwhile, or its time ran out (graded): the result says so.
        Err(e) if matches!(e.code, Code::AttemptSubmitted | Code::AttemptClosed) => {
            Ok(ctx.see_other(&format!("/attempts/{id}")))
        }
        Err(e) if e.status.is_client_error() => {
            let error = quiz_refusal(lang, &e);
            let page = attempt_view(ctx, &current, false, error, None, Refused::default());
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

async fn submit(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let id = path.into_inner();
    let state = ctx.state.clone();
    let aid = id.clone();
    let result = run_writing(&ctx.state.clone(), move |conn| {
        learner::submit(conn, cx(&state), &state.completion(), user, &aid)
    })
    .await;
    match result {
        Ok(a) => {
            let to = match a
                .certificates_issued
                .iter()
                .find(|c| c.kind == CertificateKind::Course)
            {
                Some(c) => format!("/attempts/{id}?cert={}", c.serial),
                None => format!("/attempts/{id}"),
            };
            Ok(ctx.see_other(&to))
        }
        Err(e) if e.status.is_client_error() && e.status.as_u16() == 409 => {
            Ok(ctx.see_other(&format!("/attempts/{id}")))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}
