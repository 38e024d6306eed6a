//! `AuthUser`: a verified bearer token whose session is live and whose account is enabled.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::RoleScope;
use crate::db::DbConn;
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: String,
    pub session_id: String,
    pub roles: Vec<RoleScope>,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// A bearer token whose signature and expiry are verified, and whose session is not checked
/// yet. A handler that runs on a database connection anyway takes this instead of [`AuthUser`]
/// and checks the session there first ([`TokenUser::check`]): one trip to a blocking thread and
/// one pooled connection per request instead of two. Nothing of the user is readable before
/// the check. A missing, forged or expired token is refused (401) before anything else, as with
/// `AuthUser`; an ended session only once the request's path and body are read, so that a bad
/// body from an ended session gets 422 rather than 401.
pub struct TokenUser {
    claims: super::tokens::Claims,
}

impl TokenUser {
    fn from_token(state: &AppState, token: Option<String>) -> Result<Self, ApiError> {
        let token = token.ok_or_else(|| {
            ApiError::unauthorized(
                Code::Unauthenticated,
                "Send an access token: `Authorization: Bearer <token>`.",
            )
        })?;
        let claims = state.jwt.verify(&token).ok_or_else(|| {
            ApiError::unauthorized(
                Code::InvalidToken,
                "The access token is invalid or expired.",
            )
        })?;
        Ok(TokenUser { claims })
    }

    /// The user, once the token's session is live and the account enabled; 401 otherwise
    /// ([`accounts::check_session`](crate::accounts::check_session)). The grants are the
    /// token's.
    pub fn check(self, conn: &mut DbConn) -> Result<AuthUser, ApiError> {
        crate::accounts::check_session(conn, &self.claims.sid, &self.claims.sub)?;
        Ok(AuthUser {
            id: self.claims.sub,
            session_id: self.claims.sid,
            roles: self.claims.roles,
        })
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))
}

impl FromRequest for TokenUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            app_state(req).and_then(|state| TokenUser::from_token(&state, bearer(req))),
        )
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = app_state(req);
        Box::pin(async move {
            let state = state?;
            let unchecked = TokenUser::from_token(&state, token)?;
            let pool = state.pool.clone();
            run_blocking(move || unchecked.check(&mut *pool.get()?)).await
        })
    }
}
