//! Renderers, and nothing else: run reports ([`html()`], [`markdown()`]: one self-contained
//! HTML file with charts, inline SVG and CSS, no script; Markdown for CI comments and tickets),
//! optionally compared with an earlier run, and the province comparison's reports
//! ([`compare`]: HTML, Markdown, CSV, the terminal ranking), in Vietnamese or English. The data
//! comes from `dvc-loadgen`'s `RunSummary` and `dvc-compare`'s `Comparison`.

pub mod compare;
mod escape;
mod html;
mod i18n;
mod labels;
mod markdown;
pub mod svg;

pub use html::html;
pub use i18n::{Lang, UnknownLang};
pub use markdown::markdown;

use dvc_loadgen::summary::{RunSummary, Stats};

/// A threshold's measured value as reports show it.
fn threshold_value(t: &dvc_loadgen::summary::ThresholdResult, l: &labels::Labels) -> String {
    t.value_text().unwrap_or_else(|| l.no_data.to_owned())
}

/// Which generators the run's figures come from, for a split run: the segments merged (hosts,
/// how late each started, clock offsets to the portal) and those missing; or the one segment a
/// file holds. None for a run on one generator.
fn segments_line(run: &RunSummary, l: &labels::Labels) -> Option<String> {
    if let Some(s) = run.segment.as_ref().filter(|s| s.count > 1) {
        return Some(format!(
            "{} {}/{} ({}): {}",
            l.segment, s.index, s.count, s.host, l.segment_judged
        ));
    }
    let count = run.segments.first()?.count;
    let seconds = |v: f64| format!("{v:+.3} s");
    let each: Vec<String> = run
        .segments
        .iter()
        .map(|s| {
            let offset = s.clock_offset_seconds.map_or("?".to_owned(), seconds);
            format!(
                "{} {} ({} {}, {} {offset})",
                s.index,
                s.host,
                l.started_late,
                seconds(s.start_lateness_seconds),
                l.clock_offset
            )
        })
        .collect();
    let mut line = format!(
        "{} {}/{}: {}",
        l.merged_from,
        run.segments.len(),
        count,
        each.join("; ")
    );
    if !run.missing_segments.is_empty() {
        let missing: Vec<String> = run
            .missing_segments
            .iter()
            .map(|i| format!("{i}/{count}"))
            .collect();
        line.push_str(&format!(" · {} {}", l.segments_missing, missing.join(", ")));
    }
    Some(line)
}

/// "Arrivals: N planned, N started, N late, N dropped · N HTTP requests", the first four
/// separated by `sep`.
fn arrivals_line(run: &RunSummary, l: &labels::Labels, sep: &str) -> String {
    let a = &run.arrivals;
    if let Some(g) = &run.goose {
        return format!(
            "{}: {} {}{sep}{} {} {} · {} {}",
            l.virtual_citizens,
            l.closed_model,
            g.max_users,
            a.started,
            l.journeys_unit,
            l.started_arrivals,
            run.requests_total,
            l.requests
        );
    }
    format!(
        "{}: {} {}{sep}{} {}{sep}{} {}{sep}{} {} · {} {}",
        l.arrivals,
        a.planned,
        l.planned,
        a.started,
        l.started_arrivals,
        a.late,
        l.late,
        a.dropped,
        l.dropped,
        run.requests_total,
        l.requests
    )
}

/// How a figure moved against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Better,
    Same,
    Worse,
}

/// A step's figures against the same step of the baseline run.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    pub step: String,
    /// (now, then, trend) for p95 and p99 in seconds, error rate, and throughput per second.
    pub p95: (f64, f64, Change),
    pub p99: (f64, f64, Change),
    pub error_rate: (f64, f64, Change),
    pub throughput: (f64, f64, Change),
}

/// Changes within 5% (or, for error rates, 0.1 percentage point) count as the same.
fn trend(now: f64, then: f64, lower_is_better: bool) -> Change {
    let tolerance = if lower_is_better && then < 0.01 && now < 0.01 {
        0.001
    } else {
        then.abs() * 0.05
    };
    if (now - then).abs() <= tolerance {
        Change::Same
    } else if (now < then) == lower_is_better {
        Change::Better
    } else {
        Change::Worse
    }
}

/// Per-step deltas of `run` against `baseline`, for steps both runs have.
pub fn deltas(run: &RunSummary, baseline: &RunSummary) -> Vec<Delta> {
    let per_second = |s: &Stats, r: &RunSummary| s.count as f64 / r.duration_seconds.max(1e-9);
    run.steps
        .iter()
        .filter_map(|s| {
            let b = baseline.steps.iter().find(|b| b.name == s.name)?;
            let (l, bl) = (&s.latency_seconds, &b.latency_seconds);
            let (er, ber) = (s.error_rate().unwrap_or(0.0), b.error_rate().unwrap_or(0.0));
            let (tp, btp) = (per_second(s, run), per_second(b, baseline));
            Some(Delta {
                step: s.name.clone(),
                p95: (l.p95, bl.p95, trend(l.p95, bl.p95, true)),
                p99: (l.p99, bl.p99, trend(l.p99, bl.p99, true)),
                error_rate: (er, ber, trend(er, ber, true)),
                throughput: (tp, btp, trend(tp, btp, false)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dvc_loadgen::summary::LatencyStats;

    fn step(name: &str, count: u64, errors: u64, p95: f64) -> Stats {
        Stats {
            name: name.into(),
            count,
            errors: if errors > 0 {
                [("http_5xx".to_owned(), errors)].into_iter().collect()
            } else {
                Default::default()
            },
            latency_seconds: LatencyStats {
                p95,
                p99: p95 * 2.0,
                ..LatencyStats::default()
            },
            histogram: None,
        }
    }

    #[test]
    fn deltas_mark_what_got_better_and_worse() {
        let then = RunSummary {
            duration_seconds: 10.0,
            steps: vec![step("home", 1000, 0, 0.100), step("submit", 100, 0, 0.500)],
            ..RunSummary::default()
        };
        let now = RunSummary {
            duration_seconds: 10.0,
            steps: vec![
                step("home", 1000, 0, 0.102),
                step("submit", 150, 15, 0.300),
                step("new", 1, 0, 0.1),
            ],
            ..RunSummary::default()
        };
        let d = deltas(&now, &then);
        assert_eq!(d.len(), 2, "only steps both runs have");
        assert_eq!(d[0].p95.2, Change::Same, "2% is noise");
        assert_eq!(d[0].error_rate.2, Change::Same);
        assert_eq!(d[1].p95.2, Change::Better);
        assert_eq!(d[1].error_rate, (0.1, 0.0, Change::Worse));
        assert_eq!(d[1].throughput, (15.0, 10.0, Change::Better));
    }
}
