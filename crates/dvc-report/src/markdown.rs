//! The Markdown report, for CI comments and tickets.

use crate::Lang;
use crate::view::{Change, RunView};
use dvc_loadgen::summary::{RunSummary, Verdict};
use std::fmt::Write;

use crate::escape::markdown_cell as cell;

/// The Markdown report.
pub fn markdown(run: &RunSummary, baseline: Option<&RunSummary>, lang: Lang) -> String {
    render(&RunView::new(run, baseline, lang))
}

fn render(v: &RunView<'_>) -> String {
    let (l, run) = (v.l, v.run);
    let mut out = String::new();
    let word = match v.verdict {
        Verdict::Passed => format!("✅ {}", l.passed),
        Verdict::Failed => format!("❌ {}", l.failed),
        Verdict::Incomplete => format!("⚠️ {}", l.incomplete),
    };
    let _ = writeln!(out, "## {} — {}: {word}\n", l.title, cell(&run.scenario));
    let _ = writeln!(
        out,
        "{} `{}` · {} {} · {} {}\n",
        l.target, run.target, l.started, run.started_at, l.duration, v.duration
    );
    if !v.thresholds.is_empty() {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---|---|",
            l.expression, l.value, l.result
        );
        for t in &v.thresholds {
            let result = if t.passed {
                format!("✅ {}", l.ok)
            } else {
                format!("❌ {}", l.not_ok)
            };
            let _ = writeln!(out, "| `{}` | {} | {result} |", cell(t.expression), t.value);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}\n", v.arrivals_line(", "));
    if let Some(line) = &v.segments {
        let _ = writeln!(out, "{}\n", cell(line));
    }
    let _ = writeln!(
        out,
        "| {} | {} | {} | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|",
        l.steps, l.count, l.errors
    );
    for s in &v.steps {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(s.name),
            s.count,
            s.errors,
            s.p50,
            s.p95,
            s.p99,
            s.max
        );
    }
    if !v.failures.is_empty() {
        let _ = writeln!(
            out,
            "\n### {}\n\n{}\n\n| {} | {} | {} | {} |\n|---|---|---:|---|",
            l.failures, l.failures_note, l.steps, l.outcome, l.count, l.reason
        );
        for f in &v.failures {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(f.step),
                f.outcome,
                f.count,
                cell(f.reason)
            );
        }
    }
    if let Some(rows) = &v.goose {
        let _ = writeln!(
            out,
            "\n### {}\n\n{}\n\n| {} | {} | p50 | p95 | p99 | {} ({}) | p95 ({}) | p99 ({}) |\n|---|---:|---:|---:|---:|---:|---:|---:|",
            l.goose_figures,
            l.goose_note,
            l.steps,
            l.requests,
            l.requests,
            l.adjusted,
            l.adjusted,
            l.adjusted
        );
        for (name, cells) in rows {
            let _ = writeln!(out, "| {} | {} |", cell(name), cells.join(" | "));
        }
    }
    if let Some(b) = &v.baseline {
        let _ = writeln!(
            out,
            "\n### {} ({})\n\n| {} | p95 | p99 | {} | {} |\n|---|---|---|---|---|",
            l.baseline, b.started_at, l.name, l.error_rate, l.throughput
        );
        for d in &b.rows {
            let cells: Vec<String> = d
                .cells
                .iter()
                .map(|m| {
                    let mark = match m.change {
                        Change::Better => "🟢",
                        Change::Same => "⚪",
                        Change::Worse => "🔴",
                        Change::NotComparable => "≠",
                    };
                    format!("{mark} {} ← {}", m.now, m.then)
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", cell(&d.step), cells.join(" | "));
        }
        if let Some(note) = b.load_note {
            let _ = writeln!(out, "\n{note}");
        }
    }
    if let Some((variable, counts)) = &v.verify {
        let _ = writeln!(
            out,
            "\n{} ({}): {}",
            l.verify,
            cell(variable),
            counts.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dvc_loadgen::summary::{LatencyStats, Stats, ThresholdResult};

    #[test]
    fn the_verdict_thresholds_and_steps_come_first_in_either_language() {
        let run = RunSummary {
            scenario: "deadline-eve".into(),
            complete: true,
            duration_seconds: 10.0,
            thresholds: vec![ThresholdResult {
                expression: "step.pay.p95 < 1s".into(),
                value: Some(1.5),
                passed: false,
            }],
            steps: vec![Stats {
                name: "pay".into(),
                count: 10,
                latency_seconds: LatencyStats {
                    p95: 1.5,
                    ..LatencyStats::default()
                },
                ..Stats::default()
            }],
            ..RunSummary::default()
        };
        let vi = markdown(&run, None, Lang::Vi);
        assert!(
            vi.starts_with("## Báo cáo kiểm thử tải — deadline-eve: ❌ KHÔNG ĐẠT"),
            "{vi}"
        );
        assert!(
            vi.contains("| `step.pay.p95 < 1s` | 1.50s | ❌ không đạt |"),
            "{vi}"
        );
        assert!(vi.contains("| pay | 10 | 0 | 0µs | 1.50s |"), "{vi}");
        let en = markdown(&run, Some(&run), Lang::En);
        assert!(
            en.starts_with("## Load test report — deadline-eve: ❌ FAILED"),
            "{en}"
        );
        assert!(en.contains("| pay | ⚪ 1.50s ← 1.50s |"), "{en}");
    }
}
