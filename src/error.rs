//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Every error carries a stable problem [`Code`] (snake_case on the wire; clients switch on it).
//! Each code has its Vietnamese and English title; the `problem_language` middleware re-renders
//! the body in the language the client asked for with `Accept-Language`. docs/API.md lists every
//! code (a test keeps that table and [`Code::ALL`] equal).

use std::fmt;
use std::str::FromStr;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::Lang;

/// Declares [`Code`]: each code with the status it is answered with and its titles.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:tt, $status:ident, $vi:tt, $en:tt;)*) => {
        /// Stable snake_case code of a problem: clients switch on it, never on `title` or `detail`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = ProblemCode)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of declaration.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as clients see it (`email_taken`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The status the code is answered with. `account_disabled` is also a 403 (a login with
            /// the right password to a disabled account) and `bad_request` names any refusal of the
            /// HTTP framework without a code of its own: those pass their status to [`ApiError::new`].
            pub fn status(self) -> StatusCode {
                match self {
                    $(Code::$variant => StatusCode::$status,)*
                }
            }

            /// The title, in `lang`.
            pub fn title(self, lang: Lang) -> &'static str {
                let (vi, en) = match self {
                    $(Code::$variant => ($vi, $en),)*
                };
                match lang {
                    Lang::Vi => vi,
                    Lang::En => en,
                }
            }
        }
    };
}

codes! {
    // 400
    MalformedJson = "malformed_json", BAD_REQUEST, "Dữ liệu JSON không hợp lệ", "Malformed JSON";
    InvalidQuery = "invalid_query", BAD_REQUEST, "Tham số truy vấn không hợp lệ", "Invalid query parameters";
    InvalidVerificationToken = "invalid_verification_token", BAD_REQUEST,
        "Mã xác minh không hợp lệ", "Invalid verification token";
    InvalidResetToken = "invalid_reset_token", BAD_REQUEST,
        "Mã đặt lại mật khẩu không hợp lệ", "Invalid reset token";
    MalformedRequest = "malformed_request", BAD_REQUEST, "Yêu cầu HTTP không hợp lệ", "Malformed HTTP request";
    CorsBadPreflight = "cors_bad_preflight", BAD_REQUEST, "Yêu cầu CORS không hợp lệ", "Bad CORS preflight";
    /// The body could not be read, or the HTTP framework refused the request with a status no
    /// other code names.
    BadRequest = "bad_request", BAD_REQUEST, "Yêu cầu không hợp lệ", "Bad request";
    // 401
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "Cần đăng nhập", "Authentication required";
    InvalidToken = "invalid_token", UNAUTHORIZED, "Mã truy cập không hợp lệ", "Invalid token";
    /// 401 for a token of a disabled account, 403 for a login to it with the right password.
    AccountDisabled = "account_disabled", UNAUTHORIZED, "Tài khoản đã bị khóa", "Account disabled";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED, "Sai thông tin đăng nhập", "Invalid credentials";
    InvalidRefreshToken = "invalid_refresh_token", UNAUTHORIZED, "Phiên đăng nhập không hợp lệ", "Invalid session";
    RefreshTokenReused = "refresh_token_reused", UNAUTHORIZED, "Phiên đăng nhập đã bị thu hồi", "Session revoked";
    // 403
    Forbidden = "forbidden", FORBIDDEN, "Không có quyền", "Forbidden";
    WrongPassword = "wrong_password", FORBIDDEN, "Mật khẩu hiện tại không đúng", "Current password is wrong";
    CorsOriginNotAllowed = "cors_origin_not_allowed", FORBIDDEN,
        "Trang web này không được gọi API", "Origin not allowed";
    // 404, 405, 408
    NotFound = "not_found", NOT_FOUND, "Không tìm thấy", "Not found";
    LocalityNotFound = "locality_not_found", NOT_FOUND, "Không tìm thấy địa bàn", "Locality not found";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED,
        "Phương thức không được hỗ trợ", "Method not allowed";
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT, "Yêu cầu gửi quá chậm", "Request timeout";
    // 409
    Conflict = "conflict", CONFLICT, "Xung đột dữ liệu", "Conflict";
    EmailTaken = "email_taken", CONFLICT, "Địa chỉ e-mail đã được dùng", "E-mail already in use";
    PhoneTaken = "phone_taken", CONFLICT, "Số điện thoại đã được dùng", "Phone number already in use";
    UsernameTaken = "username_taken", CONFLICT, "Tên đăng nhập đã được dùng", "Username already in use";
    CodeTaken = "code_taken", CONFLICT, "Mã đã được dùng", "Code already in use";
    KeyTaken = "key_taken", CONFLICT, "Mã định danh đã được dùng", "Key already in use";
    CourseExists = "course_exists", CONFLICT, "Khóa học đã tồn tại", "Course already exists";
    PositionOutOfRange = "position_out_of_range", CONFLICT, "Vị trí nằm ngoài phạm vi", "Position out of range";
    KindMismatch = "kind_mismatch", CONFLICT, "Loại địa bàn không phù hợp", "Locality kind mismatch";
    NotAVillage = "not_a_village", CONFLICT, "Địa bàn không phải là thôn", "Not a village";
    CourseNotPublished = "course_not_published", CONFLICT,
        "Khóa học chưa được xuất bản", "Course not published";
    CoursePublished = "course_published", CONFLICT, "Khóa học đã được xuất bản", "Course already published";
    EditConflict = "edit_conflict", CONFLICT, "Bản nháp vừa bị thay đổi", "Edit conflict";
    CannotDisableSelf = "cannot_disable_self", CONFLICT,
        "Không thể tự khóa tài khoản của mình", "Cannot disable your own account";
    LessonLocked = "lesson_locked", CONFLICT, "Bài học chưa được mở", "Lesson locked";
    MaxAttemptsReached = "max_attempts_reached", CONFLICT, "Đã hết số lần làm bài", "Maximum attempts reached";
    CooldownActive = "cooldown_active", CONFLICT,
        "Cần chờ trước lần làm bài tiếp theo", "Wait before the next attempt";
    AttemptSubmitted = "attempt_submitted", CONFLICT, "Bài làm đã được nộp", "Attempt already submitted";
    AttemptClosed = "attempt_closed", CONFLICT, "Đã hết thời gian làm bài", "Attempt closed";
    ConsentWithdrawn = "consent_withdrawn", CONFLICT, "Sự đồng ý đã được rút lại", "Consent already withdrawn";
    ErasureRequested = "erasure_requested", CONFLICT,
        "Đã có yêu cầu xóa dữ liệu đang chờ", "Erasure already requested";
    ErasureHoldsRole = "erasure_holds_role", CONFLICT,
        "Tài khoản đang giữ vai trò quản lý", "The account holds a staff role";
    ExportNotReady = "export_not_ready", CONFLICT,
        "Tệp dữ liệu chưa sẵn sàng", "Export not ready";
    // 410
    ExportExpired = "export_expired", GONE, "Tệp dữ liệu đã hết hạn", "Export expired";
    // 413, 415, 422, 429, 431
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "Dữ liệu gửi lên quá lớn", "Payload too large";
    BatchTooLarge = "batch_too_large", PAYLOAD_TOO_LARGE, "Lô sự kiện quá lớn", "Batch too large";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE,
        "Kiểu nội dung không được hỗ trợ", "Unsupported media type";
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "Dữ liệu không hợp lệ", "Validation failed";
    CourseInvalid = "course_invalid", UNPROCESSABLE_ENTITY, "Khóa học chưa hợp lệ", "Course invalid";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS, "Quá nhiều yêu cầu", "Too many requests";
    RequestHeaderFieldsTooLarge = "request_header_fields_too_large", REQUEST_HEADER_FIELDS_TOO_LARGE,
        "Phần đầu yêu cầu quá lớn", "Request header fields too large";
    // 5xx
    InternalError = "internal_error", INTERNAL_SERVER_ERROR, "Lỗi máy chủ", "Internal server error";
    ServiceUnavailable = "service_unavailable", SERVICE_UNAVAILABLE,
        "Dịch vụ tạm thời không sẵn sàng", "Service unavailable";
}

impl Code {
    /// The code of an error the HTTP framework answered with `status` on its own.
    pub fn for_status(status: StatusCode) -> Code {
        match status.as_u16() {
            401 => Code::Unauthenticated,
            403 => Code::Forbidden,
            404 => Code::NotFound,
            405 => Code::MethodNotAllowed,
            408 => Code::RequestTimeout,
            413 => Code::PayloadTooLarge,
            415 => Code::UnsupportedMediaType,
            422 => Code::ValidationFailed,
            429 => Code::RateLimited,
            _ => Code::BadRequest,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Code {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Code, UnknownCode> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

/// A string that names no [`Code`].
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a problem code", self.0)
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

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
    pub code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The internal cause of a 5xx, logged once, never sent.
    pub cause: Option<anyhow::Error>,
}

impl ApiError {
    /// An error answered with `status` (for the codes answered with more than one status, and
    /// for statuses given by others); [`ApiError::of`] takes the code's own status.
    pub fn new(status: StatusCode, code: Code, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            cause: None,
        }
    }

    /// An error answered with its code's status.
    pub fn of(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code.status(), code, detail)
    }

    pub fn bad_request(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::of(Code::Forbidden, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::of(Code::NotFound, detail)
    }
    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::of(Code::ValidationFailed, detail);
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
        Self::of(Code::ServiceUnavailable, detail)
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::of(
            Code::InternalError,
            "The server could not complete the request.",
        );
        e.cause = Some(cause.into());
        e
    }
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
    /// Tells the client to try again in `seconds` (`Retry-After`).
    pub fn retry_after(self, seconds: u64) -> Self {
        self.with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
    }

    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!(
                "https://hocso.vn/problems/{}",
                self.code.as_str().replace('_', "-")
            ),
            title: self.code.title(lang).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
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
        if crate::db::lost_connection(&e) {
            let mut err = ApiError::unavailable("The database is not reachable.");
            err.cause = Some(e.into());
            return err;
        }
        match e {
            Error::NotFound => ApiError::not_found("The resource does not exist."),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict(Code::Conflict, "The resource already exists.")
            }
            other => ApiError::internal(other),
        }
    }
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
    fn codes_are_their_names_on_the_wire() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            let e = ApiError::of(code, "x");
            let body = serde_json::to_value(e.problem(Lang::En, None)).unwrap();
            assert_eq!(body["code"], code.as_str());
            assert_eq!(body["status"], code.status().as_u16());
            assert_eq!(
                body["type"],
                format!(
                    "https://hocso.vn/problems/{}",
                    code.as_str().replace('_', "-")
                )
            );
        }
        assert_eq!(
            "no_such_code".parse::<Code>(),
            Err(UnknownCode("no_such_code".into()))
        );
    }

    #[test]
    fn every_code_has_both_titles() {
        for &code in Code::ALL {
            for lang in [Lang::Vi, Lang::En] {
                let title = code.title(lang);
                assert!(
                    !title.trim().is_empty() && title.trim() == title,
                    "{code} in {lang:?}"
                );
            }
            assert_ne!(code.title(Lang::Vi), code.title(Lang::En), "{code}");
        }
    }

    /// The table of problem codes in docs/API.md (`| status | code | when |`): each row's status
    /// and the codes in backticks of its code column.
    fn documented_codes() -> Vec<(u16, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/API.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let mut rows = doc
            .lines()
            .skip_while(|l| l.replace(' ', "") != "|status|code|when|")
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .peekable();
        assert!(rows.peek().is_some(), "no table of codes in {path}");
        let mut out = Vec::new();
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let status: u16 = cells[1]
                .parse()
                .unwrap_or_else(|_| panic!("status of {row}"));
            let codes: Vec<&str> = cells[2].split('`').skip(1).step_by(2).collect();
            assert!(!codes.is_empty(), "no code in {row}");
            out.extend(codes.into_iter().map(|c| (status, c.to_string())));
        }
        out
    }

    #[test]
    fn docs_list_exactly_the_codes() {
        let documented = documented_codes();
        for (status, name) in &documented {
            let code: Code = name
                .parse()
                .unwrap_or_else(|e| panic!("docs/API.md: {e} (add it to `Code` or remove it)"));
            if code != Code::AccountDisabled {
                assert_eq!(
                    code.status().as_u16(),
                    *status,
                    "docs/API.md lists {code} under {status}"
                );
            }
        }
        for &code in Code::ALL {
            assert!(
                documented
                    .iter()
                    .any(|(s, c)| c == code.as_str() && *s == code.status().as_u16()),
                "docs/API.md does not list `{code}` under {}",
                code.status().as_u16()
            );
        }
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
