//! What one run of each kind of check does, and what it records.

use crate::config::{Check, HttpCheck, IntakeCheck, PaymentCheck, StatsCheck, StatsField, Target};
use crate::metrics::Metrics;
use crate::store::{Decision, Pending, Store};
use chrono::{DateTime, FixedOffset};
use dvc_domain::calendar::{WorkingCalendar, to_local};
use dvc_domain::lifecycle::DossierState;
use dvc_loadgen::client::{HttpClient, Prepared};
use dvc_loadgen::engine::request::{self, Response};
use dvc_loadgen::recorder::Outcome as RunOutcome;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HeaderValue};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a check run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// An answer with an unexpected status.
    HttpError,
    /// The answer did not meet a condition (body, JSON, a missing field).
    CheckFailed,
    /// An answer that met every condition but arrived over the latency budget.
    Slow,
    Timeout,
    ConnectError,
    /// The probe itself could not do its part (its state file failed).
    Internal,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::HttpError,
        Outcome::CheckFailed,
        Outcome::Slow,
        Outcome::Timeout,
        Outcome::ConnectError,
        Outcome::Internal,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::HttpError => "http_error",
            Outcome::CheckFailed => "check_failed",
            Outcome::Slow => "slow",
            Outcome::Timeout => "timeout",
            Outcome::ConnectError => "connect_error",
            Outcome::Internal => "internal",
        }
    }
}

/// Why a run failed.
#[derive(Debug, Clone)]
pub struct Failed {
    pub outcome: Outcome,
    pub reason: String,
}

fn failed(outcome: Outcome, reason: impl Into<String>) -> Failed {
    Failed {
        outcome,
        reason: reason.into(),
    }
}

impl From<request::Failure> for Failed {
    fn from(f: request::Failure) -> Self {
        let outcome = match f.outcome {
            RunOutcome::Timeout => Outcome::Timeout,
            RunOutcome::ConnectError => Outcome::ConnectError,
            RunOutcome::Http4xx | RunOutcome::Http5xx => Outcome::HttpError,
            _ => Outcome::CheckFailed,
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
    pub calendar: WorkingCalendar,
}

impl Probe {
    /// A probe with the default client.
    pub fn new(
        metrics: Metrics,
        store: Arc<Store>,
        calendar: WorkingCalendar,
    ) -> Result<Probe, rustls::Error> {
        Ok(Probe {
            client: dvc_loadgen::client::build(false, &[])?,
            tls_clients: Default::default(),
            metrics,
            store,
            calendar,
        })
    }

    /// The client for `t`, built on first use when it has TLS options.
    pub fn client(&self, t: &Target) -> Result<HttpClient, Failed> {
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
        let client = dvc_loadgen::client::build(t.insecure_skip_verify, &t.extra_roots)
            .map_err(|e| failed(Outcome::Internal, format!("TLS setup: {e}")))?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// Connects to an https target and reads when its certificate expires (Unix seconds).
    async fn certificate_not_after(&self, t: &Target) -> Result<i64, String> {
        let uri: hyper::Uri = t.url.parse().map_err(|e| format!("{e}"))?;
        let host = uri
            .host()
            .ok_or("URL without a host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let port = uri.port_u16().unwrap_or(443);
        let config = dvc_loadgen::client::tls_config(t.insecure_skip_verify, &t.extra_roots)
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
        target: &Target,
        check: &Check,
        step: &str,
        request: Prepared,
    ) -> Result<Response, Failed> {
        let client = self.client(target)?;
        let started = Instant::now();
        let answer = request::send(&client, request, check.timeout).await;
        self.metrics
            .step_duration
            .with_label_values(&[&target.portal, &target.province, &check.name, step])
            .observe(started.elapsed().as_secs_f64());
        answer.map_err(Failed::from)
    }

    /// One run of an http check.
    pub async fn http(&self, t: &Target, c: &Check, h: &HttpCheck) -> Result<(), Failed> {
        let started = Instant::now();
        let mut url = format!("{}{}", t.url, h.path);
        let mut response = self
            .send(t, c, "request", Prepared::get(url.clone()))
            .await?;
        // Redirects are followed (up to 5), as a browser would.
        for _ in 0..5 {
            if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                break;
            }
            let Some(location) = response.headers.get("location") else {
                break;
            };
            url = resolve(&url, location);
            response = self
                .send(t, c, "request", Prepared::get(url.clone()))
                .await?;
        }
        let expected = if h.status.is_empty() {
            (200..400).contains(&response.status)
        } else {
            h.status.contains(&response.status)
        };
        if !expected {
            return Err(failed(
                Outcome::HttpError,
                format!("status {}", response.status),
            ));
        }
        if let Some(re) = &h.body_regex
            && !re.is_match(&String::from_utf8_lossy(&response.body))
        {
            return Err(failed(
                Outcome::CheckFailed,
                format!("body does not match {re}"),
            ));
        }
        if !h.json.is_empty() {
            let body: Value = serde_json::from_slice(&response.body)
                .map_err(|e| failed(Outcome::CheckFailed, format!("body is not JSON: {e}")))?;
            for (path, want) in &h.json {
                let got = path.find(&body);
                if got != Some(want) {
                    return Err(failed(
                        Outcome::CheckFailed,
                        format!(
                            "{path} is {}, expected {want}",
                            got.map_or("missing".into(), ToString::to_string)
                        ),
                    ));
                }
            }
        }
        let took = started.elapsed();
        if t.url.starts_with("https://") {
            match self.certificate_not_after(t).await {
                Ok(at) => self
                    .metrics
                    .tls_not_after
                    .with_label_values(&[&t.portal, &t.province])
                    .set(at as f64),
                Err(e) => {
                    tracing::warn!(portal = %t.portal, error = %e, "cannot read the certificate")
                }
            }
        }
        if let Some(budget) = h.latency_budget
            && took > budget
        {
            return Err(failed(
                Outcome::Slow,
                format!(
                    "answered in {:.3} s, over the {:.3} s budget",
                    took.as_secs_f64(),
                    budget.as_secs_f64()
                ),
            ));
        }
        Ok(())
    }

    /// One run of a journey check: every step in order, each step's duration recorded.
    pub async fn journey(
        &self,
        t: &Target,
        c: &Check,
        runtime: &dvc_loadgen::engine::Runtime,
        journey: usize,
        iteration: u64,
    ) -> Result<(), Failed> {
        let trace = runtime.trace_journey(journey, iteration).await;
        for step in &trace {
            self.metrics
                .step_duration
                .with_label_values(&[&t.portal, &t.province, &c.name, &step.step])
                .observe(step.duration.as_secs_f64());
            if let Some(reason) = &step.reason {
                return Err(Failed::from(request::Failure {
                    outcome: step.outcome,
                    reason: format!("step {}: {reason}", step.step),
                }));
            }
        }
        Ok(())
    }

    /// Logs in (when `login` is given) and submits a test dossier to `procedure` with as many
    /// generated PDF attachments as the procedure requires. Returns the dossier's code, its
    /// submission instant as the portal reports it, and the session cookie.
    async fn submit_dossier(
        &self,
        t: &Target,
        c: &Check,
        procedure: &str,
        login: Option<&(String, String)>,
    ) -> Result<Submitted, Failed> {
        let mut cookie = None;
        if let Some((id, password)) = &login {
            let mut login = Prepared::get(format!("{}/api/login", t.url));
            login.method = hyper::Method::POST;
            login
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            login.body = Bytes::from(json!({ "citizen_id": id, "password": password }).to_string());
            let answer = self.send(t, c, "login", login).await?;
            if answer.status != 200 {
                return Err(failed(
                    Outcome::HttpError,
                    format!("login answered {}", answer.status),
                ));
            }
            cookie = answer
                .headers
                .get("set-cookie")
                .and_then(|v| v.split(';').next())
                .map(str::to_owned);
        }
        let answer = self
            .send(
                t,
                c,
                "procedure",
                Prepared::get(format!("{}/api/procedures/{}", t.url, procedure)),
            )
            .await?;
        if answer.status != 200 {
            return Err(failed(
                Outcome::HttpError,
                format!("procedure {procedure} answered {}", answer.status),
            ));
        }
        let about: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| failed(Outcome::CheckFailed, format!("procedure is not JSON: {e}")))?;
        let attachments = about["attachments"].as_array().map_or(0, Vec::len);
        let citizen_id = login.map_or("001199004321", |(id, _)| id.as_str());
        let form = json!({
            "procedure_code": procedure,
            "applicant": { "full_name": "Kiểm Thử Tự Động", "citizen_id": citizen_id },
            "test": true,
        });
        let boundary = "dvc-probe-boundary-7d2f";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"form\"\r\nContent-Type: application/json\r\n\r\n{form}\r\n"
        )
        .into_bytes();
        let pdf = dvc_loadgen::data::generated_file(dvc_loadgen::data::FileKind::Pdf, 2048);
        for n in 0..attachments {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file{n}\"; filename=\"probe-{n}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(&pdf);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut submit = Prepared::get(format!("{}/api/dossiers", t.url));
        submit.method = hyper::Method::POST;
        submit.body = Bytes::from(body);
        if let Ok(v) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")) {
            submit.headers.insert(CONTENT_TYPE, v);
        }
        if let Some(v) = cookie
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            submit.headers.insert(COOKIE, v);
        }
        let answer = self.send(t, c, "submit", submit).await?;
        if answer.status != 201 {
            return Err(failed(
                Outcome::HttpError,
                format!(
                    "submission answered {}: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ),
            ));
        }
        let dossier: Value = serde_json::from_slice(&answer.body).map_err(|e| {
            failed(
                Outcome::CheckFailed,
                format!("submission answer is not JSON: {e}"),
            )
        })?;
        let (Some(code), Some(submitted_at)) =
            (dossier["code"].as_str(), dossier["submitted_at"].as_str())
        else {
            return Err(failed(
                Outcome::CheckFailed,
                "submission answer has no code or submitted_at",
            ));
        };
        Ok(Submitted {
            code: code.to_owned(),
            submitted_at: submitted_at.to_owned(),
            acceptance_due: dossier["acceptance_due"].as_str().map(str::to_owned),
            cookie,
        })
    }

    /// One run of an intake check: submits a test dossier and keeps it to follow.
    pub async fn submit(&self, t: &Target, c: &Check, i: &IntakeCheck) -> Result<(), Failed> {
        let dossier = self
            .submit_dossier(t, c, &i.procedure, i.login.as_ref())
            .await?;
        self.store
            .add(&Pending {
                portal: t.portal.clone(),
                check: c.name.clone(),
                code: dossier.code,
                submitted_at: dossier.submitted_at,
                submitted_unix: unix_now(),
                acceptance_due_unix: dossier
                    .acceptance_due
                    .as_deref()
                    .and_then(parse_time)
                    .map(|t| t.timestamp_millis() as f64 / 1000.0),
            })
            .map_err(|e| failed(Outcome::Internal, e.to_string()))?;
        self.metrics
            .intake_submitted
            .with_label_values(&[&t.portal, &t.province])
            .inc();
        self.refresh_pending(t, c);
        Ok(())
    }

    /// One run of a payment check: a fresh pay-first test dossier, its payment created, paid at
    /// the gateway, then polled until the portal shows it settled.
    pub async fn pay(&self, t: &Target, c: &Check, p: &PaymentCheck) -> Result<(), Failed> {
        let labels = [t.portal.as_str(), t.province.as_str()];
        let dossier = self
            .submit_dossier(t, c, &p.procedure, p.login.as_ref())
            .await?;
        let with_cookie = |mut request: Prepared| {
            if let Some(v) = dossier
                .cookie
                .as_deref()
                .and_then(|c| HeaderValue::from_str(c).ok())
            {
                request.headers.insert(COOKIE, v);
            }
            request
        };
        let mut create = Prepared::get(format!("{}/api/dossiers/{}/payments", t.url, dossier.code));
        create.method = hyper::Method::POST;
        let started = Instant::now();
        let answer = self.send(t, c, "payment_init", with_cookie(create)).await?;
        self.metrics
            .payment_init
            .with_label_values(&labels)
            .observe(started.elapsed().as_secs_f64());
        if answer.status != 201 {
            return Err(failed(
                Outcome::HttpError,
                format!("payment creation answered {}", answer.status),
            ));
        }
        let payment: Value = serde_json::from_slice(&answer.body).map_err(|e| {
            failed(
                Outcome::CheckFailed,
                format!("payment answer is not JSON: {e}"),
            )
        })?;
        let (Some(id), Some(redirect)) = (
            payment["payment_id"].as_str(),
            payment["redirect_url"].as_str(),
        ) else {
            return Err(failed(
                Outcome::CheckFailed,
                "payment answer has no payment_id or redirect_url",
            ));
        };
        let mut pay = Prepared::get(resolve(&t.url, redirect));
        pay.method = hyper::Method::POST;
        pay.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        pay.body = Bytes::from(match &p.outcome {
            Some(o) => format!("action=pay&outcome={o}"),
            None => "action=pay".to_owned(),
        });
        let started = Instant::now();
        let answer = self.send(t, c, "payment_redirect", pay).await?;
        self.metrics
            .payment_redirect
            .with_label_values(&labels)
            .observe(started.elapsed().as_secs_f64());
        if !(200..400).contains(&answer.status) {
            return Err(failed(
                Outcome::HttpError,
                format!("the gateway answered {}", answer.status),
            ));
        }
        let paid = Instant::now();
        let status_url = format!("{}/api/payments/{id}", t.url);
        loop {
            let answer = self
                .send(
                    t,
                    c,
                    "payment_status",
                    with_cookie(Prepared::get(status_url.clone())),
                )
                .await?;
            let status: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            match status["status"].as_str() {
                Some(settled @ ("succeeded" | "failed")) => {
                    self.metrics
                        .payment_confirmation
                        .with_label_values(&labels)
                        .observe(paid.elapsed().as_secs_f64());
                    self.metrics
                        .payments
                        .with_label_values(&[labels[0], labels[1], settled])
                        .inc();
                    self.metrics
                        .payment_pending
                        .with_label_values(&labels)
                        .set(0.0);
                    return if settled == "succeeded" {
                        Ok(())
                    } else {
                        Err(failed(Outcome::CheckFailed, "the payment failed"))
                    };
                }
                _ if paid.elapsed() + p.poll_every > p.confirm_timeout => {
                    self.metrics
                        .payments
                        .with_label_values(&[labels[0], labels[1], "unconfirmed"])
                        .inc();
                    self.metrics
                        .payment_pending
                        .with_label_values(&labels)
                        .set(1.0);
                    return Err(failed(
                        Outcome::Timeout,
                        format!("payment {id} not confirmed within {:?}", p.confirm_timeout),
                    ));
                }
                _ => tokio::time::sleep(p.poll_every).await,
            }
        }
    }

    /// Looks up every pending test dossier of an intake check once, and records decisions.
    pub async fn follow(&self, t: &Target, c: &Check, i: &IntakeCheck) {
        let pending = match self.store.pending(&t.portal, &c.name) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "cannot read pending dossiers");
                return;
            }
        };
        for p in pending {
            let lookup = Prepared::get(format!("{}/api/dossiers/{}", t.url, p.code));
            let answer = match self.send(t, c, "lookup", lookup).await {
                Ok(a) if a.status == 200 => a,
                Ok(a) => {
                    tracing::warn!(portal = %t.portal, code = %p.code, status = a.status, "lookup failed");
                    continue;
                }
                Err(f) => {
                    tracing::warn!(portal = %t.portal, code = %p.code, reason = %f.reason, "lookup failed");
                    continue;
                }
            };
            let Ok(dossier) = serde_json::from_slice::<Value>(&answer.body) else {
                continue;
            };
            self.judge(t, &p, &dossier, i);
        }
        self.refresh_pending(t, c);
    }

    /// Records what a lookup says of a pending dossier.
    fn judge(&self, t: &Target, p: &Pending, dossier: &Value, i: &IntakeCheck) {
        let labels = [t.portal.as_str(), t.province.as_str()];
        let state = dossier["state"]
            .as_u64()
            .and_then(|s| u8::try_from(s).ok())
            .and_then(DossierState::from_code);
        let submitted = parse_time(dossier["submitted_at"].as_str().unwrap_or(&p.submitted_at));
        let accepted = dossier["accepted_at"].as_str().and_then(parse_time);
        let decision = match (accepted, state) {
            (Some(_), _) => Decision::Accepted,
            (None, Some(DossierState::Refused)) => Decision::Refused,
            _ if unix_now() - p.submitted_unix > i.give_up_after.as_secs_f64() => Decision::GivenUp,
            _ => return,
        };
        let at = accepted.map_or_else(|| chrono::Utc::now().to_rfc3339(), |a| a.to_rfc3339());
        match self.store.decide(&t.portal, &p.code, decision, &at) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot record a decision");
                return;
            }
        }
        match decision {
            Decision::Accepted => {
                self.metrics
                    .intake_accepted
                    .with_label_values(&labels)
                    .inc();
                if let (Some(s), Some(a)) = (submitted, accepted) {
                    let wall = (a - s).num_milliseconds().max(0) as f64 / 1000.0;
                    let working = self
                        .calendar
                        .working_time_between(to_local(&s), to_local(&a))
                        .num_milliseconds() as f64
                        / 1000.0;
                    self.metrics
                        .intake_latency
                        .with_label_values(&labels)
                        .observe(wall);
                    self.metrics
                        .intake_latency_working
                        .with_label_values(&labels)
                        .observe(working);
                    let due = dossier["acceptance_due"].as_str().and_then(parse_time);
                    let late = match due {
                        Some(due) => a > due,
                        None => working > self.calendar.working_day_length().num_seconds() as f64,
                    };
                    if late {
                        self.metrics.intake_late.with_label_values(&labels).inc();
                    }
                }
            }
            Decision::Refused => self.metrics.intake_refused.with_label_values(&labels).inc(),
            Decision::GivenUp => self
                .metrics
                .intake_given_up
                .with_label_values(&labels)
                .inc(),
        }
    }

    /// Sets the pending gauges of an intake check from the state file.
    pub fn refresh_pending(&self, t: &Target, c: &Check) {
        let labels = [t.portal.as_str(), t.province.as_str()];
        if let Ok(pending) = self.store.pending(&t.portal, &c.name) {
            self.metrics
                .intake_pending
                .with_label_values(&labels)
                .set(pending.len() as f64);
            self.metrics
                .intake_oldest
                .with_label_values(&labels)
                .set(pending.first().map_or(0.0, |p| p.submitted_unix));
            let due = pending
                .iter()
                .filter_map(|p| p.acceptance_due_unix)
                .reduce(f64::min);
            self.metrics
                .intake_next_due
                .with_label_values(&labels)
                .set(due.unwrap_or(0.0));
        }
    }

    /// One run of a stats check.
    pub async fn stats(&self, t: &Target, c: &Check, s: &StatsCheck) -> Result<(), Failed> {
        let answer = self
            .send(t, c, "stats", Prepared::get(format!("{}{}", t.url, s.path)))
            .await?;
        if answer.status != 200 {
            return Err(failed(
                Outcome::HttpError,
                format!("status {}", answer.status),
            ));
        }
        let body: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| failed(Outcome::CheckFailed, format!("body is not JSON: {e}")))?;
        let items: Vec<&Value> = match &s.items {
            Some(path) => path
                .find(&body)
                .and_then(Value::as_array)
                .ok_or_else(|| failed(Outcome::CheckFailed, format!("{path} is not a list")))?
                .iter()
                .collect(),
            None => vec![&body],
        };
        for item in items {
            let agency = s
                .agency
                .as_ref()
                .and_then(|p| p.find(item))
                .map_or_else(|| "all".to_owned(), dvc_loadgen::jsonpath::as_text);
            let mut figures = Vec::new();
            for (field, path) in &s.fields {
                let Some(value) = path.find(item).and_then(Value::as_f64) else {
                    return Err(failed(
                        Outcome::CheckFailed,
                        format!("{path} is not a number for agency {agency}"),
                    ));
                };
                figures.push((*field, value));
                self.metrics
                    .stats_dossiers
                    .with_label_values(&[&t.portal, &t.province, &agency, field.id()])
                    .set(value);
            }
            let get = |f: StatsField| figures.iter().find(|(g, _)| *g == f).map(|(_, v)| *v);
            if let (Some(e), Some(o), Some(l), Some(i), Some(d)) = (
                get(StatsField::ResolvedEarly),
                get(StatsField::ResolvedOnTime),
                get(StatsField::ResolvedLate),
                get(StatsField::OpenInTime),
                get(StatsField::OpenOverdue),
            ) {
                let all = e + o + l + i + d;
                if all > 0.0 {
                    self.metrics
                        .stats_on_time_ratio
                        .with_label_values(&[&t.portal, &t.province, &agency])
                        .set((e + o + i) / all);
                }
            }
        }
        Ok(())
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
            Outcome::Timeout,
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
