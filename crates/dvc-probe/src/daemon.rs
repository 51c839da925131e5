//! The daemon: one task per check on its schedule, the HTTP server (`/metrics`, `/`,
//! `/healthz`, `POST /-/reload`), and configuration reloads that keep the old configuration
//! when the new one is invalid.

use crate::checks::{self, CheckOutcome, Failed, Probe};
use crate::config::{CheckKind, ProbeCheck, ProbeConfig, ProbeTarget};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngExt;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The last result of one check, for the status page.
#[derive(Debug, Clone, Default)]
pub struct CheckStatus {
    pub province: String,
    pub ok: Option<bool>,
    pub last_run: Option<chrono::DateTime<chrono::Utc>>,
    pub message: String,
}

/// The daemon's shared state.
pub struct Daemon {
    pub probe: Arc<Probe>,
    config_path: PathBuf,
    config: Mutex<Arc<ProbeConfig>>,
    tasks: Mutex<JoinSet<()>>,
    status: Arc<Mutex<BTreeMap<(String, String), CheckStatus>>>,
}

impl Daemon {
    /// Starts every check of `config`.
    pub fn start(probe: Probe, config_path: PathBuf, config: ProbeConfig) -> Arc<Daemon> {
        let daemon = Arc::new(Daemon {
            probe: Arc::new(probe),
            config_path,
            config: Mutex::new(Arc::new(config.clone())),
            tasks: Mutex::new(JoinSet::new()),
            status: Arc::new(Mutex::new(BTreeMap::new())),
        });
        daemon.apply(config);
        daemon
    }

    fn apply(&self, config: ProbeConfig) {
        let config = Arc::new(config);
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        // Dropping the old set aborts every task of the previous configuration.
        drop(std::mem::take(&mut *tasks));
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status.clear();
        // Gauges of checks that may be gone; counters keep counting across reloads.
        let m = &self.probe.metrics;
        for g in [
            &m.success,
            &m.last_run,
            &m.tls_not_after,
            &m.intake_pending,
            &m.intake_oldest,
            &m.intake_next_due,
            &m.stats_dossiers,
            &m.stats_on_time_ratio,
        ] {
            g.reset();
        }
        m.targets.set(config.targets.len() as i64);
        m.info.reset();
        m.info
            .with_label_values(&[&config.location, env!("CARGO_PKG_VERSION")])
            .set(1.0);
        let (probe, location, days) = (
            self.probe.clone(),
            config.location.clone(),
            config.history_days,
        );
        tasks.spawn(async move { keep_history(&probe, &location, days).await });
        for (ti, target) in config.targets.iter().enumerate() {
            for (ci, check) in target.checks.iter().enumerate() {
                status.insert(
                    (target.portal.clone(), check.name.clone()),
                    CheckStatus {
                        province: target.province.clone(),
                        ..CheckStatus::default()
                    },
                );
                let (probe, shared, st) = (self.probe.clone(), config.clone(), self.status.clone());
                tasks.spawn(async move {
                    let target = &shared.targets[ti];
                    schedule(&probe, target, &target.checks[ci], &st).await;
                });
                // Every series a query may need starts at zero.
                let labels = [
                    target.portal.as_str(),
                    target.province.as_str(),
                    check.name.as_str(),
                ];
                for outcome in checks::CheckOutcome::ALL {
                    m.probes
                        .with_label_values(&[
                            labels[0],
                            labels[1],
                            labels[2],
                            check.kind.id(),
                            outcome.id(),
                        ])
                        .inc_by(0);
                }
                for c in [&m.scheduled, &m.run, &m.late] {
                    c.with_label_values(&labels).inc_by(0);
                }
                if let CheckKind::Browser(_) = &check.kind {
                    m.browser_errors.with_label_values(&labels).inc_by(0);
                }
                if let CheckKind::Payment(_) = &check.kind {
                    for outcome in ["succeeded", "failed", "unconfirmed"] {
                        m.payments
                            .with_label_values(&[labels[0], labels[1], outcome])
                            .inc_by(0);
                    }
                    m.payment_pending.with_label_values(&labels[..2]).set(0.0);
                }
                if let CheckKind::Intake(intake) = &check.kind {
                    for c in [
                        &m.intake_submitted,
                        &m.intake_accepted,
                        &m.intake_late,
                        &m.intake_refused,
                        &m.intake_given_up,
                    ] {
                        c.with_label_values(&labels[..2]).inc_by(0);
                    }
                    self.probe.refresh_pending(target, check);
                    let (probe, shared, intake) =
                        (self.probe.clone(), config.clone(), intake.clone());
                    tasks.spawn(async move {
                        let target = &shared.targets[ti];
                        let check = &target.checks[ci];
                        loop {
                            probe.follow(target, check, &intake).await;
                            tokio::time::sleep(intake.follow_every).await;
                        }
                    });
                }
            }
        }
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = config;
        m.reload_ok.set(1);
        m.reload_time.set(checks::unix_now());
    }

    /// Reads the configuration file again; an invalid one is rejected and the old one kept.
    pub fn reload(&self) -> Result<(), dvc_domain::Error> {
        match ProbeConfig::load(&self.config_path) {
            Ok(config) => {
                self.apply(config);
                tracing::info!(config = %self.config_path.display(), "configuration reloaded");
                Ok(())
            }
            Err(errors) => {
                self.probe.metrics.reload_ok.set(0);
                let text = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n");
                tracing::error!("configuration not reloaded, the old one stays:\n{text}");
                Err(dvc_domain::Error::Config(errors))
            }
        }
    }

    /// Stops every check.
    pub fn stop(&self) {
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .abort_all();
    }

    /// The HTTP interface.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/", get(status_page))
            .route("/-/reload", post(reload))
            .route("/-/config", get(show_config))
            .with_state(self.clone())
    }
}

/// Runs `check` on its schedule forever: every interval (plus jitter), within office hours when
/// asked. Runs that fall due while the previous one is still going are counted as scheduled and
/// late, not silently skipped.
async fn schedule(
    probe: &Probe,
    target: &ProbeTarget,
    check: &ProbeCheck,
    status: &Mutex<BTreeMap<(String, String), CheckStatus>>,
) {
    let labels = [
        target.portal.as_str(),
        target.province.as_str(),
        check.name.as_str(),
    ];
    let m = &probe.metrics;
    let runtime = match &check.kind {
        CheckKind::Journey(j) => {
            let mut runtime = dvc_loadgen::Runtime::new(
                j.scenario.clone(),
                probe
                    .client(target)
                    .unwrap_or_else(|_| probe.client.clone()),
                target.url.clone(),
                None,
            );
            // One citizen's visit now and then: its redirects (an SSO) may go anywhere.
            runtime.any_host = true;
            Some(runtime)
        }
        _ => None,
    };
    let mut iteration = 0;
    let mut due = Instant::now();
    loop {
        let jitter = if check.jitter.is_zero() {
            Duration::ZERO
        } else {
            check.jitter.mul_f64(rand::rng().random::<f64>())
        };
        tokio::time::sleep_until(due + jitter).await;
        if check.office_hours_only
            && !probe
                .calendar_for(target)
                .is_office_open(&chrono::Utc::now())
        {
            due += check.interval;
            continue;
        }
        m.scheduled.with_label_values(&labels).inc();
        m.run.with_label_values(&labels).inc();
        let started = Instant::now();
        iteration += 1;
        let run = run_once(probe, target, check, runtime.as_ref(), iteration);
        let result = checks::bounded(check.timeout, run).await;
        let took = started.elapsed();
        record(probe, target, check, status, &result, took);
        due += check.interval;
        // Runs that fell due meanwhile could not happen on time.
        let now = Instant::now();
        while due + check.interval <= now {
            m.scheduled.with_label_values(&labels).inc();
            m.late.with_label_values(&labels).inc();
            due += check.interval;
        }
        if due < now {
            m.late.with_label_values(&labels).inc();
        }
    }
}

/// Keeps the state file's history: the probe's location, and runs and figures no older than
/// `days` (pruned now and every hour).
async fn keep_history(probe: &Probe, location: &str, days: u32) {
    if let Err(e) = probe.store.set_meta("location", location) {
        tracing::error!(error = %e, "cannot record the probe's location");
    }
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let before = checks::unix_now() - f64::from(days) * 86_400.0;
        if let Err(e) = probe.store.prune(before) {
            tracing::error!(error = %e, "cannot prune the history");
        }
    }
}

async fn run_once(
    probe: &Probe,
    target: &ProbeTarget,
    check: &ProbeCheck,
    runtime: Option<&dvc_loadgen::Runtime>,
    iteration: u64,
) -> Result<(), Failed> {
    match &check.kind {
        CheckKind::Http(h) => probe.http(target, check, h).await,
        CheckKind::Browser(b) => probe.browser(target, check, b).await,
        CheckKind::Journey(j) => match runtime {
            Some(rt) => probe.journey(target, check, rt, j.journey, iteration).await,
            None => Ok(()),
        },
        CheckKind::Intake(i) => probe.submit(target, check, i).await,
        CheckKind::Payment(p) => probe.pay(target, check, p).await,
        CheckKind::Stats(s) => probe.stats(target, check, s).await,
    }
}

fn record(
    probe: &Probe,
    target: &ProbeTarget,
    check: &ProbeCheck,
    status: &Mutex<BTreeMap<(String, String), CheckStatus>>,
    result: &Result<(), Failed>,
    took: Duration,
) {
    let labels = [
        target.portal.as_str(),
        target.province.as_str(),
        check.name.as_str(),
    ];
    let m = &probe.metrics;
    let outcome = result
        .as_ref()
        .map_or_else(|f| f.outcome, |()| CheckOutcome::Ok);
    m.probes
        .with_label_values(&[
            &target.portal,
            &target.province,
            &check.name,
            check.kind.id(),
            outcome.id(),
        ])
        .inc();
    m.duration
        .with_label_values(&[labels[0], labels[1], labels[2], check.kind.id()])
        .observe(took.as_secs_f64());
    m.success
        .with_label_values(&[labels[0], labels[1], labels[2], check.kind.id()])
        .set(if outcome == CheckOutcome::Ok {
            1.0
        } else {
            0.0
        });
    let now = checks::unix_now();
    m.last_run.with_label_values(&labels).set(now);
    let run = crate::history::Run {
        at: now,
        portal: target.portal.clone(),
        province: target.province.clone(),
        check: check.name.clone(),
        kind: check.kind.id().to_owned(),
        outcome: outcome.id().to_owned(),
        seconds: took.as_secs_f64(),
        office_open: Some(
            probe
                .calendar_for(target)
                .is_office_open(&chrono::Utc::now()),
        ),
    };
    if let Err(e) = probe.store.record_run(&run) {
        tracing::error!(error = %e, "cannot keep a check run in the history");
    }
    if let Err(f) = result {
        tracing::warn!(portal = %target.portal, check = %check.name, outcome = outcome.id(), reason = %f.reason, "check failed");
    }
    let mut status = status.lock().unwrap_or_else(|p| p.into_inner());
    let entry = status
        .entry((target.portal.clone(), check.name.clone()))
        .or_default();
    entry.ok = Some(result.is_ok());
    entry.last_run = Some(chrono::Utc::now());
    entry.message = match result {
        Ok(()) => format!("ok in {:.3} s", took.as_secs_f64()),
        Err(f) => format!("{}: {}", f.outcome.id(), f.reason),
    };
}

async fn metrics(State(d): State<Arc<Daemon>>) -> Response {
    let now = chrono::Utc::now();
    let config = d.config.lock().unwrap_or_else(|p| p.into_inner()).clone();
    d.probe.metrics.office_hours.reset();
    for t in &config.targets {
        let open = d.probe.calendar_for(t).is_office_open(&now);
        d.probe
            .metrics
            .office_hours
            .with_label_values(&[t.portal.as_str(), t.province.as_str()])
            .set(i64::from(open));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        d.probe.metrics.render(),
    )
        .into_response()
}

async fn reload(State(d): State<Arc<Daemon>>) -> Response {
    let d2 = d.clone();
    match tokio::task::spawn_blocking(move || d2.reload()).await {
        Ok(Ok(())) => (StatusCode::OK, axum::Json(json!({ "status": "reloaded" }))).into_response(),
        Ok(Err(errors)) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": "invalid configuration; the previous one stays", "details": errors.to_string() })),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({ "error": e.to_string() }))).into_response(),
    }
}

async fn show_config(State(d): State<Arc<Daemon>>) -> Response {
    let config = d.config.lock().unwrap_or_else(|p| p.into_inner()).clone();
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        config.redacted.clone(),
    )
        .into_response()
}

/// Text safe inside the status page's HTML, quoted attributes included.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn status_page(State(d): State<Arc<Daemon>>) -> Html<String> {
    let config = d.config.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let status = d.status.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut rows = String::new();
    for ((portal, check), s) in &status {
        let pending = config
            .targets
            .iter()
            .find(|t| &t.portal == portal)
            .and_then(|t| t.checks.iter().find(|c| &c.name == check))
            .filter(|c| matches!(c.kind, CheckKind::Intake(_)))
            .and_then(|c| d.probe.store.pending(portal, &c.name).ok())
            .map_or_else(String::new, |p| p.len().to_string());
        let (class, state) = match s.ok {
            Some(true) => ("up", "up"),
            Some(false) => ("down", "down"),
            None => ("wait", "not run yet"),
        };
        rows.push_str(&format!(
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{state}</td><td>{}</td><td>{pending}</td><td>{}</td></tr>\n",
            escape(portal),
            escape(&s.province),
            escape(check),
            s.last_run.map_or_else(String::new, |t| t.with_timezone(&dvc_domain::calendar::vietnam_offset()).format("%Y-%m-%d %H:%M:%S").to_string()),
            escape(&s.message),
        ));
    }
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>dvcbench probe — {loc}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}}\
tr.up td:nth-child(4){{color:#176f2c}}tr.down td:nth-child(4){{color:#b3261e;font-weight:bold}}</style></head>\
<body><h1>dvcbench probe</h1><p>Location: {loc}. Metrics at <a href=\"/metrics\">/metrics</a>; configuration (secrets redacted) at <a href=\"/-/config\">/-/config</a>.</p>\
<table><tr><th>portal</th><th>province</th><th>check</th><th>state</th><th>last run (UTC+7)</th><th>pending intake dossiers</th><th>last result</th></tr>\n{rows}</table></body></html>\n",
        loc = escape(&config.location),
    ))
}
