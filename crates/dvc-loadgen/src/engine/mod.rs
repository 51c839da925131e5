//! Running journeys: the shared runtime, one journey's steps, and the open-model scheduler.
//!
//! Every latency is measured from the *intended* start: a journey's first step from the
//! instant the plan scheduled its arrival (so time spent waiting for a slot, or behind a stalled
//! server, is in the figures), each later step from the end of the previous one (plus think
//! time). This is what keeps coordinated omission out of the percentiles.

mod browser;
pub mod closed;
mod excerpt;
pub mod open;
pub mod request;
mod step;

use crate::data;
use crate::live::LiveMetrics;
use crate::recorder::{Outcome, Recorder};
use crate::scenario::{Scenario, Think};
use crate::segment::Segment;
use dvc_http::HttpClient;
use dvc_http::RequestTimer;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use request::{FileCache, JourneyState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// What one step of a traced journey did.
#[derive(Debug, Clone)]
pub struct StepTrace {
    pub step: String,
    pub duration: Duration,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

/// Everything journeys share during a run.
pub struct Runtime {
    pub scenario: std::sync::Arc<Scenario>,
    pub client: HttpClient,
    pub base_url: String,
    pub recorder: Recorder,
    /// Index of each (journey, step) into the step series (one per distinct step name).
    pub step_series: Vec<Vec<usize>>,
    pub step_names: Vec<String>,
    files: FileCache,
    file_ids: Vec<Vec<usize>>,
    pub live: Option<LiveMetrics>,
    pub in_flight: AtomicU64,
    /// Whether a template or the verify variable uses `journey.id` or `journey.name`.
    uses_journey_vars: bool,
    /// Values of the verify variable, one per journey that extracted it.
    pub verify_values: Mutex<Vec<String>>,
    /// The share of the run this process takes ([`Segment::WHOLE`] unless split).
    pub segment: Segment,
    /// Journeys that panicked (a bug): each is counted as failed, and fails the run.
    pub panicked: AtomicU64,
    /// The kinds of failure already logged, per step series.
    logged_kinds: Mutex<Vec<(usize, crate::reasons::Reasons)>>,
    /// Whether a step submits a form of the page before it (each answer is then kept).
    keeps_pages: bool,
    /// Redirects and forms may lead to any host (the probe, which watches rather than loads);
    /// else only where the run may send load.
    pub any_host: bool,
}

impl Runtime {
    pub fn new(
        scenario: std::sync::Arc<Scenario>,
        client: HttpClient,
        base_url: String,
        live: Option<LiveMetrics>,
    ) -> Self {
        let step_names = scenario.step_names();
        let mut step_series = Vec::new();
        let mut file_ids = Vec::new();
        let mut all_steps = Vec::new();
        for journey in &scenario.journeys {
            let mut ids = Vec::new();
            let mut files = Vec::new();
            for step in &journey.steps {
                let idx = step_names.iter().position(|n| *n == step.name);
                ids.push(idx.expect("invariant: step_names holds every step's name"));
                files.push(all_steps.len());
                all_steps.push(step);
            }
            step_series.push(ids);
            file_ids.push(files);
        }
        let shards = std::thread::available_parallelism().map_or(4, |n| n.get() * 4);
        let keeps_pages = all_steps.iter().any(|s| s.submit_form.is_some());
        let builtin = |v: &str| v == "journey.id" || v == "journey.name";
        let uses_journey_vars = all_steps.iter().any(|s| s.vars().into_iter().any(builtin))
            || scenario
                .target
                .headers
                .iter()
                .any(|(_, t)| t.vars().any(builtin))
            || scenario
                .verify
                .as_ref()
                .is_some_and(|v| builtin(&v.variable) || v.path.vars().any(builtin));
        Runtime {
            recorder: Recorder::new(step_names.len(), scenario.journeys.len(), shards),
            files: FileCache::new(&all_steps),
            file_ids,
            step_series,
            step_names,
            scenario,
            client,
            base_url,
            live,
            in_flight: AtomicU64::new(0),
            panicked: AtomicU64::new(0),
            uses_journey_vars,
            verify_values: Mutex::new(Vec::new()),
            segment: Segment::WHOLE,
            logged_kinds: Mutex::new(Vec::new()),
            keeps_pages,
            any_host: false,
        }
    }

    /// Runs journey `j` for arrival number `arrival`, intended to start at `intended`; returns
    /// when it ended.
    /// `timer` times the journey's requests (a worker keeps one for all its journeys).
    pub async fn run_journey(
        &self,
        j: usize,
        arrival: u64,
        intended: Instant,
        timer: &mut RequestTimer,
    ) -> Instant {
        self.journey(j, arrival, intended, None, &mut Via::Pool(timer), None)
            .await
    }

    /// Runs journey `j` once, starting now, and returns what each step did (the probe's
    /// scripted checks).
    pub async fn trace_journey(&self, j: usize, arrival: u64) -> Vec<StepTrace> {
        let mut trace = Vec::new();
        self.journey(
            j,
            arrival,
            Instant::now(),
            None,
            &mut Via::Pool(&mut RequestTimer::new()),
            Some(&mut trace),
        )
        .await;
        trace
    }

    /// Runs journey `j` (arrival number `arrival`, intended to start at `intended`).
    /// `session` carries a virtual citizen's variables and cookies from one journey to the
    /// next: its data (citizen, feeder row) is drawn on its first journey and kept. Without a
    /// session each journey draws its own.
    async fn journey(
        &self,
        j: usize,
        arrival: u64,
        intended: Instant,
        session: Option<&mut JourneyState>,
        via: &mut Via<'_>,
        trace: Option<&mut Vec<StepTrace>>,
    ) -> Instant {
        let run = self.journey_steps(j, arrival, intended, session, via, trace);
        match guarded(run).await {
            Ok(ended) => ended,
            Err(message) => {
                // Counted as a failed journey, never lost; the run fails on it.
                self.panicked.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    journey = %self.scenario.journeys[j].name,
                    arrival,
                    %message,
                    "a journey panicked (a bug in dvcbench: please report it); it is counted as failed"
                );
                let now = Instant::now();
                self.record_journey(
                    j,
                    arrival,
                    now.saturating_duration_since(intended),
                    Outcome::CheckFailed,
                );
                now
            }
        }
    }

    /// Records how journey `j` (arrival number `arrival`) ended.
    fn record_journey(&self, j: usize, arrival: u64, latency: Duration, outcome: Outcome) {
        self.recorder.with_shard(arrival as usize, |sh| {
            sh.journeys[j].record(latency, outcome)
        });
        if let Some(live) = &self.live {
            live.journey(j, latency, outcome);
        }
    }

    async fn journey_steps(
        &self,
        j: usize,
        arrival: u64,
        intended: Instant,
        session: Option<&mut JourneyState>,
        via: &mut Via<'_>,
        mut trace: Option<&mut Vec<StepTrace>>,
    ) -> Instant {
        let journey = &self.scenario.journeys[j];
        let mut rng = JourneyRng::new(
            self.scenario.load.seed() ^ arrival.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let mut own = JourneyState::default();
        // A virtual citizen's session may carry the verify variable's value from its last
        // journey: only a value this journey extracts is counted, so the carried one is noted.
        let mut verify_before = None;
        let state = match session {
            Some(s) if !s.is_fresh() => {
                self.journey_vars(s, j, arrival);
                verify_before =
                    self.scenario.verify.as_ref().and_then(|v| {
                        crate::template::Vars::get(&*s, &v.variable).map(str::to_owned)
                    });
                s
            }
            Some(s) => {
                self.fill_data(s, j, arrival, &mut rng);
                s
            }
            None => {
                self.fill_data(&mut own, j, arrival, &mut rng);
                &mut own
            }
        };
        let shard = arrival as usize;
        let mut step_start = intended;
        let mut outcome = Outcome::Ok;
        let mut now = intended;
        for (s, step) in journey.steps.iter().enumerate() {
            let series = self.step_series[j][s];
            let (result, requests) = self.run_step(j, s, state, &mut rng, via).await;
            now = Instant::now();
            let latency = now.saturating_duration_since(step_start);
            let step_outcome = result.as_ref().map_or_else(|f| f.outcome, |()| Outcome::Ok);
            let reason = result
                .as_ref()
                .err()
                .map(|f| self.scenario.secrets.redact(&f.reason).into_owned());
            let new_kind = self.recorder.with_shard(shard, |sh| {
                let step = &mut sh.steps[series];
                step.record(latency, step_outcome);
                sh.requests += requests;
                reason
                    .as_deref()
                    .is_some_and(|r| step.reasons.note(step_outcome, r, 1))
            });
            if new_kind && let Some(reason) = &reason {
                self.log_first_of_kind(series, step_outcome, reason);
            }
            if let Some(live) = &self.live {
                live.step(series, latency, step_outcome, requests);
            }
            if let Some(trace) = trace.as_deref_mut() {
                trace.push(StepTrace {
                    step: step.name.clone(),
                    duration: latency,
                    outcome: step_outcome,
                    reason: reason.as_deref().map(str::to_owned),
                });
            }
            if let Err(f) = result {
                tracing::trace!(
                    journey = %journey.name,
                    step = %step.name,
                    reason = reason.as_deref().unwrap_or_default(),
                    "step failed"
                );
                outcome = f.outcome;
                break;
            }
            step_start = match step.think {
                Think::None => now,
                _ => {
                    think(step.think, rng.get()).await;
                    Instant::now()
                }
            };
        }
        // Also from a journey that failed after extracting it: the record was created.
        if let Some(v) = &self.scenario.verify
            && let Some(value) = crate::template::Vars::get(&*state, &v.variable)
            && verify_before.as_deref() != Some(value)
        {
            self.verify_values
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(value.to_owned());
        }
        self.record_journey(j, arrival, now.saturating_duration_since(intended), outcome);
        now
    }

    /// Logs (at info, `-v`) the first failure of each kind of each step, once per run.
    fn log_first_of_kind(&self, series: usize, outcome: Outcome, reason: &str) {
        let mut logged = self.logged_kinds.lock().unwrap_or_else(|p| p.into_inner());
        if logged.iter().filter(|(s, _)| *s == series).count() >= crate::reasons::MAX_KINDS {
            return;
        }
        let mut kind = crate::reasons::Reasons::default();
        kind.note(outcome, reason, 1);
        if logged.iter().any(|(s, k)| *s == series && *k == kind) {
            return;
        }
        logged.push((series, kind));
        drop(logged);
        tracing::info!(
            step = %self.step_names[series],
            outcome = outcome.id(),
            %reason,
            "step failed (the first of its kind; the summary counts them all)"
        );
    }

    fn journey_vars(&self, state: &mut JourneyState, j: usize, arrival: u64) {
        if self.uses_journey_vars {
            state.set("journey.id".into(), arrival.to_string());
            state.set(
                "journey.name".into(),
                self.scenario.journeys[j].name.clone(),
            );
        }
    }

    fn fill_data(&self, state: &mut JourneyState, j: usize, arrival: u64, rng: &mut JourneyRng) {
        self.journey_vars(state, j, arrival);
        state.mark_filled();
        if self.scenario.uses_citizens {
            for (k, v) in data::citizen(rng.get(), &self.scenario.citizen_provinces) {
                state.set(k, v);
            }
        }
        for feeder in &self.scenario.feeders {
            for (k, v) in feeder.row(arrival) {
                state.set(k, v);
            }
        }
    }
}

async fn think(think: Think, rng: &mut StdRng) {
    let pause = match think {
        Think::None => return,
        Think::Fixed(d) => d,
        Think::Uniform(a, b) => a + (b - a).mul_f64(rng.random::<f64>()),
        Think::Exponential(mean) => {
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            mean.mul_f64(-u.ln()).min(mean * 10)
        }
    };
    tokio::time::sleep(pause).await;
}

/// A journey's random numbers, seeded from its arrival number when first drawn: the journeys
/// of most load tests draw none, and seeding the generator costs more than a small request's
/// own setup.
pub struct JourneyRng {
    seed: u64,
    rng: Option<StdRng>,
}

impl JourneyRng {
    pub fn new(seed: u64) -> Self {
        JourneyRng { seed, rng: None }
    }

    pub fn get(&mut self) -> &mut StdRng {
        self.rng
            .get_or_insert_with(|| StdRng::seed_from_u64(self.seed))
    }
}

/// How a journey's requests go out.
pub enum Via<'a> {
    /// The runtime's own client (the open model, the probe), timed by a worker's timer.
    Pool(&'a mut RequestTimer),
    /// A Goose virtual citizen's client, so Goose sees (and times) every request.
    Goose(closed::Citizen<'a>),
}

/// Picks a journey by weight with `draw`, uniform in [0, 1).
pub fn pick(weights: &[f64], draw: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = draw * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Runs `work`, catching a panic: its message is the error. A journey that panics is then
/// counted instead of silently ending its worker.
pub(crate) async fn guarded<F: Future>(work: F) -> Result<F::Output, String> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(work)
        .catch_unwind()
        .await
        .map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::guarded;

    #[tokio::test]
    async fn a_panicking_journey_is_caught_with_its_message() {
        assert_eq!(guarded(async { 7 }).await, Ok(7));
        let panicked = guarded(async {
            let empty: Vec<u32> = Vec::new();
            empty.first().copied().expect("a value that is not there")
        })
        .await;
        assert_eq!(panicked, Err("a value that is not there".to_owned()));
        let formatted = guarded(async { panic!("journey {} broke", 3) }).await;
        assert_eq!(formatted, Err("journey 3 broke".to_owned()));
    }
}
