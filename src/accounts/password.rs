//! Passwords: forgot (a reset mail), reset (with the mailed token, or the one-time code a
//! facilitator or an admin gave in person), change (giving the current one).

use chrono::TimeDelta;
use diesel::prelude::*;

use super::{
    consume_one_time_token, create_one_time_token, find_by_login, find_user, parse_login,
    revoke_all_sessions, Accounts, PURPOSE_RESET_PASSWORD,
};
use crate::auth::password::{check_strength, Verified};
use crate::auth::AuthUser;
use crate::db::now;
use crate::db::schema::users;
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::i18n::Lang;
use crate::mail::templates;
use crate::ratelimit::login_key;

/// Someone who forgot their password.
pub struct Forgot {
    /// The client's address, for the rate limit per address.
    pub client: String,
    /// The account's e-mail address (or another of its identifiers).
    pub login: String,
}

/// Queues a password-reset mail (a token valid 1 hour) when the login names an enabled account
/// with an e-mail address; the outcome is the same whether it does or not. Limited per client
/// address and per account (or normalised login).
pub fn forgot_password(ctx: &Accounts<'_>, input: Forgot) -> ApiResult<()> {
    let mut v = Validator::new();
    v.length("login", &input.login, 1, 254);
    v.finish()?;
    ctx.limits.check_client(&input.client, "forgot")?;
    let parsed = parse_login(&input.login);
    let user = find_by_login(&mut *ctx.read()?, &parsed)?;
    ctx.limits.check_login(
        "forgot",
        &login_key(user.as_ref().map(|u| u.id.as_str()), &parsed),
    )?;
    let public_url = ctx.settings.public_url.clone();
    ctx.writer.transaction(move |conn| {
        let user = find_by_login(conn, &parsed)?;
        if let Some(user) = user.filter(|u| u.disabled_at.is_none()) {
            if let Some(email) = user.email.clone() {
                let token = create_one_time_token(
                    conn,
                    &user.id,
                    PURPOSE_RESET_PASSWORD,
                    Some(&email),
                    TimeDelta::hours(1),
                    crate::auth::tokens::random_token(),
                )?;
                let lang = Lang::parse(&user.language).unwrap_or_default();
                let mail = templates::reset_password(
                    lang,
                    &user.display_name,
                    &email,
                    &public_url,
                    &token,
                );
                crate::mail::queue_to_person(conn, &user.id, &mail)?;
            }
        }
        Ok::<_, ApiError>(())
    })?;
    ctx.mail.notify_one();
    Ok(())
}

/// A new secret set with a reset token or code.
pub struct Reset {
    /// The client's address, for the rate limit per address.
    pub client: String,
    /// The token from the reset mail, or the one-time code handed out in person.
    pub token: String,
    pub new_password: String,
}

/// Sets a new password (or PIN, for a resident a village manages) with a reset token or code,
/// and ends every session of the account. 400 `invalid_reset_token` for a token that is
/// unknown, spent or expired; 422 on `new_password` for a secret the account may not have (the
/// code then stays usable). Limited per client address.
pub fn reset_password(ctx: &Accounts<'_>, input: Reset) -> ApiResult<()> {
    ctx.limits.check_client(&input.client, "reset")?;
    // What no account may have, before any hashing; what this account may have once its token
    // names it (a PIN for a resident a village manages, a password otherwise).
    if let Some(e) = crate::community::check_pin_or_password(&input.new_password) {
        return Err(ApiError::validation(vec![e.for_field("new_password")]));
    }
    let hash = ctx
        .hasher
        .hash(&input.new_password)
        .map_err(ApiError::internal)?;
    ctx.writer.transaction(move |conn| {
        let found = consume_one_time_token(conn, PURPOSE_RESET_PASSWORD, &input.token)?
            .ok_or_else(|| {
                ApiError::bad_request(
                    Code::InvalidResetToken,
                    "This reset link or code is unknown, already used or expired.",
                )
            })?;
        // Refused: the transaction rolls back and the code stays usable.
        crate::community::check_new_secret(conn, &found.user_id, &input.new_password)?;
        diesel::update(users::table.find(&found.user_id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
            .execute(conn)?;
        revoke_all_sessions(conn, &found.user_id, None, "password_reset")?;
        Ok(())
    })
}

/// A new password, given with the current one.
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the actor's password, given the current one (403 `wrong_password` otherwise); their
/// other sessions end, the current one stays. 422 on `new_password` for a weak one.
pub fn change_password(
    ctx: &Accounts<'_>,
    actor: &AuthUser,
    input: PasswordChange,
) -> ApiResult<()> {
    if let Some(e) = check_strength("new_password", &input.new_password) {
        return Err(ApiError::validation(vec![e]));
    }
    // The connection goes back to the pool before the slow hash.
    let current = find_user(&mut *ctx.read()?, &actor.id)?;
    if !matches!(
        ctx.hasher
            .verify(&input.current_password, Some(&current.password_hash)),
        Verified::Yes(_)
    ) {
        return Err(ApiError::of(
            Code::WrongPassword,
            "The current password is wrong.",
        ));
    }
    let hash = ctx
        .hasher
        .hash(&input.new_password)
        .map_err(ApiError::internal)?;
    let (user_id, session_id) = (actor.id.clone(), actor.session_id.clone());
    ctx.writer.transaction(move |conn| {
        diesel::update(users::table.find(&user_id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
            .execute(conn)?;
        revoke_all_sessions(conn, &user_id, Some(&session_id), "password_changed")?;
        Ok(())
    })
}
