//! Health, metrics, the OpenAPI document, and the answers for unknown routes.

use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Code};
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`
    pub status: &'static str,
    /// `sqlite` or `postgres`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "system", responses((status = 200, body = HealthResponse)))]
#[get("/health/live")]
pub async fn live() -> web::Json<HealthResponse> {
    web::Json(HealthResponse {
        status: "ok",
        database: None,
    })
}

/// Readiness: the database answers.
#[utoipa::path(tag = "system", responses(
    (status = 200, body = HealthResponse),
    (status = 503, description = "The database does not answer", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<web::Json<HealthResponse>> {
    let pool = state.pool.clone();
    let target = state.db_target.clone();
    run_blocking(move || {
        crate::db::ping(&pool, &target, Duration::from_secs(2)).map_err(|cause| {
            let mut err = ApiError::unavailable("The database does not answer.");
            err.cause = Some(anyhow::anyhow!(cause));
            err
        })
    })
    .await?;
    Ok(web::Json(HealthResponse {
        status: "ok",
        database: Some(state.db_target.backend_name()),
    }))
}

/// Prometheus metrics: request counts and latency histograms by route and status.
#[utoipa::path(tag = "system", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    use prometheus::Encoder;
    let encoder = prometheus::TextEncoder::new();
    let mut buf = Vec::new();
    encoder
        .encode(&state.metrics_registry.gather(), &mut buf)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(buf))
}

/// This document: OpenAPI 3.1, generated from the code.
#[utoipa::path(tag = "system", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/api/v1/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

/// The templates and methods of every documented route, to tell 404 from 405.
#[derive(Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(String::from).collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let mut methods: Vec<String> =
                    ["get", "put", "post", "delete", "patch", "head", "options"]
                        .iter()
                        .filter(|m| value.get(**m).is_some())
                        .map(|m| m.to_ascii_uppercase())
                        .collect();
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".into());
                }
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods allowed on `path`, if any documented route matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found: Option<Vec<String>> = None;
        for (segments, methods) in &self.routes {
            if segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p)
            {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found.map(|mut m| {
            m.sort();
            m.dedup();
            m
        })
    }
}

/// Unknown route → 404; known route, wrong method → 405 with `Allow`.
pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let api = req.path() == "/api/v1" || req.path().starts_with("/api/");
    if state.settings.web_pages && !api && state.routes.allowed(req.path()).is_none() {
        // An unknown page: the friendly HTML 404 in the visitor's language.
        let ctx = <crate::web::Ctx as actix_web::FromRequest>::extract(&req)
            .await
            .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
        return Ok(actix_web::ResponseError::error_response(
            &crate::web::PageError::not_found(ctx.lang),
        ));
    }
    Err(match state.routes.allowed(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            ApiError::of(
                Code::MethodNotAllowed,
                format!("{} is not allowed here; allowed: {allow}.", req.method()),
            )
            .with_header(
                header::ALLOW,
                HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
            )
        }
        None => ApiError::not_found(format!("No resource at {}.", req.path())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_table_matches_templates() {
        let table = RouteTable {
            routes: vec![
                (
                    "/api/v1/users/{id}".split('/').map(String::from).collect(),
                    vec!["GET".into()],
                ),
                (
                    "/api/v1/users/{id}".split('/').map(String::from).collect(),
                    vec!["PATCH".into()],
                ),
            ],
        };
        assert_eq!(
            table.allowed("/api/v1/users/42"),
            Some(vec!["GET".to_string(), "PATCH".to_string()])
        );
        assert_eq!(table.allowed("/api/v1/users"), None);
        assert_eq!(table.allowed("/api/v1/users/"), None);
    }
}
