//! What the reports keep of a person whose data is erased (`privacy::erasure`): the facts their
//! profile gave the indicators, as an anonymous row of `erased_facts` (no user, household,
//! gender or key; the facts' times cut to the first of their month, the last activity to its
//! day), and their household's indicator from them (`households.erased_met_at`). So a village's
//! figures do not change when one of its people is erased (docs/PRIVACY.md says why this shape).
//!
//! The report statements count `erased_facts` as they count `learner_profiles`: the same
//! statement over `erased_facts` (see [`over_erased`]), its rows added to the profiles' rows.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::definitions::{effective_config, household_indicator, INDICATORS};
use super::facts::{earlier_of, eid_part};
use crate::db::{new_id, DbConn};
use crate::error::ApiResult;

/// The alias every report statement gives the people it counts.
const PROFILES: &str = "FROM learner_profiles p";

/// A report statement over the profiles (`FROM learner_profiles p`), made to count the erased
/// people's facts instead; `None` when it reads no profiles. `erased_facts` has every column of a
/// profile that a report reads: `village_id`, `birth_year`, `learner_group`, `eid_status`,
/// `last_active_at` and the `met_<indicator>` columns.
pub(super) fn over_erased(sql: &str) -> Option<String> {
    sql.contains(PROFILES)
        .then(|| sql.replace(PROFILES, "FROM erased_facts p"))
}

/// Runs `sql` with `$1` bound to `a`.
fn execute1(conn: &mut DbConn, sql: &str, a: &str) -> ApiResult<usize> {
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).bind::<Text, _>(a).execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1"))
            .bind::<Text, _>(a)
            .execute(c)?,
    })
}

/// Runs `sql` with `$1` bound to `a` and `$2` to `b`.
fn execute2(conn: &mut DbConn, sql: &str, a: &str, b: &str) -> ApiResult<usize> {
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(sql)
            .bind::<Text, _>(a)
            .bind::<Text, _>(b)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1").replace("$2", "?2"))
            .bind::<Text, _>(a)
            .bind::<Text, _>(b)
            .execute(c)?,
    })
}

/// A timestamp column cut to the first of its month, or of its day (`day`), on this backend.
fn cut(conn: &DbConn, column: &str, day: bool) -> String {
    match (conn, day) {
        (DbConn::Pg(_), false) => format!("date_trunc('month', {column})"),
        (DbConn::Pg(_), true) => format!("date_trunc('day', {column})"),
        (DbConn::Sqlite(_), false) => format!("substr({column}, 1, 7) || '-01 00:00:00'"),
        (DbConn::Sqlite(_), true) => format!("substr({column}, 1, 10) || ' 00:00:00'"),
    }
}

/// Keeps what the reports need of `user_id`'s profile before it is deleted, in the erasure's
/// transaction: their household's indicator from them, and their facts as an anonymous row
/// (when the profile puts them in a village; a profile without one counts nowhere). Call
/// `learner_changed(.., Household { left, .. })` after deleting the profile.
pub fn learner_erased(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    let config = effective_config(conn)?;
    if let Some((key, q)) = household_indicator(&config) {
        let eid = eid_part(q).unwrap_or_else(|| "1 = 1".to_string());
        // As `refresh_households` counts a member.
        let since = if q.has_fact() {
            format!("p.met_{key}")
        } else {
            "households.created_at".to_string()
        };
        let theirs =
            format!("(SELECT {since} FROM learner_profiles p WHERE p.user_id = $1 AND {eid})");
        let sql = format!(
            "UPDATE households SET erased_met_at = {} WHERE id = \
             (SELECT p.household_id FROM learner_profiles p WHERE p.user_id = $1)",
            earlier_of("households.erased_met_at", &theirs)
        );
        execute1(conn, &sql, user_id)?;
    }
    let mets: Vec<String> = INDICATORS
        .iter()
        .map(|d| format!("met_{}", d.key))
        .collect();
    let cut_mets: Vec<String> = mets.iter().map(|m| cut(conn, m, false)).collect();
    let sql = format!(
        "INSERT INTO erased_facts (id, village_id, birth_year, learner_group, eid_status, \
           last_active_at, {mets}) \
         SELECT $2, village_id, birth_year, learner_group, eid_status, {last}, {cut_mets} \
         FROM learner_profiles WHERE user_id = $1 AND village_id IS NOT NULL",
        mets = mets.join(", "),
        last = cut(conn, "last_active_at", true),
        cut_mets = cut_mets.join(", "),
    );
    execute2(conn, &sql, user_id, &new_id())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_statement_over_the_erased_facts() {
        let sql = "SELECT COUNT(*) FROM learner_profiles p WHERE p.village_id = 'v'";
        assert_eq!(
            over_erased(sql).unwrap(),
            "SELECT COUNT(*) FROM erased_facts p WHERE p.village_id = 'v'"
        );
        assert_eq!(over_erased("SELECT 1 FROM households h"), None);
    }
}
