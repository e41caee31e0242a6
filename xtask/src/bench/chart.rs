//! A small SVG line chart (log-scaled x and y), written by hand to keep xtask's dependencies few.

use std::fmt::Write as _;

/// One line of the chart.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

const COLORS: [&str; 4] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"];

/// An SVG with log10 axes; values ≤ 0 are drawn at the bottom.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let (w, h, left, right, top, bottom) = (760.0, 440.0, 80.0, 200.0, 40.0, 60.0);
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect();
    let log = |v: f64| v.max(1e-3).log10();
    let (x_min, x_max) = bounds(all.iter().map(|p| log(p.0)));
    let (y_min, y_max) = bounds(all.iter().map(|p| log(p.1)));
    let (x_min, x_max) = (x_min.floor(), x_max.ceil().max(x_min.floor() + 1.0));
    let (y_min, y_max) = (y_min.floor(), y_max.ceil().max(y_min.floor() + 1.0));
    let px = |x: f64| left + (log(x) - x_min) / (x_max - x_min) * (w - left - right);
    let py = |y: f64| h - bottom - (log(y) - y_min) / (y_max - y_min) * (h - top - bottom);

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" font-size="15" text-anchor="middle">{}</text>"#,
        w / 2.0,
        escape(title)
    );
    let mut decade = y_min;
    while decade <= y_max {
        let y = py(10f64.powf(decade));
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{y}" y2="{y}" stroke="#ddd"/>"##,
            w - right
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 4.0,
            fmt_value(10f64.powf(decade))
        );
        decade += 1.0;
    }
    let mut decade = x_min;
    while decade <= x_max {
        let x = px(10f64.powf(decade));
        let _ = writeln!(
            svg,
            r##"<line x1="{x}" x2="{x}" y1="{top}" y2="{}" stroke="#eee"/>"##,
            h - bottom
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            h - bottom + 18.0,
            fmt_value(10f64.powf(decade))
        );
        decade += 1.0;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - 16.0,
        escape(x_label)
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        (top + h - bottom) / 2.0,
        escape(y_label)
    );
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
        let ly = top + 10.0 + 22.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="{}" y="{}" width="14" height="4" fill="{color}"/>"#,
            w - right + 14.0,
            ly - 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{ly}">{}</text>"#,
            w - right + 34.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn fmt_value(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{}k", v / 1e3)
    } else {
        format!("{v}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
