//! The comparison as Markdown (for tickets and notes) and CSV (for spreadsheets).

use super::labels::Labels;
use crate::Lang;
use dvc_compare::{Comparison, FigureId, Province, Unit};
use dvc_loadgen::units::fmt_seconds;
use std::fmt::Write;

/// A figure's value as reports show it (percentages, seconds, working hours).
pub(crate) fn shown(id: FigureId, value: Option<f64>, l: &Labels) -> String {
    let Some(v) = value else {
        return l.no_data.to_owned();
    };
    match id.unit() {
        Unit::Ratio => format!("{:.2}%", v * 100.0),
        Unit::Seconds => fmt_seconds(v),
        Unit::WorkingHours => format!("{:.1} h", v / 3600.0),
    }
}

/// An anchor of a figure's score as the methodology shows it.
pub(crate) fn anchor(id: FigureId, v: f64, l: &Labels) -> String {
    match id.unit() {
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Seconds => fmt_seconds(v),
        Unit::WorkingHours => format!("{:.0} {}", v / 3600.0, l.working_hours),
    }
}

/// The figures a comparison shows: those measured for some province.
pub(crate) fn shown_figures(c: &Comparison) -> Vec<FigureId> {
    FigureId::ALL
        .into_iter()
        .filter(|f| c.provinces.iter().any(|p| p.figure(*f).value.is_some()))
        .collect()
}

/// "Not ranked: too few samples (…)" for an unranked province.
pub(crate) fn unranked(p: &Province, l: &Labels) -> String {
    let names: Vec<&str> = p.too_few.iter().map(|f| l.figure(*f).0).collect();
    format!("{}: {} ({})", l.not_ranked, l.too_few, names.join(", "))
}

pub(crate) fn period(c: &Comparison) -> String {
    let local = |t: &chrono::DateTime<chrono::Utc>| {
        dvc_domain::calendar::to_local(t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    format!("{} → {} (UTC+7)", local(&c.from), local(&c.to))
}

use crate::escape::markdown_cell as cell;

/// The Markdown comparison.
pub fn markdown(c: &Comparison, lang: Lang) -> String {
    let l = Labels::of(lang);
    let figures = shown_figures(c);
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", l.title);
    let _ = writeln!(
        out,
        "{} {} · {} {} · {} {}\n",
        l.period,
        period(c),
        l.source,
        source(c, l),
        l.location,
        locations(c, l)
    );
    let _ = write!(out, "| {} | {} | {} |", l.rank, l.province, l.score);
    for f in &figures {
        let _ = write!(out, " {} |", l.figure(*f).0);
    }
    let _ = write!(out, "\n|---:|---|---:|");
    for _ in &figures {
        out.push_str("---:|");
    }
    out.push('\n');
    for p in &c.provinces {
        let (rank, score) = match (p.rank, p.score) {
            (Some(r), Some(s)) => (r.to_string(), format!("{s:.1}")),
            _ => ("–".to_owned(), unranked(p, l)),
        };
        let _ = write!(out, "| {rank} | {} | {} |", cell(&p.name), cell(&score));
        for f in &figures {
            let fig = p.figure(*f);
            let _ = write!(
                out,
                " {} ({} {}) |",
                shown(*f, fig.value, l),
                fig.samples,
                l.samples
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n### {}\n\n| {} | {} | {} | {} |\n|---|---:|---:|---:|",
        l.methodology, l.figure, l.weight, l.full_marks, l.zero_marks
    );
    for f in &figures {
        let (full, zero) = f.anchors();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            l.figure(*f).0,
            c.weights.get(*f),
            anchor(*f, full, l),
            anchor(*f, zero, l)
        );
    }
    let _ = writeln!(out, "\n{} {}.", l.score_rule, c.min_samples);
    out
}

pub(crate) fn source(c: &Comparison, l: &Labels) -> String {
    match &c.source {
        dvc_compare::Source::Prometheus(url) => format!("Prometheus {url}"),
        dvc_compare::Source::ProbeStore(path) => format!("{} {}", l.probe_store, path.display()),
    }
}

pub(crate) fn locations(c: &Comparison, l: &Labels) -> String {
    if c.locations.is_empty() {
        l.unknown_location.to_owned()
    } else {
        c.locations.join(", ")
    }
}

/// The CSV comparison: one row per province, each figure's value (raw: ratios 0–1, seconds)
/// and samples.
pub fn csv(c: &Comparison) -> String {
    let mut out = String::from("rank,province,score,ranked");
    for f in FigureId::ALL {
        let _ = write!(out, ",{0},{0}_samples", f.id());
    }
    out.push('\n');
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for p in &c.provinces {
        let _ = write!(
            out,
            "{},{},{},{}",
            p.rank.map_or(String::new(), |r| r.to_string()),
            quote(&p.name),
            p.score.map_or(String::new(), |s| format!("{s:.2}")),
            p.rank.is_some()
        );
        for f in FigureId::ALL {
            let fig = p.figure(f);
            let _ = write!(
                out,
                ",{},{}",
                fig.value.map_or(String::new(), |v| format!("{v}")),
                fig.samples
            );
        }
        out.push('\n');
    }
    out
}
