//! Catalogue endpoints: procedure search and detail, agencies, provinces.

use crate::catalogue::Procedure;
use crate::error::ApiError;
use crate::portal::SharedPortal;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    agency: Option<String>,
    level: Option<u8>,
    page: Option<usize>,
    per_page: Option<usize>,
}

/// Procedure as JSON, with its agency's name.
pub fn procedure_json(portal: &SharedPortal, p: &Procedure) -> Value {
    let agency = portal.catalogue.agency(&p.agency);
    json!({
        "code": p.code,
        "name": p.name,
        "agency": p.agency,
        "agency_name": agency.map(|a| a.name.as_str()),
        "level": p.level,
        "online": p.online(),
        "online_name": p.online_vi(),
        "fee": p.fee,
        "processing": p.processing,
        "same_day_cutoff": p.same_day_cutoff,
        "pay_first": p.pay_first,
        "anonymous": p.anonymous,
        "attachments": p.attachments,
        "clock": p.clock,
    })
}

/// `GET /api/procedures`: search by name or code, paged.
pub async fn search(
    State(portal): State<SharedPortal>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::bad_request("per_page must be between 1 and 100"));
    }
    let page = q.page.unwrap_or(1).max(1);
    let hits: Vec<&Procedure> = portal
        .catalogue
        .search(&q.q, q.agency.as_deref(), q.level)
        .collect();
    let items: Vec<Value> = hits
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|p| procedure_json(&portal, p))
        .collect();
    Ok(Json(json!({
        "total": hits.len(),
        "page": page,
        "per_page": per_page,
        "items": items,
    })))
}

/// `GET /api/procedures/{code}`.
pub async fn detail(
    State(portal): State<SharedPortal>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = portal
        .catalogue
        .procedure(&code)
        .ok_or_else(|| ApiError::not_found(format!("no procedure with code {code:?}")))?;
    Ok(Json(procedure_json(&portal, p)))
}

/// `GET /api/agencies`: agencies with this portal's dossier-code prefixes.
pub async fn agencies(State(portal): State<SharedPortal>) -> Json<Value> {
    let office = portal.office();
    let items: Vec<Value> = portal
        .catalogue
        .agencies
        .iter()
        .map(|a| json!({ "id": a.id, "name": a.name, "code": office.agency_code(&a.code) }))
        .collect();
    Json(json!({ "items": items }))
}

/// `GET /api/provinces`: the 34 provinces and centrally-run cities.
pub async fn provinces(State(portal): State<SharedPortal>) -> Json<Value> {
    let items: Vec<Value> = portal
        .catalogue
        .provinces
        .iter()
        .map(|p| json!({ "code": p.code, "name": p.name, "kind": if p.city { "city" } else { "province" } }))
        .collect();
    Json(json!({ "items": items, "this_portal": portal.province.code }))
}
