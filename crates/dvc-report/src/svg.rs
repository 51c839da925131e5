//! Charts drawn as inline SVG, so a report needs no script and no network to show them.

use crate::escape::html as escape;
use std::fmt::Write;

/// Colours of the series, in order (colour-blind safe, from the Okabe–Ito palette).
pub const COLOURS: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;

/// One line of a chart: a name and a value per x (None: no value there).
pub struct Line<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A "nice" axis maximum and step for values up to `max`.
fn nice(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 0.25);
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

fn label(v: f64) -> String {
    if v >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A line chart over `x` (seconds since the start) with a legend; `unit` labels the y axis.
pub fn line_chart(id: &str, x: &[f64], series: &[Line<'_>], unit: &str) -> String {
    let x_max = x.iter().copied().fold(1.0_f64, f64::max);
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0_f64, f64::max);
    let (y_top, y_step) = nice(y_max);
    let (x_top, x_step) = nice(x_max);
    let px = |v: f64| LEFT + v / x_top * (W - LEFT - RIGHT);
    let py = |v: f64| TOP + (1.0 - v / y_top) * (H - TOP - BOTTOM);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg id="{id}" class="chart" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg">"##
    );
    // Grid and axes.
    let mut y = 0.0;
    while y <= y_top + y_step / 2.0 {
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y1:.1}" y2="{y1:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            py(y) + 4.0,
            label(y),
            y1 = py(y)
        );
        y += y_step;
    }
    let mut t = 0.0;
    while t <= x_top + x_step / 2.0 {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11">{}</text>"##,
            px(t),
            H - BOTTOM + 16.0,
            label(t)
        );
        t += x_step;
    }
    let _ = write!(
        svg,
        r##"<text x="12" y="{:.1}" font-size="11" transform="rotate(-90 12 {:.1})" text-anchor="middle">{}</text>"##,
        (H - BOTTOM) / 2.0,
        (H - BOTTOM) / 2.0,
        escape(unit)
    );
    // Lines, broken where a value is missing.
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut path = String::new();
        let mut pen_down = false;
        for (xv, yv) in x.iter().zip(&s.values) {
            match yv {
                Some(v) if v.is_finite() => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        px(*xv),
                        py(*v)
                    );
                    pen_down = true;
                }
                _ => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            r##"<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>"##
        );
        let lx = LEFT + (i as f64) * 130.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{}" width="12" height="4" fill="{colour}"/><text x="{}" y="{}" font-size="11">{}</text>"##,
            H - 14.0,
            lx + 16.0,
            H - 9.0,
            escape(s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: for each row, one bar per value (e.g. p50, p95, p99 of each step).
pub fn bar_chart(id: &str, rows: &[(String, Vec<f64>)], legend: &[&str], unit: &str) -> String {
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter())
        .copied()
        .fold(0.0_f64, f64::max);
    let (top, step) = nice(max);
    let bar = 10.0;
    let per_row = bar * legend.len() as f64 + 10.0;
    let h = TOP + per_row * rows.len() as f64 + BOTTOM;
    let left = 150.0;
    let px = |v: f64| left + v / top * (W - left - RIGHT);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg id="{id}" class="chart" viewBox="0 0 {W} {h}" role="img" xmlns="http://www.w3.org/2000/svg">"##
    );
    let axis_y = h - BOTTOM;
    let mut t = 0.0;
    while t <= top + step / 2.0 {
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{axis_y}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle" font-size="11">{}</text>"##,
            axis_y + 14.0,
            label(t),
            x = px(t)
        );
        t += step;
    }
    for (r, (name, values)) in rows.iter().enumerate() {
        let y0 = TOP + per_row * r as f64;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
            left - 6.0,
            y0 + per_row / 2.0,
            escape(name)
        );
        for (i, v) in values.iter().enumerate() {
            let _ = write!(
                svg,
                r##"<rect x="{left}" y="{:.1}" width="{:.1}" height="{}" fill="{}"/>"##,
                y0 + bar * i as f64,
                (px(*v) - left).max(0.5),
                bar - 1.0,
                COLOURS[i % COLOURS.len()]
            );
        }
    }
    for (i, name) in legend.iter().enumerate() {
        let lx = left + (i as f64) * 90.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx}" y="{}" width="12" height="4" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>"##,
            h - 14.0,
            COLOURS[i % COLOURS.len()],
            lx + 16.0,
            h - 9.0,
            escape(name)
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>"##,
        W - RIGHT,
        h - 9.0,
        escape(unit)
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers_above_the_data() {
        assert_eq!(nice(7.3), (8.0, 2.0));
        let (top, step) = nice(0.42);
        assert!(
            (step - 0.2).abs() < 1e-12 && (top - 0.6).abs() < 1e-12,
            "{top} {step}"
        );
        assert_eq!(nice(0.0), (1.0, 0.25));
        assert_eq!(nice(950.0), (1000.0, 250.0));
    }

    #[test]
    fn gaps_break_the_line_and_every_series_gets_a_legend() {
        let svg = line_chart(
            "c",
            &[0.0, 1.0, 2.0, 3.0],
            &[
                Line {
                    name: "p95",
                    values: vec![Some(1.0), None, Some(2.0), Some(3.0)],
                },
                Line {
                    name: "p<99>",
                    values: vec![Some(1.0); 4],
                },
            ],
            "ms",
        );
        assert_eq!(svg.matches("<path").count(), 2);
        // The first line starts twice: at x = 0 and again after the gap.
        let first = svg.split("<path d=\"").nth(1).expect("a path");
        assert_eq!(first.split('"').next().expect("d").matches('M').count(), 2);
        assert!(svg.contains(">p95<") && svg.contains("p&lt;99&gt;"));
    }
}
