//! The simulator's own Prometheus metrics (`dvc_portal_*`), labelled by portal and province.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every metric the simulator exports, in one registry shared by all its portals.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub requests: IntCounterVec,
    pub duration: HistogramVec,
    pub in_flight: IntGaugeVec,
    pub rejected: IntCounterVec,
    pub submitted: IntCounterVec,
    pub dossiers: IntGaugeVec,
    pub backlog: IntGaugeVec,
    pub officers: IntGaugeVec,
    pub payments: IntCounterVec,
    pub callbacks: IntCounterVec,
    pub reconciled: IntCounterVec,
    pub receipt_failures: IntCounterVec,
    pub national_pushes: IntCounterVec,
    pub national_waiting: prometheus::IntGauge,
    pub simulated_time: IntGaugeVec,
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels)
        .expect("invariant: metric names and labels are valid");
    registry
        .register(Box::new(c.clone()))
        .expect("invariant: each metric is registered once");
    c
}

fn gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), labels)
        .expect("invariant: metric names and labels are valid");
    registry
        .register(Box::new(g.clone()))
        .expect("invariant: each metric is registered once");
    g
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new();
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "dvc_portal_http_request_duration_seconds",
                "Time to answer a request, faults and queueing included.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ]),
            &["portal", "province", "method", "route"],
        )
        .expect("invariant: histogram options are valid");
        registry
            .register(Box::new(duration.clone()))
            .expect("invariant: each metric is registered once");
        let pp = ["portal", "province"];
        Metrics {
            requests: counter(
                &registry,
                "dvc_portal_http_requests_total",
                "Requests answered, by route and status code.",
                &["portal", "province", "method", "route", "status"],
            ),
            duration,
            in_flight: gauge(
                &registry,
                "dvc_portal_http_requests_in_flight",
                "Requests being answered now.",
                &pp,
            ),
            rejected: counter(
                &registry,
                "dvc_portal_http_rejected_total",
                "Requests refused by the service model or by injected faults, by reason.",
                &["portal", "province", "reason"],
            ),
            submitted: counter(
                &registry,
                "dvc_portal_dossiers_submitted_total",
                "Dossiers submitted, by agency.",
                &["portal", "province", "agency"],
            ),
            dossiers: gauge(
                &registry,
                "dvc_portal_dossiers",
                "Dossiers by current lifecycle state.",
                &["portal", "province", "state"],
            ),
            backlog: gauge(
                &registry,
                "dvc_portal_intake_backlog",
                "Dossiers waiting for an intake officer, by agency.",
                &["portal", "province", "agency"],
            ),
            officers: gauge(
                &registry,
                "dvc_portal_intake_officers",
                "Intake officers, by agency.",
                &["portal", "province", "agency"],
            ),
            payments: counter(
                &registry,
                "dvc_portal_gateway_payments_total",
                "Payments the gateway decided, by outcome.",
                &["portal", "province", "outcome"],
            ),
            callbacks: counter(
                &registry,
                "dvc_portal_payment_callbacks_total",
                "Gateway callbacks received, by result.",
                &["portal", "province", "result"],
            ),
            reconciled: counter(
                &registry,
                "dvc_portal_payments_reconciled_total",
                "Pending payments settled by the reconciliation job.",
                &pp,
            ),
            receipt_failures: counter(
                &registry,
                "dvc_portal_receipt_failures_total",
                "Successful payments whose e-receipt failed to be issued at first.",
                &pp,
            ),
            national_pushes: counter(
                &registry,
                "dvc_portal_national_pushes_total",
                "Pushes of dossiers from the national portal to a province's portal, by result.",
                &["province", "result"],
            ),
            national_waiting: {
                let g = prometheus::IntGauge::new(
                    "dvc_portal_national_waiting",
                    "Dossiers submitted at the national portal not yet received by their province.",
                )
                .expect("invariant: metric names are valid");
                registry
                    .register(Box::new(g.clone()))
                    .expect("invariant: each metric is registered once");
                g
            },
            simulated_time: gauge(
                &registry,
                "dvc_portal_simulated_time_seconds",
                "The portal's simulated clock, as Unix time in seconds.",
                &pp,
            ),
            registry,
        }
    }
}

impl Metrics {
    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("invariant: encoding to a Vec cannot fail");
        String::from_utf8(out).expect("invariant: the text format is UTF-8")
    }
}
