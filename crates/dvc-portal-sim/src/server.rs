//! Starting the simulator: one listener for the portals at prefixes, one more per portal with
//! its own address, the background jobs (back office, reconciliation), graceful shutdown.

use crate::catalogue::Catalogue;
use crate::clock::SimClock;
use crate::config::SimConfig;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::portal::{Portal, SharedPortal};
use crate::routes;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use dvc_domain::calendar::WorkingCalendar;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A running simulator. Dropping it without [`shutdown`](Self::shutdown) aborts its tasks.
pub struct RunningSimulator {
    /// Address of the main listener (portals at prefixes, `/metrics`, `/healthz`).
    pub addr: SocketAddr,
    /// Every portal, with the base URL it answers at.
    pub portals: Vec<(SharedPortal, String)>,
    stop: watch::Sender<bool>,
    /// The listeners, which drain in-flight requests on shutdown.
    servers: JoinSet<()>,
    /// The background jobs, which are stopped at once.
    jobs: JoinSet<()>,
}

impl RunningSimulator {
    /// Base URL of the main listener, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the first portal (the default one in a single-portal setup).
    pub fn portal_url(&self) -> &str {
        &self.portals[0].1
    }

    /// Stops accepting requests, lets in-flight ones finish (up to 5 s), stops the jobs.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.jobs.abort_all();
        let deadline = tokio::time::sleep(Duration::from_secs(5));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = self.servers.join_next() => if next.is_none() { break },
                _ = &mut deadline => { self.servers.abort_all(); break }
            }
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.servers.abort_all();
        self.jobs.abort_all();
    }
}

/// The simulated start instant: `start` from the config, or now.
fn sim_origin(config: &SimConfig) -> chrono::NaiveDateTime {
    config
        .start
        .as_ref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.get_ref()).ok())
        .map(|t| dvc_domain::calendar::to_local(&t))
        .unwrap_or_else(|| dvc_domain::calendar::to_local(&chrono::Utc::now()))
}

/// Starts the simulator with a validated `config`, its main listener on `listen`.
pub async fn start(
    config: &SimConfig,
    listen: SocketAddr,
    calendar: WorkingCalendar,
) -> std::io::Result<RunningSimulator> {
    let catalogue = Arc::new(Catalogue::shipped());
    let clock = Arc::new(SimClock::new(
        sim_origin(config),
        *config.time_scale.get_ref(),
    ));
    let (stop, stopped) = watch::channel(false);
    let mut servers = JoinSet::new();
    let mut jobs = JoinSet::new();
    let mut groups: Vec<(SocketAddr, Metrics, Vec<SharedPortal>)> =
        vec![(listen, Metrics::default(), vec![])];
    for portal_config in config.portals() {
        let group = match portal_config.listen {
            Some(addr) => {
                groups.push((addr, Metrics::default(), vec![]));
                groups.len() - 1
            }
            None => 0,
        };
        let portal = Arc::new(Portal::new(
            portal_config,
            catalogue.clone(),
            calendar.clone(),
            clock.clone(),
            groups[group].1.clone(),
            config.accounts.clone(),
            config.limits.clone(),
            config.admin_token.clone(),
        ));
        groups[group].2.push(portal);
    }
    let every: Vec<SharedPortal> = groups.iter().flat_map(|g| g.2.iter().cloned()).collect();
    let national = config.national.as_ref().map(|n| {
        Arc::new(crate::national::National::new(
            n.get_ref().clone(),
            &every,
            groups[0].1.clone(),
        ))
    });
    if let Some(n) = &national {
        jobs.spawn(crate::national::forward_forever(n.clone()));
    }
    let mut main_addr = listen;
    let mut portals = Vec::new();
    for (i, (addr, metrics, group)) in groups.into_iter().enumerate() {
        let listener = TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        if i == 0 {
            main_addr = bound;
        }
        for portal in &group {
            let base = format!("http://{bound}{}", portal.config.prefix);
            let _ = portal.callback_base.set(base.clone());
            portals.push((portal.clone(), base));
            jobs.spawn(advance_forever(portal.clone()));
            jobs.spawn(routes::gateway::reconcile_forever(portal.clone()));
        }
        let mut app = app(&group, metrics);
        if i == 0
            && let Some(n) = &national
        {
            let routes = routes::national::router(n.clone(), config.limits.max_body_bytes);
            app = app.nest(&n.config.prefix, routes);
        }
        let mut stopped = stopped.clone();
        let limits = config.limits.listener();
        servers.spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            dvc_http::serve(listener, app, limits, shutdown).await;
        });
    }
    tracing::info!(addr = %main_addr, portals = portals.len(), "portal simulator listening");
    Ok(RunningSimulator {
        addr: main_addr,
        portals,
        stop,
        servers,
        jobs,
    })
}

/// Keeps the back office moving in simulated time even when nobody looks. Stops with the
/// simulator (its task is aborted).
async fn advance_forever(portal: SharedPortal) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        drop(portal.office_now());
    }
}

/// The router of one listener: its portals at their prefixes, `/metrics`, `/healthz`.
pub fn app(portals: &[SharedPortal], metrics: Metrics) -> Router {
    let scraped = portals.to_vec();
    let mut router = Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }),
        )
        // Browsers ask the origin's root for an icon, whatever the portal's prefix.
        .route("/favicon.ico", get(routes::pages::favicon))
        .route(
            "/metrics",
            get(move || {
                let portals = scraped.clone();
                let metrics = metrics.clone();
                async move { render_metrics(&portals, &metrics) }
            }),
        );
    for portal in portals {
        let portal_routes = routes::portal_router(portal.clone());
        router = if portal.config.prefix.is_empty() {
            router.merge(portal_routes)
        } else {
            let prefix = portal.config.prefix.clone();
            router
                .route(
                    &format!("{prefix}/"),
                    get(move || async move { axum::response::Redirect::permanent(&prefix) }),
                )
                .nest(&portal.config.prefix, portal_routes)
        };
    }
    router
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this route",
            )
        })
}

fn render_metrics(portals: &[SharedPortal], metrics: &Metrics) -> axum::response::Response {
    for portal in portals {
        let [name, province] = portal.labels();
        let office = portal.office_now();
        let mut counts = [0i64; 10];
        for d in office.dossiers() {
            counts[usize::from(d.state().code()) - 1] += 1;
        }
        for state in dvc_domain::lifecycle::DossierState::ALL {
            metrics
                .dossiers
                .with_label_values(&[name, province, state.id()])
                .set(counts[usize::from(state.code()) - 1]);
        }
        for (agency, waiting) in office.backlogs() {
            let labels = [name, province, agency.as_str()];
            metrics
                .backlog
                .with_label_values(&labels)
                .set(i64::try_from(waiting).unwrap_or(i64::MAX));
            metrics
                .officers
                .with_label_values(&labels)
                .set(i64::from(office.officers_of(&agency)));
        }
        let now = dvc_domain::calendar::from_local(portal.now()).timestamp();
        metrics
            .simulated_time
            .with_label_values(&[name, province])
            .set(now);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}
