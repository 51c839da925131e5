//! http and journey checks: availability, latency, certificate expiry, scripted visits.

use super::{CheckOutcome, Failed, Probe, failed, resolve};
use crate::config::{HttpCheck, ProbeCheck, ProbeTarget};
use dvc_http::Prepared;
use std::time::Instant;

impl Probe {
    /// One run of an http check.
    pub async fn http(&self, t: &ProbeTarget, c: &ProbeCheck, h: &HttpCheck) -> Result<(), Failed> {
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
        let expected = if h.check.status.is_empty() {
            (200..400).contains(&response.status)
        } else {
            h.check.status.contains(&response.status)
        };
        if !expected {
            return Err(failed(
                CheckOutcome::HttpError,
                format!("status {}", response.status),
            ));
        }
        if let Some(re) = &h.body_regex
            && !re.is_match(&String::from_utf8_lossy(&response.body))
        {
            return Err(failed(
                CheckOutcome::CheckFailed,
                format!("body does not match {re}"),
            ));
        }
        // The JSON conditions, as a runner step judges them.
        dvc_loadgen::judge(&h.check, &response)?;
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
                CheckOutcome::Slow,
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
        t: &ProbeTarget,
        c: &ProbeCheck,
        runtime: &dvc_loadgen::Runtime,
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
                return Err(Failed::from(dvc_http::Failure {
                    outcome: step.outcome,
                    reason: format!("step {}: {reason}", step.step),
                }));
            }
        }
        Ok(())
    }
}
