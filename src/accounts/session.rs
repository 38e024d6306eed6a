//! Sessions: log in, refresh-token rotation, log out (this session or every one), and the check
//! that a session is live. A session is a refresh-token family: every refresh spends the token
//! presented and issues a new pair in the same session.

use actix_web::http::StatusCode;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::{find_by_login, parse_login, roles_of, Accounts};
use crate::auth::password::Verified;
use crate::auth::tokens::{hash_token, random_token, Claims, JwtKeys};
use crate::auth::{AuthUser, RoleScope};
use crate::config::Settings;
use crate::db::schema::{refresh_tokens, sessions, users};
use crate::db::users::{NewRefreshToken, NewSession, RefreshToken, User};
use crate::db::{new_id, now, DbConn};
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::ratelimit::login_key;

/// A new access token and refresh token, in the session `session_id`.
pub struct Issued {
    pub session_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub refresh_expires_in: i64,
}

/// A refresh token stored in a session, and the grants its access token carries: what is
/// written in the transaction; the access token is signed from it once it is committed
/// ([`sign`]), so that a write job needs no keys.
pub(super) struct Pending {
    user_id: String,
    session_id: String,
    refresh_token: String,
    refresh_ttl: TimeDelta,
    roles: Vec<RoleScope>,
}

/// Opens a session (a refresh-token family) for `user_id` and stores its first refresh token,
/// valid `refresh_days`.
pub(super) fn open_session(
    conn: &mut DbConn,
    refresh_days: i64,
    user_id: &str,
) -> ApiResult<Pending> {
    crate::db::transaction(conn, |conn| {
        let session_id = new_id();
        let at = now();
        diesel::insert_into(sessions::table)
            .values(NewSession {
                id: &session_id,
                user_id,
                created_at: at,
                last_used_at: at,
            })
            .execute(conn)?;
        Ok(store_refresh(conn, refresh_days, user_id, &session_id)?)
    })
}

fn store_refresh(
    conn: &mut DbConn,
    refresh_days: i64,
    user_id: &str,
    session_id: &str,
) -> QueryResult<Pending> {
    let refresh = random_token();
    let at = now();
    let refresh_ttl = TimeDelta::days(refresh_days);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: &new_id(),
            session_id,
            token_hash: &hash_token(&refresh),
            created_at: at,
            expires_at: at + refresh_ttl,
        })
        .execute(conn)?;
    Ok(Pending {
        user_id: user_id.to_string(),
        session_id: session_id.to_string(),
        refresh_token: refresh,
        refresh_ttl,
        roles: roles_of(conn, user_id)?,
    })
}

/// The access token of a stored refresh token.
pub(super) fn sign(keys: &JwtKeys, settings: &Settings, p: Pending) -> ApiResult<Issued> {
    let access_ttl = TimeDelta::minutes(settings.access_token_minutes);
    let iat = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: p.user_id,
        sid: p.session_id.clone(),
        roles: p.roles,
        iat,
        exp: iat + access_ttl.num_seconds(),
        jti: new_id(),
    };
    Ok(Issued {
        access_token: keys.issue(&claims).map_err(ApiError::internal)?,
        session_id: p.session_id,
        refresh_token: p.refresh_token,
        expires_in: access_ttl.num_seconds(),
        refresh_expires_in: p.refresh_ttl.num_seconds(),
    })
}

/// Starts a session (a refresh-token family) for a user who has just proved who they are, on
/// `conn` (in a transaction of its own, or a savepoint of the caller's).
pub fn start_session(
    conn: &mut DbConn,
    keys: &JwtKeys,
    settings: &Settings,
    user_id: &str,
) -> ApiResult<Issued> {
    crate::db::transaction(conn, |conn| {
        let pending = open_session(conn, settings.refresh_token_days, user_id)?;
        sign(keys, settings, pending)
    })
}

/// What a person gives to log in.
pub struct Credentials {
    /// The client's address, for the rate limit per address.
    pub client: String,
    /// An e-mail address, a phone number or a login name, in any spelling.
    pub login: String,
    pub password: String,
}

/// A person who has logged in: their account and the session started for them.
pub struct LoggedIn {
    pub user: User,
    pub session: Issued,
}

/// Logs in with a login and a password, and starts a session of API tokens. An unknown login
/// and a wrong password are the same 401 `invalid_credentials` (a dummy verification runs for an
/// unknown login, so the time does not tell either); a disabled account with the right password
/// is a 403 `account_disabled`. Limited per client address and per account (or normalised
/// login). A stored hash with outdated parameters is replaced by today's.
pub fn login(ctx: &Accounts<'_>, input: Credentials) -> ApiResult<LoggedIn> {
    let (user, upgrade) = authenticate(ctx, &input)?;
    let (user_id, refresh_days) = (user.id.clone(), ctx.settings.refresh_token_days);
    let pending = ctx.writer.transaction(move |conn| {
        upgrade_hash(conn, &user_id, upgrade)?;
        open_session(conn, refresh_days, &user_id)
    })?;
    Ok(LoggedIn {
        session: sign(ctx.jwt, ctx.settings, pending)?,
        user,
    })
}

/// [`login`] for the web pages: the same checks and limits, and a browser session instead of
/// API tokens (`auth::browser`, a row of the same sessions table). Answers the account and the
/// browser session's cookie value.
pub fn login_browser(ctx: &Accounts<'_>, input: Credentials) -> ApiResult<(User, String)> {
    let (user, upgrade) = authenticate(ctx, &input)?;
    let user_id = user.id.clone();
    let cookie = ctx.writer.transaction(move |conn| {
        upgrade_hash(conn, &user_id, upgrade)?;
        crate::auth::browser::start(conn, &user_id)
    })?;
    Ok((user, cookie))
}

/// The account the credentials prove, and a re-hash of its password when the stored one used
/// outdated parameters; the checks and limits of [`login`].
fn authenticate(ctx: &Accounts<'_>, input: &Credentials) -> ApiResult<(User, Option<String>)> {
    let mut v = Validator::new();
    v.length("login", &input.login, 1, 254);
    v.length("password", &input.password, 1, 1024);
    v.finish()?;
    ctx.limits.check_client(&input.client, "login")?;
    let parsed = parse_login(&input.login);
    // The connection goes back to the pool before the slow hash.
    let user = find_by_login(&mut *ctx.read()?, &parsed)?;
    // Counted per account (or per normalized login), however the login was spelt.
    ctx.limits.check_login(
        "login",
        &login_key(user.as_ref().map(|u| u.id.as_str()), &parsed),
    )?;
    let verdict = ctx.hasher.verify(
        &input.password,
        user.as_ref().map(|u| u.password_hash.as_str()),
    );
    let (Verified::Yes(upgrade), Some(user)) = (verdict, user) else {
        return Err(ApiError::unauthorized(
            Code::InvalidCredentials,
            "The login or the password is wrong.",
        ));
    };
    if user.disabled_at.is_some() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Code::AccountDisabled,
            "This account has been disabled.",
        ));
    }
    Ok((user, upgrade))
}

fn upgrade_hash(conn: &mut DbConn, user_id: &str, new_hash: Option<String>) -> QueryResult<()> {
    if let Some(new_hash) = new_hash {
        diesel::update(users::table.find(user_id))
            .set(users::password_hash.eq(new_hash))
            .execute(conn)?;
    }
    Ok(())
}

/// A refresh token to trade for a new pair.
pub struct Refresh {
    /// The client's address, for the rate limit per address.
    pub client: String,
    pub refresh_token: String,
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized(
        Code::InvalidRefreshToken,
        "The refresh token is invalid or expired.",
    )
}

/// Trades a refresh token for a new pair in the same session; the token presented is spent. A
/// spent token presented again ends the whole session (token family): 401
/// `refresh_token_reused`. Limited per client address.
pub fn refresh(ctx: &Accounts<'_>, input: Refresh) -> ApiResult<Issued> {
    ctx.limits.check_client(&input.client, "refresh")?;
    let token = input.refresh_token;
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::field(
            "refresh_token",
            "invalid",
            "is not a refresh token",
        ));
    }
    let refresh_days = ctx.settings.refresh_token_days;
    // The job keeps what `rotate` committed even when it refuses: a reused token's family is
    // revoked in a transaction of its own and then refused.
    let pending = ctx
        .writer
        .transaction(move |conn| Ok::<_, ApiError>(rotate(conn, refresh_days, &token)))??;
    sign(ctx.jwt, ctx.settings, pending)
}

/// Spends the refresh token `presented` and stores the next one of its session; on reuse, ends
/// the session.
fn rotate(conn: &mut DbConn, refresh_days: i64, presented: &str) -> ApiResult<Pending> {
    enum Outcome {
        Issued(Pending),
        Refused(ApiError),
        Reused(String),
    }
    let outcome = crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        let found: Option<(
            RefreshToken,
            Option<NaiveDateTime>,
            String,
            Option<NaiveDateTime>,
        )> = refresh_tokens::table
            .inner_join(sessions::table.inner_join(users::table))
            .filter(refresh_tokens::token_hash.eq(hash_token(presented)))
            .select((
                RefreshToken::as_select(),
                sessions::revoked_at,
                sessions::user_id,
                users::disabled_at,
            ))
            .first(conn)
            .optional()?;
        let Some((token, revoked, user_id, disabled)) = found else {
            return Ok(Outcome::Refused(invalid_refresh()));
        };
        if revoked.is_some() || token.expires_at <= now() {
            return Ok(Outcome::Refused(invalid_refresh()));
        }
        if disabled.is_some() {
            return Ok(Outcome::Refused(ApiError::unauthorized(
                Code::AccountDisabled,
                "This account has been disabled.",
            )));
        }
        // Spend it only if nobody did: a concurrent or repeated use is a reuse.
        let spent = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(&token.id))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(Some(now())))
        .execute(conn)?;
        if spent == 0 {
            return Ok(Outcome::Reused(token.session_id));
        }
        diesel::update(sessions::table.find(&token.session_id))
            .set(sessions::last_used_at.eq(now()))
            .execute(conn)?;
        Ok(Outcome::Issued(store_refresh(
            conn,
            refresh_days,
            &user_id,
            &token.session_id,
        )?))
    })?;
    match outcome {
        Outcome::Issued(pending) => Ok(pending),
        Outcome::Refused(err) => Err(err),
        Outcome::Reused(session_id) => {
            // Reuse: the family is revoked in a transaction of its own, so it sticks.
            revoke_session(conn, &session_id, "refresh_token_reused")?;
            tracing::warn!(session.id = %session_id, "refresh token reuse; session {} revoked", session_id);
            Err(ApiError::unauthorized(
                Code::RefreshTokenReused,
                "This refresh token was already used; every session of this sign-in has been ended.",
            ))
        }
    }
}

/// Ends the actor's current session, on the writer's connection `conn`.
pub fn logout(conn: &mut DbConn, actor: &AuthUser) -> ApiResult<()> {
    revoke_session(conn, &actor.session_id, "logout")?;
    Ok(())
}

/// Ends every session of the actor (API tokens and browsers alike), on the writer's connection
/// `conn`.
pub fn logout_everywhere(conn: &mut DbConn, actor: &AuthUser) -> ApiResult<()> {
    revoke_all_sessions(conn, &actor.id, None, "logout_all")?;
    Ok(())
}

pub fn revoke_session(conn: &mut DbConn, session_id: &str, reason: &str) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now())),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)
}

/// Ends every session of a user, except `keep` when given.
pub fn revoke_all_sessions(
    conn: &mut DbConn,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
) -> QueryResult<usize> {
    let mut q = diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = keep {
        q = q.filter(sessions::id.ne(keep));
    }
    q.set((
        sessions::revoked_at.eq(Some(now())),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)
}

/// Passes when the session `session_id` of the user `user_id` is live and the account enabled;
/// 401 `account_disabled` or `invalid_token` otherwise.
pub fn check_session(conn: &mut DbConn, session_id: &str, user_id: &str) -> ApiResult<()> {
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(users::id.eq(user_id))
        .select((sessions::revoked_at, users::disabled_at))
        .first::<(Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)
        .optional()?;
    match found {
        Some((None, None)) => Ok(()),
        Some((_, Some(_))) => Err(ApiError::unauthorized(
            Code::AccountDisabled,
            "This account has been disabled.",
        )),
        _ => Err(ApiError::unauthorized(
            Code::InvalidToken,
            "The session of this access token has ended.",
        )),
    }
}

/// The user of a live session ([`check_session`]), with their grants as stored now (an access
/// token carries the grants of when it was issued instead).
pub fn session_user(conn: &mut DbConn, session_id: &str, user_id: &str) -> ApiResult<AuthUser> {
    check_session(conn, session_id, user_id)?;
    Ok(AuthUser {
        id: user_id.to_string(),
        session_id: session_id.to_string(),
        roles: roles_of(conn, user_id)?,
    })
}
