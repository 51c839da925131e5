//! Citizen log-in with a session cookie. Any 12-digit citizen ID logs in with the configured
//! password (the simulator has no user database).

use crate::error::ApiError;
use crate::portal::SharedPortal;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dvc_session";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub(crate) citizen_id: String,
    password: String,
}

/// True for a 12-digit citizen ID number.
pub fn valid_citizen_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The value of the request's cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session token in the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The logged-in citizen's ID, if the request has a live session.
pub fn citizen(portal: &SharedPortal, headers: &HeaderMap) -> Option<String> {
    let token = session_token(headers)?;
    portal.office().session(&token).map(str::to_owned)
}

/// Refuses a login that is not a 12-digit citizen ID with the shared password.
pub(crate) fn check_login(
    req: &LoginRequest,
    accounts: &crate::config::AccountsConfig,
) -> Result<(), ApiError> {
    if !valid_citizen_id(&req.citizen_id) {
        return Err(ApiError::unprocessable("citizen_id must be 12 digits"));
    }
    if req.password != accounts.password {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong citizen_id or password",
        ));
    }
    Ok(())
}

/// The answer to a login: the session cookie `token` for `path` ("" is "/"), and who is in.
pub(crate) fn logged_in(citizen_id: &str, token: &str, path: &str) -> Response {
    let path = if path.is_empty() { "/" } else { path };
    let cookie = format!("{SESSION_COOKIE}={token}; Path={path}; HttpOnly; SameSite=Lax");
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "citizen_id": citizen_id })),
    )
        .into_response()
}

/// `POST /api/login`.
pub async fn login(
    State(portal): State<SharedPortal>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    check_login(&req, &portal.accounts)?;
    let token = portal
        .office()
        .open_session(&req.citizen_id, portal.accounts.max_sessions);
    Ok(logged_in(&req.citizen_id, &token, &portal.config.prefix))
}

/// `POST /api/logout`.
pub async fn logout(State(portal): State<SharedPortal>, headers: HeaderMap) -> StatusCode {
    if let Some(token) = session_token(&headers) {
        portal.office().close_session(&token);
    }
    StatusCode::NO_CONTENT
}

/// `GET /api/me`.
pub async fn me(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    citizen(&portal, &headers)
        .map(|id| Json(json!({ "citizen_id": id })))
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "not logged in"))
}
