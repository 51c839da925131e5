//! The national portal as a front door: citizens log in and submit there, and it forwards
//! ("pushes") each dossier to the province's portal through the integration platform, with a
//! delay, failures and retries. The province files the dossier under its own code, marked
//! `channel: "national"` with the national code, and the national portal shows where it is.
//!
//! How it maps to the real thing: on dichvucong.gov.vn a citizen picks a province's procedure,
//! the national portal sends the dossier to that province's one-stop information system over
//! the national data-sharing platform, and statuses come back the same way. A push that fails
//! is retried; one that never arrives is a dossier the citizen thinks submitted and the province
//! never saw, which is what a front-door test watches for.

use crate::config::NationalConfig;
use crate::portal::SharedPortal;
use crate::routes::dossiers::{self, Checked};
use crate::sessions::Sessions;
use chrono::NaiveDateTime;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where a dossier submitted at the national portal is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// Waiting for its next push at `due`, after `attempts` failed ones.
    Waiting { due: Instant, attempts: u32 },
    /// Received by the province under `code`.
    Forwarded {
        code: String,
        at: NaiveDateTime,
        attempts: u32,
    },
    /// Every push failed: the province never received it.
    Failed { attempts: u32 },
}

/// A dossier as the national portal keeps it.
pub struct Forwarding {
    pub national_code: String,
    pub province: String,
    pub procedure: String,
    pub submitted_at: NaiveDateTime,
    pub push: Push,
    /// What the province will file; taken when the push succeeds.
    filing: Option<Checked>,
}

/// The national portal's state.
pub struct National {
    pub config: NationalConfig,
    /// The simulated provinces' portals, by province code.
    pub provinces: BTreeMap<String, SharedPortal>,
    /// The main listener's metrics, where the national portal's are exported.
    pub metrics: crate::metrics::Metrics,
    state: Mutex<State>,
}

struct State {
    rng: StdRng,
    sessions: Sessions,
    dossiers: Vec<Forwarding>,
    by_code: HashMap<String, usize>,
    waiting: VecDeque<usize>,
    sequences: HashMap<chrono::NaiveDate, u32>,
}

pub type SharedNational = Arc<National>;

impl National {
    /// The national portal in front of `portals` (the first portal of each province).
    pub fn new(
        config: NationalConfig,
        portals: &[SharedPortal],
        metrics: crate::metrics::Metrics,
    ) -> Self {
        let mut provinces = BTreeMap::new();
        for p in portals {
            provinces
                .entry(p.config.province.clone())
                .or_insert_with(|| p.clone());
        }
        National {
            state: Mutex::new(State {
                rng: StdRng::seed_from_u64(config.seed),
                sessions: Sessions::default(),
                dossiers: Vec::new(),
                by_code: HashMap::new(),
                waiting: VecDeque::new(),
                sequences: HashMap::new(),
            }),
            config,
            provinces,
            metrics,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a session for a citizen; returns its token.
    pub fn open_session(&self, citizen_id: &str, max: usize) -> String {
        let mut s = self.state();
        let token = format!("{:032x}", s.rng.random::<u128>());
        s.sessions.open(token.clone(), citizen_id, max);
        token
    }

    pub fn session(&self, token: &str) -> Option<String> {
        self.state().sessions.get(token).map(str::to_owned)
    }

    /// Takes a checked submission for `province` at simulated `now`; answers its national code.
    pub(crate) fn accept(&self, province: &str, checked: Checked, now: NaiveDateTime) -> String {
        let mut s = self.state();
        let seq = s.sequences.entry(now.date()).or_insert(0);
        *seq += 1;
        let code = format!("QG-{}-{:06}", now.format("%y%m%d"), *seq);
        let idx = s.dossiers.len();
        s.dossiers.push(Forwarding {
            national_code: code.clone(),
            province: province.to_owned(),
            procedure: checked.procedure.code.clone(),
            submitted_at: now,
            push: Push::Waiting {
                due: Instant::now() + self.config.push_delay.0,
                attempts: 0,
            },
            filing: Some(checked),
        });
        s.by_code.insert(code.clone(), idx);
        s.waiting.push_back(idx);
        code
    }

    /// A dossier by its national code, with what the national portal knows of it.
    pub fn find<T>(&self, code: &str, f: impl FnOnce(&Forwarding) -> T) -> Option<T> {
        let s = self.state();
        s.by_code.get(code).map(|&i| f(&s.dossiers[i]))
    }

    /// Dossiers not yet received by their province.
    pub fn waiting(&self) -> usize {
        self.state().waiting.len()
    }

    /// The pushes due now: each is taken out of the queue with its filing; the caller pushes it
    /// and reports back with [`National::pushed`].
    fn due(&self) -> Vec<Due> {
        let now = Instant::now();
        let mut s = self.state();
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        while let Some(idx) = s.waiting.pop_front() {
            let d = &mut s.dossiers[idx];
            match d.push {
                Push::Waiting { due, attempts } if due <= now => {
                    if let Some(filing) = d.filing.take() {
                        out.push(Due {
                            idx,
                            code: d.national_code.clone(),
                            province: d.province.clone(),
                            filing,
                            attempts,
                        });
                    }
                }
                _ => keep.push_back(idx),
            }
        }
        s.waiting = keep;
        out
    }

    /// Rolls whether a push fails.
    fn push_fails(&self) -> bool {
        let share = self.config.push_failure;
        share > 0.0 && self.state().rng.random::<f64>() < share
    }

    fn pushed(&self, idx: usize, push: Push, filing: Option<Checked>) {
        let mut s = self.state();
        let waiting = matches!(push, Push::Waiting { .. });
        s.dossiers[idx].push = push;
        s.dossiers[idx].filing = filing;
        if waiting {
            s.waiting.push_back(idx);
        }
    }
}

/// A push due now.
struct Due {
    idx: usize,
    code: String,
    province: String,
    filing: Checked,
    attempts: u32,
}

/// The integration job: pushes due dossiers to their provinces, retrying failed pushes.
/// Stops with the simulator (its task is aborted).
pub async fn forward_forever(national: SharedNational) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        for due in national.due() {
            let Due {
                idx,
                code,
                province,
                filing,
                attempts,
            } = due;
            let attempts = attempts + 1;
            let Some(portal) = national.provinces.get(&province).cloned() else {
                national.pushed(idx, Push::Failed { attempts }, None);
                continue;
            };
            let count = |result: &str| {
                national
                    .metrics
                    .national_pushes
                    .with_label_values(&[province.as_str(), result])
                    .inc();
            };
            // The province's system in an outage refuses the push like a failed one.
            if national.push_fails() || portal.faults().in_outage(portal.now()) {
                count("failed");
                if attempts >= national.config.push_attempts {
                    national.pushed(idx, Push::Failed { attempts }, None);
                } else {
                    let due = Instant::now() + national.config.push_retry.0;
                    national.pushed(idx, Push::Waiting { due, attempts }, Some(filing));
                }
                continue;
            }
            let body = dossiers::file(&portal, filing, Some(code), |_, _| {}).await;
            count("forwarded");
            let push = Push::Forwarded {
                code: body["code"].as_str().unwrap_or_default().to_owned(),
                at: portal.now(),
                attempts,
            };
            national.pushed(idx, push, None);
        }
        let waiting = i64::try_from(national.waiting()).unwrap_or(i64::MAX);
        national.metrics.national_waiting.set(waiting);
    }
}
