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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
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
    let (cut, cut_rx) = watch::channel(false);
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
        let j = pick(&weights, &mut rng);
        let rt = rt.clone();
        let mut cut_rx = cut_rx.clone();
        tokio::spawn(async move {
            rt.in_flight.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                _ = rt.run_journey(j, k as u64, intended) => {}
                _ = cut_rx.wait_for(|c| *c) => {}
            }
            rt.in_flight.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    // Drain: wait for every slot to come back, for at most the graceful-stop period.
    let all = u32::try_from(load.max_in_flight).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(load.graceful_stop, slots.acquire_many(all)).await;
    if drained.is_err() {
        let _ = cut.send(true);
        tracing::warn!("graceful stop over: journeys still in flight were cut");
    }
}
