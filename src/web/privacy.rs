//! The privacy notice (`/privacy`, public) and, for a signed-in person, their consents to it:
//! accept the current version (asked at login when it is not accepted), withdraw a consent; and
//! who among staff looked at their data (records of access, newest first, 20 at a time).
//! The same use cases as `/api/v1/privacy`, `/api/v1/me/consents` and
//! `/api/v1/me/access-records` (src/privacy).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::safe_next;
use super::{day, Chrome, Ctx, Form, PageError};
use crate::i18n::pages::Texts;
use crate::i18n::Lang;
use crate::privacy::access_records::{self, AccessPage, Cursor, ReadKind, ReaderRole};
use crate::privacy::choices::{self, ChoicesChange};
use crate::privacy::export::{self, ExportStatus, ExportView, Store};
use crate::privacy::{self, ConsentWay, Consents};
use crate::telemetry::{run_blocking, run_writing};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/privacy", web::get().to(notice_page))
        .route("/privacy/exports", web::post().to(request_export))
        .route(
            "/privacy/exports/{id}/download",
            web::get().to(download_export),
        )
        .route("/privacy/accept", web::post().to(accept))
        .route("/privacy/choices", web::post().to(save_choices))
        .route("/privacy/consents/{id}/withdraw", web::post().to(withdraw));
}

/// One consent as a row of the table.
struct Row {
    id: String,
    version: String,
    given: String,
    way: &'static str,
    recorded_by: String,
    withdrawn: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct NoticePage {
    c: Chrome,
    html: String,
    version: &'static str,
    /// Signed in: their consents, and whether the current version awaits theirs.
    signed_in: bool,
    to_accept: bool,
    rows: Vec<Row>,
    next: String,
    flash: &'static str,
    /// Signed in: who looked at their data (this page of it).
    reads: Vec<ReadRow>,
    /// The `?reads=` of the next (older) page; empty on the last.
    reads_next: String,
    /// Whether this is an older page (a link back to the newest).
    reads_older: bool,
    /// Signed in: their exports (newest first).
    exports: Vec<ExportRow>,
    /// Signed in: their choices about optional processing, and when they last changed them.
    optional_mail: bool,
    name_in_lists: bool,
    choices_changed: String,
    /// The choices were just saved (said in their section, where the page opens).
    choices_saved: bool,
}

/// One export as a row of the list.
struct ExportRow {
    id: String,
    requested: String,
    state: &'static str,
    expires: String,
    /// Ready and not expired: the files can be downloaded.
    ready: bool,
}

fn export_rows(t: &Texts, all: Vec<ExportView>) -> Vec<ExportRow> {
    let when = super::clock;
    all.into_iter()
        .map(|e| ExportRow {
            ready: e.status == ExportStatus::Ready && !e.expired,
            state: match (e.status, e.expired) {
                (_, true) => t.export_expired,
                (ExportStatus::Ready, _) => t.export_ready,
                (ExportStatus::Failed, _) => t.export_failed,
                _ => t.export_pending,
            },
            requested: when(e.requested_at),
            expires: when(e.expires_at),
            id: e.id,
        })
        .collect()
}

/// One record of access as a row of the list.
struct ReadRow {
    when: String,
    who: String,
    role: &'static str,
    what: &'static str,
}

/// How many records of access the page shows at once.
const READS_PER_PAGE: i64 = 20;

#[derive(Deserialize)]
struct NoticeQuery {
    next: Option<String>,
    done: Option<String>,
    /// Where the records of access continue (an older page).
    reads: Option<String>,
}

fn read_name(t: &Texts, k: ReadKind) -> &'static str {
    match k {
        ReadKind::Profile => t.read_profile,
        ReadKind::Progress => t.read_progress,
        ReadKind::Account => t.read_account,
        ReadKind::Certificates => t.read_certificates,
        ReadKind::Audit => t.read_audit,
    }
}

fn reader_name(t: &Texts, r: ReaderRole) -> &'static str {
    match r {
        ReaderRole::Facilitator => t.reader_facilitator,
        ReaderRole::Admin => t.reader_admin,
    }
}

/// A cursor as the page's `?reads=` carries it: the time in microseconds and the id.
fn reads_param(c: &Cursor) -> String {
    let [micros, id] = c.to_parts();
    format!("{micros}_{id}")
}

fn reads_cursor(raw: Option<&str>) -> Option<Cursor> {
    let (micros, id) = raw?.split_once('_')?;
    Cursor::from_parts(&[micros.to_string(), id.to_string()]).ok()
}

fn read_rows(t: &Texts, page: AccessPage) -> Vec<ReadRow> {
    page.items
        .into_iter()
        .map(|r| ReadRow {
            when: super::clock(r.read_at),
            who: r.actor.display_name,
            role: reader_name(t, r.actor.role),
            what: read_name(t, r.what),
        })
        .collect()
}

fn way_name(t: &Texts, w: ConsentWay) -> &'static str {
    match w {
        ConsentWay::Online => t.consent_way_online,
        ConsentWay::Paper => t.consent_way_paper,
        ConsentWay::InPerson => t.consent_way_in_person,
    }
}

fn rows(lang: Lang, t: &Texts, c: Consents) -> Vec<Row> {
    c.consents
        .into_iter()
        .map(|c| Row {
            id: c.id,
            version: c.notice_version,
            given: day(lang, c.given_at),
            way: way_name(t, c.way),
            recorded_by: c.recorded_by.unwrap_or_default(),
            withdrawn: c.withdrawn_at.map(|d| day(lang, d)).unwrap_or_default(),
        })
        .collect()
}

async fn notice_page(
    ctx: Ctx,
    query: Result<web::Query<NoticeQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let q = query.map(|q| q.into_inner()).unwrap_or(NoticeQuery {
        next: None,
        done: None,
        reads: None,
    });
    let notice = privacy::notice(&ctx.state.settings, lang);
    let user = ctx.maybe_user().await?;
    let signed_in = user.is_some();
    let after = reads_cursor(q.reads.as_deref());
    let reads_older = after.is_some();
    let (consents, reads, exports, mine) = match user {
        Some(user) => {
            let pool = ctx.state.pool.clone();
            let (c, r, x, m) = run_blocking(move || {
                let mut conn = pool.get()?;
                let c = privacy::my_consents(&mut conn, &user)?;
                let r = access_records::mine(&mut conn, &user, after, READS_PER_PAGE)?;
                let x = export::mine(&mut conn, &user)?;
                let m = choices::mine(&mut conn, &user)?;
                Ok((c, r, x, m))
            })
            .await
            .map_err(|e| PageError::from_api(lang, e))?;
            (Some(c), Some(r), x, Some(m))
        }
        None => (None, None, Vec::new(), None),
    };
    let reads_next = reads
        .as_ref()
        .and_then(|r| r.next.as_ref())
        .map(reads_param)
        .unwrap_or_default();
    let to_accept = consents.as_ref().is_some_and(|c| c.to_accept);
    let flash = match q.done.as_deref() {
        Some("accepted") => t.consent_accepted_done,
        Some("withdrawn") => t.consent_withdrawn_done,
        Some("export") => t.export_asked_done,
        _ => "",
    };
    ctx.ok(&NoticePage {
        c: ctx.chrome(t.privacy_title, signed_in),
        html: notice.html,
        version: notice.version,
        signed_in,
        to_accept,
        rows: consents.map(|c| rows(ctx.lang, t, c)).unwrap_or_default(),
        next: safe_next(q.next.as_deref()),
        flash,
        reads: reads.map(|r| read_rows(t, r)).unwrap_or_default(),
        reads_next,
        reads_older,
        exports: export_rows(t, exports),
        optional_mail: mine.as_ref().is_none_or(|m| m.optional_mail),
        name_in_lists: mine.as_ref().is_none_or(|m| m.name_in_lists),
        choices_changed: mine
            .and_then(|m| m.changed_at)
            .map(super::clock)
            .unwrap_or_default(),
        choices_saved: q.done.as_deref() == Some("choices"),
    })
}

/// Saves the person's choices (a ticked box: yes; an unticked one is absent from the form: no).
async fn save_choices(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let change = ChoicesChange {
        optional_mail: Some(form.get("optional_mail") == Some("yes")),
        name_in_lists: Some(form.get("name_in_lists") == Some("yes")),
    };
    run_writing(&ctx.state, move |conn| choices::set(conn, &user, change))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    Ok(ctx.see_other("/privacy?done=choices#choices"))
}

async fn accept(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let version = form.get("notice_version").map(str::to_string);
    let next = safe_next(form.get("next"));
    let result = run_writing(&ctx.state, move |conn| {
        privacy::accept(conn, &user, version.as_deref())
    })
    .await;
    match result {
        Ok(_) if next != "/" => Ok(ctx.see_other(&next)),
        Ok(_) => Ok(ctx.see_other("/privacy?done=accepted")),
        // A version changed between reading and accepting: the page again, with the new text.
        Err(e) if e.status.is_client_error() => Ok(ctx.see_other("/privacy")),
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

async fn withdraw(form: Form, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let id = path.into_inner();
    match run_writing(&ctx.state, move |conn| privacy::withdraw(conn, &user, &id)).await {
        Ok(_) => Ok(ctx.see_other("/privacy?done=withdrawn")),
        Err(e) if e.status == actix_web::http::StatusCode::CONFLICT => {
            Ok(ctx.see_other("/privacy?done=withdrawn"))
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

async fn request_export(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let st = ctx.state.clone();
    run_blocking(move || export::request(&Store::of(&st), &user))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    Ok(ctx.see_other("/privacy?done=export#exports"))
}

#[derive(Deserialize)]
struct DownloadQuery {
    format: Option<String>,
}

/// The file of one of the person's exports (anyone else's: the 404 page).
async fn download_export(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<DownloadQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let html = match query.ok().and_then(|q| q.into_inner().format).as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(_) => return Err(PageError::not_found(lang)),
    };
    let (pool, id) = (ctx.state.pool.clone(), path.into_inner());
    let file = run_blocking(move || export::download_file(&mut *pool.get()?, &user, &id, html))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    Ok(crate::api::privacy::export_file_response(file))
}
