//! Browser sessions of the web pages: rows of the same `sessions` table as API tokens, so that
//! "log out everywhere" (`accounts::revoke_all_sessions`) ends both. The cookie holds
//! `<session id>.<secret>`; the row keeps only the secret's SHA-256. A browser session lasts
//! `refresh_token_days` from the login and is never extended by reading a page (no write per
//! page view).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::tokens::{hash_token, random_token};
use super::AuthUser;
use crate::db::schema::{sessions, users};
use crate::db::users::NewSession;
use crate::db::{new_id, now, DbConn};
use crate::error::ApiResult;

/// Starts a browser session for a user who has just proved who they are; the cookie's value.
pub fn start(conn: &mut DbConn, user_id: &str) -> ApiResult<String> {
    let secret = random_token();
    let session_id = new_id();
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            NewSession {
                id: &session_id,
                user_id,
                created_at: at,
                last_used_at: at,
            },
            sessions::cookie_hash.eq(hash_token(&secret)),
        ))
        .execute(conn)?;
    Ok(format!("{session_id}.{secret}"))
}

/// The session id a cookie names, unchecked (`None` when it is not of our shape).
pub fn session_id(cookie: &str) -> Option<&str> {
    let (id, secret) = cookie.split_once('.')?;
    (!id.is_empty() && id.len() <= 64 && !secret.is_empty() && secret.len() <= 128).then_some(id)
}

/// The user of a live browser session: its secret matches, it is not revoked nor older than
/// `lifetime_days`, and the account is enabled. `None` otherwise (the page asks to log in).
pub fn user(conn: &mut DbConn, cookie: &str, lifetime_days: i64) -> ApiResult<Option<AuthUser>> {
    let Some(id) = session_id(cookie) else {
        return Ok(None);
    };
    let secret = &cookie[id.len() + 1..];
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .select((
            sessions::user_id,
            sessions::cookie_hash,
            sessions::created_at,
            sessions::revoked_at,
            users::disabled_at,
        ))
        .first::<(
            String,
            Option<String>,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )>(conn)
        .optional()?;
    let Some((user_id, Some(stored), created_at, None, None)) = found else {
        return Ok(None);
    };
    let presented = hash_token(secret);
    #[allow(deprecated)]
    let same =
        ring::constant_time::verify_slices_are_equal(presented.as_bytes(), stored.as_bytes())
            .is_ok();
    if !same || created_at + TimeDelta::days(lifetime_days) < now() {
        return Ok(None);
    }
    let roles = crate::accounts::roles_of(conn, &user_id)?;
    Ok(Some(AuthUser {
        id: user_id,
        session_id: id.to_string(),
        roles,
    }))
}

#[cfg(test)]
mod tests {
    use super::session_id;

    #[test]
    fn cookie_shape() {
        assert_eq!(session_id("abc.def"), Some("abc"));
        assert_eq!(session_id("abc"), None);
        assert_eq!(session_id(".def"), None);
        assert_eq!(session_id("abc."), None);
    }
}
