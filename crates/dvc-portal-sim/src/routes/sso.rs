//! Logging in through single sign-on: a stand-in for VNeID, the national identity provider,
//! speaking OpenID Connect's authorization-code flow as the portals use it.
//!
//! 1. `GET /dang-nhap` (the portal): a `state` in a cookie, and a redirect to the SSO;
//! 2. `GET /sso/authorize` (the SSO): the login page, a form with a hidden CSRF token bound to a
//!    cookie of the SSO's own path;
//! 3. `POST /sso/login` (the SSO): the citizen's ID number and password; a redirect back to the
//!    portal with a one-time `code` (a wrong password shows the page again, as the real one does);
//! 4. `GET /sso-callback` (the portal): checks `state`, exchanges the code (the back-channel call
//!    to the SSO's token endpoint, with its latency) and opens the portal's session cookie;
//! 5. `POST /sso/token` (the SSO): the exchange itself, for clients that make it.
//!
//! The SSO's answers carry `[portal.sso]`'s latency and error rate. On the real portals the SSO
//! is another host; here it is a path of the portal, so its cookies are told apart by `Path`.

use super::auth::{SESSION_COOKIE, cookie, valid_citizen_id};
use super::pages::{esc, page};
use crate::error::ApiError;
use crate::portal::SharedPortal;
use crate::sso::{Attempt, Grant, token};
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde::Deserialize;
use serde_json::json;

/// The portal's cookie holding the `state` it sent to the SSO.
const STATE_COOKIE: &str = "dvc_oidc_state";
/// The SSO's cookie binding a login form to the browser that asked for it.
const CSRF_COOKIE: &str = "sso_csrf";

fn client_id(portal: &SharedPortal) -> String {
    format!("dvc-{}", portal.config.province)
}

fn redirect_uri(portal: &SharedPortal) -> String {
    format!("{}/sso-callback", portal.config.prefix)
}

/// The SSO's own latency and failures, before each of its answers.
async fn sso_gate(portal: &SharedPortal) -> Result<(), ApiError> {
    let sso = &portal.config.sso;
    if !sso.latency.is_zero() {
        tokio::time::sleep(sso.latency.0).await;
    }
    if sso.error_rate > 0.0 && rand::rng().random::<f64>() < sso.error_rate {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the identity provider is unavailable (injected fault)",
        ));
    }
    Ok(())
}

fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response =
        (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response();
    for c in cookies {
        if let Ok(v) = header::HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// `GET /dang-nhap`: to the SSO, with a `state` to check on the way back.
pub async fn start(State(portal): State<SharedPortal>) -> Response {
    let (state, nonce) = (token(), token());
    let prefix = &portal.config.prefix;
    let location = format!(
        "{prefix}/sso/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state={state}&nonce={nonce}",
        client_id(&portal),
        dvc_http::encode(&redirect_uri(&portal))
    );
    let path = if prefix.is_empty() { "/" } else { prefix };
    redirect(
        &location,
        &[format!(
            "{STATE_COOKIE}={state}; Path={path}; Max-Age=600; HttpOnly; SameSite=Lax"
        )],
    )
}

#[derive(Deserialize)]
pub struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
}

/// The login page, with `error` above the form when the last try failed.
fn login_page(portal: &SharedPortal, attempt: Attempt, error: Option<&str>) -> Response {
    let csrf = attempt.csrf.clone();
    let session_code = portal.sso.begin(attempt);
    let prefix = &portal.config.prefix;
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Đăng nhập bằng tài khoản định danh điện tử</h1>{error}\
         <form id=\"kc-form-login\" method=\"post\" action=\"{prefix}/sso/login?session_code={session_code}\">\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\
         <label>Số định danh cá nhân <input name=\"username\" autocomplete=\"username\"></label>\
         <label>Mật khẩu <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\
         <button type=\"submit\">Đăng nhập</button></form>"
    );
    let mut response = page("VNeID (giả lập) - Đăng nhập", &body).into_response();
    let cookie = format!("{CSRF_COOKIE}={csrf}; Path={prefix}/sso; HttpOnly; SameSite=Lax");
    if let Ok(v) = header::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `GET /sso/authorize`: the login page for a known client coming back to its own address.
pub async fn authorize(
    State(portal): State<SharedPortal>,
    Query(q): Query<AuthorizeQuery>,
) -> Result<Response, ApiError> {
    sso_gate(&portal).await?;
    if q.response_type != "code" {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type: only \"code\" is",
        ));
    }
    if q.client_id != client_id(&portal) || q.redirect_uri != redirect_uri(&portal) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request: unknown client_id or redirect_uri",
        ));
    }
    let attempt = Attempt {
        csrf: token(),
        client_id: q.client_id,
        redirect_uri: q.redirect_uri,
        state: q.state,
    };
    Ok(login_page(&portal, attempt, None))
}

#[derive(Deserialize)]
pub struct LoginQuery {
    session_code: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf_token: String,
    username: String,
    password: String,
}

/// `POST /sso/login`: the form; back to the portal with a code, or the page again.
pub async fn login(
    State(portal): State<SharedPortal>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    sso_gate(&portal).await?;
    let attempt = portal.sso.attempt(&q.session_code).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "the login page has expired or was already used: start again",
        )
    })?;
    if form.csrf_token != attempt.csrf
        || cookie(&headers, CSRF_COOKIE) != Some(attempt.csrf.clone())
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "CSRF token mismatch: the form does not come from this browser's login page",
        ));
    }
    if !valid_citizen_id(&form.username) || form.password != portal.accounts.password {
        let retry = Attempt {
            csrf: token(),
            ..attempt
        };
        return Ok(login_page(
            &portal,
            retry,
            Some("Số định danh hoặc mật khẩu không đúng"),
        ));
    }
    let code = portal.sso.grant(
        Grant {
            citizen: form.username,
            client_id: attempt.client_id,
            redirect_uri: attempt.redirect_uri.clone(),
        },
        portal.config.sso.code_ttl.0,
    );
    let prefix = &portal.config.prefix;
    Ok(redirect(
        &format!(
            "{}?code={code}&state={}",
            attempt.redirect_uri,
            dvc_http::encode(&attempt.state)
        ),
        &[format!("{CSRF_COOKIE}=; Path={prefix}/sso; Max-Age=0")],
    ))
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: String,
    state: String,
}

/// `GET /sso-callback`: the portal checks `state`, exchanges the code and opens its session.
pub async fn callback(
    State(portal): State<SharedPortal>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if cookie(&headers, STATE_COOKIE).as_deref() != Some(q.state.as_str()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "state mismatch: this answer does not belong to a login this browser started",
        ));
    }
    // The back-channel call to the SSO's token endpoint.
    sso_gate(&portal).await?;
    let grant = portal
        .sso
        .exchange(&q.code)
        .filter(|g| g.client_id == client_id(&portal))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant: the code is unknown, used or expired",
            )
        })?;
    let session = portal
        .office()
        .open_session(&grant.citizen, portal.accounts.max_sessions);
    let prefix = &portal.config.prefix;
    let path = if prefix.is_empty() { "/" } else { prefix };
    Ok(redirect(
        path,
        &[
            format!("{SESSION_COOKIE}={session}; Path={path}; HttpOnly; SameSite=Lax"),
            format!("{STATE_COOKIE}=; Path={path}; Max-Age=0"),
        ],
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
}

/// `POST /sso/token`: a code for an access token (the exchange `/sso-callback` makes itself).
pub async fn exchange(
    State(portal): State<SharedPortal>,
    Form(form): Form<TokenForm>,
) -> Result<Response, ApiError> {
    sso_gate(&portal).await?;
    if form.grant_type != "authorization_code" {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type: only authorization_code is",
        ));
    }
    let grant = portal
        .sso
        .exchange(&form.code)
        .filter(|g| g.client_id == form.client_id && g.redirect_uri == form.redirect_uri)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant: the code is unknown, used, expired or not this client's",
            )
        })?;
    Ok(Json(json!({
        "access_token": token(),
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "openid",
        "sub": grant.citizen,
    }))
    .into_response())
}
