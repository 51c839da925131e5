//! `dvcbench probe`: a daemon that watches portals around the clock and exports availability,
//! intake latency (submission → acceptance) and deadline metrics to Prometheus.

pub mod checks;
pub mod config;
pub mod daemon;
pub mod history;
pub mod metrics;
pub mod store;
