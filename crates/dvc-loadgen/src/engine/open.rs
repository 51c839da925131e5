//! The open-model scheduler: arrivals start at planned instants whatever the portal does.
//!
//! At most `max_in_flight` journeys run at once. An arrival that finds no free slot waits for
//! one (it is *late*, and its wait is in its latency); one that cannot start within
//! `max_start_delay`, or is still waiting when the run stops, is *dropped*. Both are counted.

use super::{Runtime, pick};
use crate::plan::Plan;
use crate::summary::Arrivals;
use rand::SeedableRng;
use rand::rngs::StdRng;
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
/// finish for the graceful-stop period (or until `abort` turns true) and cuts the rest.
pub async fn run(
    rt: Arc<Runtime>,
    plan: &Plan,
    start: Instant,
    counters: Arc<ArrivalCounters>,
    mut stop: watch::Receiver<bool>,
) {
    let load = &rt.scenario.load;
    let slots = Arc::new(Semaphore::new(load.max_in_flight));
    let weights: Vec<f64> = rt.scenario.journeys.iter().map(|j| j.weight).collect();
    let mut rng = StdRng::seed_from_u64(load.seed.rotate_left(17));
    let mut pool = Pool::default();
    for (k, offset) in plan.arrivals().enumerate() {
        let intended = start + offset;
        if *stop.borrow() {
            break;
        }
        if intended > Instant::now() {
            tokio::select! {
                _ = tokio::time::sleep_until(intended) => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        counters.planned.fetch_add(1, Ordering::Relaxed);
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let deadline = load.max_start_delay.map(|d| intended + d);
                // Already past its start deadline (the scheduler is behind): drop at once.
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    counters.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let wait_deadline = async {
                    match deadline {
                        Some(d) => tokio::time::sleep_until(d).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    p = slots.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    _ = wait_deadline => {
                        counters.dropped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    _ = stop.wait_for(|s| *s) => {
                        counters.dropped.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
        };
        if Instant::now().saturating_duration_since(intended) > LATE_AFTER {
            counters.late.fetch_add(1, Ordering::Relaxed);
        }
        counters.started.fetch_add(1, Ordering::Relaxed);
        let job = Job {
            journey: pick(&weights, &mut rng),
            arrival: k as u64,
            intended,
            permit,
        };
        pool.hand(job, &rt);
    }
    // Drain: wait for every slot to come back, for at most the graceful-stop period.
    let all = u32::try_from(load.max_in_flight).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(load.graceful_stop, slots.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("graceful stop over: journeys still in flight were cut");
    }
    pool.stop();
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
    fn hand(&mut self, job: Job, rt: &Arc<Runtime>) {
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
        let (rt, idle) = (rt.clone(), self.idle.clone());
        let handle = tokio::spawn(async move {
            let mut next = Some(job);
            while let Some(job) = next.take() {
                let counted = InFlight::enter(&rt.in_flight);
                rt.run_journey(job.journey, job.arrival, job.intended).await;
                drop(counted);
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
