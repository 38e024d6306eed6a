//! `/api/v1/courses`: the public catalogue (served from memory) and the authoring API.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::constraints as c;
use super::extract::Json;
use super::pagination::{self, Page};
use crate::access::{self, Action};
use crate::auth::AuthUser;
use crate::content::catalogue::{Cached, CourseCard, Filter, LessonView, Outline, PublishedCourse};
use crate::content::render::ReleaseContent;
use crate::content::validate::{lesson_issues, meta_issues, module_issues, Issue};
use crate::content::{
    CourseDoc, CourseMeta, ItemDoc, LessonDoc, LessonMeta, ModuleDoc, ModuleMeta, Source,
};
use crate::courses::{self, course_not_found};
use crate::db::courses as q;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::telemetry::run_blocking;

// ---------- catalogue ----------

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
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)? as usize;
    let offset: usize = match query.cursor.as_deref() {
        Some(c) => pagination::decode_cursor(c, 1)?[0].parse().map_err(|_| {
            ApiError::field(
                "cursor",
                "invalid",
                "The cursor is not one this server gave out.",
            )
        })?,
        None => 0,
    };
    if let Some(q) = &query.q {
        if q.chars().count() > 200 {
            return Err(ApiError::field(
                "q",
                "too_long",
                "must have at most 200 characters",
            ));
        }
    }
    let found = state.catalogue.list(&Filter {
        topic: query.topic,
        group: query.group,
        level: query.level,
        language: query.language,
        competence: query.competence,
        q: query.q,
    });
    let items: Vec<CourseCard> = found
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| c.card.clone())
        .collect();
    let next_cursor = (offset + limit < found.len())
        .then(|| pagination::encode_cursor(&[&(offset + limit).to_string()]));
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

fn published(state: &AppState, slug: &str) -> ApiResult<std::sync::Arc<PublishedCourse>> {
    state
        .catalogue
        .get(slug)
        .ok_or_else(|| course_not_found(slug))
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
    let course = published(&state, &path)?;
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
    let course = published(&state, &slug)?;
    let lesson = course
        .lessons
        .get(&key)
        .ok_or_else(|| ApiError::not_found(format!("No lesson `{key}` in course `{slug}`.")))?;
    Ok(cached_json(&req, lesson))
}

// ---------- authoring ----------

#[derive(Serialize, ToSchema)]
pub struct DraftResponse {
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub co_authors: Vec<String>,
    /// Number of the latest release, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<i32>,
    pub draft_version: i32,
    pub updated_at: DateTime<Utc>,
    pub draft: CourseDoc,
}

fn draft_response(conn: &mut crate::db::DbConn, slug: &str) -> ApiResult<DraftResponse> {
    let row = courses::find(conn, slug)?;
    Ok(DraftResponse {
        co_authors: q::authors(conn, &row.id)?,
        draft: courses::parse_draft(&row)?,
        slug: row.slug,
        owner_id: row.owner_id,
        latest_release: row.latest_release,
        draft_version: row.draft_version,
        updated_at: row.updated_at.and_utc(),
    })
}

fn issues_to_error(issues: Vec<Issue>, prefix: &str) -> ApiResult<()> {
    if issues.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        issues
            .into_iter()
            .map(|i| FieldError {
                field: match i.loc.field {
                    Some(f) if prefix.is_empty() => f.to_string(),
                    Some(f) => format!("{prefix}.{f}"),
                    None => i.path(),
                },
                code: "invalid".into(),
                message: i.message,
            })
            .collect(),
    ))
}

/// A new course: its slug and the fields of `course.toml` ([`CourseMeta`]).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourseRequest {
    /// Cannot change later.
    #[schema(schema_with = c::key)]
    pub slug: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[schema(schema_with = c::text::<200>)]
    pub title_en: String,
    #[schema(schema_with = c::text::<1000>)]
    pub summary: String,
    #[schema(schema_with = c::text::<1000>)]
    pub summary_en: String,
    /// `vi` when absent.
    #[serde(default = "default_language")]
    #[schema(schema_with = c::language)]
    pub language: String,
    #[schema(schema_with = c::topic)]
    pub topic: String,
    #[schema(schema_with = c::level)]
    pub level: String,
    #[schema(schema_with = c::groups)]
    pub groups: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = c::competences)]
    pub competences: Vec<String>,
    #[schema(minimum = 1, maximum = 10_000)]
    pub estimated_minutes: u32,
    #[serde(default)]
    pub strict_order: bool,
    #[serde(default)]
    #[schema(schema_with = c::url_or_null)]
    pub cover_image_url: Option<String>,
}

fn default_language() -> String {
    "vi".into()
}

impl From<CreateCourseRequest> for CourseDoc {
    fn from(b: CreateCourseRequest) -> Self {
        CourseDoc {
            slug: b.slug,
            meta: CourseMeta {
                title: b.title,
                title_en: b.title_en,
                summary: b.summary,
                summary_en: b.summary_en,
                language: b.language,
                topic: b.topic,
                level: b.level,
                groups: b.groups,
                competences: b.competences,
                estimated_minutes: b.estimated_minutes,
                strict_order: b.strict_order,
                cover_image_url: b.cover_image_url,
            },
            modules: Vec::new(),
        }
    }
}

/// Create a draft course (instructors and admins); the caller owns it.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), request_body = CreateCourseRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "Slug taken", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses")]
pub async fn create_course(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateCourseRequest>,
) -> ApiResult<HttpResponse> {
    access::require(&user, Action::CreateCourse)?;
    let doc = CourseDoc::from(body.0);
    issues_to_error(meta_issues(&doc), "")?;
    let writer = state.writer.clone();
    let res = run_blocking(move || {
        writer.transaction(move |conn| {
            courses::create(conn, &doc, Some(&user.id))?;
            draft_response(conn, &doc.slug)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

/// The draft, with lesson bodies and quiz answers: for the course's authors only.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/draft")]
pub async fn get_draft(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<DraftResponse>> {
    let pool = state.pool.clone();
    let slug = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            access::require_editor(&mut conn, &user, &row)?;
            draft_response(&mut conn, &slug)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourseRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    #[schema(schema_with = c::text_or_null::<1000>)]
    pub summary: Option<String>,
    #[schema(schema_with = c::text_or_null::<1000>)]
    pub summary_en: Option<String>,
    #[schema(schema_with = c::language_or_null)]
    pub language: Option<String>,
    #[schema(schema_with = c::topic_or_null)]
    pub topic: Option<String>,
    #[schema(schema_with = c::level_or_null)]
    pub level: Option<String>,
    #[schema(schema_with = c::groups_or_null)]
    pub groups: Option<Vec<String>>,
    #[schema(schema_with = c::competences_or_null)]
    pub competences: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 10_000)]
    pub estimated_minutes: Option<u32>,
    pub strict_order: Option<bool>,
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub cover_image_url: Option<String>,
}

/// Run a draft edit for an author and answer with the new draft.
async fn edit<F>(state: &AppState, user: AuthUser, slug: String, f: F) -> ApiResult<DraftResponse>
where
    F: FnMut(&mut CourseDoc) -> ApiResult<()> + Send + 'static,
{
    let pool = state.pool.clone();
    run_blocking(move || {
        let mut conn = pool.get()?;
        courses::edit_draft(&mut conn, &slug, &user, f)?;
        draft_response(&mut conn, &slug)
    })
    .await
}

/// Change the draft's course fields.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = UpdateCourseRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}")]
pub async fn update_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<UpdateCourseRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let b = body.0;
    let res = edit(&state, user, path.into_inner(), move |doc| {
        let m = &mut doc.meta;
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *dst = v.clone();
            }
        };
        set(&mut m.title, &b.title);
        set(&mut m.title_en, &b.title_en);
        set(&mut m.summary, &b.summary);
        set(&mut m.summary_en, &b.summary_en);
        set(&mut m.language, &b.language);
        set(&mut m.topic, &b.topic);
        set(&mut m.level, &b.level);
        if let Some(g) = &b.groups {
            m.groups = g.clone();
        }
        if let Some(c) = &b.competences {
            m.competences = c.clone();
        }
        if let Some(n) = b.estimated_minutes {
            m.estimated_minutes = n;
        }
        if let Some(s) = b.strict_order {
            m.strict_order = s;
        }
        if let Some(u) = &b.cover_image_url {
            m.cover_image_url = (!u.is_empty()).then(|| u.clone());
        }
        issues_to_error(meta_issues(doc), "")
    })
    .await?;
    Ok(web::Json(res))
}

/// Delete a course that was never published.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 204),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "The course has releases", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}")]
pub async fn delete_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pool = state.pool.clone();
    let slug = path.into_inner();
    run_blocking(move || {
        let mut conn = pool.get()?;
        let row = courses::find(&mut conn, &slug)?;
        access::require_editor(&mut conn, &user, &row)?;
        if row.latest_release.is_some() {
            return Err(ApiError::conflict(
                "course_published",
                "A published course cannot be deleted; its releases are kept for learners and certificates.",
            ));
        }
        q::delete(&mut conn, &row.id)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateModuleRequest {
    #[schema(schema_with = c::key)]
    pub key: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[schema(schema_with = c::text::<200>)]
    pub title_en: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub summary_en: String,
    /// 0-based position; at the end when absent. Past the end → 409 `position_out_of_range`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub position: Option<usize>,
}

fn key_taken(doc: &CourseDoc, key: &str) -> bool {
    doc.modules
        .iter()
        .any(|m| m.items.iter().any(|i| i.key() == key))
}

fn module_mut<'a>(doc: &'a mut CourseDoc, key: &str) -> ApiResult<&'a mut ModuleDoc> {
    doc.modules
        .iter_mut()
        .find(|m| m.key == key)
        .ok_or_else(|| ApiError::not_found(format!("No module `{key}` in this course.")))
}

fn check_position(position: Option<usize>, len: usize) -> ApiResult<usize> {
    match position {
        None => Ok(len),
        Some(p) if p <= len => Ok(p),
        Some(_) => Err(ApiError::conflict(
            "position_out_of_range",
            format!("position must be between 0 and {len}"),
        )),
    }
}

/// Add a module to the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = CreateModuleRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`key_taken`, or `position_out_of_range`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/modules")]
pub async fn create_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CreateModuleRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let res = edit(&state, user, path.into_inner(), move |doc| {
        let module = ModuleDoc {
            key: b.key.clone(),
            meta: ModuleMeta {
                title: b.title.clone(),
                title_en: b.title_en.clone(),
                summary: b.summary.clone(),
                summary_en: b.summary_en.clone(),
            },
            items: Vec::new(),
        };
        issues_to_error(module_issues(&module), "")?;
        if doc.modules.iter().any(|m| m.key == b.key) {
            return Err(ApiError::conflict(
                "key_taken",
                format!("The course already has a module `{}`.", b.key),
            ));
        }
        let at = check_position(b.position, doc.modules.len())?;
        doc.modules.insert(at, module);
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateModuleRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
}

/// Change a module's titles and summaries.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = UpdateModuleRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}/modules/{module}")]
pub async fn update_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateModuleRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (slug, key) = path.into_inner();
    let b = body.0;
    let res = edit(&state, user, slug, move |doc| {
        let m = module_mut(doc, &key)?;
        for (dst, v) in [
            (&mut m.meta.title, &b.title),
            (&mut m.meta.title_en, &b.title_en),
            (&mut m.meta.summary, &b.summary),
            (&mut m.meta.summary_en, &b.summary_en),
        ] {
            if let Some(v) = v {
                *dst = v.clone();
            }
        }
        issues_to_error(module_issues(m), "")
    })
    .await?;
    Ok(web::Json(res))
}

/// Remove a module and its items from the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/modules/{module}")]
pub async fn delete_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (slug, key) = path.into_inner();
    let res = edit(&state, user, slug, move |doc| {
        module_mut(doc, &key)?;
        doc.modules.retain(|m| m.key != key);
        Ok(())
    })
    .await?;
    Ok(web::Json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Every key exactly once, in the new order.
    #[schema(schema_with = c::distinct_strings)]
    pub keys: Vec<String>,
}

/// Reorders `current` to `wanted`, which must name each key exactly once.
fn reorder<T>(items: &mut [T], key: impl Fn(&T) -> &str, wanted: &[String]) -> ApiResult<()> {
    let current: Vec<String> = items.iter().map(|i| key(i).to_string()).collect();
    let mut errors = Vec::new();
    for k in &current {
        if !wanted.contains(k) {
            errors.push(format!("`{k}` is missing"));
        }
    }
    for (i, k) in wanted.iter().enumerate() {
        if !current.contains(k) {
            errors.push(format!("`{k}` does not exist"));
        } else if wanted[..i].contains(k) {
            errors.push(format!("`{k}` is given twice"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::field(
            "keys",
            "not_a_permutation",
            errors.join("; "),
        ));
    }
    items.sort_by_key(|i| {
        wanted
            .iter()
            .position(|w| w == key(i))
            .unwrap_or(usize::MAX)
    });
    Ok(())
}

/// Reorder the modules of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = OrderRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Keys missing, unknown or repeated", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/modules")]
pub async fn reorder_modules(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<OrderRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let keys = body.0.keys;
    let res = edit(&state, user, path.into_inner(), move |doc| {
        reorder(&mut doc.modules, |m| &m.key, &keys)
    })
    .await?;
    Ok(web::Json(res))
}

/// Reorder the lessons and quizzes of a module.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = OrderRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Keys missing, unknown or repeated", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/modules/{module}/items")]
pub async fn reorder_items(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<OrderRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (slug, module) = path.into_inner();
    let keys = body.0.keys;
    let res = edit(&state, user, slug, move |doc| {
        let m = module_mut(doc, &module)?;
        reorder(&mut m.items, |i| i.key(), &keys)
    })
    .await?;
    Ok(web::Json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLessonRequest {
    #[schema(schema_with = c::key)]
    pub key: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = c::text::<200>, required = true)]
    pub title_en: String,
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: u32,
    #[serde(default)]
    #[schema(schema_with = c::competences)]
    pub competences: Vec<String>,
    #[serde(default)]
    pub optional: bool,
    /// An empty string is no video; a video needs its transcript.
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub video_url: Option<String>,
    pub transcript: Option<String>,
    #[serde(default)]
    #[schema(schema_with = c::sources)]
    pub sources: Vec<Source>,
    #[schema(schema_with = c::lesson_body)]
    pub body: String,
    /// 0-based position in the module; at the end when absent. Past the end → 409
    /// `position_out_of_range`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub position: Option<usize>,
}

/// Add a lesson to a module of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = CreateLessonRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`key_taken`, or `position_out_of_range`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/modules/{module}/lessons")]
pub async fn create_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<CreateLessonRequest>,
) -> ApiResult<HttpResponse> {
    let (slug, module) = path.into_inner();
    let b = body.0;
    let res = edit(&state, user, slug, move |doc| {
        let lesson = LessonDoc {
            key: b.key.clone(),
            meta: LessonMeta {
                title: b.title.clone(),
                title_en: b.title_en.clone(),
                estimated_minutes: b.estimated_minutes,
                competences: b.competences.clone(),
                optional: b.optional,
                video_url: b.video_url.clone().filter(|v| !v.is_empty()),
                transcript: b.transcript.clone().filter(|v| !v.is_empty()),
                sources: b.sources.clone(),
            },
            body: crate::content::files::normalize_body(&b.body),
        };
        issues_to_error(lesson_issues(&lesson), "")?;
        if key_taken(doc, &b.key) {
            return Err(ApiError::conflict(
                "key_taken",
                format!("The course already has an item `{}`.", b.key),
            ));
        }
        let m = module_mut(doc, &module)?;
        let at = check_position(b.position, m.items.len())?;
        m.items.insert(at, ItemDoc::Lesson(lesson));
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLessonRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: Option<u32>,
    #[schema(schema_with = c::competences_or_null)]
    pub competences: Option<Vec<String>>,
    pub optional: Option<bool>,
    /// An empty string removes the video (and its transcript); a new video needs its transcript.
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub video_url: Option<String>,
    pub transcript: Option<String>,
    #[schema(schema_with = c::sources_or_null)]
    pub sources: Option<Vec<Source>>,
    #[schema(schema_with = c::lesson_body_or_null)]
    pub body: Option<String>,
}

fn lesson_mut<'a>(doc: &'a mut CourseDoc, key: &str) -> ApiResult<&'a mut LessonDoc> {
    doc.modules
        .iter_mut()
        .flat_map(|m| m.items.iter_mut())
        .find_map(|i| match i {
            ItemDoc::Lesson(l) if l.key == key => Some(l),
            _ => None,
        })
        .ok_or_else(|| ApiError::not_found(format!("No lesson `{key}` in this course.")))
}

/// Change a lesson of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), request_body = UpdateLessonRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}/lessons/{key}")]
pub async fn update_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateLessonRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (slug, key) = path.into_inner();
    let b = body.0;
    let res = edit(&state, user, slug, move |doc| {
        let l = lesson_mut(doc, &key)?;
        if let Some(v) = &b.title {
            l.meta.title = v.clone();
        }
        if let Some(v) = &b.title_en {
            l.meta.title_en = v.clone();
        }
        if let Some(v) = b.estimated_minutes {
            l.meta.estimated_minutes = v;
        }
        if let Some(v) = &b.competences {
            l.meta.competences = v.clone();
        }
        if let Some(v) = b.optional {
            l.meta.optional = v;
        }
        if let Some(v) = &b.video_url {
            l.meta.video_url = (!v.is_empty()).then(|| v.clone());
            if v.is_empty() {
                l.meta.transcript = None;
            }
        }
        if let Some(v) = &b.transcript {
            l.meta.transcript = (!v.is_empty()).then(|| v.clone());
        }
        if let Some(v) = &b.sources {
            l.meta.sources = v.clone();
        }
        if let Some(v) = &b.body {
            l.body = crate::content::files::normalize_body(v);
        }
        issues_to_error(lesson_issues(l), "")
    })
    .await?;
    Ok(web::Json(res))
}

/// Remove a lesson from the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/lessons/{key}")]
pub async fn delete_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (slug, key) = path.into_inner();
    let res = edit(&state, user, slug, move |doc| {
        lesson_mut(doc, &key)?;
        for m in doc.modules.iter_mut() {
            m.items
                .retain(|i| !matches!(i, ItemDoc::Lesson(l) if l.key == key));
        }
        Ok(())
    })
    .await?;
    Ok(web::Json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorRequest {
    pub user_id: String,
}

/// Add a co-author.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = AuthorRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`user_id` names no user (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/authors")]
pub async fn add_author(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<AuthorRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let pool = state.pool.clone();
    let slug = path.into_inner();
    let author = body.0.user_id;
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            access::require_editor(&mut conn, &user, &row)?;
            crate::accounts::find_user(&mut conn, &author)
                .map_err(|_| ApiError::field("user_id", "not_found", "No such user."))?;
            q::add_author(&mut conn, &row.id, &author)?;
            draft_response(&mut conn, &slug)
        })
        .await?,
    ))
}

/// Remove a co-author.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/authors/{user_id}")]
pub async fn remove_author(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let pool = state.pool.clone();
    let (slug, author) = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            access::require_editor(&mut conn, &user, &row)?;
            if q::remove_author(&mut conn, &row.id, &author)? == 0 {
                return Err(ApiError::not_found(
                    "This user is not a co-author of the course.",
                ));
            }
            draft_response(&mut conn, &slug)
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseSummary {
    pub number: i32,
    pub content_hash: String,
    pub published_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublishResponse {
    pub slug: String,
    pub release: i32,
    pub published_at: DateTime<Utc>,
    /// False when the draft equals the latest release, so no new release was made.
    pub created: bool,
}

/// Validate the whole draft and freeze it as a new numbered release; learners are served it at once.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 201, body = PublishResponse),
    (status = 200, description = "Unchanged since the latest release", body = PublishResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Every problem of the course, in `errors`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/publish")]
pub async fn publish_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (pool, writer) = (state.pool.clone(), state.writer.clone());
    let slug = path.into_inner();
    let published = run_blocking(move || {
        let mut conn = pool.get()?;
        let row = courses::find(&mut conn, &slug)?;
        access::require_editor(&mut conn, &user, &row)?;
        let doc = courses::parse_draft(&row)?;
        drop(conn);
        writer.transaction(move |conn| courses::publish(conn, &row, &doc, Some(&user.id)))
    })
    .await?;
    let body = PublishResponse {
        slug: published.content.doc.slug.clone(),
        release: published.number,
        published_at: published.published_at,
        created: published.created,
    };
    if published.created {
        state.catalogue.put(PublishedCourse::build(
            published.course_id,
            published.content,
            published.number,
            published.published_at,
        ));
        Ok(HttpResponse::Created().json(body))
    } else {
        Ok(HttpResponse::Ok().json(body))
    }
}

/// The releases of a course, newest first (authors).
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = Vec<ReleaseSummary>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/releases")]
pub async fn list_releases(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<ReleaseSummary>>> {
    let pool = state.pool.clone();
    let slug = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            access::require_editor(&mut conn, &user, &row)?;
            Ok(q::releases(&mut conn, &row.id)?
                .into_iter()
                .map(|(number, content_hash, at, by)| ReleaseSummary {
                    number,
                    content_hash,
                    published_at: at.and_utc(),
                    published_by: by,
                })
                .collect())
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseResponse {
    pub number: i32,
    pub published_at: DateTime<Utc>,
    pub content: CourseDoc,
    /// Rendered, sanitized HTML of each lesson, by key.
    #[schema(value_type = Object)]
    pub html: std::collections::BTreeMap<String, String>,
}

/// One frozen release (authors).
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("n" = i32, Path)), responses(
    (status = 200, body = ReleaseResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/releases/{n}")]
pub async fn get_release(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<ReleaseResponse>> {
    let pool = state.pool.clone();
    let (slug, n) = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            access::require_editor(&mut conn, &user, &row)?;
            let rel = q::release(&mut conn, &row.id, n)?.ok_or_else(|| {
                ApiError::not_found(format!("Course `{slug}` has no release {n}."))
            })?;
            let content: ReleaseContent =
                serde_json::from_str(&rel.content).map_err(ApiError::internal)?;
            Ok(ReleaseResponse {
                number: rel.number,
                published_at: rel.published_at.and_utc(),
                content: content.doc,
                html: content.html,
            })
        })
        .await?,
    ))
}
