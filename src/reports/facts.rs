//! The indicator facts that reports read: on each learner profile, per indicator, when its
//! course and certificate part was first met (`met_<key>`), and the last activity; on each
//! household, when a member first counted for the household indicator. Kept in step through one
//! hook, [`learner_changed`], and rebuilt whole by [`ensure_facts`] when the configuration changes.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::definitions::{effective_config, household_indicator, Config, INDICATORS};
use super::query::{execute_over_ids, IDS};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// `'a','b'`: slugs written into a query (valid keys only: lowercase letters, digits and dashes).
fn slugs(list: &[&str]) -> String {
    list.iter()
        .filter(|s| crate::content::is_valid_key(s))
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `a` and `b` both met: the later of the two times, else NULL.
fn later_of(a: &str, b: &str) -> String {
    format!("CASE WHEN ({a}) IS NULL OR ({b}) IS NULL THEN NULL WHEN ({a}) >= ({b}) THEN ({a}) ELSE ({b}) END")
}

/// Recomputes the facts columns of every learner profile (`one_user`: only of the user bound to
/// `$1`). Per indicator: when its course and certificate parts were first all met, from the
/// completed enrolments and unrevoked certificates; and the last activity in any course.
fn refresh_sql(config: &Config, one_user: bool) -> String {
    let only = |col: &str| {
        if one_user {
            format!(" AND {col} = $1")
        } else {
            String::new()
        }
    };
    let done = "e.status = 'completed' AND e.completed_at IS NOT NULL";
    let (mut en_cols, mut cf_cols, mut facts) = (
        vec!["MAX(e.last_activity_at) AS last_at".to_string()],
        vec!["COUNT(*) AS held".to_string()],
        Vec::new(),
    );
    for (i, def) in INDICATORS.iter().enumerate() {
        let q = &config[def.key];
        let mut parts = Vec::new();
        let all = q.all_set();
        if !all.is_empty() {
            let list = slugs(&all);
            en_cols.push(format!(
                "SUM(CASE WHEN {done} AND c.slug IN ({list}) THEN 1 ELSE 0 END) AS all_n{i}, \
                 MAX(CASE WHEN {done} AND c.slug IN ({list}) THEN e.completed_at END) AS all_at{i}"
            ));
            parts.push(format!(
                "CASE WHEN en.all_n{i} = {} THEN en.all_at{i} END",
                all.len()
            ));
        }
        let any = q.any_set();
        if !any.is_empty() {
            en_cols.push(format!(
                "MIN(CASE WHEN {done} AND c.slug IN ({}) THEN e.completed_at END) AS any_at{i}",
                slugs(&any)
            ));
            parts.push(format!("en.any_at{i}"));
        }
        if let Some(prog) = q.valid_program() {
            cf_cols.push(format!(
                "MIN(CASE WHEN ct.program_slug = '{prog}' THEN ct.issued_at END) AS prog_at{i}"
            ));
            parts.push(format!("cf.prog_at{i}"));
        }
        facts.push(format!(
            "{} AS f{i}",
            parts
                .into_iter()
                .reduce(|a, b| later_of(&a, &b))
                .unwrap_or_else(|| "CAST(NULL AS TIMESTAMP)".to_string())
        ));
    }
    format!(
        "UPDATE learner_profiles SET {set}, last_active_at = x.last_at \
         FROM (SELECT p.user_id, en.last_at, {facts} FROM learner_profiles p \
           LEFT JOIN (SELECT e.user_id, {en} FROM enrollments e JOIN courses c ON c.id = e.course_id \
             WHERE 1 = 1{en_only} GROUP BY e.user_id) en ON en.user_id = p.user_id \
           LEFT JOIN (SELECT ct.user_id, {cf} FROM certificates ct \
             WHERE ct.revoked_at IS NULL{cf_only} GROUP BY ct.user_id) cf ON cf.user_id = p.user_id \
           WHERE 1 = 1{p_only}) x \
         WHERE learner_profiles.user_id = x.user_id",
        set = INDICATORS
            .iter()
            .enumerate()
            .map(|(i, d)| format!("met_{} = x.f{i}", d.key))
            .collect::<Vec<_>>()
            .join(", "),
        facts = facts.join(", "),
        en = en_cols.join(", "),
        cf = cf_cols.join(", "),
        en_only = only("e.user_id"),
        cf_only = only("ct.user_id"),
        p_only = only("p.user_id"),
    )
}

/// The e-identity part of a qualification, on a profile `p`.
pub(super) fn eid_part(q: &super::Qualification) -> Option<String> {
    match q.eid.as_deref() {
        Some("level2") => Some("p.eid_status = 'level2'".to_string()),
        Some(_) => Some("p.eid_status IN ('level1', 'level2')".to_string()),
        None => None,
    }
}

/// What changed about a learner, for [`learner_changed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnerChange<'a> {
    /// What they did (a course completed or left, a certificate revoked), or their profile was
    /// created: their facts and their household's are computed again.
    Activity,
    /// Their household or their e-identity: the household they left (if any) and the one they
    /// are in now are counted again.
    Household {
        left: Option<&'a str>,
        joined: Option<&'a str>,
    },
}

/// The one hook of the indicator facts: call it in the transaction that changes what a learner
/// did or where they count, and the facts the reports read stay in step.
pub fn learner_changed(conn: &mut DbConn, user_id: &str, what: LearnerChange<'_>) -> ApiResult<()> {
    match what {
        LearnerChange::Activity => refresh_facts(conn, user_id),
        LearnerChange::Household { left, joined } => {
            let touched: Vec<String> = left.into_iter().chain(joined).map(String::from).collect();
            if touched.is_empty() {
                return Ok(());
            }
            let config = effective_config(conn)?;
            refresh_households(conn, &config, Some(&touched))
        }
    }
}

/// Brings a learner's facts up to date (through [`learner_changed`]).
fn refresh_facts(conn: &mut DbConn, user_id: &str) -> ApiResult<()> {
    let config = effective_config(conn)?;
    let sql = refresh_sql(&config, true);
    match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).bind::<Text, _>(user_id).execute(c)?,
        // `?1` binds the one value wherever it appears.
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1"))
            .bind::<Text, _>(user_id)
            .execute(c)?,
    };
    let household: Option<Option<String>> = crate::db::schema::learner_profiles::table
        .find(user_id)
        .select(crate::db::schema::learner_profiles::household_id)
        .first(conn)
        .optional()?;
    refresh_households(
        conn,
        &config,
        Some(&household.flatten().into_iter().collect::<Vec<_>>()),
    )
}

/// Recomputes when a member of each household (`None`: of every household) first counted for the
/// household indicator; through [`learner_changed`] when members' facts, e-identity or household
/// change, and when every fact is rebuilt. The households' ids are bound, not written into the
/// statement.
fn refresh_households(conn: &mut DbConn, config: &Config, ids: Option<&[String]>) -> ApiResult<()> {
    let Some((key, q)) = household_indicator(config) else {
        return Ok(());
    };
    if ids.is_some_and(|l| l.is_empty()) {
        return Ok(());
    }
    let eid = eid_part(q).unwrap_or_else(|| "1 = 1".to_string());
    // Without a course or certificate part, a household counts from its creation once a member
    // meets the e-identity part.
    let when = if q.has_fact() {
        format!("(SELECT MIN(p.met_{key}) FROM learner_profiles p WHERE p.household_id = households.id AND {eid})")
    } else {
        format!("CASE WHEN EXISTS (SELECT 1 FROM learner_profiles p WHERE p.household_id = households.id AND {eid}) THEN created_at END")
    };
    let update = format!("UPDATE households SET met_{key} = {when}");
    match ids {
        Some(list) => execute_over_ids(conn, &format!("{update} WHERE id {IDS}"), list)?,
        None => diesel::sql_query(update).execute(conn)?,
    };
    Ok(())
}

/// Rebuilds every learner's facts when the indicator configuration differs from the one they
/// were computed with (a new database, an admin's change, a changed `indicators.toml`), or
/// always with `force` (data written behind the application's back, as by the seeder).
/// Returns whether it rebuilt.
pub fn ensure_facts(conn: &mut DbConn, force: bool) -> ApiResult<bool> {
    use crate::db::schema::indicator_facts_basis as basis;
    let config = effective_config(conn)?;
    let ordered: std::collections::BTreeMap<_, _> = config.iter().collect();
    let fingerprint = serde_json::to_string(&ordered).map_err(ApiError::internal)?;
    crate::db::transaction::<_, ApiError, _>(conn, |conn| {
        let stored: Option<String> = basis::table
            .find(1)
            .select(basis::config)
            .first(conn)
            .optional()?;
        if !force && stored.as_deref() == Some(fingerprint.as_str()) {
            return Ok(false);
        }
        diesel::sql_query(refresh_sql(&config, false)).execute(conn)?;
        refresh_households(conn, &config, None)?;
        diesel::delete(basis::table).execute(conn)?;
        diesel::insert_into(basis::table)
            .values((
                basis::id.eq(1),
                basis::config.eq(&fingerprint),
                basis::refreshed_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::super::definitions::Qualification;
    use super::*;

    #[test]
    fn facts_of_all_of_and_any_of_together() {
        let parsed = Qualification {
            all_courses: vec!["a".into(), "b".into()],
            any_courses: vec!["c".into(), "d".into()],
            ..Default::default()
        };
        // The facts: met when every course of the first list and one of the second are done,
        // at the later of the last of the first and the first of the second.
        let mut config: Config = INDICATORS
            .iter()
            .map(|d| (d.key, Qualification::from(d.condition)))
            .collect();
        config.insert("adults_basic_knowledge", parsed);
        let i = INDICATORS
            .iter()
            .position(|d| d.key == "adults_basic_knowledge")
            .unwrap();
        let sql = refresh_sql(&config, false);
        assert!(sql.contains(&format!(
            "c.slug IN ('a','b') THEN 1 ELSE 0 END) AS all_n{i}"
        )));
        assert!(sql.contains(&format!(
            "c.slug IN ('c','d') THEN e.completed_at END) AS any_at{i}"
        )));
        assert!(sql.contains(&format!("CASE WHEN en.all_n{i} = 2 THEN en.all_at{i} END")));
        assert!(sql.contains(&later_of(
            &format!("CASE WHEN en.all_n{i} = 2 THEN en.all_at{i} END"),
            &format!("en.any_at{i}")
        )));
        assert!(sql.contains("met_students_skilled = x.f"));
    }
}
