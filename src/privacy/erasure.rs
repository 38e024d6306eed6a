//! Erasure of a person's data at their request (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15,
//! Article 16; docs/PRIVACY.md).
//!
//! The person asks (their password again: a session left open on a shared phone must not be
//! enough), or a facilitator or admin of their village asks on their documented request (a
//! reason and the reference of the document). After `erasure_grace_days` the erasure is
//! carried out ([`run_due`]: the server's hourly job, `hocso erasure run`, or
//! `POST /admin/erasures/run`), each person in one transaction: the reports keep the
//! anonymous facts of the person (`reports::learner_erased`), then everything that identifies
//! them or records what they did goes (`db::erasure::erase_person`). Until then the person or
//! staff of their village can cancel it. Each step leaves an audit entry whose details hold no
//! personal data.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Action};
use crate::accounts::Accounts;
use crate::auth::password::Verified;
use crate::auth::AuthUser;
use crate::db::community as cq;
use crate::db::erasure::{self as rows, ErasureRequest};
use crate::db::{new_id, DbConn, Writer};
use crate::error::{ApiError, ApiResult, Code, Validator};

/// A request to erase, as its person or staff see it.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ErasureView {
    pub id: String,
    /// `person` (they asked themselves) or `staff` (a facilitator or admin on their request).
    pub requested_by: &'static str,
    pub requested_at: NaiveDateTime,
    /// When the data is erased, unless the request is cancelled before.
    pub due_at: NaiveDateTime,
    /// The reference of the written request (staff requests).
    pub document_ref: Option<String>,
}

/// Where a person stands: the request waiting for its day, if any.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ErasureStatus {
    pub pending: Option<ErasureView>,
    /// Days between a request and the erasure (`erasure_grace_days`).
    pub grace_days: i64,
}

fn view(r: ErasureRequest) -> ErasureView {
    ErasureView {
        id: r.id,
        requested_by: if r.requested_by.is_some() {
            "staff"
        } else {
            "person"
        },
        requested_at: r.requested_at,
        due_at: r.due_at,
        document_ref: r.document_ref,
    }
}

fn status(conn: &mut DbConn, user_id: &str, grace_days: i64) -> ApiResult<ErasureStatus> {
    Ok(ErasureStatus {
        pending: rows::pending_of(conn, user_id)?.map(view),
        grace_days,
    })
}

/// The signed-in person's request waiting for its day, if any.
pub fn my_erasure(conn: &mut DbConn, me: &AuthUser, grace_days: i64) -> ApiResult<ErasureStatus> {
    status(conn, &me.id, grace_days)
}

/// Records a request in the caller's transaction: 409 `erasure_requested` when one waits
/// already.
fn insert_request(
    conn: &mut DbConn,
    user_id: &str,
    staff: Option<(&str, StaffRequest)>,
    locality: Option<&str>,
    now: NaiveDateTime,
    grace_days: i64,
) -> ApiResult<ErasureView> {
    let by = staff.as_ref().map(|(by, _)| *by);
    let (reason, document_ref) = match &staff {
        Some((_, r)) => (Some(r.reason.clone()), Some(r.document_ref.clone())),
        None => (None, None),
    };
    if rows::pending_of(conn, user_id)?.is_some() {
        return Err(ApiError::conflict(
            Code::ErasureRequested,
            "An erasure of this person's data is already waiting; cancel it first to ask again.",
        ));
    }
    let r = ErasureRequest {
        id: new_id(),
        user_id: user_id.to_string(),
        requested_by: by.map(String::from),
        reason,
        document_ref,
        requested_at: now,
        due_at: now + TimeDelta::days(grace_days),
        cancelled_at: None,
        cancelled_by: None,
        done_at: None,
    };
    rows::insert(conn, &r)?;
    cq::audit(
        conn,
        by.unwrap_or(user_id),
        "erasure_requested",
        Some(user_id),
        locality,
        &json!({"request": r.id, "due_at": r.due_at}),
    )?;
    Ok(view(r))
}

/// The signed-in person asks for the erasure of their data, with their password (403
/// `wrong_password`); 409 `erasure_holds_role` while they hold a staff role (an admin takes
/// it back first), 409 `erasure_requested` when one waits already.
pub fn request_own(
    ctx: &Accounts<'_>,
    me: &AuthUser,
    password: &str,
    now: NaiveDateTime,
) -> ApiResult<ErasureView> {
    let mut v = Validator::new();
    v.length("password", password, 1, 1024);
    v.finish()?;
    // The connection goes back to the pool before the slow hash.
    let user = crate::accounts::find_user(&mut *ctx.pool.get()?, &me.id)?;
    if !matches!(
        ctx.hasher.verify(password, Some(&user.password_hash)),
        Verified::Yes(_)
    ) {
        return Err(ApiError::of(Code::WrongPassword, "The password is wrong."));
    }
    let (id, grace) = (me.id.clone(), ctx.settings.erasure_grace_days);
    ctx.writer.transaction(move |conn| {
        if cq::holds_any_role(conn, &id)? {
            return Err(ApiError::conflict(
                Code::ErasureHoldsRole,
                "This account holds a staff role: an admin takes it back before its data can be \
                 erased.",
            ));
        }
        insert_request(conn, &id, None, None, now, grace)
    })
}

/// Cancels the request waiting for `user_id`'s data (404 when none waits), by `by`.
fn cancel(
    conn: &mut DbConn,
    user_id: &str,
    by: &str,
    locality: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let Some(r) = rows::pending_of(conn, user_id)? else {
        return Err(ApiError::not_found("No erasure is waiting."));
    };
    rows::cancel(conn, &r.id, by, now)?;
    cq::audit(
        conn,
        by,
        "erasure_cancelled",
        Some(user_id),
        locality,
        &json!({"request": r.id}),
    )?;
    Ok(())
}

/// The signed-in person cancels their request (404 when none waits).
pub fn cancel_own(
    conn: &mut DbConn,
    me: &AuthUser,
    now: NaiveDateTime,
    grace_days: i64,
) -> ApiResult<ErasureStatus> {
    cancel(conn, &me.id, &me.id, None, now)?;
    status(conn, &me.id, grace_days)
}

/// What staff give when they ask on a person's behalf.
#[derive(Clone, Debug)]
pub struct StaffRequest {
    /// Why, in a few words (no name: it is kept until the erasure).
    pub reason: String,
    /// The reference of the person's written request (a number, a date).
    pub document_ref: String,
}

impl StaffRequest {
    /// Both trimmed, 1 to 500 and 1 to 200 characters (422 on the field).
    pub fn checked(self) -> ApiResult<Self> {
        let (reason, document_ref) = (self.reason.trim(), self.document_ref.trim());
        let mut v = Validator::new();
        v.length("reason", reason, 1, 500);
        v.length("document_ref", document_ref, 1, 200);
        v.finish()?;
        Ok(Self {
            reason: reason.to_string(),
            document_ref: document_ref.to_string(),
        })
    }
}

/// A resident's request waiting, for staff who may see them (404 otherwise).
pub fn resident_erasure(
    conn: &mut DbConn,
    actor: &AuthUser,
    resident_id: &str,
    grace_days: i64,
) -> ApiResult<ErasureStatus> {
    access::require_resident(conn, actor, Action::See, resident_id)?;
    status(conn, resident_id, grace_days)
}

/// A facilitator of the resident's village or an admin of its area asks for the erasure of the
/// resident's data on their documented request (`Manage`: 404 outside one's villages, and for
/// an account holding a role).
pub fn request_for_resident(
    conn: &mut DbConn,
    actor: &AuthUser,
    resident_id: &str,
    input: StaffRequest,
    now: NaiveDateTime,
    grace_days: i64,
) -> ApiResult<ErasureView> {
    let profile = access::require_resident(conn, actor, Action::Manage, resident_id)?;
    let input = input.checked()?;
    insert_request(
        conn,
        resident_id,
        Some((&actor.id, input)),
        profile.village_id.as_deref(),
        now,
        grace_days,
    )
}

/// Staff who may manage the resident cancel the request waiting (404 when none waits).
pub fn cancel_for_resident(
    conn: &mut DbConn,
    actor: &AuthUser,
    resident_id: &str,
    now: NaiveDateTime,
    grace_days: i64,
) -> ApiResult<ErasureStatus> {
    let profile = access::require_resident(conn, actor, Action::Manage, resident_id)?;
    cancel(
        conn,
        resident_id,
        &actor.id,
        profile.village_id.as_deref(),
        now,
    )?;
    status(conn, resident_id, grace_days)
}

/// Carries out the request `id` if it is still waiting and due at `now`, in the caller's
/// transaction. Returns whether it did.
fn erase_one(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> ApiResult<bool> {
    let Some(r) = rows::due_one(conn, id, now)? else {
        return Ok(false);
    };
    let household = rows::household_of(conn, &r.user_id)?;
    crate::reports::learner_erased(conn, &r.user_id)?;
    rows::erase_person(conn, &r.user_id, now)?;
    // The household counts without them now, from its remaining members and what they kept.
    crate::reports::learner_changed(
        conn,
        &r.user_id,
        crate::reports::LearnerChange::Household {
            left: household.as_deref(),
            joined: None,
        },
    )?;
    rows::mark_done(conn, &r.id, now)?;
    cq::audit(
        conn,
        r.requested_by.as_deref().unwrap_or(&r.user_id),
        "erasure_done",
        Some(&r.user_id),
        None,
        &json!({"request": r.id}),
    )?;
    Ok(true)
}

/// Carries out every request due at `now`, each in a transaction of its own on the writer
/// (a failure leaves that person as they were, and is retried at the next run). Returns how
/// many people's data was erased.
pub fn run_due(writer: &Writer, now: NaiveDateTime) -> ApiResult<usize> {
    let ids = writer.transaction::<_, ApiError, _>(move |conn| Ok(rows::due(conn, now)?))?;
    let mut done = 0;
    for id in ids {
        if writer.transaction::<_, ApiError, _>(move |conn| erase_one(conn, &id, now))? {
            done += 1;
        }
    }
    if done > 0 {
        tracing::info!(erased = done, "erasures carried out");
    }
    Ok(done)
}

/// [`run_due`] on one connection (the command line `hocso erasure run`), each erasure a
/// transaction of its own.
pub fn run_due_on(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<usize> {
    let ids = rows::due(conn, now)?;
    let mut done = 0;
    for id in ids {
        if crate::db::transaction::<_, ApiError, _>(conn, |c| erase_one(c, &id, now))? {
            done += 1;
        }
    }
    Ok(done)
}

/// Runs [`run_due`] every hour in the server.
pub async fn run_every_hour(state: actix_web::web::Data<crate::state::AppState>) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        let st = state.clone();
        let result = actix_web::web::block(move || run_due(&st.writer, st.clock.now())).await;
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = ?e, "erasures failed"),
            Err(e) => tracing::warn!(error = %e, "erasures failed"),
        }
    }
}

/// [`run_due`] on a platform admin's demand (403 otherwise).
pub fn run_now(writer: &Writer, actor: &AuthUser, now: NaiveDateTime) -> ApiResult<usize> {
    access::require(actor, Action::RunPlatform)?;
    run_due(writer, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_requests_need_a_reason_and_a_document() {
        let ok = StaffRequest {
            reason: "  Đơn xin xóa dữ liệu ".into(),
            document_ref: " Số 12/2026 ".into(),
        }
        .checked()
        .unwrap();
        assert_eq!(ok.reason, "Đơn xin xóa dữ liệu");
        assert_eq!(ok.document_ref, "Số 12/2026");
        let e = StaffRequest {
            reason: " ".into(),
            document_ref: "x".repeat(201),
        }
        .checked()
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["reason", "document_ref"]);
    }
}
