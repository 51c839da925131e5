//! The national portal's routes (under `[national] prefix`): log in, submit a dossier for a
//! province, look it up by its national code, and the provinces it forwards to.

use crate::error::ApiError;
use crate::national::{Push, SharedNational};
use crate::portal::rfc3339;
use crate::routes::auth;
use crate::routes::dossiers::{self, read_parts};
use axum::Json;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The national portal's router, without its prefix.
pub fn router(national: SharedNational, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/dossiers", post(submit))
        .route("/api/dossiers/{code}", get(lookup))
        .route("/api/provinces", get(provinces))
        .route("/api/scoreboard", get(scoreboard))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(national)
}

/// Any portal's settings that the national portal shares (accounts, limits).
fn first(national: &SharedNational) -> Result<&crate::portal::SharedPortal, ApiError> {
    national
        .provinces
        .values()
        .next()
        .ok_or_else(|| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "no province to forward to"))
}

/// `POST {prefix}/api/login`: as a province's portal, with the national portal's own session.
async fn login(
    State(national): State<SharedNational>,
    body: Result<Json<auth::LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let accounts = &first(&national)?.accounts;
    auth::check_login(&req, accounts)?;
    let token = national.open_session(&req.citizen_id, accounts.max_sessions);
    Ok(auth::logged_in(
        &req.citizen_id,
        &token,
        &national.config.prefix,
    ))
}

/// `POST {prefix}/api/dossiers`: the province's submission form with `province` set. Answers
/// 202 with the national code: the dossier reaches the province when the push succeeds.
async fn submit(
    State(national): State<SharedNational>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let portal = first(&national)?.clone();
    let logged_in = auth::session_token(&headers)
        .and_then(|t| national.session(&t))
        .is_some();
    if !logged_in {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "log in to the national portal first",
        ));
    }
    let (form, files) = read_parts(&portal.limits, multipart?).await?;
    let checked = dossiers::check(&portal.catalogue, form, files)?;
    let province = checked.form.province().map(str::to_owned).ok_or_else(|| {
        ApiError::unprocessable("form.province is required at the national portal, e.g. \"01\"")
    })?;
    let Some(target) = national.provinces.get(&province).cloned() else {
        let known: Vec<&str> = national.provinces.keys().map(String::as_str).collect();
        return Err(ApiError::unprocessable(format!(
            "province {province:?} has no portal here; the national portal forwards to {}",
            known.join(", ")
        )));
    };
    let now = target.now();
    let code = national.accept(&province, checked, now);
    let prefix = &national.config.prefix;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "national_code": code,
            "province": province,
            "status": "forwarding",
            "submitted_at": rfc3339(now),
            "lookup_url": format!("{prefix}/api/dossiers/{code}"),
        })),
    ))
}

/// `GET {prefix}/api/dossiers/{code}`: where a dossier submitted here is; once forwarded, the
/// province's code and its state there.
async fn lookup(
    State(national): State<SharedNational>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let found = national
        .find(&code, |d| {
            (
                d.province.clone(),
                d.procedure.clone(),
                d.submitted_at,
                d.push.clone(),
            )
        })
        .ok_or_else(|| ApiError::not_found(format!("no dossier with national code {code:?}")))?;
    let (province, procedure, submitted_at, push) = found;
    let mut body = json!({
        "national_code": code,
        "province": province,
        "procedure_code": procedure,
        "submitted_at": rfc3339(submitted_at),
    });
    match push {
        Push::Waiting { attempts, .. } => {
            body["status"] = json!(if attempts == 0 {
                "forwarding"
            } else {
                "retrying"
            });
            body["push_attempts"] = json!(attempts);
        }
        Push::Failed { attempts } => {
            body["status"] = json!("push_failed");
            body["push_attempts"] = json!(attempts);
        }
        Push::Forwarded {
            code: province_code,
            at,
            attempts,
        } => {
            body["status"] = json!("forwarded");
            body["push_attempts"] = json!(attempts);
            body["forwarded_at"] = json!(rfc3339(at));
            if let Some(portal) = national.provinces.get(&province) {
                let office = portal.office_now();
                if let Ok(d) = office.find(&province_code) {
                    let state = d.state();
                    body["state"] = json!(state.code());
                    body["state_id"] = json!(state.id());
                    body["dvcqg_status"] = json!(state.dvcqg());
                }
                body["province_lookup_url"] = json!(format!(
                    "{}/api/dossiers/{province_code}",
                    portal.config.prefix
                ));
            }
            body["province_code"] = json!(province_code);
        }
    }
    Ok(Json(body))
}

/// `GET {prefix}/api/provinces`: the provinces the national portal forwards to, with the
/// prefix of each one's portal.
async fn provinces(State(national): State<SharedNational>) -> Json<Value> {
    let list: Vec<Value> = national
        .provinces
        .iter()
        .map(
            |(code, p)| json!({ "code": code, "name": p.province.name, "prefix": p.config.prefix }),
        )
        .collect();
    Json(json!({ "provinces": list }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// `GET {prefix}/api/scoreboard?from=&to=`: the national portal's public scoreboard, one row per
/// province with the counts behind the national service index (each province's own
/// `/api/stats/index` figures, side by side).
async fn scoreboard(
    State(national): State<SharedNational>,
    query: Result<axum::extract::Query<Period>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let axum::extract::Query(q) = query?;
    let mut rows = Vec::new();
    let mut period = None;
    for (code, portal) in &national.provinces {
        let (from, to) = crate::routes::stats::period(portal, q.from.as_deref(), q.to.as_deref())?;
        let now = portal.now();
        let figures = portal.office_now().index_figures(
            &portal.catalogue,
            &portal.config.index,
            from,
            to,
            now,
        );
        let mut row = serde_json::to_value(&figures).unwrap_or_default();
        row["code"] = json!(code);
        row["name"] = json!(portal.province.name);
        rows.push(row);
        period.get_or_insert((from, to));
    }
    let (from, to) = period.unzip();
    Ok(Json(json!({
        "from": from.map(|d| d.to_string()),
        "to": to.map(|d| d.to_string()),
        "provinces": rows,
    })))
}
