//! Finding a portal's capacity (`dvcbench run --find-capacity`): the open model's arrival rate
//! raised step by step, each step held long enough to judge, until a step fails (a threshold of
//! the scenario, errors over the limit, arrivals dropped); then the rate between the last step
//! held and the first that failed is narrowed, with a pause before each step so the portal
//! drains. The answer is the highest rate held, with its percentiles: the knee of the latency
//! curve.
//!
//! Each step is a whole run of its own (its histograms, its thresholds), so a step's figures
//! are never mixed with the one before.

use crate::summary::RunSummary;
use crate::units::fmt_seconds;
use serde::{Deserialize, Serialize};

/// How far p95 may grow over the lowest rate's before the latency is past its knee.
pub const KNEE_FACTOR: f64 = 1.5;

/// How the search goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The first step's rate, per second.
    pub start: f64,
    /// Each step's rate over the one before, until a step fails.
    pub growth: f64,
    /// How long each step is held, in seconds.
    pub hold: f64,
    /// The highest rate tried (the scenario's `max_rate`).
    pub max: f64,
    /// Steps that narrow the rate between the last held and the first failed.
    pub refine: u32,
    /// The highest share of failed journeys a step may have and be held.
    pub max_error_rate: f64,
    /// The pause before each step after the first, in seconds.
    pub pause: f64,
}

impl Search {
    /// The search from `start` per second, holding each step `hold` seconds, up to `max`.
    pub fn new(start: f64, hold: f64, max: f64) -> Search {
        Search {
            start,
            growth: 1.5,
            hold,
            max,
            refine: 3,
            max_error_rate: 0.01,
            pause: (hold / 3.0).clamp(1.0, 10.0),
        }
    }
}

/// One step: a rate held for a while, and how the portal took it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The planned arrival rate, per second.
    pub rate: f64,
    pub held: bool,
    /// Why it was not held (None when held).
    pub why: Option<String>,
    pub planned: u64,
    pub started: u64,
    pub dropped: u64,
    pub requests: u64,
    /// Journeys that ended well, per second of the step.
    pub completed_per_second: f64,
    /// Failed journeys over journeys.
    pub error_rate: f64,
    /// False when nothing the portal did was measured: no journey started, or every request
    /// failed to connect.
    pub measured: bool,
    /// Journeys' latency percentiles, in seconds.
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// The search's result (`--out` of a `--find-capacity` run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// `"capacity"`: tells this file from a run.json.
    pub kind: String,
    pub scenario: String,
    pub target: String,
    /// RFC 3339.
    pub started_at: String,
    /// Seconds each step was held.
    pub hold_seconds: f64,
    pub max_error_rate: f64,
    /// In the order they ran.
    pub steps: Vec<Step>,
    /// The highest rate held, per second; None when not even the first step was.
    pub capacity: Option<f64>,
    /// The latency knee: the highest rate held whose p95 stays within 1.5× the p95 of the
    /// lowest rate held (beyond it the portal queues: it holds, slower).
    #[serde(default)]
    pub knee: Option<f64>,
    /// Why the search ended.
    pub ended: String,
    pub dvcbench_version: String,
}

/// Judges one step's run: held, or why not.
pub fn judge(run: &RunSummary, rate: f64, search: &Search) -> Step {
    let all = &run.all_journeys;
    let error_rate = all.error_rate().unwrap_or(0.0);
    let failed: Vec<String> = run
        .thresholds
        .iter()
        .filter(|t| !t.passed)
        .map(|t| {
            format!(
                "{} failed (value {})",
                t.expression,
                t.value_text().unwrap_or_else(|| "no data".into())
            )
        })
        .collect();
    let why = if !run.complete {
        Some(format!(
            "stopped: {}",
            run.stop_reason.as_deref().unwrap_or("early")
        ))
    } else if run.arrivals.started == 0 {
        Some("no journey started".to_owned())
    } else if error_rate > search.max_error_rate {
        Some(format!(
            "errors {:.2}% > {:.2}%",
            error_rate * 100.0,
            search.max_error_rate * 100.0
        ))
    } else if run.arrivals.dropped > 0 {
        Some(format!(
            "{} arrivals dropped (not started in time)",
            run.arrivals.dropped
        ))
    } else if !failed.is_empty() {
        Some(failed.join("; "))
    } else if run.journeys_panicked > 0 {
        Some(format!("{} journeys panicked", run.journeys_panicked))
    } else {
        None
    };
    let l = &all.latency_seconds;
    let requests: u64 = run.steps.iter().map(|s| s.count).sum();
    let unconnected: u64 = run
        .steps
        .iter()
        .map(|s| s.errors.get("connect_error").copied().unwrap_or(0))
        .sum();
    Step {
        measured: run.arrivals.started > 0 && unconnected < requests,
        rate,
        held: why.is_none(),
        why,
        planned: run.arrivals.planned,
        started: run.arrivals.started,
        dropped: run.arrivals.dropped,
        requests: run.requests_total,
        completed_per_second: (all.count - all.errors_total()) as f64
            / run.duration_seconds.max(1e-9),
        error_rate,
        p50: l.p50,
        p95: l.p95,
        p99: l.p99,
    }
}

/// The next rate to try after `steps`, or None when the search is over (with why).
pub fn next_rate(steps: &[Step], search: &Search) -> Result<f64, String> {
    let held = steps
        .iter()
        .filter(|s| s.held)
        .map(|s| s.rate)
        .fold(None, |a: Option<f64>, r| Some(a.map_or(r, |a| a.max(r))));
    let failed = steps
        .iter()
        .filter(|s| !s.held)
        .map(|s| s.rate)
        .fold(None, |a: Option<f64>, r| Some(a.map_or(r, |a| a.min(r))));
    let Some(last) = steps.last() else {
        return Ok(search.start.min(search.max));
    };
    match (held, failed) {
        (None, Some(_)) => Err(format!(
            "the first step ({}/s) was not held: the capacity is below it (start lower with --rate)",
            trim(last.rate)
        )),
        (Some(h), None) if h >= search.max => Err(format!(
            "every step held up to max_rate {}/s: the capacity is at least that (raise max_rate to go on)",
            trim(search.max)
        )),
        (Some(h), None) => Ok((h * search.growth).min(search.max)),
        (Some(h), Some(f)) => {
            // Steps run since the first failure narrow the gap, halving it each time.
            let narrowing = steps.len() - first_failure(steps) - 1;
            if narrowing as u32 >= search.refine {
                Err(format!(
                    "held {}/s, failed {}/s: narrowed to within {:.0}%",
                    trim(h),
                    trim(f),
                    (f - h) / h * 100.0
                ))
            } else {
                Ok((h + f) / 2.0)
            }
        }
        (None, None) => Err("no step ran".to_owned()),
    }
}

fn first_failure(steps: &[Step]) -> usize {
    steps.iter().position(|s| !s.held).unwrap_or(steps.len())
}

/// A rate without trailing zeros: `20`, `67.5`, `93.75`.
fn trim(rate: f64) -> String {
    let text = format!("{rate:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Capacity {
    /// The terminal report.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "\ncapacity of {} against {} (each step held {}, errors up to {:.0}%)\n\n",
            self.scenario,
            self.target,
            fmt_seconds(self.hold_seconds),
            self.max_error_rate * 100.0
        );
        out.push_str(&format!(
            "{:>4} {:>10} {:>5} {:>12} {:>9} {:>9} {:>9} {:>8}  why not held\n",
            "step", "rate", "held", "completed/s", "p50", "p95", "p99", "errors"
        ));
        for (i, s) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "{:>4} {:>10} {:>5} {:>12.1} {:>9} {:>9} {:>9} {:>7.2}%  {}\n",
                i + 1,
                format!("{}/s", trim(s.rate)),
                if s.held { "✓" } else { "✗" },
                s.completed_per_second,
                fmt_seconds(s.p50),
                fmt_seconds(s.p95),
                fmt_seconds(s.p99),
                s.error_rate * 100.0,
                s.why.as_deref().unwrap_or("")
            ));
        }
        match self.best() {
            Some(best) => out.push_str(&format!(
                "\ncapacity  {}/s held: {:.1} journeys completed a second, p50 {}, p95 {}, p99 {}\n",
                trim(best.rate),
                best.completed_per_second,
                fmt_seconds(best.p50),
                fmt_seconds(best.p95),
                fmt_seconds(best.p99)
            )),
            None => out.push_str("\ncapacity  not found: no step was held\n"),
        }
        if let (Some(knee), Some(best)) = (self.knee_step(), self.best())
            && knee.rate < best.rate
        {
            out.push_str(&format!(
                "knee      {}/s: the highest rate whose p95 ({}) stays within {KNEE_FACTOR}× the lowest rate's; above it the portal holds by queueing (p95 {} at {}/s)\n",
                trim(knee.rate),
                fmt_seconds(knee.p95),
                fmt_seconds(best.p95),
                trim(best.rate)
            ));
        }
        out.push_str(&format!("ended     {}\n", self.ended));
        out
    }

    /// The highest step held whose p95 is within [`KNEE_FACTOR`] of the lowest held step's.
    pub fn knee_step(&self) -> Option<&Step> {
        let base = self
            .steps
            .iter()
            .filter(|s| s.held)
            .min_by(|a, b| a.rate.total_cmp(&b.rate))?
            .p95;
        self.steps
            .iter()
            .filter(|s| s.held && s.p95 <= base * KNEE_FACTOR)
            .max_by(|a, b| a.rate.total_cmp(&b.rate))
    }

    /// The highest step held.
    pub fn best(&self) -> Option<&Step> {
        self.steps
            .iter()
            .filter(|s| s.held)
            .max_by(|a, b| a.rate.total_cmp(&b.rate))
    }
}

/// Runs the search: one run per step against `base_url`, until [`next_rate`] ends it or
/// `interrupt` turns true. `on_step` hears of each step as it ends.
#[cfg(feature = "engine")]
pub async fn find(
    scenario: std::sync::Arc<crate::scenario::Scenario>,
    client: dvc_http::HttpClient,
    base_url: &str,
    target_label: &str,
    search: &Search,
    mut interrupt: tokio::sync::watch::Receiver<bool>,
    mut on_step: impl FnMut(usize, &Step),
) -> Capacity {
    use crate::scenario::Overrides;
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut steps: Vec<Step> = Vec::new();
    let ended = loop {
        let rate = match next_rate(&steps, search) {
            Ok(rate) => rate,
            Err(why) => break why,
        };
        if !steps.is_empty() {
            // The portal drains what the last step left queued before the next one.
            let pause = std::time::Duration::from_secs_f64(search.pause);
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = interrupt.wait_for(|stop| *stop) => {}
            }
        }
        if *interrupt.borrow() {
            break "interrupted".to_owned();
        }
        let mut s = (*scenario).clone();
        if let Err(e) = s.apply(&Overrides {
            rate: Some(format!("{rate}/s")),
            duration: Some(format!("{}ms", (search.hold * 1000.0).round())),
            ..Overrides::default()
        }) {
            break format!("{}/s cannot be run: {e}", trim(rate));
        }
        let run = crate::run(
            std::sync::Arc::new(s),
            client.clone(),
            crate::RunOptions {
                base_url: base_url.to_owned(),
                target_label: target_label.to_owned(),
                live: None,
                progress: crate::live::Progress::Off,
                interrupt: interrupt.clone(),
                segment: crate::segment::Segment::WHOLE,
                start_at: None,
            },
        )
        .await;
        if run.stop_reason.as_deref() == Some("interrupted") {
            break "interrupted".to_owned();
        }
        let step = judge(&run, rate, search);
        on_step(steps.len() + 1, &step);
        steps.push(step);
    };
    let mut result = Capacity {
        kind: "capacity".to_owned(),
        scenario: scenario.name.clone(),
        target: target_label.to_owned(),
        started_at,
        hold_seconds: search.hold,
        max_error_rate: search.max_error_rate,
        steps,
        capacity: None,
        knee: None,
        ended,
        dvcbench_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    result.capacity = result.best().map(|s| s.rate);
    result.knee = result.knee_step().map(|s| s.rate);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(rate: f64, held: bool) -> Step {
        Step {
            rate,
            held,
            ..Step::default()
        }
    }

    #[test]
    fn the_rate_grows_until_a_step_fails_then_narrows() {
        let search = Search::new(20.0, 3.0, 1000.0);
        let mut steps = Vec::new();
        let mut rates = Vec::new();
        // A portal that holds up to 100/s.
        while let Ok(rate) = next_rate(&steps, &search) {
            rates.push(rate);
            steps.push(step(rate, rate <= 100.0));
        }
        assert_eq!(&rates[..5], &[20.0, 30.0, 45.0, 67.5, 101.25]);
        assert_eq!(rates.len(), 8, "{rates:?}");
        let best = steps
            .iter()
            .filter(|s| s.held)
            .map(|s| s.rate)
            .fold(0.0, f64::max);
        assert!((90.0..=100.0).contains(&best), "{best} from {rates:?}");
        let end = next_rate(&steps, &search).expect_err("over");
        assert!(end.contains("narrowed"), "{end}");
    }

    #[test]
    fn the_search_ends_at_max_rate_or_below_the_first_step() {
        let search = Search::new(20.0, 3.0, 50.0);
        let steps = vec![
            step(20.0, true),
            step(30.0, true),
            step(45.0, true),
            step(50.0, true),
        ];
        assert!(
            next_rate(&steps, &search)
                .expect_err("at max")
                .contains("at least")
        );
        assert_eq!(next_rate(&steps[..3], &search), Ok(50.0));
        let low = vec![step(20.0, false)];
        assert!(
            next_rate(&low, &search)
                .expect_err("below")
                .contains("below it")
        );
    }
}
