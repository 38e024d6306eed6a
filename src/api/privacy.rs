//! The privacy notice and the signed-in person's consents to it (src/privacy, docs/PRIVACY.md).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::Json;
use super::pagination::{self, Page};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::i18n::Lang;
use crate::privacy::access_records::{self, AccessRecord, Cursor};
use crate::privacy::{self, Consents, Notice};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
}

/// The privacy notice: its version, the controller of the data and the text (public).
#[utoipa::path(tag = "privacy", params(NoticeQuery), responses(
    (status = 200, body = Notice),
))]
#[get("/privacy")]
pub async fn get_notice(
    state: web::Data<AppState>,
    q: web::Query<NoticeQuery>,
) -> ApiResult<web::Json<Notice>> {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    Ok(web::Json(privacy::notice(&state.settings, lang)))
}

/// My consents to the privacy notice, and whether the current version awaits my consent.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 200, body = Consents),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/consents")]
pub async fn my_consents(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let pool = state.pool.clone();
    let c = run_blocking(move || privacy::my_consents(&mut *pool.get()?, &user)).await?;
    Ok(HttpResponse::Ok().json(c))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The version read and accepted: the current one (else 422 `consent_outdated`).
    pub notice_version: Option<String>,
}

/// Accept the current privacy notice (asked after a new version; nothing new when it already
/// stands).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), request_body = AcceptRequest, responses(
    (status = 200, body = Consents),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/consents")]
pub async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<AcceptRequest>,
) -> ApiResult<HttpResponse> {
    let version = body.0.notice_version;
    let c = run_writing(&state, move |conn| {
        privacy::accept(conn, &user, version.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Withdraw one of my consents (409 `consent_withdrawn` when it already is).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Consents),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/consents/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let c = run_writing(&state, move |conn| privacy::withdraw(conn, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(c))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccessRecordsQuery {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Who read my data (facilitators and admins), newest first: their display name and role, what
/// they read and when. My own reads are not recorded.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(AccessRecordsQuery), responses(
    (status = 200, body = Page<AccessRecord>),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/access-records")]
pub async fn my_access_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<AccessRecordsQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after = match query.cursor.as_deref() {
        Some(c) => Some(Cursor::from_parts(&pagination::decode_cursor(c, 2)?)?),
        None => None,
    };
    let pool = state.pool.clone();
    let page =
        run_blocking(move || access_records::mine(&mut *pool.get()?, &user, after, limit)).await?;
    let next_cursor = page.next.map(|c| {
        let [at, id] = c.to_parts();
        pagination::encode_cursor(&[&at, &id])
    });
    Ok(pagination::respond(
        &req,
        Page {
            items: page.items,
            next_cursor,
        },
    ))
}
