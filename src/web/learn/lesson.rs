//! A lesson and "Tôi đã học xong bài này".

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::{Chrome, Ctx, Form, PageError};
#[allow(unused_imports)]
use super::catalogue::{card_view, CardView};
use super::{item_href, pick, published};
use crate::content::ItemDoc;
use crate::learning::{progress, CourseStatus, LessonStatus, ProgressEvent};
use crate::telemetry::run_writing;

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
pub(super) struct LessonQuery {
    done: Option<String>,
}

/// The lesson: public like the API's lesson (no session read), so that it is served from
/// memory; "learned" is a form the server checks.
pub(super) async fn lesson_page(
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
pub(super) async fn lesson_done(
    form: Form,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let (slug, key) = path.into_inner();
    let course = published(ctx, &slug)?;
    let event = ProgressEvent {
        // The page's script sends the id it also queues offline: a post that reached us but
        // lost its answer is then a duplicate when the queue comes, never a second event.
        client_event_id: form
            .get("event_id")
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
            .unwrap_or_else(uuid::Uuid::new_v4)
            .to_string(),
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
            render_lesson(ctx, &slug, &key, false, crate::web::message_of(lang, &e))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}
