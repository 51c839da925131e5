//! The scenario runner behind `dvcbench run`.
//!
//! The public face is small:
//! - [`scenario`]: the scenario format, validated from TOML ([`scenario::Scenario::load`]);
//! - [`run()`] with [`RunOptions`]: runs a scenario through a [`dvc_http::HttpClient`] and
//!   returns its [`summary::RunSummary`] (what `run.json` holds), with live metrics and progress
//!   from [`live`];
//! - [`segment`] and [`merge`]: one share of a run split over several generators, and the
//!   summaries of the shares added into one;
//! - [`Runtime`] and [`judge`]: a scenario's journeys run one at a time and their answers
//!   judged, for the probe's scripted checks;
//! - [`units`]: durations, rates and sizes as scenarios write them.
//!
//! Without its default `engine` feature the crate is only the run summary ([`summary`],
//! what `run.json` holds) and [`units`]: what a renderer needs, without Goose, hyper or tokio.
//!
//! Inside, and private: the arrival plan (`plan`), the engines (`engine`: open model on
//! workers of its own, closed model on Goose), sharded HdrHistogram recorders (`recorder`),
//! templates, JSON paths, generated data, thresholds and secrets.
//!
//! A scenario is validated from its text; every problem comes back with its place:
//!
//! ```
//! use dvc_loadgen::scenario::{Overrides, Scenario};
//! use std::path::Path;
//!
//! let text = r#"
//! [load]
//! stages = [{ duration = "30s", rate = "20/s" }]
//! [[journey]]
//! name = "browse"
//!   [[journey.step]]
//!   name = "home"
//!   path = "/"
//! "#;
//! let mut scenario = Scenario::from_source(Path::new("s.toml"), text).expect("valid");
//! scenario
//!     .apply(&Overrides { rate: Some("50/s".into()), ..Overrides::default() })
//!     .expect("within the scenario's rules");
//! assert_eq!(scenario.load.as_open().expect("an open load").stages[0].rate, 50.0);
//!
//! let broken = Scenario::from_source(Path::new("s.toml"), "[load]\nstages = 3\n");
//! assert!(broken.unwrap_err().to_string().starts_with("s.toml:2:"));
//! ```

#![cfg_attr(not(feature = "engine"), allow(dead_code))]

pub mod capacity;
#[cfg(feature = "engine")]
mod data;
#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
mod html;
#[cfg(feature = "engine")]
pub mod import;
#[cfg(feature = "engine")]
mod jsonpath;
#[cfg(feature = "engine")]
pub mod live;
#[cfg(feature = "engine")]
pub mod merge;
#[cfg(feature = "engine")]
mod plan;
#[cfg(feature = "engine")]
pub mod preview;
mod reasons;
mod recorder;
#[cfg(feature = "engine")]
mod run;
#[cfg(feature = "engine")]
pub mod scenario;
#[cfg(feature = "engine")]
mod secrets;
#[cfg(feature = "engine")]
pub mod segment;
pub mod summary;
#[cfg(feature = "engine")]
mod template;
#[cfg(feature = "engine")]
mod thresholds;
pub mod units;

pub use recorder::{Outcome, Series, decode as decode_histogram, encode as encode_histogram};
#[cfg(feature = "engine")]
pub use {
    data::{FileKind, generated_file},
    engine::{Runtime, request::judge},
    jsonpath::{JsonPath, as_text},
    plan::Plan,
    run::{RunOptions, run},
    secrets::{REDACTED, Secrets},
    template::{JsonTemplate, Template},
    thresholds::Threshold,
};
