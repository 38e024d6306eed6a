//! What platform admins do with certificates: read a person's, find one by its serial, and
//! revoke one with a reason (the public status, the verification page and the revocation status
//! list show it at once). The JSON API (`/api/v1/admin/certificates/{serial}/revoke`) and the
//! admin pages (`/admin/certificates/*`) call these, so both decide the same way.

use chrono::NaiveDateTime;

use super::parse_serial;
use crate::access::{self, Action};
use crate::auth::AuthUser;
use crate::db::learning::{self as q, CertificateRow};
use crate::db::{DbPool, Writer};
use crate::error::{ApiError, ApiResult};
use crate::privacy::access_records::{record_read, ReadKind, Staff};

/// The longest reason a revocation keeps.
pub const REASON_MAX: usize = 500;

fn not_found(serial: &str) -> ApiError {
    ApiError::not_found(format!("No certificate `{serial}`."))
}

/// A certificate by its serial as a person typed it (any case, spaces or hyphens); 404 when
/// there is none. Public: anyone may check a certificate.
pub fn by_serial(pool: &DbPool, raw: &str) -> ApiResult<CertificateRow> {
    found_by_serial(&mut *pool.get()?, raw)
}

/// [`by_serial`] on a connection (the public verification reads a replica when there is one).
pub fn found_by_serial(conn: &mut crate::db::DbConn, raw: &str) -> ApiResult<CertificateRow> {
    let serial = parse_serial(raw).ok_or_else(|| not_found(raw))?;
    q::certificate_by_serial(conn, &serial)?.ok_or_else(|| not_found(&serial))
}

/// The certificates of a user, newest first as `certificates_of` gives them (platform admins;
/// 403 for anyone else, 404 for an unknown user); the read is recorded for the user.
pub fn of_user(
    pool: &DbPool,
    writer: &Writer,
    actor: &AuthUser,
    user_id: &str,
) -> ApiResult<Vec<CertificateRow>> {
    access::require(actor, Action::RunPlatform)?;
    let mut conn = pool.get()?;
    crate::accounts::find_user(&mut conn, user_id)?;
    let rows = q::certificates_of(&mut conn, user_id)?;
    drop(conn);
    record_read(writer, Staff::of(actor), user_id, &[ReadKind::Certificates])?;
    Ok(rows)
}

/// The serial of a certificate a platform admin searches for, as it is written (403 for anyone
/// else, 404 for none): the search leads to the certificate's page, where the read is recorded.
pub fn serial_of(pool: &DbPool, actor: &AuthUser, raw: &str) -> ApiResult<String> {
    access::require(actor, Action::RunPlatform)?;
    Ok(by_serial(pool, raw)?.serial)
}

/// A certificate as a platform admin looks it up (403 for anyone else, 404 for none); the read is
/// recorded for its holder.
pub fn find(
    pool: &DbPool,
    writer: &Writer,
    actor: &AuthUser,
    raw: &str,
) -> ApiResult<CertificateRow> {
    access::require(actor, Action::RunPlatform)?;
    let row = by_serial(pool, raw)?;
    record_read(
        writer,
        Staff::of(actor),
        &row.user_id,
        &[ReadKind::Certificates],
    )?;
    Ok(row)
}

/// The reason of a revocation, trimmed; a field error on `reason` when it is empty or longer
/// than [`REASON_MAX`] characters.
pub fn check_reason(reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(ApiError::field(
            "reason",
            if reason.is_empty() {
                "required"
            } else {
                "too_long"
            },
            "give a reason of 1 to 500 characters",
        ));
    }
    Ok(reason.to_string())
}

/// Revokes a certificate with a reason (platform admins): checked in this order, the actor
/// (403), the reason (422 on `reason`), the certificate (404); then, in one transaction, the
/// revocation and the learner's reports marked for recomputation. Revoking again keeps the
/// certificate revoked, with the new reason and time.
pub fn revoke(
    pool: &DbPool,
    writer: &Writer,
    now: NaiveDateTime,
    actor: &AuthUser,
    raw_serial: &str,
    reason: &str,
) -> ApiResult<CertificateRow> {
    access::require(actor, Action::RunPlatform)?;
    let reason = check_reason(reason)?;
    let serial = by_serial(pool, raw_serial)?.serial;
    writer.transaction::<_, ApiError, _>(move |conn| {
        q::revoke_certificate(conn, &serial, &reason, now)?;
        let row = q::certificate_by_serial(conn, &serial)?.ok_or_else(|| not_found(&serial))?;
        crate::reports::learner_changed(
            conn,
            &row.user_id,
            crate::reports::LearnerChange::Activity,
        )?;
        Ok(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(check_reason("  Cấp nhầm người ").unwrap(), "Cấp nhầm người");
        let empty = check_reason("   ").unwrap_err();
        assert_eq!(empty.errors[0].field, "reason");
        assert_eq!(empty.errors[0].code, "required");
        assert!(check_reason(&"a".repeat(REASON_MAX)).is_ok());
        let long = check_reason(&"ư".repeat(REASON_MAX + 1)).unwrap_err();
        assert_eq!(long.errors[0].code, "too_long");
    }
}
