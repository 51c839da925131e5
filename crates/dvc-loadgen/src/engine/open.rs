//! The open-model scheduler: arrivals start at planned instants whatever the portal does.
//!
//! At most `max_in_flight` journeys run at once (a segment of a split run: its share, rounded
//! up). An arrival that finds no free slot waits for
//! one (it is *late*, and its wait is in its latency); one that cannot start within
//! `max_start_delay`, or is still waiting when the run stops, is *dropped*. Both are counted.

use super::{Runtime, pick};
use crate::plan::Plan;
use crate::scenario::OpenLoad;
use crate::segment::{self, Segment};
use crate::summary::Arrivals;
use dvc_http::RequestTimer;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::time::Instant;

/// A start counts as late when it is this much behind the plan.
pub const LATE_AFTER: Duration = Duration::from_millis(10);

/// Live counters of the scheduler.
#[derive(Debug, Default)]
pub struct ArrivalCounters {
    pub planned: AtomicU64,
    pub started: AtomicU64,
    pub late: AtomicU64,
    pub dropped: AtomicU64,
}

impl ArrivalCounters {
    pub fn snapshot(&self) -> Arrivals {
        Arrivals {
            planned: self.planned.load(Ordering::Relaxed),
            started: self.started.load(Ordering::Relaxed),
            late: self.late.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

/// Runs the plan from `start` until it ends or `stop` turns true; then lets in-flight journeys
/// finish for the graceful-stop period and cuts the rest.
///
/// Arrivals wait in a shared feed. The scheduler starts one whenever a slot is free and its
/// time has come; a worker that finishes a journey takes the next arrival already due itself,
/// keeping its slot, so a saturated run costs no hand-over per arrival. Whoever reaches an
/// arrival past its `max_start_delay` drops it.
pub async fn run(
    rt: Arc<Runtime>,
    plan: &Plan,
    start: Instant,
    counters: Arc<ArrivalCounters>,
    stop: watch::Receiver<bool>,
) {
    let Some(load) = rt.scenario.load.as_open().cloned() else {
        return;
    };
    let settings = Settings {
        load,
        segment: rt.segment,
        weights: rt.scenario.journeys.iter().map(|j| j.weight).collect(),
    };
    schedule(rt, settings, plan, start, counters, stop).await;
}

/// What the scheduler starts: journeys, by number. The engine's [`Runtime`] runs them against
/// the portal; the scheduler's tests run stand-ins in paused time.
pub(crate) trait Journeys: Send + Sync + 'static {
    /// Runs journey `journey` for arrival `arrival`, intended to start at `intended`; returns
    /// when it ended.
    fn run<'a>(
        &'a self,
        journey: usize,
        arrival: u64,
        intended: Instant,
        timer: &'a mut RequestTimer,
    ) -> impl Future<Output = Instant> + Send + 'a;

    /// The count of journeys running now.
    fn in_flight(&self) -> &AtomicU64;
}

impl Journeys for Runtime {
    fn run<'a>(
        &'a self,
        journey: usize,
        arrival: u64,
        intended: Instant,
        timer: &'a mut RequestTimer,
    ) -> impl Future<Output = Instant> + Send + 'a {
        self.run_journey(journey, arrival, intended, timer)
    }

    fn in_flight(&self) -> &AtomicU64 {
        &self.in_flight
    }
}

/// How the scheduler runs a plan: the open load's limits, this process's segment, and the
/// journeys' weights.
pub(crate) struct Settings {
    pub load: OpenLoad,
    pub segment: Segment,
    pub weights: Vec<f64>,
}

/// [`run`] over any [`Journeys`].
pub(crate) async fn schedule<J: Journeys>(
    rt: Arc<J>,
    settings: Settings,
    plan: &Plan,
    start: Instant,
    counters: Arc<ArrivalCounters>,
    mut stop: watch::Receiver<bool>,
) {
    let load = &settings.load;
    // A segment holds its share of the run's cap on journeys in flight.
    let cap = load
        .max_in_flight
        .div_ceil(settings.segment.count as usize)
        .max(1);
    let slots = Arc::new(Semaphore::new(cap));
    let feed = Arc::new(Feed::new(&settings, plan, start, counters));
    let mut pool = Pool::default();
    'arrivals: loop {
        // Wait for a free slot; meanwhile arrivals past their start deadline are dropped as
        // their deadline passes, so the counts move in real time even when every slot is stuck.
        let permit = loop {
            let expiry = feed.head_deadline();
            tokio::select! {
                p = slots.clone().acquire_owned() => match p {
                    Ok(p) => break p,
                    Err(_) => break 'arrivals,
                },
                _ = sleep_until(expiry) => feed.drop_expired(Instant::now()),
                _ = stop.wait_for(|s| *s) => break 'arrivals,
            }
        };
        // A free slot: start the next arrival when its time comes (unless a worker does).
        let job = loop {
            let Some(intended) = feed.peek() else {
                break 'arrivals;
            };
            if *stop.borrow() {
                break 'arrivals;
            }
            if intended > Instant::now() {
                tokio::select! {
                    _ = tokio::time::sleep_until(intended) => {}
                    _ = stop.wait_for(|s| *s) => break 'arrivals,
                }
            }
            if let Some(next) = feed.take_due(Instant::now()) {
                break next;
            }
        };
        pool.hand(job.with(permit), &rt, &feed);
    }
    // Arrivals whose time has come but that no slot took are dropped.
    feed.close(Instant::now());
    // Drain: wait for every slot to come back, for at most the graceful-stop period.
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(load.graceful_stop, slots.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("graceful stop over: journeys still in flight were cut");
    }
    pool.stop();
}

/// The planned arrivals not yet started, shared by the scheduler and the workers.
struct Feed {
    state: Mutex<FeedState>,
    start: Instant,
    max_start_delay: Option<Duration>,
    counters: Arc<ArrivalCounters>,
    mix: segment::Mix,
}

struct FeedState {
    /// This segment's arrivals: offset and number in the whole plan.
    arrivals: Box<dyn Iterator<Item = (Duration, u64)> + Send>,
    next: Option<(Duration, u64)>,
    weights: Vec<f64>,
    closed: bool,
}

/// An arrival taken from the feed: which journey, its number and intended start.
struct Arrival {
    journey: usize,
    arrival: u64,
    intended: Instant,
}

impl Arrival {
    fn with(self, permit: OwnedSemaphorePermit) -> Job {
        Job {
            journey: self.journey,
            arrival: self.arrival,
            intended: self.intended,
            permit,
        }
    }
}

impl Feed {
    fn new(s: &Settings, plan: &Plan, start: Instant, counters: Arc<ArrivalCounters>) -> Feed {
        let mut arrivals = Arc::new(plan.clone()).segment_arrivals(s.segment);
        let next = arrivals.next();
        Feed {
            state: Mutex::new(FeedState {
                arrivals: Box::new(arrivals),
                next,
                weights: s.weights.clone(),
                closed: false,
            }),
            start,
            max_start_delay: s.load.max_start_delay,
            counters,
            mix: segment::Mix::new(s.load.seed.rotate_left(17)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FeedState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the next arrival is due; None once the plan is exhausted or the feed closed.
    fn peek(&self) -> Option<Instant> {
        let state = self.lock();
        if state.closed {
            return None;
        }
        state.next.map(|(offset, _)| self.start + offset)
    }

    /// Takes the next arrival if it is due at `now`, counting it planned and started (late when
    /// it is behind); arrivals past their start deadline on the way are counted dropped.
    fn take_due(&self, now: Instant) -> Option<Arrival> {
        let mut state = self.lock();
        let c = &self.counters;
        loop {
            if state.closed {
                return None;
            }
            let (offset, k) = state.next?;
            let intended = self.start + offset;
            if intended > now {
                return None;
            }
            state.next = state.arrivals.next();
            c.planned.fetch_add(1, Ordering::Relaxed);
            let behind = now.saturating_duration_since(intended);
            if self.max_start_delay.is_some_and(|d| behind > d) {
                c.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if behind > LATE_AFTER {
                c.late.fetch_add(1, Ordering::Relaxed);
            }
            c.started.fetch_add(1, Ordering::Relaxed);
            // The journey is drawn from the arrival's number, so every segment draws the same.
            let draw = self.mix.draw(k);
            return Some(Arrival {
                journey: pick(&state.weights, draw),
                arrival: k,
                intended,
            });
        }
    }

    /// When the next arrival passes its start deadline, if there is one.
    fn head_deadline(&self) -> Option<Instant> {
        let state = self.lock();
        if state.closed {
            return None;
        }
        Some(self.start + state.next?.0 + self.max_start_delay?)
    }

    /// Counts arrivals whose start deadline has come by `now` as planned and dropped.
    fn drop_expired(&self, now: Instant) {
        let Some(delay) = self.max_start_delay else {
            return;
        };
        let mut state = self.lock();
        while let Some((offset, _)) = state.next {
            if state.closed || self.start + offset + delay > now {
                break;
            }
            self.counters.planned.fetch_add(1, Ordering::Relaxed);
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            state.next = state.arrivals.next();
        }
    }

    /// Stops the feed; arrivals already due are counted planned and dropped.
    fn close(&self, now: Instant) {
        let mut state = self.lock();
        state.closed = true;
        while let Some((offset, _)) = state.next {
            if self.start + offset > now {
                break;
            }
            self.counters.planned.fetch_add(1, Ordering::Relaxed);
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            state.next = state.arrivals.next();
        }
    }
}

/// Sleeps until `at`, or forever when there is no such instant.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Counts a journey in flight until dropped, also when a cut aborts it midway.
struct InFlight<'a>(&'a AtomicU64);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An arrival handed to a worker, with the slot it holds while its journey runs.
struct Job {
    journey: usize,
    arrival: u64,
    intended: Instant,
    permit: OwnedSemaphorePermit,
}

/// Long-lived worker tasks that run journeys one after another. A worker is spawned only when
/// an arrival holds a slot and no worker is idle, so there are never more workers than slots,
/// and an arrival costs a hand-over instead of a task.
#[derive(Default)]
struct Pool {
    idle: Arc<Mutex<Vec<mpsc::Sender<Job>>>>,
    workers: Vec<tokio::task::AbortHandle>,
}

impl Pool {
    fn hand<J: Journeys>(&mut self, job: Job, rt: &Arc<J>, feed: &Arc<Feed>) {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let job = match idle {
            Some(worker) => match worker.try_send(job) {
                Ok(()) => return,
                // The worker is gone (it cannot be full: an idle worker waits for one job).
                Err(e) => e.into_inner(),
            },
            None => job,
        };
        let (tx, mut rx) = mpsc::channel::<Job>(1);
        let (rt, idle, feed) = (rt.clone(), self.idle.clone(), feed.clone());
        let handle = tokio::spawn(async move {
            let mut next = Some(job);
            let mut timer = RequestTimer::new();
            while let Some(mut job) = next.take() {
                loop {
                    let counted = InFlight::enter(rt.in_flight());
                    let ended = rt
                        .run(job.journey, job.arrival, job.intended, &mut timer)
                        .await;
                    drop(counted);
                    // Behind the plan: go on with the next arrival already due, on this slot.
                    match feed.take_due(ended) {
                        Some(arrival) => job = arrival.with(job.permit),
                        None => break,
                    }
                }
                // Back on the idle stack before the slot is freed, so a new arrival holding
                // that slot finds this worker rather than spawning another.
                idle.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(tx.clone());
                drop(job.permit);
                next = rx.recv().await;
            }
        });
        self.workers.push(handle.abort_handle());
    }

    /// Cuts whatever still runs and lets idle workers end.
    fn stop(self) {
        for w in &self.workers {
            w.abort();
        }
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests;
