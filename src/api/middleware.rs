//! Request ids, the request log span, and problem+json rendering in the client's language.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::error::ApiError;
use crate::i18n::Lang;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: the client's `X-Request-Id` when it is sane, else a new UUID.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn acceptable_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?.trim();
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_string())
}

pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    Ok(res)
}

/// Renders every error as problem+json in the language of `Accept-Language`, and logs the
/// cause of a 5xx once, with the request id.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let lang = Lang::from_headers(req.headers());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let res = next.call(req).await?;
    let rendered = match res.response().error() {
        None => None,
        Some(err) => {
            let status = res.status();
            if let Some(api) = err.as_error::<ApiError>() {
                if api.status.is_server_error() {
                    tracing::error!(error = ?api, "request {} failed", request_id.as_deref().unwrap_or("-"));
                }
                Some(api.render(lang, request_id))
            } else {
                // An error from actix itself: keep its status, never its internals on a 5xx.
                let generic = if status.is_server_error() {
                    tracing::error!(error = %err, "request {} failed", request_id.as_deref().unwrap_or("-"));
                    ApiError::internal(anyhow::anyhow!("{err}"))
                } else {
                    ApiError::new(status, generic_code(status), err.to_string())
                };
                Some(generic.render(lang, request_id))
            }
        }
    };
    Ok(match rendered {
        Some(new) => res.into_response(new).map_into_right_body(),
        None => res.map_into_left_body(),
    })
}

fn generic_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "rate_limited",
        _ => "bad_request",
    }
}

/// The request span: method, route, request id; one log line when the request ends.
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        tracing::info_span!(
            "http",
            request_id = %request_id,
            method = %request.method(),
            path = %request.path(),
            route = %request.match_pattern().unwrap_or_default(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if let Ok(res) = outcome {
            let status = res.status().as_u16();
            span.in_scope(|| tracing::info!(status, "request finished"));
        }
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
