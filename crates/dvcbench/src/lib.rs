//! `dvcbench`: the command-line front of the toolkit. It parses flags, wires the library crates
//! together and maps failures to documented exit codes; the work itself lives in the crates.
//!
//! Exit codes: 0 success; 1 a run's thresholds failed, or another runtime failure; 2 bad input
//! (flags, files, dates); 3 a run was aborted, or a merged run lacks segments; 4 a run could not
//! measure (no journey started, or every request failed to connect).
//!
//! ```
//! let cli = dvcbench::cli::parse(["dvcbench", "calendar", "tet", "2026"]).unwrap();
//! let mut out = Vec::new();
//! dvcbench::run(cli, &mut out).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "2026-02-17\n");
//! ```

pub mod bridge;
pub mod calendar;
pub mod cli;
pub mod compare;
pub mod merge;
pub mod portal;
pub mod probe;
pub mod report;
pub mod run;

use std::io::Write;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    Success = 0,
    Failed = 1,
    BadInput = 2,
    Aborted = 3,
    /// A run that measured nothing: no journey started, or every request failed to connect.
    NotMeasured = 4,
}

/// A failed command: the error chain to print and the exit code to leave with.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitStatus,
    pub error: anyhow::Error,
}

impl Failure {
    /// Bad input from the user: exit code 2.
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: ExitStatus::BadInput,
            error: error.into(),
        }
    }

    /// A failure while doing the work: exit code 1.
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: ExitStatus::Failed,
            error: error.into(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::failed(anyhow::Error::new(err).context("cannot write output"))
    }
}

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: cli::Cli, out: &mut dyn Write) -> Result<(), Failure> {
    match cli.command {
        cli::Command::Calendar(args) => calendar::run(args, out),
        cli::Command::Portal(args) => portal::run(args, out),
        cli::Command::Probe(args) => probe::run(args, out),
        cli::Command::Report(args) => report::run(args, out),
        cli::Command::Merge(args) => merge::run(args, out),
        cli::Command::Compare(args) => compare::run(args, out),
        cli::Command::AlertBridge {
            to: cli::BridgeTo::Zalo(args),
        } => bridge::run(args, out),
        cli::Command::Run(args) => run::run(args, out),
        cli::Command::Validate { files } => run::validate(&files, out),
    }
}

/// Logs to stderr: `RUST_LOG` when set, else warnings, raised by each `-v`; as text, coloured
/// only when stderr is a terminal and `NO_COLOR` is unset, or as JSON lines.
pub fn init_tracing(verbose: u8, format: cli::LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        cli::LogFormat::Json => builder.json().try_init(),
        cli::LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .try_init(),
    };
}
