//! Residents imported from a CSV upload (admins of the area): the form, and the report line by
//! line.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::super::{half, is_validation, message_of, Chrome, Ctx, PageError};
use super::staff_user;
use crate::community::imports;
use crate::community::Db;
use crate::telemetry::run_blocking;

struct ImportLine {
    line: usize,
    outcome: &'static str,
    message: String,
}

struct ImportView {
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
    applied: bool,
    lines: Vec<ImportLine>,
}

#[derive(Template)]
#[template(path = "staff_import.html")]
struct ImportPage {
    c: Chrome,
    all_or_nothing: bool,
    error: String,
    report: Option<ImportView>,
}

pub(super) async fn import_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    imports::may_import(&user).map_err(|e| PageError::hidden(ctx.lang, e))?;
    let t = ctx.t();
    ctx.ok(&ImportPage {
        c: ctx.chrome(t.staff_import_title, true),
        all_or_nothing: false,
        error: String::new(),
        report: None,
    })
}

/// The fields of the import form: the CSRF token, the file and the mode.
#[derive(Default)]
struct ImportForm {
    csrf: String,
    file: Option<web::Bytes>,
    all_or_nothing: bool,
}

/// Reads the `multipart/form-data` body (already within the server's body limit,
/// `max_body_bytes`, as the API's upload); `None` when it is not such a form.
async fn import_form(req: &HttpRequest, body: web::Bytes) -> Option<ImportForm> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.ok()? {
        match field.name() {
            Some("csrf") => form.csrf = field.text().await.ok()?,
            Some("mode") => form.all_or_nothing = field.text().await.ok()? == "all_or_nothing",
            Some("file") => {
                let bytes = field.bytes().await.ok()?;
                form.file = (!bytes.is_empty()).then_some(bytes);
            }
            _ => {}
        }
    }
    Some(form)
}

/// Imports the uploaded CSV with `community::imports::import_residents` (as
/// `POST /api/v1/admin/imports/residents`) and shows its report line by line.
pub(super) async fn import_post(
    ctx: Ctx,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let user = staff_user(&ctx).await?;
    // Refused before the upload is read, as in the API.
    imports::may_import(&user).map_err(|e| PageError::hidden(lang, e))?;
    let body = body.map_err(|_| PageError::bad_form(lang))?;
    let form = import_form(&req, body)
        .await
        .ok_or_else(|| PageError::bad_form(lang))?;
    // Nothing is imported without this browser's token.
    if !ctx.csrf_ok(&form.csrf) {
        return Err(PageError::csrf(lang, "/staff/import"));
    }
    let t = ctx.t();
    let all_or_nothing = form.all_or_nothing;
    let page = |error: String, report: Option<ImportView>| ImportPage {
        c: ctx.chrome(t.staff_import_title, true),
        all_or_nothing,
        error,
        report,
    };
    let Some(csv) = form.file else {
        return ctx.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(t.staff_import_no_file.to_string(), None),
        );
    };
    let st = ctx.state.clone();
    let mode = all_or_nothing.then_some("all_or_nothing");
    let result =
        run_blocking(move || imports::import_residents(&Db::of(&st), &user, &csv, mode)).await;
    let report = match result {
        Ok(r) => r,
        Err(e) if is_validation(&e) => {
            // The file as a whole could not be read (not UTF-8, not CSV, wrong columns).
            let error = message_of(lang, &e);
            return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page(error, None));
        }
        Err(e) => return Err(PageError::hidden(lang, e)),
    };
    let mut lines: Vec<ImportLine> = report
        .problems
        .iter()
        .map(|p| ImportLine {
            line: p.row,
            outcome: t.staff_outcome_rejected,
            message: if p.column.is_empty() {
                half(lang, &p.problem)
            } else {
                format!(
                    "{} {}: {}",
                    t.staff_column,
                    p.column,
                    half(lang, &p.problem)
                )
            },
        })
        .chain(report.waiting_for_owner.iter().map(|&line| ImportLine {
            line,
            outcome: t.staff_outcome_waiting,
            message: t.staff_waiting_message.to_string(),
        }))
        .collect();
    lines.sort_by_key(|l| l.line);
    let view = ImportView {
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        rejected: report.rejected,
        applied: report.applied,
        lines,
    };
    ctx.render(StatusCode::OK, &page(String::new(), Some(view)))
}
