//! Dossier submission (multipart), lookup, and supplements.

use crate::error::ApiError;
use crate::office::{Attachment, Dossier, KeyState};
use crate::portal::{SharedPortal, rfc3339};
use crate::routes::auth;
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

/// The JSON `form` part of a submission.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionForm {
    procedure_code: String,
    applicant: Applicant,
    /// Procedure-specific fields, kept as given.
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    /// Marks a test dossier (probes submit these).
    #[serde(default)]
    test: bool,
    /// The province the dossier is for: required by the national portal, optional (and then
    /// its own) on a province's portal.
    #[serde(default)]
    province: Option<String>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    full_name: String,
    citizen_id: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

/// Reads a multipart body: an optional JSON `form` part and file parts, within the limits.
pub(crate) async fn read_parts(
    limits: &crate::config::LimitsConfig,
    mut multipart: Multipart,
) -> Result<(Option<SubmissionForm>, Vec<Attachment>), ApiError> {
    let mut form = None;
    let mut files = Vec::new();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "form" {
            let bytes = field.bytes().await?;
            if bytes.len() > 64 * 1024 {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the form part is over 64 KiB",
                ));
            }
            let parsed: SubmissionForm = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::bad_request(format!("the form part is not valid: {e}")))?;
            form = Some(parsed);
            continue;
        }
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            return Err(ApiError::bad_request(format!(
                "unexpected part {name:?}: send a JSON part named \"form\" and file parts with a filename"
            )));
        };
        if files.len() >= limits.max_files {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("at most {} files per dossier", limits.max_files),
            ));
        }
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut bytes = 0usize;
        while let Some(chunk) = field.chunk().await? {
            bytes += chunk.len();
            if bytes > limits.max_file_bytes {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("file {file_name:?} is over {} bytes", limits.max_file_bytes),
                ));
            }
        }
        if bytes == 0 {
            return Err(ApiError::unprocessable(format!(
                "file {file_name:?} is empty"
            )));
        }
        files.push(Attachment {
            file_name,
            content_type,
            bytes,
        });
    }
    Ok((form, files))
}

/// Generates the next dossier code of an agency: `{agency}.H{province}-{yyMMdd}-{seq}`.
///
/// The sequence is taken under the agency's lock (held for `code_generation`), so a burst on
/// one agency serialises here. With the `duplicate_codes` fault the lock is skipped and the
/// read and write of the sequence are apart, so concurrent submissions can get the same code.
async fn generate_code(portal: &SharedPortal, agency: &str, agency_code: &str) -> String {
    let day = portal.now().date();
    let hold = portal.config.capacity.code_generation.0;
    let seq = if portal.faults().duplicate_codes {
        let seq = portal.office().sequence(agency, day) + 1;
        tokio::task::yield_now().await;
        if !hold.is_zero() {
            tokio::time::sleep(hold).await;
        }
        portal.office().set_sequence(agency, day, seq);
        seq
    } else {
        let _guard = match portal.code_lock(agency) {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        if !hold.is_zero() {
            tokio::time::sleep(hold).await;
        }
        portal.office().next_sequence(agency, day)
    };
    let mut office = portal.office();
    let prefix = office.agency_code(agency_code);
    match portal.config.codes {
        crate::config::CodeStyle::Sequential => {
            format!("{prefix}-{}-{seq:04}", day.format("%y%m%d"))
        }
        crate::config::CodeStyle::Random => loop {
            let code = format!("{prefix}-{}-{}", day.format("%y%m%d"), office.random_code());
            if office.find(&code).is_err() {
                break code;
            }
        },
    }
}

/// A submission checked against the catalogue: what it files and where.
pub(crate) struct Checked {
    pub procedure: crate::catalogue::Procedure,
    pub agency: crate::catalogue::Agency,
    pub form: SubmissionForm,
    pub files: Vec<Attachment>,
}

impl SubmissionForm {
    pub(crate) fn province(&self) -> Option<&str> {
        self.province.as_deref()
    }
}

/// Checks a submission's procedure, applicant and attachments (422 with the reason).
pub(crate) fn check(
    catalogue: &crate::catalogue::Catalogue,
    form: Option<SubmissionForm>,
    files: Vec<Attachment>,
) -> Result<Checked, ApiError> {
    let form = form.ok_or_else(|| ApiError::bad_request("missing the JSON part named \"form\""))?;
    let procedure = catalogue
        .procedure(&form.procedure_code)
        .ok_or_else(|| {
            ApiError::unprocessable(format!("no procedure with code {:?}", form.procedure_code))
        })?
        .clone();
    if form.applicant.full_name.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "applicant.full_name must not be empty",
        ));
    }
    if !auth::valid_citizen_id(&form.applicant.citizen_id) {
        return Err(ApiError::unprocessable(
            "applicant.citizen_id must be 12 digits",
        ));
    }
    if files.len() < procedure.attachments.len() {
        let missing = &procedure.attachments[files.len()..];
        return Err(ApiError::unprocessable(format!(
            "{} attachment(s) required, got {}; missing: {}",
            procedure.attachments.len(),
            files.len(),
            missing.join(", ")
        )));
    }
    let agency = catalogue
        .agency(&procedure.agency)
        .cloned()
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "catalogue error"))?;
    Ok(Checked {
        procedure,
        agency,
        form,
        files,
    })
}

/// `POST /api/dossiers`: a citizen's submission to this province's portal.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (form, files) = read_parts(&portal.limits, multipart?).await?;
    let checked = check(&portal.catalogue, form, files)?;
    if let Some(other) = checked.form.province()
        && other != portal.config.province
    {
        return Err(ApiError::unprocessable(format!(
            "this is province {}'s portal; a dossier for province {other} goes to that \
             province's portal or through the national portal",
            portal.config.province
        )));
    }
    if !checked.procedure.anonymous && auth::citizen(&portal, &headers).is_none() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "log in first: this procedure does not accept anonymous submissions",
        ));
    }
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if k.trim().is_empty() => None,
        Some(Ok(k)) if k.trim().len() <= 255 => Some(format!(
            "{}|{}",
            checked.form.applicant.citizen_id,
            k.trim()
        )),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Idempotency-Key must be at most 255 visible ASCII characters",
            ));
        }
    };
    let mut reservation = None;
    if let Some(key) = &key {
        let state = portal.office().reserve_key(key);
        match state {
            KeyState::Known(code) => {
                let office = portal.office_now();
                let d = office.find(&code)?;
                return Ok((StatusCode::OK, Json(dossier_json(&portal, d))));
            }
            KeyState::InFlight => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "a submission with this Idempotency-Key is being handled; send it again \
                     in a moment to get its dossier",
                ));
            }
            KeyState::Reserved => {
                reservation = Some(Reservation {
                    portal: portal.clone(),
                    key: Some(key.clone()),
                });
            }
        }
    }
    let body = file(&portal, checked, None, |office, code| {
        if let Some(key) = reservation.as_mut().and_then(|r| r.key.take()) {
            office.remember_key(&key, code);
        }
    })
    .await;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Files a checked submission in `portal`'s office: a new code, the dossier, the count.
/// `national_code` marks one forwarded by the national portal; `then` runs under the office's
/// lock with the new code. Answers the dossier as JSON.
pub(crate) async fn file(
    portal: &SharedPortal,
    checked: Checked,
    national_code: Option<String>,
    then: impl FnOnce(&mut crate::office::Office, &str),
) -> Value {
    let Checked {
        procedure,
        agency,
        form,
        files,
    } = checked;
    let code = generate_code(portal, &agency.id, &agency.code).await;
    let applicant = json!({ "applicant": form.applicant, "fields": form.fields });
    let body = {
        let mut office = portal.office();
        let now = portal.now();
        let idx = office.submit(code.clone(), &procedure, applicant, files, form.test, now);
        office.set_national_code(idx, national_code);
        then(&mut office, &code);
        dossier_json(portal, &office.dossiers()[idx])
    };
    let [name, province] = portal.labels();
    portal
        .metrics
        .submitted
        .with_label_values(&[name, province, agency.id.as_str()])
        .inc();
    body
}

/// A key reserved for a submission in progress; released if the submission ends without a
/// dossier (the client went away while its code was being generated).
struct Reservation {
    portal: SharedPortal,
    /// Taken once the dossier is created and the key remembered.
    key: Option<String>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some(key) = &self.key {
            self.portal.office().release_key(key);
        }
    }
}

/// A dossier as JSON, as lookups return it.
pub fn dossier_json(portal: &SharedPortal, d: &Dossier) -> Value {
    let state = d.state();
    let procedure = portal.catalogue.procedure(&d.procedure);
    json!({
        "code": d.code,
        "procedure_code": d.procedure,
        "procedure_name": procedure.map(|p| p.name.as_str()),
        "agency": d.agency,
        "state": state.code(),
        "state_id": state.id(),
        "state_name": state.name_vi(),
        "state_name_en": state.name_en(),
        "dvcqg_status": state.dvcqg(),
        "test": d.test,
        "channel": if d.national_code.is_some() { "national" } else { "portal" },
        "national_code": d.national_code,
        "first_submitted_at": rfc3339(d.first_submitted_at),
        "submitted_at": rfc3339(d.submitted_at),
        "acceptance_due": rfc3339(d.acceptance_due),
        "accepted_at": d.accepted_at.map(rfc3339),
        "due_at": d.due_at.map(rfc3339),
        "finished_at": d.finished_at.map(rfc3339),
        "fee": d.fee,
        "pay_first": d.pay_first,
        "payment_required": d.fee_owed(),
        "paid_at": d.paid_at.map(rfc3339),
        "attachments": d.attachments.len(),
        "supplements": d.supplements,
        "processing_supplements": d.processing_supplements,
        "apology": d.apology.map(|a| json!({
            "issued_at": rfc3339(a.issued_at),
            "new_due": rfc3339(a.new_due),
        })),
        "stop_reason": d.stop_reason,
        "history": d.lifecycle.history().iter()
            .map(|(s, at)| json!({ "state": s.code(), "state_id": s.id(), "at": rfc3339(*at) }))
            .collect::<Vec<_>>(),
    })
}

/// `GET /api/dossiers/{code}`.
pub async fn lookup(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let office = portal.office_now();
    let d = office.find(&code)?;
    Ok(Json(dossier_json(&portal, d)))
}

/// `POST /api/dossiers/{code}/supplement`: the applicant sends the missing papers.
pub async fn supplement(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
    let (_, files) = read_parts(&portal.limits, multipart?).await?;
    if files.is_empty() {
        return Err(ApiError::unprocessable("send at least one file"));
    }
    let citizen = auth::citizen(&portal, &headers);
    let mut office = portal.office_now();
    require_applicant(&portal, &office, &code, citizen.as_deref(), Act::Supplement)?;
    let now = portal.now();
    let d = office.supplement(&code, files, now)?;
    Ok(Json(dossier_json(&portal, d)))
}

/// What a citizen does to a dossier that only its applicant may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Pay,
    Receipt,
    Supplement,
    Withdraw,
}

impl Act {
    fn verb(self) -> &'static str {
        match self {
            Act::Pay => "pay for",
            Act::Receipt => "get the receipt of",
            Act::Supplement => "supplement",
            Act::Withdraw => "withdraw",
        }
    }
}

/// Refuses anyone but the logged-in applicant to `act` on dossier `code` (401 without a
/// session, 403 for another citizen). Dossiers of procedures that take anonymous submissions
/// have no account to check: anyone may pay their fee or send their papers, as on the portal,
/// but withdrawing still needs the applicant.
pub fn require_applicant(
    portal: &SharedPortal,
    office: &crate::office::Office,
    code: &str,
    citizen: Option<&str>,
    act: Act,
) -> Result<(), ApiError> {
    let d = office.find(code)?;
    let anonymous = portal
        .catalogue
        .procedure(&d.procedure)
        .is_some_and(|p| p.anonymous);
    if anonymous && act != Act::Withdraw {
        return Ok(());
    }
    let act = act.verb();
    let Some(citizen) = citizen else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            format!("log in first: only the applicant may {act} a dossier"),
        ));
    };
    if d.applicant["applicant"]["citizen_id"].as_str() != Some(citizen) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("only the applicant may {act} this dossier"),
        ));
    }
    Ok(())
}

/// `POST /api/dossiers/{code}/withdraw`: the citizen who submitted the dossier withdraws it.
pub async fn withdraw(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let citizen = auth::citizen(&portal, &headers);
    let mut office = portal.office_now();
    require_applicant(&portal, &office, &code, citizen.as_deref(), Act::Withdraw)?;
    let now = portal.now();
    let d = office.withdraw(&code, now)?;
    Ok(Json(dossier_json(&portal, d)))
}
