//! A reference DVC portal simulator: the embedded default target of `dvcbench run`, the target
//! of every test of the runner and the probe, and a demo portal for users.
//!
//! It serves a catalogue of procedures, accepts multipart dossiers from logged-in (or, for some
//! procedures, anonymous) citizens with dossier codes in the real `{agency}-{yyMMdd}-{seq}`
//! format, takes fees through a simulated gateway with signed callbacks, reconciliation and
//! receipts, and runs a back office of intake officers in simulated time over the Vietnamese
//! working calendar. A service model (worker pool, queue, service times, a per-agency lock on
//! code generation) makes it saturate like a real portal, and faults (errors, latency, stalls,
//! outages, gateway trouble, duplicate codes) can be injected from config or the admin API.
//! One process can serve several provinces' portals for comparisons.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use dvc_portal_sim::{config::SimConfig, server};
//! let config = SimConfig::default();
//! let sim = server::start(&config, "127.0.0.1:0".parse().unwrap(), Default::default()).await?;
//! println!("portal at {}", sim.portal_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod catalogue;
pub mod clock;
pub mod config;
pub mod error;
pub mod metrics;
pub mod middleware;
pub mod national;
pub mod office;
pub mod pdf;
pub mod portal;
pub mod routes;
pub mod server;
pub mod sessions;
pub mod sso;
