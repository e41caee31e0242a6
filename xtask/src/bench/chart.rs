//! A small SVG line chart (log-scaled x and y), written by hand to keep xtask's dependencies few.
//!
//! The x axis is labelled at every measured x value (so a one-size run still has its size on
//! the axis), the y axis at 1, 2 and 5 × each power of ten in range; target lines are dashed
//! and labelled; the legend sits under the plot with the full series names.

use std::fmt::Write as _;

/// One line of the chart.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A horizontal reference line, e.g. a target.
pub struct Target {
    pub value: f64,
    pub label: String,
}

const COLORS: [&str; 5] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];
const WIDTH: f64 = 760.0;
const PLOT_HEIGHT: f64 = 380.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 40.0;
const LEGEND_ROW: f64 = 20.0;

/// An SVG with log10 axes; values ≤ 0 are drawn at the bottom.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    targets: &[Target],
) -> String {
    let bottom_of_plot = TOP + PLOT_HEIGHT;
    let height = bottom_of_plot + 60.0 + LEGEND_ROW * (series.len() + targets.len()) as f64;
    let log = |v: f64| v.max(1e-3).log10();
    let xs: Vec<f64> = {
        let mut xs: Vec<f64> = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs
    };
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| log(p.1)))
        .chain(targets.iter().map(|t| log(t.value)));
    let (x_lo, x_hi) = bounds(xs.iter().map(|&x| log(x)));
    let (y_lo, y_hi) = bounds(ys);
    // Half a decade of margin around the data (so one size sits mid-axis), whole decades on y.
    let (x_min, x_max) = (x_lo - 0.25, x_hi + 0.25);
    let (y_min, y_max) = (y_lo.floor(), y_hi.ceil().max(y_lo.floor() + 1.0));
    let px = |x: f64| LEFT + (log(x) - x_min) / (x_max - x_min) * (WIDTH - LEFT - RIGHT);
    let py = |y: f64| bottom_of_plot - (log(y) - y_min) / (y_max - y_min) * PLOT_HEIGHT;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" font-size="15" text-anchor="middle">{}</text>"#,
        WIDTH / 2.0,
        escape(title)
    );
    // y ticks: 1, 2, 5 × 10^k; decades get a darker grid line.
    let mut decade = y_min;
    while decade <= y_max {
        for (factor, grid) in [(1.0, "#ccc"), (2.0, "#eee"), (5.0, "#eee")] {
            let value = factor * 10f64.powf(decade);
            if log(value) > y_max + 1e-9 {
                continue;
            }
            let y = py(value);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{grid}"/>"##,
                WIDTH - RIGHT
            );
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 6.0,
                y + 4.0,
                fmt_value(value)
            );
        }
        decade += 1.0;
    }
    for &x in &xs {
        let at = px(x);
        let _ = writeln!(
            svg,
            r##"<line x1="{at:.1}" x2="{at:.1}" y1="{TOP}" y2="{bottom_of_plot}" stroke="#eee"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{at:.1}" y="{}" text-anchor="middle">{}</text>"#,
            bottom_of_plot + 18.0,
            fmt_value(x)
        );
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{PLOT_HEIGHT}" fill="none" stroke="#999"/>"##,
        WIDTH - LEFT - RIGHT
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (LEFT + WIDTH - RIGHT) / 2.0,
        bottom_of_plot + 40.0,
        escape(x_label)
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + PLOT_HEIGHT / 2.0,
        escape(y_label)
    );
    let mut legend_y = bottom_of_plot + 62.0;
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for &(x, y) in &s.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"/>"#,
                px(x),
                py(y)
            );
        }
        legend(&mut svg, legend_y, color, false, &s.name);
        legend_y += LEGEND_ROW;
    }
    for target in targets {
        let y = py(target.value);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#c00" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
            WIDTH - RIGHT
        );
        legend(&mut svg, legend_y, "#c00", true, &target.label);
        legend_y += LEGEND_ROW;
    }
    svg.push_str("</svg>\n");
    svg
}

fn legend(svg: &mut String, y: f64, color: &str, dashed: bool, label: &str) {
    let dash = if dashed {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let _ = writeln!(
        svg,
        r#"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"{dash}/>"#,
        LEFT + 24.0,
        y - 4.0,
        y - 4.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{y:.1}">{}</text>"#,
        LEFT + 32.0,
        escape(label)
    );
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

fn fmt_value(v: f64) -> String {
    let (scaled, unit) = if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if scaled >= 10.0 || scaled.fract().abs() < 1e-9 {
        0
    } else if scaled >= 1.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{unit}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measured_size_and_every_target_is_labelled() {
        let svg = line_chart(
            "t",
            "rows",
            "ms",
            &[Series {
                name: "nullable + UPDATE backfill + SET NOT NULL".to_owned(),
                points: vec![(1000.0, 16.8)],
            }],
            &[Target {
                value: 10.0,
                label: "target ≤ 10 ms".to_owned(),
            }],
        );
        assert!(svg.contains(">1k</text>"), "the one size is on the x axis");
        assert!(svg.contains(">nullable + UPDATE backfill + SET NOT NULL</text>"));
        assert!(svg.contains(">target ≤ 10 ms</text>"));
        assert!(svg.contains(">20</text>") && svg.contains(">50</text>"));
    }

    #[test]
    fn values_are_written_short() {
        assert_eq!(fmt_value(1000.0), "1k");
        assert_eq!(fmt_value(2500.0), "2.5k");
        assert_eq!(fmt_value(5_000_000.0), "5M");
        assert_eq!(fmt_value(0.5), "0.50");
        assert_eq!(fmt_value(20.0), "20");
    }
}
