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

/// Who of the profiles `p` belongs to a population in `year`.
pub(super) fn population_sql(p: Population, year: i32) -> String {
    population_in(p, &year.to_string())
}

/// Who of the profiles `p` belongs to a population in the year that the SQL expression `year`
/// gives (a number, or a column: `counts` joins the years it keeps). Ages are counted in
/// whole years reached during the year: 14+ is born in `year - 14` or before.
pub(super) fn population_in(p: Population, year: &str) -> String {
    let born = |age: i32| match year.parse::<i32>() {
        Ok(y) => (y - age).to_string(),
        Err(_) => format!("{year} - {age}"),
    };
    match p {
        Population::Aged14Plus => {
            format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", born(14))
        }
        Population::WorkingAge => format!(
            "p.birth_year IS NOT NULL AND p.birth_year BETWEEN {} AND {}",
            born(60),
            born(15)
        ),
        Population::Adults => format!("p.birth_year IS NOT NULL AND p.birth_year <= {}", born(18)),
        Population::Officials => "p.learner_group = 'official'".into(),
        Population::EnterpriseWorkers => "p.learner_group = 'enterprise_worker'".into(),
        Population::Students => "p.learner_group = 'student'".into(),
        Population::Households => "1 = 1".into(),
    }
}

/// Whether who belongs to the population depends on the year (on ages).
pub(super) fn by_age(p: Population) -> bool {
    matches!(
        p,
        Population::Aged14Plus | Population::WorkingAge | Population::Adults
    )
}

/// When a person (`p`) counts for an indicator at `end`: the e-identity part from the profile as
/// it is, the course and certificate part from its fact.
fn person_counts(q: &Qualification, key: &str, end: &str) -> String {
    counts_when(q, &format!("p.met_{key} < '{end}'"))
}

/// When a person (`p`) counts for an indicator: its e-identity part on `p.eid_status`, its course
/// and certificate part when the condition `met` (on the fact) holds.
pub(super) fn counts_when(q: &Qualification, met: &str) -> String {
    let mut parts: Vec<String> = eid_part(q).into_iter().collect();
    if q.has_fact() {
        parts.push(met.to_string());
    }
    if parts.is_empty() {
        "1 = 0".to_string()
    } else {
        parts.join(" AND ")
    }
}

/// Every indicator of the people of the bound localities (a subtree's), per locality, in one
/// scan of their profiles, which carry the facts.
///
/// Rows: `v` the locality; `k` = index in `INDICATORS` with `n` qualifying and `d` registered in
/// its population; `k` = -1 with `n` = people active since `since` (0 without) and `d` = people
/// registered. Grouped by locality so that one scan gives a report and each of its children's.
/// The localities are bound as a list rather than found by a recursive CTE, so that PostgreSQL's
/// estimate of the rows is right (an index scan for a commune, a parallel scan for a province).
fn indicators_sql(
    config: &Config,
    end: &str,
    year: i32,
    since: Option<&str>,
    by_locality: bool,
) -> String {
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
        .map(|i| format!("SELECT v, {i} AS k, n{i} AS n, d{i} AS d FROM agg"))
        .chain(std::iter::once(
            "SELECT v, -1 AS k, active AS n, people AS d FROM agg".to_string(),
        ))
        .collect();
    // Without the localities apart, one aggregate: grouping costs (PostgreSQL, a province: 0.8 s
    // against 1.45 s).
    let (v, group) = match by_locality {
        true => ("p.village_id", " GROUP BY p.village_id"),
        false => ("''", ""),
    };
    format!(
        "WITH agg AS MATERIALIZED (SELECT {v} AS v, {sums}, {active} AS active, \
           COUNT(*) AS people FROM learner_profiles p WHERE p.village_id {IDS}{group}) \
         {rows}",
        sums = sums.join(", "),
        rows = rows.join(" UNION ALL "),
    )
}

#[derive(QueryableByName)]
struct IndicatorRow {
    #[diesel(sql_type = Text)]
    v: String,
    #[diesel(sql_type = Integer)]
    k: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    d: i64,
}

/// What one pass over some localities gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Pass {
    /// (qualifying, registered in the population), in the order of `INDICATORS`.
    pub pairs: Vec<(i64, i64)>,
    pub active: i64,
    pub people: i64,
}

impl Pass {
    fn empty() -> Self {
        Self {
            pairs: vec![(0, 0); INDICATORS.len()],
            ..Self::default()
        }
    }

    fn add(&mut self, r: &IndicatorRow) {
        match usize::try_from(r.k) {
            Ok(i) if i < INDICATORS.len() => {
                self.pairs[i].0 += r.n;
                self.pairs[i].1 += r.d;
            }
            _ => {
                self.active += r.n;
                self.people += r.d;
            }
        }
    }
}

/// The passes of a subtree, by locality (see [`indicator_passes`]).
pub(super) struct Passes(HashMap<String, Pass>);

impl Passes {
    /// The pass over the localities `ids` (a subtree's: each counted once); needs the passes by
    /// locality.
    pub fn over(&self, ids: &[String]) -> Pass {
        Self::sum(ids.iter().filter_map(|id| self.0.get(id)))
    }

    /// The pass over every locality read.
    pub fn total(&self) -> Pass {
        Self::sum(self.0.values())
    }

    fn sum<'a>(passes: impl Iterator<Item = &'a Pass>) -> Pass {
        let mut sum = Pass::empty();
        for p in passes {
            for (s, x) in sum.pairs.iter_mut().zip(&p.pairs) {
                (s.0, s.1) = (s.0 + x.0, s.1 + x.1);
            }
            sum.active += p.active;
            sum.people += p.people;
        }
        sum
    }
}

/// Every indicator's numerator and registered population over the localities `subtree` at
/// `end` (exclusive), ages in `year`; with `since`, the people active from then: one scan of the
/// profiles and one of the households, grouped by locality when `by_locality` (else only
/// [`Passes::total`] is known).
pub(super) fn indicator_passes(
    conn: &mut DbConn,
    subtree: &[String],
    config: &Config,
    end: &str,
    year: i32,
    since: Option<&str>,
    by_locality: bool,
) -> ApiResult<Passes> {
    // A year the counts keep, to the end of a month: read from them (`counts`), and the people
    // active since `since` from the profiles (by the index on the last activity).
    let counted = super::counts::covers(year) && end.len() == 10 && end.ends_with("-01");
    let (v, group) = match by_locality {
        true => ("p.village_id", " GROUP BY p.village_id"),
        false => ("''", ""),
    };
    let sql = match (counted, since) {
        (false, _) => indicators_sql(config, end, year, since, by_locality),
        (true, Some(since)) => format!(
            "SELECT {v} AS v, -1 AS k, COUNT(*) AS n, CAST(0 AS BIGINT) AS d \
             FROM learner_profiles p WHERE p.village_id {IDS} AND p.last_active_at >= '{since}'{group}"
        ),
        (true, None) => String::new(),
    };
    let read = |c: &mut DbConn| -> ApiResult<Passes> {
        let mut rows: Vec<IndicatorRow> = Vec::new();
        if counted {
            let sql = super::counts::passes_sql(config, year, &end[..7], by_locality);
            rows = load_over_ids(c, &sql, subtree)?;
        }
        if !sql.is_empty() {
            rows.extend(load_over_ids::<IndicatorRow>(c, &sql, subtree)?);
            // The anonymous facts of erased people count as the profiles do (`erased`).
            if let Some(erased) = super::erased::over_erased(&sql) {
                rows.extend(load_over_ids::<IndicatorRow>(c, &erased, subtree)?);
            }
        }
        // Households with a member who counts (kept on the household), and households
        // registered in the subtree (the household indicator's population).
        if let Some(i) = INDICATORS
            .iter()
            .position(|d| d.population == Population::Households)
        {
            let key = INDICATORS[i].key;
            let (v, group) = (v.replace("p.", "h."), group.replace("p.", "h."));
            rows.extend(load_over_ids::<IndicatorRow>(
                c,
                &format!(
                    "SELECT {v} AS v, {i} AS k, \
                     COUNT(*) FILTER (WHERE h.met_{key} < '{end}') AS n, COUNT(*) AS d \
                     FROM households h WHERE h.village_id {IDS}{group}"
                ),
                subtree,
            )?);
        }
        let mut passes: HashMap<String, Pass> = HashMap::new();
        for r in rows {
            passes
                .entry(r.v.clone())
                .or_insert_with(Pass::empty)
                .add(&r);
        }
        Ok(Passes(passes))
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

/// The month (`YYYY-MM`) of a timestamp column, on PostgreSQL (`pg`) or SQLite.
pub(super) fn month_of(pg: bool, column: &str) -> String {
    match pg {
        true => format!("to_char({column}, 'YYYY-MM')"),
        false => format!("substr({column}, 1, 7)"),
    }
}

/// A locality and what a report of its subtree needs besides the profiles.
pub(super) struct Area {
    /// The locality and every locality below it.
    pub subtree: Vec<String>,
    /// The children of each locality of the subtree.
    pub children: HashMap<String, Vec<String>>,
    /// The census figures entered for the year, by locality.
    pub census: HashMap<String, Census>,
    /// Every locality of the subtree.
    pub localities: HashMap<String, Locality>,
}

impl Area {
    /// `id` and every locality below it.
    pub fn below(&self, id: &str) -> Vec<String> {
        let mut all = vec![id.to_string()];
        let mut i = 0;
        while i < all.len() {
            if let Some(c) = self.children.get(&all[i]) {
                all.extend(c.iter().cloned());
            }
            i += 1;
        }
        all
    }
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
    let (_, subtree) = locality_and_subtree(conn, root)?;
    let tree: Vec<Locality> = localities::table
        .filter(localities::id.eq_any(&subtree))
        .select(Locality::as_select())
        .load(conn)?;
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for l in &tree {
        if let Some(p) = &l.parent_id {
            children.entry(p.clone()).or_default().push(l.id.clone());
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
        subtree,
        children,
        census,
        localities: tree.into_iter().map(|l| (l.id.clone(), l)).collect(),
    })
}

/// A locality's targets for a year, by indicator: kind and stored value.
pub(super) type Targets = HashMap<String, (TargetKind, i64)>;

/// The targets of a locality for a year.
pub(super) fn targets(conn: &mut DbConn, locality: &str, year: i32) -> ApiResult<Targets> {
    let mut all = targets_of(conn, &[locality.to_string()], year)?;
    Ok(all.remove(locality).unwrap_or_default())
}

/// The targets of the `localities` for a year, by locality.
pub(super) fn targets_of(
    conn: &mut DbConn,
    localities: &[String],
    year: i32,
) -> ApiResult<HashMap<String, Targets>> {
    let mut all: HashMap<String, Targets> = HashMap::new();
    let rows = indicator_targets::table
        .filter(indicator_targets::locality_id.eq_any(localities))
        .filter(indicator_targets::year.eq(year))
        .select((
            indicator_targets::locality_id,
            indicator_targets::indicator,
            indicator_targets::kind,
            indicator_targets::value_bp,
        ))
        .load::<(String, String, String, i64)>(conn)?;
    for (l, k, kind, v) in rows {
        // A kind this version does not know is no target.
        if let Some(kind) = TargetKind::parse(&kind) {
            all.entry(l).or_default().insert(k, (kind, v));
        }
    }
    Ok(all)
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

#[derive(QueryableByName)]
struct ByLocality {
    #[diesel(sql_type = Text)]
    v: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Member {
    #[diesel(sql_type = Text)]
    v: String,
    #[diesel(sql_type = Text)]
    u: String,
}

/// Certificates issued in a year, teams and their members, by locality (see
/// [`certificates_teams_facilitators`]).
pub(super) struct Counted {
    certificates: HashMap<String, i64>,
    teams: HashMap<String, i64>,
    members: Vec<Member>,
}

impl Counted {
    /// Certificates, teams and distinct facilitators over the localities `ids`.
    pub fn over(&self, ids: &[String]) -> (i64, i64, i64) {
        let sum = |m: &HashMap<String, i64>| ids.iter().filter_map(|id| m.get(id)).sum();
        let ids: std::collections::HashSet<&String> = ids.iter().collect();
        let people: std::collections::HashSet<&String> = self
            .members
            .iter()
            .filter(|m| ids.contains(&m.v))
            .map(|m| &m.u)
            .collect();
        (
            sum(&self.certificates),
            sum(&self.teams),
            people.len() as i64,
        )
    }
}

/// Certificates issued in `year` in the localities `subtree` (by the village each was issued
/// in), teams of its villages, and their members, by locality.
pub(super) fn certificates_teams_facilitators(
    conn: &mut DbConn,
    subtree: &[String],
    year: i32,
) -> ApiResult<Counted> {
    let by = |rows: Vec<ByLocality>| rows.into_iter().map(|r| (r.v, r.n)).collect();
    let certificates = by(load_over_ids(
        conn,
        &format!(
            "SELECT ct.village_id AS v, COUNT(*) AS n FROM certificates ct \
             WHERE ct.village_id {IDS} \
             AND ct.issued_at >= '{year}-01-01' AND ct.issued_at < '{}-01-01' \
             GROUP BY ct.village_id",
            year + 1
        ),
        subtree,
    )?);
    let teams = by(load_over_ids(
        conn,
        &format!(
            "SELECT t.village_id AS v, COUNT(*) AS n FROM teams t WHERE t.village_id {IDS} \
             GROUP BY t.village_id"
        ),
        subtree,
    )?);
    let members = load_over_ids(
        conn,
        &format!(
            "SELECT DISTINCT t.village_id AS v, m.user_id AS u FROM team_members m \
             JOIN teams t ON t.id = m.team_id WHERE t.village_id {IDS}"
        ),
        subtree,
    )?;
    Ok(Counted {
        certificates,
        teams,
        members,
    })
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
        let sql = indicators_sql(
            &defaults(),
            "2027-01-01",
            2026,
            Some("2026-11-05 00:00:00"),
            true,
        );
        assert_eq!(sql.matches(IDS).count(), 1);
        assert!(sql.contains(&format!("WHERE p.village_id {IDS} GROUP BY p.village_id)")));
        assert!(!sql.contains("village_id IN"));
        assert!(sql.contains("p.met_adults_certified < '2027-01-01'"));
        assert!(sql.contains("COUNT(*) FILTER (WHERE p.last_active_at >= '2026-11-05 00:00:00')"));
    }
}
