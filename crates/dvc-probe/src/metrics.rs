//! The probe's Prometheus metrics. Labels are bounded: `portal` and `province` come from the
//! configuration, `check` is a configured check name, `outcome` and `figure` are fixed sets,
//! and `agency` comes from the portal's own statistics (its list of agencies).

use prometheus::{
    GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

const PROBE_BUCKETS: [f64; 14] = [
    0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 20.0, 30.0,
];
/// Payment confirmation, from a quarter second to ten minutes.
const CONFIRM_BUCKETS: [f64; 13] = [
    0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];
/// Browser timings (paints, blocking time), from a tenth of a second to half a minute; the
/// ministry's limits (0.6 s, 3 s, 4 s) are bucket bounds.
const BROWSER_BUCKETS: [f64; 14] = [
    0.05, 0.1, 0.2, 0.3, 0.6, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 30.0,
];
/// Bytes a page load transfers, from 10 kB to 20 MB.
const BYTES_BUCKETS: [f64; 10] = [1e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7];
/// Wall time from a minute to two weeks.
const INTAKE_BUCKETS: [f64; 14] = [
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0, 172800.0, 259200.0,
    432000.0, 604800.0, 1209600.0,
];
/// Working time from a minute to five working days of 8 hours.
const INTAKE_WORKING_BUCKETS: [f64; 12] = [
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 43200.0, 57600.0, 86400.0,
    144000.0,
];

/// Every metric of the probe, on one registry.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub info: GaugeVec,
    pub success: GaugeVec,
    pub probes: IntCounterVec,
    pub duration: HistogramVec,
    pub step_duration: HistogramVec,
    pub last_run: GaugeVec,
    pub tls_not_after: GaugeVec,
    pub scheduled: IntCounterVec,
    pub run: IntCounterVec,
    pub late: IntCounterVec,
    pub intake_latency: HistogramVec,
    pub intake_latency_working: HistogramVec,
    pub intake_pending: GaugeVec,
    pub intake_oldest: GaugeVec,
    pub intake_next_due: GaugeVec,
    pub intake_submitted: IntCounterVec,
    pub intake_accepted: IntCounterVec,
    pub intake_late: IntCounterVec,
    pub intake_refused: IntCounterVec,
    pub intake_given_up: IntCounterVec,
    pub payment_init: HistogramVec,
    pub payment_redirect: HistogramVec,
    pub payment_confirmation: HistogramVec,
    pub payments: IntCounterVec,
    pub payment_pending: GaugeVec,
    pub browser_fcp: HistogramVec,
    pub browser_lcp: HistogramVec,
    pub browser_tbt: HistogramVec,
    pub browser_bytes: HistogramVec,
    pub browser_errors: IntCounterVec,
    pub stats_dossiers: GaugeVec,
    pub stats_on_time_ratio: GaugeVec,
    pub label_values_dropped: IntCounterVec,
    pub reload_ok: IntGauge,
    pub reload_time: prometheus::Gauge,
    pub targets: IntGauge,
    pub office_hours: IntGaugeVec,
}

use dvc_loadgen::live::register as reg;

const TARGET: [&str; 2] = ["portal", "province"];
const CHECK: [&str; 3] = ["portal", "province", "check"];

impl Metrics {
    pub fn new() -> Metrics {
        let r = Registry::new();
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            reg(
                &r,
                GaugeVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let counter = |name: &str, help: &str, labels: &[&str]| {
            reg(
                &r,
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let histogram = |name: &str, help: &str, labels: &[&str], buckets: &[f64]| {
            reg(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(name, help).buckets(buckets.to_vec()),
                    labels,
                )
                .expect("valid metric"),
            )
        };
        Metrics {
            success: gauge(
                "dvc_probe_success",
                "1 when the check's last run succeeded, else 0.",
                &["portal", "province", "check", "kind"],
            ),
            probes: counter(
                "dvc_probes_total",
                "Check runs, by kind of check (http, browser, journey, intake, payment, stats) and outcome.",
                &["portal", "province", "check", "kind", "outcome"],
            ),
            duration: histogram(
                "dvc_probe_duration_seconds",
                "Duration of a check run.",
                &["portal", "province", "check", "kind"],
                &PROBE_BUCKETS,
            ),
            step_duration: histogram(
                "dvc_probe_step_duration_seconds",
                "Duration of each request of a check (login, submit, lookup, ...).",
                &["portal", "province", "check", "step"],
                &PROBE_BUCKETS,
            ),
            last_run: gauge(
                "dvc_probe_last_run_timestamp_seconds",
                "When the check last ran (Unix time).",
                &CHECK,
            ),
            tls_not_after: gauge(
                "dvc_probe_tls_cert_not_after_timestamp_seconds",
                "When the certificate an https target presented expires (Unix time), from its http checks.",
                &TARGET,
            ),
            scheduled: counter(
                "dvc_probe_checks_scheduled_total",
                "Check runs due by the schedule.",
                &CHECK,
            ),
            run: counter("dvc_probe_checks_run_total", "Check runs started.", &CHECK),
            late: counter(
                "dvc_probe_checks_late_total",
                "Check runs that could not start on time (the previous run was still going, or the daemon was behind).",
                &CHECK,
            ),
            intake_latency: histogram(
                "dvc_intake_latency_seconds",
                "Submission to acceptance of the probe's test dossiers, in wall time.",
                &TARGET,
                &INTAKE_BUCKETS,
            ),
            intake_latency_working: histogram(
                "dvc_intake_latency_working_seconds",
                "Submission to acceptance of the probe's test dossiers, in working time of the civil-service calendar.",
                &TARGET,
                &INTAKE_WORKING_BUCKETS,
            ),
            intake_pending: gauge(
                "dvc_intake_pending",
                "Test dossiers submitted and not yet accepted or refused.",
                &TARGET,
            ),
            intake_oldest: gauge(
                "dvc_intake_oldest_pending_submission_timestamp_seconds",
                "Submission time of the oldest pending test dossier (Unix time); 0 when none is pending.",
                &TARGET,
            ),
            intake_next_due: gauge(
                "dvc_intake_next_acceptance_due_timestamp_seconds",
                "The earliest acceptance deadline among pending test dossiers, in the portal's own clock (Unix time); 0 when none is pending.",
                &TARGET,
            ),
            intake_submitted: counter(
                "dvc_intake_submitted_total",
                "Test dossiers submitted.",
                &TARGET,
            ),
            intake_accepted: counter(
                "dvc_intake_accepted_total",
                "Test dossiers accepted.",
                &TARGET,
            ),
            intake_late: counter(
                "dvc_intake_late_total",
                "Test dossiers accepted after the 1-working-day acceptance deadline.",
                &TARGET,
            ),
            intake_refused: counter(
                "dvc_intake_refused_total",
                "Test dossiers refused at intake.",
                &TARGET,
            ),
            intake_given_up: counter(
                "dvc_intake_given_up_total",
                "Test dossiers no longer followed after give_up_after without a decision.",
                &TARGET,
            ),
            payment_init: histogram(
                "dvc_payment_init_seconds",
                "Time for the portal to create a payment and answer with the gateway redirect.",
                &TARGET,
                &PROBE_BUCKETS,
            ),
            payment_redirect: histogram(
                "dvc_payment_redirect_seconds",
                "Time for the gateway to take the payment and redirect back to the portal.",
                &TARGET,
                &PROBE_BUCKETS,
            ),
            payment_confirmation: histogram(
                "dvc_payment_confirmation_seconds",
                "From paying at the gateway until the portal shows the payment settled (callback or reconciliation).",
                &TARGET,
                &CONFIRM_BUCKETS,
            ),
            payments: counter(
                "dvc_payments_total",
                "Probe payments by how they ended: succeeded, failed, or unconfirmed within confirm_timeout.",
                &["portal", "province", "outcome"],
            ),
            payment_pending: gauge(
                "dvc_payment_pending",
                "1 when the last probe payment was still unconfirmed at confirm_timeout, else 0.",
                &TARGET,
            ),
            browser_fcp: histogram(
                "dvc_browser_first_contentful_paint_seconds",
                "First contentful paint of a browser check's page load, from navigation start.",
                &CHECK,
                &BROWSER_BUCKETS,
            ),
            browser_lcp: histogram(
                "dvc_browser_largest_contentful_paint_seconds",
                "Largest contentful paint of a browser check's page load, from navigation start.",
                &CHECK,
                &BROWSER_BUCKETS,
            ),
            browser_tbt: histogram(
                "dvc_browser_total_blocking_time_seconds",
                "Total blocking time of a browser check's page load: long tasks' time over 50 ms each, from first contentful paint to the end of the watch.",
                &CHECK,
                &BROWSER_BUCKETS,
            ),
            browser_bytes: histogram(
                "dvc_browser_transfer_bytes",
                "Bytes a browser check's page load transferred (the page and its resources).",
                &CHECK,
                &BYTES_BUCKETS,
            ),
            browser_errors: counter(
                "dvc_browser_errors_total",
                "Errors during browser checks' page loads: script errors and resources answered 4xx/5xx.",
                &CHECK,
            ),
            stats_dossiers: gauge(
                "dvc_stats_dossiers",
                "Counts from the portal's public statistics for the current period, by figure: the deadline counts (received, resolved_early, resolved_on_time, resolved_late, open_in_time, open_overdue, late_acceptances) and the national index's (procedures_*, dossiers_*, results_*, payments_*, satisfaction_*).",
                &["portal", "province", "agency", "figure"],
            ),
            stats_on_time_ratio: gauge(
                "dvc_stats_on_time_ratio",
                "National index progress ratio from the portal's statistics: finished on time or open in time, over all finished or open.",
                &["portal", "province", "agency"],
            ),
            label_values_dropped: counter(
                "dvc_probe_label_values_dropped_total",
                "Values of a label from a portal's answers beyond what the probe exports per portal (agency: 100); their figures are summed under \"other\".",
                &["portal", "province", "label"],
            ),
            info: gauge(
                "dvc_probe_info",
                "1, with the probe's location (from its configuration) and version.",
                &["location", "version"],
            ),
            reload_ok: reg(
                &r,
                IntGauge::new(
                    "dvc_probe_config_last_reload_successful",
                    "1 when the last configuration (re)load succeeded.",
                )
                .expect("valid metric"),
            ),
            reload_time: reg(
                &r,
                prometheus::Gauge::new(
                    "dvc_probe_config_last_reload_success_timestamp_seconds",
                    "When the configuration was last loaded successfully (Unix time).",
                )
                .expect("valid metric"),
            ),
            office_hours: reg(
                &r,
                IntGaugeVec::new(
                    Opts::new(
                        "dvc_probe_office_open",
                        "1 while the portal's office is open (office hours of a working day, or Saturday intake hours, by its own calendar), else 0.",
                    ),
                    &["portal", "province"],
                )
                .expect("valid metric"),
            ),
            targets: reg(
                &r,
                IntGauge::new("dvc_probe_targets", "Targets in the configuration.")
                    .expect("valid metric"),
            ),
            registry: r,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        dvc_loadgen::live::render(&self.registry)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
