//! The Markdown report, for CI comments and tickets.

use crate::Lang;
use crate::labels::Labels;
use crate::{Change, arrivals_line, deltas, segments_line, threshold_value};
use dvc_loadgen::summary::{RunSummary, Verdict};
use dvc_loadgen::units::fmt_seconds;
use std::fmt::Write;

use crate::escape::markdown_cell as cell;

/// The Markdown report.
pub fn markdown(run: &RunSummary, baseline: Option<&RunSummary>, lang: Lang) -> String {
    let l = Labels::of(lang);
    let mut out = String::new();
    let word = match run.verdict() {
        Verdict::Passed => format!("✅ {}", l.passed),
        Verdict::Failed => format!("❌ {}", l.failed),
        Verdict::Incomplete => format!("⚠️ {}", l.incomplete),
    };
    let _ = writeln!(out, "## {} — {}: {word}\n", l.title, cell(&run.scenario));
    let _ = writeln!(
        out,
        "{} `{}` · {} {} · {} {:.1} s\n",
        l.target, run.target, l.started, run.started_at, l.duration, run.duration_seconds
    );
    if !run.thresholds.is_empty() {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---|---|",
            l.expression, l.value, l.result
        );
        for t in &run.thresholds {
            let value = threshold_value(t, l);
            let result = if t.passed {
                format!("✅ {}", l.ok)
            } else {
                format!("❌ {}", l.not_ok)
            };
            let _ = writeln!(out, "| `{}` | {value} | {result} |", cell(&t.expression));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}\n", arrivals_line(run, l, ", "));
    if let Some(line) = segments_line(run, l) {
        let _ = writeln!(out, "{}\n", cell(&line));
    }
    let _ = writeln!(
        out,
        "| {} | {} | {} | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|",
        l.steps, l.count, l.errors
    );
    for s in &run.steps {
        let lat = &s.latency_seconds;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&s.name),
            s.count,
            s.errors_total(),
            fmt_seconds(lat.p50),
            fmt_seconds(lat.p95),
            fmt_seconds(lat.p99),
            fmt_seconds(lat.max)
        );
    }
    if let Some(g) = &run.goose {
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
        for st in &g.steps {
            let _ = writeln!(out, "| {} | {} |", cell(&st.name), st.cells().join(" | "));
        }
    }
    if let Some(b) = baseline {
        let _ = writeln!(
            out,
            "\n### {} ({})\n\n| {} | p95 | p99 | {} | {} |\n|---|---|---|---|---|",
            l.baseline, b.started_at, l.name, l.error_rate, l.throughput
        );
        let mark = |t: Change| match t {
            Change::Better => "🟢",
            Change::Same => "⚪",
            Change::Worse => "🔴",
        };
        for d in deltas(run, b) {
            let _ = writeln!(
                out,
                "| {} | {} {} ← {} | {} {} ← {} | {} {:.2}% ← {:.2}% | {} {:.1} ← {:.1}{} |",
                cell(&d.step),
                mark(d.p95.2),
                fmt_seconds(d.p95.0),
                fmt_seconds(d.p95.1),
                mark(d.p99.2),
                fmt_seconds(d.p99.0),
                fmt_seconds(d.p99.1),
                mark(d.error_rate.2),
                d.error_rate.0 * 100.0,
                d.error_rate.1 * 100.0,
                mark(d.throughput.2),
                d.throughput.0,
                d.throughput.1,
                l.per_second
            );
        }
    }
    if let Some(v) = &run.verify {
        let _ = writeln!(
            out,
            "\n{}: {} {} {}, {} {}, {} {}, {} {}",
            l.verify,
            v.checked,
            cell(&v.variable),
            l.checked,
            v.missing,
            l.missing,
            v.duplicated,
            l.duplicated,
            v.unchecked,
            l.unchecked
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
