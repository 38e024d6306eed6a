//! Erasure of one's own data (`/privacy/erasure`): what it does, the request with the password
//! again, and cancelling it during the grace period. The same use cases as `/api/v1/me/erasure`
//! (src/privacy/erasure.rs, docs/PRIVACY.md).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{day, Chrome, Ctx, Errors, Form, PageError};
use crate::accounts::Accounts;
use crate::error::Code;
use crate::privacy::erasure::{self, ErasureStatus};
use crate::telemetry::{run_blocking, run_writing};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/privacy/erasure", web::get().to(page))
        .route("/privacy/erasure", web::post().to(request))
        .route("/privacy/erasure/cancel", web::post().to(cancel));
}

#[derive(Template)]
#[template(path = "erasure.html")]
struct ErasurePage {
    c: Chrome,
    /// The day the data is erased, when a request waits.
    due: String,
    /// The request was made by staff on the person's written request.
    by_staff: bool,
    grace_days: i64,
    errs: Errors,
    notice: &'static str,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
}

fn render(
    ctx: &Ctx,
    s: ErasureStatus,
    errs: Errors,
    notice: &'static str,
) -> Result<HttpResponse, PageError> {
    let status = if errs.any() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    let pending = s.pending;
    ctx.render(
        status,
        &ErasurePage {
            c: ctx.chrome(ctx.t().erasure_title, true),
            due: pending
                .as_ref()
                .map(|p| day(ctx.lang, p.due_at))
                .unwrap_or_default(),
            by_staff: pending.as_ref().is_some_and(|p| p.requested_by == "staff"),
            grace_days: s.grace_days,
            errs,
            notice,
        },
    )
}

async fn status(ctx: &Ctx) -> Result<ErasureStatus, PageError> {
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let (pool, grace) = (
        ctx.state.pool.clone(),
        ctx.state.settings.erasure_grace_days,
    );
    run_blocking(move || erasure::my_erasure(&mut *pool.get()?, &user, grace))
        .await
        .map_err(|e| PageError::from_api(lang, e))
}

async fn page(
    ctx: Ctx,
    query: Result<web::Query<PageQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let t = ctx.t();
    let notice = match query.ok().and_then(|q| q.into_inner().done).as_deref() {
        Some("asked") => t.erasure_asked_done,
        Some("cancelled") => t.erasure_cancelled_done,
        _ => "",
    };
    let s = status(&ctx).await?;
    render(&ctx, s, Errors::default(), notice)
}

async fn request(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let password = form.text("password");
    let state = ctx.state.clone();
    let result = run_blocking(move || {
        erasure::request_own(&Accounts::of(&state), &user, &password, state.clock.now())
    })
    .await;
    match result {
        Ok(_) => Ok(ctx.see_other("/privacy/erasure?done=asked")),
        Err(e) if e.status.is_client_error() => {
            let t = ctx.t();
            let mut errs = Errors::default();
            match e.code {
                Code::WrongPassword => errs.push("password", t.erasure_wrong_password),
                Code::ErasureHoldsRole => errs.push("password", t.erasure_holds_role),
                // Asked meanwhile (another tab): the page shows it.
                Code::ErasureRequested => return Ok(ctx.see_other("/privacy/erasure")),
                _ => errs.push("password", t.erasure_password_required),
            }
            let s = status(ctx).await?;
            render(ctx, s, errs, "")
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

async fn cancel(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let (now, grace) = (ctx.state.clock.now(), ctx.state.settings.erasure_grace_days);
    match run_writing(&ctx.state, move |conn| {
        erasure::cancel_own(conn, &user, now, grace)
    })
    .await
    {
        Ok(_) => Ok(ctx.see_other("/privacy/erasure?done=cancelled")),
        // Nothing waits any more (cancelled in another tab): the page says so.
        Err(e) if e.status == actix_web::http::StatusCode::NOT_FOUND => {
            Ok(ctx.see_other("/privacy/erasure"))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}
