//! What platform admins do with accounts: find them, read one, grant and withdraw roles,
//! disable and enable, and give a one-time reset code to a person without e-mail.

use chrono::{DateTime, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::{
    create_one_time_token, find_user, locality_id_by_code, normalize_phone, revoke_all_sessions,
    roles_of_users, Account, Accounts, PURPOSE_RESET_PASSWORD,
};
use crate::access::{self, Action};
use crate::auth::{AuthUser, Role};
use crate::db::schema::{localities, role_grants, users};
use crate::db::users::{NewRoleGrant, User};
use crate::db::{new_id, now, DbConn};
use crate::error::{ApiError, ApiResult, Code};
use crate::privacy::access_records::{record_read, ReadKind, Staff};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// An actor who runs the platform: what every use case here asks for, so that none runs for
/// anyone else. Checked first, before the request's other input is read.
pub struct PlatformAdmin {
    id: String,
}

impl PlatformAdmin {
    /// The actor, when they may run the platform; 403 otherwise.
    pub fn of(actor: &AuthUser) -> ApiResult<PlatformAdmin> {
        access::require(actor, Action::RunPlatform)?;
        Ok(PlatformAdmin {
            id: actor.id.clone(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Where a page of users continues: after this user, in the order of [`list_users`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserCursor {
    pub created_at: NaiveDateTime,
    pub id: String,
}

impl UserCursor {
    fn of(user: &User) -> Self {
        Self {
            created_at: user.created_at,
            id: user.id.clone(),
        }
    }

    /// The cursor as two texts (the time in microseconds, the id), for an opaque wire form.
    pub fn to_parts(&self) -> [String; 2] {
        [
            self.created_at.and_utc().timestamp_micros().to_string(),
            self.id.clone(),
        ]
    }

    /// The cursor of [`to_parts`](Self::to_parts); 422 on `cursor` when it is not one.
    pub fn from_parts(parts: &[String]) -> ApiResult<UserCursor> {
        let [micros, id] = parts else {
            return Err(bad_cursor("The cursor is not one this server gave out."));
        };
        let micros: i64 = micros
            .parse()
            .map_err(|_| bad_cursor("The cursor is not one this server gave out."))?;
        let created_at = DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| bad_cursor("bad cursor"))?
            .naive_utc();
        Ok(UserCursor {
            created_at,
            id: id.clone(),
        })
    }
}

fn bad_cursor(message: &str) -> ApiError {
    ApiError::field("cursor", "invalid", message)
}

/// Which users, and how many.
pub struct UserQuery {
    /// Part of a name, e-mail address, phone number or login name (case-insensitive).
    pub q: Option<String>,
    pub limit: i64,
    pub after: Option<UserCursor>,
}

/// A page of users, and where the next one starts (none on the last page).
pub struct UserPage {
    pub items: Vec<Account>,
    pub next: Option<UserCursor>,
}

/// `text` for a LIKE pattern with `\` as the escape character: `\`, `%` and `_` match
/// themselves.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Users, newest first, optionally searched by name, e-mail, phone or login name; the grants of
/// the page's users are read in one query.
pub fn list_users(
    ctx: &Accounts<'_>,
    _admin: &PlatformAdmin,
    query: UserQuery,
) -> ApiResult<UserPage> {
    let mut conn = ctx.read()?;
    let mut q = users::table.select(User::as_select()).into_boxed();
    if let Some(term) = query.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // `%` and `_` in the search match themselves: escaped, with the same ESCAPE character
        // on both databases.
        let like = format!("%{}%", escape_like(&term.to_lowercase()));
        let phone_like = normalize_phone(term)
            .map(|p| format!("%{}%", escape_like(&p)))
            .unwrap_or_else(|| like.clone());
        q = q.filter(
            lower(users::display_name)
                .like(like.clone())
                .escape('\\')
                .or(users::email.like(like.clone()).escape('\\'))
                .or(users::phone.like(phone_like).escape('\\'))
                .or(users::username.like(like).escape('\\')),
        );
    }
    if let Some(UserCursor { created_at, id }) = query.after {
        q = q.filter(
            users::created_at
                .lt(created_at)
                .or(users::created_at.eq(created_at).and(users::id.lt(id))),
        );
    }
    let limit = query.limit;
    let mut rows: Vec<User> = q
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit + 1)
        .load(&mut *conn)?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(UserCursor::of)
    } else {
        None
    };
    let ids: Vec<&str> = rows.iter().map(|u| u.id.as_str()).collect();
    let mut roles = roles_of_users(&mut conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|user| Account {
            roles: roles.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect();
    Ok(UserPage { items, next })
}

/// One account (404 when there is none); the read is recorded for its person.
pub fn get_user(ctx: &Accounts<'_>, admin: &PlatformAdmin, user_id: &str) -> ApiResult<Account> {
    let account = Account::load(&mut *ctx.read()?, user_id)?;
    record_account_read(ctx, admin, user_id)?;
    Ok(account)
}

/// Records that the admin read the account of `user_id` (its person's record of access).
fn record_account_read(ctx: &Accounts<'_>, admin: &PlatformAdmin, user_id: &str) -> ApiResult<()> {
    record_read(
        ctx.writer,
        Staff::admin(&admin.id),
        user_id,
        &[ReadKind::Account],
    )
}

/// A locality a role grant is limited to, as people name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantPlace {
    pub id: String,
    pub name: String,
    /// The code a grant or a withdrawal names it by (`RoleChange::locality_code`).
    pub code: Option<String>,
}

/// One account and the localities its grants are limited to (404 when there is none); the read is
/// recorded for its person.
pub fn get_user_with_places(
    ctx: &Accounts<'_>,
    admin: &PlatformAdmin,
    user_id: &str,
) -> ApiResult<(Account, Vec<GrantPlace>)> {
    let mut conn = ctx.read()?;
    let account = Account::load(&mut conn, user_id)?;
    let ids: Vec<&str> = account
        .roles
        .iter()
        .filter_map(|r| r.locality.as_deref())
        .collect();
    let places = localities::table
        .filter(localities::id.eq_any(&ids))
        .select((localities::id, localities::name, localities::code))
        .load::<(String, String, Option<String>)>(&mut *conn)?
        .into_iter()
        .map(|(id, name, code)| GrantPlace { id, name, code })
        .collect();
    drop(conn);
    record_account_read(ctx, admin, user_id)?;
    Ok((account, places))
}

/// A role, globally (no locality) or limited to the locality with this code and its subtree.
pub struct RoleChange {
    pub role: Role,
    pub locality_code: Option<String>,
}

/// Grants a role (idempotent). 404 for an unknown user, 404 `locality_not_found` for an unknown
/// locality code.
pub fn grant_role(
    ctx: &Accounts<'_>,
    admin: &PlatformAdmin,
    user_id: String,
    change: RoleChange,
) -> ApiResult<Account> {
    let admin_id = admin.id.clone();
    ctx.writer.transaction(move |conn| {
        grant(
            conn,
            &user_id,
            change.role,
            change.locality_code.as_deref(),
            Some(&admin_id),
        )?;
        Account::load(conn, &user_id)
    })
}

/// Withdraws a role grant; 404 when the user has no such grant.
pub fn revoke_role(
    ctx: &Accounts<'_>,
    _admin: &PlatformAdmin,
    user_id: String,
    change: RoleChange,
) -> ApiResult<Account> {
    ctx.writer.transaction(move |conn| {
        find_user(conn, &user_id)?;
        let mut q = diesel::delete(role_grants::table)
            .filter(role_grants::user_id.eq(&user_id))
            .filter(role_grants::role.eq(change.role.as_str()))
            .into_boxed();
        q = match change.locality_code.as_deref() {
            Some(code) => {
                let loc = locality_id_by_code(conn, code)?;
                q.filter(role_grants::locality_id.eq(loc))
            }
            None => q.filter(role_grants::locality_id.is_null()),
        };
        if q.execute(conn)? == 0 {
            return Err(ApiError::not_found("The user has no such role grant."));
        }
        Account::load(conn, &user_id)
    })
}

/// Disables an account: it cannot log in or refresh, and every session of it ends (its access
/// tokens are refused). 409 `cannot_disable_self` for the admin's own account.
pub fn disable_user(
    ctx: &Accounts<'_>,
    admin: &PlatformAdmin,
    user_id: String,
) -> ApiResult<Account> {
    if user_id == admin.id {
        return Err(ApiError::conflict(
            Code::CannotDisableSelf,
            "An admin cannot disable their own account.",
        ));
    }
    set_disabled(ctx, user_id, true)
}

/// Enables a disabled account again.
pub fn enable_user(
    ctx: &Accounts<'_>,
    _admin: &PlatformAdmin,
    user_id: String,
) -> ApiResult<Account> {
    set_disabled(ctx, user_id, false)
}

fn set_disabled(ctx: &Accounts<'_>, user_id: String, disabled: bool) -> ApiResult<Account> {
    ctx.writer.transaction(move |conn| {
        find_user(conn, &user_id)?;
        diesel::update(users::table.find(&user_id))
            .set((
                users::disabled_at.eq(if disabled { Some(now()) } else { None }),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if disabled {
            revoke_all_sessions(conn, &user_id, None, "disabled")?;
        }
        Account::load(conn, &user_id)
    })
}

/// A one-time code with which a person sets a new password (`password::reset_password`).
pub struct ResetCode {
    pub code: String,
    pub expires_at: NaiveDateTime,
}

/// Gives a one-time reset code (valid 1 hour) for a person without e-mail.
pub fn reset_code(
    ctx: &Accounts<'_>,
    _admin: &PlatformAdmin,
    user_id: String,
) -> ApiResult<ResetCode> {
    ctx.writer.transaction(move |conn| {
        find_user(conn, &user_id)?;
        let ttl = TimeDelta::hours(1);
        let code = create_one_time_token(
            conn,
            &user_id,
            PURPOSE_RESET_PASSWORD,
            None,
            ttl,
            crate::auth::tokens::human_code(),
        )?;
        Ok(ResetCode {
            code,
            expires_at: now() + ttl,
        })
    })
}

/// Grants `role` to a user (idempotent), in the caller's transaction. Used by the admin use
/// cases, teams and the CLI.
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
    fn like_patterns_match_themselves() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn cursors_round_trip() {
        let c = UserCursor {
            created_at: DateTime::from_timestamp_micros(1_780_000_000_123_456)
                .unwrap()
                .naive_utc(),
            id: "u1".into(),
        };
        assert_eq!(UserCursor::from_parts(&c.to_parts()).unwrap(), c);
        assert!(UserCursor::from_parts(&["x".into(), "u1".into()]).is_err());
    }
}
