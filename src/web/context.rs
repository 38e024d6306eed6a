//! What every page needs from its request: the language, the CSRF token, the browser session,
//! and the page's own address (to come back to after logging in). No database work here; the
//! session is checked only by pages that need the user (`Ctx::user`).
//!
//! CSRF: the signed double-submit pattern. A random `hocso_csrf` cookie (HttpOnly, SameSite=Lax)
//! is given on the first page; every form carries `HMAC-SHA256(key, cookie)` in its `csrf` field,
//! and a form post whose field does not match its cookie is refused before anything is read or
//! changed ([`Form`] is the only way a page handler reads a posted form). A site that cannot read
//! our cookie cannot compute the field, and one that can plant a cookie cannot sign it.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::hmac;
use secrecy::ExposeSecret;

use super::PageError;
use crate::auth::tokens::random_token;
use crate::auth::AuthUser;
use crate::i18n::pages::{texts, Texts};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::telemetry::run_blocking;

pub const SESSION_COOKIE: &str = "hocso_session";
pub const CSRF_COOKIE: &str = "hocso_csrf";
pub const LANG_COOKIE: &str = "hocso_lang";
/// The form field, and the header scripts send (`X-CSRF-Token`).
pub const CSRF_FIELD: &str = "csrf";

/// The request as the pages see it.
pub struct Ctx {
    pub lang: Lang,
    pub state: web::Data<AppState>,
    /// The CSRF cookie's value (new when the browser had none; then it is set on the answer).
    csrf_cookie: String,
    new_csrf: bool,
    /// The browser session cookie, unchecked.
    session: Option<String>,
    /// This page's path and query (where to come back after logging in); for a form post, the
    /// page the form belongs to.
    pub here: String,
    secure: bool,
    /// Whether the signed-in user holds the facilitator role (known once `maybe_user` has
    /// read the session; the layout then shows the staff link).
    staff: std::cell::Cell<bool>,
    /// Whether the signed-in user may import residents (the staff nav links the import page).
    importer: std::cell::Cell<bool>,
    /// Whether the signed-in user holds the instructor role (the layout links the authoring pages).
    author: std::cell::Cell<bool>,
    /// Whether the signed-in user holds the admin role, of a locality or of the whole platform
    /// (the layout links the officer's pages).
    admin: std::cell::Cell<bool>,
    /// Whether the signed-in user may run the platform (an admin grant without locality), as
    /// `accounts::admin::PlatformAdmin::of` decides (the officer's nav links the admin pages).
    platform_admin: std::cell::Cell<bool>,
}

fn csrf_key(state: &AppState) -> hmac::Key {
    crate::config::derived_key(state.secrets.jwt_secret.expose_secret(), "csrf")
}

impl Ctx {
    fn from_request(req: &HttpRequest) -> Result<Self, PageError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| PageError::internal(Lang::Vi, anyhow::anyhow!("no app state")))?;
        let cookie = |name| {
            req.cookie(name)
                .map(|c| c.value().to_string())
                .filter(|v| !v.is_empty() && v.len() <= 200)
        };
        let lang = cookie(LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_else(|| Lang::from_headers(req.headers()));
        let (csrf_cookie, new_csrf) = match cookie(CSRF_COOKIE) {
            Some(v) => (v, false),
            None => (random_token(), true),
        };
        let here = if req.method() == actix_web::http::Method::GET {
            match req.uri().query() {
                Some(q) => format!("{}?{q}", req.path()),
                None => req.path().to_string(),
            }
        } else {
            // A form's action is its page plus a verb (`…/lessons/k/done`, `/attempts/i/save`,
            // `/courses/s/enrol`): after logging in again the learner goes back to that page.
            match req.path().rsplit_once('/') {
                Some((page, _)) if !page.is_empty() => page.to_string(),
                _ => "/".to_string(),
            }
        };
        let secure = state.settings.public_url.starts_with("https://");
        Ok(Ctx {
            lang,
            state,
            csrf_cookie,
            new_csrf,
            session: cookie(SESSION_COOKIE),
            here,
            secure,
            staff: std::cell::Cell::new(false),
            importer: std::cell::Cell::new(false),
            author: std::cell::Cell::new(false),
            admin: std::cell::Cell::new(false),
            platform_admin: std::cell::Cell::new(false),
        })
    }

    pub fn t(&self) -> &'static Texts {
        texts(self.lang)
    }

    /// The token forms carry.
    pub fn csrf_token(&self) -> String {
        let tag = hmac::sign(&csrf_key(&self.state), self.csrf_cookie.as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether a presented token is this browser's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        if self.new_csrf {
            return false;
        }
        let Ok(tag) = URL_SAFE_NO_PAD.decode(presented.trim()) else {
            return false;
        };
        hmac::verify(&csrf_key(&self.state), self.csrf_cookie.as_bytes(), &tag).is_ok()
    }

    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }

    /// The signed-in user, or `None` (no cookie, or a session that ended).
    pub async fn maybe_user(&self) -> Result<Option<AuthUser>, PageError> {
        let Some(cookie) = self.session.clone() else {
            return Ok(None);
        };
        let pool = self.state.pool.clone();
        let days = self.state.settings.refresh_token_days;
        let user =
            run_blocking(move || crate::auth::browser::user(&mut *pool.get()?, &cookie, days))
                .await
                .map_err(|e| PageError::from_api(self.lang, e))?;
        let holds = |role| {
            user.as_ref()
                .is_some_and(|u| u.roles.iter().any(|r| r.role == role))
        };
        self.staff.set(holds(crate::auth::Role::Facilitator));
        self.author.set(holds(crate::auth::Role::Instructor));
        self.admin.set(holds(crate::auth::Role::Admin));
        self.platform_admin.set(
            user.as_ref()
                .is_some_and(|u| crate::accounts::admin::PlatformAdmin::of(u).is_ok()),
        );
        self.importer.set(
            user.as_ref()
                .is_some_and(|u| crate::community::imports::may_import(u).is_ok()),
        );
        Ok(user)
    }

    /// Whether the signed-in user (once read) holds the facilitator role.
    pub fn is_staff(&self) -> bool {
        self.staff.get()
    }

    /// Whether the signed-in user (once read) holds the instructor role.
    pub fn is_author(&self) -> bool {
        self.author.get()
    }

    /// Whether the signed-in user (once read) holds the admin role (of any locality).
    pub fn is_admin(&self) -> bool {
        self.admin.get()
    }

    /// Whether the signed-in user (once read) may run the platform, as the API decides.
    pub fn is_platform_admin(&self) -> bool {
        self.platform_admin.get()
    }

    /// Whether the signed-in user (once read) may import residents, as the API decides.
    pub fn is_importer(&self) -> bool {
        self.importer.get()
    }

    /// The signed-in user; without one the page answers with the login page, which comes back
    /// here afterwards.
    pub async fn user(&self) -> Result<AuthUser, PageError> {
        self.maybe_user()
            .await?
            .ok_or_else(|| PageError::login(self.lang, &self.here))
    }

    pub fn session_cookie(&self) -> Option<&str> {
        self.session.as_deref()
    }

    fn cookie<'c>(&self, name: &'c str, value: String, max_age_days: i64) -> Cookie<'c> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(actix_web::cookie::time::Duration::days(max_age_days))
            .finish()
    }

    /// The cookie of a new browser session.
    pub fn session_set(&self, value: String) -> Cookie<'static> {
        self.cookie(
            SESSION_COOKIE,
            value,
            self.state.settings.refresh_token_days,
        )
    }

    /// The session cookie removed.
    pub fn session_removed(&self) -> Cookie<'static> {
        let mut c = self.cookie(SESSION_COOKIE, String::new(), 0);
        c.make_removal();
        c
    }

    pub fn lang_set(&self, lang: Lang) -> Cookie<'static> {
        self.cookie(LANG_COOKIE, lang.tag().to_string(), 365)
    }

    /// Adds what every page answer carries: the CSRF cookie when it is new, no caching by
    /// shared caches (pages hold a CSRF token and often personal data).
    pub fn finish(&self, mut res: HttpResponse) -> HttpResponse {
        if self.new_csrf {
            let _ = res.add_cookie(&self.cookie(CSRF_COOKIE, self.csrf_cookie.clone(), 365));
        }
        if !res.headers().contains_key(header::CACHE_CONTROL) {
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
        }
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Cookie"));
        res
    }

    /// A 303 to `to` (after a form post).
    pub fn see_other(&self, to: &str) -> HttpResponse {
        self.finish(
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to))
                .finish(),
        )
    }
}

impl FromRequest for Ctx {
    type Error = PageError;
    type Future = std::future::Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ctx::from_request(req))
    }
}

/// A posted form (application/x-www-form-urlencoded), read only after its CSRF token matched.
/// Repeated names are kept (checkboxes).
pub struct Form {
    pub ctx: Ctx,
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value, or "" when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

/// The largest form a page posts (a quiz page with every answer is far below).
const FORM_LIMIT: usize = 64 * 1024;

impl FromRequest for Form {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = Ctx::from_request(req);
        let body = web::Bytes::from_request(req, payload);
        let csrf_header = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Box::pin(async move {
            let ctx = ctx?;
            let lang = ctx.lang;
            let body = body.await.map_err(|_| PageError::bad_form(lang))?;
            if body.len() > FORM_LIMIT {
                return Err(PageError::bad_form(lang));
            }
            let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let token = csrf_header.or_else(|| {
                fields
                    .iter()
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.clone())
            });
            if !token.is_some_and(|t| ctx.csrf_ok(&t)) {
                return Err(PageError::csrf(lang, &ctx.here));
            }
            if fields.iter().any(|(k, v)| {
                crate::text::has_refused_control(k) || crate::text::has_refused_control(v)
            }) {
                return Err(PageError::bad_form(lang));
            }
            Ok(Form { ctx, fields })
        })
    }
}
