//! Registration: a person creates their account with an e-mail address or a phone number (the
//! CLI, facilitators and imports create accounts with [`insert_account`] too), and verifies the
//! e-mail address with the token mailed to it.

use chrono::TimeDelta;
use diesel::prelude::*;

use super::session::{open_session, sign, Issued};
use super::{
    create_one_time_token, find_by_login, find_user, normalize_email, normalize_phone,
    normalize_username, parse_language, Account, Accounts, LoginId, PURPOSE_VERIFY_EMAIL,
};
use crate::auth::password::{check_strength, PasswordHasherConfig};
use crate::db::schema::users;
use crate::db::users::User;
use crate::db::{new_id, now, DbConn};
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::i18n::Lang;
use crate::mail::templates;

/// What it takes to create an account; identifiers already normalised.
pub struct NewAccount<'a> {
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub username: Option<&'a str>,
    pub password: &'a str,
    pub language: &'a str,
}

/// Creates an account (the caller holds a transaction when more must happen atomically).
/// Duplicate identifiers → 409 with `email_taken`, `phone_taken` or `username_taken`.
pub fn insert_account(
    conn: &mut DbConn,
    a: &NewAccount<'_>,
    password_hash: &str,
) -> ApiResult<User> {
    if let Some(e) = a.email {
        if find_by_login(conn, &LoginId::Email(e.to_string()))?.is_some() {
            return Err(ApiError::conflict(
                Code::EmailTaken,
                "This e-mail address is already registered.",
            ));
        }
    }
    if let Some(p) = a.phone {
        if find_by_login(conn, &LoginId::Phone(p.to_string()))?.is_some() {
            return Err(ApiError::conflict(
                Code::PhoneTaken,
                "This phone number is already registered.",
            ));
        }
    }
    if let Some(u) = a.username {
        if find_by_login(conn, &LoginId::Username(u.to_string()))?.is_some() {
            return Err(ApiError::conflict(
                Code::UsernameTaken,
                "This username is already taken.",
            ));
        }
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(users::table)
        .values(crate::db::users::NewUser {
            id: &id,
            display_name: a.display_name.trim(),
            email: a.email,
            phone: a.phone,
            username: a.username,
            password_hash,
            language: a.language,
            created_at: at,
            updated_at: at,
        })
        .execute(conn)?;
    find_user(conn, &id)
}

/// Validates identifiers and password, hashes, and inserts (used by the CLI).
pub fn create_account(
    conn: &mut DbConn,
    hasher: &PasswordHasherConfig,
    a: NewAccount<'_>,
) -> ApiResult<String> {
    let email = a
        .email
        .map(|e| {
            normalize_email(e)
                .ok_or_else(|| ApiError::field("email", "invalid", "is not an e-mail address"))
        })
        .transpose()?;
    let phone = a
        .phone
        .map(|p| {
            normalize_phone(p).ok_or_else(|| {
                ApiError::field("phone", "invalid", "is not a Vietnamese phone number")
            })
        })
        .transpose()?;
    let username = a
        .username
        .map(|u| {
            normalize_username(u)
                .ok_or_else(|| ApiError::field("username", "invalid", "3-32 of a-z, 0-9, . _ -"))
        })
        .transpose()?;
    if email.is_none() && phone.is_none() && username.is_none() {
        return Err(ApiError::field(
            "email",
            "required",
            "give an e-mail, a phone number or a username",
        ));
    }
    if let Some(e) = check_strength("password", a.password) {
        return Err(ApiError::validation(vec![e]));
    }
    let hash = hasher.hash(a.password).map_err(ApiError::internal)?;
    let user = insert_account(
        conn,
        &NewAccount {
            email: email.as_deref(),
            phone: phone.as_deref(),
            username: username.as_deref(),
            ..a
        },
        &hash,
    )?;
    Ok(user.id)
}

/// Queues the verification mail for `email`, with a fresh 24-hour token, in the caller's
/// transaction.
pub(super) fn queue_verification(
    conn: &mut DbConn,
    public_url: &str,
    user: &User,
    email: &str,
) -> ApiResult<()> {
    let token = create_one_time_token(
        conn,
        &user.id,
        PURPOSE_VERIFY_EMAIL,
        Some(email),
        TimeDelta::hours(24),
        crate::auth::tokens::random_token(),
    )?;
    let lang = Lang::parse(&user.language).unwrap_or_default();
    let mail = templates::verify_email(lang, &user.display_name, email, public_url, &token);
    crate::mail::queue_to_person(conn, &user.id, &mail)?;
    Ok(())
}

/// A person registering themselves.
pub struct Registration {
    /// The client's address, for the rate limit per address.
    pub client: String,
    pub display_name: String,
    pub password: String,
    /// An e-mail address or a phone number (or both); blank counts as absent.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `vi` (when absent) or `en`.
    pub language: Option<String>,
    /// Also log the new account in (the web pages do; the JSON API answers the account only).
    pub start_session: bool,
    /// The version of the privacy notice the person accepted (required: the current one).
    pub accept_privacy_notice: Option<String>,
}

/// A new account, and its session when one was asked for.
pub struct Registered {
    pub user: User,
    pub session: Option<Issued>,
}

/// Registers an account with an e-mail address or a phone number; an e-mail address gets its
/// verification mail. Limited per client address. 409 `email_taken` or `phone_taken` when
/// another account has the identifier, 422 for a field that is not valid or a weak password.
pub fn register(ctx: &Accounts<'_>, input: Registration) -> ApiResult<Registered> {
    ctx.limits.check_client(&input.client, "register")?;
    let mut v = Validator::new();
    v.length("display_name", &input.display_name, 1, 100);
    if let Some(e) = check_strength("password", &input.password) {
        v.push(&e.field, &e.code, e.message);
    }
    let email = input
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|raw| {
            normalize_email(raw).unwrap_or_else(|| {
                v.push("email", "invalid", "is not an e-mail address");
                String::new()
            })
        });
    let phone = input
        .phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|raw| {
            normalize_phone(raw).unwrap_or_else(|| {
                v.push("phone", "invalid", "is not a Vietnamese phone number");
                String::new()
            })
        });
    if email.is_none() && phone.is_none() {
        v.push(
            "email",
            "required",
            "give an e-mail address or a phone number",
        );
    }
    let language = parse_language(&mut v, input.language.as_deref());
    crate::privacy::check_accepted(
        &mut v,
        "accept_privacy_notice",
        input.accept_privacy_notice.as_deref(),
    );
    v.finish()?;

    let hash = ctx
        .hasher
        .hash(&input.password)
        .map_err(ApiError::internal)?;
    let public_url = ctx.settings.public_url.clone();
    let refresh_days = ctx.settings.refresh_token_days;
    let (display_name, start) = (input.display_name, input.start_session);
    let (user, pending) = ctx.writer.transaction(move |conn| {
        let user = insert_account(
            conn,
            &NewAccount {
                display_name: &display_name,
                email: email.as_deref(),
                phone: phone.as_deref(),
                username: None,
                password: &input.password,
                language: language.tag(),
            },
            &hash,
        )?;
        crate::privacy::record(conn, &user.id, crate::privacy::ConsentWay::Online, None)?;
        if let Some(e) = &email {
            queue_verification(conn, &public_url, &user, e)?;
        }
        let pending = if start {
            Some(open_session(conn, refresh_days, &user.id)?)
        } else {
            None
        };
        Ok::<_, ApiError>((user, pending))
    })?;
    ctx.mail.notify_one();
    tracing::info!(user.id = %user.id, "user {} registered", user.id);
    let session = pending
        .map(|p| sign(ctx.jwt, ctx.settings, p))
        .transpose()?;
    Ok(Registered { user, session })
}

/// Verifies an e-mail address with the token from the verification mail: the address it was
/// sent to, and only while it is still the account's. 400 `invalid_verification_token` for a
/// token that is unknown, spent or expired.
pub fn verify_email(ctx: &Accounts<'_>, token: String) -> ApiResult<Account> {
    ctx.writer.transaction(move |conn| {
        let invalid = || {
            ApiError::bad_request(
                Code::InvalidVerificationToken,
                "This verification link is unknown, already used or expired.",
            )
        };
        let found = super::consume_one_time_token(conn, PURPOSE_VERIFY_EMAIL, &token)?
            .ok_or_else(invalid)?;
        let user = find_user(conn, &found.user_id)?;
        if user.email.is_none() || user.email != found.email {
            return Err(invalid());
        }
        diesel::update(users::table.find(&user.id))
            .set(users::email_verified_at.eq(Some(now())))
            .execute(conn)?;
        Account::load(conn, &user.id)
    })
}
