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
pub mod capacity;
pub mod cli;
pub mod compare;
pub mod import;
pub mod merge;
pub mod plan;
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
        cli::Command::Plan(args) => plan::run(args, out),
        cli::Command::Import {
            from: cli::ImportFrom::Har(args),
        } => import::har(args, out),
        cli::Command::Import {
            from: cli::ImportFrom::Jmx(args),
        } => import::jmx(args, out),
        cli::Command::Run(args) => run::run(args, out),
        cli::Command::Validate { files } => run::validate(&files, out),
    }
}

/// Logs to stderr: `RUST_LOG` when set, else warnings (the browser check's DevTools client:
/// errors only), raised by each `-v`; as text, coloured
/// only when stderr is a terminal and `NO_COLOR` is unset, or as JSON lines. While an embedded
/// portal's log is sent to a file ([`log_portal_to`]), the portal's own lines go there instead.
pub fn init_tracing(verbose: u8, format: cli::LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer, filter::dynamic_filter_fn};
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    // The DevTools client warns of every protocol event of a newer Chromium it cannot parse:
    // noise to a user, so only its errors show unless RUST_LOG asks.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},chromiumoxide=error")));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let stderr = match format {
        cli::LogFormat::Json => stderr.json().boxed(),
        cli::LogFormat::Text => stderr.with_ansi(ansi).boxed(),
    };
    let to_stderr = dynamic_filter_fn(|meta, _| !portal_log::takes(meta.target()));
    let file = tracing_subscriber::fmt::layer()
        .with_writer(|| portal_log::Writer)
        .with_ansi(false);
    let file = match format {
        cli::LogFormat::Json => file.json().boxed(),
        cli::LogFormat::Text => file.boxed(),
    };
    let file_level = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(if verbose == 0 { "info" } else { level }));
    let to_file = dynamic_filter_fn(|meta, _| portal_log::takes(meta.target()));
    let _ = tracing_subscriber::registry()
        .with(stderr.with_filter(filter).with_filter(to_stderr))
        .with(file.with_filter(file_level).with_filter(to_file))
        .try_init();
}

pub use portal_log::log_portal_to;

/// The embedded portal's log file during `run`: its lines would otherwise flood the terminal
/// between the progress line and the summary.
mod portal_log {
    use std::io::Write;
    use std::sync::Mutex;

    static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);

    /// Sends the embedded portal's log lines to `path` from now on.
    pub fn log_portal_to(path: &std::path::Path) -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        *FILE.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
        Ok(())
    }

    /// Whether a line of `target` goes to the portal's log file.
    pub(super) fn takes(target: &str) -> bool {
        target.starts_with("dvc_portal_sim")
            && FILE.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    pub(super) struct Writer;

    impl Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            match FILE.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                Some(f) => f.write(buf),
                None => Ok(buf.len()),
            }
        }

        fn flush(&mut self) -> std::io::Result<()> {
            match FILE.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                Some(f) => f.flush(),
                None => Ok(()),
            }
        }
    }
}
