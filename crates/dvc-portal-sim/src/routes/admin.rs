//! The admin API, behind a bearer token: fault injection and the export of every dossier.

use crate::config::FaultsConfig;
use crate::error::ApiError;
use crate::portal::SharedPortal;
use crate::routes::dossiers::dossier_json;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

fn authorise(portal: &SharedPortal, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &portal.admin_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the admin API is disabled: start the portal with an admin token",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given == Some(token.as_str()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid bearer token is required",
        ))
    }
}

/// `GET /admin/faults`.
pub async fn get_faults(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
) -> Result<Json<FaultsConfig>, ApiError> {
    authorise(&portal, &headers)?;
    Ok(Json(portal.faults().config.clone()))
}

/// `PUT /admin/faults`: replaces the faults (fields left out are off).
pub async fn put_faults(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    body: Result<Json<FaultsConfig>, JsonRejection>,
) -> Result<Json<FaultsConfig>, ApiError> {
    authorise(&portal, &headers)?;
    let Json(faults) = body?;
    let problems = faults.problems();
    if !problems.is_empty() {
        return Err(ApiError::unprocessable(problems.join("; ")));
    }
    portal.set_faults(faults.clone());
    tracing::info!(portal = %portal.name, ?faults, "faults changed");
    Ok(Json(faults))
}

/// `GET /admin/dossiers`: every dossier ever submitted, duplicated codes included, for
/// reconciling a load test's records against what the portal kept.
pub async fn export(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    authorise(&portal, &headers)?;
    let office = portal.office_now();
    let items: Vec<Value> = office
        .dossiers()
        .iter()
        .map(|d| {
            let mut v = dossier_json(&portal, d);
            v["applicant"] = d.applicant.clone();
            v["files"] = json!(d.attachments);
            v["visible"] = json!(office.find(&d.code).is_ok_and(|f| std::ptr::eq(f, d)));
            v
        })
        .collect();
    Ok(Json(json!({ "total": items.len(), "items": items })))
}
