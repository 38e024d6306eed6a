//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Every error carries a stable snake_case `code`. The `title` is looked up from the code in
//! Vietnamese or English; the `problem_language` middleware re-renders the body in the language
//! the client asked for with `Accept-Language`.

use std::fmt;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::Lang;

/// One invalid field of a request.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `email` or `items[2].key`.
    pub field: String,
    /// Stable snake_case reason, e.g. `too_short`.
    pub code: String,
    pub message: String,
}

impl FieldError {
    /// The same problem, named for another field (a rule shared by fields of other names).
    pub fn for_field(self, field: &str) -> Self {
        Self {
            field: field.to_string(),
            ..self
        }
    }
}

/// The RFC 9457 problem document every error answers with.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// A URI identifying the problem type.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case code for clients.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The internal cause of a 5xx, logged once, never sent.
    pub cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            cause: None,
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        e.errors = errors;
        e
    }
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            detail,
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The server could not complete the request.",
        );
        e.cause = Some(cause.into());
        e
    }
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!("https://hocso.vn/problems/{}", self.code.replace('_', "-")),
            title: title(self.code, self.status, lang).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            errors: self.errors.clone(),
            request_id,
        }
    }

    /// Renders the response in `lang`; used by the language middleware.
    pub fn render(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.content_type("application/problem+json");
        res.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
        for (k, v) in &self.headers {
            res.insert_header((k.clone(), v.clone()));
        }
        res.json(self.problem(lang, request_id))
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, "; cause: {cause:#}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        self.render(Lang::Vi, None)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::not_found("The resource does not exist."),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("conflict", "The resource already exists.")
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                let mut err = ApiError::unavailable("The database is not reachable.");
                err.cause = Some(e.into());
                err
            }
            Error::DatabaseError(_, ref info) if is_connection_loss(info.message()) => {
                let mut err = ApiError::unavailable("The database is not reachable.");
                err.cause = Some(e.into());
                err
            }
            other => ApiError::internal(other),
        }
    }
}

/// libpq reports some losses of the connection without an SQLSTATE (diesel then says `Unknown`):
/// these are outages (503), not server bugs (500).
fn is_connection_loss(message: &str) -> bool {
    const LOSS: [&str; 5] = [
        "no connection to the server",
        "server closed the connection unexpectedly",
        "could not receive data from server",
        "could not send data to server",
        "terminating connection due to administrator command",
    ];
    LOSS.iter().any(|m| message.contains(m))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        let mut err = ApiError::unavailable("The database is not reachable.");
        err.cause = Some(anyhow::anyhow!("database pool: {e}"));
        err
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

/// Title of a problem code, in the given language.
pub fn title(code: &str, status: StatusCode, lang: Lang) -> &'static str {
    let (vi, en) = match code {
        "not_found" => ("Không tìm thấy", "Not found"),
        "method_not_allowed" => ("Phương thức không được hỗ trợ", "Method not allowed"),
        "malformed_json" => ("Dữ liệu JSON không hợp lệ", "Malformed JSON"),
        "unsupported_media_type" => ("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
        "payload_too_large" => ("Dữ liệu gửi lên quá lớn", "Payload too large"),
        "validation_failed" => ("Dữ liệu không hợp lệ", "Validation failed"),
        "invalid_query" => ("Tham số truy vấn không hợp lệ", "Invalid query parameters"),
        "invalid_path" => ("Đường dẫn không hợp lệ", "Invalid path"),
        "service_unavailable" => ("Dịch vụ tạm thời không sẵn sàng", "Service unavailable"),
        "internal_error" => ("Lỗi máy chủ", "Internal server error"),
        "unauthenticated" => ("Cần đăng nhập", "Authentication required"),
        "invalid_token" => ("Mã truy cập không hợp lệ", "Invalid token"),
        "invalid_credentials" => ("Sai thông tin đăng nhập", "Invalid credentials"),
        "account_disabled" => ("Tài khoản đã bị khóa", "Account disabled"),
        "forbidden" => ("Không có quyền", "Forbidden"),
        "conflict" => ("Xung đột dữ liệu", "Conflict"),
        "email_taken" => ("Địa chỉ e-mail đã được dùng", "E-mail already in use"),
        "phone_taken" => ("Số điện thoại đã được dùng", "Phone number already in use"),
        "username_taken" => ("Tên đăng nhập đã được dùng", "Username already in use"),
        "weak_password" => ("Mật khẩu quá yếu", "Weak password"),
        "rate_limited" => ("Quá nhiều yêu cầu", "Too many requests"),
        "refresh_token_reused" => ("Phiên đăng nhập đã bị thu hồi", "Session revoked"),
        "invalid_refresh_token" => ("Phiên đăng nhập không hợp lệ", "Invalid session"),
        "invalid_verification_token" => ("Mã xác minh không hợp lệ", "Invalid verification token"),
        "invalid_reset_token" => ("Mã đặt lại mật khẩu không hợp lệ", "Invalid reset token"),
        "wrong_password" => ("Mật khẩu hiện tại không đúng", "Current password is wrong"),
        "locality_not_found" => ("Không tìm thấy địa bàn", "Locality not found"),
        "malformed_request" => ("Yêu cầu HTTP không hợp lệ", "Malformed HTTP request"),
        "request_timeout" => ("Yêu cầu gửi quá chậm", "Request timeout"),
        "request_header_fields_too_large" => (
            "Phần đầu yêu cầu quá lớn",
            "Request header fields too large",
        ),
        "cors_origin_not_allowed" => ("Trang web này không được gọi API", "Origin not allowed"),
        "cors_bad_preflight" => ("Yêu cầu CORS không hợp lệ", "Bad CORS preflight"),
        _ => match status.as_u16() {
            400 => ("Yêu cầu không hợp lệ", "Bad request"),
            401 => ("Cần đăng nhập", "Authentication required"),
            403 => ("Không có quyền", "Forbidden"),
            404 => ("Không tìm thấy", "Not found"),
            409 => ("Xung đột dữ liệu", "Conflict"),
            422 => ("Dữ liệu không hợp lệ", "Validation failed"),
            429 => ("Quá nhiều yêu cầu", "Too many requests"),
            503 => ("Dịch vụ tạm thời không sẵn sàng", "Service unavailable"),
            s if s >= 500 => ("Lỗi máy chủ", "Internal server error"),
            _ => ("Yêu cầu không hợp lệ", "Bad request"),
        },
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// Collects per-field problems and turns them into one 422.
#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn check(&mut self, ok: bool, field: &str, code: &str, message: impl Into<String>) {
        if !ok {
            self.push(field, code, message);
        }
    }
    pub fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        });
    }
    /// Checks a text's length in characters (after trimming).
    pub fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let n = value.trim().chars().count();
        if n < min {
            self.push(
                field,
                if n == 0 { "required" } else { "too_short" },
                format!("must have at least {min} characters"),
            );
        } else if n > max {
            self.push(
                field,
                "too_long",
                format!("must have at most {max} characters"),
            );
        }
    }
    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        assert_eq!(ApiError::not_found("x").status, StatusCode::NOT_FOUND);
        assert_eq!(
            ApiError::field("a", "required", "x").status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            ApiError::from(diesel::result::Error::NotFound).status,
            StatusCode::NOT_FOUND
        );
        let e = ApiError::internal(anyhow::anyhow!("secret detail"));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&e.problem(Lang::En, None)).unwrap();
        assert!(!body.contains("secret detail"));
    }

    #[test]
    fn titles_follow_language() {
        let e = ApiError::not_found("x");
        assert_eq!(e.problem(Lang::Vi, None).title, "Không tìm thấy");
        assert_eq!(e.problem(Lang::En, None).title, "Not found");
    }

    #[test]
    fn validator_collects_every_field() {
        let mut v = Validator::new();
        v.length("name", "", 1, 10);
        v.length("bio", "abcdef", 1, 3);
        let err = v.finish().unwrap_err();
        assert_eq!(err.errors.len(), 2);
        assert_eq!(err.errors[0].code, "required");
        assert_eq!(err.errors[1].code, "too_long");
    }
}
