//! The privacy notice and consent to it (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; docs/PRIVACY.md).
//!
//! The notice is versioned with the software ([`NOTICE_VERSION`]): its texts are
//! `notice.vi.md` and `notice.en.md`, with the controller's name and contact from the
//! deployment's settings. A person consents to one version: online when they register
//! themselves (registration is refused without it) or accept a newer version, on paper or in
//! person when a facilitator registers them (the facilitator is recorded). A consent can be
//! withdrawn; a person whose latest version is not the current one is asked again.

pub mod access_records;
pub mod choices;
pub mod erasure;
pub mod export;
pub mod retention;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::config::Settings;
use crate::db::consents::{self as rows, Consent, NewConsent};
use crate::db::{new_id, now, DbConn};
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::i18n::Lang;
pub use crate::kinds::ConsentWay;

/// The version of the notice this build shows. Change it with the texts: everyone is asked to
/// consent again at their next login.
pub const NOTICE_VERSION: &str = "2026-12-06.2";

const NOTICE_VI: &str = include_str!("notice.vi.md");
const NOTICE_EN: &str = include_str!("notice.en.md");

/// The notice in one language, with this deployment's controller.
#[derive(Serialize, ToSchema)]
pub struct Notice {
    /// What a consent names (`accept_privacy_notice` at registration).
    pub version: &'static str,
    /// `vi` or `en`.
    pub language: &'static str,
    pub controller_name: String,
    pub controller_contact: String,
    /// The notice as Markdown.
    pub markdown: String,
    /// The same, as sanitized HTML.
    pub html: String,
}

/// The notice in `lang`.
pub fn notice(settings: &Settings, lang: Lang) -> Notice {
    let name = match settings.privacy_controller_name.trim() {
        "" => match lang {
            Lang::Vi => "Đơn vị vận hành trang này (chưa khai báo tên: privacy_controller_name)",
            Lang::En => {
                "The organisation running this site (not named yet: privacy_controller_name)"
            }
        }
        .to_string(),
        n => n.to_string(),
    };
    let contact = match settings.privacy_controller_contact.trim() {
        "" => settings.public_url.clone(),
        c => c.to_string(),
    };
    let text = match lang {
        Lang::Vi => NOTICE_VI,
        Lang::En => NOTICE_EN,
    };
    // Settings are the operator's, not Markdown: their special characters stay text.
    let markdown = text
        .replace("{controller_name}", &escape_markdown(&name))
        .replace("{controller_contact}", &escape_markdown(&contact))
        .replace("{version}", NOTICE_VERSION);
    Notice {
        version: NOTICE_VERSION,
        language: lang.tag(),
        html: crate::content::render::markdown_to_html(&markdown),
        markdown,
        controller_name: name,
        controller_contact: contact,
    }
}

fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]<>()#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Checks the version a person registering themselves accepted (`field`): absent →
/// `consent_required`, another version → `consent_outdated`.
pub fn check_accepted(v: &mut Validator, field: &str, accepted: Option<&str>) {
    match accepted.map(str::trim) {
        None | Some("") => v.push(
            field,
            "consent_required",
            format!("accept the privacy notice (version {NOTICE_VERSION}, GET /api/v1/privacy)"),
        ),
        Some(NOTICE_VERSION) => {}
        Some(_) => v.push(
            field,
            "consent_outdated",
            format!(
                "the privacy notice is now version {NOTICE_VERSION}: read it and accept that one"
            ),
        ),
    }
}

/// Records the consent of `user_id` to the current notice, given `way`, recorded by `by` (the
/// facilitator; none when the person gave it online), in the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    user_id: &str,
    way: ConsentWay,
    by: Option<&str>,
) -> ApiResult<()> {
    rows::insert(
        conn,
        &NewConsent {
            id: &new_id(),
            user_id,
            notice_version: NOTICE_VERSION,
            way,
            given_at: now(),
            recorded_by: by,
        },
    )?;
    Ok(())
}

/// One consent as its person sees it.
#[derive(Serialize, ToSchema)]
pub struct ConsentView {
    pub id: String,
    pub notice_version: String,
    pub way: ConsentWay,
    pub given_at: chrono::NaiveDateTime,
    /// The facilitator who recorded it (their display name), when it was not given online.
    pub recorded_by: Option<String>,
    pub withdrawn_at: Option<chrono::NaiveDateTime>,
}

/// Where a person stands with the notice.
#[derive(Serialize, ToSchema)]
pub struct Consents {
    /// The notice's current version.
    pub current_version: &'static str,
    /// True when no consent to the current version stands (none given, or withdrawn): the
    /// person is asked to read and accept it.
    pub to_accept: bool,
    pub consents: Vec<ConsentView>,
}

fn view(conn: &mut DbConn, c: Consent) -> ApiResult<ConsentView> {
    let recorded_by = match &c.recorded_by {
        Some(id) => Some(crate::accounts::find_user(conn, id)?.display_name),
        None => None,
    };
    Ok(ConsentView {
        id: c.id,
        notice_version: c.notice_version,
        way: c.way,
        given_at: c.given_at,
        recorded_by,
        withdrawn_at: c.withdrawn_at,
    })
}

/// Whether `user_id` must be asked to accept the current notice.
pub fn to_accept(conn: &mut DbConn, user_id: &str) -> ApiResult<bool> {
    Ok(awaits_consent(&rows::of_user(conn, user_id)?))
}

/// Whether no consent among `all` (one person's) stands for the current notice: none to its
/// version, or each withdrawn.
fn awaits_consent(all: &[Consent]) -> bool {
    !all.iter()
        .any(|c| c.notice_version == NOTICE_VERSION && c.withdrawn_at.is_none())
}

/// The consents of the signed-in person.
pub fn my_consents(conn: &mut DbConn, me: &AuthUser) -> ApiResult<Consents> {
    let all = rows::of_user(conn, &me.id)?;
    let to_accept = awaits_consent(&all);
    let consents = all
        .into_iter()
        .map(|c| view(conn, c))
        .collect::<ApiResult<_>>()?;
    Ok(Consents {
        current_version: NOTICE_VERSION,
        to_accept,
        consents,
    })
}

/// The signed-in person accepts the current notice online (`version` must be it).
pub fn accept(conn: &mut DbConn, me: &AuthUser, version: Option<&str>) -> ApiResult<Consents> {
    let mut v = Validator::new();
    check_accepted(&mut v, "notice_version", version);
    v.finish()?;
    if to_accept(conn, &me.id)? {
        record(conn, &me.id, ConsentWay::Online, None)?;
    }
    my_consents(conn, me)
}

/// The signed-in person withdraws their consent `id` (404 for one that is not theirs, 409
/// `consent_withdrawn` when it already is).
pub fn withdraw(conn: &mut DbConn, me: &AuthUser, id: &str) -> ApiResult<Consents> {
    let mine = rows::of_user(conn, &me.id)?;
    let Some(c) = mine.iter().find(|c| c.id == id) else {
        return Err(ApiError::not_found("consent"));
    };
    if c.withdrawn_at.is_some() || !rows::withdraw(conn, &me.id, id, now())? {
        return Err(ApiError::conflict(
            Code::ConsentWithdrawn,
            "This consent has already been withdrawn.",
        ));
    }
    my_consents(conn, me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_controller_in_both_languages_and_escapes_settings() {
        let settings = Settings {
            privacy_controller_name: "UBND xã *An Bình*".into(),
            privacy_controller_contact: "0123 456 789".into(),
            ..Settings::default()
        };
        for lang in [Lang::Vi, Lang::En] {
            let n = notice(&settings, lang);
            assert!(n.html.contains("UBND xã *An Bình*"), "{}", n.html);
            assert!(n.html.contains("0123 456 789"));
            assert!(n.html.contains(NOTICE_VERSION));
            assert!(n.html.contains("91/2025/QH15"));
            assert!(
                !n.markdown.contains('{'),
                "a placeholder left: {}",
                n.markdown
            );
        }
    }

    #[test]
    fn consent_must_name_the_current_version() {
        for (given, code) in [
            (None, Some("consent_required")),
            (Some(" "), Some("consent_required")),
            (Some("2020-01-01"), Some("consent_outdated")),
            (Some(NOTICE_VERSION), None),
        ] {
            let mut v = Validator::new();
            check_accepted(&mut v, "accept_privacy_notice", given);
            match (v.finish(), code) {
                (Ok(()), None) => {}
                (Err(e), Some(code)) => assert_eq!(e.errors[0].code, code),
                (r, _) => panic!("{given:?}: {:?}", r.is_ok()),
            }
        }
    }
}
