//! `dvcbench probe`: a daemon that watches portals around the clock and exports availability,
//! intake latency (submission → acceptance) and deadline metrics to Prometheus.
//!
//! - [`config`]: the probe's TOML (targets and their checks), validated with every problem at
//!   its place ([`config::ProbeConfig::load`]);
//! - [`checks`]: what one run of a check does: an HTTP check, a scripted journey (through
//!   `dvc_loadgen::Runtime`), an intake check that submits a marked test dossier and follows it
//!   to acceptance, a payment check, a statistics scrape;
//! - [`daemon`]: the scheduler running each check on its interval, the HTTP server (`/metrics`,
//!   `/healthz`, the status page, reload);
//! - [`metrics`]: the Prometheus registry and what it exports;
//! - [`store`] and [`history`]: the SQLite state file (pending dossiers, run history), which
//!   `dvc-compare` also reads.
//!
//! ```
//! use dvc_probe::config::ProbeConfig;
//!
//! let text = "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"http://127.0.0.1:8080\"\n\
//!             [[target.check]]\nname = \"home\"\nkind = \"http\"\ninterval = \"30s\"\n";
//! let config = ProbeConfig::from_source("probe.toml", text, None).expect("valid");
//! assert_eq!(config.targets.len(), 1);
//! ```

pub mod checks;
pub mod config;
pub mod daemon;
pub mod history;
pub mod metrics;
pub mod store;
