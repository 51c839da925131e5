//! The flags of `import` and `plan`: scenarios made from what users have, and looked at before
//! they run.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// A browser recording (Chrome or Firefox: "Save all as HAR") as a runnable scenario:
    /// assets and other hosts left out, redirects and forms as one step each, think times,
    /// correlation, personal data replaced by generated citizens, passwords by ${DVC_PASSWORD}.
    Har(ImportHarArgs),
    /// A JMeter test plan (.jmx) as a scenario: thread groups, throughput timers, HTTP
    /// samplers, CSV Data Sets, regex and JSON extractors, assertions, timers; what cannot be
    /// translated is listed with its element path.
    Jmx(ImportJmxArgs),
}

#[derive(Debug, Args)]
pub struct ImportJmxArgs {
    /// The .jmx file.
    pub file: PathBuf,

    /// Write the scenario here ("-" or nothing: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportHarArgs {
    /// The .har file.
    pub file: PathBuf,

    /// Write the scenario here ("-" or nothing: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The portal's host (default: the host of the first page the visit opened).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// The scenario's name (default: the file's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario file (TOML); see scenarios/README.md.
    pub scenario: PathBuf,

    /// As `run --rate`: one constant arrival rate instead of the stages (open model).
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,

    /// As `run --duration`: every stage stretched or shrunk alike.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// As `run --scale`: every rate (open) or number of citizens (closed) multiplied.
    #[arg(long, value_name = "FACTOR")]
    pub scale: Option<f64>,

    /// Also draw the planned rate (or citizens) over time into this SVG file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}
