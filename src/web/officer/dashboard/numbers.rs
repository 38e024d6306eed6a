//! The dashboard's numbers as people read them: whole numbers and decimals in each language's
//! way, percentages, and an indicator's target, gap and figure in words.

use crate::i18n::pages::Texts;
use crate::i18n::Lang;
use crate::reports::{self, IndicatorValue, Population};

/// A whole number with its thousands grouped: `1.234.567` in Vietnamese, `1,234,567` in English.
pub(super) fn int(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if lang == Lang::En { ',' } else { '.' };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A number with at most two decimals (as the report rounds them), no trailing zeros: `62,5`
/// in Vietnamese, `62.5` in English.
pub(in crate::web::officer) fn dec(lang: Lang, x: f64) -> String {
    let s = format!("{:.2}", x.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = int(lang, whole.parse().unwrap_or(0));
    if !frac.is_empty() {
        out.push(if lang == Lang::En { '.' } else { ',' });
        out.push_str(frac);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

fn pct(lang: Lang, x: f64) -> String {
    format!("{}\u{a0}%", dec(lang, x))
}

pub(super) fn opt_pct(lang: Lang, t: &Texts, x: Option<f64>) -> String {
    x.map(|x| pct(lang, x))
        .unwrap_or_else(|| t.dash_none.to_string())
}

/// What a count of an indicator counts: people, or households.
fn unit(t: &Texts, key: &str) -> &'static str {
    match reports::definition(key).map(|d| d.population) {
        Some(Population::Households) => t.dash_households,
        _ => t.dash_people,
    }
}

/// The target as written beside the figures: a rate, or a count of people or households.
pub(super) fn target_text(lang: Lang, t: &Texts, v: &IndicatorValue) -> String {
    match &v.target {
        None => t.dash_none.to_string(),
        Some(target) if target.kind.as_str() == "rate" => pct(lang, target.value),
        Some(target) => format!("{} {}", dec(lang, target.value), unit(t, v.key)),
    }
}

/// The gap as written beside the figures (target minus actual; below 0 the target is passed).
pub(super) fn gap_text(lang: Lang, t: &Texts, v: &IndicatorValue) -> String {
    match (&v.target, v.gap) {
        (Some(target), Some(gap)) if target.kind.as_str() == "rate" => {
            format!("{} {}", dec(lang, gap), t.dash_points)
        }
        (Some(_), Some(gap)) => format!("{} {}", dec(lang, gap), unit(t, v.key)),
        _ => t.dash_none.to_string(),
    }
}

/// The figure in words: "Đạt 62 %, mục tiêu 80 %, còn thiếu 18 điểm."
pub(super) fn summary(lang: Lang, t: &Texts, v: &IndicatorValue) -> String {
    let Some(rate) = v.rate else {
        return t.dash_sum_no_rate.to_string();
    };
    let count_target = v
        .target
        .as_ref()
        .is_some_and(|x| x.kind.as_str() == "count");
    let actual = if count_target {
        format!(
            "{} {} ({})",
            int(lang, v.numerator),
            unit(t, v.key),
            pct(lang, rate)
        )
    } else {
        pct(lang, rate)
    };
    let (Some(_), Some(gap)) = (&v.target, v.gap) else {
        return t.dash_sum_no_target.replace("{actual}", &actual);
    };
    let amount = |g: f64| {
        if count_target {
            format!("{} {}", dec(lang, g), unit(t, v.key))
        } else {
            format!("{} {}", dec(lang, g), t.dash_points)
        }
    };
    let form = if gap > 0.0 {
        t.dash_sum_short
    } else if gap < 0.0 {
        t.dash_sum_beyond
    } else {
        t.dash_sum_met
    };
    form.replace("{actual}", &actual)
        .replace("{target}", &target_text(lang, t, v))
        .replace("{gap}", &amount(gap.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(int(Lang::Vi, 1234567), "1.234.567");
        assert_eq!(int(Lang::En, 1234567), "1,234,567");
        assert_eq!(int(Lang::Vi, -1000), "-1.000");
        assert_eq!(int(Lang::Vi, 999), "999");
        assert_eq!(dec(Lang::Vi, 62.5), "62,5");
        assert_eq!(dec(Lang::En, 62.5), "62.5");
        assert_eq!(dec(Lang::Vi, 80.0), "80");
        assert_eq!(dec(Lang::Vi, 1234.06), "1.234,06");
        assert_eq!(dec(Lang::Vi, -3.25), "-3,25");
        assert_eq!(dec(Lang::Vi, -0.001), "0");
    }
}
