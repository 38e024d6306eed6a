//! The SQL of a report: the subtree and its census and targets, one scan of the villages'
//! profiles for every indicator, the households, and the counts. The localities' ids are bound
//! as one parameter (a text array on PostgreSQL, a JSON array on SQLite), never written into the
//! statement.

use std::collections::HashMap;

use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};
use diesel::sqlite::Sqlite;

use super::arithmetic::TargetKind;
use super::definitions::{Config, Population, Qualification, INDICATORS};
use super::facts::eid_part;
use crate::db::community::Census;
use crate::db::schema::{census, indicator_targets, localities};
use crate::db::users::Locality;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// Where a statement compares a column with the bound list of ids: `village_id {IDS}`.
pub(super) const IDS: &str = "<bound ids>";

/// The statement for this backend: `= ANY($1)` (a text array) on PostgreSQL, which plans with
/// the array's values as it would with a written list; `IN (SELECT value FROM json_each(?1))`
/// on SQLite, whose planner then looks each id up in the column's index.
fn over_ids(conn: &DbConn, sql: &str) -> String {
    match conn {
        DbConn::Pg(_) => sql.replace(IDS, "= ANY($1)"),
        DbConn::Sqlite(_) => sql.replace(IDS, "IN (SELECT value FROM json_each(?1))"),
    }
}

fn json_list(ids: &[String]) -> ApiResult<String> {
    serde_json::to_string(ids).map_err(ApiError::internal)
}

/// Runs a query whose one parameter is the list of `ids` (see [`IDS`]).
pub(super) fn load_over_ids<T>(conn: &mut DbConn, sql: &str, ids: &[String]) -> ApiResult<Vec<T>>
where
    T: QueryableByName<Pg> + QueryableByName<Sqlite> + 'static,
{
    let sql = over_ids(conn, sql);
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).bind::<Array<Text>, _>(ids).load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql)
            .bind::<Text, _>(json_list(ids)?)
            .load(c)?,
    })
}

/// Runs a statement whose one parameter is the list of `ids` (see [`IDS`]).
pub(super) fn execute_over_ids(conn: &mut DbConn, sql: &str, ids: &[String]) -> ApiResult<usize> {
    let sql = over_ids(conn, sql);
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(sql)
            .bind::<Array<Text>, _>(ids)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql)
            .bind::<Text, _>(json_list(ids)?)
            .execute(c)?,
    })
}

/// Runs a `SELECT COUNT(*) AS n ...` over the bound `ids`.
fn count_over_ids(conn: &mut DbConn, sql: &str, ids: &[String]) -> ApiResult<i64> {
    let rows: Vec<crate::db::Count> = load_over_ids(conn, sql, ids)?;
    Ok(rows.first().map(|r| r.n).unwrap_or(0))
}

/// Who of the profiles `p` belongs to a population in `year`.
pub(super) fn population_sql(p: Population, year: i32) -> String {
    match p {
        Population::Aged14Plus => {
            format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", year - 14)
        }
        Population::WorkingAge => format!(
            "p.birth_year IS NOT NULL AND p.birth_year BETWEEN {} AND {}",
            year - 60,
            year - 15
        ),
        Population::Adults => format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", year - 18),
        Population::Officials => "p.learner_group = 'official'".into(),
        Population::EnterpriseWorkers => "p.learner_group = 'enterprise_worker'".into(),
        Population::Students => "p.learner_group = 'student'".into(),
        Population::Households => "1 = 1".into(),
    }
}

/// When a person (`p`) counts for an indicator at `end`: the e-identity part from the profile as
/// it is, the course and certificate part from its fact.
fn person_counts(q: &Qualification, key: &str, end: &str) -> String {
    let mut parts: Vec<String> = eid_part(q).into_iter().collect();
    if q.has_fact() {
        parts.push(format!("p.met_{key} < '{end}'"));
    }
    if parts.is_empty() {
        "1 = 0".to_string()
    } else {
        parts.join(" AND ")
    }
}

/// Every indicator of the people of the bound villages (a subtree's localities) in one scan of
/// their profiles, which carry the facts.
///
/// Rows: `k` = index in `INDICATORS` with `n` qualifying and `d` registered in its population;
/// `k` = -1 with `n` = people active since `since` (0 without) and `d` = people registered.
/// The localities are bound as a list rather than found by a recursive CTE, so that PostgreSQL's
/// estimate of the rows is right (an index scan for a commune, a parallel scan for a province).
fn indicators_sql(config: &Config, end: &str, year: i32, since: Option<&str>) -> String {
    let mut sums = Vec::new();
    for (i, def) in INDICATORS.iter().enumerate() {
        if def.population == Population::Households {
            // Counted from the households' own facts (`refresh_households`).
            sums.push(format!("0 AS n{i}, 0 AS d{i}"));
        } else {
            let cond = person_counts(&config[def.key], def.key, end);
            let pop = population_sql(def.population, year);
            sums.push(format!(
                "COUNT(*) FILTER (WHERE ({pop}) AND {cond}) AS n{i}, \
                 COUNT(*) FILTER (WHERE {pop}) AS d{i}"
            ));
        }
    }
    let active = match since {
        Some(since) => format!("COUNT(*) FILTER (WHERE p.last_active_at >= '{since}')"),
        None => "0".to_string(),
    };
    let rows: Vec<String> = (0..INDICATORS.len())
        .map(|i| format!("SELECT {i} AS k, n{i} AS n, d{i} AS d FROM agg"))
        .chain(std::iter::once(
            "SELECT -1 AS k, active AS n, people AS d FROM agg".to_string(),
        ))
        .collect();
    format!(
        "WITH agg AS MATERIALIZED (SELECT {sums}, {active} AS active, COUNT(*) AS people \
           FROM learner_profiles p WHERE p.village_id {IDS}) \
         {rows}",
        sums = sums.join(", "),
        rows = rows.join(" UNION ALL "),
    )
}

#[derive(QueryableByName)]
struct IndicatorRow {
    #[diesel(sql_type = Integer)]
    k: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    d: i64,
}

/// What one pass over a subtree gives.
pub(super) struct Pass {
    /// (qualifying, registered in the population), in the order of `INDICATORS`.
    pub pairs: Vec<(i64, i64)>,
    pub active: i64,
    pub people: i64,
}

/// Every indicator's numerator and registered population over the localities `subtree` at
/// `end` (exclusive), ages in `year`; with `since`, the people active from then.
pub(super) fn indicator_pass(
    conn: &mut DbConn,
    subtree: &[String],
    config: &Config,
    end: &str,
    year: i32,
    since: Option<&str>,
) -> ApiResult<Pass> {
    let sql = indicators_sql(config, end, year, since);
    let read = |c: &mut DbConn| -> ApiResult<Pass> {
        let mut rows: Vec<IndicatorRow> = load_over_ids(c, &sql, subtree)?;
        // The anonymous facts of erased people count as the profiles do (`erased`).
        if let Some(erased) = super::erased::over_erased(&sql) {
            rows.extend(load_over_ids::<IndicatorRow>(c, &erased, subtree)?);
        }
        let mut pass = Pass {
            pairs: vec![(0, 0); INDICATORS.len()],
            active: 0,
            people: 0,
        };
        for r in rows {
            match usize::try_from(r.k) {
                Ok(i) if i < INDICATORS.len() => {
                    pass.pairs[i].0 += r.n;
                    pass.pairs[i].1 += r.d;
                }
                _ => (pass.active, pass.people) = (pass.active + r.n, pass.people + r.d),
            }
        }
        // Households with a member who counts (kept on the household), and households
        // registered in the subtree (the household indicator's population).
        if let Some(i) = INDICATORS
            .iter()
            .position(|d| d.population == Population::Households)
        {
            let key = INDICATORS[i].key;
            let row: Vec<IndicatorRow> = load_over_ids(
                c,
                &format!(
                    "SELECT {i} AS k, COUNT(*) FILTER (WHERE h.met_{key} < '{end}') AS n, \
                     COUNT(*) AS d FROM households h WHERE h.village_id {IDS}"
                ),
                subtree,
            )?;
            pass.pairs[i] = row.first().map(|r| (r.n, r.d)).unwrap_or((0, 0));
        }
        Ok(pass)
    };
    match conn {
        // The households of a province do not fit PostgreSQL's default 4 MB of hash memory; give
        // these reads their own, inside a transaction so that it ends with it.
        DbConn::Pg(_) => conn.transaction::<_, ApiError, _>(|c| {
            c.batch_execute("SET LOCAL work_mem = '64MB'")?;
            read(c)
        }),
        DbConn::Sqlite(_) => read(conn),
    }
}

/// A locality and what a report of its subtree needs besides the profiles.
pub(super) struct Area {
    pub locality: Locality,
    /// The locality and every locality below it.
    pub subtree: Vec<String>,
    /// The children of each locality of the subtree.
    pub children: HashMap<String, Vec<String>>,
    /// The census figures entered for the year, by locality.
    pub census: HashMap<String, Census>,
}

/// The locality `root` and its subtree (404 when there is no such locality).
pub(super) fn locality_and_subtree(
    conn: &mut DbConn,
    root: &str,
) -> ApiResult<(Locality, Vec<String>)> {
    let loc = crate::db::community::locality(conn, root)?
        .ok_or_else(|| ApiError::not_found("No such locality."))?;
    let subtree = crate::db::community::subtree(conn, root)?;
    Ok((loc, subtree))
}

/// The area of `root` with the census figures of `year`.
pub(super) fn area(conn: &mut DbConn, root: &str, year: i32) -> ApiResult<Area> {
    let (locality, subtree) = locality_and_subtree(conn, root)?;
    let tree: Vec<(String, Option<String>)> = localities::table
        .filter(localities::id.eq_any(&subtree))
        .select((localities::id, localities::parent_id))
        .load(conn)?;
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for (id, parent) in &tree {
        if let Some(p) = parent {
            children.entry(p.clone()).or_default().push(id.clone());
        }
    }
    let census: HashMap<String, Census> = census::table
        .filter(census::locality_id.eq_any(&subtree))
        .filter(census::year.eq(year))
        .select(Census::as_select())
        .load(conn)?
        .into_iter()
        .map(|c| (c.locality_id.clone(), c))
        .collect();
    Ok(Area {
        locality,
        subtree,
        children,
        census,
    })
}

/// The targets of a locality for a year, by indicator: kind and stored value.
pub(super) fn targets(
    conn: &mut DbConn,
    locality: &str,
    year: i32,
) -> ApiResult<HashMap<String, (TargetKind, i64)>> {
    Ok(indicator_targets::table
        .filter(indicator_targets::locality_id.eq(locality))
        .filter(indicator_targets::year.eq(year))
        .select((
            indicator_targets::indicator,
            indicator_targets::kind,
            indicator_targets::value_bp,
        ))
        .load::<(String, String, i64)>(conn)?
        .into_iter()
        // A kind this version does not know is no target.
        .filter_map(|(k, kind, v)| TargetKind::parse(&kind).map(|kind| (k, (kind, v))))
        .collect())
}

/// Replaces the target of an indicator for a locality and year.
pub(super) fn store_target(
    conn: &mut DbConn,
    locality: &str,
    year: i32,
    indicator: &str,
    kind: TargetKind,
    stored: i64,
) -> ApiResult<()> {
    diesel::delete(
        indicator_targets::table
            .filter(indicator_targets::locality_id.eq(locality))
            .filter(indicator_targets::year.eq(year))
            .filter(indicator_targets::indicator.eq(indicator)),
    )
    .execute(conn)?;
    diesel::insert_into(indicator_targets::table)
        .values((
            indicator_targets::locality_id.eq(locality),
            indicator_targets::year.eq(year),
            indicator_targets::indicator.eq(indicator),
            indicator_targets::kind.eq(kind.as_str()),
            indicator_targets::value_bp.eq(stored),
            indicator_targets::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Certificates issued in `year` in the localities `subtree` (by the village each was issued
/// in), teams of its villages, and their distinct members.
pub(super) fn certificates_teams_facilitators(
    conn: &mut DbConn,
    subtree: &[String],
    year: i32,
) -> ApiResult<(i64, i64, i64)> {
    let certificates = count_over_ids(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM certificates ct WHERE ct.village_id {IDS} \
             AND ct.issued_at >= '{year}-01-01' AND ct.issued_at < '{}-01-01'",
            year + 1
        ),
        subtree,
    )?;
    let teams = count_over_ids(
        conn,
        &format!("SELECT COUNT(*) AS n FROM teams t WHERE t.village_id {IDS}"),
        subtree,
    )?;
    let facilitators = count_over_ids(
        conn,
        &format!(
            "SELECT COUNT(DISTINCT m.user_id) AS n FROM team_members m \
             JOIN teams t ON t.id = m.team_id WHERE t.village_id {IDS}"
        ),
        subtree,
    )?;
    Ok((certificates, teams, facilitators))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Config {
        INDICATORS
            .iter()
            .map(|d| (d.key, Qualification::from(d.condition)))
            .collect()
    }

    #[test]
    fn populations_by_age_in_the_report_year_and_by_group() {
        assert_eq!(
            population_sql(Population::Students, 2026),
            "p.learner_group = 'student'"
        );
        assert_eq!(
            population_sql(Population::WorkingAge, 2026),
            "p.birth_year IS NOT NULL AND p.birth_year BETWEEN 1966 AND 2011"
        );
        assert_eq!(
            population_sql(Population::Aged14Plus, 2026),
            "p.birth_year IS NOT NULL AND p.birth_year <= 2012"
        );
    }

    #[test]
    fn the_localities_are_bound_not_written() {
        let sql = indicators_sql(&defaults(), "2027-01-01", 2026, Some("2026-11-05 00:00:00"));
        assert_eq!(sql.matches(IDS).count(), 1);
        assert!(sql.contains(&format!("WHERE p.village_id {IDS})")));
        assert!(!sql.contains("village_id IN"));
        assert!(sql.contains("p.met_adults_certified < '2027-01-01'"));
        assert!(sql.contains("COUNT(*) FILTER (WHERE p.last_active_at >= '2026-11-05 00:00:00')"));
    }
}
