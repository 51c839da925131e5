//! A whole run: the scheduler, the once-a-second collector (merging recorder shards, the
//! timeline, progress, live metrics, `abort_on_fail`), `verify`, and the summary.

use crate::engine::Runtime;
use crate::engine::closed;
use crate::engine::open::{self, ArrivalCounters};
use crate::live::{LiveMetrics, Progress};
use crate::plan::Plan;
use crate::recorder::{Outcome, Series, Shard};
use crate::scenario::{Load, Model, Scenario};
use crate::segment::Segment;
use crate::summary::{
    RunSummary, SCHEMA_VERSION, SegmentInfo, Stats, ThresholdResult, TimelinePoint, VerifyResult,
};
use crate::units::fmt_seconds;
use dvc_http::HttpClient;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

mod ids;
mod verify;
pub use ids::{load_id, plan_id};
use verify::verify;

/// How to run.
pub struct RunOptions {
    pub base_url: String,
    /// Shown as the target in reports (the URL, or "embedded portal").
    pub target_label: String,
    pub live: Option<LiveMetrics>,
    pub progress: Progress,
    /// Turns true to stop the run early (Ctrl-C).
    pub interrupt: watch::Receiver<bool>,
    /// This generator's share of the plan ([`Segment::WHOLE`] for the whole run).
    pub segment: Segment,
    /// When the plan starts (`--start-at`), common to every segment; None: now.
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Runs `scenario` and returns its summary (thresholds evaluated).
pub async fn run(scenario: Arc<Scenario>, client: HttpClient, opts: RunOptions) -> RunSummary {
    let segment = opts.segment;
    let plan = Plan::new(&scenario.load);
    let mut rt = Runtime::new(
        scenario.clone(),
        client.clone(),
        opts.base_url.clone(),
        opts.live.clone(),
    );
    rt.segment = segment;
    let rt = Arc::new(rt);
    let counters = Arc::new(ArrivalCounters::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let users = Arc::new(AtomicU64::new(0));
    let mut interrupt = opts.interrupt;
    let clock_offset_seconds = match segment.is_split() || opts.start_at.is_some() {
        true => clock_offset(&client, &opts.base_url).await,
        false => None,
    };
    let Some((start, started_at)) = start_instant(opts.start_at, &mut interrupt).await else {
        // Stopped while waiting for the common start: nothing was sent.
        return RunSummary {
            schema_version: SCHEMA_VERSION,
            model: scenario.load.model().id().to_owned(),
            scenario: scenario.name.clone(),
            target: opts.target_label,
            stop_reason: Some("interrupted".to_owned()),
            dvcbench_version: env!("CARGO_PKG_VERSION").to_owned(),
            ..Default::default()
        };
    };
    let start_lateness = start.elapsed();
    // The open model's scheduler is a task of its own; Goose's controller runs here.
    type Engine = Pin<Box<dyn Future<Output = Result<Option<closed::Ended>, String>> + Send>>;
    let engine: Engine = match scenario.load.model() {
        Model::Open => {
            let (rt, counters, plan) = (rt.clone(), counters.clone(), plan.clone());
            let task =
                tokio::spawn(async move { open::run(rt, &plan, start, counters, stop_rx).await });
            Box::pin(async move {
                task.await
                    .map_err(|e| format!("the scheduler failed: {e}"))?;
                Ok(None)
            })
        }
        Model::Closed => Box::pin({
            let run = closed::run(rt.clone(), counters.clone(), users.clone(), stop_rx);
            async move { run.await.map(Some) }
        }),
    };
    // A segment plans its share of the citizens (the open model's share is in the feed).
    let closed_load = match &scenario.load {
        Load::Closed(closed) => {
            let mut share = closed.clone();
            for stage in &mut share.users {
                stage.users = segment.share(stage.users);
            }
            Some(Load::Closed(share))
        }
        Load::Open(_) => None,
    };
    let mut collector = Collector::new(&rt, &scenario, opts.progress, closed_load);
    let mut stop_reason = None;
    let mut goose = None;
    let mut tick = tokio::time::interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
    tokio::pin!(engine);
    loop {
        tokio::select! {
            ended = &mut engine => {
                match ended {
                    Ok(Some(ended)) => {
                        if ended.interrupted && stop_reason.is_none() {
                            stop_reason = Some("interrupted".to_owned());
                        }
                        goose = Some(ended.goose);
                    }
                    Ok(None) => {}
                    Err(e) => stop_reason = Some(e),
                }
                break;
            }
            _ = tick.tick() => {
                let t = start.elapsed().as_secs_f64();
                collector.collect(&rt, &counters, &plan, t, &users, opts.live.as_ref());
                let judge = stop_reason.is_none() && scenario.abort_on_fail && start.elapsed() >= scenario.abort_grace;
                if !scenario.thresholds.is_empty() && (judge || opts.live.is_some()) {
                    // Thresholds as they stand now: live gauges, and the abort decision.
                    let summary = collector.figures(&scenario, &counters, Stats::figures_of);
                    let mut failed = None;
                    for th in &scenario.thresholds {
                        let passed = th.evaluate(&summary).1;
                        if let Some(live) = &opts.live {
                            live.thresholds
                                .with_label_values(&[&scenario.name, &th.expression])
                                .set(if passed { 1.0 } else { 0.0 });
                        }
                        if !passed && failed.is_none() {
                            failed = Some(th);
                        }
                    }
                    if judge && let Some(failed) = failed {
                        stop_reason = Some(format!("threshold failed: {}", failed.expression));
                        let _ = stop_tx.send(true);
                    }
                }
            }
            _ = interrupt.wait_for(|i| *i), if stop_reason.is_none() => {
                stop_reason = Some("interrupted".to_owned());
                let _ = stop_tx.send(true);
            }
        }
    }
    let duration = start.elapsed();
    collector.collect(
        &rt,
        &counters,
        &plan,
        duration.as_secs_f64(),
        &users,
        opts.live.as_ref(),
    );
    collector.finish();
    let verify = match &scenario.verify {
        Some(v) => Some(verify(&rt, v, &client, &opts.base_url, segment.is_split()).await),
        None => None,
    };
    let mut summary = collector.figures(&scenario, &counters, Stats::from_series);
    summary.timeline = std::mem::take(&mut collector.timeline);
    summary.journeys_panicked = rt.panicked.load(std::sync::atomic::Ordering::Relaxed);
    summary.started_at = started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    summary.duration_seconds = duration.as_secs_f64();
    summary.target = opts.target_label;
    summary.complete = stop_reason.is_none();
    summary.stop_reason = stop_reason;
    summary.scenario_source = Some(
        scenario
            .secrets
            .redact(&crate::secrets::redact_source(&scenario.source))
            .into_owned(),
    );
    summary.machine = Some(crate::summary::Machine::current());
    summary.load_id = Some(load_id(&scenario));
    summary.verify = verify;
    summary.goose = goose;
    summary.segment = Some(SegmentInfo {
        index: segment.index,
        count: segment.count,
        plan_id: plan_id(&scenario),
        seed: scenario.load.seed(),
        host: summary
            .machine
            .as_ref()
            .map(|m| m.hostname.clone())
            .unwrap_or_default(),
        start_at: opts
            .start_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        start_lateness_seconds: (start_lateness.as_secs_f64() * 1e6).round() / 1e6,
        clock_offset_seconds,
    });
    summary.thresholds = scenario
        .thresholds
        .iter()
        .map(|th| {
            let (value, passed) = th.evaluate(&summary);
            if let Some(live) = &opts.live {
                live.thresholds
                    .with_label_values(&[&scenario.name, &th.expression])
                    .set(if passed { 1.0 } else { 0.0 });
            }
            ThresholdResult {
                expression: th.expression.clone(),
                value,
                passed,
            }
        })
        .collect();
    summary
}

/// Merges shards once a second and keeps the cumulative totals and the timeline.
struct Collector {
    total: Shard,
    interval: Shard,
    timeline: Vec<TimelinePoint>,
    last_started: u64,
    reported: crate::summary::Arrivals,
    bar: Option<indicatif::ProgressBar>,
    progress: Progress,
    last_line: f64,
    step_names: Vec<String>,
    /// Closed model: the stages of virtual citizens.
    closed: Option<Load>,
    /// The part of the planned rate this generator runs (1/N of a split run).
    share: f64,
}

impl Collector {
    fn new(rt: &Runtime, scenario: &Scenario, progress: Progress, closed: Option<Load>) -> Self {
        let bar = (progress == Progress::Terminal).then(|| {
            let bar = indicatif::ProgressBar::new(scenario.load.duration().as_secs().max(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_prefix(scenario.name.clone());
            bar
        });
        Collector {
            total: rt.recorder.empty(),
            interval: rt.recorder.empty(),
            timeline: Vec::new(),
            last_started: 0,
            reported: Default::default(),
            bar,
            progress,
            last_line: 0.0,
            step_names: rt.step_names.clone(),
            closed,
            share: 1.0 / f64::from(rt.segment.count),
        }
    }

    fn collect(
        &mut self,
        rt: &Runtime,
        counters: &ArrivalCounters,
        plan: &Plan,
        t: f64,
        users: &AtomicU64,
        live: Option<&LiveMetrics>,
    ) {
        rt.recorder.drain_into(&mut self.interval);
        self.total.merge(&self.interval);
        let arrivals = counters.snapshot();
        let in_flight = rt.in_flight.load(Ordering::Relaxed);
        let mut merged = Series::default();
        for s in &self.interval.steps {
            merged.merge(s);
        }
        let q = |q: f64| {
            (!merged.latency.is_empty()).then(|| merged.latency.value_at_quantile(q) as f64 / 1e6)
        };
        let errors: BTreeMap<String, u64> = Outcome::ALL
            .into_iter()
            .filter(|o| *o != Outcome::Ok && merged.outcome(*o) > 0)
            .map(|o| (o.id().to_owned(), merged.outcome(o)))
            .collect();
        let (planned_users, users) = match &self.closed {
            Some(load) => (
                Some((load.users_at(t) * 10.0).round() / 10.0),
                Some(users.load(Ordering::Relaxed)),
            ),
            None => (None, None),
        };
        let point = TimelinePoint {
            t: (t * 1000.0).round() / 1000.0,
            planned_rate: if self.closed.is_some() {
                0.0
            } else {
                plan.rate_at(t) * self.share
            },
            arrivals_started: arrivals.started - self.last_started,
            requests: self.interval.requests,
            errors,
            in_flight,
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
            histogram: (!merged.latency.is_empty())
                .then(|| crate::recorder::encode(&merged.latency)),
            planned_users,
            users,
        };
        if let Some(live) = live {
            live.planned
                .inc_by(arrivals.planned - self.reported.planned);
            live.started
                .inc_by(arrivals.started - self.reported.started);
            live.late.inc_by(arrivals.late - self.reported.late);
            live.dropped
                .inc_by(arrivals.dropped - self.reported.dropped);
            live.in_flight.set(in_flight as i64);
            live.planned_rate.set(point.planned_rate);
            live.users.set(point.users.unwrap_or(0) as i64);
            live.planned_users.set(point.planned_users.unwrap_or(0.0));
        }
        self.show(&point, &arrivals);
        self.reported = arrivals.clone();
        self.last_started = arrivals.started;
        self.timeline.push(point);
        self.interval.reset();
    }

    fn show(&mut self, p: &TimelinePoint, a: &crate::summary::Arrivals) {
        let errors: u64 = self.total.steps.iter().map(Series::errors).sum();
        let p95 = p.p95.map_or("-".into(), fmt_seconds);
        let line = match (p.users, p.planned_users) {
            (Some(users), Some(planned)) => format!(
                "{users} citizens ({planned:.0} planned), {} journeys started/s, {} in flight, p95 {p95}, {errors} errors",
                p.arrivals_started, p.in_flight,
            ),
            _ => format!(
                "{:.0}/s planned, {} started/s, {} in flight, p95 {p95}, {errors} errors, {} late, {} dropped",
                p.planned_rate, p.arrivals_started, p.in_flight, a.late, a.dropped
            ),
        };
        match self.progress {
            Progress::Terminal => {
                if let Some(bar) = &self.bar {
                    bar.set_position(p.t as u64);
                    bar.set_message(line);
                }
            }
            Progress::Lines if p.t - self.last_line >= 10.0 => {
                self.last_line = p.t;
                eprintln!("[{:>5.0}s] {line}", p.t);
            }
            _ => {}
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// The run's figures so far, each series' made by `stats`, without the timeline
    /// (thresholds need no timeline, and copying it every second would cost more the longer
    /// the run).
    fn figures(
        &self,
        scenario: &Scenario,
        counters: &ArrivalCounters,
        stats: fn(&str, &Series) -> Stats,
    ) -> RunSummary {
        let mut all = Series::default();
        for j in &self.total.journeys {
            all.merge(j);
        }
        RunSummary {
            schema_version: SCHEMA_VERSION,
            model: scenario.load.model().id().to_owned(),
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            arrivals: counters.snapshot(),
            requests_total: self.total.requests,
            all_journeys: stats("all", &all),
            journeys: scenario
                .journeys
                .iter()
                .zip(&self.total.journeys)
                .map(|(j, s)| stats(&j.name, s))
                .collect(),
            steps: self
                .step_names
                .iter()
                .zip(&self.total.steps)
                .map(|(n, s)| stats(n, s))
                .collect(),
            dvcbench_version: env!("CARGO_PKG_VERSION").to_owned(),
            ..RunSummary::default()
        }
    }
}

/// How long the lookups of `verify` may take together: values not judged by then count as
/// could-not-check, so a portal that stopped answering cannot hold a run for hours.
const VERIFY_BUDGET: Duration = Duration::from_secs(300);

/// When the plan starts, as an instant and as wall-clock time: now; or at `at`, waiting for it
/// (None when interrupted meanwhile); or, when `at` has passed, that long ago, so arrivals due
/// since start late and count as late.
async fn start_instant(
    at: Option<chrono::DateTime<chrono::Utc>>,
    interrupt: &mut watch::Receiver<bool>,
) -> Option<(Instant, chrono::DateTime<chrono::Utc>)> {
    let (now, wall) = (Instant::now(), chrono::Utc::now());
    let Some(at) = at else {
        return Some((now, wall));
    };
    match (at - wall).to_std() {
        Ok(wait) => {
            let start = now + wait;
            tokio::select! {
                _ = tokio::time::sleep_until(start) => Some((start, at)),
                _ = interrupt.wait_for(|i| *i) => None,
            }
        }
        Err(_) => {
            let behind = (wall - at).to_std().unwrap_or_default();
            Some((now.checked_sub(behind).unwrap_or(now), at))
        }
    }
}

/// The target's clock minus ours, in seconds, or None when it sends no `Date` header.
///
/// `Date` counts whole seconds, so one answer places the target's clock only within a
/// second. Asked every 100 ms (at most 13 GETs of `/`, sent before the plan starts and not
/// counted in the run), the answer turns over to the next second at the target's second
/// boundary, which then lies between the two answers' midpoints: about ±0.1 s on a network
/// with a small round trip.
async fn clock_offset(client: &HttpClient, base: &str) -> Option<f64> {
    let now = || chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    let mut last: Option<(i64, f64)> = None;
    for _ in 0..13 {
        let sent = now();
        let request = dvc_http::Prepared::get(format!("{base}/"));
        let response = crate::engine::request::send(client, request, Duration::from_secs(5))
            .await
            .ok()?;
        let mid = (sent + now()) / 2.0;
        let date = chrono::DateTime::parse_from_rfc2822(response.headers.get("date")?.trim())
            .ok()?
            .timestamp();
        if let Some((before, before_mid)) = last
            && date > before
        {
            return Some(((date as f64 - (before_mid + mid) / 2.0) * 1000.0).round() / 1000.0);
        }
        last = Some((date, mid));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}
