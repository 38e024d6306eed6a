//! Account pages: log in (phone, e-mail or a login card's username, with a password or PIN),
//! register, set a new password or PIN with a reset code, the profile (name, language, change
//! of password), log out here or everywhere, and the language switch on every page. They call
//! the account use cases of `accounts::*`, the same as `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{field_errors, Chrome, Ctx, Errors, Form, PageError};
use crate::accounts::{self, password, profile, registration, session, Accounts};
use crate::error::{ApiError, Code};
use crate::i18n::Lang;
use crate::telemetry::run_blocking;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/register", web::get().to(register_page))
        .route("/register", web::post().to(register))
        .route("/reset", web::get().to(reset_page))
        .route("/reset", web::post().to(reset))
        .route("/logout", web::post().to(logout))
        .route("/logout-all", web::post().to(logout_all))
        .route("/profile", web::get().to(profile_page))
        .route("/profile", web::post().to(update_profile))
        .route("/profile/password", web::post().to(change_password))
        .route("/lang", web::post().to(switch_language))
        .route("/lang", web::get().to(language_link))
        .route("/offline", web::get().to(offline_page));
}

/// Where to go after logging in: a path on this site only (never another site).
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn client(ctx: &Ctx, req: &HttpRequest) -> String {
    ctx.state.limits.client_ip(req)
}

/// A refusal the form shows at its top, in words (rate limits say how to go on).
fn top_message(lang: Lang, e: &ApiError) -> String {
    let t = crate::i18n::pages::texts(lang);
    match e.code {
        Code::RateLimited => t.too_many.to_string(),
        Code::InvalidCredentials => t.login_failed.to_string(),
        _ => super::message_of(lang, e),
    }
}

/// Field errors beside their fields, in the page's language; the rest at the top.
fn form_errors(lang: Lang, e: &ApiError) -> (Errors, String) {
    let t = crate::i18n::pages::texts(lang);
    if super::is_validation(e) {
        let mut errs = Errors::default();
        for (field, message) in field_errors(lang, e) {
            let message = match field.as_str() {
                "phone" => t.phone_invalid.to_string(),
                "email" if message == t.err_required => t.phone_or_email.to_string(),
                "email" => t.email_invalid.to_string(),
                _ => message,
            };
            errs.push(&field, message);
        }
        return (errs, String::new());
    }
    let mut errs = Errors::default();
    match e.code {
        Code::PhoneTaken => errs.push("phone", t.err_taken),
        Code::EmailTaken => errs.push("email", t.err_taken),
        _ => return (errs, top_message(lang, e)),
    }
    (errs, String::new())
}

// ---------------------------------------------------------------- log in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    login: String,
    error: String,
    notice: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

async fn login_page(
    ctx: Ctx,
    query: Result<web::Query<NextQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let (next, reset) = match query {
        Ok(q) => (safe_next(q.next.as_deref()), q.reset.is_some()),
        Err(_) => ("/".into(), false),
    };
    ctx.ok(&LoginPage {
        c: ctx.chrome(ctx.t().login_title, false),
        next,
        login: String::new(),
        error: String::new(),
        notice: if reset {
            ctx.t().reset_done.to_string()
        } else {
            String::new()
        },
    })
}

async fn login(form: Form, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let next = safe_next(form.get("next"));
    let input = session::Credentials {
        client: client(ctx, &req),
        login: form.text("login"),
        password: form.text("password"),
    };
    let state = ctx.state.clone();
    let result = run_blocking(move || {
        let (user, cookie) = session::login_browser(&Accounts::of(&state), input)?;
        // A notice not yet accepted (a new version, or consent withdrawn) is asked first.
        let ask = crate::privacy::to_accept(&mut *state.pool.get()?, &user.id)?;
        Ok::<_, crate::error::ApiError>((user, cookie, ask))
    })
    .await;
    match result {
        Ok((user, cookie, ask)) => {
            let to = if ask {
                format!(
                    "/privacy?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            } else {
                next
            };
            let mut res = ctx.see_other(&to);
            let _ = res.add_cookie(&ctx.session_set(cookie));
            if let Some(l) = Lang::parse(&user.language) {
                let _ = res.add_cookie(&ctx.lang_set(l));
            }
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let error = if super::is_validation(&e) {
                ctx.t().login_failed.to_string()
            } else {
                top_message(lang, &e)
            };
            let page = LoginPage {
                c: ctx.chrome(ctx.t().login_title, false),
                next,
                login: form.text("login"),
                error,
                notice: String::new(),
            };
            ctx.render(e.status, &page)
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- register

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    c: Chrome,
    /// What the consent box accepts: the notice's current version.
    notice_version: &'static str,
    name: String,
    phone: String,
    email: String,
    errs: Errors,
    error: String,
}

async fn register_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    ctx.ok(&RegisterPage {
        c: ctx.chrome(ctx.t().register_title, false),
        notice_version: crate::privacy::NOTICE_VERSION,
        name: String::new(),
        phone: String::new(),
        email: String::new(),
        errs: Errors::default(),
        error: String::new(),
    })
}

async fn register(form: Form, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let input = registration::Registration {
        client: client(ctx, &req),
        display_name: form.text("display_name"),
        password: form.text("password"),
        email: form.get("email").map(str::to_string),
        phone: form.get("phone").map(str::to_string),
        language: Some(lang.tag().to_string()),
        start_session: false,
        accept_privacy_notice: form.get("accept_privacy_notice").map(str::to_string),
    };
    let state = ctx.state.clone();
    let result = run_blocking(move || {
        let registered = registration::register(&Accounts::of(&state), input)?;
        let user_id = registered.user.id.clone();
        state
            .writer
            .transaction(move |conn| crate::auth::browser::start(conn, &user_id))
    })
    .await;
    match result {
        Ok(cookie) => {
            let mut res = ctx.see_other("/courses");
            let _ = res.add_cookie(&ctx.session_set(cookie));
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let (errs, error) = form_errors(lang, &e);
            let page = RegisterPage {
                c: ctx.chrome(ctx.t().register_title, false),
                notice_version: crate::privacy::NOTICE_VERSION,
                name: form.text("display_name"),
                phone: form.text("phone"),
                email: form.text("email"),
                errs,
                error,
            };
            ctx.render(e.status, &page)
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- reset

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    c: Chrome,
    code: String,
    errs: Errors,
    error: String,
}

async fn reset_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    ctx.ok(&ResetPage {
        c: ctx.chrome(ctx.t().reset_title, ctx.has_session()),
        code: String::new(),
        errs: Errors::default(),
        error: String::new(),
    })
}

async fn reset(form: Form, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let input = password::Reset {
        client: client(ctx, &req),
        token: form.text("code"),
        new_password: form.text("new_password"),
    };
    let state = ctx.state.clone();
    let result = run_blocking(move || password::reset_password(&Accounts::of(&state), input)).await;
    match result {
        Ok(()) => {
            // Every session of the account ended, this browser's too.
            let mut res = ctx.see_other("/login?reset=1");
            let _ = res.add_cookie(&ctx.session_removed());
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let (mut errs, mut error) = form_errors(lang, &e);
            if e.code == Code::InvalidResetToken {
                errs.push("code", super::message_of(lang, &e));
                error.clear();
            }
            let page = ResetPage {
                c: ctx.chrome(ctx.t().reset_title, ctx.has_session()),
                code: form.text("code"),
                errs,
                error,
            };
            ctx.render(e.status, &page)
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- log out

async fn logout(form: Form) -> Result<HttpResponse, PageError> {
    end_sessions(form, false).await
}

async fn logout_all(form: Form) -> Result<HttpResponse, PageError> {
    end_sessions(form, true).await
}

async fn end_sessions(form: Form, everywhere: bool) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    if let Some(user) = ctx.maybe_user().await? {
        let writer = ctx.state.writer.clone();
        run_blocking(move || {
            writer.transaction(move |conn| {
                if everywhere {
                    session::logout_everywhere(conn, &user)
                } else {
                    session::logout(conn, &user)
                }
            })
        })
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    }
    let mut res = ctx.see_other("/");
    let _ = res.add_cookie(&ctx.session_removed());
    Ok(res)
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    name: String,
    login_names: Vec<String>,
    language: String,
    errs: Errors,
    notice: String,
}

#[derive(Deserialize)]
struct ProfileQuery {
    saved: Option<String>,
    changed: Option<String>,
}

async fn profile_page(
    ctx: Ctx,
    query: Result<web::Query<ProfileQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let user = ctx.user().await?;
    let state = ctx.state.clone();
    let account = run_blocking(move || profile::me(&Accounts::of(&state), &user))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    let notice = match query {
        Ok(q) if q.saved.is_some() => t.saved.to_string(),
        Ok(q) if q.changed.is_some() => t.password_changed.to_string(),
        _ => String::new(),
    };
    render_profile(&ctx, &account, Errors::default(), notice, None)
}

fn render_profile(
    ctx: &Ctx,
    account: &accounts::Account,
    errs: Errors,
    notice: String,
    name: Option<String>,
) -> Result<HttpResponse, PageError> {
    let u = &account.user;
    let login_names = [u.phone.clone(), u.email.clone(), u.username.clone()]
        .into_iter()
        .flatten()
        .collect();
    let status = if errs.any() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    ctx.render(
        status,
        &ProfilePage {
            c: ctx.chrome(ctx.t().profile_title, true),
            name: name.unwrap_or_else(|| u.display_name.clone()),
            login_names,
            language: u.language.clone(),
            errs,
            notice,
        },
    )
}

async fn update_profile(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let changes = profile::AccountChanges {
        display_name: Some(form.text("display_name")),
        language: Some(form.text("language")),
        email: None,
    };
    let state = ctx.state.clone();
    let actor = user.clone();
    let result =
        run_blocking(move || profile::update_me(&Accounts::of(&state), &actor, changes)).await;
    match result {
        Ok(account) => {
            let mut res = ctx.see_other("/profile?saved=1");
            if let Some(l) = Lang::parse(&account.user.language) {
                let _ = res.add_cookie(&ctx.lang_set(l));
            }
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let (errs, _) = form_errors(lang, &e);
            let state = ctx.state.clone();
            let account = run_blocking(move || profile::me(&Accounts::of(&state), &user))
                .await
                .map_err(|e| PageError::from_api(lang, e))?;
            render_profile(
                ctx,
                &account,
                errs,
                String::new(),
                Some(form.text("display_name")),
            )
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

async fn change_password(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let user = ctx.user().await?;
    let input = password::PasswordChange {
        current_password: form.text("current_password"),
        new_password: form.text("new_password"),
    };
    let state = ctx.state.clone();
    let actor = user.clone();
    let result =
        run_blocking(move || password::change_password(&Accounts::of(&state), &actor, input)).await;
    match result {
        Ok(()) => Ok(ctx.see_other("/profile?changed=1")),
        Err(e) if e.status.is_client_error() => {
            let mut errs = Errors::default();
            if e.code == Code::WrongPassword {
                errs.push("current_password", ctx.t().wrong_password);
            } else {
                let (found, top) = form_errors(lang, &e);
                errs = found;
                if !top.is_empty() {
                    errs.push("new_password", top);
                }
            }
            let state = ctx.state.clone();
            let account = run_blocking(move || profile::me(&Accounts::of(&state), &user))
                .await
                .map_err(|e| PageError::from_api(lang, e))?;
            render_profile(ctx, &account, errs, String::new(), None)
        }
        Err(e) => Err(PageError::from_api(lang, e)),
    }
}

// ---------------------------------------------------------------- language

#[derive(Deserialize)]
struct LanguageLink {
    lang: Option<String>,
    next: Option<String>,
}

/// The language switch of the pages without a form (the error pages, which carry no CSRF
/// token): a link that only sets the language cookie (the profile's language is changed by
/// the form of the other pages, a post) and goes back to `next`, a path on this site.
async fn language_link(
    ctx: Ctx,
    query: Result<web::Query<LanguageLink>, actix_web::Error>,
) -> HttpResponse {
    let (lang, next) = match query {
        Ok(q) => (q.lang.clone(), q.next.clone()),
        Err(_) => (None, None),
    };
    let lang = lang.as_deref().and_then(Lang::parse).unwrap_or(ctx.lang);
    let mut res = ctx.see_other(&safe_next(next.as_deref()));
    let _ = res.add_cookie(&ctx.lang_set(lang));
    res
}

/// The switch on every page: remembered in a cookie, and in the account of a signed-in user.
async fn switch_language(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = Lang::parse(&form.text("lang")).unwrap_or(ctx.lang);
    if let Some(user) = ctx.maybe_user().await? {
        let state = ctx.state.clone();
        let changes = profile::AccountChanges {
            language: Some(lang.tag().to_string()),
            ..Default::default()
        };
        run_blocking(move || profile::update_me(&Accounts::of(&state), &user, changes))
            .await
            .map_err(|e| PageError::from_api(ctx.lang, e))?;
    }
    let mut res = ctx.see_other(&safe_next(form.get("next")));
    let _ = res.add_cookie(&ctx.lang_set(lang));
    Ok(res)
}

// ---------------------------------------------------------------- offline

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    c: Chrome,
}

/// The page the service worker shows for an address it does not keep, without a connection.
async fn offline_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let mut res = ctx.ok(&OfflinePage {
        c: ctx.chrome(ctx.t().offline_title, false),
    })?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/courses/a?x=1")), "/courses/a?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
