//! The scheduler in paused time: journeys are stand-ins that take a set time, so every start
//! can be compared with its plan to the nanosecond, and a ten-second run takes no real time.

use super::*;
use crate::scenario::{Load, Scenario};
use std::path::Path;

/// Journeys that take `takes` each and write down when they started and what they were
/// meant to start at.
struct Stand {
    takes: Duration,
    started: Mutex<Vec<(u64, Instant, Instant)>>,
    ended: AtomicU64,
    in_flight: AtomicU64,
}

impl Journeys for Stand {
    async fn run(
        &self,
        _journey: usize,
        arrival: u64,
        intended: Instant,
        _timer: &mut RequestTimer,
    ) -> Instant {
        self.started
            .lock()
            .expect("not poisoned")
            .push((arrival, Instant::now(), intended));
        tokio::time::sleep(self.takes).await;
        self.ended.fetch_add(1, Ordering::Relaxed);
        Instant::now()
    }

    fn in_flight(&self) -> &AtomicU64 {
        &self.in_flight
    }
}

fn open_load(load: &str) -> OpenLoad {
    let scenario: Scenario = crate::scenario::validate(
        Path::new("s.toml"),
        &format!(
            "[load]\n{load}\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n"
        ),
    )
    .expect("valid");
    match scenario.load {
        Load::Open(o) => o,
        Load::Closed(_) => panic!("an open load"),
    }
}

struct Outcome {
    arrivals: Arrivals,
    stand: Arc<Stand>,
    /// The run's planned start.
    start: Instant,
    /// From the planned start to the scheduler's return.
    took: Duration,
}

/// Runs `load` with journeys taking `takes`; `stop_after` turns the stop signal on.
async fn schedule_with(load: OpenLoad, takes: Duration, stop_after: Option<Duration>) -> Outcome {
    let stand = Arc::new(Stand {
        takes,
        started: Mutex::new(Vec::new()),
        ended: AtomicU64::new(0),
        in_flight: AtomicU64::new(0),
    });
    let plan = Plan::new(&Load::Open(load.clone()));
    let counters = Arc::new(ArrivalCounters::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    if let Some(after) = stop_after {
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = stop_tx.send(true);
        });
    } else {
        std::mem::forget(stop_tx);
    }
    let start = Instant::now();
    let settings = Settings {
        load,
        segment: Segment::WHOLE,
        weights: vec![1.0],
    };
    schedule(
        stand.clone(),
        settings,
        &plan,
        start,
        counters.clone(),
        stop_rx,
    )
    .await;
    Outcome {
        arrivals: counters.snapshot(),
        took: start.elapsed(),
        start,
        stand,
    }
}

fn starts(stand: &Stand) -> Vec<(u64, Instant, Instant)> {
    stand.started.lock().expect("not poisoned").clone()
}

#[tokio::test(start_paused = true)]
async fn a_constant_rate_starts_every_arrival_on_time() {
    let load = open_load("stages = [{ duration = \"10s\", rate = \"10/s\" }]");
    let out = schedule_with(load, Duration::from_millis(50), None).await;
    let a = out.arrivals;
    assert_eq!((a.planned, a.started, a.late, a.dropped), (100, 100, 0, 0));
    let starts = starts(&out.stand);
    assert_eq!(starts.len(), 100);
    for (k, actual, intended) in &starts {
        assert_eq!(actual, intended, "arrival {k} started off its plan");
    }
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1].2 - w[0].2).collect();
    assert!(
        gaps.iter().all(|g| *g == Duration::from_millis(100)),
        "evenly spaced at 10/s: {gaps:?}"
    );
    assert_eq!(out.stand.ended.load(Ordering::Relaxed), 100);
    assert_eq!(out.stand.in_flight.load(Ordering::Relaxed), 0);
}

#[tokio::test(start_paused = true)]
async fn a_ramp_follows_the_planned_curve() {
    // 0 → 20/s over 10 s: 100 arrivals, a quarter of them in the first half.
    let load =
        open_load("start_rate = \"0/s\"\nstages = [{ duration = \"10s\", rate = \"20/s\" }]");
    let out = schedule_with(load, Duration::from_millis(10), None).await;
    let starts = starts(&out.stand);
    let total = starts.len();
    assert!((99..=101).contains(&total), "{total} arrivals");
    let in_second = |s: u64| {
        starts
            .iter()
            .filter(|(_, _, at)| at.duration_since(out.start).as_secs() == s)
            .count()
    };
    // The rate at second s is 2·s + 1 on average: 1, 3, 5, … 19.
    for s in 0..10 {
        let n = in_second(s) as i64;
        let want = 2 * s as i64 + 1;
        assert!(
            (n - want).abs() <= 1,
            "second {s}: {n} arrivals, want about {want}"
        );
    }
    assert_eq!(out.arrivals.late, 0);
    // Tokio's timers fire on whole milliseconds: an arrival planned between two starts on the
    // next one, and its latency counts from the plan.
    for (k, actual, intended) in &starts {
        assert!(
            *actual >= *intended && *actual - *intended <= Duration::from_millis(1),
            "arrival {k} started {:?} off its plan",
            *actual - *intended
        );
    }
}

#[tokio::test(start_paused = true)]
async fn arrivals_that_find_no_slot_start_late_and_wait_counts_in_their_latency() {
    // One slot, journeys of 150 ms, an arrival every 100 ms: each waits longer than the last.
    let load = open_load("stages = [{ duration = \"2s\", rate = \"10/s\" }]\nmax_in_flight = 1");
    let out = schedule_with(load, Duration::from_millis(150), None).await;
    let a = out.arrivals;
    assert_eq!((a.planned, a.started, a.dropped), (20, 20, 0));
    assert!(a.late >= 18, "{a:?}");
    let starts = starts(&out.stand);
    for (k, actual, intended) in &starts {
        assert!(actual >= intended, "arrival {k} started before its plan");
    }
    // Journeys keep their intended start: the last one is 19 × 50 ms behind.
    let (_, actual, intended) = starts.last().expect("some");
    assert_eq!(*actual - *intended, Duration::from_millis(19 * 50));
    assert!(out.stand.in_flight.load(Ordering::Relaxed) == 0);
}

#[tokio::test(start_paused = true)]
async fn arrivals_past_their_start_deadline_are_dropped_and_counted() {
    let load = open_load(
        "stages = [{ duration = \"2s\", rate = \"10/s\" }]\nmax_in_flight = 1\nmax_start_delay = \"120ms\"",
    );
    let out = schedule_with(load, Duration::from_millis(250), None).await;
    let a = out.arrivals;
    assert_eq!(a.planned, 20);
    assert_eq!(a.started + a.dropped, a.planned, "{a:?}");
    assert!(a.dropped >= 8, "{a:?}");
    for (k, actual, intended) in starts(&out.stand) {
        assert!(
            actual - intended <= Duration::from_millis(120),
            "arrival {k} started {:?} late, past its deadline",
            actual - intended
        );
    }
}

#[tokio::test(start_paused = true)]
async fn graceful_stop_lets_journeys_finish_then_cuts_the_rest() {
    // Journeys of 1.5 s with 2 s of grace: every one finishes.
    let load =
        open_load("stages = [{ duration = \"1s\", rate = \"5/s\" }]\ngraceful_stop = \"2s\"");
    let out = schedule_with(load, Duration::from_millis(1_500), None).await;
    assert_eq!(out.arrivals.started, 5);
    assert_eq!(out.stand.ended.load(Ordering::Relaxed), 5);
    // Journeys of 10 s with 1 s of grace: none finishes, and the run ends 1 s after the last
    // arrival, with nothing counted in flight.
    let load =
        open_load("stages = [{ duration = \"1s\", rate = \"5/s\" }]\ngraceful_stop = \"1s\"");
    let out = schedule_with(load, Duration::from_secs(10), None).await;
    assert_eq!(out.arrivals.started, 5);
    assert_eq!(out.stand.ended.load(Ordering::Relaxed), 0);
    assert!(
        out.took >= Duration::from_millis(1_800) && out.took <= Duration::from_millis(2_100),
        "{:?}",
        out.took
    );
    tokio::task::yield_now().await;
    assert_eq!(out.stand.in_flight.load(Ordering::Relaxed), 0);
}

#[tokio::test(start_paused = true)]
async fn a_stop_starts_nothing_more_and_drops_what_was_due() {
    // Two slots busy for 5 s; arrivals due meanwhile wait, and the stop at 1 s drops them.
    let load = open_load(
        "stages = [{ duration = \"10s\", rate = \"10/s\" }]\nmax_in_flight = 2\ngraceful_stop = \"0s\"",
    );
    let out = schedule_with(
        load,
        Duration::from_secs(5),
        Some(Duration::from_millis(1_000)),
    )
    .await;
    let a = out.arrivals;
    assert_eq!(a.started, 2, "{a:?}");
    assert!(
        (9..=11).contains(&a.planned),
        "only arrivals due by the stop are planned: {a:?}"
    );
    assert_eq!(a.dropped, a.planned - a.started, "{a:?}");
    assert!(out.took <= Duration::from_millis(1_050), "{:?}", out.took);
}
