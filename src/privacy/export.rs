//! A person's own data (issue 21, item 3; docs/PRIVACY.md): everything hocso holds about the
//! signed-in person, as a machine-readable file (JSON, [`PersonalData`]) and a readable one (an
//! HTML page made from the same data, Vietnamese and English labels).
//!
//! Asking ([`request`]) stores an export (`exports` table) that expires after `export_ttl_hours`.
//! A small history is built at once; a larger one (`export_inline_max_rows` rows of history or
//! more) is left pending for the worker ([`run_worker`]), which builds it in the background;
//! the person follows its state ([`status`]) and downloads it when ready ([`download`]). Only
//! its person reaches an export (anyone else: 404, as for none); an expired one answers 410
//! `export_expired`. Left out on purpose: password, session, refresh-token and one-time-token
//! hashes (secrets, of no use to the person and dangerous in a file), mail bodies (they carry
//! one-time links), and anything about other people (a household's other members, what the
//! person did as staff for others).

use std::time::Duration;

use askama::Template;
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::config::Settings;
use crate::db::exports::{self as q, ExportRow, NewExport};
pub use crate::db::exports::{
    AccountData, CertificateData, ConsentData, EnrolmentData, HouseholdData, LessonData, MailData,
    OneTimeTokenData, ProfileData, ProgressEventData, ReadData, RoleData, SessionData,
    VillageLinkData,
};
use crate::db::{new_id, now, DbConn, DbPool, Writer};
use crate::error::{ApiError, ApiResult, Code};
pub use crate::kinds::ExportStatus;

/// What a file of this kind says it is (a reader of the JSON can tell its version).
pub const FORMAT: &str = "hocso-personal-data/1";

/// What the export leaves out, and why (written into every export).
pub const EXCLUDED: &[&str] = &[
    "password hash / mã băm mật khẩu (a secret, of no use to you)",
    "session, refresh-token and one-time-token hashes / mã băm phiên đăng nhập và mã dùng một lần (secrets)",
    "mail bodies / nội dung thư (they carry one-time links); the kind, subject and time of each mail are here",
    "other people's data / dữ liệu của người khác (your household's other members, what you did as staff for others)",
];

/// An attempt at a quiz with the answers given and its graded result.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AttemptData {
    pub course: String,
    pub quiz_key: String,
    pub number: i32,
    pub status: String,
    /// The answers as stored: question key → the chosen option(s) or the text given.
    pub answers: serde_json::Value,
    pub started_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    /// Score in percent, once graded.
    pub score_percent: Option<f64>,
    pub passed: Option<bool>,
    /// The graded result per question, once submitted.
    pub result: Option<serde_json::Value>,
}

/// Something done about the person's data (audit log): by whom (display name), what, where,
/// when, with its details.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ActionData {
    pub actor: String,
    pub action: String,
    pub village: Option<String>,
    pub details: serde_json::Value,
    pub at: NaiveDateTime,
}

/// Everything hocso holds about one person. Every time is UTC.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct PersonalData {
    pub format: String,
    pub generated_at: NaiveDateTime,
    /// What is left out on purpose, and why.
    pub excluded: Vec<String>,
    pub account: AccountData,
    pub roles: Vec<RoleData>,
    /// The learner profile, with the village and the household (never its other members).
    pub profile: Option<ProfileData>,
    /// A village's request to count the person among its residents, waiting for their answer.
    pub village_links: Vec<VillageLinkData>,
    pub consents: Vec<ConsentData>,
    /// The person's choices about optional processing (restriction and objection).
    pub privacy_choices: super::choices::Choices,
    pub enrolments: Vec<EnrolmentData>,
    /// Where the person stands in each lesson.
    pub lessons: Vec<LessonData>,
    /// Every progress event received (what the lessons' state is made from).
    pub progress_events: Vec<ProgressEventData>,
    pub attempts: Vec<AttemptData>,
    pub certificates: Vec<CertificateData>,
    /// Mail sent (or waiting to be sent) to the person's addresses.
    pub mail: Vec<MailData>,
    /// One-time codes and links given to the person (purpose and times only).
    pub one_time_tokens: Vec<OneTimeTokenData>,
    pub sessions: Vec<SessionData>,
    /// What facilitators and admins (or the person) did about the person's data.
    pub actions: Vec<ActionData>,
    /// Who among staff read the person's data, and when (records of access).
    pub reads: Vec<ReadData>,
}

/// Gathers everything about `user_id` on `conn` (one read each kind).
pub fn gather(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> ApiResult<PersonalData> {
    let account =
        q::account(conn, user_id)?.ok_or_else(|| ApiError::not_found("No such account."))?;
    let mut addresses = q::token_addresses(conn, user_id)?;
    if let Some(e) = &account.email {
        if !addresses.contains(e) {
            addresses.push(e.clone());
        }
    }
    let attempts = q::attempts(conn, user_id)?
        .into_iter()
        .map(|a| AttemptData {
            course: a.course,
            quiz_key: a.quiz_key,
            number: a.number,
            status: a.status,
            answers: serde_json::from_str(&a.answers)
                .unwrap_or(serde_json::Value::String(a.answers)),
            started_at: a.started_at,
            submitted_at: a.submitted_at,
            score_percent: a.score_bp.map(|bp| f64::from(bp) / 100.0),
            passed: a.passed,
            result: a
                .result
                .map(|r| serde_json::from_str(&r).unwrap_or(serde_json::Value::String(r))),
        })
        .collect();
    let actions = q::actions(conn, user_id)?
        .into_iter()
        .map(|a| ActionData {
            actor: a.actor,
            action: a.action,
            village: a.village,
            details: serde_json::from_str(&a.details)
                .unwrap_or(serde_json::Value::String(a.details)),
            at: a.at,
        })
        .collect();
    Ok(PersonalData {
        format: FORMAT.into(),
        generated_at: at,
        excluded: EXCLUDED.iter().map(|s| s.to_string()).collect(),
        roles: q::roles(conn, user_id)?,
        profile: q::profile(conn, user_id)?,
        village_links: q::village_links(conn, user_id)?,
        consents: q::consents(conn, user_id)?,
        privacy_choices: super::choices::of(conn, user_id)?,
        enrolments: q::enrolments(conn, user_id)?,
        lessons: q::lessons(conn, user_id)?,
        progress_events: q::progress_events(conn, user_id)?,
        attempts,
        certificates: q::certificates(conn, user_id)?,
        mail: q::mail(conn, &addresses)?,
        one_time_tokens: q::one_time_tokens(conn, user_id)?,
        sessions: q::sessions(conn, user_id)?,
        actions,
        reads: q::reads(conn, user_id)?,
        account,
    })
}

/// An export as its person sees it.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ExportView {
    pub id: String,
    pub status: ExportStatus,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub ready_at: Option<chrono::DateTime<chrono::Utc>>,
    /// After this the file is refused (410 `export_expired`) and removed.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Whether it has expired.
    pub expired: bool,
    /// The JSON file's size, once ready.
    pub size_bytes: Option<i64>,
}

fn view(e: &ExportRow, at: NaiveDateTime) -> ExportView {
    ExportView {
        id: e.id.clone(),
        status: e.status,
        requested_at: e.requested_at.and_utc(),
        ready_at: e.ready_at.map(|d| d.and_utc()),
        expires_at: e.expires_at.and_utc(),
        expired: e.expires_at <= at,
        size_bytes: e.size_bytes,
    }
}

/// Where an export is read (a pooled connection) and written (the writer).
pub struct Store<'a> {
    pub pool: &'a DbPool,
    pub writer: &'a Writer,
    pub settings: &'a Settings,
}

impl<'a> Store<'a> {
    /// The application's pool, writer and settings.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Self {
            pool: &state.pool,
            writer: &state.writer,
            settings: &state.settings,
        }
    }
}

/// The signed-in person asks for their data. A history of fewer than `export_inline_max_rows`
/// rows is built at once (ready); a larger one is left pending for the worker. An export already
/// pending or building is answered instead of a new one.
pub fn request(store: &Store<'_>, me: &AuthUser) -> ApiResult<ExportView> {
    let at = now();
    let mut conn = store.pool.get()?;
    if let Some(waiting) = q::all_of_user(&mut conn, &me.id)?
        .into_iter()
        .find(|e| matches!(e.status, ExportStatus::Pending | ExportStatus::Building))
    {
        return Ok(view(&waiting, at));
    }
    let size = q::history_size(&mut conn, &me.id)?;
    let inline = size < i64::from(store.settings.export_inline_max_rows);
    // Gathered before the row exists: built at once, the export is stored ready in one write.
    let data = if inline {
        Some(serde_json::to_string(&gather(&mut conn, &me.id, at)?).map_err(ApiError::internal)?)
    } else {
        None
    };
    drop(conn);
    let (id, user_id) = (new_id(), me.id.clone());
    let ttl = TimeDelta::hours(i64::from(store.settings.export_ttl_hours.max(1)));
    let row_id = id.clone();
    store.writer.transaction(move |conn| {
        q::insert(
            conn,
            &NewExport {
                id: &row_id,
                user_id: &user_id,
                status: ExportStatus::Pending,
                requested_at: at,
                expires_at: at + ttl,
            },
        )?;
        if let Some(json) = &data {
            q::store(conn, &row_id, json, at)?;
        }
        Ok::<_, ApiError>(())
    })?;
    status(&mut *store.pool.get()?, me, &id)
}

/// One export of the signed-in person (404 for another's, as for none).
pub fn status(conn: &mut DbConn, me: &AuthUser, id: &str) -> ApiResult<ExportView> {
    let e = q::of_user(conn, &me.id, id)?.ok_or_else(not_found)?;
    Ok(view(&e, now()))
}

/// The exports of the signed-in person, newest first.
pub fn mine(conn: &mut DbConn, me: &AuthUser) -> ApiResult<Vec<ExportView>> {
    let at = now();
    Ok(q::all_of_user(conn, &me.id)?
        .iter()
        .map(|e| view(e, at))
        .collect())
}

fn not_found() -> ApiError {
    ApiError::not_found("No such export of yours.")
}

/// The file of an export of the signed-in person: 404 for another's (as for none), 409
/// `export_not_ready` before it is built (or when building it failed), 410 `export_expired` once
/// it has expired (or its file was removed).
pub fn download(conn: &mut DbConn, me: &AuthUser, id: &str) -> ApiResult<PersonalData> {
    let e = q::of_user(conn, &me.id, id)?.ok_or_else(not_found)?;
    if e.expires_at <= now() {
        return Err(expired());
    }
    match e.status {
        ExportStatus::Ready => {}
        ExportStatus::Failed => {
            return Err(ApiError::conflict(
                Code::ExportNotReady,
                "Building this export failed: ask for a new one.",
            ))
        }
        ExportStatus::Pending | ExportStatus::Building => {
            return Err(ApiError::conflict(
                Code::ExportNotReady,
                "This export is still being prepared: try again in a moment.",
            ))
        }
    }
    let json = q::content(conn, &me.id, id)?.ok_or_else(expired)?;
    serde_json::from_str(&json).map_err(ApiError::internal)
}

fn expired() -> ApiError {
    ApiError::of(
        Code::ExportExpired,
        "This export has expired and its file was removed: ask for a new one.",
    )
}

/// The file of one of `me`'s exports as it is downloaded: body, file name and content type;
/// readable HTML when `html`, else JSON (see [`download`] for who may).
pub fn download_file(
    conn: &mut DbConn,
    me: &AuthUser,
    id: &str,
    html: bool,
) -> ApiResult<(String, String, &'static str)> {
    let data = download(conn, me, id)?;
    let stem = file_stem(&data);
    Ok(if html {
        (to_html(&data)?, stem + ".html", "text/html; charset=utf-8")
    } else {
        (to_json(&data)?, stem + ".json", "application/json")
    })
}

/// The file's name, without extension.
pub fn file_stem(data: &PersonalData) -> String {
    format!(
        "hocso-du-lieu-ca-nhan-{}",
        data.generated_at.format("%Y-%m-%d")
    )
}

/// The JSON file.
pub fn to_json(data: &PersonalData) -> ApiResult<String> {
    serde_json::to_string_pretty(data).map_err(ApiError::internal)
}

#[derive(Template)]
#[template(path = "personal_data.html")]
struct Readable<'a> {
    d: &'a PersonalData,
}

impl Readable<'_> {
    fn t(&self, at: &NaiveDateTime) -> String {
        at.format("%d/%m/%Y %H:%M UTC").to_string()
    }
    fn ot(&self, at: &Option<NaiveDateTime>) -> String {
        at.as_ref().map(|a| self.t(a)).unwrap_or_default()
    }
    fn ut(&self, at: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        self.ot(&at.map(|a| a.naive_utc()))
    }
    fn o<T: std::fmt::Display>(&self, v: &Option<T>) -> String {
        v.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
    fn json(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// The readable file: an HTML page with Vietnamese and English labels (everything escaped).
pub fn to_html(data: &PersonalData) -> ApiResult<String> {
    Readable { d: data }.render().map_err(ApiError::internal)
}

/// Builds the pending exports (and any a stopped worker left building for over 10 minutes),
/// oldest first; how many it built.
pub fn build_due(pool: &DbPool, writer: &Writer) -> ApiResult<usize> {
    let at = now();
    let due = q::due(&mut *pool.get()?, at - TimeDelta::minutes(10), 10)?;
    let mut built = 0;
    for e in due {
        let (id, seen, started) = (e.id.clone(), e.status, e.started_at);
        let claimed = writer.transaction(move |conn| {
            Ok::<_, ApiError>(q::claim(conn, &id, seen, started, now())?)
        })?;
        if !claimed {
            continue;
        }
        let gathered = gather(&mut *pool.get()?, &e.user_id, now())
            .and_then(|d| serde_json::to_string(&d).map_err(ApiError::internal));
        let id = e.id.clone();
        match gathered {
            Ok(json) => writer
                .transaction(move |conn| Ok::<_, ApiError>(q::store(conn, &id, &json, now())?))?,
            Err(err) => {
                tracing::warn!(error = ?err, export = %e.id, "export failed");
                writer.transaction(move |conn| Ok::<_, ApiError>(q::fail(conn, &id)?))?
            }
        }
        built += 1;
    }
    Ok(built)
}

/// The background worker: builds the pending exports every `export_poll_seconds`.
pub async fn run_worker(pool: DbPool, writer: Writer, every: Duration) {
    loop {
        let (p, w) = (pool.clone(), writer.clone());
        match actix_web::web::block(move || build_due(&p, &w)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = ?e, "exports failed"),
            Err(e) => tracing::warn!(error = %e, "exports failed"),
        }
        tokio::time::sleep(every).await;
    }
}
