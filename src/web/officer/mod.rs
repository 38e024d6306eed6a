//! The pages of commune and province officers (admins of a locality subtree): the indicator
//! dashboard (`dashboard`), and census figures, targets, the locality tree and teams (`setup`).

pub(in crate::web) mod charts;
mod dashboard;
mod setup;

use actix_web::web;
use chrono::Datelike;

use crate::error::{ApiError, ApiResult};
use crate::i18n::pages::Texts;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    dashboard::configure(cfg);
    setup::configure(cfg);
}

/// A locality's kind in words.
fn kind_name(t: &Texts, kind: &str) -> &'static str {
    match kind {
        "province" => t.setup_kind_province,
        "commune" => t.setup_kind_commune,
        "village" => t.setup_kind_village,
        _ => t.setup_kind_other,
    }
}

/// The year a page is about (`?year=`): the current year when none; a year that is no number is
/// refused as the API refuses one out of range.
fn year_of(state: &AppState, asked: Option<&str>) -> ApiResult<i32> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(state.clock.now().year()),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::field("year", "invalid", "a year from 2000 to 2100")),
    }
}
