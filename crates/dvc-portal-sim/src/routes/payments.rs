//! The portal's side of payments: create a payment, its status, the gateway's callback (IPN),
//! and the e-receipt.

use crate::error::ApiError;
use crate::office::{Confirmation, Payment, PaymentStatus, ReceiptStatus};
use crate::portal::{SharedPortal, rfc3339};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What the gateway posts back: fields signed with SHA-256 over `a|b|…|secret`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    pub payment_id: String,
    pub dossier_code: String,
    pub amount: u64,
    /// "00" success, "24" failed.
    pub result_code: String,
    pub transaction_id: String,
    pub signature: String,
}

impl Callback {
    /// The string the signature covers.
    pub fn signed_fields(&self, secret: &str) -> String {
        format!(
            "{}|{}|{}|{}|{}|{secret}",
            self.payment_id, self.dossier_code, self.amount, self.result_code, self.transaction_id
        )
    }
}

/// Hex SHA-256 of `data`.
pub fn sha256_hex(data: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn payment_json(portal: &SharedPortal, p: &Payment, dossier_code: &str) -> Value {
    let prefix = &portal.config.prefix;
    json!({
        "payment_id": p.id,
        "dossier_code": dossier_code,
        "amount": p.amount,
        "currency": "VND",
        "status": p.status,
        "created_at": rfc3339(p.created_at),
        "confirmed_at": p.confirmed_at.map(rfc3339),
        "confirmed_by": p.confirmed_by,
        "callbacks": p.callbacks,
        "transaction_id": p.transaction.as_ref().map(|t| t.id.as_str()),
        "redirect_url": format!("{prefix}/gateway/pay/{}", p.id),
        "receipt": p.receipt(),
        "receipt_url": (p.status == PaymentStatus::Succeeded)
            .then(|| format!("{prefix}/api/payments/{}/receipt", p.id)),
    })
}

/// `POST /api/dossiers/{code}/payments`: payment request → redirect URL on the gateway.
pub async fn create(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if portal.faults().gateway_outage {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the payment gateway is unavailable",
        ));
    }
    let citizen = crate::routes::auth::citizen(&portal, &headers);
    let mut office = portal.office_now();
    crate::routes::dossiers::require_applicant(
        &portal,
        &office,
        &code,
        citizen.as_deref(),
        crate::routes::dossiers::Act::Pay,
    )?;
    let now = portal.now();
    let (payment, created) = office.create_payment(&code, now)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(payment_json(&portal, payment, &code))))
}

/// `GET /api/payments/{id}`.
pub async fn status(
    State(portal): State<SharedPortal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let office = portal.office();
    let p = office.payment(&id)?;
    let code = office.payment_dossier(p).code.clone();
    Ok(Json(payment_json(&portal, p, &code)))
}

/// `POST /api/payments/ipn`: the gateway's callback. Idempotent: a repeated callback for a
/// settled payment changes nothing and answers `"duplicate"`.
pub async fn ipn(
    State(portal): State<SharedPortal>,
    body: Result<Json<Callback>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(cb) = body?;
    let [name, province] = portal.labels();
    let count = |result: &str| {
        portal
            .metrics
            .callbacks
            .with_label_values(&[name, province, result])
            .inc();
    };
    let expected = sha256_hex(&cb.signed_fields(&portal.config.payment.secret));
    if expected != cb.signature.to_ascii_lowercase() {
        count("bad_signature");
        return Err(ApiError::bad_request("signature mismatch"));
    }
    let success = match cb.result_code.as_str() {
        "00" => true,
        "24" => false,
        other => {
            count("bad_request");
            return Err(ApiError::bad_request(format!(
                "unknown result_code {other:?}"
            )));
        }
    };
    let mut office = portal.office_now();
    let p = office
        .payment(&cb.payment_id)
        .inspect_err(|_| count("unknown"))?;
    if p.amount != cb.amount || office.payment_dossier(p).code != cb.dossier_code {
        count("bad_request");
        return Err(ApiError::bad_request(
            "amount or dossier_code does not match the payment",
        ));
    }
    let now = portal.now();
    let outcome = office.confirm_payment(&cb.payment_id, success, "callback", now)?;
    count_receipt_failure(&portal, &office, &cb.payment_id, outcome);
    let result = match outcome {
        Confirmation::Applied => "applied",
        Confirmation::Duplicate => "duplicate",
    };
    count(result);
    Ok(Json(json!({ "result": result })))
}

/// `GET /api/payments/{id}/receipt`: the e-receipt, a PDF in Vietnamese, once paid. It names
/// the payer, so only the applicant's session gets it (as paying does; anyone who paid for a
/// procedure that takes anonymous submissions gets it by the payment's id). While issuing it
/// has failed (`payment.receipt_failure`) it answers 503 with `Retry-After`.
pub async fn receipt(
    State(portal): State<SharedPortal>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let citizen = crate::routes::auth::citizen(&portal, &headers);
    let lines = {
        let office = portal.office();
        let p = office.payment(&id)?;
        crate::routes::dossiers::require_applicant(
            &portal,
            &office,
            &office.payment_dossier(p).code,
            citizen.as_deref(),
            crate::routes::dossiers::Act::Receipt,
        )?;
        match p.receipt() {
            None => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("payment {id} has not succeeded"),
                ));
            }
            Some(ReceiptStatus::Retrying) => {
                let wait = p.receipt_retry_at.map_or(1, |at| {
                    at.saturating_duration_since(std::time::Instant::now())
                        .as_secs()
                        + 1
                });
                let mut response = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "the e-receipt of payment {id} could not be issued (receipt system \
                         error); the fee is paid and the receipt is issued again shortly"
                    ),
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
                return Ok(response);
            }
            Some(ReceiptStatus::Issued) => {}
        }
        let d = office.payment_dossier(p);
        let procedure = portal
            .catalogue
            .procedure(&d.procedure)
            .map_or(d.procedure.as_str(), |pr| pr.name.as_str());
        let payer = d.applicant["applicant"]["full_name"]
            .as_str()
            .unwrap_or("-");
        vec![
            "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ".to_owned(),
            format!("Cổng Dịch vụ công {}", portal.province.name),
            String::new(),
            format!("Mã hồ sơ: {}", d.code),
            format!("Thủ tục: {procedure}"),
            format!("Người nộp: {payer}"),
            format!(
                "Số tiền: {} đồng",
                dvc_domain::units::group_thousands(p.amount, '.')
            ),
            format!("Mã thanh toán: {}", p.id),
            format!(
                "Mã giao dịch: {}",
                p.transaction.as_ref().map_or("-", |t| t.id.as_str())
            ),
            format!(
                "Thời gian thanh toán: {}",
                p.confirmed_at
                    .map(|t| t.format("%H:%M:%S ngày %d/%m/%Y").to_string())
                    .unwrap_or_default()
            ),
            String::new(),
            "Biên lai của cổng mô phỏng dvcbench (simulated portal), không có giá trị pháp lý."
                .to_owned(),
        ]
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"receipt-{id}.pdf\""),
            ),
        ],
        crate::pdf::text_pdf(&lines),
    )
        .into_response())
}

/// Applies a reconciliation result (used by the gateway module's job).
pub fn reconcile(portal: &SharedPortal, payment_id: &str, success: bool) {
    let now = portal.now();
    let mut office = portal.office();
    let applied = office.confirm_payment(payment_id, success, "reconciliation", now);
    if let Ok(outcome) = applied {
        count_receipt_failure(portal, &office, payment_id, outcome);
    }
    drop(office);
    if applied == Ok(Confirmation::Applied) {
        let [name, province] = portal.labels();
        portal
            .metrics
            .reconciled
            .with_label_values(&[name, province])
            .inc();
    }
}

/// Counts a receipt that failed to be issued when a confirmation made the payment succeed.
fn count_receipt_failure(
    portal: &SharedPortal,
    office: &crate::office::Office,
    payment_id: &str,
    outcome: Confirmation,
) {
    let failed = outcome == Confirmation::Applied
        && office
            .payment(payment_id)
            .is_ok_and(|p| p.receipt() == Some(ReceiptStatus::Retrying));
    if failed {
        let [name, province] = portal.labels();
        portal
            .metrics
            .receipt_failures
            .with_label_values(&[name, province])
            .inc();
    }
}
