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

/// The size of the charts' text in SVG units. The charts are drawn 100 % wide and no wider
/// than the view box is made for a phone: on a 360 px screen (324 px inside the page's margins)
/// one unit is 0.9–0.95 px, so the text is at least 16 px, large type for older eyes.
const FONT: f64 = 18.0;
/// A line of text, baseline to baseline.
const LINE: f64 = 22.0;
/// Roughly how wide a character of the charts' text is, in ems: a little more than the
/// average of the system sans-serif fonts, so that an estimate errs on the side of room.
const CHAR_EM: f64 = 0.6;
/// Digits are a little wider than the average letter.
const DIGIT_EM: f64 = 0.64;

/// How wide `text` is drawn, roughly, in SVG units.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                DIGIT_EM
            } else {
                CHAR_EM
            }
        })
        .sum::<f64>()
        * FONT
}

/// `label` in at most two lines of at most `max` characters, broken between words (a word
/// longer than a line is cut); what does not fit ends in "…". The data table below each chart
/// has every name in full.
fn wrap(label: &str, max: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in label.split_whitespace() {
        let two = lines.len() == 2;
        let last = lines.last_mut().expect("a line");
        let len = last.chars().count();
        if len == 0 {
            last.push_str(word);
        } else if two || len + 1 + word.chars().count() <= max {
            last.push(' ');
            last.push_str(word);
        } else {
            lines.push(word.to_string());
        }
    }
    for l in &mut lines {
        if l.chars().count() > max {
            let cut: String = l.chars().take(max - 1).collect();
            *l = format!("{}…", cut.trim_end());
        }
    }
    lines
}

/// Characters of a label on one line of a bar chart.
const LABEL_CHARS: usize = 30;
const BAR_H: f64 = 18.0;
/// Below the label: the gap, the bar, the space before the next row.
const ROW_BELOW: f64 = 6.0 + BAR_H + 12.0;
const ROWS_W: f64 = 340.0;
/// The width left at the end of the bars for the rate ("62,5 %", "chưa có").
const RATE_W: f64 = 84.0;

/// The rate of each locality as a horizontal bar under its name (in two lines at most), with
/// its target line and the rate written at the bar's end. `title` names the chart.
pub fn rows_chart(
    rows: &[Row<'_>],
    title: &str,
    lang_pct: &dyn Fn(Option<f64>) -> String,
) -> String {
    let bar_w = ROWS_W - RATE_W;
    let labels: Vec<Vec<String>> = rows.iter().map(|r| wrap(r.label, LABEL_CHARS)).collect();
    let h = labels
        .iter()
        .map(|l| l.len() as f64 * LINE + ROW_BELOW)
        .sum::<f64>()
        .max(LINE + ROW_BELOW);
    let mut s = format!(
        "<svg class=\"dash-rows\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        n(ROWS_W),
        n(h),
        esc(title),
        esc(title)
    );
    let mut y = 0.0;
    for (r, lines) in rows.iter().zip(&labels) {
        let g = bar_geometry(r.rate, r.target, bar_w);
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"0\" y=\"{}\" font-size=\"{}\" fill=\"{INK}\">{}</text>",
                n(y + FONT + i as f64 * LINE),
                n(FONT),
                esc(line)
            );
        }
        let bar_y = y + lines.len() as f64 * LINE + 6.0;
        let _ = write!(
            s,
            "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{TRACK}\" stroke=\"{TRACK_EDGE}\" stroke-width=\"1\"/>",
            n(bar_y),
            n(bar_w),
            n(BAR_H)
        );
        if g.fill > 0.0 {
            let _ = write!(
                s,
                "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAR}\"/>",
                n(bar_y),
                n(g.fill),
                n(BAR_H)
            );
        }
        if let Some(x) = g.target_x {
            let _ = write!(
                s,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{TARGET}\" stroke-width=\"3\"/>",
                n(bar_y - 3.0),
                n(bar_y + BAR_H + 3.0),
                x = n(x)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{INK}\">{}</text>",
            n(bar_w + 6.0),
            n(bar_y + BAR_H - 3.0),
            n(FONT),
            esc(&lang_pct(r.rate))
        );
        y += lines.len() as f64 * LINE + ROW_BELOW;
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

/// The line chart's view box: as wide as the bar charts' (the text is as large).
const LINE_W: f64 = 340.0;
const PLOT_H: f64 = 140.0;
const TOPM: f64 = 14.0;
const RIGHT: f64 = 16.0;

/// A monthly series as a line with a dot at each month, a light grid at 0, half and the top,
/// the month under each dot (`labels`; every second or third one when they would touch), and
/// the axis values (`num` formats them) in a margin as wide as the widest of them.
pub fn line_chart(
    values: &[i64],
    labels: &[String],
    title: &str,
    num: &dyn Fn(i64) -> String,
) -> String {
    let top = nice_top(values.iter().copied().max().unwrap_or(0));
    let mut ticks = vec![(top, 0.0)];
    if top % 2 == 0 {
        ticks.push((top / 2, PLOT_H / 2.0));
    }
    ticks.push((0, PLOT_H));
    let ticks: Vec<(String, f64)> = ticks.into_iter().map(|(v, y)| (num(v), y)).collect();
    let left = ticks
        .iter()
        .map(|(t, _)| text_width(t))
        .fold(FONT, f64::max)
        + 8.0;
    let plot_w = LINE_W - left - RIGHT;
    let g = line_geometry(values, plot_w, PLOT_H);
    let mut s = format!(
        "<svg class=\"dash-line\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        n(LINE_W),
        n(TOPM + PLOT_H + LINE + 10.0),
        esc(title),
        esc(title)
    );
    for (text, y) in &ticks {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            n(left),
            n(left + plot_w),
            n(left - 6.0),
            n(TOPM + y + 6.0),
            n(FONT),
            esc(text),
            y = n(TOPM + y),
        );
    }
    let pts: Vec<String> = g
        .points
        .iter()
        .map(|(x, y)| format!("{},{}", n(left + x), n(TOPM + y)))
        .collect();
    if pts.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{BAR}\" stroke-width=\"3\"/>",
            pts.join(" ")
        );
    }
    // Every `step`-th month is named, so that two names never touch.
    let widest = labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let gap = if g.points.len() > 1 {
        plot_w / (g.points.len() - 1) as f64
    } else {
        f64::INFINITY
    };
    let step = ((widest + 6.0) / gap).ceil().max(1.0) as usize;
    for (i, (x, y)) in g.points.iter().enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{BAR}\"/>",
            n(left + x),
            n(TOPM + y)
        );
        if let Some(l) = labels.get(i).filter(|_| i % step == 0) {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                n(left + x),
                n(TOPM + PLOT_H + LINE + 2.0),
                n(FONT),
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

    /// The number an attribute's value starts with, `s` being the text after its opening quote.
    fn number_at(s: &str) -> f64 {
        s.split('"').next().unwrap().parse().unwrap()
    }

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
        // Two rows of one line each: 22 for the name, 6 + 18 + 12 for the bar and the gap.
        assert!(svg.contains("viewBox=\"0 0 340 116\""), "{svg}");
        // Bar width 256: the full bar, the target at 128.
        assert!(
            svg.contains("width=\"256\" height=\"18\" fill=\"#0b4f8a\""),
            "{svg}"
        );
        assert!(svg.contains("x1=\"128\""), "{svg}");
        // An empty chart keeps a height.
        assert!(rows_chart(&[], "t", &|_| String::new()).contains("viewBox=\"0 0 340 58\""));
    }

    /// The width of a view box and the sizes of its texts.
    fn text_sizes(svg: &str) -> (f64, Vec<f64>) {
        let vb = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let width: f64 = vb.split(' ').next().unwrap().parse().unwrap();
        let sizes = svg
            .split("font-size=\"")
            .skip(1)
            .map(|p| p.split('"').next().unwrap().parse().unwrap())
            .collect();
        (width, sizes)
    }

    #[test]
    fn text_is_at_least_16_px_on_a_360_px_phone() {
        // 360 px less the page's margins (1rem of 18 px each side): the charts are 324 px wide.
        let shown = 324.0;
        let rows = [Row {
            label: "Thôn 1",
            rate: Some(40.0),
            target: Some(50.0),
        }];
        let labels: Vec<String> = (1..=12).map(|m| m.to_string()).collect();
        let values: Vec<i64> = (0..12).map(|m| m * 900).collect();
        for svg in [
            rows_chart(&rows, "t", &|_| "40 %".into()),
            line_chart(&values, &labels, "t", &|v| format!("{v}")),
        ] {
            let (width, sizes) = text_sizes(&svg);
            assert!(!sizes.is_empty(), "{svg}");
            for size in sizes {
                assert!(size * shown / width >= 16.0, "{size} in {width}: {svg}");
            }
        }
    }

    #[test]
    fn long_names_take_two_lines_at_most() {
        assert_eq!(wrap("Thôn 1", 30), ["Thôn 1"]);
        assert_eq!(
            wrap("Thôn Đông Hòa Thượng và Hạ thuộc xã Tân Phú", 30),
            ["Thôn Đông Hòa Thượng và Hạ", "thuộc xã Tân Phú"]
        );
        let lines = wrap(&"Làng rất dài ".repeat(10), 30);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…') && lines[1].chars().count() <= 30);
        assert_eq!(wrap("", 30), [""]);
        let rows = [Row {
            label: "Thôn Đông Hòa Thượng và Hạ thuộc xã Tân Phú",
            rate: None,
            target: None,
        }];
        // Two lines of name: 44, then the bar and the gap: 36.
        let svg = rows_chart(&rows, "t", &|_| "chưa có".into());
        assert!(svg.contains("viewBox=\"0 0 340 80\""), "{svg}");
        assert!(svg.contains(">thuộc xã Tân Phú</text>"), "{svg}");
    }

    #[test]
    fn month_names_and_axis_values_do_not_touch() {
        let labels: Vec<String> = (1..=12).map(|m| m.to_string()).collect();
        let values: Vec<i64> = (0..12).map(|m| m * 1000).collect();
        let svg = line_chart(&values, &labels, "t", &|v| format!("{v}"));
        // The month names' centres, left to right: each name is at most 2 digits wide.
        let xs: Vec<f64> = svg
            .split("<text ")
            .filter(|t| t.contains("text-anchor=\"middle\""))
            .map(|t| number_at(t.split("x=\"").nth(1).unwrap()))
            .collect();
        assert!(xs.len() >= 6, "{svg}");
        let name = text_width("12");
        for w in xs.windows(2) {
            assert!(w[1] - w[0] >= name + 4.0, "{xs:?}");
        }
        // The widest axis value (10000) fits left of the plot.
        assert!(svg.contains(">10000</text>"), "{svg}");
        let x_line = number_at(svg.split("<line x1=\"").nth(1).unwrap());
        assert!(x_line >= text_width("10000") + 6.0, "{svg}");
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
