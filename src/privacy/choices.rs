//! Restriction and objection (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Article 4; issue 21,
//! item 6; docs/PRIVACY.md): a person stops optional processing of their data.
//!
//! Two choices, kept with the person (`privacy_choices`, with the time of the change; no row
//! means both "yes", as the notice says):
//! - `optional_mail`: mail other than security mail (see [`crate::mail::is_optional`]: today the
//!   congratulation on a finished course). Security mail (e-mail verification, password reset)
//!   is sent whatever the choice: the account cannot be kept safe without it.
//! - `name_in_lists`: whether their full name appears in the lists facilitators work from (the
//!   residents list, who needs help, on the pages and in the API). Refused, a list shows
//!   [`listed_name`] instead; the person's own page, opened by a facilitator of their village
//!   for the work (enrolling, recording a lesson, a reset code, the login card), still names
//!   them. Every list of residents goes through [`hide_names_in_list`].
//!
//! A change is audited (`privacy.choices`, with the new values: no name or contact).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::community::{self as cq, ResidentRow};
use crate::db::privacy_choices::{self as rows, ChoicesRow};
use crate::db::{now, DbConn};
use crate::error::{ApiResult, Validator};

/// A person's choices about optional processing of their data.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct Choices {
    /// Whether they receive mail other than security mail (today: the congratulation when they
    /// finish a course). Security mail (e-mail verification, password reset) is always sent.
    pub optional_mail: bool,
    /// Whether their full name is shown in facilitators' lists (residents, who needs help).
    /// When false, lists show initials and a short code instead; their own page, opened by a
    /// facilitator of their village, still shows the name.
    pub name_in_lists: bool,
    /// When they last changed them (none: never, the defaults hold).
    pub changed_at: Option<DateTime<Utc>>,
}

impl Choices {
    fn from_row(row: Option<ChoicesRow>) -> Self {
        match row {
            Some(r) => Choices {
                optional_mail: r.optional_mail,
                name_in_lists: r.name_in_lists,
                changed_at: Some(r.changed_at.and_utc()),
            },
            None => Choices {
                optional_mail: true,
                name_in_lists: true,
                changed_at: None,
            },
        }
    }
}

/// The choices asked for (both required).
#[derive(Deserialize, ToSchema, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct ChoicesChange {
    /// Receive mail other than security mail.
    #[schema(required = true, value_type = bool)]
    pub optional_mail: Option<bool>,
    /// Show my full name in facilitators' lists.
    #[schema(required = true, value_type = bool)]
    pub name_in_lists: Option<bool>,
}

/// The choices of `user_id` (the defaults when they never changed them).
pub fn of(conn: &mut DbConn, user_id: &str) -> ApiResult<Choices> {
    Ok(Choices::from_row(rows::of_user(conn, user_id)?))
}

/// The signed-in person's choices.
pub fn mine(conn: &mut DbConn, me: &AuthUser) -> ApiResult<Choices> {
    of(conn, &me.id)
}

/// The signed-in person sets their choices (both fields required: 422 `required` beside a
/// missing one), on the writer's connection; audited when something changed.
pub fn set(conn: &mut DbConn, me: &AuthUser, change: ChoicesChange) -> ApiResult<Choices> {
    let mut v = Validator::new();
    v.check(
        change.optional_mail.is_some(),
        "optional_mail",
        "required",
        "true or false",
    );
    v.check(
        change.name_in_lists.is_some(),
        "name_in_lists",
        "required",
        "true or false",
    );
    v.finish()?;
    let (optional_mail, name_in_lists) = (
        change.optional_mail.unwrap_or(true),
        change.name_in_lists.unwrap_or(true),
    );
    crate::db::transaction(conn, |conn| {
        let before = of(conn, &me.id)?;
        if before.changed_at.is_some()
            && before.optional_mail == optional_mail
            && before.name_in_lists == name_in_lists
        {
            return Ok(before);
        }
        rows::save(
            conn,
            &ChoicesRow {
                user_id: me.id.clone(),
                optional_mail,
                name_in_lists,
                changed_at: now(),
            },
        )?;
        let village = cq::profile(conn, &me.id)?.and_then(|p| p.village_id);
        cq::audit(
            conn,
            &me.id,
            "privacy.choices",
            Some(&me.id),
            village.as_deref(),
            &json!({"optional_mail": optional_mail, "name_in_lists": name_in_lists}),
        )?;
        of(conn, &me.id)
    })
}

/// Whether `user_id` receives optional (non-security) mail.
pub fn wants_optional_mail(conn: &mut DbConn, user_id: &str) -> diesel::QueryResult<bool> {
    Ok(rows::of_user(conn, user_id)?.is_none_or(|r| r.optional_mail))
}

/// How a person who keeps their name out of lists appears in one: the initials of their name
/// and a short code from their account id, so that two people with the same initials stay
/// apart (e.g. `N. V. A. · #3f9a`). Their page, opened from the list, names them.
pub fn listed_name(display_name: &str, user_id: &str) -> String {
    let initials: Vec<String> = display_name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect();
    let alnum: Vec<char> = user_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let code: String = alnum[alnum.len().saturating_sub(4)..].iter().collect();
    if initials.is_empty() {
        format!("#{code}")
    } else {
        format!("{} · #{code}", initials.join(" "))
    }
}

/// Replaces, in a list of residents shown to staff, the name of each who asked that it not be
/// listed by [`listed_name`]. Every list of residents (the API's and the pages') is made through
/// this; one person's own page is not.
pub fn hide_names_in_list(conn: &mut DbConn, list: &mut [ResidentRow]) -> ApiResult<()> {
    let ids: Vec<String> = list.iter().map(|r| r.user_id.clone()).collect();
    let withheld = rows::names_withheld_among(conn, &ids)?;
    if withheld.is_empty() {
        return Ok(());
    }
    for r in list.iter_mut() {
        if withheld.contains(&r.user_id) {
            r.display_name = listed_name(&r.display_name, &r.user_id);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_name_is_initials_and_a_short_code() {
        assert_eq!(
            listed_name("Nguyễn Văn An", "0b1c2d3e-aaaa-4bbb-8ccc-1234567f9a3f"),
            "N. V. A. · #9a3f"
        );
        assert_eq!(listed_name("  bà   Tư ", "ab-12"), "B. T. · #ab12");
        assert_eq!(listed_name("Đỗ Thị Ánh", "x1"), "Đ. T. Á. · #x1");
        assert_eq!(listed_name("", "abcd"), "#abcd");
    }
}
