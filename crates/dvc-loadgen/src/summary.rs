//! The run summary: `run.json` (schema version 1) and the terminal table.

use crate::recorder::{Outcome, Series};
use crate::units::fmt_seconds;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Schema version of `run.json`.
pub const SCHEMA_VERSION: u32 = 1;

/// Latency percentiles in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// One step's or journey's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub name: String,
    pub count: u64,
    /// Non-ok outcomes by id (`check_failed`, `http_4xx`, `http_5xx`, `timeout`,
    /// `connect_error`), zeros left out.
    pub errors: BTreeMap<String, u64>,
    pub latency_seconds: LatencyStats,
    /// The latencies (µs) as an HdrHistogram, V2 compressed, base64 ([`crate::recorder::encode`]):
    /// what `dvcbench merge` adds across segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
    /// Why its requests failed: the first few kinds, most frequent first (steps only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<FailureReason>,
    /// Failures of kinds past those listed in `failures`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failures_unlisted: u64,
}

/// One kind of failure: its outcome, the first reason given (status, a short excerpt of the
/// body, secrets redacted) and how many failures were of its kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FailureReason {
    pub outcome: String,
    pub reason: String,
    pub count: u64,
}

impl Stats {
    /// The figures of `series`, with its histogram kept for merging.
    pub fn from_series(name: &str, series: &Series) -> Stats {
        Stats {
            histogram: Some(crate::recorder::encode(&series.latency)),
            ..Stats::figures_of(name, series)
        }
    }

    /// The figures of `series` alone (thresholds judged while a run goes on need no histogram).
    pub fn figures_of(name: &str, series: &Series) -> Stats {
        let h = &series.latency;
        let s = |micros: u64| micros as f64 / 1e6;
        let latency_seconds = if h.is_empty() {
            LatencyStats::default()
        } else {
            LatencyStats {
                min: s(h.min()),
                mean: h.mean() / 1e6,
                p50: s(h.value_at_quantile(0.5)),
                p90: s(h.value_at_quantile(0.9)),
                p95: s(h.value_at_quantile(0.95)),
                p99: s(h.value_at_quantile(0.99)),
                p999: s(h.value_at_quantile(0.999)),
                max: s(h.max()),
            }
        };
        Stats {
            name: name.to_owned(),
            count: series.count(),
            errors: Outcome::ALL
                .into_iter()
                .filter(|o| *o != Outcome::Ok && series.outcome(*o) > 0)
                .map(|o| (o.id().to_owned(), series.outcome(o)))
                .collect(),
            latency_seconds,
            histogram: None,
            failures: series
                .reasons
                .kinds()
                .into_iter()
                .map(|k| FailureReason {
                    outcome: k.outcome.id().to_owned(),
                    reason: k.example.clone(),
                    count: k.count,
                })
                .collect(),
            failures_unlisted: series.reasons.unlisted(),
        }
    }

    /// The series these figures were made from: outcome counts and the latency histogram.
    /// An error for figures without a histogram, or whose counts do not add up.
    pub fn series(&self) -> Result<Series, String> {
        let text = self.histogram.as_deref().ok_or_else(|| {
            format!(
                "{} has no histogram (written by a dvcbench before 0.2)",
                self.name
            )
        })?;
        let latency = crate::recorder::decode(text).map_err(|e| format!("{}: {e}", self.name))?;
        let mut outcomes = [0u64; Outcome::ALL.len()];
        for (id, n) in &self.errors {
            let o = Outcome::from_id(id)
                .filter(|o| *o != Outcome::Ok)
                .ok_or_else(|| format!("{}: unknown outcome {id:?}", self.name))?;
            outcomes[Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)] = *n;
        }
        let errors: u64 = outcomes.iter().fold(0u64, |a, b| a.saturating_add(*b));
        outcomes[0] = self.count.checked_sub(errors).ok_or_else(|| {
            format!(
                "{}: {errors} errors out of {} counted",
                self.name, self.count
            )
        })?;
        if latency.len() != self.count {
            return Err(format!(
                "{}: its histogram holds {} latencies, its count says {}",
                self.name,
                latency.len(),
                self.count
            ));
        }
        let mut reasons = crate::reasons::Reasons::default();
        for f in &self.failures {
            let outcome = Outcome::from_id(&f.outcome)
                .filter(|o| *o != Outcome::Ok)
                .ok_or_else(|| format!("{}: unknown outcome {:?}", self.name, f.outcome))?;
            reasons.note(outcome, &f.reason, f.count);
        }
        reasons.note_unlisted(self.failures_unlisted);
        if reasons.total() > errors {
            return Err(format!(
                "{}: {} failures have reasons, but only {errors} errors are counted",
                self.name,
                reasons.total()
            ));
        }
        Ok(Series {
            latency,
            outcomes,
            reasons,
        })
    }

    pub fn errors_total(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Errors over count (0–1); None when nothing ran.
    pub fn error_rate(&self) -> Option<f64> {
        (self.count > 0).then(|| self.errors_total() as f64 / self.count as f64)
    }
}

/// What happened to the planned arrivals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Arrivals {
    /// Arrivals the plan scheduled up to the end (or the stop) of the run.
    pub planned: u64,
    /// Journeys started.
    pub started: u64,
    /// Started more than 10 ms after their intended time (waiting for max_in_flight).
    pub late: u64,
    /// Never started: over max_start_delay, or still waiting when the run stopped.
    pub dropped: u64,
}

/// A threshold's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    pub expression: String,
    pub value: Option<f64>,
    pub passed: bool,
}

impl ThresholdResult {
    /// The measured value in its metric's unit: `4.4ms`, `0.12%`, `52.0/s`, `3`; None with no
    /// data.
    pub fn value_text(&self) -> Option<String> {
        let v = self.value?;
        let metric = self.expression.split(' ').next().unwrap_or_default();
        Some(match metric.rsplit('.').next().unwrap_or_default() {
            "p50" | "p90" | "p95" | "p99" | "p999" | "max" | "mean" => fmt_seconds(v),
            "error_rate" => format!("{:.2}%", v * 100.0),
            "rate" => format!("{v:.1}/s"),
            _ if v.fract() == 0.0 => format!("{v:.0}"),
            _ => format!("{v:.4}"),
        })
    }
}

/// The post-run lookup of created records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyResult {
    pub variable: String,
    /// Distinct values whose lookup the portal answered (found or not).
    pub checked: u64,
    /// Answered lookups that did not find the record.
    pub missing: u64,
    /// Values handed out to more than one journey (extra occurrences).
    pub duplicated: u64,
    /// Distinct values that could not be checked: no usable answer (5xx, 429, a timeout, no
    /// connection) after three tries, or none within the lookups' five minutes.
    #[serde(default)]
    pub unchecked: u64,
    /// A segment of a split run: a 64-bit hash of every value the variable took (sorted,
    /// little-endian, base64), so `dvcbench merge` finds values duplicated across segments
    /// without the values themselves leaving the generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_hashes: Option<String>,
}

/// One second of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Seconds since the start.
    pub t: f64,
    pub planned_rate: f64,
    pub arrivals_started: u64,
    pub requests: u64,
    pub errors: BTreeMap<String, u64>,
    pub in_flight: u64,
    /// Step latency percentiles over this second, all steps together.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    /// This second's step latencies (µs), all steps together, as an encoded HdrHistogram;
    /// left out when the second recorded none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
    /// Closed model: virtual citizens the stages plan now, and those alive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_users: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<u64>,
}

/// A closed run's figures as Goose measured them, per step (Goose names each request after
/// its step; a polling step's requests are counted one by one). Times are Goose's, which it
/// rounds: to 10 ms from 100 ms, 100 ms from 500 ms and 1 s from 1 s.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GooseFigures {
    /// Goose's coordinated-omission mitigation: backfills requests a slow answer held up, at
    /// the citizen's average cadence.
    pub mitigation: String,
    pub max_users: u64,
    pub steps: Vec<GooseStep>,
}

/// One step's requests in Goose's figures (seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GooseStep {
    pub name: String,
    pub requests: u64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    /// Requests with the mitigation's backfill.
    pub adjusted_requests: u64,
    pub adjusted_p50: Option<f64>,
    pub adjusted_p95: Option<f64>,
    pub adjusted_p99: Option<f64>,
}

impl GooseStep {
    /// Requests, p50, p95, p99, adjusted requests, adjusted p95 and p99, as shown in tables.
    pub fn cells(&self) -> [String; 7] {
        let secs = |v: Option<f64>| v.map_or("-".to_owned(), fmt_seconds);
        [
            self.requests.to_string(),
            secs(self.p50),
            secs(self.p95),
            secs(self.p99),
            self.adjusted_requests.to_string(),
            secs(self.adjusted_p95),
            secs(self.adjusted_p99),
        ]
    }
}

fn open_model() -> String {
    "open".to_owned()
}

/// `run.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub schema_version: u32,
    /// `open` (arrivals on a schedule) or `closed` (virtual citizens on Goose).
    #[serde(default = "open_model")]
    pub model: String,
    pub scenario: String,
    pub description: Option<String>,
    pub target: String,
    /// RFC 3339.
    pub started_at: String,
    pub duration_seconds: f64,
    /// False when the run was stopped early (Ctrl-C, abort_on_fail).
    pub complete: bool,
    pub stop_reason: Option<String>,
    pub arrivals: Arrivals,
    pub requests_total: u64,
    /// All journeys together.
    pub all_journeys: Stats,
    pub journeys: Vec<Stats>,
    pub steps: Vec<Stats>,
    pub thresholds: Vec<ThresholdResult>,
    pub verify: Option<VerifyResult>,
    pub timeline: Vec<TimelinePoint>,
    pub dvcbench_version: String,
    /// The scenario file as run.
    #[serde(default)]
    pub scenario_source: Option<String>,
    /// Where the generator ran.
    #[serde(default)]
    pub machine: Option<Machine>,
    /// Closed model: Goose's own figures, raw and adjusted for coordinated omission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goose: Option<GooseFigures>,
    /// Which share of the plan this run took (1/1 unless split with `--segment`), and how its
    /// start went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<SegmentInfo>,
    /// A merged result (`dvcbench merge`): the segments it adds up, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentInfo>,
    /// A merged result: the segments of 1..N that were not there to add (the result is then
    /// incomplete).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_segments: Vec<u32>,
    /// Journeys that panicked (a bug in dvcbench): counted as failed journeys, and the run
    /// fails on them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub journeys_panicked: u64,
    /// Identifies the load asked for: a hash of the stages (rates or virtual citizens, after
    /// `--rate`, `--scale`, `--duration`) and the journeys' weights. Two runs with the same one
    /// asked for the same load, whatever else their scenario files changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_id: Option<String>,
}

impl RunSummary {
    /// Whether this run and `other` asked for the same load: the same `load_id` and the same
    /// share of it (a segment of a split run is 1/N of its load). None when either file does
    /// not say (written before `load_id` was recorded).
    pub fn same_load(&self, other: &RunSummary) -> Option<bool> {
        let share = |r: &RunSummary| r.segment.as_ref().map_or(1, |s| s.count);
        let (a, b) = (self.load_id.as_ref()?, other.load_id.as_ref()?);
        Some(a == b && share(self) == share(other))
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One generator's part in a run: which segment, of which plan, and how it started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// Segment `index` (1-based) of `count`.
    pub index: u32,
    pub count: u32,
    /// Identifies the plan: a hash of the scenario file and of the load as run (overrides
    /// such as `--rate` and `--scale` included). Segments of one run share it.
    pub plan_id: String,
    pub seed: u64,
    /// The generator's host name (a pod's name on Kubernetes).
    pub host: String,
    /// The common start asked for with `--start-at` (RFC 3339), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// How far behind the common start this generator began its plan, in seconds (its
    /// arrivals due meanwhile started late and count as such).
    pub start_lateness_seconds: f64,
    /// The target's clock minus this generator's, in seconds, from the target's `Date`
    /// header (to about ±0.1 s); None when the target sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_seconds: Option<f64>,
}

/// The generator's machine, for reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub cpus: usize,
}

impl Machine {
    /// This machine.
    pub fn current() -> Machine {
        Machine {
            hostname: std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .ok()
                .or_else(|| std::env::var("HOSTNAME").ok())
                .unwrap_or_default(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// How a run went: every threshold passed (and it ran to the end), one failed, or it was
/// stopped early with none failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    Incomplete,
}

impl RunSummary {
    /// True when every threshold passed and no journey panicked.
    pub fn passed(&self) -> bool {
        self.journeys_panicked == 0 && self.thresholds.iter().all(|t| t.passed)
    }

    /// The run's verdict.
    pub fn verdict(&self) -> Verdict {
        match (self.passed(), self.complete) {
            (true, true) => Verdict::Passed,
            (true, false) => Verdict::Incomplete,
            (false, _) => Verdict::Failed,
        }
    }
}

mod text;

#[cfg(test)]
mod tests;
