//! The closed model: virtual citizens on Goose.
//!
//! Each journey of the scenario becomes a Goose scenario (weighted like the journey) whose one
//! transaction runs the journey's steps, sending every request through the citizen's own
//! client, so Goose records and times each one and applies its coordinated-omission
//! mitigation. Our recorders time the same steps as in an open run, so the run's figures,
//! metrics and thresholds are the same kind; Goose's own figures (raw and adjusted) are kept
//! beside them.
//!
//! A virtual citizen keeps its variables and cookies from one journey to the next (its data
//! is drawn on its first journey), like a person who stays logged in.

use super::request::{Failure, JourneyState, Response};
use super::{Runtime, Via};
use crate::engine::open::ArrivalCounters;
use crate::recorder::Outcome;
use crate::scenario::{Step, Target};
use crate::summary::{GooseFigures, GooseStep};
use dvc_http::Prepared;
use goose::config::GooseConfiguration;
use goose::goose::{GooseRequest, GooseUser, Scenario as GooseScenario, Transaction};
use goose::metrics::GooseCoordinatedOmissionMitigation;
use goose::prelude::{GooseAttack, GooseDefault, GooseDefaultType};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::watch;
use tokio::time::Instant;

/// A virtual citizen sending a journey's requests.
pub struct Citizen<'a> {
    user: &'a mut GooseUser,
}

/// How a closed run ended.
pub struct Ended {
    pub goose: GooseFigures,
    /// Goose stopped on its own Ctrl-C handler (it takes SIGINT while it runs).
    pub interrupted: bool,
}

/// A virtual citizen's variables and cookies, kept in its Goose session between journeys.
#[derive(Clone, Default)]
struct Session(JourneyState);

/// Runs the scenario's `users` stages on Goose until they end or `stop` turns true.
/// `users` follows the virtual citizens alive.
pub async fn run(
    rt: Arc<Runtime>,
    counters: Arc<ArrivalCounters>,
    users: Arc<AtomicU64>,
    mut stop: watch::Receiver<bool>,
) -> Result<Ended, String> {
    let mut config = GooseConfiguration::default();
    config.host = rt.base_url.clone();
    config.no_telnet = true;
    config.no_websocket = true;
    config.no_print_metrics = true;
    config.no_error_summary = true;
    config.quiet = 1;
    config.co_mitigation = Some(GooseCoordinatedOmissionMitigation::Average);
    let goose_error = |e: goose::GooseError| format!("Goose: {e:?}");
    let mut attack = GooseAttack::initialize_with_config(config).map_err(goose_error)?;
    attack = *attack
        .set_default(GooseDefault::TestPlan, test_plan(&rt).as_str())
        .map_err(goose_error)?;
    let weights = weights(
        &rt.scenario
            .journeys
            .iter()
            .map(|j| j.weight)
            .collect::<Vec<_>>(),
    );
    for (j, journey) in rt.scenario.journeys.iter().enumerate() {
        let scenario = GooseScenario::new(&journey.name)
            .register_transaction(start(rt.clone(), users.clone()))
            .register_transaction(journey_transaction(rt.clone(), counters.clone(), j))
            .register_transaction(end(users.clone()))
            .set_weight(weights[j])
            .map_err(goose_error)?;
        attack = attack.register_scenario(scenario);
    }
    let execution = attack.execute();
    tokio::pin!(execution);
    let mut stopping = false;
    let metrics = loop {
        tokio::select! {
            metrics = &mut execution => break metrics.map_err(goose_error)?,
            _ = stop.wait_for(|s| *s), if !stopping => {
                stopping = true;
                goose::trigger_killswitch("dvcbench stopped the run");
            }
        }
    };
    Ok(Ended {
        interrupted: !stopping && goose::is_killswitch_triggered(),
        goose: figures(&metrics, &rt.step_names),
    })
}

/// Goose's test plan: `users,seconds` per stage (this segment's share of the citizens), then
/// everyone leaves.
fn test_plan(rt: &Runtime) -> String {
    let mut plan: Vec<String> = rt
        .scenario
        .load
        .users()
        .iter()
        .map(|s| format!("{},{}", rt.segment.share(s.users), s.duration.as_secs()))
        .collect();
    plan.push("0,0".to_owned());
    plan.join(";")
}

/// Goose weighs scenarios with whole numbers: journey weights in hundredths of the largest,
/// at least 1.
fn weights(weights: &[f64]) -> Vec<usize> {
    let max = weights.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    weights
        .iter()
        .map(|w| ((w / max * 100.0).round() as usize).max(1))
        .collect()
}

/// A citizen arrives: the client it keeps (the scenario's TLS settings, no redirects followed,
/// no compression asked for, cookies kept by the session as in an open run).
fn start(rt: Arc<Runtime>, users: Arc<AtomicU64>) -> Transaction {
    Transaction::new(Arc::new(move |user: &mut GooseUser| {
        let (rt, users) = (rt.clone(), users.clone());
        Box::pin(async move {
            users.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = user
                .set_client_builder(client_builder(&rt.scenario.target))
                .await
            {
                tracing::error!(error = %e, "a virtual citizen's client could not be built");
            }
            Ok(())
        })
    }))
    .set_name("arrive")
    .set_on_start()
}

/// A citizen leaves.
fn end(users: Arc<AtomicU64>) -> Transaction {
    Transaction::new(Arc::new(move |_user: &mut GooseUser| {
        let users = users.clone();
        Box::pin(async move {
            users.fetch_sub(1, Ordering::Relaxed);
            Ok(())
        })
    }))
    .set_name("leave")
    .set_on_stop()
}

fn journey_transaction(rt: Arc<Runtime>, counters: Arc<ArrivalCounters>, j: usize) -> Transaction {
    let name = rt.scenario.journeys[j].name.clone();
    Transaction::new(Arc::new(move |user: &mut GooseUser| {
        let (rt, counters) = (rt.clone(), counters.clone());
        Box::pin(async move {
            counters.planned.fetch_add(1, Ordering::Relaxed);
            // Numbered across segments, so {{journey.id}} and feeder rows stay unique.
            let arrival = rt
                .segment
                .global_number(counters.started.fetch_add(1, Ordering::Relaxed));
            let mut session = user
                .get_session_data_mut::<Session>()
                .map(std::mem::take)
                .unwrap_or_default();
            rt.in_flight.fetch_add(1, Ordering::Relaxed);
            let mut via = Via::Goose(Citizen { user });
            rt.journey(
                j,
                arrival,
                Instant::now(),
                Some(&mut session.0),
                &mut via,
                None,
            )
            .await;
            rt.in_flight.fetch_sub(1, Ordering::Relaxed);
            let Via::Goose(citizen) = via else {
                unreachable!("the journey keeps its Via")
            };
            citizen.user.set_session_data(session);
            Ok(())
        })
    }))
    .set_name(&name)
}

fn client_builder(target: &Target) -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("dvcbench/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .danger_accept_invalid_certs(target.insecure_skip_verify);
    for root in &target.extra_roots {
        match reqwest::Certificate::from_der(root) {
            Ok(cert) => builder = builder.add_root_certificate(cert),
            Err(e) => tracing::error!(error = %e, "a ca_file certificate was refused"),
        }
    }
    // The same proxies as the open model's client: none for the embedded portal, the
    // scenario's, else the environment's (reqwest reads HTTP_PROXY and the rest itself).
    match (&target.base, &target.proxy) {
        (crate::scenario::TargetBase::Embedded(_), _) => builder.no_proxy(),
        (_, Some(setting)) => match &setting.url {
            None => builder.no_proxy(),
            Some(url) => match reqwest::Proxy::all(url.as_str()) {
                Ok(proxy) => builder
                    .no_proxy()
                    .proxy(proxy.no_proxy(reqwest::NoProxy::from_string(&setting.no_proxy))),
                // Checked when the scenario was read: this does not happen.
                Err(_) => {
                    tracing::error!(
                        "the scenario's proxy was refused by the closed model's client"
                    );
                    builder
                }
            },
        },
        (_, None) => builder,
    }
}

/// Sends `request` as a Goose request named after the step. Goose times it and counts it
/// for its mitigation; whether it passed is the step's check's to say (our figures), so
/// Goose's own idea of failure (any status but 2xx) is left out of its figures.
pub(super) async fn send(
    citizen: &mut Citizen<'_>,
    request: Prepared,
    step: &Step,
) -> Result<Response, Failure> {
    let builder = citizen
        .user
        .client
        .request(request.method, &request.url)
        .headers(request.headers)
        .body(request.body)
        .timeout(step.timeout);
    let goose_request = GooseRequest::builder()
        .set_request_builder(builder)
        .name(step.name.as_str())
        .build();
    let answer = citizen
        .user
        .request(goose_request)
        .await
        .map_err(|e| failure(Outcome::ConnectError, e.to_string()))?;
    let response = answer.response.map_err(|e| transport(&e, step))?;
    let status = response.status().as_u16();
    let headers = dvc_http::Headers::from_map(response.headers());
    let body = response.bytes().await.map_err(|e| transport(&e, step))?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn transport(e: &reqwest::Error, step: &Step) -> Failure {
    if e.is_timeout() {
        return failure(
            Outcome::Timeout,
            format!("no complete answer within {:?}", step.timeout),
        );
    }
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    failure(Outcome::ConnectError, reason)
}

fn failure(outcome: Outcome, reason: String) -> Failure {
    Failure { outcome, reason }
}

/// Goose's figures per step: raw, and with its coordinated-omission mitigation.
fn figures(metrics: &goose::metrics::GooseMetrics, order: &[String]) -> GooseFigures {
    /// Times in milliseconds (as Goose rounds them) with their counts.
    type Times = BTreeMap<usize, usize>;
    let mut steps: BTreeMap<&str, (usize, Times, Times)> = BTreeMap::new();
    for (key, aggregate) in &metrics.requests {
        let name = key.split_once(' ').map_or(key.as_str(), |(_, name)| name);
        let raw = &aggregate.raw_data;
        let adjusted = aggregate.coordinated_omission_data.as_ref().unwrap_or(raw);
        let entry = steps.entry(name).or_default();
        entry.0 += raw.counter;
        for (ms, n) in &raw.times {
            *entry.1.entry(*ms).or_default() += n;
        }
        for (ms, n) in &adjusted.times {
            *entry.2.entry(*ms).or_default() += n;
        }
    }
    let quantiles = |times: &Times| [0.5, 0.95, 0.99].map(|q| quantile(times, q));
    let mut steps: Vec<_> = steps.into_iter().collect();
    steps.sort_by_key(|(name, _)| order.iter().position(|n| n == name));
    GooseFigures {
        mitigation: "average".to_owned(),
        max_users: metrics.maximum_users as u64,
        steps: steps
            .into_iter()
            .map(|(name, (requests, raw, adjusted))| {
                let [p50, p95, p99] = quantiles(&raw);
                let [adjusted_p50, adjusted_p95, adjusted_p99] = quantiles(&adjusted);
                GooseStep {
                    name: name.to_owned(),
                    requests: requests as u64,
                    p50,
                    p95,
                    p99,
                    adjusted_requests: adjusted.values().sum::<usize>() as u64,
                    adjusted_p50,
                    adjusted_p95,
                    adjusted_p99,
                }
            })
            .collect(),
    }
}

/// The `q` quantile, in seconds, of times in milliseconds with counts.
fn quantile(times: &BTreeMap<usize, usize>, q: f64) -> Option<f64> {
    dvc_domain::quantile::quantile_of_counts(times.iter().map(|(ms, n)| (*ms, *n as u64)), q)
        .map(|ms| ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::{quantile, weights};

    #[test]
    fn quantiles_by_nearest_rank() {
        let times = [(10, 90), (200, 9), (3000, 1)].into_iter().collect();
        assert_eq!(quantile(&times, 0.5), Some(0.01));
        assert_eq!(quantile(&times, 0.9), Some(0.01));
        assert_eq!(quantile(&times, 0.95), Some(0.2));
        assert_eq!(quantile(&times, 0.99), Some(0.2));
        assert_eq!(quantile(&times, 1.0), Some(3.0));
        assert_eq!(quantile(&Default::default(), 0.5), None);
    }

    #[test]
    fn weights_become_hundredths_of_the_largest() {
        assert_eq!(weights(&[3.0, 1.0]), vec![100, 33]);
        assert_eq!(weights(&[0.7, 0.3]), vec![100, 43]);
        assert_eq!(weights(&[1000.0, 1.0]), vec![100, 1]);
        assert_eq!(weights(&[1.0]), vec![100]);
    }
}
