//! Payment checks: a fee paid through the portal's gateway sandbox, timed to confirmation.

use super::{CheckOutcome, Failed, Probe, failed, json_answer, resolve};
use crate::config::{PaymentCheck, ProbeCheck, ProbeTarget};
use dvc_http::Prepared;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HeaderValue};
use serde_json::Value;
use std::time::Instant;

impl Probe {
    /// One run of a payment check: a fresh pay-first test dossier, its payment created, paid at
    /// the gateway, then polled until the portal shows it settled.
    pub async fn pay(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        p: &PaymentCheck,
    ) -> Result<(), Failed> {
        let labels = [t.portal.as_str(), t.province.as_str()];
        let dossier = self
            .submit_dossier(t, c, &p.procedure, p.login.as_ref(), None)
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
        let payment = json_answer(&answer, 201, "payment creation")?;
        let (Some(id), Some(redirect)) = (
            payment["payment_id"].as_str(),
            payment["redirect_url"].as_str(),
        ) else {
            return Err(failed(
                CheckOutcome::CheckFailed,
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
                CheckOutcome::HttpError,
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
                    let confirmation = paid.elapsed().as_secs_f64();
                    self.metrics
                        .payment_confirmation
                        .with_label_values(&labels)
                        .observe(confirmation);
                    self.observe(
                        t,
                        crate::history::figure::PAYMENT_CONFIRMATION_SECONDS,
                        confirmation,
                    );
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
                        Err(failed(CheckOutcome::CheckFailed, "the payment failed"))
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
                        CheckOutcome::Timeout,
                        format!("payment {id} not confirmed within {:?}", p.confirm_timeout),
                    ));
                }
                _ => tokio::time::sleep(p.poll_every).await,
            }
        }
    }
}
