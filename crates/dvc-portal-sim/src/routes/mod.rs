//! The portal's HTTP API (documented in `openapi.yaml`), one module per concern.

pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod dossiers;
pub mod gateway;
pub mod national;
pub mod pages;
pub mod payments;
pub mod sso;
pub mod stats;

use crate::middleware;
use crate::portal::SharedPortal;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

/// One portal's routes, without its prefix. Admin routes sit outside the fault and capacity
/// layers, so a test can always reach them.
pub fn portal_router(portal: SharedPortal) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/procedures/{code}", get(pages::procedure))
        .route("/api/procedures", get(catalogue::search))
        .route("/api/procedures/{code}", get(catalogue::detail))
        .route("/api/agencies", get(catalogue::agencies))
        .route("/api/provinces", get(catalogue::provinces))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/dang-nhap", get(sso::start))
        .route("/sso-callback", get(sso::callback))
        .route("/sso/authorize", get(sso::authorize))
        .route("/sso/login", post(sso::login))
        .route("/sso/token", post(sso::exchange))
        .route("/api/dossiers", post(dossiers::submit))
        .route("/api/dossiers/{code}", get(dossiers::lookup))
        .route(
            "/api/dossiers/{code}/supplement",
            post(dossiers::supplement),
        )
        .route("/api/dossiers/{code}/withdraw", post(dossiers::withdraw))
        .route("/api/dossiers/{code}/payments", post(payments::create))
        .route("/api/payments/ipn", post(payments::ipn))
        .route("/api/payments/{id}", get(payments::status))
        .route("/api/payments/{id}/receipt", get(payments::receipt))
        .route("/api/stats", get(stats::stats))
        .route("/api/stats/index", get(stats::index))
        .route("/payment/return", get(gateway::return_page))
        .route(
            "/gateway/pay/{id}",
            get(gateway::page_get).post(gateway::page_post),
        )
        .route("/gateway/api/transactions/{id}", get(gateway::query))
        .route_layer(from_fn_with_state(portal.clone(), middleware::capacity))
        .route_layer(from_fn_with_state(portal.clone(), middleware::faults))
        .route_layer(from_fn_with_state(portal.clone(), middleware::metrics))
        .route(
            "/admin/faults",
            get(admin::get_faults).put(admin::put_faults),
        )
        .route("/admin/dossiers", get(admin::export))
        .layer(DefaultBodyLimit::max(portal.limits.max_body_bytes))
        .with_state(portal)
}
