//! Account rules: identifiers, sessions and refresh-token rotation, one-time tokens, roles.
//! No HTTP types here; handlers in `api::auth`, `api::me` and `api::admin` call these.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::auth::tokens::{hash_token, random_token, Claims, JwtKeys};
use crate::auth::{Role, RoleScope};
use crate::config::Settings;
use crate::db::schema::{
    localities, one_time_tokens, refresh_tokens, role_grants, sessions, users,
};
use crate::db::users::{
    NewOneTimeToken, NewRefreshToken, NewRoleGrant, NewSession, OneTimeToken, RefreshToken, User,
};
use crate::db::{new_id, now, DbConn};
use crate::error::{ApiError, ApiResult, Code};

pub const PURPOSE_VERIFY_EMAIL: &str = "verify_email";
pub const PURPOSE_RESET_PASSWORD: &str = "reset_password";

/// Lower-cased e-mail address, or `None` when it is not one.
pub fn normalize_email(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    ok.then_some(s)
}

/// A Vietnamese phone number in E.164 form (`+84...`): mobile numbers have nine digits after
/// the country code starting with 3, 5, 7, 8 or 9; landlines ten digits starting with 2.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = if let Some(rest) = cleaned.strip_prefix("+84") {
        rest.to_string()
    } else if let Some(rest) = cleaned.strip_prefix("0084") {
        rest.to_string()
    } else if let Some(rest) = cleaned.strip_prefix('0') {
        rest.to_string()
    } else if cleaned.starts_with("84") && cleaned.len() >= 11 {
        cleaned[2..].to_string()
    } else {
        return None;
    };
    let national = national.strip_prefix('0').unwrap_or(&national).to_string();
    if !national.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let first = national.chars().next()?;
    let ok = (national.len() == 9 && matches!(first, '3' | '5' | '7' | '8' | '9'))
        || (national.len() == 10 && first == '2');
    ok.then(|| format!("+84{national}"))
}

/// Login names chosen for residents without e-mail or phone: 3–32 of a-z, 0-9, `.`, `_`, `-`.
pub fn normalize_username(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    ok.then_some(s)
}

/// What a person typed in the login field.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginId {
    Email(String),
    Phone(String),
    Username(String),
}

pub fn parse_login(raw: &str) -> LoginId {
    let t = raw.trim();
    if t.contains('@') {
        return LoginId::Email(t.to_lowercase());
    }
    if let Some(p) = normalize_phone(t) {
        return LoginId::Phone(p);
    }
    LoginId::Username(t.to_lowercase())
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

pub fn roles_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<RoleScope>> {
    let rows: Vec<(String, Option<String>)> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select((role_grants::role, role_grants::locality_id))
        .order((role_grants::role, role_grants::created_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(role, locality)| Role::parse(&role).map(|role| RoleScope { role, locality }))
        .collect())
}

/// A new access token and refresh token.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub refresh_expires_in: i64,
}

/// Starts a session (a refresh-token family) for a user who has just proved who they are.
pub fn start_session(
    conn: &mut DbConn,
    keys: &JwtKeys,
    settings: &Settings,
    user_id: &str,
) -> ApiResult<Issued> {
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
        issue(conn, keys, settings, user_id, &session_id)
    })
}

fn issue(
    conn: &mut DbConn,
    keys: &JwtKeys,
    settings: &Settings,
    user_id: &str,
    session_id: &str,
) -> ApiResult<Issued> {
    let refresh = random_token();
    let at = now();
    let refresh_ttl = TimeDelta::days(settings.refresh_token_days);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: &new_id(),
            session_id,
            token_hash: &hash_token(&refresh),
            created_at: at,
            expires_at: at + refresh_ttl,
        })
        .execute(conn)?;
    let access_ttl = TimeDelta::minutes(settings.access_token_minutes);
    let iat = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id.to_string(),
        roles: roles_of(conn, user_id)?,
        iat,
        exp: iat + access_ttl.num_seconds(),
        jti: new_id(),
    };
    Ok(Issued {
        access_token: keys.issue(&claims).map_err(ApiError::internal)?,
        refresh_token: refresh,
        expires_in: access_ttl.num_seconds(),
        refresh_expires_in: refresh_ttl.num_seconds(),
    })
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized(
        Code::InvalidRefreshToken,
        "The refresh token is invalid or expired.",
    )
}

/// Rotates a refresh token: the presented one is spent and a new pair is issued in the same
/// session. A spent token presented again revokes the whole session (token family).
pub fn refresh(
    conn: &mut DbConn,
    keys: &JwtKeys,
    settings: &Settings,
    presented: &str,
) -> ApiResult<Issued> {
    enum Outcome {
        Issued(Issued),
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
        issue(conn, keys, settings, &user_id, &token.session_id).map(Outcome::Issued)
    })?;
    match outcome {
        Outcome::Issued(issued) => Ok(issued),
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

/// The locality with this code, or 422.
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
    hasher: &crate::auth::password::PasswordHasherConfig,
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
    if let Some(e) = crate::auth::password::check_strength("password", a.password) {
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

/// Grants `role` to a user (idempotent). Used by the API and the CLI.
pub fn grant(
    conn: &mut DbConn,
    user_id: &str,
    role: Role,
    locality_code: Option<&str>,
    granted_by: Option<&str>,
) -> ApiResult<()> {
    find_user(conn, user_id)?;
    let locality = locality_code
        .map(|c| locality_id_by_code(conn, c))
        .transpose()?;
    let mut q = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::role.eq(role.as_str()))
        .into_boxed();
    q = match &locality {
        Some(l) => q.filter(role_grants::locality_id.eq(l.clone())),
        None => q.filter(role_grants::locality_id.is_null()),
    };
    let exists = q.count().get_result::<i64>(conn)?;
    if exists == 0 {
        diesel::insert_into(role_grants::table)
            .values(NewRoleGrant {
                id: &new_id(),
                user_id,
                role: role.as_str(),
                locality_id: locality.as_deref(),
                granted_by,
                created_at: now(),
            })
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            normalize_phone("0912 345 678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("+84 912.345.678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("84912345678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("+840912345678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalize_phone("024 3825 1234").as_deref(),
            Some("+842438251234")
        );
        assert_eq!(normalize_phone("0123"), None);
        assert_eq!(normalize_phone("0112345678"), None);
        assert_eq!(normalize_phone("+1 202 555 0100"), None);
    }

    #[test]
    fn emails_and_logins() {
        assert_eq!(
            normalize_email(" Lan@Example.VN ").as_deref(),
            Some("lan@example.vn")
        );
        assert_eq!(normalize_email("lan@localhost"), None);
        assert_eq!(normalize_email("a b@x.vn"), None);
        assert_eq!(
            parse_login("Lan@Example.vn"),
            LoginId::Email("lan@example.vn".into())
        );
        assert_eq!(
            parse_login("0912345678"),
            LoginId::Phone("+84912345678".into())
        );
        assert_eq!(parse_login("Ba.Tam"), LoginId::Username("ba.tam".into()));
        assert_eq!(normalize_username("ba.tam").as_deref(), Some("ba.tam"));
        assert_eq!(normalize_username("-x"), None);
    }
}
