//! The officers' setup pages (admins of a locality subtree): the locality tree (create a child,
//! rename, recode), the census figures and the indicator targets of a locality for a year, and
//! the community digital teams of a village with their members. They call the use cases of
//! `community::localities`, `community::teams` and `reports` (the same as
//! `/api/v1/admin/localities…`, `/api/v1/admin/teams…` and the targets' `PUT`), with the same
//! access decisions: what the API refuses (403 to someone who administers nothing or not this
//! locality, 404 for no such locality) is this site's 404 here.
//!
//! One module a page group: `localities` (the tree and its forms), `figures` (census figures and
//! targets) and `teams`; this one holds the routes and what they share.

mod figures;
mod localities;
mod teams;

use actix_web::http::StatusCode;
use actix_web::web;

use super::super::{field_errors, field_message, is_validation, Ctx, Errors, PageError};
use super::kind_name;
use crate::error::{ApiError, Code};
use crate::i18n::pages::Texts;
use crate::i18n::Lang;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let page = |p: &str| format!("/officer/localities/{{id}}{p}");
    cfg.route("/officer/localities", web::get().to(localities::roots_page))
        .route(&page(""), web::get().to(localities::locality_page))
        .route(&page("/children"), web::post().to(localities::create_child))
        .route(&page("/name"), web::post().to(localities::rename))
        .route(&page("/code"), web::post().to(localities::recode))
        .route(&page("/census"), web::get().to(figures::census_page))
        .route(&page("/census/save"), web::post().to(figures::save_census))
        .route(&page("/targets"), web::get().to(figures::targets_page))
        .route(
            &page("/targets/save"),
            web::post().to(figures::save_targets),
        )
        .route(&page("/teams"), web::get().to(teams::teams_page))
        .route(&page("/teams/new"), web::post().to(teams::create_team))
        .route(
            &page("/teams/add-member"),
            web::post().to(teams::add_member),
        )
        .route(
            &page("/teams/remove-member"),
            web::post().to(teams::remove_member),
        );
}

/// A field's problem in words, in the page's language.
fn message(t: &Texts, lang: Lang, code: &str, message: &str) -> String {
    match code {
        "out_of_range" => t.setup_err_range.to_string(),
        "inconsistent" => t.setup_err_adults.to_string(),
        "not_found" => t.setup_err_no_user.to_string(),
        "too_short" => t.err_required.to_string(),
        _ => field_message(lang, code, message),
    }
}

/// A refused form's errors, each beside its field (`rename` maps the use case's field names to
/// the form's): a validation error by field, a taken code on `code_field`, another conflict on
/// `other_field`. Anything else (no access, no such locality, a fault) is the error page.
fn form_errors(
    t: &Texts,
    lang: Lang,
    e: ApiError,
    code_field: &str,
    other_field: &str,
    rename: impl Fn(&str) -> String,
) -> Result<Errors, PageError> {
    let mut errs = Errors::default();
    if is_validation(&e) {
        for (f, fe) in field_errors(lang, &e).into_iter().zip(&e.errors) {
            errs.push(&rename(&f.0), message(t, lang, &fe.code, &fe.message));
        }
    } else if e.code == Code::CodeTaken {
        errs.push(code_field, t.setup_err_code_taken);
    } else if e.status == StatusCode::CONFLICT {
        errs.push(other_field, super::super::message_of(lang, &e));
    } else {
        return Err(PageError::hidden(lang, e));
    }
    Ok(errs)
}

/// The year a page is about (`?year=`), read as the dashboard reads it.
fn year_of(ctx: &Ctx) -> Result<i32, PageError> {
    super::year_of(&ctx.state, param(&ctx.here, "year").as_deref())
        .map_err(|e| PageError::hidden(ctx.lang, e))
}

/// What `?done=` says happened (the confirmation after a form was saved).
fn done_of(here: &str) -> Option<String> {
    param(here, "done")
}

/// A parameter of the page's address.
fn param(here: &str, key: &str) -> Option<String> {
    here.split_once('?').and_then(|(_, q)| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    })
}
