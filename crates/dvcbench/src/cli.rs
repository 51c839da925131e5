//! Command-line flags (clap). Every subcommand's arguments are a struct here.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

mod import;
pub use import::{ImportFrom, ImportHarArgs, ImportJmxArgs, PlanArgs};

/// Load-test, watch and compare Vietnam's online public-service (DVC) portals.
#[derive(Debug, Parser)]
#[command(name = "dvcbench", version, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// How log lines on stderr are written: text (coloured only on a terminal, and never with
    /// NO_COLOR set) or json (one object per line, for journald, Loki or Elasticsearch).
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Working days, deadlines and holidays of the Vietnamese civil-service calendar.
    Calendar(CalendarArgs),
    /// Run a scenario: simulate citizens against a portal and judge it by thresholds.
    Run(RunArgs),
    /// Show what a scenario will ask of a portal before running it: its stages, the arrivals
    /// planned over time, totals per journey, and what --rate, --scale and --duration change.
    Plan(PlanArgs),
    /// Check scenario files and report every problem with file:line:column.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run the reference portal simulator (the embedded default target) until Ctrl-C.
    Portal(PortalArgs),
    /// Turn a run.json into a report: self-contained HTML with charts, and/or Markdown.
    Report(ReportArgs),
    /// Add the results of a split run's segments (`run --segment`) into one run.json, judge
    /// its thresholds on the whole, and write its reports.
    Merge(MergeArgs),
    /// Watch portals around the clock and export availability, intake latency and deadline
    /// metrics to Prometheus; SIGHUP or POST /-/reload rereads the configuration.
    Probe(ProbeArgs),
    /// Compare provinces' portals over a period from the probes' figures (Prometheus or a
    /// probe's state file): a ranked table, charts and the methodology, in HTML, Markdown, CSV.
    Compare(CompareArgs),
    /// Make a scenario from what you already have: a browser's recording (HAR) or a JMeter
    /// test plan (JMX).
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Forward Alertmanager's notifications to a channel it has no receiver for.
    AlertBridge {
        #[command(subcommand)]
        to: BridgeTo,
    },
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Prometheus that scrapes the probes, e.g. http://prometheus:9090.
    #[arg(
        long,
        value_name = "URL",
        required_unless_present = "probe_store",
        conflicts_with = "probe_store"
    )]
    pub prometheus: Option<String>,

    /// A file holding a bearer token sent to Prometheus (behind an authenticating proxy).
    #[arg(long, value_name = "FILE", requires = "prometheus")]
    pub prometheus_token_file: Option<PathBuf>,

    /// A probe's state file (`dvcbench probe --state`, or a copy made with `probe --backup`),
    /// for a setup without Prometheus. Repeat it for probes in several places: their runs and
    /// samples are pooled.
    #[arg(long, value_name = "FILE")]
    pub probe_store: Vec<PathBuf>,

    /// Start of the period: RFC 3339, Vietnam local time (2025-04-01T00:00), or now-7d,
    /// now-12h, now-30m.
    #[arg(long, value_name = "TIME", default_value = "now-7d")]
    pub from: String,

    /// End of the period (same forms).
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub to: String,

    /// Only this province (repeat for several); all by default.
    #[arg(long = "province", value_name = "NAME")]
    pub provinces: Vec<String>,

    /// Write the HTML report (one file, opens without network) here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write the Markdown report here ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub md: Option<PathBuf>,

    /// Write the figures as CSV here ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Write the comparison as a spreadsheet (.xlsx: ranking, samples, points lost,
    /// methodology; headers in the report's language, with units) here.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,

    /// Weight of a figure in the overall score, e.g. availability_office_hours=0.4 (repeat;
    /// 0 leaves a figure out). The defaults and the weights used are printed in the report.
    #[arg(long = "weight", value_name = "FIGURE=WEIGHT")]
    pub weights: Vec<String>,

    /// A province is ranked only with at least this many samples behind each scored figure.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_samples: u64,

    /// Language of the reports: vi (default) or en.
    #[arg(long, value_name = "LANG", default_value = "vi")]
    pub lang: String,

    /// A holidays TOML file for the working calendar office hours are judged by
    /// (--probe-store; with Prometheus the probes judged them).
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<PathBuf>,

    /// Office hours, e.g. "07:00-11:30,13:30-17:00" (the default), for --probe-store.
    #[arg(long, value_name = "HH:MM-HH:MM,...")]
    pub office_hours: Option<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The segments' results: run.json files, or logs holding the result blocks of
    /// `run --print-result` (several pods' logs in one file are fine); "-" reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the merged run summary (run.json) here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Also write the HTML report of the merged run here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Also write the Markdown report of the merged run here.
    #[arg(long, value_name = "FILE")]
    pub md: Option<PathBuf>,

    /// Language of the reports: vi (default) or en.
    #[arg(long, value_name = "LANG", default_value = "vi")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run summary written by `dvcbench run --out`.
    pub run: PathBuf,

    /// Write the HTML report (one file, opens without network) here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write the Markdown report here ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub md: Option<PathBuf>,

    /// An earlier run.json to compare with, step by step.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Language of the report: vi (default) or en.
    #[arg(long, value_name = "LANG", default_value = "vi")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The probe configuration (TOML); see scenarios/probes/README.md.
    #[arg(long, value_name = "FILE", required_unless_present = "backup")]
    pub config: Option<PathBuf>,

    /// Copy the --state file to FILE and exit: a consistent snapshot, safe while the probe
    /// runs (a plain copy of a running probe's file misses what is still in its WAL). FILE
    /// must not exist.
    #[arg(long, value_name = "FILE", requires = "state")]
    pub backup: Option<PathBuf>,

    /// Address of /metrics, the status page, /healthz and /-/reload.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: std::net::SocketAddr,

    /// SQLite state file for intake dossiers being followed (survives restarts); without it
    /// the state is kept in memory only.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Only check the configuration, print it with secrets redacted, and exit.
    #[arg(long)]
    pub check_config: bool,

    /// A holidays TOML file for the working calendar (see `calendar --help`).
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<PathBuf>,

    /// Office hours, e.g. "07:00-11:30,13:30-17:00" (the default): working-time latencies and
    /// office_hours_only checks follow them.
    #[arg(long, value_name = "HH:MM-HH:MM,...")]
    pub office_hours: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML); see scenarios/README.md.
    pub scenario: PathBuf,

    /// Target base URL, overriding the scenario's ("embedded" for the built-in simulator).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// Run at this constant arrival rate instead of the scenario's stages, e.g. "50/s".
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,

    /// Run for this long instead (stages are scaled to fit, or one stage with --rate), e.g. "30s".
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// Multiply every rate of the scenario (stages, start rate, max_rate) by this factor, e.g.
    /// 3 to run a catalogue scenario at three times the daily volume it is sized for.
    #[arg(long, value_name = "FACTOR")]
    pub scale: Option<f64>,

    /// Also write the HTML report of the run here (see `dvcbench report`).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Language of --report: vi (default) or en.
    #[arg(long, value_name = "LANG", default_value = "vi")]
    pub lang: String,

    /// Write the run summary (run.json, schema version 1) to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Serve live Prometheus metrics on this address during the run, e.g. 127.0.0.1:9465.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,

    /// Push the final metrics to a Prometheus Pushgateway at this URL.
    #[arg(long, value_name = "URL")]
    pub push: Option<String>,

    /// Confirm that the remote hosts in the scenario's allow_hosts may be load-tested.
    #[arg(long)]
    pub allow_remote: bool,

    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,

    /// Worker threads of the load generator (default: the CPUs this process may use).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Run only segment I of N of the plan, e.g. 2/8: N generators given 1/N … N/N together
    /// run exactly the whole plan (see docs/distributed.md); `dvcbench merge` adds their
    /// results. Thresholds are judged on the merged result, not on a segment.
    #[arg(
        long,
        value_name = "I/N",
        env = "DVCBENCH_SEGMENT",
        conflicts_with = "segments"
    )]
    pub segment: Option<String>,

    /// Split the plan into N segments and run the one named by JOB_COMPLETION_INDEX (set by a
    /// Kubernetes Indexed Job: index 0 runs segment 1).
    #[arg(long, value_name = "N")]
    pub segments: Option<u32>,

    /// Start the plan at this instant, the same for every segment: RFC 3339
    /// (2026-12-01T08:00:00+07:00) or a delay from now (+30s). A generator that starts after
    /// it counts its arrivals since then as late.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,

    /// Also print the run summary to standard output as a result block (compressed, base64,
    /// between marker lines) that `dvcbench merge` reads from a log, e.g. `kubectl logs`.
    #[arg(long)]
    pub print_result: bool,

    /// Find the highest arrival rate the portal holds (open model): steps from the scenario's
    /// highest stage rate (or --rate), each held for --duration (default 30s), ×1.5 until a
    /// step fails a threshold, passes 1% errors or drops arrivals, then narrowed three times;
    /// up to max_rate. --out writes the steps as JSON, --report an HTML report with the knee.
    #[arg(long)]
    pub find_capacity: bool,

    /// Where the embedded portal's own log lines go: a file (by default
    /// dvcbench-portal-PID.log in the temporary directory, its path printed at the start), or
    /// "-" for stderr beside dvcbench's own.
    #[arg(long, value_name = "FILE")]
    pub portal_log: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PortalArgs {
    /// Simulator configuration (portal.toml); default: one fault-free portal for Hà Nội.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address of the main listener.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,

    /// Simulated time runs N times faster than real time (overrides the config's time_scale).
    #[arg(long, value_name = "N")]
    pub time_scale: Option<f64>,

    /// Bearer token of the admin API (/admin/faults, /admin/dossiers); also
    /// DVC_PORTAL_ADMIN_TOKEN. Without one the admin API is disabled.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "DVC_PORTAL_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,

    /// A holidays TOML file for the back office's working calendar (see `calendar --help`).
    #[arg(long, value_name = "FILE")]
    pub holidays: Option<PathBuf>,

    /// Office hours of the back office, e.g. "07:00-11:30,13:30-17:00" (the default).
    #[arg(long, value_name = "HH:MM-HH:MM,...")]
    pub office_hours: Option<String>,
}

/// Options shared by the calendar subcommands.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// A holidays TOML file that adds to or overrides the built-in days off (same format as the
    /// built-in file: `dvcbench calendar holidays YEAR` shows what it holds).
    #[arg(long, value_name = "FILE", global = true)]
    pub holidays: Option<PathBuf>,

    /// Office hours of the installation, e.g. "07:00-11:30,13:30-17:00" (the default).
    #[arg(long, value_name = "HH:MM-HH:MM,...", global = true)]
    pub office_hours: Option<String>,

    #[command(subcommand)]
    pub command: CalendarCommand,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the number of working days from FROM to TO, both included.
    WorkingDays {
        /// First day, YYYY-MM-DD.
        from: String,
        /// Last day, YYYY-MM-DD.
        to: String,
    },
    /// Print "yes" or "no", then why (weekday, weekend, which holiday, make-up day, forecast).
    IsWorkingDay {
        /// The day, YYYY-MM-DD.
        date: String,
    },
    /// Print when a dossier received at --from is due, in RFC 3339 with +07:00.
    Due(DueArgs),
    /// Print the days off and make-up working days of YEAR with their source.
    ///
    /// Tab-separated: date, off|work, kind, announced|forecast, name, source.
    Holidays {
        /// The year, 1900-2199.
        year: i32,
    },
    /// Print the date of Tết Nguyên Đán (lunar 1/1) in Vietnam.
    Tet {
        /// The year, 1900-2199.
        year: i32,
    },
    /// Print Alertmanager `time_intervals` of the office hours of YEARS: working days only
    /// (weekends and days off out, make-up working days in), each within the office hours.
    #[command(visible_alias = "time-intervals")]
    Alertmanager {
        /// One or more years, 1900-2199.
        #[arg(required = true)]
        years: Vec<i32>,
        /// The interval's name, for `active_time_intervals` or `mute_time_intervals`.
        #[arg(long, default_value = "office-hours")]
        name: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("processing_time").required(true)))]
pub struct DueArgs {
    /// When the dossier was received: RFC 3339 (2025-04-01T14:59:00+07:00) or Vietnam local
    /// time (2025-04-01T14:59 or "2025-04-01 14:59").
    #[arg(long, value_name = "DATETIME")]
    pub from: String,

    /// Processing time in working days (1 working day = 8 working hours).
    #[arg(long, value_name = "N", group = "processing_time")]
    pub working_days: Option<u32>,

    /// Processing time in working hours (decimals allowed, e.g. 4.5).
    #[arg(long, value_name = "N", group = "processing_time")]
    pub working_hours: Option<f64>,

    /// Processing time in calendar days, rolled forward past days off.
    #[arg(long, value_name = "N", group = "processing_time")]
    pub calendar_days: Option<u32>,

    /// Same-day cutoff: received before HH:MM counts that day, otherwise the next working day;
    /// the result is due at close of office (e.g. --working-days 0 --cutoff 15:00).
    #[arg(long, value_name = "HH:MM")]
    pub cutoff: Option<String>,
}

/// Parses a command line (the first item is the program name).
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args)
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where `alert-bridge` forwards to.
#[derive(Debug, Subcommand)]
pub enum BridgeTo {
    /// A Zalo Official Account: each notification becomes a text message to one follower.
    /// The OA's access token is read from ZALO_OA_ACCESS_TOKEN.
    Zalo(BridgeArgs),
}

/// Options of `alert-bridge zalo`.
#[derive(Debug, Args)]
pub struct BridgeArgs {
    /// Where Alertmanager posts (its webhook_configs url).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9096")]
    pub listen: std::net::SocketAddr,
    /// The numeric Zalo user id of the follower (the on-call person) who receives the alerts.
    #[arg(long, value_name = "ID")]
    pub user_id: String,
    /// Zalo's Official Account API.
    #[arg(long, value_name = "URL", default_value = "https://openapi.zalo.me")]
    pub api: String,
}
