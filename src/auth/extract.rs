//! `AuthUser`: a verified bearer token whose session is live and whose account is enabled.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use diesel::prelude::*;

use super::{Role, RoleScope};
use crate::db::schema::{sessions, users};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::telemetry::run_blocking;

#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: String,
    pub session_id: String,
    pub roles: Vec<RoleScope>,
}

impl AuthUser {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r.role == role)
    }

    pub fn has_global_role(&self, role: Role) -> bool {
        self.roles
            .iter()
            .any(|r| r.role == role && r.locality.is_none())
    }

    /// 403 unless the user holds `role` without a locality restriction.
    pub fn require_global(&self, role: Role) -> Result<(), ApiError> {
        if self.has_global_role(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "This needs the {} role for the whole platform.",
                role.as_str()
            )))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    "unauthenticated",
                    "Send an access token: `Authorization: Bearer <token>`.",
                )
            })?;
            let claims = state.jwt.verify(&token).ok_or_else(|| {
                ApiError::unauthorized("invalid_token", "The access token is invalid or expired.")
            })?;
            let pool = state.pool.clone();
            let (sub, sid) = (claims.sub.clone(), claims.sid.clone());
            let found = run_blocking(move || {
                let mut conn = pool.get()?;
                Ok(sessions::table
                    .inner_join(users::table)
                    .filter(sessions::id.eq(&sid))
                    .filter(users::id.eq(&sub))
                    .select((sessions::revoked_at, users::disabled_at))
                    .first::<(Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>)>(
                        &mut conn,
                    )
                    .optional()?)
            })
            .await?;
            match found {
                Some((None, None)) => Ok(AuthUser {
                    id: claims.sub,
                    session_id: claims.sid,
                    roles: claims.roles,
                }),
                Some((_, Some(_))) => Err(ApiError::unauthorized(
                    "account_disabled",
                    "This account has been disabled.",
                )),
                _ => Err(ApiError::unauthorized(
                    "invalid_token",
                    "The session of this access token has ended.",
                )),
            }
        })
    }
}
