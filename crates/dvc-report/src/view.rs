//! The run report's view: everything a reader sees, computed once from a `RunSummary` (and
//! the baseline it is compared with) in one language, with every figure already formatted.
//! The HTML and Markdown renderers only lay it out; the HTML one also draws the timeline.

use crate::Lang;
use crate::labels::Labels;
use dvc_loadgen::summary::{RunSummary, Stats, Verdict};
use dvc_loadgen::units::fmt_seconds;

/// A run report's content.
pub(crate) struct RunView<'a> {
    pub l: &'static Labels,
    pub run: &'a RunSummary,
    pub verdict: Verdict,
    /// The scenario's name and, if it has one, its description.
    pub scenario: String,
    pub duration: String,
    pub thresholds: Vec<ThresholdRow<'a>>,
    /// "Arrivals" or "Virtual citizens", its figures, and the requests sent.
    arrivals: (&'static str, Vec<String>, String),
    pub segments: Option<String>,
    /// The note under the charts: how latency was measured.
    pub latency_note: &'static str,
    pub steps: Vec<StatsRow<'a>>,
    pub journeys: Vec<StatsRow<'a>>,
    /// Goose's rows (closed model): step name and its cells.
    pub goose: Option<Vec<(&'a str, [String; 7])>>,
    pub baseline: Option<BaselineView<'a>>,
    /// The post-run lookup: the variable looked up and "N checked", "N missing", ….
    pub verify: Option<(&'a str, [String; 4])>,
    /// Why steps failed: step, outcome, count and reason, each step's kinds in order.
    pub failures: Vec<FailureRow<'a>>,
}

/// One kind of a step's failures.
pub(crate) struct FailureRow<'a> {
    pub step: &'a str,
    pub outcome: &'a str,
    pub count: u64,
    pub reason: &'a str,
}

pub(crate) struct ThresholdRow<'a> {
    pub expression: &'a str,
    pub value: String,
    pub passed: bool,
}

/// A step's or journey's figures, formatted.
pub(crate) struct StatsRow<'a> {
    pub name: &'a str,
    pub count: u64,
    pub errors: u64,
    pub error_rate: String,
    /// p50, p90, p95, p99, max.
    pub p50: String,
    pub p90: String,
    pub p95: String,
    pub p99: String,
    pub max: String,
}

/// The run against an earlier one, step by step.
pub(crate) struct BaselineView<'a> {
    pub scenario: &'a str,
    pub started_at: &'a str,
    /// Why throughput is not compared, when the runs did not ask for one load.
    pub load_note: Option<&'static str>,
    pub rows: Vec<DeltaRow>,
}

/// One step against the baseline: p95, p99, error rate and throughput.
pub(crate) struct DeltaRow {
    pub step: String,
    pub cells: [Moved; 4],
}

/// A figure now and then, formatted, and which way it moved.
pub(crate) struct Moved {
    pub now: String,
    pub then: String,
    pub change: Change,
}

impl<'a> RunView<'a> {
    pub fn new(run: &'a RunSummary, baseline: Option<&'a RunSummary>, lang: Lang) -> RunView<'a> {
        let l = Labels::of(lang);
        let closed = run.goose.is_some();
        let per_second = |v: f64| format!("{v:.1}{}", l.per_second);
        let percent = |v: f64| format!("{:.2}%", v * 100.0);
        RunView {
            l,
            run,
            verdict: run.verdict(),
            scenario: match &run.description {
                Some(d) => format!("{} — {d}", run.scenario),
                None => run.scenario.clone(),
            },
            duration: format!("{:.1} s", run.duration_seconds),
            thresholds: run
                .thresholds
                .iter()
                .map(|t| ThresholdRow {
                    expression: &t.expression,
                    value: t.value_text().unwrap_or_else(|| l.no_data.to_owned()),
                    passed: t.passed,
                })
                .collect(),
            arrivals: arrivals(run, l),
            segments: segments_line(run, l),
            latency_note: if closed {
                l.latency_note_closed
            } else {
                l.latency_note
            },
            steps: run.steps.iter().map(stats_row).collect(),
            journeys: run.journeys.iter().map(stats_row).collect(),
            goose: run.goose.as_ref().map(|g| {
                g.steps
                    .iter()
                    .map(|s| (s.name.as_str(), s.cells()))
                    .collect()
            }),
            baseline: baseline.map(|b| BaselineView {
                scenario: &b.scenario,
                started_at: &b.started_at,
                load_note: match run.same_load(b) {
                    Some(true) => None,
                    Some(false) => Some(l.loads_differ),
                    None => Some(l.loads_unknown),
                },
                rows: deltas(run, b)
                    .into_iter()
                    .map(|d| {
                        let moved =
                            |(now, then, change): (f64, f64, Change),
                             fmt: &dyn Fn(f64) -> String| Moved {
                                now: fmt(now),
                                then: fmt(then),
                                change,
                            };
                        DeltaRow {
                            cells: [
                                moved(d.p95, &fmt_seconds),
                                moved(d.p99, &fmt_seconds),
                                moved(d.error_rate, &percent),
                                moved(d.throughput, &per_second),
                            ],
                            step: d.step,
                        }
                    })
                    .collect(),
            }),
            failures: failure_rows(run, l),
            verify: run.verify.as_ref().map(|v| {
                (
                    v.variable.as_str(),
                    [
                        format!("{} {}", v.checked, l.checked),
                        format!("{} {}", v.missing, l.missing),
                        format!("{} {}", v.duplicated, l.duplicated),
                        format!("{} {}", v.unchecked, l.unchecked),
                    ],
                )
            }),
        }
    }

    /// "Arrivals: N planned, N started, N late, N dropped · N HTTP requests", the figures
    /// separated by `sep`.
    pub fn arrivals_line(&self, sep: &str) -> String {
        let (head, figures, requests) = &self.arrivals;
        format!("{head}: {} · {requests}", figures.join(sep))
    }
}

fn failure_rows<'a>(run: &'a RunSummary, l: &'static Labels) -> Vec<FailureRow<'a>> {
    let mut rows = Vec::new();
    for s in &run.steps {
        for f in &s.failures {
            rows.push(FailureRow {
                step: &s.name,
                outcome: &f.outcome,
                count: f.count,
                reason: &f.reason,
            });
        }
        if s.failures_unlisted > 0 {
            rows.push(FailureRow {
                step: &s.name,
                outcome: "",
                count: s.failures_unlisted,
                reason: l.other_kinds,
            });
        }
    }
    rows
}

fn stats_row(s: &Stats) -> StatsRow<'_> {
    let lat = &s.latency_seconds;
    StatsRow {
        name: &s.name,
        count: s.count,
        errors: s.errors_total(),
        error_rate: format!("{:.2}%", s.error_rate().unwrap_or(0.0) * 100.0),
        p50: fmt_seconds(lat.p50),
        p90: fmt_seconds(lat.p90),
        p95: fmt_seconds(lat.p95),
        p99: fmt_seconds(lat.p99),
        max: fmt_seconds(lat.max),
    }
}

fn arrivals(run: &RunSummary, l: &Labels) -> (&'static str, Vec<String>, String) {
    let a = &run.arrivals;
    let requests = format!("{} {}", run.requests_total, l.requests);
    if let Some(g) = &run.goose {
        return (
            l.virtual_citizens,
            vec![
                format!("{} {}", l.closed_model, g.max_users),
                format!("{} {} {}", a.started, l.journeys_unit, l.started_arrivals),
            ],
            requests,
        );
    }
    (
        l.arrivals,
        vec![
            format!("{} {}", a.planned, l.planned),
            format!("{} {}", a.started, l.started_arrivals),
            format!("{} {}", a.late, l.late),
            format!("{} {}", a.dropped, l.dropped),
        ],
        requests,
    )
}

/// Which generators the run's figures come from, for a split run: the segments merged (hosts,
/// how late each started, clock offsets to the portal) and those missing; or the one segment a
/// file holds. None for a run on one generator.
fn segments_line(run: &RunSummary, l: &Labels) -> Option<String> {
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

/// How a figure moved against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Better,
    Same,
    Worse,
    /// Not to be judged: throughput of runs that asked for different loads.
    NotComparable,
}

/// A step's figures against the same step of the baseline run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Delta {
    pub(crate) step: String,
    /// (now, then, trend) for p95 and p99 in seconds, error rate, and throughput per second.
    pub(crate) p95: (f64, f64, Change),
    pub(crate) p99: (f64, f64, Change),
    pub(crate) error_rate: (f64, f64, Change),
    pub(crate) throughput: (f64, f64, Change),
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

/// Per-step deltas of `run` against `baseline`, for steps both runs have. Throughput is
/// judged only between runs that asked for the same load: more requests a second under a
/// heavier load says nothing of the portal.
pub(crate) fn deltas(run: &RunSummary, baseline: &RunSummary) -> Vec<Delta> {
    let same_load = run.same_load(baseline) == Some(true);
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
                throughput: (
                    tp,
                    btp,
                    if same_load {
                        trend(tp, btp, false)
                    } else {
                        Change::NotComparable
                    },
                ),
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
            ..Stats::default()
        }
    }

    #[test]
    fn deltas_mark_what_got_better_and_worse() {
        let then = RunSummary {
            duration_seconds: 10.0,
            steps: vec![step("home", 1000, 0, 0.100), step("submit", 100, 0, 0.500)],
            load_id: Some("same".into()),
            ..RunSummary::default()
        };
        let mut now = RunSummary {
            duration_seconds: 10.0,
            load_id: Some("same".into()),
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

        // Asked for another load (or not recorded): throughput is not judged.
        now.load_id = Some("heavier".into());
        assert_eq!(deltas(&now, &then)[1].throughput.2, Change::NotComparable);
        assert_eq!(deltas(&now, &then)[1].p95.2, Change::Better);
        now.load_id = None;
        assert_eq!(deltas(&now, &then)[1].throughput.2, Change::NotComparable);
        let view = RunView::new(&now, Some(&then), crate::Lang::En);
        assert_eq!(
            view.baseline.and_then(|b| b.load_note),
            Some(Labels::of(crate::Lang::En).loads_unknown)
        );
    }

    #[test]
    fn failure_reasons_are_listed_per_step_with_the_unlisted_rest() {
        use dvc_loadgen::summary::FailureReason;
        let mut submit = step("submit", 10, 7, 0.2);
        submit.failures = vec![FailureReason {
            outcome: "http_4xx".into(),
            reason: "status 422: 2 attachment(s) required, got 1".into(),
            count: 5,
        }];
        submit.failures_unlisted = 2;
        let run = RunSummary {
            steps: vec![step("home", 10, 0, 0.1), submit],
            ..RunSummary::default()
        };
        let view = RunView::new(&run, None, crate::Lang::En);
        let rows: Vec<(&str, &str, u64, &str)> = view
            .failures
            .iter()
            .map(|f| (f.step, f.outcome, f.count, f.reason))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "submit",
                    "http_4xx",
                    5,
                    "status 422: 2 attachment(s) required, got 1"
                ),
                ("submit", "", 2, "(of other kinds)"),
            ]
        );
        let md = crate::markdown(&run, None, crate::Lang::En);
        assert!(
            md.contains("| submit | http_4xx | 5 | status 422: 2 attachment(s) required, got 1 |"),
            "{md}"
        );
        let html = crate::html(&run, None, crate::Lang::Vi);
        assert!(html.contains("Vì sao các bước thất bại") && html.contains("got 1"));
    }
}
