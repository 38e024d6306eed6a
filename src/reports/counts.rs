//! The indicator counts that reports and timelines read instead of scanning every profile of an
//! area: per village, year of the population's ages, indicator, month its fact was first met and
//! e-identity status, how many people (`report_counts`). A province of a million learners is then
//! some hundred thousand rows of counts instead of a million profiles read once per indicator.
//!
//! What the counts hold is what [`contribution_sql`] gives over the profiles and the erased
//! people's facts, and nothing else: the rebuild ([`rebuild_localities`], with the facts) writes
//! it whole; [`counted`] keeps it in step around each change of a profile (the facts hook and
//! `community::save_profile`) by adding what the person gives after the change and taking away
//! what they gave before; `hocso reports check` ([`drift`]) compares the two. The e-identity part
//! of an indicator is not decided in the counts (the status is kept), so a configuration change
//! needs no rebuild for it; the facts' months do (they are rebuilt with the facts).
//!
//! Years outside [`YEARS`] are not counted: their reports scan the profiles as before.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::definitions::{Config, Population, INDICATORS};
use super::query::{
    by_age, counts_when, execute_over_ids, load_over_ids, month_of, population_in, IDS,
};
use crate::db::DbConn;
use crate::error::ApiResult;

/// The years whose ages the counts keep: the movement's, to its 2030 targets (shared
/// CURRICULUM.md), from the year before the first reports. Other years' reports scan the
/// profiles.
pub const YEARS: std::ops::RangeInclusive<i32> = 2024..=2030;

/// The key (`k`) of the people registered.
const PEOPLE: &str = "_people";

/// Where the people counted are: the profiles, and the facts kept of erased people.
const SOURCES: [&str; 2] = ["learner_profiles p", "erased_facts p"];

/// Whether the counts hold `year`.
pub(super) fn covers(year: i32) -> bool {
    YEARS.contains(&year)
}

/// What the counts are made of, for the facts' fingerprint: a change rebuilds them.
pub(super) fn version() -> String {
    format!("counts 1, {}-{}", YEARS.start(), YEARS.end())
}

/// The counts that the people of `source` whose `filter` holds give: rows `v` (village), `y`
/// (year, 0 for a population without ages), `k` (indicator key, or [`PEOPLE`]), `m` (the month
/// `YYYY-MM` its fact was first met, `''` when not), `e` (e-identity status), `n`; in the order of
/// the key, so that two writers lock the same rows in the same order.
fn contribution_sql(pg: bool, source: &str, filter: &str) -> String {
    let years = YEARS
        .map(|y| format!("SELECT {y} AS y"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut parts = Vec::new();
    for def in INDICATORS
        .iter()
        .filter(|d| d.population != Population::Households)
    {
        let (k, m) = (
            def.key,
            format!(
                "COALESCE({}, '')",
                month_of(pg, &format!("p.met_{}", def.key))
            ),
        );
        parts.push(match by_age(def.population) {
            true => format!(
                "SELECT p.village_id AS v, yy.y AS y, '{k}' AS k, {m} AS m, p.eid_status AS e \
                 FROM {source} CROSS JOIN ({years}) yy WHERE {filter} AND {pop}",
                pop = population_in(def.population, "yy.y"),
            ),
            false => format!(
                "SELECT p.village_id AS v, 0 AS y, '{k}' AS k, {m} AS m, p.eid_status AS e \
                 FROM {source} WHERE {filter} AND {pop}",
                pop = population_in(def.population, "0"),
            ),
        });
    }
    parts.push(format!(
        "SELECT p.village_id AS v, 0 AS y, '{PEOPLE}' AS k, '' AS m, '' AS e \
         FROM {source} WHERE {filter}"
    ));
    format!(
        "SELECT v, y, k, m, e, COUNT(*) AS n FROM ({}) x WHERE v IS NOT NULL \
         GROUP BY v, y, k, m, e ORDER BY v, y, k, m, e",
        parts.join(" UNION ALL ")
    )
}

/// Adds rows `(v, y, k, m, e, n)` of a query to the counts.
fn upsert(select: &str) -> String {
    format!(
        "INSERT INTO report_counts (village_id, year, k, month, eid_status, n) {select} \
         ON CONFLICT (village_id, year, k, month, eid_status) DO UPDATE SET n = report_counts.n + excluded.n"
    )
}

/// Counts the people of the localities `ids` again from their profiles and erased facts (a
/// batch of the rebuild, in its transaction).
pub(super) fn rebuild_localities(conn: &mut DbConn, ids: &[String]) -> ApiResult<()> {
    let pg = matches!(conn, DbConn::Pg(_));
    execute_over_ids(
        conn,
        &format!("DELETE FROM report_counts WHERE village_id {IDS}"),
        ids,
    )?;
    for source in SOURCES {
        let select = contribution_sql(pg, source, &format!("p.village_id {IDS}"));
        execute_over_ids(conn, &upsert(&select), ids)?;
    }
    Ok(())
}

/// A row of counts.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    #[diesel(sql_type = Text)]
    pub v: String,
    #[diesel(sql_type = Integer)]
    pub y: i32,
    #[diesel(sql_type = Text)]
    pub k: String,
    #[diesel(sql_type = Text)]
    pub m: String,
    #[diesel(sql_type = Text)]
    pub e: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

type Key = (String, i32, String, String, String);

fn key(r: CountRow) -> (Key, i64) {
    ((r.v, r.y, r.k, r.m, r.e), r.n)
}

/// What a person's profile gives the counts now.
fn of_person(conn: &mut DbConn, user_id: &str) -> ApiResult<Vec<CountRow>> {
    let pg = matches!(conn, DbConn::Pg(_));
    let sql = contribution_sql(pg, SOURCES[0], &format!("p.user_id {IDS}"));
    load_over_ids(conn, &sql, &[user_id.to_string()])
}

thread_local! {
    /// How deep this thread is in [`counted`]: a change inside another is counted by the outer.
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Leaves a level of [`DEPTH`], however the change ended.
struct Level;

impl Level {
    fn enter() -> Self {
        DEPTH.with(|d| d.set(d.get() + 1));
        Level
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// Runs `change` (a write of `user_id`'s profile or facts) and brings the counts in step: what
/// the person gave before is taken away and what they give after is added, in the order of the
/// rows' keys, after the change's other writes (so that every transaction locks the counts last,
/// in one order); nothing is written when they give the same. Call it in the change's
/// transaction; inside another `counted` (a profile saved, then its facts computed) only the
/// outer one counts.
pub fn counted<T>(
    conn: &mut DbConn,
    user_id: &str,
    change: impl FnOnce(&mut DbConn) -> ApiResult<T>,
) -> ApiResult<T> {
    if DEPTH.with(|d| d.get()) > 0 {
        return change(conn);
    }
    let level = Level::enter();
    let before = of_person(conn, user_id)?;
    let out = change(conn)?;
    drop(level);
    let after = of_person(conn, user_id)?;
    let mut delta: BTreeMap<Key, i64> = BTreeMap::new();
    for (k, n) in before.into_iter().map(key) {
        *delta.entry(k).or_default() -= n;
    }
    for (k, n) in after.into_iter().map(key) {
        *delta.entry(k).or_default() += n;
    }
    let one = upsert("VALUES ($1, $2, $3, $4, $5, $6)");
    for ((v, y, k, m, e), n) in delta.into_iter().filter(|(_, n)| *n != 0) {
        // One row's binds, in the order of `one`'s parameters, for either backend.
        macro_rules! row {
            ($sql:expr) => {
                diesel::sql_query($sql)
                    .bind::<Text, _>(v)
                    .bind::<Integer, _>(y)
                    .bind::<Text, _>(k)
                    .bind::<Text, _>(m)
                    .bind::<Text, _>(e)
                    .bind::<BigInt, _>(n)
            };
        }
        match conn {
            DbConn::Pg(c) => row!(&one).execute(c)?,
            DbConn::Sqlite(c) => row!(one.replace('$', "?")).execute(c)?,
        };
    }
    Ok(out)
}

/// Every indicator's numerator and registered population over the bound localities, ages in
/// `year` (one of [`YEARS`]), facts met before the month `end_month` (`YYYY-MM`), grouped by
/// locality when `by_locality`: rows as `query::indicators_sql` gives them (`k` = -1 with the
/// people registered as `d`; the active people are not counted here). The household indicator
/// is not counted here either (`households`).
pub(super) fn passes_sql(config: &Config, year: i32, end_month: &str, by_locality: bool) -> String {
    let (v, group) = match by_locality {
        true => ("p.village_id", " GROUP BY p.village_id"),
        false => ("''", ""),
    };
    let sum = |what: &str| format!("CAST(COALESCE(SUM({what}), 0) AS BIGINT)");
    let mut parts = Vec::new();
    for (i, def) in INDICATORS.iter().enumerate() {
        if def.population == Population::Households {
            continue;
        }
        let y = if by_age(def.population) { year } else { 0 };
        let cond = counts_when(
            &config[def.key],
            &format!("p.month <> '' AND p.month < '{end_month}'"),
        );
        parts.push(format!(
            "SELECT {v} AS v, {i} AS k, {n} AS n, {d} AS d FROM report_counts p \
             WHERE p.village_id {IDS} AND p.year = {y} AND p.k = '{key}'{group}",
            n = sum(&format!("CASE WHEN {cond} THEN p.n ELSE 0 END")),
            d = sum("p.n"),
            key = def.key,
        ));
    }
    parts.push(format!(
        "SELECT {v} AS v, -1 AS k, CAST(0 AS BIGINT) AS n, {d} AS d FROM report_counts p \
         WHERE p.village_id {IDS} AND p.year = 0 AND p.k = '{PEOPLE}'{group}",
        d = sum("p.n"),
    ));
    parts.join(" UNION ALL ")
}

/// The timeline's statement over the counts (see `query::timeline_sql`, whose rows it gives:
/// `k`, `j` the index in `years`, `m` the month, `n`), without the household indicator; every
/// year of `years` is one of [`YEARS`].
pub(super) fn timeline_sql(config: &Config, end_month: &str, years: &[i32]) -> Option<String> {
    let mut parts = Vec::new();
    for (j, &year) in years.iter().enumerate() {
        for (i, def) in INDICATORS.iter().enumerate() {
            if def.population == Population::Households {
                continue;
            }
            let q = &config[def.key];
            let m = match (q.has_fact(), super::facts::eid_part(q).is_some()) {
                (true, _) => "p.month",
                // Counted from the start.
                (false, true) => "''",
                // Nobody counts.
                (false, false) => continue,
            };
            let cond = counts_when(q, &format!("p.month <> '' AND p.month < '{end_month}'"));
            let y = if by_age(def.population) { year } else { 0 };
            parts.push(format!(
                "SELECT {i} AS k, {j} AS j, {m} AS m, CAST(SUM(p.n) AS BIGINT) AS n \
                 FROM report_counts p WHERE p.village_id {IDS} AND p.year = {y} \
                 AND p.k = '{key}' AND {cond} GROUP BY 3",
                key = def.key,
            ));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" UNION ALL "))
}

/// Where the counts differ from what the profiles and erased facts give now (none when in step):
/// one line per differing row, for `hocso reports check` and the tests.
pub fn drift(conn: &mut DbConn) -> ApiResult<Vec<String>> {
    let pg = matches!(conn, DbConn::Pg(_));
    let mut want: BTreeMap<Key, i64> = BTreeMap::new();
    for source in SOURCES {
        let sql = contribution_sql(pg, source, "1 = 1");
        let rows: Vec<CountRow> = diesel::sql_query(sql).load(conn)?;
        for (k, n) in rows.into_iter().map(key) {
            *want.entry(k).or_default() += n;
        }
    }
    let rows: Vec<CountRow> = diesel::sql_query(
        "SELECT village_id AS v, year AS y, k, month AS m, eid_status AS e, n FROM report_counts",
    )
    .load(conn)?;
    let mut have: BTreeMap<Key, i64> = rows.into_iter().map(key).collect();
    let mut lines = Vec::new();
    for (k, n) in want {
        let h = have.remove(&k).unwrap_or(0);
        if h != n {
            lines.push(format!("{k:?}: counted {h}, should be {n}"));
        }
    }
    for (k, h) in have.into_iter().filter(|(_, h)| *h != 0) {
        lines.push(format!("{k:?}: counted {h}, should be 0"));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_join_the_years_and_groups_do_not() {
        let sql = contribution_sql(false, "learner_profiles p", "p.user_id = ?1");
        assert!(sql.contains("p.birth_year <= yy.y - 14"), "{sql}");
        assert!(sql.contains("SELECT 2024 AS y UNION ALL SELECT 2025 AS y"));
        assert!(sql.contains("0 AS y, 'officials_skilled' AS k"));
        assert!(sql.contains("COALESCE(substr(p.met_adults_certified, 1, 7), '')"));
        assert!(sql.ends_with("ORDER BY v, y, k, m, e"));
        let pg = contribution_sql(true, "erased_facts p", "1 = 1");
        assert!(pg.contains("to_char(p.met_adults_certified, 'YYYY-MM')"));
        assert!(pg.contains("FROM erased_facts p CROSS JOIN"));
    }
}
