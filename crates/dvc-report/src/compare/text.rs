//! The comparison as the terminal's ranking, Markdown (for tickets and notes) and CSV (for
//! spreadsheets).

use super::view::ComparisonView;
use crate::Lang;
use dvc_compare::{Comparison, FigureId};
use std::fmt::Write;

use crate::escape::markdown_cell as cell;

/// The Markdown comparison.
pub fn markdown(c: &Comparison, lang: Lang) -> String {
    let v = ComparisonView::new(c, lang);
    let l = v.l;
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", l.title);
    let _ = writeln!(
        out,
        "{} {} · {} {} · {} {}\n",
        l.period, v.period, l.source, v.source, l.location, v.locations
    );
    let _ = write!(out, "| {} | {} | {} |", l.rank, l.province, l.score);
    for f in &v.figures {
        let _ = write!(out, " {} |", l.figure(*f).0);
    }
    let _ = write!(out, "\n|---:|---|---:|");
    for _ in &v.figures {
        out.push_str("---:|");
    }
    out.push('\n');
    for p in &v.provinces {
        let (rank, score) = match &p.placed {
            Ok((rank, score)) => (rank.to_string(), score.as_str()),
            Err(why) => ("–".to_owned(), why.as_str()),
        };
        let _ = write!(out, "| {rank} | {} | {} |", cell(p.name), cell(score));
        for fig in &p.cells {
            let _ = write!(out, " {} ({} {}) |", fig.value, fig.samples, l.samples);
        }
        out.push('\n');
    }
    if !v.breakdown.rows.is_empty() {
        let _ = write!(
            out,
            "\n### {}\n\n{}\n\n| {} |",
            l.breakdown, l.breakdown_intro, l.province
        );
        for f in &v.breakdown.figures {
            let _ = write!(out, " {} |", l.figure(*f).0);
        }
        let _ = write!(out, " {} |\n|---|", l.lost_total);
        for _ in 0..=v.breakdown.figures.len() {
            out.push_str("---:|");
        }
        out.push('\n');
        for (name, lost, total) in &v.breakdown.rows {
            let _ = writeln!(out, "| {} | {} | {total} |", cell(name), lost.join(" | "));
        }
    }
    let _ = writeln!(
        out,
        "\n### {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---:|---:|---|",
        l.methodology, l.figure, l.weight, l.weight_used, l.full_marks, l.zero_marks, l.index_scale
    );
    for m in &v.methodology {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            m.name,
            m.weight,
            m.used,
            m.full_marks,
            m.zero_marks,
            cell(&m.index)
        );
    }
    if !v.unscored.is_empty() {
        out.push('\n');
        for line in &v.unscored {
            let _ = writeln!(out, "- {}", cell(line));
        }
    }
    let _ = writeln!(out, "\n{} {}.", l.score_rule, c.min_samples);
    out
}

/// The ranking as a plain table for the terminal (English, the figures most read).
pub fn terminal(c: &Comparison) -> String {
    use dvc_loadgen::units::fmt_seconds;
    let mut out = format!(
        "{:>4}  {:<24} {:>6} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}\n",
        "rank",
        "province",
        "score",
        "avail.",
        "avail.24",
        "page p95",
        "intake95",
        "late",
        "on time"
    );
    let pct = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.2}%", v * 100.0));
    for p in &c.provinces {
        let v = |f: FigureId| p.figure(f).value;
        out.push_str(&format!(
            "{:>4}  {:<24} {:>6} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}\n",
            p.rank.map_or("-".to_owned(), |r| r.to_string()),
            p.name,
            p.score.map_or("-".to_owned(), |s| format!("{s:.1}")),
            pct(v(FigureId::AvailabilityOffice)),
            pct(v(FigureId::Availability)),
            v(FigureId::PageP95).map_or("-".to_owned(), fmt_seconds),
            v(FigureId::IntakeP95).map_or("-".to_owned(), |s| format!("{:.1}h", s / 3600.0)),
            pct(v(FigureId::LateAcceptance)),
            pct(v(FigureId::OnTime)),
        ));
        if p.rank.is_none() {
            let names: Vec<&str> = p.too_few.iter().map(|f| f.id()).collect();
            out.push_str(&format!(
                "      not ranked: fewer than {} samples of {}\n",
                c.min_samples,
                names.join(", ")
            ));
        }
    }
    for u in &c.unscored {
        let who = if u.missing_in.len() == c.provinces.len() {
            "no province has figures".to_owned()
        } else {
            format!("no figures for {}", u.missing_in.join(", "))
        };
        out.push_str(&format!(
            "not scored: {} (weight {}): {who}; its weight went to the scored figures\n",
            u.figure.id(),
            u.weight,
        ));
    }
    out
}

/// The CSV comparison: one row per province, each figure's value in the unit its column names
/// (`_ratio` 0–1, `_s` seconds, `_working_h` working hours) and its samples, then the points
/// each figure earned a ranked province (`{figure}_points`, empty when not scored; they add up
/// to the score), then `{figure}_index_marks_ratio` for the figures the national index counts
/// (the share of the indicator's marks the value earns on the index's own scale), then
/// `not_scored`: the weighted figures left out of every score because some province lacks them
/// (`;`-separated, the same on every row).
/// The file starts with a UTF-8 byte-order mark, for spreadsheet programs.
pub fn csv(c: &Comparison) -> String {
    // A UTF-8 byte-order mark first: without it Excel reads "Hà Nội" as Latin-1.
    let mut out = String::from("\u{feff}rank,province,score,ranked");
    for f in FigureId::ALL {
        let _ = write!(out, ",{},{}_samples", f.column(), f.id());
    }
    for f in FigureId::ALL {
        let _ = write!(out, ",{}_points", f.id());
    }
    let indexed: Vec<FigureId> = FigureId::ALL
        .into_iter()
        .filter(|f| f.index().is_some())
        .collect();
    for f in &indexed {
        let _ = write!(out, ",{}_index_marks_ratio", f.id());
    }
    out.push_str(",not_scored\n");
    let not_scored: Vec<&str> = c.unscored.iter().map(|u| u.figure.id()).collect();
    let not_scored = not_scored.join(";");
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
                fig.value
                    .map_or(String::new(), |v| format!("{}", f.unit().exported(v))),
                fig.samples
            );
        }
        for f in FigureId::ALL {
            let _ = write!(
                out,
                ",{}",
                c.points(p, f).map_or(String::new(), |x| format!("{x:.2}"))
            );
        }
        for f in &indexed {
            let marks = f
                .index()
                .zip(p.figure(*f).value)
                .map(|(rule, v)| rule.marks(v));
            let _ = write!(out, ",{}", marks.map_or(String::new(), |m| format!("{m}")));
        }
        let _ = writeln!(out, ",{not_scored}");
    }
    out
}
