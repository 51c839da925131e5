//! Layers around a portal's routes, outermost first: metrics (every answer is counted and
//! timed, faults included), injected faults, and the service model (worker pool and queue).

use crate::error::ApiError;
use crate::portal::SharedPortal;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The route of a request without the portal prefix, e.g. `/api/dossiers/{code}`.
fn route(portal: &SharedPortal, req: &Request) -> String {
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str());
    let route = matched
        .strip_prefix(portal.config.prefix.as_str())
        .unwrap_or(matched);
    if route.is_empty() {
        "/".to_owned()
    } else {
        route.to_owned()
    }
}

/// `METHOD /route`, the key of per-route settings, worked out once per request by the
/// outermost layer and read by the inner ones.
#[derive(Clone)]
struct RouteKey(String);

fn route_key(req: &Request) -> &str {
    req.extensions()
        .get::<RouteKey>()
        .map_or("", |k| k.0.as_str())
}

fn per_route<T: Copy>(map: &std::collections::BTreeMap<String, T>, key: &str) -> Option<T> {
    map.get(key).or_else(|| map.get("default")).copied()
}

fn reject(portal: &SharedPortal, reason: &str, error: ApiError) -> Response {
    let [name, province] = portal.labels();
    portal
        .metrics
        .rejected
        .with_label_values(&[name, province, reason])
        .inc();
    error.into_response()
}

/// Counts and times every answer.
pub async fn metrics(State(portal): State<SharedPortal>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = route(&portal, &req);
    req.extensions_mut()
        .insert(RouteKey(format!("{method} {route}")));
    let [name, province] = portal.labels();
    let in_flight = portal
        .metrics
        .in_flight
        .with_label_values(&[name, province]);
    in_flight.inc();
    let response = next.run(req).await;
    in_flight.dec();
    let status = response.status().as_u16().to_string();
    portal
        .metrics
        .requests
        .with_label_values(&[name, province, &method, &route, &status])
        .inc();
    portal
        .metrics
        .duration
        .with_label_values(&[name, province, &method, &route])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Outages, periodic stalls, added latency and injected errors.
pub async fn faults(State(portal): State<SharedPortal>, req: Request, next: Next) -> Response {
    let faults = portal.faults();
    if faults.in_outage(portal.now()) {
        return reject(
            &portal,
            "outage",
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the portal is unavailable (outage)",
            ),
        );
    }
    let (every, stall) = (faults.stall_every.0, faults.stall_for.0);
    if !every.is_zero() && !stall.is_zero() {
        let phase =
            Duration::from_nanos((portal.started.elapsed().as_nanos() % every.as_nanos()) as u64);
        if phase < stall {
            tokio::time::sleep(stall - phase).await;
        }
    }
    if let Some(latency) = per_route(&faults.latency, route_key(&req)).filter(|d| !d.is_zero()) {
        tokio::time::sleep(latency.0).await;
    }
    if faults.error_rate > 0.0 && portal.office().roll() < faults.error_rate {
        return reject(
            &portal,
            "injected_error",
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error (injected fault)",
            ),
        );
    }
    let reply_latency = per_route(&faults.reply_latency, route_key(&req)).filter(|d| !d.is_zero());
    drop(faults);
    let response = next.run(req).await;
    if let Some(d) = reply_latency {
        tokio::time::sleep(d.0).await;
    }
    response
}

/// The service model: at most `workers` requests served at once, `queue` waiting, each taking
/// the route's service time. Beyond the queue: 503 with `Retry-After`.
pub async fn capacity(State(portal): State<SharedPortal>, req: Request, next: Next) -> Response {
    let service = per_route(&portal.config.capacity.service_time, route_key(&req))
        .filter(|d| !d.is_zero())
        .map(|d| d.0);
    let Some(workers) = &portal.capacity.workers else {
        if let Some(d) = service {
            tokio::time::sleep(d).await;
        }
        return next.run(req).await;
    };
    let waiting = &portal.capacity.waiting;
    if waiting.fetch_add(1, Ordering::SeqCst) >= portal.capacity.queue {
        waiting.fetch_sub(1, Ordering::SeqCst);
        let mut response = reject(
            &portal,
            "queue_full",
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the portal is overloaded; retry later",
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return response;
    }
    let permit = workers.acquire().await;
    waiting.fetch_sub(1, Ordering::SeqCst);
    if let Some(d) = service {
        tokio::time::sleep(d).await;
    }
    let response = next.run(req).await;
    drop(permit);
    response
}
