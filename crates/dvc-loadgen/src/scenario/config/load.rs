//! `[load]`: the open model's stages and limits, or the closed model's citizens.

use super::Problems;
use crate::scenario::config::*;
use crate::units::{parse_duration, parse_rate};
use serde::Deserialize;
use toml::Spanned;

/// How citizens arrive.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadConfig {
    /// `"open"`: citizens arrive on a schedule whatever the portal does; `"closed"`: a crowd
    /// of virtual citizens (on Goose), each running journeys back to back.
    #[serde(default = "open")]
    pub model: Spanned<String>,
    /// `"constant"` (evenly spaced) or `"poisson"` (random, same mean rate).
    #[serde(default = "constant")]
    pub arrivals: Spanned<String>,
    /// Rate at the start of the first stage; default: the first stage's rate (no ramp).
    pub start_rate: Option<Spanned<String>>,
    /// Stages, each ramping linearly from the previous rate to its own over its duration.
    pub stages: Vec<Spanned<StageConfig>>,
    /// Journeys in flight at most; an arrival beyond it waits (and the wait counts).
    #[serde(default = "max_in_flight")]
    pub max_in_flight: Spanned<usize>,
    /// An arrival that cannot start within this delay is dropped (counted); default: never.
    pub max_start_delay: Option<Spanned<String>>,
    /// A cap: no stage may ask for more than this rate (protects a real portal from typos).
    #[serde(default = "max_rate")]
    pub max_rate: Spanned<String>,
    /// Closed model: a cap on the virtual citizens of any stage (protects a portal from typos);
    /// default 10,000.
    pub max_users: Option<Spanned<u64>>,
    /// After the last arrival (or Ctrl-C), how long in-flight journeys may finish.
    #[serde(default = "graceful_stop")]
    pub graceful_stop: Spanned<String>,
    /// Seed of every random choice (Poisson gaps, journey mix, think times, data).
    #[serde(default = "seed")]
    pub seed: u64,
}

fn open() -> Spanned<String> {
    Spanned::new(0..0, "open".into())
}

fn constant() -> Spanned<String> {
    Spanned::new(0..0, "constant".into())
}

fn max_in_flight() -> Spanned<usize> {
    Spanned::new(0..0, 10_000)
}

fn max_rate() -> Spanned<String> {
    Spanned::new(0..0, "1000/s".into())
}

fn graceful_stop() -> Spanned<String> {
    Spanned::new(0..0, "10s".into())
}

fn seed() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    pub duration: String,
    /// Open model: arrivals per second at the stage's end.
    pub rate: Option<String>,
    /// Closed model: virtual citizens at the stage's end.
    pub users: Option<u64>,
}

pub(super) fn load(p: &mut Problems, l: &LoadConfig) -> Option<Load> {
    let model = match l.model.get_ref().as_str() {
        "open" => Model::Open,
        "closed" => Model::Closed,
        other => {
            p.at(
                l.model.span().start,
                format!("model must be \"open\" or \"closed\"; got {other:?}"),
            );
            Model::Open
        }
    };
    if model == Model::Closed {
        return closed_load(p, l);
    }
    let poisson = match l.arrivals.get_ref().as_str() {
        "constant" => false,
        "poisson" => true,
        other => {
            p.at(
                l.arrivals.span().start,
                format!("arrivals must be \"constant\" or \"poisson\"; got {other:?}"),
            );
            false
        }
    };
    let max_rate = p.ok(l.max_rate.span().start, parse_rate(l.max_rate.get_ref()))?;
    let mut stages = Vec::new();
    if l.stages.is_empty() {
        p.at(0, "load.stages needs at least one stage, e.g. stages = [{ duration = \"1m\", rate = \"20/s\" }]");
    }
    for s in &l.stages {
        let at = s.span().start;
        let duration = p.ok(at, parse_duration(&s.get_ref().duration));
        if s.get_ref().users.is_some() {
            p.at(at, "users is a closed-model stage key; an open stage has a rate (or set model = \"closed\")");
        }
        let rate = match &s.get_ref().rate {
            Some(r) => p.ok(at, parse_rate(r)),
            None => {
                p.at(
                    at,
                    "an open-model stage needs a rate, e.g. { duration = \"1m\", rate = \"20/s\" }",
                );
                None
            }
        };
        if let Some(r) = rate.filter(|r| *r > max_rate) {
            p.at(
                at,
                format!("rate {r}/s is over max_rate {max_rate}/s; raise max_rate if you mean it"),
            );
        }
        if let (Some(duration), Some(rate)) = (duration, rate) {
            if duration.is_zero() {
                p.at(at, "a stage's duration must be > 0");
            }
            stages.push(Stage { duration, rate });
        }
    }
    let start_rate = match &l.start_rate {
        Some(s) => {
            let rate = p.ok(s.span().start, parse_rate(s.get_ref()))?;
            if rate > max_rate {
                p.at(
                    s.span().start,
                    format!("start_rate {rate}/s is over max_rate {max_rate}/s"),
                );
            }
            rate
        }
        None => stages.first().map_or(0.0, |s| s.rate),
    };
    if stages.iter().all(|s| s.rate == 0.0) && start_rate == 0.0 && !stages.is_empty() {
        p.at(0, "every stage has rate 0: no citizen would arrive");
    }
    let max_in_flight = *l.max_in_flight.get_ref();
    if max_in_flight == 0 {
        p.at(
            l.max_in_flight.span().start,
            "max_in_flight must be at least 1",
        );
    }
    let max_start_delay = match &l.max_start_delay {
        Some(d) => Some(p.ok(d.span().start, parse_duration(d.get_ref()))?),
        None => None,
    };
    if let Some(m) = &l.max_users {
        p.at(
            m.span().start,
            "max_users applies to the closed model only (set model = \"closed\")",
        );
    }
    let graceful_stop = p.ok(
        l.graceful_stop.span().start,
        parse_duration(l.graceful_stop.get_ref()),
    )?;
    Some(Load::Open(OpenLoad {
        poisson,
        start_rate,
        stages,
        max_in_flight,
        max_start_delay,
        max_rate,
        graceful_stop,
        seed: l.seed,
    }))
}

/// The closed model: `users` stages in whole seconds (Goose's test plan), and none of the
/// open model's arrival keys.
pub(super) fn closed_load(p: &mut Problems, l: &LoadConfig) -> Option<Load> {
    // Defaults carry an empty span; a key written in the file never does.
    let given = |span: std::ops::Range<usize>| (span != (0..0)).then_some(span.start);
    let open_only = [
        ("arrivals", given(l.arrivals.span())),
        ("start_rate", l.start_rate.as_ref().map(|s| s.span().start)),
        ("max_in_flight", given(l.max_in_flight.span())),
        (
            "max_start_delay",
            l.max_start_delay.as_ref().map(|s| s.span().start),
        ),
        ("max_rate", given(l.max_rate.span())),
        ("graceful_stop", given(l.graceful_stop.span())),
    ];
    for (key, at) in open_only {
        if let Some(at) = at {
            p.at(
                at,
                format!("{key} applies to the open model only; a closed run lets each virtual citizen finish its journey"),
            );
        }
    }
    if l.stages.is_empty() {
        p.at(0, "load.stages needs at least one stage, e.g. stages = [{ duration = \"1m\", users = 200 }]");
    }
    let max_users = l.max_users.as_ref().map_or(10_000, |m| *m.get_ref());
    let mut users = Vec::new();
    for s in &l.stages {
        let at = s.span().start;
        let stage = s.get_ref();
        if stage.rate.is_some() {
            p.at(
                at,
                "rate is an open-model stage key; a closed stage has users",
            );
        }
        let Some(count) = stage.users else {
            p.at(
                at,
                "a closed-model stage needs users, e.g. { duration = \"1m\", users = 200 }",
            );
            continue;
        };
        let Some(duration) = p.ok(at, parse_duration(&stage.duration)) else {
            continue;
        };
        if duration.is_zero() || duration.subsec_nanos() != 0 {
            p.at(
                at,
                "a closed-model stage lasts a whole number of seconds (> 0)",
            );
            continue;
        }
        if count > max_users {
            p.at(
                at,
                format!(
                    "{count} users is over max_users {max_users}; raise max_users if you mean it"
                ),
            );
        }
        users.push(UsersStage {
            duration,
            users: count,
        });
    }
    if !users.is_empty() && users.iter().all(|s| s.users == 0) {
        p.at(0, "every stage has 0 users: no citizen would come");
    }
    Some(Load::Closed(ClosedLoad {
        users,
        seed: l.seed,
    }))
}
