//! The officer's indicator dashboard: a locality's indicators for a year, each as a bar of its
//! rate against its target (SVG drawn here, `charts`), the gap in words, numerator and
//! denominator and where the denominator comes from; the counts; one indicator by child
//! locality (a table sorted by the column asked for, and its chart) and by month (a line chart
//! and its table); the CSV indicator sheet. The figures are `reports::report_for` and
//! `reports::timeline_for`, the use cases of `/api/v1/reports/localities/{id}/indicators` and
//! `…/timeline`, with the same access decisions: whoever may not read reports, or reads a
//! locality outside their area, gets the site's 404.
//! The numbers and figures in words are `numbers`.

mod numbers;

pub(super) use numbers::dec;
use numbers::{gap_text, int, opt_pct, summary, target_text};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::charts::{self, Row};
use super::{kind_name, year_of};
use crate::community::{localities, Db};
use crate::error::ApiResult;
use crate::reports::{self, IndicatorValue, Months, Report, ReportInput};
use crate::telemetry::run_blocking;
use crate::web::{pick, Chrome, Ctx, PageError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/officer", web::get().to(officer_home))
        .route("/officer/dashboard/{id}", web::get().to(dashboard_page))
        .route(
            "/officer/dashboard/{id}/indicators.csv",
            web::get().to(sheet_csv),
        );
}

/// The target as a percentage of the denominator, where the bar's target line stands.
fn target_percent(v: &IndicatorValue) -> Option<f64> {
    v.target
        .as_ref()
        .and_then(|t| charts::target_percent(t.kind.as_str(), t.value, v.denominator))
}

// ---- the locality picker ----

struct PickView {
    href: String,
    name: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "officer_dash_pick.html")]
struct PickPage {
    c: Chrome,
    localities: Vec<PickView>,
}

/// `/officer`: the dashboard of the admin's locality (the root of their grant); with several
/// grants, or for a platform admin (the provinces), the list to choose from.
async fn officer_home(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let st = ctx.state.clone();
    let roots = run_blocking(move || localities::roots(&Db::of(&st), &user))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    if let [only] = roots.as_slice() {
        return Ok(ctx.see_other(&format!("/officer/dashboard/{}", only.id)));
    }
    ctx.ok(&PickPage {
        c: ctx.chrome(t.dash_pick_title, true),
        localities: roots
            .into_iter()
            .map(|l| PickView {
                href: format!("/officer/dashboard/{}", l.id),
                kind: kind_name(t, &l.kind),
                name: l.name,
            })
            .collect(),
    })
}

// ---- the dashboard ----

#[derive(Deserialize, Default)]
struct DashQuery {
    year: Option<String>,
    indicator: Option<String>,
    sort: Option<String>,
}

/// The months of the year's timeline: January to December, up to this month in the current
/// year (January alone for a year still to come).
fn months_of(year: i32, now: chrono::NaiveDateTime) -> ApiResult<Months> {
    let last = if year < now.year() {
        12
    } else if year == now.year() {
        now.month()
    } else {
        1
    };
    Months::parse(&format!("{year}-01"), &format!("{year}-{last:02}"), None)
}

struct FactView {
    key: &'static str,
    name: &'static str,
    official: Option<&'static str>,
    explanation: String,
    chart: String,
    summary: String,
    numerator: String,
    denominator: String,
    source: &'static str,
    rate: String,
    target: String,
    gap: String,
}

struct CountView {
    key: &'static str,
    label: &'static str,
    value: String,
}

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

struct SortLink {
    label: &'static str,
    href: String,
    /// `ascending`, `descending` or `none` (the header's `aria-sort`).
    aria: &'static str,
    mark: &'static str,
}

struct ChildRow {
    href: String,
    name: String,
    registered: String,
    numerator: String,
    denominator: String,
    rate: String,
    target: String,
    gap: String,
}

struct MonthRow {
    month: String,
    value: String,
}

#[derive(Template)]
#[template(path = "officer_dash.html")]
struct DashPage {
    c: Chrome,
    locality: String,
    kind: &'static str,
    year: i32,
    here: String,
    years: Vec<Opt>,
    focus_opts: Vec<Opt>,
    focus_name: &'static str,
    counts: Vec<CountView>,
    facts: Vec<FactView>,
    sort_links: Vec<SortLink>,
    children: Vec<ChildRow>,
    children_chart: String,
    timeline_chart: String,
    months: Vec<MonthRow>,
    csv_href: String,
}

/// The columns the breakdown sorts by (`?sort=rate`, `?sort=-rate` for descending).
const SORTS: &[&str] = &[
    "name",
    "registered",
    "numerator",
    "denominator",
    "rate",
    "gap",
];

fn sort_children(children: &mut [(&Report, &IndicatorValue)], column: &str, descending: bool) {
    use std::cmp::Ordering;
    let num = |x: Option<f64>| x.unwrap_or(f64::NEG_INFINITY);
    children.sort_by(|(ra, a), (rb, b)| {
        let o = match column {
            "registered" => ra
                .counts
                .learners_registered
                .cmp(&rb.counts.learners_registered),
            "numerator" => a.numerator.cmp(&b.numerator),
            "denominator" => a.denominator.cmp(&b.denominator),
            "rate" => num(a.rate).total_cmp(&num(b.rate)),
            "gap" => num(a.gap).total_cmp(&num(b.gap)),
            _ => Ordering::Equal,
        }
        .then_with(|| ra.locality_name.cmp(&rb.locality_name));
        if descending {
            o.reverse()
        } else {
            o
        }
    });
}

async fn dashboard_page(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<DashQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let t = ctx.t();
    let q = query.map(|q| q.into_inner()).unwrap_or_default();
    let id = path.into_inner();
    let now = ctx.state.clock.now();
    let year = year_of(&ctx.state, q.year.as_deref()).map_err(|e| PageError::hidden(lang, e))?;
    let input =
        ReportInput::parse(year, Some("children")).map_err(|e| PageError::hidden(lang, e))?;
    let months = months_of(year, now).map_err(|e| PageError::hidden(lang, e))?;
    // The report and the timeline side by side, each on a connection and a report slot of its
    // own (a dashboard waits for the longer of the two, not their sum).
    let (u, rid) = (user.clone(), id.clone());
    let report = reports::in_slot(&ctx.state, move |conn, st| {
        reports::report_now(conn, st, &u, &rid, input)
    });
    let rid = id.clone();
    let timeline = reports::in_slot(&ctx.state, move |conn, _| {
        reports::timeline_for(conn, &user, &rid, months)
    });
    let (report, timeline) = tokio::join!(report, timeline);
    let (report, timeline) = (
        report.map_err(|e| PageError::hidden(lang, e))?,
        timeline.map_err(|e| PageError::hidden(lang, e))?,
    );

    let focus = q
        .indicator
        .as_deref()
        .and_then(|k| report.indicators.iter().position(|v| v.key == k))
        .unwrap_or(0);
    let focus_key = report.indicators[focus].key;
    let (sort, descending) = match q.sort.as_deref() {
        Some(s) => match s.strip_prefix('-') {
            Some(c) if SORTS.contains(&c) => (c, true),
            _ if SORTS.contains(&s) => (s, false),
            _ => ("name", false),
        },
        None => ("name", false),
    };
    let base = format!("/officer/dashboard/{id}");
    let addr = |year: i32, sort: &str| {
        let mut a = format!("{base}?year={year}&indicator={focus_key}");
        if sort != "name" {
            a.push_str("&sort=");
            a.push_str(sort);
        }
        a
    };

    let facts = report
        .indicators
        .iter()
        .map(|v| {
            let s = summary(lang, t, v);
            FactView {
                key: v.key,
                name: pick(lang, v.name, v.name_en),
                official: v.official_name,
                explanation: v.explanation.clone(),
                chart: charts::rate_bar(v.rate, target_percent(v), &s),
                summary: s,
                numerator: int(lang, v.numerator),
                denominator: v.denominator.map(|d| int(lang, d)).unwrap_or_default(),
                source: match v.denominator_source {
                    "census" => t.dash_source_census,
                    _ => t.dash_source_registered,
                },
                rate: opt_pct(lang, t, v.rate),
                target: target_text(lang, t, v),
                gap: gap_text(lang, t, v),
            }
        })
        .collect();
    let c = &report.counts;
    let counts = [
        ("registered", t.dash_registered, c.learners_registered),
        ("active", t.dash_active, c.active_last_30_days),
        (
            "certificates",
            t.dash_certificates,
            c.certificates_issued_in_year,
        ),
        ("teams", t.dash_teams, c.teams),
        ("facilitators", t.dash_facilitators, c.facilitators),
    ]
    .into_iter()
    .map(|(key, label, n)| CountView {
        key,
        label,
        value: int(lang, n),
    })
    .collect();

    let mut kids: Vec<(&Report, &IndicatorValue)> = report
        .children
        .iter()
        .flatten()
        .filter_map(|r| {
            r.indicators
                .iter()
                .find(|v| v.key == focus_key)
                .map(|v| (r, v))
        })
        .collect();
    sort_children(&mut kids, sort, descending);
    let sort_links = [
        ("name", t.dash_col_locality),
        ("registered", t.dash_col_registered),
        ("numerator", t.dash_col_reached),
        ("denominator", t.dash_denominator),
        ("rate", t.dash_rate),
        ("gap", t.dash_col_gap),
    ]
    .into_iter()
    .map(|(col, label)| {
        let here = col == sort;
        // A click on the sorted column turns it round; another column starts ascending.
        let next = if here && !descending {
            format!("-{col}")
        } else {
            col.to_string()
        };
        SortLink {
            label,
            href: format!("{}#children", addr(year, &next)),
            aria: match (here, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
            mark: match (here, descending) {
                (false, _) => "",
                (true, false) => "▲",
                (true, true) => "▼",
            },
        }
    })
    .collect();
    let rows: Vec<Row<'_>> = kids
        .iter()
        .map(|(r, v)| Row {
            label: &r.locality_name,
            rate: v.rate,
            target: target_percent(v),
        })
        .collect();
    let focus_name = pick(
        lang,
        report.indicators[focus].name,
        report.indicators[focus].name_en,
    );
    let children_chart = charts::rows_chart(
        &rows,
        &format!("{} – {}", t.dash_children, focus_name),
        &|r| opt_pct(lang, t, r),
    );
    let children = kids
        .iter()
        .map(|(r, v)| ChildRow {
            href: format!(
                "/officer/dashboard/{}?year={year}&indicator={focus_key}",
                r.locality_id
            ),
            name: r.locality_name.clone(),
            registered: int(lang, r.counts.learners_registered),
            numerator: int(lang, v.numerator),
            denominator: v.denominator.map(|d| int(lang, d)).unwrap_or_default(),
            rate: opt_pct(lang, t, v.rate),
            target: target_text(lang, t, v),
            gap: gap_text(lang, t, v),
        })
        .collect();

    let values: Vec<i64> = timeline
        .iter()
        .map(|p| p.numerators.get(focus_key).copied().unwrap_or(0))
        .collect();
    let labels: Vec<String> = timeline
        .iter()
        .map(|p| {
            p.month
                .rsplit('-')
                .next()
                .unwrap_or("")
                .trim_start_matches('0')
                .to_string()
        })
        .collect();
    let timeline_chart = charts::line_chart(
        &values,
        &labels,
        &format!("{} – {}", t.dash_timeline, focus_name),
        &|n| int(lang, n),
    );
    let months = timeline
        .iter()
        .zip(&values)
        .map(|(p, v)| MonthRow {
            month: p.month.clone(),
            value: int(lang, *v),
        })
        .collect();

    let this_year = now.year();
    let mut year_list: Vec<i32> = ((this_year - 5).max(2000)..=(this_year + 1).min(2100)).collect();
    if !year_list.contains(&year) {
        year_list.push(year);
        year_list.sort();
    }
    let years = year_list
        .into_iter()
        .rev()
        .map(|y| Opt {
            value: y.to_string(),
            label: y.to_string(),
            selected: y == year,
        })
        .collect();
    let focus_opts = report
        .indicators
        .iter()
        .map(|v| Opt {
            value: v.key.to_string(),
            label: pick(lang, v.name, v.name_en).to_string(),
            selected: v.key == focus_key,
        })
        .collect();
    let title = format!("{} – {}", t.dash_title, report.locality_name);
    ctx.ok(&DashPage {
        c: ctx.chrome(title, true),
        locality: report.locality_name.clone(),
        kind: kind_name(t, &report.kind),
        year,
        here: base.clone(),
        years,
        focus_opts,
        focus_name,
        counts,
        facts,
        sort_links,
        children,
        children_chart,
        timeline_chart,
        months,
        csv_href: format!("{base}/indicators.csv?year={year}"),
    })
}

#[derive(Deserialize, Default)]
struct SheetQuery {
    year: Option<String>,
}

/// The commune indicator sheet (the API's `indicators.csv`), for the browser session.
async fn sheet_csv(
    ctx: Ctx,
    path: web::Path<String>,
    query: Result<web::Query<SheetQuery>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let lang = ctx.lang;
    let q = query.map(|q| q.into_inner()).unwrap_or_default();
    let year = year_of(&ctx.state, q.year.as_deref()).map_err(|e| PageError::hidden(lang, e))?;
    let input = ReportInput::parse(year, None).map_err(|e| PageError::hidden(lang, e))?;
    let report = reports::report_in_slot(&ctx.state, user, path.into_inner(), input)
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    let (name, bytes) = reports::sheet_file(&report);
    Ok(ctx.finish(
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ))
            .body(bytes),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_of_past_present_and_future_years() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 5, 17)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let m = months_of(2025, now).unwrap();
        assert_eq!((m.from, m.to), ((2025, 1), (2025, 12)));
        let m = months_of(2026, now).unwrap();
        assert_eq!((m.from, m.to), ((2026, 1), (2026, 5)));
        let m = months_of(2027, now).unwrap();
        assert_eq!((m.from, m.to), ((2027, 1), (2027, 1)));
    }
}
