//! Request ids, the request log span, and problem+json rendering in the client's language.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::{Instrument, Span};

use crate::error::{ApiError, Code};
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

/// A new request id, unique without a random-number system call per request: a random prefix
/// drawn once per process and a counter, written as a UUID (the ids are not secrets; a profile
/// under load found `getrandom` in every request).
fn new_request_id() -> String {
    static PREFIX: std::sync::LazyLock<u64> =
        std::sync::LazyLock::new(|| uuid::Uuid::new_v4().as_u64_pair().0);
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    uuid::Uuid::from_u64_pair(*PREFIX, n).to_string()
}

/// The request id (kept in the request's extensions, sent back as `X-Request-Id`) and the request's
/// log span: method, path, route, request id, and one log line when the request ends, with its
/// status; an answer that carries an error also logs that error (a warning for 4xx, an error
/// otherwise), as `tracing-actix-web`'s `TracingLogger` did. One middleware instead of two, and
/// without `TracingLogger`'s own request id: a UUID v4 per request, a `getrandom` system call each
/// (issue 22: a profile of the lesson read under load).
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<SpanBody<impl MessageBody>>, Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(new_request_id);
    let header = HeaderValue::from_str(&id).ok();
    // Fields are evaluated only when the span is enabled (the `http` span is at INFO).
    let span = tracing::info_span!(
        "http",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        route = %req.match_pattern().unwrap_or_default(),
        http.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        exception.message = tracing::field::Empty,
        exception.details = tracing::field::Empty,
    );
    req.extensions_mut().insert(RequestId(id));
    let outcome = next.call(req).instrument(span.clone()).await;
    span.in_scope(|| on_request_end(&span, &outcome));
    let mut res = outcome?;
    if let Some(value) = header {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    Ok(res.map_body(|_, body| SpanBody { body, span }))
}

/// Records the status (and the error, if any) on the request's span and logs the end of the
/// request.
fn on_request_end<B>(span: &Span, outcome: &Result<ServiceResponse<B>, Error>) {
    let (status, error) = match outcome {
        Ok(res) => (
            res.status(),
            res.response().error().map(|e| e.as_response_error()),
        ),
        Err(err) => (
            err.as_response_error().status_code(),
            Some(err.as_response_error()),
        ),
    };
    if !span.is_disabled() {
        span.record("http.status_code", status.as_u16());
        span.record(
            "otel.status_code",
            if error.is_some() && !status.is_client_error() {
                "ERROR"
            } else {
                "OK"
            },
        );
        if let Some(err) = error {
            span.record(
                "exception.message",
                tracing::field::display(format!("{err}")),
            );
            span.record(
                "exception.details",
                tracing::field::display(format!("{err:?}")),
            );
        }
        tracing::info!(status = status.as_u16(), "request finished");
    }
    if let Some(err) = error {
        let prefix = "Error encountered while processing the incoming HTTP request";
        if status.is_client_error() {
            tracing::warn!("{prefix}: {err:?}");
        } else {
            tracing::error!("{prefix}: {err:?}");
        }
    }
}

pin_project_lite::pin_project! {
    /// An answer's body, sent inside the request's span (what its stream logs belongs to the request).
    pub struct SpanBody<B> {
        #[pin]
        body: B,
        span: Span,
    }
}

impl<B: MessageBody> MessageBody for SpanBody<B> {
    type Error = B::Error;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        let this = self.project();
        let _entered = this.span.enter();
        this.body.poll_next(cx)
    }
}

/// Renders every error as problem+json in the language of `Accept-Language`, and logs the
/// cause of a 5xx once, with the request id.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let res = next.call(req).await?;
    // The web pages render their own errors as HTML in the user's language.
    let html = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let rendered = match res.response().error() {
        None => None,
        Some(_) if html || res.status().is_redirection() => None,
        Some(err) => {
            // Language and request id are read only for an answer that becomes a problem (the
            // request travels with the answer): no work, no allocation on a successful one.
            let (lang, request_id) = problem_context(res.request());
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
                    ApiError::new(status, Code::for_status(status), err.to_string())
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

/// The language (`Accept-Language`) and the request id a problem is rendered with.
fn problem_context(req: &actix_web::HttpRequest) -> (Lang, Option<String>) {
    (
        Lang::from_headers(req.headers()),
        req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    )
}

/// Refuses a control character (`%00` and the like) in the path or the query string of an API
/// request: 422 naming `path` or the query parameter, before any extractor or database sees it
/// (PostgreSQL cannot store NUL, SQLite can: without this the two would answer differently).
pub async fn control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let api = req.path() == "/api/v1" || req.path().starts_with("/api/v1/");
    if let Some(field) = api.then(|| control_character_in(req.uri())).flatten() {
        let err = ApiError::validation(vec![crate::error::FieldError {
            field,
            code: "control_character".into(),
            message: "contains a control character (such as NUL) / chứa ký tự điều khiển (như NUL)"
                .into(),
        }]);
        let (http_req, _) = req.into_parts();
        return Ok(ServiceResponse::from_err(err, http_req).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// `path`, or the name of the query parameter, whose decoded text holds a control character.
fn control_character_in(uri: &actix_web::http::Uri) -> Option<String> {
    use crate::text::has_refused_control as bad;
    // Nothing to decode and nothing but printable ASCII: nothing to look for.
    let plain = |s: &str| {
        !s.bytes()
            .any(|b| b == b'%' || b.is_ascii_control() || b >= 0x80)
    };
    if plain(uri.path()) && uri.query().is_none_or(plain) {
        return None;
    }
    if bad(&String::from_utf8_lossy(&percent_decode(
        uri.path().as_bytes(),
    ))) {
        return Some("path".into());
    }
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        let name_bad = bad(&name);
        (name_bad || bad(&value)).then(|| {
            if name_bad {
                "query".to_string()
            } else {
                name.into_owned()
            }
        })
    })
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let decoded = (raw[i] == b'%' && i + 2 < raw.len())
            .then(|| Some((hex(raw[i + 1])? << 4) | hex(raw[i + 2])?))
            .flatten();
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

/// JSON answers: nothing to load, nothing to frame.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// HTML pages (the certificate verification page and its 404): no script at all; the page's
/// one `<style>` element is inline.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The web pages (src/web/): scripts and styles are files of this site, never inline; forms
/// post here only; the service worker and the manifest are ours; lesson images may come from
/// elsewhere over HTTPS.
const WEB_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data: https:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Swagger UI at `/docs/`: its scripts are files served from `/docs/` (no inline script, no
/// eval); it sets styles on elements (inline styles) and shows `data:` images from its CSS;
/// "Try it out" calls the API on this origin.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Security headers on every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy`,
/// `X-Frame-Options: DENY`, a Content-Security-Policy for HTML pages, JSON answers and the API
/// explorer; `Cache-Control: no-store` on `/api/v1/me…` and `/api/v1/auth/…` answers (personal
/// data, tokens) and on any answer to a request with credentials that says nothing about caching.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    use actix_web::http::header;
    // What the path says is read before the call, so that the path is not copied, and the
    // content type is compared without lowercasing a copy of it: no allocation per request.
    let path = req.path();
    let docs = path.starts_with("/docs/");
    let verify = path.starts_with("/verify/");
    let personal = ["/api/v1/me", "/api/v1/auth"].iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let credentials = req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.call(req).await?;
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .as_bytes();
    let starts = |prefix: &str| {
        content_type.len() >= prefix.len()
            && content_type[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let csp = if docs {
        Some(DOCS_CSP)
    } else if starts("text/html") && verify {
        Some(PAGE_CSP)
    } else if starts("text/html") {
        Some(WEB_CSP)
    } else if starts("application/json")
        || starts("application/problem+json")
        || content_type
            .windows(5)
            .any(|w| w.eq_ignore_ascii_case(b"+json"))
    {
        Some(API_CSP)
    } else {
        None
    };
    let headers = res.headers_mut();
    let set = |h: &mut actix_web::http::header::HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if let Some(csp) = csp {
        set(headers, header::CONTENT_SECURITY_POLICY, csp);
    }
    if personal || (credentials && !headers.contains_key(header::CACHE_CONTROL)) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}

/// A request that CORS refuses (an origin not in `cors_origins`, a broken preflight) gets a
/// problem like every other error: 403 `cors_origin_not_allowed` or 400 `cors_bad_preflight`.
pub async fn cors_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let res = next.call(req).await?;
    let refusal = res
        .response()
        .error()
        .and_then(|e| e.as_error::<actix_cors::CorsError>())
        .map(|e| match e {
            actix_cors::CorsError::OriginNotAllowed => ApiError::of(
                Code::CorsOriginNotAllowed,
                "This origin may not call the API from a browser (`cors_origins`).",
            ),
            other => ApiError::of(
                Code::CorsBadPreflight,
                format!("CORS preflight refused: {other}."),
            ),
        });
    Ok(match refusal {
        Some(err) => {
            let (lang, request_id) = problem_context(res.request());
            let mut new = err.render(lang, request_id);
            new.headers_mut().insert(
                actix_web::http::header::VARY,
                HeaderValue::from_static(
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                ),
            );
            res.into_response(new).map_into_right_body()
        }
        None => res.map_into_left_body(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_request_ids_differ_and_read_as_uuids() {
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert!(uuid::Uuid::parse_str(&b).is_ok());
        // One process: the same prefix, the counter apart.
        assert_eq!(a[..18], b[..18]);
    }
}
