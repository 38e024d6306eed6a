//! What the report use cases are asked for, parsed: a report's year and breakdown
//! ([`ReportInput`]), a timeline's months ([`Months`]), a target to set ([`TargetSetting`]),
//! an indicator that exists and a qualification that can be used.

use crate::error::{ApiError, ApiResult};

use super::{definition, Qualification, TargetKind};

/// A year of a report or a target: 2000 to 2100.
pub(super) fn check_year(year: i32) -> ApiResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::field(
            "year",
            "out_of_range",
            "must be between 2000 and 2100",
        ))
    }
}

/// The key of an indicator that exists (404 otherwise).
pub fn known_indicator(key: &str) -> ApiResult<&'static str> {
    definition(key)
        .map(|d| d.key)
        .ok_or_else(|| ApiError::not_found(format!("No indicator `{key}`.")))
}

/// What a report is asked for: a year from 2000 to 2100, and whether each child locality's
/// report comes with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportInput {
    pub year: i32,
    pub breakdown: bool,
}

impl ReportInput {
    /// `breakdown`: none, or `children`.
    pub fn parse(year: i32, breakdown: Option<&str>) -> ApiResult<Self> {
        let year = check_year(year)?;
        let breakdown = match breakdown {
            None => false,
            Some("children") => true,
            Some(_) => {
                return Err(ApiError::field(
                    "breakdown",
                    "invalid",
                    "the only breakdown is `children`",
                ))
            }
        };
        Ok(Self { year, breakdown })
    }
}

/// The months of a timeline, `from` to `to` (both `(year, month)`), at most 36.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Months {
    pub from: (i32, u32),
    pub to: (i32, u32),
}

fn parse_month(field: &str, s: &str) -> ApiResult<(i32, u32)> {
    let bad = || ApiError::field(field, "invalid", "a month as YYYY-MM");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
}

impl Months {
    /// `from` and `to` as `YYYY-MM`; `interval`, if given, `month`.
    pub fn parse(from: &str, to: &str, interval: Option<&str>) -> ApiResult<Self> {
        if interval.is_some_and(|i| i != "month") {
            return Err(ApiError::field(
                "interval",
                "invalid",
                "the only interval is `month`",
            ));
        }
        let (from, to) = (parse_month("from", from)?, parse_month("to", to)?);
        let months = (to.0 - from.0) * 12 + to.1 as i32 - from.1 as i32;
        if !(0..36).contains(&months) {
            return Err(ApiError::field(
                "to",
                "out_of_range",
                "from 0 to 36 months after `from`",
            ));
        }
        Ok(Self { from, to })
    }
}

/// A target to set: a year from 2000 to 2100, an indicator that exists, and a value in range
/// for its kind (see [`TargetKind::store`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSetting {
    pub year: i32,
    pub indicator: &'static str,
    pub kind: TargetKind,
    /// Basis points of a rate, or the count.
    pub stored: i64,
}

impl TargetSetting {
    pub fn parse(year: i32, indicator: &str, kind: &str, value: f64) -> ApiResult<Self> {
        let year = check_year(year)?;
        let indicator = known_indicator(indicator)?;
        let kind = TargetKind::parse(kind)
            .ok_or_else(|| ApiError::field("kind", "invalid", "`rate` or `count`"))?;
        let stored = kind.store(value).ok_or_else(|| {
            ApiError::field(
                "value",
                "out_of_range",
                "a rate is 0–100, a count a whole number ≥ 0",
            )
        })?;
        Ok(Self {
            year,
            indicator,
            kind,
            stored,
        })
    }
}

impl Qualification {
    /// The qualification if it can be used, else 422 naming its problems.
    pub fn checked(self) -> ApiResult<Self> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(ApiError::field(
                "qualification",
                "invalid",
                problems.join("; "),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: ApiResult<impl std::fmt::Debug>) -> String {
        let e = r.unwrap_err();
        format!("{} {}", e.status.as_u16(), e.detail)
    }

    #[test]
    fn report_inputs() {
        assert_eq!(
            ReportInput::parse(2026, Some("children")).unwrap(),
            ReportInput {
                year: 2026,
                breakdown: true
            }
        );
        assert!(!ReportInput::parse(2000, None).unwrap().breakdown);
        assert!(ReportInput::parse(2101, None).is_err());
        assert!(ReportInput::parse(1999, Some("children")).is_err());
        assert!(ReportInput::parse(2026, Some("villages")).is_err());
    }

    #[test]
    fn months_of_a_timeline() {
        let m = Months::parse("2025-11", "2026-02", Some("month")).unwrap();
        assert_eq!((m.from, m.to), ((2025, 11), (2026, 2)));
        assert!(Months::parse("2026-01", "2028-12", None).is_ok());
        assert!(Months::parse("2026-01", "2029-01", None).is_err());
        assert!(Months::parse("2026-02", "2026-01", None).is_err());
        assert!(Months::parse("2026-13", "2026-12", None).is_err());
        assert!(Months::parse("2026", "2026-12", None).is_err());
        assert!(Months::parse("2026-01", "2026-02", Some("week")).is_err());
    }

    #[test]
    fn target_settings() {
        assert_eq!(
            TargetSetting::parse(2026, "adults_certified", "rate", 80.5).unwrap(),
            TargetSetting {
                year: 2026,
                indicator: "adults_certified",
                kind: TargetKind::Rate,
                stored: 8050
            }
        );
        let count = TargetSetting::parse(2026, "households_certified", "count", 1200.0).unwrap();
        assert_eq!((count.kind, count.stored), (TargetKind::Count, 1200));
        // The year first, then the indicator (404), then the kind and value (422).
        assert!(code(TargetSetting::parse(1999, "nope", "x", -1.0)).starts_with("422"));
        assert!(code(TargetSetting::parse(2026, "nope", "x", -1.0)).starts_with("404"));
        assert!(code(TargetSetting::parse(2026, "adults_certified", "x", 5.0)).starts_with("422"));
        assert!(code(TargetSetting::parse(
            2026,
            "adults_certified",
            "rate",
            101.0
        ))
        .starts_with("422"));
    }
}
