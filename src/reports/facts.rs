//! The indicator facts that reports read: on each learner profile, per indicator, when its
//! course and certificate part was first met (`met_<key>`), and the last activity; on each
//! household, when a member first counted for the household indicator. Kept in step through one
//! hook, [`learner_changed`], and rebuilt whole by [`ensure_facts`] when the configuration changes.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::definitions::{effective_config, household_indicator, Config, INDICATORS};
use super::query::{execute_over_ids, IDS};
use crate::db::{DbConn, Writer};
use crate::error::{ApiError, ApiResult};
use crate::kinds::EidStatus;

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

/// The earlier of two nullable timestamps, either when the other is NULL.
pub(super) fn earlier_of(a: &str, b: &str) -> String {
    format!("CASE WHEN ({a}) IS NULL THEN ({b}) WHEN ({b}) IS NULL THEN ({a}) WHEN ({b}) < ({a}) THEN ({b}) ELSE ({a}) END")
}

/// Whose facts a statement of [`refresh_sql`] recomputes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Every learner.
    #[cfg_attr(not(test), allow(dead_code))]
    All,
    /// The user bound to `$1`.
    One,
    /// The users whose ids sort after `$1`, up to `$2` included (a batch of a rebuild).
    Range,
}

/// Recomputes the facts columns of the learner profiles of `scope`. Per indicator: when its
/// course and certificate parts were first all met, from the completed enrolments and unrevoked
/// certificates; and the last activity in any course.
fn refresh_sql(config: &Config, scope: Scope) -> String {
    let only = |col: &str| match scope {
        Scope::All => String::new(),
        Scope::One => format!(" AND {col} = $1"),
        Scope::Range => format!(" AND {col} > $1 AND {col} <= $2"),
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
        Some("level2") => Some(format!("p.eid_status = '{}'", EidStatus::Level2)),
        Some(_) => Some(format!(
            "p.eid_status IN ('{}', '{}')",
            EidStatus::Level1,
            EidStatus::Level2
        )),
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
        LearnerChange::Activity => {
            super::counts::counted(conn, user_id, |c| refresh_facts(c, user_id))
        }
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
    let sql = refresh_sql(&config, Scope::One);
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
/// household indicator (or an erased former member did, `erased_met_at`); through
/// [`learner_changed`] when members' facts, e-identity or household change, and when every fact
/// is rebuilt. The households' ids are bound, not written into the
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
    // A member whose data was erased counts still, from when they did (`erased::learner_erased`).
    let when = earlier_of(&when, "households.erased_met_at");
    let update = format!("UPDATE households SET met_{key} = {when}");
    match ids {
        Some(list) => execute_over_ids(conn, &format!("{update} WHERE id {IDS}"), list)?,
        None => diesel::sql_query(update).execute(conn)?,
    };
    Ok(())
}

/// Learners (and households) per transaction of a rebuild: on SQLite a batch holds the write lock
/// for some 40 ms with 20,000 learners seeded (docs/PERFORMANCE.md), so that no other write waits
/// much longer than that.
pub const REBUILD_BATCH: i64 = 2_000;

/// The configuration's fingerprint, stored with the facts it was computed with.
fn fingerprint(conn: &mut DbConn) -> ApiResult<String> {
    let config = effective_config(conn)?;
    let ordered: std::collections::BTreeMap<_, _> = config.iter().collect();
    let config = serde_json::to_string(&ordered).map_err(ApiError::internal)?;
    Ok(format!("{config} {}", super::counts::version()))
}

/// One step of a rebuild, run in a transaction of its own.
enum Step {
    /// The fingerprint to rebuild for, or `None` when the facts are up to date.
    Start(Option<String>),
    /// The last id of the batch just recomputed, or `None` when there was none left.
    Batch(Option<String>),
    /// Whether the rebuild's configuration was still in force, and its fingerprint stored.
    Finished(bool),
}

type Job = Box<dyn FnOnce(&mut DbConn) -> ApiResult<Step> + Send + 'static>;

/// Recomputes the facts of the next [`REBUILD_BATCH`] learners whose ids sort after `after`,
/// with the configuration in force now.
fn learners_after(conn: &mut DbConn, after: &str) -> ApiResult<Step> {
    use crate::db::schema::learner_profiles as lp;
    let ids: Vec<String> = lp::table
        .filter(lp::user_id.gt(after))
        .order(lp::user_id)
        .limit(REBUILD_BATCH)
        .select(lp::user_id)
        .load(conn)?;
    let Some(last) = ids.last().cloned() else {
        return Ok(Step::Batch(None));
    };
    let sql = refresh_sql(&effective_config(conn)?, Scope::Range);
    match conn {
        DbConn::Pg(c) => diesel::sql_query(sql)
            .bind::<Text, _>(after)
            .bind::<Text, _>(&last)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql.replace("$1", "?1").replace("$2", "?2"))
            .bind::<Text, _>(after)
            .bind::<Text, _>(&last)
            .execute(c)?,
    };
    Ok(Step::Batch(Some(last)))
}

/// Recomputes the household indicator of the next [`REBUILD_BATCH`] households whose ids sort
/// after `after`.
fn households_after(conn: &mut DbConn, after: &str) -> ApiResult<Step> {
    use crate::db::schema::households as h;
    let config = effective_config(conn)?;
    if household_indicator(&config).is_none() {
        return Ok(Step::Batch(None));
    }
    let ids: Vec<String> = h::table
        .filter(h::id.gt(after))
        .order(h::id)
        .limit(REBUILD_BATCH)
        .select(h::id)
        .load(conn)?;
    let Some(last) = ids.last().cloned() else {
        return Ok(Step::Batch(None));
    };
    refresh_households(conn, &config, Some(&ids))?;
    Ok(Step::Batch(Some(last)))
}

/// Counts the people of the next locality whose id sorts after `after` again (`counts`): one
/// locality per transaction, a village of some 2,000 people (a few tens of ms on SQLite).
fn localities_after(conn: &mut DbConn, after: &str) -> ApiResult<Step> {
    use crate::db::schema::localities as l;
    let ids: Vec<String> = l::table
        .filter(l::id.gt(after))
        .order(l::id)
        .limit(1)
        .select(l::id)
        .load(conn)?;
    let Some(last) = ids.last().cloned() else {
        return Ok(Step::Batch(None));
    };
    super::counts::rebuild_localities(conn, &ids)?;
    Ok(Step::Batch(Some(last)))
}

/// Rebuilds every learner's facts when the indicator configuration differs from the one they
/// were computed with (a new database, an admin's change, a changed `indicators.toml`), or
/// always with `force` (data written behind the application's back, as by the seeder).
/// Returns whether it rebuilt.
///
/// The rebuild goes in batches of [`REBUILD_BATCH`] learners, then of households, each a
/// transaction of its own on `conn` (savepoints when `conn` is already in one), so that another
/// connection's write waits for one batch at most; the configuration's fingerprint is stored last,
/// so that a rebuild cut short is done again at the next start. [`ensure_facts_on`] sends each
/// batch to the writer instead.
pub fn ensure_facts(conn: &mut DbConn, force: bool) -> ApiResult<bool> {
    rebuild(&mut |job: Job| crate::db::transaction(conn, job), force)
}

/// [`ensure_facts`] with each batch a job of the writer: the writes queued meanwhile (learners'
/// progress) go between two batches. Call it where a thread may block, outside any job.
pub fn ensure_facts_on(writer: &Writer, force: bool) -> ApiResult<bool> {
    rebuild(&mut |job: Job| writer.transaction(job), force)
}

fn rebuild(run: &mut dyn FnMut(Job) -> ApiResult<Step>, force: bool) -> ApiResult<bool> {
    use crate::db::advisory::{in_transaction, Work};
    use crate::db::schema::indicator_facts_basis as basis;
    // Every step holds the lock of the rebuild's batches for its transaction (PostgreSQL): two
    // rebuilds at once (two instances, or an admin's change during one) go batch by batch in
    // turn. A locality's recount deletes its rows and adds each person's contribution; two of
    // them at once, each deleting what it saw before the other committed, would add the people
    // twice.
    let mut run = |job: Job| {
        run(Box::new(move |conn: &mut DbConn| {
            in_transaction(conn, Work::RebuildBatch)?;
            job(conn)
        }))
    };
    let mut rebuilt = false;
    loop {
        let Step::Start(Some(target)) = run(Box::new(move |conn| {
            let now = fingerprint(conn)?;
            let stored: Option<String> = basis::table
                .find(1)
                .select(basis::config)
                .first(conn)
                .optional()?;
            let stale = (force && !rebuilt) || stored.as_deref() != Some(now.as_str());
            Ok(Step::Start(stale.then_some(now)))
        }))?
        else {
            return Ok(rebuilt);
        };
        let started = Instant::now();
        let (mut batches, mut longest) = (0usize, Duration::ZERO);
        for table in [learners_after, households_after, localities_after] {
            let mut after = String::new();
            loop {
                let t = Instant::now();
                let step = run(Box::new(move |conn| table(conn, &after)))?;
                longest = longest.max(t.elapsed());
                batches += 1;
                match step {
                    Step::Batch(Some(last)) => after = last,
                    _ => break,
                }
            }
        }
        let fp = target.clone();
        let current = run(Box::new(move |conn| {
            if fingerprint(conn)? != fp {
                // Changed meanwhile: the loop rebuilds again for the new one.
                return Ok(Step::Finished(false));
            }
            diesel::delete(basis::table).execute(conn)?;
            diesel::insert_into(basis::table)
                .values((
                    basis::id.eq(1),
                    basis::config.eq(&fp),
                    basis::refreshed_at.eq(crate::db::now()),
                ))
                .execute(conn)?;
            Ok(Step::Finished(true))
        }))?;
        tracing::info!(
            batches,
            longest_batch_ms = longest.as_millis() as u64,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "indicator facts rebuilt"
        );
        rebuilt = true;
        if matches!(current, Step::Finished(true)) {
            return Ok(true);
        }
    }
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
        let sql = refresh_sql(&config, Scope::All);
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
