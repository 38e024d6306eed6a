//! The officer dashboard's charts: SVG drawn on the server from the report's figures, with no
//! script and no style attribute (the CSP allows neither): presentation attributes only. Pure
//! functions, unit-tested for their geometry; every text inside is escaped. Each chart is shown
//! beside its title, its summary in words and (bars by locality, the timeline) its data table.

use std::fmt::Write;

/// The colours (AA against white: bars and lines ≥ 3:1 as graphics, text ≥ 4.5:1).
const BAR: &str = "#0b4f8a";
const TRACK: &str = "#e8edf2";
const TRACK_EDGE: &str = "#5a6b7b";
const TARGET: &str = "#a4000f";
const INK: &str = "#1a1a1a";
const GRID: &str = "#c4ccd4";

/// A percentage put on a 0–100 scale: below 0 is 0, above 100 is 100, none stays none.
pub fn clamp_percent(p: Option<f64>) -> Option<f64> {
    p.filter(|p| p.is_finite()).map(|p| p.clamp(0.0, 100.0))
}

/// Where a target stands as a percentage of the denominator: a rate target is itself; a count
/// target is `count × 100 / denominator` (none without a positive denominator: no division by
/// zero).
pub fn target_percent(kind: &str, value: f64, denominator: Option<i64>) -> Option<f64> {
    match kind {
        "rate" => Some(value),
        "count" => denominator
            .filter(|d| *d > 0)
            .map(|d| value * 100.0 / d as f64),
        _ => None,
    }
}

/// A bar of `width` units: how much is filled by the rate, and where the target line stands
/// (both clamped to the bar).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BarGeometry {
    pub fill: f64,
    pub target_x: Option<f64>,
}

pub fn bar_geometry(rate: Option<f64>, target: Option<f64>, width: f64) -> BarGeometry {
    let at = |p: Option<f64>| clamp_percent(p).map(|p| p / 100.0 * width);
    BarGeometry {
        fill: at(rate).unwrap_or(0.0),
        target_x: at(target),
    }
}

/// Escapes text for SVG (XML) content and attributes.
pub use crate::text::escape_html as esc;

/// A number as SVG coordinates write it: at most two decimals.
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

const BAR_W: f64 = 300.0;

/// One indicator's rate against its target: a track (0–100 %), the filled rate, the target as
/// a red line with a small triangle above it. `label` is the chart's accessible name (its
/// summary in words).
pub fn rate_bar(rate: Option<f64>, target: Option<f64>, label: &str) -> String {
    let g = bar_geometry(rate, target, BAR_W);
    let mut s = format!(
        "<svg class=\"dash-bar\" viewBox=\"-6 0 {} 34\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        n(BAR_W + 12.0),
        esc(label),
        esc(label)
    );
    let _ = write!(
        s,
        "<rect x=\"0\" y=\"10\" width=\"{}\" height=\"20\" fill=\"{TRACK}\" stroke=\"{TRACK_EDGE}\" stroke-width=\"1\"/>",
        n(BAR_W)
    );
    if g.fill > 0.0 {
        let _ = write!(
            s,
            "<rect x=\"0\" y=\"10\" width=\"{}\" height=\"20\" fill=\"{BAR}\"/>",
            n(g.fill)
        );
    }
    if let Some(x) = g.target_x {
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"6\" x2=\"{x}\" y2=\"34\" stroke=\"{TARGET}\" stroke-width=\"3\"/>\
             <path d=\"M{l} 0 L{r} 0 L{x} 7 Z\" fill=\"{TARGET}\"/>",
            x = n(x),
            l = n(x - 6.0),
            r = n(x + 6.0),
        );
    }
    s.push_str("</svg>");
    s
}

/// One row of a bar chart by locality.
pub struct Row<'a> {
    pub label: &'a str,
    pub rate: Option<f64>,
    pub target: Option<f64>,
}

const ROW_H: f64 = 46.0;
const ROWS_W: f64 = 340.0;

/// The rate of each locality as a horizontal bar under its name, with its target line and the
/// rate written at the bar's end. `title` names the chart.
pub fn rows_chart(
    rows: &[Row<'_>],
    title: &str,
    lang_pct: &dyn Fn(Option<f64>) -> String,
) -> String {
    let bar_w = ROWS_W - 70.0;
    let h = (rows.len() as f64 * ROW_H).max(ROW_H);
    let mut s = format!(
        "<svg class=\"dash-rows\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        n(ROWS_W),
        n(h),
        esc(title),
        esc(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * ROW_H;
        let g = bar_geometry(r.rate, r.target, bar_w);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"14\" fill=\"{INK}\">{}</text>\
             <rect x=\"0\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{TRACK}\" stroke=\"{TRACK_EDGE}\" stroke-width=\"1\"/>",
            n(y + 14.0),
            esc(r.label),
            n(y + 20.0),
            n(bar_w)
        );
        if g.fill > 0.0 {
            let _ = write!(
                s,
                "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{BAR}\"/>",
                n(y + 20.0),
                n(g.fill)
            );
        }
        if let Some(x) = g.target_x {
            let _ = write!(
                s,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{TARGET}\" stroke-width=\"3\"/>",
                n(y + 17.0),
                n(y + 39.0),
                x = n(x)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"14\" fill=\"{INK}\">{}</text>",
            n(bar_w + 6.0),
            n(y + 33.0),
            esc(&lang_pct(r.rate))
        );
    }
    s.push_str("</svg>");
    s
}

/// Where the points of a line chart stand: `values` spread over `width`, scaled so that the
/// top of the axis (`top`) is at 0 and 0 at `height`.
#[derive(Clone, Debug, PartialEq)]
pub struct LineGeometry {
    /// The value at the top of the axis: a round number at or above the largest value (1 when
    /// every value is 0, so nothing is divided by zero).
    pub top: i64,
    pub points: Vec<(f64, f64)>,
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `max` (at least 1).
pub fn nice_top(max: i64) -> i64 {
    if max <= 1 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
    }
}

pub fn line_geometry(values: &[i64], width: f64, height: f64) -> LineGeometry {
    let top = nice_top(values.iter().copied().max().unwrap_or(0));
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = if values.len() > 1 {
                i as f64 * step
            } else {
                width / 2.0
            };
            let y = height - (*v).max(0) as f64 / top as f64 * height;
            (x, y)
        })
        .collect();
    LineGeometry { top, points }
}

const PLOT_W: f64 = 300.0;
const PLOT_H: f64 = 140.0;
const LEFT: f64 = 44.0;
const TOPM: f64 = 12.0;

/// A monthly series as a line with a dot at each month, a light grid at 0, half and the top,
/// the month under each dot (`labels`), and the axis values (`num` formats them).
pub fn line_chart(
    values: &[i64],
    labels: &[String],
    title: &str,
    num: &dyn Fn(i64) -> String,
) -> String {
    let g = line_geometry(values, PLOT_W, PLOT_H);
    let mut s = format!(
        "<svg class=\"dash-line\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        n(LEFT + PLOT_W + 16.0),
        n(TOPM + PLOT_H + 30.0),
        esc(title),
        esc(title)
    );
    let mut ticks = vec![(g.top, 0.0)];
    if g.top % 2 == 0 {
        ticks.push((g.top / 2, PLOT_H / 2.0));
    }
    ticks.push((0, PLOT_H));
    for (value, y) in ticks {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            n(LEFT),
            n(LEFT + PLOT_W),
            n(LEFT - 6.0),
            n(TOPM + y + 4.0),
            esc(&num(value)),
            y = n(TOPM + y),
        );
    }
    let pts: Vec<String> = g
        .points
        .iter()
        .map(|(x, y)| format!("{},{}", n(LEFT + x), n(TOPM + y)))
        .collect();
    if pts.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{BAR}\" stroke-width=\"3\"/>",
            pts.join(" ")
        );
    }
    for (i, (x, y)) in g.points.iter().enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{BAR}\"/>",
            n(LEFT + x),
            n(TOPM + y)
        );
        if let Some(l) = labels.get(i) {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                n(LEFT + x),
                n(TOPM + PLOT_H + 20.0),
                esc(l)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_width_is_the_rate_share_of_the_track() {
        let g = bar_geometry(Some(62.0), Some(80.0), 300.0);
        assert_eq!(g.fill, 186.0);
        assert_eq!(g.target_x, Some(240.0));
        assert_eq!(bar_geometry(Some(0.0), None, 300.0).fill, 0.0);
        assert_eq!(bar_geometry(Some(100.0), None, 300.0).fill, 300.0);
    }

    #[test]
    fn rates_and_targets_beyond_the_scale_are_clamped() {
        let g = bar_geometry(Some(135.5), Some(250.0), 300.0);
        assert_eq!((g.fill, g.target_x), (300.0, Some(300.0)));
        let g = bar_geometry(Some(-3.0), Some(-1.0), 300.0);
        assert_eq!((g.fill, g.target_x), (0.0, Some(0.0)));
        assert_eq!(clamp_percent(Some(f64::NAN)), None);
        assert_eq!(clamp_percent(Some(f64::INFINITY)), None);
    }

    #[test]
    fn no_rate_and_no_target_draw_an_empty_track() {
        let g = bar_geometry(None, None, 300.0);
        assert_eq!((g.fill, g.target_x), (0.0, None));
        let svg = rate_bar(None, None, "Chưa có");
        assert!(!svg.contains(TARGET), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
    }

    #[test]
    fn count_targets_are_placed_on_the_denominator_without_dividing_by_zero() {
        assert_eq!(target_percent("rate", 80.0, Some(0)), Some(80.0));
        assert_eq!(target_percent("count", 30.0, Some(40)), Some(75.0));
        assert_eq!(target_percent("count", 30.0, Some(0)), None);
        assert_eq!(target_percent("count", 30.0, None), None);
        assert_eq!(target_percent("other", 30.0, Some(40)), None);
        // A count above the denominator is drawn at the end of the bar.
        let t = target_percent("count", 60.0, Some(40));
        assert_eq!(bar_geometry(Some(10.0), t, 300.0).target_x, Some(300.0));
    }

    #[test]
    fn the_target_line_stands_where_the_target_is() {
        let svg = rate_bar(Some(62.0), Some(80.0), "Đạt 62 %");
        assert!(svg.contains("width=\"186\""), "{svg}");
        assert!(svg.contains("x1=\"240\" y1=\"6\" x2=\"240\""), "{svg}");
        assert!(svg.contains("aria-label=\"Đạt 62 %\""));
    }

    #[test]
    fn text_is_escaped() {
        let svg = rows_chart(
            &[Row {
                label: "Thôn <1> & \"2\"",
                rate: Some(50.0),
                target: None,
            }],
            "a<b",
            &|_| "50 %".into(),
        );
        assert!(svg.contains("Thôn &lt;1&gt; &amp; &quot;2&quot;"), "{svg}");
        assert!(svg.contains("aria-label=\"a&lt;b\""));
        assert!(!svg.contains("<1>"));
    }

    #[test]
    fn rows_are_stacked_with_their_own_target() {
        let rows = [
            Row {
                label: "A",
                rate: Some(100.0),
                target: Some(50.0),
            },
            Row {
                label: "B",
                rate: None,
                target: None,
            },
        ];
        let svg = rows_chart(&rows, "t", &|r| format!("{r:?}"));
        assert!(svg.contains("viewBox=\"0 0 340 92\""), "{svg}");
        // Bar width 270: the full bar, the target at 135.
        assert!(
            svg.contains("width=\"270\" height=\"16\" fill=\"#0b4f8a\""),
            "{svg}"
        );
        assert!(svg.contains("x1=\"135\""), "{svg}");
        // An empty chart keeps a height.
        assert!(rows_chart(&[], "t", &|_| String::new()).contains("viewBox=\"0 0 340 46\""));
    }

    #[test]
    fn line_points_scale_to_a_round_top() {
        assert_eq!(nice_top(0), 1);
        assert_eq!(nice_top(1), 1);
        assert_eq!(nice_top(3), 5);
        assert_eq!(nice_top(7), 10);
        assert_eq!(nice_top(11), 20);
        assert_eq!(nice_top(200), 200);
        assert_eq!(nice_top(201), 500);
        let g = line_geometry(&[0, 5, 10], 300.0, 100.0);
        assert_eq!(g.top, 10);
        assert_eq!(g.points, vec![(0.0, 100.0), (150.0, 50.0), (300.0, 0.0)]);
    }

    #[test]
    fn an_all_zero_or_single_month_series_divides_by_nothing() {
        let g = line_geometry(&[0, 0, 0], 300.0, 100.0);
        assert_eq!(g.top, 1);
        assert!(g.points.iter().all(|(_, y)| *y == 100.0));
        let g = line_geometry(&[4], 300.0, 100.0);
        assert_eq!(g.points, vec![(150.0, 20.0)]);
        assert!(line_geometry(&[], 300.0, 100.0).points.is_empty());
        let svg = line_chart(&[3], &["T1".into()], "t", &|v| v.to_string());
        assert!(!svg.contains("polyline"));
        assert!(svg.contains("<circle"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
