//! Residents imported from a CSV file by an admin (the rows, their checks and their writes are
//! `crate::imports`): only into villages the admin administers; audited.

use serde_json::json;

use super::Db;
use crate::access::{self, Action, AdminArea};
use crate::auth::AuthUser;
use crate::db::community as q;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::imports::ImportReport;

/// `all_or_nothing`: apply no row when any row has a problem; `valid_rows` (the default): apply
/// the valid rows.
fn all_or_nothing(mode: Option<&str>) -> ApiResult<bool> {
    match mode {
        None | Some("valid_rows") => Ok(false),
        Some("all_or_nothing") => Ok(true),
        Some(_) => Err(ApiError::field(
            "mode",
            "invalid",
            "`valid_rows` or `all_or_nothing`",
        )),
    }
}

/// 403 unless the actor may import residents at all (each row's village is checked on its own).
pub fn may_import(actor: &AuthUser) -> ApiResult<()> {
    access::require(actor, Action::EnterAdminArea(AdminArea::ResidentImport))
}

/// Imports the residents of `csv` into the villages the actor administers, in `mode`; the
/// report tells every problem by row and column.
pub fn import_residents(
    db: &Db,
    actor: &AuthUser,
    csv: &[u8],
    mode: Option<&str>,
) -> ApiResult<ImportReport> {
    may_import(actor)?;
    let all_or_nothing = all_or_nothing(mode)?;
    let mut conn = db.read()?;
    let mut may = |conn: &mut DbConn, village: &str| access::administers(conn, actor, village);
    let report = crate::imports::import_residents(
        &mut conn,
        csv,
        all_or_nothing,
        Some(&actor.id),
        Some(&db.writer),
        &mut may,
        &mut |_, _| {},
    )?;
    drop(conn);
    let what = json!({"rows": report.rows, "created": report.created, "updated": report.updated});
    let actor_id = actor.id.clone();
    db.writer.transaction(move |conn| {
        q::audit(conn, &actor_id, "residents.import", None, None, &what)
    })?;
    Ok(report)
}
