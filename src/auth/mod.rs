//! Identity: passwords, tokens, roles, and the `AuthUser` extractor.

pub mod browser;
pub mod extract;
pub mod password;
pub mod tokens;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::error::ApiResult;

pub use extract::{AuthUser, TokenUser};

/// Who calls a use case: a bearer token whose session is not checked yet (the JSON API, which
/// checks it on the connection the use case runs on anyway: one blocking job, one pooled
/// connection), or a user already checked (a web page's browser session, or an `AuthUser`).
/// Both front doors call the same use cases with it.
pub enum Caller {
    Token(TokenUser),
    User(AuthUser),
}

impl Caller {
    /// The user: a token's session checked on `conn` (401 when it has ended or the account is
    /// disabled), a checked user as is.
    pub fn check(self, conn: &mut DbConn) -> ApiResult<AuthUser> {
        match self {
            Caller::Token(token) => token.check(conn),
            Caller::User(user) => Ok(user),
        }
    }
}

impl From<TokenUser> for Caller {
    fn from(token: TokenUser) -> Self {
        Caller::Token(token)
    }
}

impl From<AuthUser> for Caller {
    fn from(user: AuthUser) -> Self {
        Caller::User(user)
    }
}

/// Roles beyond learner (every account is a learner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Instructor,
    Facilitator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Instructor => "instructor",
            Role::Facilitator => "facilitator",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "instructor" => Some(Role::Instructor),
            "facilitator" => Some(Role::Facilitator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A role with its locality scope (`None` = everywhere), as carried in the access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RoleScope {
    pub role: Role,
    /// Locality id, or null for a global grant.
    pub locality: Option<String>,
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, SqliteConnection};

    use super::*;

    #[test]
    fn a_checked_user_is_taken_as_is() {
        // A database without tables: any query would fail.
        let mut conn = DbConn::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        let user = AuthUser {
            id: "u".into(),
            session_id: "s".into(),
            roles: vec![RoleScope {
                role: Role::Admin,
                locality: None,
            }],
        };
        let checked = Caller::from(user).check(&mut conn).unwrap();
        assert_eq!(
            (checked.id.as_str(), checked.session_id.as_str()),
            ("u", "s")
        );
        assert_eq!(checked.roles[0].role, Role::Admin);
    }
}
