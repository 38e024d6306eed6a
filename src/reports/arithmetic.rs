//! The arithmetic of a report, pure and unit-tested: which denominator, the rate, a target and
//! its gap, rounding, and census figures rolled up from the children of a locality.

use std::collections::HashMap;

/// What a target counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A rate in percent, 0 to 100; stored in hundredths of a percent (basis points).
    Rate,
    /// People or households, a whole number up to 10⁹.
    Count,
}

impl TargetKind {
    pub fn parse(kind: &str) -> Option<Self> {
        match kind {
            "rate" => Some(Self::Rate),
            "count" => Some(Self::Count),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Count => "count",
        }
    }

    /// The stored value of a target given as `value`: basis points of a rate, a count as it is;
    /// `None` when the value is out of range for the kind.
    pub fn store(self, value: f64) -> Option<i64> {
        match self {
            Self::Rate if (0.0..=100.0).contains(&value) => Some((value * 100.0).round() as i64),
            Self::Count if value >= 0.0 && value.fract() == 0.0 && value <= 1e9 => {
                Some(value as i64)
            }
            _ => None,
        }
    }

    /// The value of a stored target: a rate in percent, a count as it is.
    pub fn value(self, stored: i64) -> f64 {
        match self {
            Self::Rate => stored as f64 / 100.0,
            Self::Count => stored as f64,
        }
    }
}

/// Two decimals, halves away from zero.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `numerator` × 100 / `denominator`, two decimals; none without a positive denominator.
pub fn rate(numerator: i64, denominator: Option<i64>) -> Option<f64> {
    denominator
        .filter(|d| *d > 0)
        .map(|d| round2(numerator as f64 * 100.0 / d as f64))
}

/// Where a denominator comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The official figures entered for the year.
    Census,
    /// People (or households) known to the platform.
    Registered,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Census => "census",
            Self::Registered => "registered",
        }
    }
}

/// The census figure when there is one, else the registered people.
pub fn denominator(census: Option<i64>, registered: i64) -> (i64, Source) {
    match census {
        Some(d) => (d, Source::Census),
        None => (registered, Source::Registered),
    }
}

/// Target minus actual: percentage points for a rate target (none without a rate), people or
/// households for a count target. Negative when the target is exceeded.
pub fn gap(kind: TargetKind, target: f64, rate: Option<f64>, numerator: i64) -> Option<f64> {
    match kind {
        TargetKind::Rate => rate.map(|r| round2(target - r)),
        TargetKind::Count => Some(target - numerator as f64),
    }
}

/// The figures of one indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub denominator: i64,
    pub source: Source,
    pub rate: Option<f64>,
    /// The target (kind and value) and its gap.
    pub target: Option<(TargetKind, f64)>,
    pub gap: Option<f64>,
}

/// An indicator's figures from its numerator, the people registered in its population, the
/// census figure (if any) and the stored target (if any).
pub fn figure(
    numerator: i64,
    registered: i64,
    census: Option<i64>,
    stored_target: Option<(TargetKind, i64)>,
) -> Figure {
    let (denominator, source) = denominator(census, registered);
    let rate = rate(numerator, Some(denominator));
    let target = stored_target.map(|(kind, v)| (kind, kind.value(v)));
    let gap = target.and_then(|(kind, t)| gap(kind, t, rate, numerator));
    Figure {
        denominator,
        source,
        rate,
        target,
        gap,
    }
}

/// A locality's figure: its own (`own`), else the sum of its children's, recursively; none when
/// neither it nor any locality below it has one.
pub fn roll_up(
    id: &str,
    children: &HashMap<String, Vec<String>>,
    own: &dyn Fn(&str) -> Option<i64>,
) -> Option<i64> {
    if let Some(v) = own(id) {
        return Some(v);
    }
    let parts: Vec<i64> = children
        .get(id)
        .into_iter()
        .flatten()
        .filter_map(|c| roll_up(c, children, own))
        .collect();
    (!parts.is_empty()).then(|| parts.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_have_two_decimals_and_need_a_positive_denominator() {
        assert_eq!(rate(1, Some(3)), Some(33.33));
        assert_eq!(rate(2, Some(3)), Some(66.67));
        assert_eq!(rate(1, Some(8)), Some(12.5));
        assert_eq!(rate(10, Some(90)), Some(11.11));
        assert_eq!(rate(0, Some(5)), Some(0.0));
        assert_eq!(rate(7, Some(7)), Some(100.0));
        // More qualifying than the census counts: the rate says so, above 100.
        assert_eq!(rate(12, Some(10)), Some(120.0));
        assert_eq!(rate(0, Some(0)), None);
        assert_eq!(rate(5, Some(0)), None);
        assert_eq!(rate(5, Some(-1)), None);
        assert_eq!(rate(5, None), None);
    }

    #[test]
    fn rounding_is_to_hundredths_half_away_from_zero() {
        assert_eq!(round2(12.345_6), 12.35);
        assert_eq!(round2(12.344_9), 12.34);
        assert_eq!(round2(0.125), 0.13);
        assert_eq!(round2(-0.125), -0.13);
        assert_eq!(round2(-3.333_3), -3.33);
        assert_eq!(round2(80.0), 80.0);
        // 20,000 of 30,000: 66.666… → 66.67.
        assert_eq!(rate(20_000, Some(30_000)), Some(66.67));
    }

    #[test]
    fn the_census_comes_first() {
        assert_eq!(denominator(Some(90), 12), (90, Source::Census));
        // A census figure of 0 is still the census: no rate.
        assert_eq!(denominator(Some(0), 12), (0, Source::Census));
        assert_eq!(denominator(None, 12), (12, Source::Registered));
        assert_eq!(Source::Census.as_str(), "census");
        assert_eq!(Source::Registered.as_str(), "registered");
    }

    #[test]
    fn rate_targets_give_percentage_points() {
        // 30 of 120 = 25 %, target 80 %: 55 points to go.
        let f = figure(30, 0, Some(120), Some((TargetKind::Rate, 8000)));
        assert_eq!(f.rate, Some(25.0));
        assert_eq!(f.target, Some((TargetKind::Rate, 80.0)));
        assert_eq!(f.gap, Some(55.0));
        // Met exactly, and exceeded: the gap is 0, then negative.
        assert_eq!(gap(TargetKind::Rate, 25.0, Some(25.0), 30), Some(0.0));
        assert_eq!(gap(TargetKind::Rate, 20.0, Some(25.0), 30), Some(-5.0));
        // Rounded like the rate: 66.67 % of a target of 70.5 %.
        assert_eq!(gap(TargetKind::Rate, 70.5, rate(2, Some(3)), 2), Some(3.83));
        // A stored target in basis points: 33.33 % reads back as 33.33.
        let f = figure(1, 3, None, Some((TargetKind::Rate, 3333)));
        assert_eq!((f.rate, f.gap), (Some(33.33), Some(0.0)));
    }

    #[test]
    fn a_rate_target_without_a_denominator_has_no_gap() {
        let f = figure(4, 0, None, Some((TargetKind::Rate, 5000)));
        assert_eq!((f.denominator, f.source), (0, Source::Registered));
        assert_eq!(f.rate, None);
        assert_eq!(f.target, Some((TargetKind::Rate, 50.0)));
        assert_eq!(f.gap, None);
        let f = figure(4, 9, Some(0), Some((TargetKind::Rate, 5000)));
        assert_eq!((f.rate, f.gap), (None, None));
    }

    #[test]
    fn head_count_targets_give_people() {
        // 1,200 people to train, 30 trained: 1,170 to go, with or without a denominator.
        let f = figure(30, 120, None, Some((TargetKind::Count, 1200)));
        assert_eq!(f.target, Some((TargetKind::Count, 1200.0)));
        assert_eq!(f.gap, Some(1170.0));
        let f = figure(30, 0, None, Some((TargetKind::Count, 1200)));
        assert_eq!((f.rate, f.gap), (None, Some(1170.0)));
        // Met and exceeded.
        assert_eq!(gap(TargetKind::Count, 30.0, None, 30), Some(0.0));
        assert_eq!(gap(TargetKind::Count, 25.0, Some(10.0), 30), Some(-5.0));
    }

    #[test]
    fn no_target_no_gap() {
        let f = figure(3, 4, None, None);
        assert_eq!(
            f,
            Figure {
                denominator: 4,
                source: Source::Registered,
                rate: Some(75.0),
                target: None,
                gap: None,
            }
        );
    }

    #[test]
    fn targets_are_stored_in_range() {
        assert_eq!(TargetKind::Rate.store(80.0), Some(8000));
        assert_eq!(TargetKind::Rate.store(33.333), Some(3333));
        assert_eq!(TargetKind::Rate.store(0.0), Some(0));
        assert_eq!(TargetKind::Rate.store(100.0), Some(10_000));
        assert_eq!(TargetKind::Rate.store(100.01), None);
        assert_eq!(TargetKind::Rate.store(-0.5), None);
        assert_eq!(TargetKind::Rate.store(f64::NAN), None);
        assert_eq!(TargetKind::Count.store(1200.0), Some(1200));
        assert_eq!(TargetKind::Count.store(0.0), Some(0));
        assert_eq!(TargetKind::Count.store(1e9), Some(1_000_000_000));
        assert_eq!(TargetKind::Count.store(1e9 + 1.0), None);
        assert_eq!(TargetKind::Count.store(12.5), None);
        assert_eq!(TargetKind::Count.store(-1.0), None);
        assert_eq!(TargetKind::Count.store(f64::INFINITY), None);
        assert_eq!(TargetKind::Count.store(f64::NAN), None);
        assert_eq!(TargetKind::Rate.value(8050), 80.5);
        assert_eq!(TargetKind::Count.value(1200), 1200.0);
        assert_eq!(TargetKind::parse("rate"), Some(TargetKind::Rate));
        assert_eq!(TargetKind::parse("count"), Some(TargetKind::Count));
        assert_eq!(TargetKind::parse("Rate"), None);
        assert_eq!(TargetKind::Count.as_str(), "count");
    }

    fn tree(edges: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for (parent, child) in edges {
            children
                .entry(parent.to_string())
                .or_default()
                .push(child.to_string());
        }
        children
    }

    #[test]
    fn census_figures_roll_up_from_the_children() {
        // A province of two communes; the first has two villages.
        let children = tree(&[("p", "c1"), ("p", "c2"), ("c1", "v1"), ("c1", "v2")]);
        let figures = |l: &[(&str, i64)]| -> HashMap<String, i64> {
            l.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        let roll = |own: &HashMap<String, i64>, id: &str| {
            roll_up(id, &children, &|l: &str| own.get(l).copied())
        };
        // Villages only: each commune sums its villages, the province its communes.
        let own = figures(&[("v1", 10), ("v2", 5)]);
        assert_eq!(roll(&own, "c1"), Some(15));
        assert_eq!(roll(&own, "c2"), None);
        assert_eq!(roll(&own, "p"), Some(15));
        // A locality's own figure wins over its children's sum.
        let own = figures(&[("v1", 10), ("v2", 5), ("c1", 100), ("c2", 7)]);
        assert_eq!(roll(&own, "p"), Some(107));
        let own = figures(&[("p", 1000), ("c1", 100)]);
        assert_eq!(roll(&own, "p"), Some(1000));
        // Zero is a figure, not a missing one.
        let own = figures(&[("v1", 0)]);
        assert_eq!(roll(&own, "p"), Some(0));
        // Nothing anywhere, and a locality with no children.
        assert_eq!(roll(&HashMap::new(), "p"), None);
        assert_eq!(roll(&HashMap::new(), "v9"), None);
    }
}
