//! The movement's indicators for a locality and its subtree (docs/REPORTS.md defines each one).
//!
//! - `definitions`: what the indicators are (`INDICATORS`, populations, default conditions)
//!   and the qualification that makes a person count, stored over the defaults;
//! - `explanation`: each indicator's "Giải thích chỉ tiêu" in words;
//! - `input`: what the use cases are asked for, parsed (a year, a breakdown, months, a target);
//! - `facts`: the facts the reports read, kept in step through one hook, [`learner_changed`];
//! - `erased`: what they keep of a person whose data is erased, counted as the profiles are;
//! - `query`: the SQL of a report and of the timeline, the localities bound as parameters;
//! - `arithmetic`: denominator, rate, target and gap, rounding, census rolled up (pure);
//! - `sheet`: the commune indicator sheet (CSV).
//!
//! This module holds the report's types and the use cases the API calls.

mod arithmetic;
mod counts;
mod definitions;
mod erased;
mod explanation;
mod facts;
mod input;
mod query;
mod sheet;
mod timeline;

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;
use utoipa::ToSchema;

pub use arithmetic::TargetKind;
pub use counts::{counted, drift};
pub use definitions::{
    definition, effective_config, indicator_exists, save_config, store_config, Condition, Config,
    IndicatorDef, Population, Qualification, BASIC_PROGRAM, INDICATORS, OFFICIALS_PROGRAM,
    STUDENTS_PROGRAM,
};
pub use erased::learner_erased;
pub use explanation::{explanation, Titles};
pub use facts::{ensure_facts, ensure_facts_on, learner_changed, LearnerChange};
pub use input::{known_indicator, Months, ReportInput, TargetSetting};
pub use sheet::{sheet_csv, sheet_file};

use crate::access::{self, Action, AdminArea};
use crate::auth::AuthUser;
use crate::db::{DbConn, Writer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::telemetry::run_blocking;
use input::check_year;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Target {
    /// `rate` (percent) or `count`
    #[schema(value_type = String)]
    pub kind: TargetKind,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub key: &'static str,
    /// The official wording, or for a proxy what hocso counts.
    pub name: &'static str,
    pub name_en: &'static str,
    /// True when the figure only approximates the official indicator (`official_name`): hocso
    /// counts its own certificates, not the official confirmation on VNeID. Not to be reported
    /// as the official figure.
    pub proxy: bool,
    /// For a proxy, the official indicator's wording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official_name: Option<&'static str>,
    /// Numerator and denominator in words, after the indicator's configuration.
    pub explanation: String,
    /// `%`
    pub unit: &'static str,
    pub numerator: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
    /// `census` (the official figures) or `registered` (people known to the platform)
    pub denominator_source: &'static str,
    /// Percent, two decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Target minus actual: percentage points for a rate target, people or households for a count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Counts {
    pub learners_registered: i64,
    pub active_last_30_days: i64,
    pub certificates_issued_in_year: i64,
    pub teams: i64,
    pub facilitators: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Report {
    pub locality_id: String,
    pub locality_name: String,
    pub kind: String,
    pub year: i32,
    pub indicators: Vec<IndicatorValue>,
    pub counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<Report>>,
}

/// One point of the monthly series.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelinePoint {
    /// `YYYY-MM`
    pub month: String,
    /// Numerator of every indicator at the end of the month, by key.
    #[schema(value_type = Object)]
    pub numerators: BTreeMap<&'static str, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorConfig {
    pub key: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub qualification: Qualification,
    /// True when the default of the shipped curriculum applies.
    pub is_default: bool,
}

/// The report of `locality` for an admin of its area (see [`report`]): 403 for someone who may
/// not read reports or outside their area, 404 for no such locality.
pub fn report_for(
    conn: &mut DbConn,
    user: &AuthUser,
    locality: &str,
    input: ReportInput,
    now: NaiveDateTime,
    course_title: &dyn Fn(&str) -> Option<String>,
) -> ApiResult<Report> {
    access::require(user, Action::EnterAdminArea(AdminArea::Reports))?;
    access::require_admin_of(conn, user, locality)?;
    report(
        conn,
        locality,
        input.year,
        now,
        input.breakdown,
        course_title,
    )
}

/// Runs a report's reads once one of the `report_slots` is free (reports are long scans; the
/// slots keep them from taking every connection), on a replica when one is usable
/// ([`AppState::read_stale`]: a report may be a moment old).
pub async fn in_slot<R, F>(state: &actix_web::web::Data<AppState>, f: F) -> ApiResult<R>
where
    F: Fn(&mut DbConn, &AppState) -> ApiResult<R> + Send + 'static,
    R: Send + 'static,
{
    let st = state.clone();
    let _slot = state
        .report_slots
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    run_blocking(move || st.read_stale(|conn| f(conn, &st))).await
}

/// [`report_for`] now (the state's clock), the courses named as the catalogue names them.
pub fn report_now(
    conn: &mut DbConn,
    state: &AppState,
    user: &AuthUser,
    locality: &str,
    input: ReportInput,
) -> ApiResult<Report> {
    let course_title = |slug: &str| state.catalogue.get(slug).map(|c| c.card.title.clone());
    report_for(
        conn,
        user,
        locality,
        input,
        state.clock.now(),
        &course_title,
    )
}

/// [`report_now`] in a report slot (see [`in_slot`]).
pub async fn report_in_slot(
    state: &actix_web::web::Data<AppState>,
    user: AuthUser,
    locality: String,
    input: ReportInput,
) -> ApiResult<Report> {
    in_slot(state, move |conn, st| {
        report_now(conn, st, &user, &locality, input)
    })
    .await
}

/// The timeline of `locality` for an admin of its area (see [`timeline`]), refused as
/// [`report_for`] refuses.
pub fn timeline_for(
    conn: &mut DbConn,
    user: &AuthUser,
    locality: &str,
    months: Months,
) -> ApiResult<Vec<TimelinePoint>> {
    access::require(user, Action::EnterAdminArea(AdminArea::Reports))?;
    access::require_admin_of(conn, user, locality)?;
    timeline(conn, locality, months.from, months.to)
}

/// Sets the target of an indicator for `locality` and a year, for an admin of its area: checked
/// on `conn`, written through `writer`.
pub fn set_target(
    conn: &mut DbConn,
    writer: &Writer,
    user: &AuthUser,
    locality: &str,
    t: TargetSetting,
) -> ApiResult<()> {
    set_targets(conn, writer, user, locality, vec![t])
}

/// Sets several targets of `locality` at once (all or none), for an admin of its area: checked
/// on `conn`, written in one transaction of `writer`.
pub fn set_targets(
    conn: &mut DbConn,
    writer: &Writer,
    user: &AuthUser,
    locality: &str,
    targets: Vec<TargetSetting>,
) -> ApiResult<()> {
    access::require_admin_of(conn, user, locality)?;
    let locality = locality.to_string();
    writer.transaction(move |conn| {
        for t in &targets {
            query::store_target(conn, &locality, t.year, t.indicator, t.kind, t.stored)?;
        }
        Ok(())
    })
}

/// Every indicator in the sheet's order with its target, if one is set.
pub type Targets = Vec<(&'static IndicatorDef, Option<Target>)>;

/// The targets of `locality` for `year`, for an admin of its area.
pub fn targets_for(
    conn: &mut DbConn,
    user: &AuthUser,
    locality: &str,
    year: i32,
) -> ApiResult<(crate::db::users::Locality, Targets)> {
    let year = check_year(year)?;
    let loc = access::require_admin_of(conn, user, locality)?;
    let stored = query::targets(conn, locality, year)?;
    let list = INDICATORS
        .iter()
        .map(|d| {
            let t = stored.get(d.key).map(|&(kind, v)| Target {
                kind,
                value: kind.value(v),
            });
            (d, t)
        })
        .collect();
    Ok((loc, list))
}

/// Every indicator's effective qualification, and whether it is the default.
pub fn indicator_configs(conn: &mut DbConn) -> ApiResult<Vec<IndicatorConfig>> {
    let config = effective_config(conn)?;
    Ok(INDICATORS
        .iter()
        .map(|d| {
            let q = config[d.key].clone();
            IndicatorConfig {
                key: d.key,
                name: d.name,
                name_en: d.name_en,
                is_default: q == d.condition.into(),
                qualification: q,
            }
        })
        .collect())
}

/// Sets (or with `None` resets to the default) what counts for an indicator, rebuilds the facts
/// in batches (each a job of `writer`, so that learners' writes go between them), and gives every
/// indicator's configuration after it. Call it where a thread may block (`run_blocking`).
pub fn configure(
    writer: &Writer,
    key: &'static str,
    q: Option<Qualification>,
) -> ApiResult<Vec<IndicatorConfig>> {
    writer.transaction::<_, ApiError, _>(move |conn| store_config(conn, &[(key, q.as_ref())]))?;
    facts::ensure_facts_on(writer, false)?;
    writer.transaction::<_, ApiError, _>(indicator_configs)
}

/// The indicators of `root` and its subtree for `year`; `now` bounds "active in the last 30 days".
/// `course_title` names the courses in the explanations (the catalogue's titles; a course it does
/// not know is named by its slug).
pub fn report(
    conn: &mut DbConn,
    root: &str,
    year: i32,
    now: NaiveDateTime,
    breakdown: bool,
    course_title: &dyn Fn(&str) -> Option<String>,
) -> ApiResult<Report> {
    let config = effective_config(conn)?;
    let titles = explanation::titles(conn, &config, course_title)?;
    let explanations: Vec<String> = INDICATORS
        .iter()
        .map(|d| explanation(d, &config[d.key], &titles))
        .collect();
    report_of(conn, root, year, now, breakdown, &config, &explanations)
}

fn report_of(
    conn: &mut DbConn,
    root: &str,
    year: i32,
    now: NaiveDateTime,
    breakdown: bool,
    config: &Config,
    explanations: &[String],
) -> ApiResult<Report> {
    let area = query::area(conn, root, year)?;
    let year_end = format!("{}-01-01", year + 1);
    // Activity is kept by day (see `touch_profile`): from the start of the day 30 days ago.
    let since = (now - TimeDelta::days(30))
        .format("%Y-%m-%d 00:00:00")
        .to_string();
    // One scan of the subtree, by locality, gives the locality's figures and its children's.
    let passes = query::indicator_passes(
        conn,
        &area.subtree,
        config,
        &year_end,
        year,
        Some(&since),
        breakdown,
    )?;
    let counted = query::certificates_teams_facilitators(conn, &area.subtree, year)?;
    let children: Vec<String> = match breakdown {
        true => area.children.get(root).cloned().unwrap_or_default(),
        false => Vec::new(),
    };
    let mut reported: Vec<String> = vec![root.to_string()];
    reported.extend(children.iter().cloned());
    let mut targets = query::targets_of(conn, &reported, year)?;
    let parts = Parts {
        area: &area,
        counted: &counted,
        explanations,
        year,
    };
    let mut report = parts.report(
        root,
        passes.total(),
        targets.remove(root).unwrap_or_default(),
    );
    if breakdown {
        let mut list: Vec<Report> = children
            .iter()
            .map(|c| {
                let pass = passes.over(&area.below(c));
                parts.report(c, pass, targets.remove(c).unwrap_or_default())
            })
            .collect();
        list.sort_by(|a, b| a.locality_name.cmp(&b.locality_name));
        report.children = Some(list);
    }
    Ok(report)
}

/// What the report of a locality of an area is made of.
struct Parts<'a> {
    area: &'a query::Area,
    counted: &'a query::Counted,
    explanations: &'a [String],
    year: i32,
}

impl Parts<'_> {
    /// The report (without children) of `id`, a locality of the area, whose people `pass` counted.
    fn report(&self, id: &str, pass: query::Pass, targets: query::Targets) -> Report {
        let area = self.area;
        let below = area.below(id);
        let indicators = INDICATORS
            .iter()
            .zip(&pass.pairs)
            .zip(self.explanations)
            .map(|((def, &(numerator, registered)), explanation)| {
                let field = definitions::census_field(def.population);
                let census = arithmetic::roll_up(id, &area.children, &|l| {
                    area.census.get(l).and_then(field)
                });
                let f = arithmetic::figure(
                    numerator,
                    registered,
                    census,
                    targets.get(def.key).copied(),
                );
                IndicatorValue {
                    key: def.key,
                    name: def.name,
                    name_en: def.name_en,
                    proxy: def.proxy,
                    official_name: def.official_name,
                    explanation: explanation.clone(),
                    unit: "%",
                    numerator,
                    denominator: Some(f.denominator),
                    denominator_source: f.source.as_str(),
                    rate: f.rate,
                    target: f.target.map(|(kind, value)| Target { kind, value }),
                    gap: f.gap,
                }
            })
            .collect();
        let (certificates, teams, facilitators) = self.counted.over(&below);
        let locality = area.localities.get(id);
        Report {
            locality_id: id.to_string(),
            locality_name: locality.map(|l| l.name.clone()).unwrap_or_default(),
            kind: locality.map(|l| l.kind.clone()).unwrap_or_default(),
            year: self.year,
            indicators,
            counts: Counts {
                learners_registered: pass.people,
                active_last_30_days: pass.active,
                certificates_issued_in_year: certificates,
                teams,
                facilitators,
            },
            children: None,
        }
    }
}

/// Numerators at the end of each month from `from` to `to` (both `(year, month)`).
pub fn timeline(
    conn: &mut DbConn,
    root: &str,
    from: (i32, u32),
    to: (i32, u32),
) -> ApiResult<Vec<TimelinePoint>> {
    let (_, subtree) = query::locality_and_subtree(conn, root)?;
    let config = effective_config(conn)?;
    Ok(
        timeline::timeline_numerators(conn, &subtree, &config, from, to)?
            .into_iter()
            .map(|((y, m), numerators)| TimelinePoint {
                month: format!("{y}-{m:02}"),
                numerators: INDICATORS.iter().map(|d| d.key).zip(numerators).collect(),
            })
            .collect(),
    )
}
