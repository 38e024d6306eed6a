//! End-to-end tests of the web pages (issue 19) in a real Chromium driven by chromedriver,
//! against the real application on a database of its own per test (SQLite, and PostgreSQL
//! where the data path differs: `HOCSO_TEST_POSTGRES_URL` and `-- --include-ignored`).
//!
//! Needs `chromium` and `chromedriver` on the PATH (the tests fail without them), and axe-core
//! from `npm ci --prefix tests/web` for the accessibility test. Screenshots of every page type
//! are written to `target/web-screenshots/`. Run: `cargo test --test web`.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod accessibility;
mod admin;
mod author;
mod browser;
mod choices;
mod course;
mod erasure;
mod journey;
mod leftovers;
mod leftovers2;
mod login_card;
mod network;
mod officer;
mod officer_setup;
mod offline;
mod privacy;
mod privacy_records;
mod security;
mod staff;
mod staff_erasure;
mod staff_more;

/// The pages' texts, in Vietnamese (the browser asks for it): buttons are found by them.
pub static T: std::sync::LazyLock<&'static hocso::i18n::pages::Texts> =
    std::sync::LazyLock::new(|| hocso::i18n::pages::texts(hocso::i18n::Lang::Vi));
