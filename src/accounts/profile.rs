//! My account: read it, and change my display name, language or e-mail address.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::registration::queue_verification;
use super::{
    find_by_login, find_user, normalize_email, parse_language, Account, Accounts, LoginId,
};
use crate::auth::AuthUser;
use crate::db::now;
use crate::db::schema::users;
use crate::error::{ApiError, ApiResult, Code, Validator};

/// The actor's account.
pub fn me(ctx: &Accounts<'_>, actor: &AuthUser) -> ApiResult<Account> {
    Account::load(&mut *ctx.read()?, &actor.id)
}

/// What a person may change of their own account; absent fields stay as they are.
#[derive(Default)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    /// `vi` or `en`.
    pub language: Option<String>,
    /// A new address is unverified until its verification mail's token comes back.
    pub email: Option<String>,
}

/// The columns one update of an account writes; `None` leaves a column as it is.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct AccountUpdate<'a> {
    display_name: Option<&'a str>,
    language: Option<&'a str>,
    email: Option<Option<&'a str>>,
    email_verified_at: Option<Option<NaiveDateTime>>,
    updated_at: NaiveDateTime,
}

/// Changes the actor's display name, language or e-mail address, in one update. A new e-mail
/// address is unverified and gets its verification mail; 409 `email_taken` when another account
/// has it.
pub fn update_me(
    ctx: &Accounts<'_>,
    actor: &AuthUser,
    changes: AccountChanges,
) -> ApiResult<Account> {
    let mut v = Validator::new();
    if let Some(name) = &changes.display_name {
        v.length("display_name", name, 1, 100);
    }
    let language = changes
        .language
        .as_deref()
        .map(|l| parse_language(&mut v, Some(l)));
    let email = changes.email.as_deref().map(|raw| {
        normalize_email(raw).unwrap_or_else(|| {
            v.push("email", "invalid", "is not an e-mail address");
            String::new()
        })
    });
    v.finish()?;
    let (user_id, public_url) = (actor.id.clone(), ctx.settings.public_url.clone());
    let display_name = changes.display_name;
    let account = ctx.writer.transaction(move |conn| {
        let current = find_user(conn, &user_id)?;
        let email = email.filter(|e| current.email.as_deref() != Some(e.as_str()));
        if let Some(email) = &email {
            if find_by_login(conn, &LoginId::Email(email.clone()))?.is_some() {
                return Err(ApiError::conflict(
                    Code::EmailTaken,
                    "This e-mail address is already registered.",
                ));
            }
        }
        diesel::update(users::table.find(&user_id))
            .set(AccountUpdate {
                display_name: display_name.as_deref().map(str::trim),
                language: language.map(|l| l.tag()),
                email: email.as_deref().map(Some),
                email_verified_at: email.as_ref().map(|_| None),
                updated_at: now(),
            })
            .execute(conn)?;
        let account = Account::load(conn, &user_id)?;
        if let Some(email) = &email {
            queue_verification(conn, &public_url, &account.user, email)?;
        }
        Ok(account)
    })?;
    ctx.mail.notify_one();
    Ok(account)
}
