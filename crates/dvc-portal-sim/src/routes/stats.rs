//! Public statistics per agency and period: what a probe scrapes for deadline metrics.

use crate::error::ApiError;
use crate::portal::{SharedPortal, rfc3339};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    agency: Option<String>,
    /// First day, YYYY-MM-DD (default: the first of the current simulated month).
    from: Option<String>,
    /// Last day, YYYY-MM-DD (default: the current simulated day).
    to: Option<String>,
}

fn date(name: &str, value: Option<&str>, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(format!("{name} must be a date YYYY-MM-DD; got {v:?}"))
        }),
    }
}

/// The period of a statistics query: `from` (default: the first of the current simulated
/// month) to `to` (default: today), both dates.
pub(crate) fn period(
    portal: &SharedPortal,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = portal.now().date();
    let month_start = today.with_day0(0).unwrap_or(today);
    let from = date("from", from, month_start)?;
    let to = date("to", to, today)?;
    if to < from {
        return Err(ApiError::bad_request("to must not be before from"));
    }
    Ok((from, to))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/stats/index?from=&to=`: the portal's figures for the national service index.
pub async fn index(
    State(portal): State<SharedPortal>,
    query: Result<Query<IndexQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let (from, to) = period(&portal, q.from.as_deref(), q.to.as_deref())?;
    let now = portal.now();
    let office = portal.office_now();
    let figures = office.index_figures(&portal.catalogue, &portal.config.index, from, to, now);
    let mut body = serde_json::to_value(&figures).unwrap_or_default();
    body["province"] = json!(portal.province.code);
    body["from"] = json!(from.to_string());
    body["to"] = json!(to.to_string());
    body["as_of"] = json!(rfc3339(now));
    Ok(Json(body))
}

/// `GET /api/stats?agency=&from=&to=`.
pub async fn stats(
    State(portal): State<SharedPortal>,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let now = portal.now();
    let (from, to) = period(&portal, q.from.as_deref(), q.to.as_deref())?;
    let agencies: Vec<&str> = match &q.agency {
        Some(id) => {
            portal
                .catalogue
                .agency(id)
                .ok_or_else(|| ApiError::not_found(format!("no agency {id:?}")))?;
            vec![id.as_str()]
        }
        None => portal
            .catalogue
            .agencies
            .iter()
            .map(|a| a.id.as_str())
            .collect(),
    };
    let office = portal.office_now();
    let items: Vec<Value> = agencies
        .iter()
        .map(|a| {
            let s = office.stats(a, from, to, now);
            let mut v = serde_json::to_value(&s).unwrap_or_default();
            v["on_time_ratio"] = json!(s.on_time_ratio());
            v
        })
        .collect();
    Ok(Json(json!({
        "province": portal.province.code,
        "from": from.to_string(),
        "to": to.to_string(),
        "as_of": rfc3339(now),
        "agencies": items,
    })))
}
