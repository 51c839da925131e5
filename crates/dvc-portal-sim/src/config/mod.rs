//! Configuration of the simulator (`portal.toml`). Every field has a default, so an empty file
//! (or none) gives one fast, fault-free portal for Hà Nội (province 01).
//!
//! ```toml
//! time_scale = 600                     # simulated time runs 600× faster
//! start = "2025-04-01T07:00:00+07:00"  # simulated clock at start (default: now)
//!
//! [[portal]]                           # one per province; several for comparison demos
//! province = "01"
//! prefix = "/hn"                       # served under this path prefix …
//! # listen = "127.0.0.1:8081"          # … or on its own address
//! [portal.back_office]
//! officers = 2
//! intake_minutes = 45
//! [portal.faults]
//! error_rate = 0.02
//! ```

mod back_office;
mod duration;
mod faults;
mod national;

pub use back_office::{AgencyStaff, BackOfficeConfig, CodeStyle, IntakeWork};
pub use duration::Millis;
use dvc_domain::Diagnostic;
pub use faults::{FaultsConfig, OutageWindow};
pub use national::{IndexConfig, NationalConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimConfig {
    /// Simulated time runs this many times faster than real time (1 = real time).
    pub time_scale: Spanned<f64>,
    /// The simulated instant at start, RFC 3339; default: the current time.
    pub start: Option<Spanned<String>>,
    /// Bearer token for `/admin/*`; without one the admin API answers 403.
    pub admin_token: Option<String>,
    pub accounts: AccountsConfig,
    pub limits: LimitsConfig,
    /// The portals to serve; default: one for province 01 at `/`.
    pub portal: Vec<Spanned<PortalConfig>>,
    /// The national portal as a front door forwarding dossiers to the provinces' portals.
    pub national: Option<Spanned<NationalConfig>>,
    /// Deprecated keys the file still uses, each with its replacement; the caller shows them.
    #[serde(skip)]
    pub deprecated: Vec<Diagnostic>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            time_scale: Spanned::new(0..0, 1.0),
            start: None,
            admin_token: None,
            accounts: AccountsConfig::default(),
            limits: LimitsConfig::default(),
            portal: Vec::new(),
            national: None,
            deprecated: Vec::new(),
        }
    }
}

/// Citizen accounts: any 12-digit citizen ID logs in with the shared password.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    pub password: String,
    /// Sessions kept at most; the oldest is dropped beyond it.
    pub max_sessions: usize,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            password: "dvc-demo".into(),
            max_sessions: 1_000_000,
        }
    }
}

/// Limits on submitted dossiers and on each listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest attachment, in bytes.
    pub max_file_bytes: usize,
    /// Most attachments per dossier.
    pub max_files: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Connections each listener serves at once; more wait to be accepted.
    pub max_connections: usize,
    /// Longest wait for a request head, and longest idle time of a kept-alive connection.
    pub header_read_timeout: Millis,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_file_bytes: 10 << 20,
            max_files: 20,
            max_body_bytes: 50 << 20,
            max_connections: 4096,
            header_read_timeout: Millis::from_millis(10_000),
        }
    }
}

impl LimitsConfig {
    /// What each listener allows.
    pub fn listener(&self) -> dvc_http::serve::Limits {
        dvc_http::serve::Limits {
            max_connections: self.max_connections,
            header_read_timeout: self.header_read_timeout.0,
        }
    }
}

/// One province's portal and its quality profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortalConfig {
    /// Administrative code of the province, e.g. "01" (Hà Nội), "79" (Hồ Chí Minh City).
    pub province: String,
    /// Path prefix such as "/hn" ("" serves at the root).
    pub prefix: String,
    /// Serve this portal on its own address instead of (or as well as) the prefix.
    pub listen: Option<SocketAddr>,
    /// Seed of the portal's random choices (officers' work, payment outcomes, faults).
    pub seed: u64,
    /// How the last part of a dossier code is made: "sequential" (the agency's number of the
    /// day, as most portals do) or "random" (eight random characters nobody can guess from a
    /// neighbour's code).
    pub codes: CodeStyle,
    pub back_office: BackOfficeConfig,
    pub payment: PaymentConfig,
    pub capacity: CapacityConfig,
    pub faults: FaultsConfig,
    pub sso: SsoConfig,
    /// How this province's one-stop office works (hours, seasons, Saturday intake, working-day
    /// length, its own days off), over the simulator's calendar.
    pub calendar: Option<dvc_domain::portal_calendar::CalendarSpec>,
    /// The figures of the national service index the portal publishes at `/api/stats/index`.
    pub index: IndexConfig,
}

/// The single sign-on stand-in (an OpenID Connect provider modelled on VNeID's flow).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SsoConfig {
    /// Added to each of the SSO's own answers (authorize, login, token): a national
    /// identity provider is slower than a portal.
    pub latency: Millis,
    /// Share of the SSO's answers that are 503 (the identity provider failing).
    pub error_rate: f64,
    /// How long an authorization code may wait for its exchange.
    pub code_ttl: Millis,
}

impl Default for SsoConfig {
    fn default() -> Self {
        SsoConfig {
            latency: Millis::default(),
            error_rate: 0.0,
            code_ttl: Millis::from_millis(60_000),
        }
    }
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            province: "01".into(),
            prefix: String::new(),
            listen: None,
            seed: 1,
            codes: CodeStyle::Sequential,
            back_office: BackOfficeConfig::default(),
            payment: PaymentConfig::default(),
            capacity: CapacityConfig::default(),
            faults: FaultsConfig::default(),
            sso: SsoConfig::default(),
            calendar: None,
            index: IndexConfig::default(),
        }
    }
}

/// The simulated payment gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentConfig {
    /// Shared secret of the callback signature.
    pub secret: String,
    /// Real time from the citizen paying to the gateway's callback.
    #[serde(alias = "callback_delay_ms")]
    pub callback_delay: Millis,
    /// Shares of gateway outcomes; they must add up to 1.
    pub success: f64,
    pub failed: f64,
    pub pending: f64,
    /// Real time after which a pending transaction settles (as a success).
    #[serde(alias = "pending_resolves_after_ms")]
    pub pending_resolves_after: Millis,
    /// Real time between runs of the reconciliation job.
    #[serde(alias = "reconcile_every_ms")]
    pub reconcile_every: Millis,
    /// Share of successful payments whose e-receipt fails to be issued at first (the money is
    /// taken; the receipt answers 503 until it is issued again).
    pub receipt_failure: f64,
    /// Real time after which a failed receipt is issued again.
    pub receipt_retry: Millis,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        PaymentConfig {
            secret: "dvc-sim-secret".into(),
            callback_delay: Millis::from_millis(100),
            success: 0.95,
            failed: 0.03,
            pending: 0.02,
            pending_resolves_after: Millis::from_millis(2_000),
            reconcile_every: Millis::from_millis(500),
            receipt_failure: 0.0,
            receipt_retry: Millis::from_millis(2_000),
        }
    }
}

/// The service model: a worker pool with a queue in front, and per-route service time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapacityConfig {
    /// Requests served at once; 0 for no limit (the simulator is then never the bottleneck).
    pub workers: usize,
    /// Requests allowed to wait for a worker; beyond it requests get 503.
    pub queue: usize,
    /// Work per request, by route ("POST /api/dossiers") or "default".
    #[serde(alias = "service_time_ms")]
    pub service_time: BTreeMap<String, Millis>,
    /// Time spent generating a dossier code under the agency's lock (the hot-agency
    /// bottleneck: a burst on one agency serialises here).
    #[serde(alias = "code_generation_ms")]
    pub code_generation: Millis,
}

impl Default for CapacityConfig {
    fn default() -> Self {
        CapacityConfig {
            workers: 0,
            queue: 1024,
            service_time: BTreeMap::new(),
            code_generation: Millis::default(),
        }
    }
}

impl SimConfig {
    /// Parses and validates `portal.toml`; `path` names it in diagnostics.
    pub fn parse(path: &str, source: &str) -> Result<SimConfig, Vec<Diagnostic>> {
        let mut config: SimConfig =
            toml::from_str(source).map_err(|e| vec![Diagnostic::from_toml(path, source, &e)])?;
        let mut problems = config.validate(path, source);
        let (deprecated, errors) = duration::check(path, source);
        problems.extend(errors);
        config.deprecated = deprecated;
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The portals, or the default one when the file names none.
    pub fn portals(&self) -> Vec<PortalConfig> {
        if self.portal.is_empty() {
            vec![PortalConfig::default()]
        } else {
            self.portal.iter().map(|p| p.get_ref().clone()).collect()
        }
    }

    /// Every problem of a parsed configuration (no I/O).
    pub fn validate(&self, path: &str, source: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut at = |offset: usize, message: String| {
            problems.push(Diagnostic::at(path, source, offset, message));
        };
        let scale = *self.time_scale.get_ref();
        if !(scale.is_finite() && scale > 0.0 && scale <= 1e6) {
            at(
                self.time_scale.span().start,
                format!(
                    "time_scale must be > 0 and at most 1000000, e.g. time_scale = 600; got {scale}"
                ),
            );
        }
        if let Some(start) = &self.start
            && chrono::DateTime::parse_from_rfc3339(start.get_ref()).is_err()
        {
            at(
                start.span().start,
                format!(
                    "start must be RFC 3339, e.g. \"2025-04-01T07:00:00+07:00\"; got {:?}",
                    start.get_ref()
                ),
            );
        }
        if self.limits.max_connections == 0 {
            at(0, "limits.max_connections must be at least 1".to_owned());
        }
        if self.limits.header_read_timeout.is_zero() {
            at(
                0,
                "limits.header_read_timeout must be above zero, e.g. \"10s\"".to_owned(),
            );
        }
        let catalogue = crate::catalogue::Catalogue::shipped();
        let mut prefixes = std::collections::BTreeSet::new();
        if let Some(national) = &self.national {
            let n = national.get_ref();
            let offset = national.span().start;
            if !n.prefix.starts_with('/') || n.prefix.len() < 2 || n.prefix.ends_with('/') {
                at(
                    offset,
                    format!(
                        "national.prefix must start with / and not end with one, e.g. \"/quocgia\"; got {:?}",
                        n.prefix
                    ),
                );
            }
            if let Some(problem) = share("national.push_failure", n.push_failure) {
                at(offset, problem);
            }
            if n.push_attempts == 0 {
                at(
                    offset,
                    "national.push_attempts must be at least 1".to_owned(),
                );
            }
            prefixes.insert(n.prefix.clone());
        }
        for portal in &self.portal {
            let offset = portal.span().start;
            let p = portal.get_ref();
            for message in p.problems(&catalogue) {
                at(offset, message);
            }
            if p.listen.is_none() && !prefixes.insert(p.prefix.clone()) {
                at(
                    offset,
                    format!("two portals share the prefix {:?}", p.prefix),
                );
            }
        }
        problems
    }
}

fn share(name: &str, value: f64) -> Option<String> {
    (!(0.0..=1.0).contains(&value)).then(|| format!("{name} must be between 0 and 1; got {value}"))
}

fn sums_to_one(names: &str, values: &[f64]) -> Option<String> {
    let sum: f64 = values.iter().sum();
    ((sum - 1.0).abs() > 1e-6).then(|| format!("{names} must add up to 1; they add up to {sum}"))
}

impl PortalConfig {
    /// Problems of one portal's settings, as messages.
    pub fn problems(&self, catalogue: &crate::catalogue::Catalogue) -> Vec<String> {
        let b = &self.back_office;
        let pay = &self.payment;
        let f = &self.faults;
        let mut out: Vec<String> = [
            share("back_office.accept", b.accept),
            share("back_office.refuse", b.refuse),
            share("back_office.supplement", b.supplement),
            share("back_office.late_probability", b.late_probability),
            share("back_office.processing_supplement", b.processing_supplement),
            share("back_office.stop", b.stop),
            sums_to_one(
                "back_office.accept + refuse + supplement",
                &[b.accept, b.refuse, b.supplement],
            ),
            share("payment.success", pay.success),
            share("payment.failed", pay.failed),
            share("payment.pending", pay.pending),
            share("payment.receipt_failure", pay.receipt_failure),
            sums_to_one(
                "payment.success + failed + pending",
                &[pay.success, pay.failed, pay.pending],
            ),
            share("sso.error_rate", self.sso.error_rate),
            share("index.online_share", self.index.online_share),
            share(
                "index.online_payment_share",
                self.index.online_payment_share,
            ),
            share("index.digitised_share", self.index.digitised_share),
            share(
                "index.result_digitised_share",
                self.index.result_digitised_share,
            ),
            share("index.response_share", self.index.response_share),
            share("index.satisfied_share", self.index.satisfied_share),
        ]
        .into_iter()
        .flatten()
        .collect();
        if catalogue.province(&self.province).is_none() {
            out.push(format!(
                "province {:?} is not one of the 34 administrative codes, e.g. \"01\" (Hà Nội)",
                self.province
            ));
        }
        if !self.prefix.is_empty() && (!self.prefix.starts_with('/') || self.prefix.ends_with('/'))
        {
            out.push(format!(
                "prefix must start with / and not end with one, e.g. \"/hn\"; got {:?}",
                self.prefix
            ));
        }
        if b.officers == 0 {
            out.push("back_office.officers must be at least 1".into());
        }
        if self.index.online_share <= 0.0 || self.index.online_payment_share <= 0.0 {
            out.push(
                "index.online_share and index.online_payment_share must be above 0 (the \
                 simulator's dossiers and payments are online)"
                    .into(),
            );
        }
        for (id, staff) in &b.agency {
            if catalogue.agency(id).is_none() {
                let known: Vec<&str> = catalogue.agencies.iter().map(|a| a.id.as_str()).collect();
                out.push(format!(
                    "back_office.agency.{id}: no agency {id:?} in the catalogue; known: {}",
                    known.join(", ")
                ));
            }
            if staff.officers == 0 {
                out.push(format!(
                    "back_office.agency.{id}.officers must be at least 1"
                ));
            }
        }
        if !(b.intake_minutes.is_finite() && b.intake_minutes > 0.0) {
            out.push(format!(
                "back_office.intake_minutes must be > 0; got {}",
                b.intake_minutes
            ));
        }
        if self.sso.code_ttl.is_zero() {
            out.push("sso.code_ttl must be above zero, e.g. \"60s\"".into());
        }
        if pay.secret.is_empty() {
            out.push("payment.secret must not be empty".into());
        }
        out.extend(f.problems());
        out
    }
}

#[cfg(test)]
mod tests;
