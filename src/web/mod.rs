//! The web pages: server-rendered HTML on the same use cases as the JSON API (DESIGN.md §10).
//! A handler here reads the request (`Ctx`, `Form`), calls the domain, and renders a template
//! (`src/web/templates/`); it never runs SQL and never calls the JSON API. Every page works with
//! links and forms alone; `assets/app.js` and the service worker add offline lessons and small
//! conveniences. docs/WEB.md describes the whole.

mod account;
mod admin;
pub mod assets;
mod author;
pub mod context;
mod erasure;
mod learn;
mod officer;
mod privacy;
mod quiz;
mod staff;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;

pub use context::{Ctx, Form};

use crate::error::{ApiError, Code};
use crate::i18n::pages::{texts, Texts};
use crate::i18n::Lang;

/// What the layout (`base.html`) shows on every page.
pub struct Chrome {
    pub lang: &'static str,
    pub t: &'static Texts,
    /// The CSRF token of this browser; empty on error pages (which show no forms).
    pub csrf: String,
    pub signed_in: bool,
    /// The signed-in user holds the facilitator role: the nav links the staff pages.
    pub staff: bool,
    /// The signed-in user may import residents: the staff nav links the import page.
    pub importer: bool,
    /// The signed-in user holds the instructor role: the nav links the authoring pages.
    pub author: bool,
    /// The signed-in user holds the admin role: the nav links the officer's pages.
    pub admin: bool,
    /// The signed-in user may run the platform: the officer's nav links the admin pages.
    pub platform_admin: bool,
    /// This page's address (the language switch comes back here).
    pub here: String,
    pub title: String,
    pub css: &'static str,
    pub js: &'static str,
    pub icon: &'static str,
}

impl Chrome {
    fn new(lang: Lang, title: String, csrf: String, signed_in: bool, here: String) -> Self {
        Chrome {
            lang: lang.tag(),
            t: texts(lang),
            csrf,
            signed_in,
            staff: false,
            importer: false,
            author: false,
            admin: false,
            platform_admin: false,
            here,
            title,
            css: assets::url("site.css"),
            js: assets::url("app.js"),
            icon: assets::url("icon.svg"),
        }
    }
}

impl Ctx {
    /// The layout's data for a page titled `title`.
    pub fn chrome(&self, title: impl Into<String>, signed_in: bool) -> Chrome {
        let mut c = Chrome::new(
            self.lang,
            title.into(),
            self.csrf_token(),
            signed_in,
            self.here.clone(),
        );
        c.staff = signed_in && self.is_staff();
        c.importer = signed_in && self.is_importer();
        c.author = signed_in && self.is_author();
        c.admin = signed_in && self.is_admin();
        c.platform_admin = signed_in && self.is_platform_admin();
        c
    }

    /// A rendered page with `status`.
    pub fn render<T: Template>(
        &self,
        status: StatusCode,
        page: &T,
    ) -> Result<HttpResponse, PageError> {
        let html = page
            .render()
            .map_err(|e| PageError::internal(self.lang, anyhow::anyhow!("template: {e}")))?;
        Ok(self.finish(
            HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
        ))
    }

    pub fn ok<T: Template>(&self, page: &T) -> Result<HttpResponse, PageError> {
        self.render(StatusCode::OK, page)
    }
}

/// Why a page could not be shown: answered as an HTML page in the user's language (the JSON
/// API keeps problem+json; `api::middleware::problems` leaves HTML answers as they are).
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    NotFound,
    /// A form post without this browser's CSRF token: nothing was read or changed.
    Csrf {
        back: String,
    },
    /// A form body that is not a form, or is too large.
    BadForm,
    /// The page needs a signed-in user: to the login page, then back.
    Login {
        next: String,
    },
    Api(ApiError),
}

impl PageError {
    pub fn not_found(lang: Lang) -> Self {
        PageError {
            lang,
            kind: Kind::NotFound,
        }
    }
    pub fn csrf(lang: Lang, back: &str) -> Self {
        PageError {
            lang,
            kind: Kind::Csrf {
                back: back.to_string(),
            },
        }
    }
    pub fn bad_form(lang: Lang) -> Self {
        PageError {
            lang,
            kind: Kind::BadForm,
        }
    }
    pub fn login(lang: Lang, next: &str) -> Self {
        PageError {
            lang,
            kind: Kind::Login {
                next: next.to_string(),
            },
        }
    }
    pub fn internal(lang: Lang, e: anyhow::Error) -> Self {
        Self::from_api(lang, ApiError::internal(e))
    }
    /// A domain error: a 404 is the page's own 404; a 401 asks to log in again.
    pub fn from_api(lang: Lang, e: ApiError) -> Self {
        let kind = match e.status {
            StatusCode::NOT_FOUND => Kind::NotFound,
            _ => Kind::Api(e),
        };
        PageError { lang, kind }
    }
    /// A refusal as the pages answer it: whoever may not act here (403 in the API) or on this
    /// object (404) gets the site's 404, and learns nothing.
    pub fn hidden(lang: Lang, e: ApiError) -> Self {
        if e.status == StatusCode::FORBIDDEN {
            Self::not_found(lang)
        } else {
            Self::from_api(lang, e)
        }
    }
    /// A refusal a form shows beside its field (a client error the actor may know of), or else
    /// the error page it is ([`PageError::hidden`]).
    pub fn on_form(lang: Lang, e: ApiError) -> Result<ApiError, Self> {
        if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN {
            Ok(e)
        } else {
            Err(Self::hidden(lang, e))
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Api(e) => write!(f, "{}: {}", e.code.as_str(), e.detail),
            k => write!(f, "{k:?}"),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    heading: &'a str,
    message: String,
    back: Option<String>,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match &self.kind {
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Csrf { .. } => StatusCode::FORBIDDEN,
            Kind::BadForm => StatusCode::BAD_REQUEST,
            Kind::Login { .. } => StatusCode::SEE_OTHER,
            Kind::Api(e) => e.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let t = texts(self.lang);
        if let Kind::Login { next } = &self.kind {
            let to = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to))
                .finish();
        }
        let (heading, message, back) = match &self.kind {
            Kind::NotFound => (t.not_found_title, t.not_found_text.to_string(), None),
            Kind::Csrf { back } => (t.csrf_title, t.csrf_text.to_string(), Some(back.clone())),
            Kind::BadForm => (t.bad_form_title, t.bad_form_text.to_string(), None),
            Kind::Api(e) if e.status.is_server_error() => {
                tracing::error!(error = ?e, "page failed");
                (t.server_error_title, t.server_error_text.to_string(), None)
            }
            Kind::Api(e) => (e.code.title(self.lang), message_of(self.lang, e), None),
            Kind::Login { .. } => unreachable!("answered above"),
        };
        let page = ErrorPage {
            c: Chrome::new(
                self.lang,
                heading.to_string(),
                String::new(),
                false,
                "/".into(),
            ),
            heading,
            message,
            back,
        };
        let body = page.render().unwrap_or_else(|_| heading.to_string());
        let mut res = HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body);
        for (name, value) in match &self.kind {
            Kind::Api(e) => e.headers.clone(),
            _ => vec![],
        } {
            res.headers_mut().insert(name, value);
        }
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

/// A domain error's detail in the page's language: a message written "Tiếng Việt / English"
/// gives its half; other details are the English text of the API, shown after the code's title.
pub fn message_of(lang: Lang, e: &ApiError) -> String {
    if let Some(f) = e.errors.first() {
        return field_message(lang, &f.code, &f.message);
    }
    half(lang, &e.detail)
}

/// The half of a "Tiếng Việt / English" text in the page's language (a text without " / " whole).
pub fn half(lang: Lang, s: &str) -> String {
    match s.split_once(" / ") {
        Some((vi, en)) => match lang {
            Lang::Vi => vi.trim().to_string(),
            Lang::En => en.trim().to_string(),
        },
        None => s.to_string(),
    }
}

/// The text of the page's language: the English one when there is one, else the Vietnamese.
pub fn pick<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::En if !en.is_empty() => en,
        _ => vi,
    }
}

/// A moment as the pages show it, to the minute, in Vietnam's time (UTC+7 all year: the one
/// time zone of the country, no daylight saving): `14:05 06/12/2026`. Stored times are UTC.
pub fn clock(at: chrono::DateTime<chrono::Utc>) -> String {
    vn_time(at).format("%H:%M %d/%m/%Y").to_string()
}

/// The hour and minute of a moment in Vietnam's time (see [`clock`]).
pub fn hour(at: chrono::DateTime<chrono::Utc>) -> String {
    vn_time(at).format("%H:%M").to_string()
}

fn vn_time(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is an offset");
    at.with_timezone(&vietnam)
}

/// A day as the pages show it: 06/12/2026 in Vietnamese, 6 Dec 2026 in English.
pub fn day(lang: Lang, d: chrono::NaiveDateTime) -> String {
    match lang {
        Lang::Vi => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

/// A field error as a person reads it beside the field.
pub fn field_message(lang: Lang, code: &str, message: &str) -> String {
    let t = texts(lang);
    match code {
        "required" => t.err_required.to_string(),
        "too_long" => t.err_too_long.to_string(),
        "invalid" => t.err_invalid.to_string(),
        "taken" | "conflict" => t.err_taken.to_string(),
        "consent_required" => t.consent_required.to_string(),
        "consent_outdated" => t.consent_outdated.to_string(),
        _ => half(lang, message),
    }
}

/// Field errors of a domain error, by field name, in the page's language (forms show each
/// beside its field).
pub fn field_errors(lang: Lang, e: &ApiError) -> Vec<(String, String)> {
    e.errors
        .iter()
        .map(|f| (f.field.clone(), field_message(lang, &f.code, &f.message)))
        .collect()
}

/// The errors of a form: each field's message, if any (templates call `errs.of("phone")`).
#[derive(Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn of(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// The field of the first error (`""` without one), which a form's summary links to.
    pub fn first(&self) -> &str {
        self.0.first().map(|(f, _)| f.as_str()).unwrap_or("")
    }
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }
}

/// Unknown addresses outside the API: the friendly HTML 404.
pub async fn not_found(ctx: Ctx) -> PageError {
    PageError::not_found(ctx.lang)
}

/// The pages' routes (registered unless `web_pages` is off).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{file}", web::get().to(assets::serve))
        .route("/sw.js", web::get().to(assets::service_worker))
        .route("/manifest.webmanifest", web::get().to(assets::manifest));
    account::configure(cfg);
    learn::configure(cfg);
    quiz::configure(cfg);
    staff::configure(cfg);
    officer::configure(cfg);
    author::configure(cfg);
    admin::configure(cfg);
    privacy::configure(cfg);
    erasure::configure(cfg);
}

/// Whether `code` is the problem a form shows beside its fields.
pub fn is_validation(e: &ApiError) -> bool {
    e.code == Code::ValidationFailed && !e.errors.is_empty()
}
