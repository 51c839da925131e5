//! What one run of each kind of check does, and what it records: the shared parts here, each
//! kind in its own module.

mod browser;
mod http;
mod intake;
mod payment;
mod stats;

use crate::config::{ProbeCheck, ProbeTarget};
use crate::metrics::Metrics;
use crate::store::Store;
use chrono::{DateTime, FixedOffset};
use dvc_domain::calendar::WorkingCalendar;
use dvc_http::Outcome as HttpOutcome;
use dvc_http::Response;
use dvc_http::{HttpClient, Prepared};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a check run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Ok,
    /// An answer with an unexpected status.
    HttpError,
    /// The answer did not meet a condition (body, JSON, a missing field).
    CheckFailed,
    /// An answer that met every condition but arrived over the latency budget.
    Slow,
    Timeout,
    ConnectError,
    /// An answer that could not be read as HTTP, or whose body was over the limit.
    ProtocolError,
    /// The probe itself could not do its part (its state file failed).
    Internal,
}

impl CheckOutcome {
    pub const ALL: [CheckOutcome; 8] = [
        CheckOutcome::Ok,
        CheckOutcome::HttpError,
        CheckOutcome::CheckFailed,
        CheckOutcome::Slow,
        CheckOutcome::Timeout,
        CheckOutcome::ConnectError,
        CheckOutcome::ProtocolError,
        CheckOutcome::Internal,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CheckOutcome::Ok => "ok",
            CheckOutcome::HttpError => "http_error",
            CheckOutcome::CheckFailed => "check_failed",
            CheckOutcome::Slow => "slow",
            CheckOutcome::Timeout => "timeout",
            CheckOutcome::ConnectError => "connect_error",
            CheckOutcome::ProtocolError => "protocol_error",
            CheckOutcome::Internal => "internal",
        }
    }
}

/// Why a run failed.
#[derive(Debug, Clone)]
pub struct Failed {
    pub outcome: CheckOutcome,
    pub reason: String,
}

fn failed(outcome: CheckOutcome, reason: impl Into<String>) -> Failed {
    Failed {
        outcome,
        reason: reason.into(),
    }
}

/// The JSON body of `answer` when it has the `expected` status; else why not. `what` names
/// the answer in the reason ("submission answered 422: …").
fn json_answer(answer: &Response, expected: u16, what: &str) -> Result<serde_json::Value, Failed> {
    if answer.status != expected {
        return Err(failed(
            CheckOutcome::HttpError,
            format!(
                "{what} answered {}: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ),
        ));
    }
    serde_json::from_slice(&answer.body).map_err(|e| {
        failed(
            CheckOutcome::CheckFailed,
            format!("{what} is not JSON: {e}"),
        )
    })
}

impl From<dvc_http::Failure> for Failed {
    fn from(f: dvc_http::Failure) -> Self {
        let outcome = match f.outcome {
            HttpOutcome::Timeout => CheckOutcome::Timeout,
            HttpOutcome::ConnectError => CheckOutcome::ConnectError,
            HttpOutcome::ProtocolError | HttpOutcome::BodyTooLarge => CheckOutcome::ProtocolError,
            HttpOutcome::Http4xx | HttpOutcome::Http5xx => CheckOutcome::HttpError,
            _ => CheckOutcome::CheckFailed,
        };
        failed(outcome, f.reason)
    }
}

/// A dossier the probe submitted.
struct Submitted {
    code: String,
    submitted_at: String,
    acceptance_due: Option<String>,
    cookie: Option<String>,
}

/// What every check shares.
pub struct Probe {
    /// The client of targets without TLS options of their own.
    pub client: HttpClient,
    /// Clients of targets with `ca_file` or `insecure_skip_verify`, by those options.
    pub tls_clients: std::sync::Mutex<std::collections::HashMap<(bool, String), HttpClient>>,
    pub metrics: Metrics,
    pub store: Arc<Store>,
    /// The calendar of targets with no `[target.calendar]`.
    pub calendar: WorkingCalendar,
    /// Targets' own calendars, by portal, with the spec each was built from.
    calendars: std::sync::Mutex<
        std::collections::HashMap<
            String,
            (dvc_domain::portal_calendar::CalendarSpec, WorkingCalendar),
        >,
    >,
    /// The `agency` label values each portal has exported, at most [`stats::MAX_AGENCIES`].
    pub agencies:
        std::sync::Mutex<std::collections::HashMap<String, std::collections::BTreeSet<String>>>,
}

impl Probe {
    /// Keeps a figure `target` measured in the state file's history.
    pub fn observe(&self, target: &ProbeTarget, figure: &str, value: f64) {
        let observation = crate::history::Observation {
            at: unix_now(),
            portal: target.portal.clone(),
            province: target.province.clone(),
            figure: figure.to_owned(),
            value,
        };
        if let Err(e) = self.store.observe(&observation) {
            tracing::error!(error = %e, "cannot keep a figure in the history");
        }
    }

    /// A probe with the default client.
    pub fn new(
        metrics: Metrics,
        store: Arc<Store>,
        calendar: WorkingCalendar,
    ) -> Result<Probe, rustls::Error> {
        Ok(Probe {
            client: dvc_http::build(false, &[])?,
            tls_clients: Default::default(),
            metrics,
            store,
            calendar,
            calendars: Default::default(),
            agencies: Default::default(),
        })
    }

    /// The working calendar `t` is judged by: the probe's, with `[target.calendar]` laid over
    /// it (built once per portal and configuration).
    pub fn calendar_for(&self, t: &ProbeTarget) -> WorkingCalendar {
        let Some(spec) = &t.calendar else {
            return self.calendar.clone();
        };
        let mut built = self.calendars.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((known, calendar)) = built.get(&t.portal)
            && known == spec
        {
            return calendar.clone();
        }
        let calendar = self.calendar.clone().with_spec(spec);
        built.insert(t.portal.clone(), (spec.clone(), calendar.clone()));
        calendar
    }

    /// The client for `t`, built on first use when it has TLS options.
    pub fn client(&self, t: &ProbeTarget) -> Result<HttpClient, Failed> {
        if t.ca_file.is_none() && !t.insecure_skip_verify {
            return Ok(self.client.clone());
        }
        let key = (
            t.insecure_skip_verify,
            t.ca_file.clone().unwrap_or_default(),
        );
        let mut clients = self.tls_clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let client = dvc_http::build(t.insecure_skip_verify, &t.extra_roots)
            .map_err(|e| failed(CheckOutcome::Internal, format!("TLS setup: {e}")))?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// Connects to an https target and reads when its certificate expires (Unix seconds).
    async fn certificate_not_after(&self, t: &ProbeTarget) -> Result<i64, String> {
        let uri: hyper::Uri = t.url.parse().map_err(|e| format!("{e}"))?;
        let host = uri
            .host()
            .ok_or("URL without a host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let port = uri.port_u16().unwrap_or(443);
        let config = dvc_http::tls_config(t.insecure_skip_verify, &t.extra_roots)
            .map_err(|e| e.to_string())?;
        let name =
            rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| e.to_string())?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (_, session) = tls.get_ref();
        let leaf = session
            .peer_certificates()
            .and_then(|c| c.first())
            .ok_or("no certificate")?;
        let (_, cert) = x509_parser::parse_x509_certificate(leaf).map_err(|e| e.to_string())?;
        Ok(cert.validity().not_after.timestamp())
    }

    async fn send(
        &self,
        target: &ProbeTarget,
        check: &ProbeCheck,
        step: &str,
        request: Prepared,
    ) -> Result<Response, Failed> {
        let client = self.client(target)?;
        let started = Instant::now();
        let answer = dvc_http::send(&client, request, check.timeout).await;
        self.metrics
            .step_duration
            .with_label_values(&[&target.portal, &target.province, &check.name, step])
            .observe(started.elapsed().as_secs_f64());
        answer.map_err(Failed::from)
    }
}

/// `location` taken relative to `base` (absolute URLs and absolute paths).
fn resolve(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    if location.starts_with('/') {
        format!("{}{location}", &base[..origin_end])
    } else {
        let dir_end = base
            .rfind('/')
            .filter(|&i| i >= origin_end)
            .map_or(base.len(), |i| i + 1);
        let sep = if dir_end == base.len() && !base.ends_with('/') {
            "/"
        } else {
            ""
        };
        format!("{}{sep}{location}", &base[..dir_end])
    }
}

fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A check's run bounded by its timeout (an intake submission makes several requests).
pub async fn bounded<F>(limit: Duration, run: F) -> Result<(), Failed>
where
    F: std::future::Future<Output = Result<(), Failed>>,
{
    tokio::time::timeout(limit, run).await.unwrap_or_else(|_| {
        Err(failed(
            CheckOutcome::Timeout,
            format!("no result within {limit:?}"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn redirect_locations_resolve_against_the_request_url() {
        assert_eq!(resolve("http://h:1/hn/", "/hn"), "http://h:1/hn");
        assert_eq!(resolve("http://h:1/a/b", "c"), "http://h:1/a/c");
        assert_eq!(resolve("http://h:1", "c"), "http://h:1/c");
        assert_eq!(resolve("http://h:1/a", "https://x/y"), "https://x/y");
    }
}
