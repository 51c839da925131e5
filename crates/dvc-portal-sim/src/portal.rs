//! One simulated portal's shared state: its office, clock, faults, service model and metrics.

use crate::catalogue::{Catalogue, Province};
use crate::clock::SimClock;
use crate::config::{AccountsConfig, FaultsConfig, LimitsConfig, PortalConfig};
use crate::metrics::Metrics;
use crate::office::Office;
use chrono::NaiveDateTime;
use dvc_domain::calendar::WorkingCalendar;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Instant;

/// The HTTP client the gateway uses for its callbacks.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The worker pool and queue of the service model.
pub struct Capacity {
    pub workers: Option<tokio::sync::Semaphore>,
    pub waiting: AtomicUsize,
    pub queue: usize,
}

/// A portal, shared by its handlers and background jobs.
pub struct Portal {
    /// The `portal` label: `sim-{province}` or the prefix without its slash.
    pub name: String,
    pub province: Province,
    pub config: PortalConfig,
    pub catalogue: Arc<Catalogue>,
    pub clock: Arc<SimClock>,
    faults: RwLock<Arc<Faults>>,
    pub metrics: Metrics,
    pub accounts: AccountsConfig,
    pub limits: LimitsConfig,
    pub admin_token: Option<String>,
    pub started: Instant,
    pub capacity: Capacity,
    /// Base URL of this portal as the gateway calls it back, set once it listens.
    pub callback_base: OnceLock<String>,
    pub client: HttpClient,
    office: Mutex<Office>,
    code_locks: HashMap<String, tokio::sync::Mutex<()>>,
    /// The single sign-on stand-in's login attempts and codes.
    pub sso: crate::sso::Sso,
}

pub type SharedPortal = Arc<Portal>;

impl Portal {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: PortalConfig,
        catalogue: Arc<Catalogue>,
        calendar: WorkingCalendar,
        clock: Arc<SimClock>,
        metrics: Metrics,
        accounts: AccountsConfig,
        limits: LimitsConfig,
        admin_token: Option<String>,
    ) -> Self {
        let province = catalogue
            .province(&config.province)
            .copied()
            .expect("invariant: the province was validated against the catalogue");
        let name = if config.prefix.is_empty() {
            format!("sim-{}", config.province)
        } else {
            config.prefix.trim_start_matches('/').to_owned()
        };
        let code_locks = catalogue
            .agencies
            .iter()
            .map(|a| (a.id.clone(), tokio::sync::Mutex::new(())))
            .collect();
        let capacity = Capacity {
            workers: (config.capacity.workers > 0)
                .then(|| tokio::sync::Semaphore::new(config.capacity.workers)),
            waiting: AtomicUsize::new(0),
            queue: config.capacity.queue,
        };
        Portal {
            name,
            province,
            office: Mutex::new(Office::new(&config, calendar)),
            faults: RwLock::new(Arc::new(Faults::new(config.faults.clone()))),
            config,
            catalogue,
            clock,
            metrics,
            accounts,
            limits,
            admin_token,
            started: Instant::now(),
            capacity,
            callback_base: OnceLock::new(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            code_locks,
            sso: crate::sso::Sso::default(),
        }
    }

    /// The office, locked. Never held across an `.await`.
    pub fn office(&self) -> MutexGuard<'_, Office> {
        self.office
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The office, brought up to the simulated present.
    pub fn office_now(&self) -> MutexGuard<'_, Office> {
        let mut office = self.office();
        office.advance(self.clock.now());
        office
    }

    /// The current faults (cheap: a shared pointer, read on every request).
    pub fn faults(&self) -> Arc<Faults> {
        self.faults
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: FaultsConfig) {
        *self.faults.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Faults::new(faults));
    }

    /// The simulated present.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// The lock serialising dossier-code generation of one agency.
    pub fn code_lock(&self, agency: &str) -> Option<&tokio::sync::Mutex<()>> {
        self.code_locks.get(agency)
    }

    /// `[portal, province]` label values.
    pub fn labels(&self) -> [&str; 2] {
        [&self.name, self.province.code]
    }
}

/// Faults in force, with the outage windows parsed once when they are set.
#[derive(Debug)]
pub struct Faults {
    pub config: FaultsConfig,
    /// Outage windows in simulated local time.
    windows: Vec<(NaiveDateTime, NaiveDateTime)>,
}

impl Faults {
    /// Faults from a validated configuration (windows that do not parse are left out).
    pub fn new(config: FaultsConfig) -> Self {
        let parse = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| dvc_domain::calendar::to_local(&t))
        };
        let windows = config
            .outage_windows
            .iter()
            .filter_map(|w| Some((parse(&w.from)?, parse(&w.to)?)))
            .collect();
        Faults { config, windows }
    }

    /// True when the portal is down at simulated instant `now`.
    pub fn in_outage(&self, now: NaiveDateTime) -> bool {
        self.config.outage
            || self
                .windows
                .iter()
                .any(|(from, to)| *from <= now && now < *to)
    }
}

impl std::ops::Deref for Faults {
    type Target = FaultsConfig;

    fn deref(&self) -> &FaultsConfig {
        &self.config
    }
}

/// A simulated instant as RFC 3339 with +07:00.
pub fn rfc3339(t: NaiveDateTime) -> String {
    dvc_domain::calendar::from_local(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}
