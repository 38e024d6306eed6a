//! "Lên" / "Xuống" on a course's page: each button is a small form posting the module's (or the
//! module's items') keys in their new order and the draft version the page was shown at, to the
//! use cases of the API's `PUT /courses/{slug}/modules` and `PUT …/modules/{module}/items`
//! (`authoring::reorder_modules_at` / `reorder_items_at`, with the version check). If someone
//! saved the draft since, nothing moves and the page (409) says so with the current order.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::super::{Ctx, Form, PageError};
use super::courses::{course_view, overview};
use crate::courses::authoring::{self, Draft};
use crate::error::{ApiResult, Code};
use crate::telemetry::run_blocking;

/// The posted version and keys; the "could not be read" page when they are not there.
fn read(form: &Form) -> Result<(i32, Vec<String>), PageError> {
    let lang = form.ctx.lang;
    let version = form
        .text("version")
        .trim()
        .parse::<i32>()
        .map_err(|_| PageError::bad_form(lang))?;
    let keys = form.all("keys");
    if keys.is_empty() {
        return Err(PageError::bad_form(lang));
    }
    Ok((version, keys))
}

/// Back to the course with the confirmation, or the page again saying why nothing moved.
async fn answer(ctx: &Ctx, slug: String, res: ApiResult<Draft>) -> Result<HttpResponse, PageError> {
    let t = ctx.t();
    let (status, why) = match res {
        Ok(d) => {
            return Ok(ctx.see_other(&format!(
                "/author/courses/{slug}?moved={}",
                d.row.draft_version
            )))
        }
        Err(e) if e.code == Code::EditConflict => (StatusCode::CONFLICT, t.author_move_conflict),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            (StatusCode::UNPROCESSABLE_ENTITY, t.author_move_stale)
        }
        Err(e) => return Err(PageError::hidden(ctx.lang, e)),
    };
    let o = overview(ctx, slug).await?;
    let mut page = course_view(ctx, o, String::new());
    page.move_error = Some(why);
    ctx.render(status, &page)
}

/// `POST /author/courses/{slug}/order`: the modules in the posted order.
pub(super) async fn modules(
    form: Form,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let (version, keys) = read(&form)?;
    let slug = path.into_inner();
    let (pool, s) = (ctx.state.pool.clone(), slug.clone());
    let res =
        run_blocking(move || authoring::reorder_modules_at(&pool, &user, &s, keys, Some(version)))
            .await;
    answer(ctx, slug, res).await
}

/// `POST /author/courses/{slug}/modules/{module}/order`: the module's items in the posted order.
pub(super) async fn items(
    form: Form,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = ctx.user().await?;
    let (version, keys) = read(&form)?;
    let (slug, module) = path.into_inner();
    let (pool, s) = (ctx.state.pool.clone(), slug.clone());
    let res = run_blocking(move || {
        authoring::reorder_items_at(&pool, &user, &s, &module, keys, Some(version))
    })
    .await;
    answer(ctx, slug, res).await
}
