//! Intake checks: a test dossier submitted, then followed until an officer decides.

use super::{CheckOutcome, Failed, Probe, Submitted, failed, json_answer, parse_time, unix_now};
use crate::config::{IntakeCheck, ProbeCheck, ProbeTarget};
use crate::history::figure;
use crate::store::{IntakeEnd, Pending};
use dvc_domain::calendar::to_local;
use dvc_domain::lifecycle::DossierState;
use dvc_http::Prepared;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HeaderValue};
use serde_json::{Value, json};

impl Probe {
    /// Logs in (when `login` is given) and submits a test dossier to `procedure` with as many
    /// generated PDF attachments as the procedure requires, with `Idempotency-Key: key` when
    /// given (the portal then answers 200 with the dossier a first sending created). Returns
    /// the dossier's code, its submission instant as the portal reports it, and the session
    /// cookie.
    pub(super) async fn submit_dossier(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        procedure: &str,
        login: Option<&(String, String)>,
        key: Option<&str>,
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
                    CheckOutcome::HttpError,
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
        let about = json_answer(&answer, 200, &format!("procedure {procedure}"))?;
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
        let pdf = dvc_loadgen::generated_file(dvc_loadgen::FileKind::Pdf, 2048);
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
        if let Some(v) = key.and_then(|k| HeaderValue::from_str(k).ok()) {
            submit.headers.insert("idempotency-key", v);
        }
        let answer = self.send(t, c, "submit", submit).await?;
        let created = if key.is_some() && answer.status == 200 {
            200
        } else {
            201
        };
        let dossier = json_answer(&answer, created, "submission")?;
        let (Some(code), Some(submitted_at)) =
            (dossier["code"].as_str(), dossier["submitted_at"].as_str())
        else {
            return Err(failed(
                CheckOutcome::CheckFailed,
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
    pub async fn submit(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        i: &IntakeCheck,
    ) -> Result<(), Failed> {
        // The key is kept before anything is sent: if the probe dies before it has recorded the
        // dossier, its next run sends the same submission with the same key and the portal
        // answers with the dossier already created, which is then followed, not orphaned.
        let (key, left_over) = self
            .store
            .submission_key(&t.portal, &c.name)
            .map_err(|e| failed(CheckOutcome::Internal, e.to_string()))?;
        if left_over {
            tracing::info!(portal = %t.portal, check = %c.name, "sending again a submission whose answer never came, with its key");
        }
        let dossier = self
            .submit_dossier(t, c, &i.procedure, i.login.as_ref(), Some(&key))
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
            .map_err(|e| failed(CheckOutcome::Internal, e.to_string()))?;
        self.metrics
            .intake_submitted
            .with_label_values(&[&t.portal, &t.province])
            .inc();
        self.refresh_pending(t, c);
        Ok(())
    }

    /// Looks up every pending test dossier of an intake check once, and records decisions.
    pub async fn follow(&self, t: &ProbeTarget, c: &ProbeCheck, i: &IntakeCheck) {
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
    fn judge(&self, t: &ProbeTarget, p: &Pending, dossier: &Value, i: &IntakeCheck) {
        let labels = [t.portal.as_str(), t.province.as_str()];
        let state = dossier["state"]
            .as_u64()
            .and_then(|s| u8::try_from(s).ok())
            .and_then(DossierState::from_code);
        let submitted = parse_time(dossier["submitted_at"].as_str().unwrap_or(&p.submitted_at));
        let accepted = dossier["accepted_at"].as_str().and_then(parse_time);
        let decision = match (accepted, state) {
            (Some(_), _) => IntakeEnd::Accepted,
            (None, Some(DossierState::Refused)) => IntakeEnd::Refused,
            _ if unix_now() - p.submitted_unix > i.give_up_after.as_secs_f64() => {
                IntakeEnd::GivenUp
            }
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
            IntakeEnd::Accepted => {
                self.metrics
                    .intake_accepted
                    .with_label_values(&labels)
                    .inc();
                if let (Some(s), Some(a)) = (submitted, accepted) {
                    let wall = (a - s).num_milliseconds().max(0) as f64 / 1000.0;
                    let calendar = self.calendar_for(t);
                    let working = calendar
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
                        None => working > calendar.working_day_length().num_seconds() as f64,
                    };
                    if late {
                        self.metrics.intake_late.with_label_values(&labels).inc();
                    }
                    self.observe(t, figure::INTAKE_WORKING_SECONDS, working);
                    self.observe(t, figure::INTAKE_LATE, f64::from(u8::from(late)));
                }
            }
            IntakeEnd::Refused => self.metrics.intake_refused.with_label_values(&labels).inc(),
            IntakeEnd::GivenUp => self
                .metrics
                .intake_given_up
                .with_label_values(&labels)
                .inc(),
        }
    }

    /// Sets the pending gauges of an intake check from the state file.
    pub fn refresh_pending(&self, t: &ProbeTarget, c: &ProbeCheck) {
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
}
