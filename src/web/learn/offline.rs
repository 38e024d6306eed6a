//! What a kept course needs offline, and the queue of events sent when the connection returns.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::super::{Ctx, PageError};
#[allow(unused_imports)]
use super::catalogue::{card_view, CardView};
use super::{item_href, published};
use crate::learning::progress;
use crate::telemetry::run_writing;

/// The addresses a kept course needs offline: its page and every lesson page (the service
/// worker fetches and stores them), with their total size in bytes.
pub(super) async fn offline_list(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
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
pub(super) async fn offline_events(
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
