//! `/courses`, `/courses/{slug}`, `/courses/{slug}/lessons/{key}`: the public catalogue, served
//! from memory with `ETag`s.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::pagination::{self, Page};
use crate::content::catalogue::{Cached, CourseCard, Filter, LessonView, Outline};
use crate::courses::{self, catalogue};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct CatalogueQuery {
    /// basic_skills, online_safety, e_commerce, public_services, ai, officials_skills
    pub topic: Option<String>,
    /// citizen, official, enterprise_worker, student
    pub group: Option<String>,
    /// basic, intermediate, advanced
    pub level: Option<String>,
    /// vi or en
    pub language: Option<String>,
    /// A competence code such as `4.2`.
    pub competence: Option<String>,
    /// Words to find in titles, summaries and lesson text; case and Vietnamese diacritics are ignored.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The offset a catalogue cursor holds (0 without one).
fn offset(cursor: Option<&str>) -> ApiResult<usize> {
    let Some(c) = cursor else { return Ok(0) };
    pagination::decode_cursor(c, 1)?[0].parse().map_err(|_| {
        ApiError::field(
            "cursor",
            "invalid",
            "The cursor is not one this server gave out.",
        )
    })
}

/// Published courses as small cards; search ignores case and diacritics, titles rank first.
#[utoipa::path(tag = "catalogue", params(CatalogueQuery), responses(
    (status = 200, body = Page<CourseCard>),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses")]
pub async fn list_courses(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CatalogueQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)? as usize;
    let offset = offset(q.cursor.as_deref())?;
    let filter = Filter {
        topic: q.topic,
        group: q.group,
        level: q.level,
        language: q.language,
        competence: q.competence,
        q: q.q,
    };
    let page = catalogue::search(&state.catalogue, filter, offset, limit)?;
    let next_cursor = page
        .next_offset
        .map(|n| pagination::encode_cursor(&[&n.to_string()]));
    let items = page.items;
    Ok(pagination::respond(&req, Page { items, next_cursor }))
}

fn cached_json(req: &HttpRequest, cached: &Cached) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == cached.etag || t.trim() == "*")
        });
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, cached.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    if matches {
        res.finish()
    } else {
        res.content_type("application/json")
            .body(cached.body.clone())
    }
}

/// A published course's outline: modules and items, no bodies. `ETag` / `If-None-Match` → 304. A
/// draft never published → 404 (its authors read `/courses/{slug}/draft`).
#[utoipa::path(tag = "catalogue", params(("slug" = String, Path), ("If-None-Match" = Option<String>, Header, description = "`ETag`s of earlier answers: 304 when one still matches")), responses(
    (status = 200, body = Outline),
    (status = 304, description = "Not modified"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}")]
pub async fn get_course(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let course = courses::published(&state.catalogue, &path)?;
    Ok(cached_json(&req, &course.outline))
}

/// One lesson of a published course: sanitized HTML, metadata, previous and next keys.
#[utoipa::path(tag = "catalogue", params(("slug" = String, Path), ("key" = String, Path), ("If-None-Match" = Option<String>, Header, description = "`ETag`s of earlier answers: 304 when one still matches")), responses(
    (status = 200, body = LessonView),
    (status = 304, description = "Not modified"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/lessons/{key}")]
pub async fn get_lesson(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, key) = path.into_inner();
    let course = courses::published(&state.catalogue, &slug)?;
    let lesson = course
        .lessons
        .get(&key)
        .ok_or_else(|| ApiError::not_found(format!("No lesson `{key}` in course `{slug}`.")))?;
    Ok(cached_json(&req, lesson))
}
