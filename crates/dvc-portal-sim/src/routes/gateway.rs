//! The simulated payment gateway: the page the citizen is redirected to, its decision, the
//! signed callback it sends the portal after a delay, its transaction query, and the portal's
//! reconciliation job that settles payments whose callback never came.

use crate::error::ApiError;
use crate::office::{GatewayOutcome, Transaction};
use crate::portal::SharedPortal;
use crate::routes::pages::page;
use crate::routes::payments::{self, Callback, sha256_hex};
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use http_body_util::Full;
use hyper::body::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// The gateway's result code for an outcome: "00" success, "24" failed, "99" pending.
pub fn result_code(outcome: GatewayOutcome) -> &'static str {
    match outcome {
        GatewayOutcome::Success => "00",
        GatewayOutcome::Failed => "24",
        GatewayOutcome::Pending => "99",
    }
}

/// `GET /gateway/pay/{id}`: the page the citizen lands on after the redirect.
pub async fn page_get(
    State(portal): State<SharedPortal>,
    Path(id): Path<String>,
) -> Result<Html<String>, ApiError> {
    let (amount, code) = {
        let office = portal.office();
        let p = office.payment(&id)?;
        (p.amount, office.payment_dossier(p).code.clone())
    };
    let prefix = &portal.config.prefix;
    Ok(page(
        "Cổng thanh toán (mô phỏng)",
        &format!(
            "<h1>Cổng thanh toán</h1><p>Hồ sơ <b>{code}</b>, số tiền <b>{amount} VND</b>.</p>\
             <form method=\"post\" action=\"{prefix}/gateway/pay/{id}\">\
             <label>Kết quả (sandbox): <select name=\"outcome\"><option value=\"\">theo cấu hình</option>\
             <option value=\"success\">thành công</option><option value=\"failed\">thất bại</option>\
             <option value=\"pending\">chờ xử lý</option></select></label>\
             <button name=\"action\" value=\"pay\">Thanh toán</button>\
             <button name=\"action\" value=\"cancel\">Hủy</button></form>"
        ),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayForm {
    #[serde(default)]
    action: Option<String>,
    /// Sandbox control: force the outcome ("success", "failed", "pending"); empty: configured.
    #[serde(default)]
    outcome: Option<String>,
}

/// `POST /gateway/pay/{id}`: the citizen pays (or cancels). Redirects back to the portal.
pub async fn page_post(
    State(portal): State<SharedPortal>,
    Path(id): Path<String>,
    form: Result<Form<PayForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) = form?;
    if portal.faults().gateway_outage {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the payment gateway is unavailable",
        ));
    }
    if form.action.as_deref() == Some("cancel") {
        let amount = portal.office().payment(&id)?.amount;
        // A cancelled payment comes back failed and without a transaction.
        let back = return_url(&portal, &id, amount, "24", "");
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response());
    }
    let forced = match form.outcome.as_deref().unwrap_or("") {
        "" => None,
        "success" => Some(GatewayOutcome::Success),
        "failed" => Some(GatewayOutcome::Failed),
        "pending" => Some(GatewayOutcome::Pending),
        other => {
            return Err(ApiError::unprocessable(format!(
                "unknown outcome {other:?}; use success, failed or pending"
            )));
        }
    };
    let pay = &portal.config.payment;
    let (txn, code, amount, fresh) = {
        let mut office = portal.office();
        let already = office.payment(&id)?.transaction.is_some();
        let txn = office.pay_on_gateway(&id, (pay.success, pay.failed), forced)?;
        let p = office.payment(&id)?;
        (
            txn,
            office.payment_dossier(p).code.clone(),
            p.amount,
            !already,
        )
    };
    if fresh {
        let [name, province] = portal.labels();
        let outcome = format!("{:?}", txn.outcome).to_lowercase();
        portal
            .metrics
            .payments
            .with_label_values(&[name, province, outcome.as_str()])
            .inc();
        if txn.outcome != GatewayOutcome::Pending {
            schedule_callbacks(&portal, &id, &code, amount, &txn);
        }
    }
    let back = return_url(&portal, &id, amount, result_code(txn.outcome), &txn.id);
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response())
}

/// The fields of the citizen's way back that the checksum covers, in order.
const RETURN_FIELDS: [&str; 4] = ["payment_id", "amount", "result_code", "transaction_id"];

/// The checksum of a return: hex SHA-256 of the fields joined by `|`, then the secret.
fn return_checksum(values: &[&str], secret: &str) -> String {
    sha256_hex(&format!("{}|{secret}", values.join("|")))
}

/// Where the gateway sends the citizen back: the portal's return page with the result and a
/// checksum, so a result typed into the address bar is told apart from the gateway's.
fn return_url(portal: &SharedPortal, id: &str, amount: u64, code: &str, txn: &str) -> String {
    let amount = amount.to_string();
    let values = [id, amount.as_str(), code, txn];
    let checksum = return_checksum(&values, &portal.config.payment.secret);
    let query: String = RETURN_FIELDS
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    format!(
        "{}/payment/return?{query}checksum={checksum}",
        portal.config.prefix
    )
}

/// Sends the signed callback after the configured delay: twice, once or never, by the faults.
fn schedule_callbacks(portal: &SharedPortal, id: &str, code: &str, amount: u64, txn: &Transaction) {
    let faults = portal.faults();
    let (lost, twice) = {
        let mut office = portal.office();
        (
            office.roll() < faults.lost_callback,
            office.roll() < faults.duplicate_callback,
        )
    };
    if lost {
        return;
    }
    let Some(base) = portal.callback_base.get().cloned() else {
        return;
    };
    let mut cb = Callback {
        payment_id: id.to_owned(),
        dossier_code: code.to_owned(),
        amount,
        result_code: result_code(txn.outcome).to_owned(),
        transaction_id: txn.id.clone(),
        signature: String::new(),
    };
    cb.signature = sha256_hex(&cb.signed_fields(&portal.config.payment.secret));
    let body = serde_json::to_vec(&cb).expect("invariant: a callback serialises");
    let delay = portal.config.payment.callback_delay.0;
    let client = portal.client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        for _ in 0..if twice { 2 } else { 1 } {
            let request = hyper::Request::post(format!("{base}/api/payments/ipn"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(body.clone())));
            match request {
                Ok(request) => {
                    if let Err(err) = client.request(request).await {
                        tracing::warn!(%err, "gateway callback failed");
                    }
                }
                Err(err) => tracing::warn!(%err, "gateway callback could not be built"),
            }
        }
    });
}

/// What the gateway says of a transaction now: `None` while still pending.
fn settled(portal: &SharedPortal, txn: &Transaction) -> Option<bool> {
    match txn.outcome {
        GatewayOutcome::Success => Some(true),
        GatewayOutcome::Failed => Some(false),
        GatewayOutcome::Pending => (txn.decided.elapsed()
            >= portal.config.payment.pending_resolves_after.0)
            .then_some(true),
    }
}

/// `GET /gateway/api/transactions/{id}`: the gateway's query API, by payment id.
pub async fn query(
    State(portal): State<SharedPortal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let txn = portal
        .office()
        .payment(&id)?
        .transaction
        .clone()
        .ok_or_else(|| ApiError::not_found(format!("no transaction for payment {id}")))?;
    let (status, code) = match settled(&portal, &txn) {
        Some(true) => ("success", "00"),
        Some(false) => ("failed", "24"),
        None => ("pending", "99"),
    };
    Ok(Json(
        json!({ "payment_id": id, "transaction_id": txn.id, "status": status, "result_code": code }),
    ))
}

/// The reconciliation job: re-queries payments still pending on the portal side whose
/// transaction is older than a few callback delays, and settles those the gateway has settled.
pub async fn reconcile_forever(portal: SharedPortal) {
    let pay = portal.config.payment.clone();
    let every = pay.reconcile_every.0.max(Duration::from_millis(10));
    let older_than = pay
        .callback_delay
        .0
        .saturating_mul(3)
        .max(pay.reconcile_every.0);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let due = portal.office().payments_to_reconcile(older_than);
        for (id, txn) in due {
            if let Some(success) = settled(&portal, &txn) {
                payments::reconcile(&portal, &id, success);
            }
        }
    }
}

/// The page the citizen comes back to from the gateway. The checksum is checked first: a
/// return not signed by the gateway is a 400 and changes nothing. A signed one still only
/// shows the gateway's word; the payment is settled by the callback or reconciliation.
pub async fn return_page(
    State(portal): State<SharedPortal>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Html<String>, ApiError> {
    let field = |k: &str| q.get(k).map_or("", String::as_str);
    let values: Vec<&str> = RETURN_FIELDS.iter().map(|k| field(k)).collect();
    let expected = return_checksum(&values, &portal.config.payment.secret);
    if !field("checksum").eq_ignore_ascii_case(&expected) {
        return Err(ApiError::bad_request(
            "checksum mismatch: this return was not signed by the payment gateway",
        ));
    }
    let id = field("payment_id");
    let status = portal.office().payment(id)?.status;
    let text = match (field("result_code"), field("transaction_id")) {
        ("00", _) => {
            "Cổng thanh toán báo giao dịch thành công; hồ sơ được cập nhật khi cổng xác nhận."
        }
        ("99", _) => {
            "Giao dịch đang chờ ngân hàng xử lý; trạng thái sẽ được cập nhật khi có kết quả."
        }
        (_, "") => "Bạn đã hủy thanh toán.",
        _ => "Giao dịch không thành công.",
    };
    Ok(page(
        "Kết quả thanh toán",
        &format!("<h1>Thanh toán {id}</h1><p>{text}</p><p>Trạng thái: <b>{status:?}</b></p>"),
    ))
}
