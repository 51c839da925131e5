//! What a run shows while it runs: Prometheus metrics (`--metrics-listen`) and progress.

use crate::recorder::Outcome;
use crate::segment::Segment;
use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, Opts, Registry, TextEncoder,
};
use std::time::Duration;

const BUCKETS: [f64; 16] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The run's Prometheus metrics (`dvc_run_*`), with per-step handles resolved up front so the
/// hot path does no label lookups.
#[derive(Clone)]
pub struct LiveMetrics {
    pub registry: Registry,
    step_outcomes: Vec<[IntCounter; Outcome::ALL.len()]>,
    step_duration: Vec<Histogram>,
    step_requests: Vec<IntCounter>,
    journey_outcomes: Vec<[IntCounter; Outcome::ALL.len()]>,
    journey_duration: Vec<Histogram>,
    pub planned: IntCounter,
    pub started: IntCounter,
    pub late: IntCounter,
    pub dropped: IntCounter,
    pub in_flight: IntGauge,
    pub planned_rate: Gauge,
    /// Closed model: virtual citizens alive, and as the stages plan them now.
    pub users: IntGauge,
    pub planned_users: Gauge,
    pub thresholds: GaugeVec,
}

/// `registry` in Prometheus' text exposition format.
pub fn render(registry: &Registry) -> String {
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut out)
        .expect("invariant: encoding to a Vec cannot fail");
    String::from_utf8(out).expect("invariant: the text format is UTF-8")
}

/// Registers `c` on `registry` and hands it back (each metric is registered once).
pub fn register<T: prometheus::core::Collector + Clone + 'static>(registry: &Registry, c: T) -> T {
    registry
        .register(Box::new(c.clone()))
        .expect("invariant: each metric is registered once");
    c
}

impl LiveMetrics {
    pub fn new(scenario: &str, steps: &[String], journeys: &[String]) -> LiveMetrics {
        LiveMetrics::for_segment(scenario, steps, journeys, Segment::WHOLE)
    }

    /// The metrics of one segment of a split run: every series carries `segment="I"`, so
    /// Prometheus sums a run over its generators and shows each one's part.
    pub fn for_segment(
        scenario: &str,
        steps: &[String],
        journeys: &[String],
        segment: Segment,
    ) -> LiveMetrics {
        let labels = segment
            .is_split()
            .then(|| [("segment".to_owned(), segment.index.to_string())].into());
        let registry =
            Registry::new_custom(None, labels).expect("invariant: a valid constant label");
        let counter = |name: &str, help: &str, labels: &[&str]| {
            register(
                &registry,
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let histogram = |name: &str, help: &str, label: &str| {
            register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()),
                    &["scenario", label],
                )
                .expect("valid metric"),
            )
        };
        let single = |name: &str, help: &str| {
            register(
                &registry,
                IntCounter::with_opts(Opts::new(name, help).const_label("scenario", scenario))
                    .expect("valid metric"),
            )
        };
        let outcomes = |vec: &IntCounterVec, name: &str| {
            Outcome::ALL.map(|o| vec.with_label_values(&[scenario, name, o.id()]))
        };
        let steps_total = counter(
            "dvc_run_steps_total",
            "Steps finished, by outcome.",
            &["scenario", "step", "outcome"],
        );
        let requests = counter(
            "dvc_run_requests_total",
            "HTTP requests sent, by step (polling steps send several).",
            &["scenario", "step"],
        );
        let step_h = histogram(
            "dvc_run_step_duration_seconds",
            "Step latency from its intended start.",
            "step",
        );
        let journeys_total = counter(
            "dvc_run_journeys_total",
            "Journeys finished, by outcome.",
            &["scenario", "journey", "outcome"],
        );
        let journey_h = histogram(
            "dvc_run_journey_duration_seconds",
            "Journey latency from its planned arrival.",
            "journey",
        );
        LiveMetrics {
            step_outcomes: steps.iter().map(|s| outcomes(&steps_total, s)).collect(),
            step_duration: steps
                .iter()
                .map(|s| step_h.with_label_values(&[scenario, s]))
                .collect(),
            step_requests: steps
                .iter()
                .map(|s| requests.with_label_values(&[scenario, s]))
                .collect(),
            journey_outcomes: journeys
                .iter()
                .map(|j| outcomes(&journeys_total, j))
                .collect(),
            journey_duration: journeys
                .iter()
                .map(|j| journey_h.with_label_values(&[scenario, j]))
                .collect(),
            planned: single(
                "dvc_run_arrivals_planned_total",
                "Arrivals the plan scheduled so far.",
            ),
            started: single("dvc_run_arrivals_started_total", "Journeys started."),
            late: single(
                "dvc_run_arrivals_late_total",
                "Journeys started more than 10 ms after their planned arrival.",
            ),
            dropped: single(
                "dvc_run_arrivals_dropped_total",
                "Planned arrivals that never started.",
            ),
            in_flight: register(
                &registry,
                IntGauge::with_opts(
                    Opts::new("dvc_run_journeys_in_flight", "Journeys running now.")
                        .const_label("scenario", scenario),
                )
                .expect("valid metric"),
            ),
            planned_rate: register(
                &registry,
                Gauge::with_opts(
                    Opts::new(
                        "dvc_run_planned_arrival_rate",
                        "Arrivals per second the plan asks for now (open model).",
                    )
                    .const_label("scenario", scenario),
                )
                .expect("valid metric"),
            ),
            users: register(
                &registry,
                IntGauge::with_opts(
                    Opts::new(
                        "dvc_run_virtual_users",
                        "Virtual citizens alive now (closed model).",
                    )
                    .const_label("scenario", scenario),
                )
                .expect("valid metric"),
            ),
            planned_users: register(
                &registry,
                Gauge::with_opts(
                    Opts::new(
                        "dvc_run_planned_virtual_users",
                        "Virtual citizens the stages plan now (closed model).",
                    )
                    .const_label("scenario", scenario),
                )
                .expect("valid metric"),
            ),
            thresholds: register(
                &registry,
                GaugeVec::new(
                    Opts::new(
                        "dvc_run_threshold_passing",
                        "1 while a threshold holds, 0 while it fails.",
                    ),
                    &["scenario", "threshold"],
                )
                .expect("valid metric"),
            ),
            registry,
        }
    }

    pub fn step(&self, series: usize, latency: Duration, outcome: Outcome, requests: u64) {
        self.step_outcomes[series][outcome as usize].inc();
        self.step_duration[series].observe(latency.as_secs_f64());
        self.step_requests[series].inc_by(requests);
    }

    pub fn journey(&self, j: usize, latency: Duration, outcome: Outcome) {
        self.journey_outcomes[j][outcome as usize].inc();
        self.journey_duration[j].observe(latency.as_secs_f64());
    }

    pub fn render(&self) -> String {
        render(&self.registry)
    }

    /// Serves `/metrics` on `listener` until the process ends: at most 64 scrapers at once,
    /// each request head within 10 s.
    pub fn serve(&self, listener: tokio::net::TcpListener) {
        let metrics = self.clone();
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let body = metrics.render();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        body,
                    )
                }
            }),
        );
        let limits = dvc_http::serve::Limits {
            max_connections: 64,
            ..dvc_http::serve::Limits::default()
        };
        tokio::spawn(dvc_http::serve(
            listener,
            app,
            limits,
            std::future::pending(),
        ));
    }
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A live line on a terminal.
    Terminal,
    /// A log line every ten seconds (stderr is not a terminal).
    Lines,
    Off,
}
