//! Accounts: identifiers, sessions and refresh-token rotation, one-time tokens, roles, and the
//! use cases both front doors call (the JSON API in `api::{auth, me, admin}`, the web pages),
//! by resource:
//!
//! - [`session`]: log in, refresh, log out (here or everywhere), and the check of a session;
//! - [`registration`]: register, verify an e-mail address;
//! - [`password`]: forgot, reset (with the mailed token or a code given in person), change;
//! - [`profile`]: read and update my account;
//! - [`admin`]: what platform admins do with accounts.
//!
//! A use case takes a typed input and what it needs of the application ([`Accounts`], or a
//! connection for a write of one statement), applies the rate limits of its action itself (the
//! client's address is part of its input), owns its transaction, and answers typed output or an
//! [`ApiError`]; it knows nothing of HTTP. Password hashing is blocking work: call the use cases
//! where a thread may block (`telemetry::run_blocking`).

pub mod admin;
mod identifiers;
pub mod password;
pub mod profile;
pub mod registration;
pub mod session;

use std::collections::HashMap;

use chrono::TimeDelta;
use diesel::prelude::*;
use tokio::sync::Notify;

use crate::auth::password::PasswordHasherConfig;
use crate::auth::tokens::{hash_token, JwtKeys};
use crate::auth::{Role, RoleScope};
use crate::config::Settings;
use crate::db::schema::{localities, one_time_tokens, role_grants, users};
use crate::db::users::{NewOneTimeToken, OneTimeToken, User};
use crate::db::{new_id, now, DbConn, DbPool, PooledConn, Writer};
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::i18n::Lang;
use crate::ratelimit::RateLimits;
use crate::state::AppState;

pub use admin::grant;
pub use identifiers::{normalize_email, normalize_phone, normalize_username, parse_login, LoginId};
pub use registration::{create_account, insert_account, NewAccount};
pub use session::{
    check_session, revoke_all_sessions, revoke_session, session_user, start_session, Issued,
};

pub const PURPOSE_VERIFY_EMAIL: &str = "verify_email";
pub const PURPOSE_RESET_PASSWORD: &str = "reset_password";

/// What the account use cases take from the application.
pub struct Accounts<'a> {
    /// Where reads go.
    pub pool: &'a DbPool,
    /// Where writes go.
    pub writer: &'a Writer,
    pub hasher: &'a PasswordHasherConfig,
    pub jwt: &'a JwtKeys,
    pub settings: &'a Settings,
    pub limits: &'a RateLimits,
    /// Woken once a mail is queued.
    pub mail: &'a Notify,
}

impl<'a> Accounts<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Self {
            pool: &state.pool,
            writer: &state.writer,
            hasher: &state.hasher,
            jwt: &state.jwt,
            settings: &state.settings,
            limits: &state.limits,
            mail: &state.mail_notify,
        }
    }

    /// A pooled connection to read on.
    fn read(&self) -> ApiResult<PooledConn> {
        Ok(self.pool.get()?)
    }
}

/// An account with its role grants: what the use cases answer about a user.
pub struct Account {
    pub user: User,
    /// Grants beyond learner, with their locality scope.
    pub roles: Vec<RoleScope>,
}

impl Account {
    /// The account `id` (404 when there is none).
    pub fn load(conn: &mut DbConn, id: &str) -> ApiResult<Account> {
        let user = find_user(conn, id)?;
        let roles = roles_of(conn, id)?;
        Ok(Account { user, roles })
    }
}

/// The language a person asked for: `vi` when none, a field error on `language` when it is
/// neither `vi` nor `en`.
pub fn parse_language(v: &mut Validator, raw: Option<&str>) -> Lang {
    match raw {
        None => Lang::Vi,
        Some(s) => Lang::parse(s).unwrap_or_else(|| {
            v.push("language", "invalid", "must be `vi` or `en`");
            Lang::Vi
        }),
    }
}

pub fn find_by_login(conn: &mut DbConn, login: &LoginId) -> QueryResult<Option<User>> {
    let q = users::table.select(User::as_select()).into_boxed();
    let q = match login {
        LoginId::Email(e) => q.filter(users::email.eq(e.clone())),
        LoginId::Phone(p) => q.filter(users::phone.eq(p.clone())),
        LoginId::Username(u) => q.filter(users::username.eq(u.clone())),
    };
    q.first(conn).optional()
}

pub fn find_user(conn: &mut DbConn, id: &str) -> ApiResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("No such user."))
}

/// Role scopes from grant rows, the unknown roles left out.
fn scopes(rows: impl IntoIterator<Item = (String, Option<String>)>) -> Vec<RoleScope> {
    rows.into_iter()
        .filter_map(|(role, locality)| Role::parse(&role).map(|role| RoleScope { role, locality }))
        .collect()
}

pub fn roles_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<RoleScope>> {
    let rows: Vec<(String, Option<String>)> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select((role_grants::role, role_grants::locality_id))
        .order((role_grants::role, role_grants::created_at))
        .load(conn)?;
    Ok(scopes(rows))
}

/// The grants of several users in one query, each user's in the order of [`roles_of`]; a user
/// without grants has no entry.
pub fn roles_of_users(
    conn: &mut DbConn,
    user_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<RoleScope>>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, Option<String>)> = role_grants::table
        .filter(role_grants::user_id.eq_any(user_ids))
        .select((
            role_grants::user_id,
            role_grants::role,
            role_grants::locality_id,
        ))
        .order((
            role_grants::user_id,
            role_grants::role,
            role_grants::created_at,
        ))
        .load(conn)?;
    let mut grouped: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    for (user_id, role, locality) in rows {
        grouped.entry(user_id).or_default().push((role, locality));
    }
    Ok(grouped
        .into_iter()
        .map(|(user_id, rows)| (user_id, scopes(rows)))
        .collect())
}

/// Creates a single-use token; only its hash is stored. Returns the token to send.
pub fn create_one_time_token(
    conn: &mut DbConn,
    user_id: &str,
    purpose: &str,
    email: Option<&str>,
    ttl: TimeDelta,
    token: String,
) -> QueryResult<String> {
    let at = now();
    diesel::insert_into(one_time_tokens::table)
        .values(NewOneTimeToken {
            id: &new_id(),
            user_id,
            purpose,
            token_hash: &hash_token(&token),
            email,
            created_at: at,
            expires_at: at + ttl,
        })
        .execute(conn)?;
    Ok(token)
}

/// Spends a single-use token of `purpose`; `None` when unknown, spent or expired.
pub fn consume_one_time_token(
    conn: &mut DbConn,
    purpose: &str,
    token: &str,
) -> QueryResult<Option<OneTimeToken>> {
    let found: Option<OneTimeToken> = one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(hash_token(token)))
        .filter(one_time_tokens::purpose.eq(purpose))
        .select(OneTimeToken::as_select())
        .first(conn)
        .optional()?;
    let Some(found) = found else { return Ok(None) };
    if found.used_at.is_some() || found.expires_at <= now() {
        return Ok(None);
    }
    let n = diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::id.eq(&found.id))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(Some(now())))
    .execute(conn)?;
    Ok((n == 1).then_some(found))
}

/// The locality with this code, or 404 `locality_not_found`.
pub fn locality_id_by_code(conn: &mut DbConn, code: &str) -> ApiResult<String> {
    localities::table
        .filter(localities::code.eq(code))
        .select(localities::id)
        .first::<String>(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::of(
                Code::LocalityNotFound,
                format!("No locality has code `{code}`."),
            )
        })
}
