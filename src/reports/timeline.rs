//! The timeline: every indicator's numerator at the end of each month of a period, in one
//! statement over the counts (`counts`) or, for years they do not keep, over the profiles.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::definitions::{Config, Population, INDICATORS};
use super::facts::eid_part;
use super::query::{load_over_ids, month_of, population_sql, IDS};
use crate::db::DbConn;
use crate::error::ApiResult;

/// The timeline's statement: per indicator, the people (households) who count, by the month
/// their fact was first met (`''` for an indicator without a course or certificate part, whose
/// people count from the start), with one count per year of `years` (its population's ages).
/// Rows `k` (indicator), `j` (index in `years`), `m` (month), `n`.
fn timeline_sql(
    pg: bool,
    config: &Config,
    end: &str,
    years: &[i32],
    people: bool,
    households: bool,
) -> Option<String> {
    let mut parts = Vec::new();
    for (i, def) in INDICATORS.iter().enumerate() {
        let key = def.key;
        let q = &config[key];
        let counts = |cond: &dyn Fn(i32) -> String| -> String {
            (0..years.len())
                .map(|j| format!("COUNT(*) FILTER (WHERE {}) AS c{j}", cond(years[j])))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if def.population == Population::Households {
            if !households {
                continue;
            }
            parts.push(format!(
                "SELECT {i} AS k, {m} AS m, {c} FROM households h \
                 WHERE h.village_id {IDS} AND h.met_{key} < '{end}' GROUP BY 2",
                m = month_of(pg, &format!("h.met_{key}")),
                c = counts(&|_| "1 = 1".to_string()),
            ));
            continue;
        }
        if !people {
            continue;
        }
        let eid = eid_part(q);
        let (month, met) = match (q.has_fact(), &eid) {
            (true, _) => (
                month_of(pg, &format!("p.met_{key}")),
                format!(" AND p.met_{key} < '{end}'"),
            ),
            (false, Some(_)) => ("''".to_string(), String::new()),
            // Nobody counts.
            (false, None) => continue,
        };
        let eid = eid.unwrap_or_else(|| "1 = 1".to_string());
        parts.push(format!(
            "SELECT {i} AS k, {month} AS m, {c} FROM learner_profiles p \
             WHERE p.village_id {IDS}{met} GROUP BY 2",
            c = counts(&|y| format!("({}) AND {eid}", population_sql(def.population, y))),
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let rows: Vec<String> = (0..years.len())
        .map(|j| format!("SELECT k, {j} AS j, m, c{j} AS n FROM g"))
        .collect();
    Some(format!(
        "WITH g AS MATERIALIZED ({parts}) {rows}",
        parts = parts.join(" UNION ALL "),
        rows = rows.join(" UNION ALL "),
    ))
}

/// A month `(year, month)` and every indicator's numerator at its end, in the order of
/// `INDICATORS`.
pub(super) type MonthNumerators = ((i32, u32), Vec<i64>);

#[derive(QueryableByName)]
struct TimelineRow {
    #[diesel(sql_type = Integer)]
    k: i32,
    #[diesel(sql_type = Integer)]
    j: i32,
    #[diesel(sql_type = Text)]
    m: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every indicator's numerator over the localities `subtree` at the end of each month from
/// `from` to `to` (both `(year, month)`), ages in each month's year, in one statement: the
/// people who count by the month they first did, added up month by month. Equal to one
/// [`super::query::indicator_passes`] per month (tested).
pub(super) fn timeline_numerators(
    conn: &mut DbConn,
    subtree: &[String],
    config: &Config,
    from: (i32, u32),
    to: (i32, u32),
) -> ApiResult<Vec<MonthNumerators>> {
    let years: Vec<i32> = (from.0..=to.0).collect();
    let (ny, nm) = next_month(to);
    let end = format!("{ny}-{nm:02}-01");
    let pg = matches!(conn, DbConn::Pg(_));
    let mut rows: Vec<TimelineRow> = Vec::new();
    // Years the counts keep: the people from them (`counts`), the households from theirs.
    let counted = years.iter().all(|&y| super::counts::covers(y));
    if counted {
        if let Some(sql) = super::counts::timeline_sql(config, &end[..7], &years) {
            rows = load_over_ids(conn, &sql, subtree)?;
        }
    }
    if let Some(sql) = timeline_sql(pg, config, &end, &years, !counted, true) {
        rows.extend(load_over_ids::<TimelineRow>(conn, &sql, subtree)?);
    }
    // The anonymous facts of erased people count as the profiles do (`erased`): their months
    // add to the profiles' months (households keep theirs on the household).
    if let Some(erased) = timeline_sql(pg, config, &end, &years, true, false)
        .filter(|_| !counted)
        .and_then(|sql| super::erased::over_erased(&sql))
    {
        rows.extend(load_over_ids::<TimelineRow>(conn, &erased, subtree)?);
    }
    // By indicator and year: (month, people), in the order of the months ('' first).
    let mut by: HashMap<(usize, usize), Vec<(String, i64)>> = HashMap::new();
    for r in rows.into_iter().filter(|r| r.n > 0) {
        if let (Ok(k), Ok(j)) = (usize::try_from(r.k), usize::try_from(r.j)) {
            by.entry((k, j)).or_default().push((r.m, r.n));
        }
    }
    for list in by.values_mut() {
        list.sort();
    }
    let mut points = Vec::new();
    let mut month = from;
    while month <= to {
        let label = format!("{}-{:02}", month.0, month.1);
        let j = usize::try_from(month.0 - from.0).unwrap_or(0);
        let numerators = (0..INDICATORS.len())
            .map(|k| {
                by.get(&(k, j)).map_or(0, |list| {
                    list.iter()
                        .take_while(|(m, _)| *m <= label)
                        .map(|(_, n)| n)
                        .sum()
                })
            })
            .collect();
        points.push((month, numerators));
        month = next_month(month);
    }
    Ok(points)
}

/// The month after `(year, month)`.
pub(super) fn next_month((y, m): (i32, u32)) -> (i32, u32) {
    if m == 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Config {
        INDICATORS
            .iter()
            .map(|d| {
                (
                    d.key,
                    super::super::definitions::Qualification::from(d.condition),
                )
            })
            .collect()
    }

    #[test]
    fn the_timeline_counts_each_year_with_its_ages_by_month() {
        let sql =
            timeline_sql(false, &defaults(), "2027-01-01", &[2025, 2026], true, true).unwrap();
        // Ages of each year of the series, in one column each.
        assert!(sql.contains("p.birth_year IS NOT NULL AND p.birth_year <= 2011"));
        assert!(sql.contains("p.birth_year IS NOT NULL AND p.birth_year <= 2012"));
        assert!(sql.contains("SELECT k, 1 AS j, m, c1 AS n FROM g"));
        // By the month a fact was met, up to the end of the series; the localities bound.
        assert!(sql.contains("substr(p.met_adults_certified, 1, 7) AS m"));
        assert!(sql.contains("p.met_adults_certified < '2027-01-01'"));
        assert!(sql.contains("substr(h.met_households_certified, 1, 7) AS m"));
        assert!(!sql.contains("village_id IN"));
        assert_eq!(sql.matches(IDS).count(), INDICATORS.len());
        let pg = timeline_sql(true, &defaults(), "2027-01-01", &[2026], true, true).unwrap();
        let people = timeline_sql(false, &defaults(), "2027-01-01", &[2026], true, false).unwrap();
        assert!(!people.contains("households"));
        assert!(pg.contains("to_char(p.met_adults_certified, 'YYYY-MM') AS m"));
        assert_eq!(next_month((2026, 12)), (2027, 1));
    }
}
