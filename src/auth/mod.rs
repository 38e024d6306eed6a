//! Identity: passwords, tokens, roles, and the `AuthUser` extractor.

pub mod extract;
pub mod password;
pub mod tokens;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use extract::{AuthUser, TokenUser};

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
