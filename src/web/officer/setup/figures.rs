//! The figures of a locality for a year: its census figures (the denominators of the official
//! rates, `community::localities::set_census`) and the target of each indicator
//! (`reports::set_targets`), each a form showing the current values. A form with a bad number
//! comes back with the error beside the field and nothing saved.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::super::{pick, Chrome, Ctx, Errors, Form, PageError};
use super::super::dashboard::dec;
use super::{done_of, form_errors, kind_name, year_of};
use crate::auth::AuthUser;
use crate::community::localities::{self, CensusFigures};
use crate::community::Db;
use crate::db::community::Census;
use crate::db::users::Locality;
use crate::i18n::pages::Texts;
use crate::i18n::Lang;
use crate::reports::{self, TargetKind, TargetSetting};
use crate::telemetry::run_blocking;

type Answer = Result<HttpResponse, PageError>;

/// The two figures pages of a locality.
#[derive(Clone, Copy)]
enum Figures {
    Census,
    Targets,
}

impl Figures {
    /// The page's last path segment.
    fn segment(self) -> &'static str {
        match self {
            Figures::Census => "census",
            Figures::Targets => "targets",
        }
    }

    /// Where a saved form goes: the page again, with its "saved" note.
    fn saved(self, id: &str, year: i32) -> String {
        format!(
            "/officer/localities/{id}/{}?year={year}&done=saved",
            self.segment()
        )
    }
}

/// What a figures page shows above its form (`officer_setup_head.html`): the locality, the year,
/// the "saved" note when the page is shown after a save, and an error about the whole form.
struct Head {
    id: String,
    name: String,
    kind: &'static str,
    year: i32,
    title: &'static str,
    /// The page's last path segment (the year form's action).
    y_page: &'static str,
    flash: &'static str,
    error: &'static str,
}

impl Head {
    /// The page's chrome and head.
    fn new(ctx: &Ctx, page: Figures, id: String, loc: Locality, year: i32) -> (Chrome, Head) {
        let t = ctx.t();
        let (title, saved) = match page {
            Figures::Census => (t.setup_census_title, t.setup_census_saved),
            Figures::Targets => (t.setup_targets_title, t.setup_targets_saved),
        };
        let c = ctx.chrome(format!("{title} – {}", loc.name), true);
        let head = Head {
            id,
            kind: kind_name(t, &loc.kind),
            name: loc.name,
            year,
            title,
            y_page: page.segment(),
            flash: done_of(&ctx.here).map_or("", |_| saved),
            error: "",
        };
        (c, head)
    }
}

/// The census figures, in the form's order: the field's name and its label.
fn census_fields(t: &Texts) -> [(&'static str, &'static str); 8] {
    [
        ("population", t.setup_population),
        ("aged_14_plus", t.setup_aged_14_plus),
        ("adults", t.setup_adults),
        ("working_age", t.setup_working_age),
        ("households", t.setup_households),
        ("officials", t.setup_officials),
        ("enterprise_workers", t.setup_enterprise_workers),
        ("students", t.setup_students),
    ]
}

fn census_value(c: &Census, field: &str) -> Option<i64> {
    match field {
        "population" => c.population,
        "aged_14_plus" => c.aged_14_plus,
        "adults" => c.adults,
        "working_age" => c.working_age,
        "households" => c.households,
        "officials" => c.officials,
        "enterprise_workers" => c.enterprise_workers,
        "students" => c.students,
        _ => None,
    }
}

/// One number field: its name, label and what it shows.
struct NumField {
    id: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "officer_setup_census.html")]
struct CensusPage {
    c: Chrome,
    h: Head,
    fields: Vec<NumField>,
    /// Whether figures were saved for this year.
    known: bool,
    errs: Errors,
}

async fn census_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    year: i32,
    typed: Option<(&Form, Errors)>,
) -> Result<CensusPage, PageError> {
    let t = ctx.t();
    let (typed, errs) = typed.map_or((None, Errors::default()), |(f, e)| (Some(f), e));
    let (st, actor, lid) = (ctx.state.clone(), user.clone(), id.clone());
    let (loc, census) =
        run_blocking(move || localities::census_form(&Db::of(&st), &actor, &lid, year))
            .await
            .map_err(|e| PageError::hidden(ctx.lang, e))?;
    let fields = census_fields(t)
        .into_iter()
        .map(|(f, label)| NumField {
            id: f,
            label,
            value: match typed {
                Some(form) => form.text(f),
                None => census
                    .as_ref()
                    .and_then(|c| census_value(c, f))
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            },
        })
        .collect();
    let (c, h) = Head::new(ctx, Figures::Census, id, loc, year);
    Ok(CensusPage {
        c,
        h,
        fields,
        known: census.is_some(),
        errs,
    })
}

pub(super) async fn census_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let (user, year) = (ctx.user().await?, year_of(&ctx)?);
    ctx.ok(&census_view(&ctx, &user, path.into_inner(), year, None).await?)
}

/// A whole number typed in a form: `None` when blank, `Err` when it is not one.
fn whole_number(s: &str) -> Result<Option<i64>, ()> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| ())
}

pub(super) async fn save_census(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let t = ctx.t();
    let user = ctx.user().await?;
    let id = path.into_inner();
    let year = form.text("year").trim().parse().unwrap_or(0);
    let mut errs = Errors::default();
    let mut f = CensusFigures::default();
    for (name, _) in census_fields(t) {
        let value = match whole_number(&form.text(name)) {
            Ok(v) => v,
            Err(()) => {
                errs.push(name, t.setup_err_whole);
                None
            }
        };
        let slot = match name {
            "population" => &mut f.population,
            "aged_14_plus" => &mut f.aged_14_plus,
            "adults" => &mut f.adults,
            "working_age" => &mut f.working_age,
            "households" => &mut f.households,
            "officials" => &mut f.officials,
            "enterprise_workers" => &mut f.enterprise_workers,
            _ => &mut f.students,
        };
        *slot = value;
    }
    if !errs.any() {
        let (st, actor, lid) = (ctx.state.clone(), user.clone(), id.clone());
        match run_blocking(move || localities::set_census(&Db::of(&st), &actor, lid, year, f)).await
        {
            Ok(_) => return Ok(ctx.see_other(&Figures::Census.saved(&id, year))),
            Err(e) => {
                errs = form_errors(t, ctx.lang, e, "population", "population", str::to_string)?
            }
        }
    }
    let page = census_view(ctx, &user, id, year, Some((&form, errs))).await?;
    ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// One indicator's target in the form.
struct TargetRow {
    key: &'static str,
    name: &'static str,
    proxy: bool,
    /// The target now, in words ("" when none).
    current: String,
    rate: bool,
    value: String,
}

#[derive(Template)]
#[template(path = "officer_setup_targets.html")]
struct TargetsPage {
    c: Chrome,
    h: Head,
    rows: Vec<TargetRow>,
    errs: Errors,
}

/// A target's value as the form shows it: a rate with up to two decimals, a count whole.
/// A target as a form field holds it: no thousands separator (the field reads it back), the
/// decimal comma in Vietnamese as the dashboard writes it.
fn show(lang: Lang, value: f64) -> String {
    let s = format!("{value:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s.to_string(),
    }
}

async fn targets_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    year: i32,
    typed: Option<(&Form, Errors)>,
) -> Result<TargetsPage, PageError> {
    let t = ctx.t();
    let (typed, errs) = typed.map_or((None, Errors::default()), |(f, e)| (Some(f), e));
    let (st, actor, lid) = (ctx.state.clone(), user.clone(), id.clone());
    let (loc, list) =
        run_blocking(move || reports::targets_for(&mut *st.pool.get()?, &actor, &lid, year))
            .await
            .map_err(|e| PageError::hidden(ctx.lang, e))?;
    let rows = list
        .into_iter()
        .map(|(d, target)| {
            let current = match &target {
                Some(tg) if tg.kind == TargetKind::Rate => format!("{} %", dec(ctx.lang, tg.value)),
                Some(tg) => format!("{} {}", dec(ctx.lang, tg.value), t.setup_people),
                None => String::new(),
            };
            let (rate, value) = match typed {
                Some(form) => (
                    form.text(&format!("kind_{}", d.key)) != "count",
                    form.text(&format!("value_{}", d.key)),
                ),
                None => (
                    target.as_ref().is_none_or(|tg| tg.kind == TargetKind::Rate),
                    target
                        .as_ref()
                        .map(|tg| show(ctx.lang, tg.value))
                        .unwrap_or_default(),
                ),
            };
            TargetRow {
                key: d.key,
                name: pick(ctx.lang, d.name, d.name_en),
                proxy: d.proxy,
                current,
                rate,
                value,
            }
        })
        .collect();
    let (c, h) = Head::new(ctx, Figures::Targets, id, loc, year);
    Ok(TargetsPage { c, h, rows, errs })
}

pub(super) async fn targets_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let (user, year) = (ctx.user().await?, year_of(&ctx)?);
    ctx.ok(&targets_view(&ctx, &user, path.into_inner(), year, None).await?)
}

/// A target's value typed in the form (a decimal comma is a point): `None` when blank.
fn decimal(s: &str) -> Result<Option<f64>, ()> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '%')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

pub(super) async fn save_targets(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let t = ctx.t();
    let user = ctx.user().await?;
    let id = path.into_inner();
    let year: i32 = form.text("year").trim().parse().unwrap_or(0);
    let mut errs = Errors::default();
    let mut settings = Vec::new();
    for d in reports::INDICATORS {
        let (kind_f, value_f) = (format!("kind_{}", d.key), format!("value_{}", d.key));
        let kind = if form.text(&kind_f) == "count" {
            "count"
        } else {
            "rate"
        };
        match decimal(&form.text(&value_f)) {
            Ok(None) => {}
            Err(()) => errs.push(&value_f, t.setup_err_number),
            Ok(Some(v)) => match TargetSetting::parse(year, d.key, kind, v) {
                Ok(s) => settings.push(s),
                Err(e) if e.errors.first().is_some_and(|f| f.field == "value") => errs.push(
                    &value_f,
                    if kind == "rate" {
                        t.setup_err_rate
                    } else {
                        t.setup_err_count
                    },
                ),
                Err(e) => return Err(PageError::hidden(ctx.lang, e)),
            },
        }
    }
    let mut error = "";
    if !errs.any() && settings.is_empty() {
        error = t.setup_targets_none;
    }
    if !errs.any() && !settings.is_empty() {
        let (st, actor, lid) = (ctx.state.clone(), user.clone(), id.clone());
        let saved = run_blocking(move || {
            reports::set_targets(&mut *st.pool.get()?, &st.writer, &actor, &lid, settings)
        })
        .await;
        match saved {
            Ok(()) => return Ok(ctx.see_other(&Figures::Targets.saved(&id, year))),
            Err(e) => errs = form_errors(t, ctx.lang, e, "year", "year", str::to_string)?,
        }
    }
    let mut page = targets_view(ctx, &user, id, year, Some((&form, errs))).await?;
    page.h.error = error;
    ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_typed() {
        assert_eq!(whole_number(" 12 500 "), Ok(Some(12500)));
        assert_eq!(whole_number(""), Ok(None));
        assert_eq!(whole_number("-3"), Ok(Some(-3)));
        assert_eq!(whole_number("nhiều"), Err(()));
        assert_eq!(whole_number("12.5"), Err(()));
        assert_eq!(decimal("85,5"), Ok(Some(85.5)));
        assert_eq!(decimal("90 %"), Ok(Some(90.0)));
        assert_eq!(decimal("NaN"), Err(()));
        assert_eq!(decimal("inf"), Err(()));
        assert_eq!(decimal("abc"), Err(()));
        assert_eq!(show(Lang::En, 85.5), "85.5");
        assert_eq!(show(Lang::Vi, 85.5), "85,5");
        assert_eq!(decimal(&show(Lang::Vi, 85.25)), Ok(Some(85.25)));
        assert_eq!(show(Lang::Vi, 1200.0), "1200");
    }
}
