//! The scenario file as written (TOML). Field docs here are the user documentation; the
//! field-by-field guide is `scenarios/README.md`.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Name shown in reports and metrics (default: the file name).
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub target: TargetConfig,
    pub load: LoadConfig,
    #[serde(default)]
    pub data: DataConfig,
    pub journey: Vec<Spanned<JourneyConfig>>,
    /// `"step.submit.p95" = "< 800ms"` and so on, plus `abort_on_fail` and `abort_grace`.
    #[serde(default)]
    pub thresholds: BTreeMap<String, Spanned<toml::Value>>,
    pub verify: Option<Spanned<VerifyConfig>>,
}

/// Where requests go.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetConfig {
    /// A base URL (`https://staging.portal`), or `"embedded"` for the built-in portal simulator.
    pub url: Spanned<String>,
    /// Hosts other than loopback that this scenario may hit (also needs `--allow-remote`).
    pub allow_hosts: Vec<String>,
    /// Per-request timeout.
    pub timeout: Spanned<String>,
    /// Headers sent with every request (templates allowed).
    pub headers: BTreeMap<String, Spanned<String>>,
    /// Accept any TLS certificate (staging portals with self-signed certificates).
    pub insecure_skip_verify: bool,
    /// PEM file of extra root certificates to trust (a staging portal's own CA), relative to
    /// the scenario file.
    pub ca_file: Option<Spanned<String>>,
    /// Simulator configuration for `url = "embedded"`, relative to the scenario file.
    pub portal_config: Option<Spanned<String>>,
    /// Largest response body (`"64MB"`); a longer one fails the step with `body_too_large`.
    pub max_body: Option<Spanned<String>>,
    /// Offer HTTP/2 to `https` servers; `false` keeps every request on HTTP/1.1.
    pub http2: bool,
}

impl Default for TargetConfig {
    fn default() -> Self {
        TargetConfig {
            url: Spanned::new(0..0, "embedded".into()),
            allow_hosts: Vec::new(),
            timeout: Spanned::new(0..0, "30s".into()),
            headers: BTreeMap::new(),
            insecure_skip_verify: false,
            ca_file: None,
            portal_config: None,
            max_body: None,
            http2: true,
        }
    }
}

/// How citizens arrive.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadConfig {
    /// `"open"`: citizens arrive on a schedule whatever the portal does; `"closed"`: a crowd
    /// of virtual citizens (on Goose), each running journeys back to back.
    #[serde(default = "open")]
    pub model: Spanned<String>,
    /// `"constant"` (evenly spaced) or `"poisson"` (random, same mean rate).
    #[serde(default = "constant")]
    pub arrivals: Spanned<String>,
    /// Rate at the start of the first stage; default: the first stage's rate (no ramp).
    pub start_rate: Option<Spanned<String>>,
    /// Stages, each ramping linearly from the previous rate to its own over its duration.
    pub stages: Vec<Spanned<StageConfig>>,
    /// Journeys in flight at most; an arrival beyond it waits (and the wait counts).
    #[serde(default = "max_in_flight")]
    pub max_in_flight: Spanned<usize>,
    /// An arrival that cannot start within this delay is dropped (counted); default: never.
    pub max_start_delay: Option<Spanned<String>>,
    /// A cap: no stage may ask for more than this rate (protects a real portal from typos).
    #[serde(default = "max_rate")]
    pub max_rate: Spanned<String>,
    /// Closed model: a cap on the virtual citizens of any stage (protects a portal from typos);
    /// default 10,000.
    pub max_users: Option<Spanned<u64>>,
    /// After the last arrival (or Ctrl-C), how long in-flight journeys may finish.
    #[serde(default = "graceful_stop")]
    pub graceful_stop: Spanned<String>,
    /// Seed of every random choice (Poisson gaps, journey mix, think times, data).
    #[serde(default = "seed")]
    pub seed: u64,
}

fn open() -> Spanned<String> {
    Spanned::new(0..0, "open".into())
}
fn constant() -> Spanned<String> {
    Spanned::new(0..0, "constant".into())
}
fn max_in_flight() -> Spanned<usize> {
    Spanned::new(0..0, 10_000)
}
fn max_rate() -> Spanned<String> {
    Spanned::new(0..0, "1000/s".into())
}
fn graceful_stop() -> Spanned<String> {
    Spanned::new(0..0, "10s".into())
}
fn seed() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    pub duration: String,
    /// Open model: arrivals per second at the stage's end.
    pub rate: Option<String>,
    /// Closed model: virtual citizens at the stage's end.
    pub users: Option<u64>,
}

/// Test data.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// CSV feeders: each journey takes the next row (round robin) as `{{name.column}}`.
    pub csv: Vec<Spanned<CsvConfig>>,
    /// Generated Vietnamese citizens, one per journey, as `{{citizen.*}}`.
    pub citizens: CitizensConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvConfig {
    pub name: String,
    /// Path relative to the scenario file; the first line names the columns.
    pub path: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CitizensConfig {
    /// Province codes citizens come from (citizen ID prefix); default: all 34.
    pub provinces: Vec<String>,
}

/// A journey: one citizen's sequence of steps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyConfig {
    pub name: String,
    /// Relative share of arrivals that run this journey.
    #[serde(default = "one")]
    pub weight: f64,
    pub step: Vec<Spanned<StepConfig>>,
}

fn one() -> f64 {
    1.0
}

/// One HTTP request of a journey (repeated when it has `poll`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    /// Path template relative to the target URL, e.g. "/api/dossiers/{{dossier_code}}".
    pub path: Spanned<String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// A JSON body (strings are templates).
    pub json: Option<Spanned<toml::Value>>,
    /// A form-urlencoded body.
    pub form: Option<BTreeMap<String, String>>,
    /// A multipart body.
    pub multipart: Option<Spanned<MultipartConfig>>,
    #[serde(default)]
    pub check: CheckConfig,
    /// Variables to take from the response.
    #[serde(default)]
    pub extract: BTreeMap<String, Spanned<ExtractConfig>>,
    pub think: Option<Spanned<ThinkConfig>>,
    pub poll: Option<Spanned<PollConfig>>,
    /// Per-request timeout for this step; default: the target's.
    pub timeout: Option<Spanned<String>>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultipartConfig {
    /// Text parts; a table is sent as a JSON part.
    #[serde(default)]
    pub fields: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub files: Vec<FileConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Part name (default "files").
    #[serde(default = "files")]
    pub field: String,
    /// Generated content: "pdf" or "jpg".
    pub kind: Option<String>,
    /// Generated size, "200KB", or a range "100KB..300KB".
    pub size: Option<String>,
    /// A file from disk instead, relative to the scenario file.
    pub path: Option<String>,
    /// File name sent; default: scan-N.pdf / .jpg, or the file's name.
    pub name: Option<String>,
}

fn files() -> String {
    "files".into()
}

/// Conditions on a response; all must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Expected status: a number or a list (default: any 2xx or 3xx).
    pub status: Option<StatusConfig>,
    /// JSON path → expected value, e.g. { "$.state" = 1 }.
    pub json: BTreeMap<String, toml::Value>,
    /// JSON paths that must exist.
    pub exists: Vec<String>,
    /// Text the body must contain.
    pub contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StatusConfig {
    One(u16),
    Many(Vec<u16>),
}

/// Where a variable comes from: exactly one of `json`, `header`, `regex`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    pub json: Option<String>,
    pub header: Option<String>,
    /// A regex on the body; the first capture group (or the whole match).
    pub regex: Option<String>,
}

/// Pause after the step: exactly one of `fixed`, `uniform`, `exponential` (mean).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThinkConfig {
    pub fixed: Option<String>,
    pub uniform: Option<[String; 2]>,
    pub exponential: Option<String>,
}

/// Repeat the request until `until` holds, every `every`, for at most `timeout`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollConfig {
    pub until: CheckConfig,
    #[serde(default = "every")]
    pub every: String,
    #[serde(default = "poll_timeout")]
    pub timeout: String,
}

fn every() -> String {
    "1s".into()
}
fn poll_timeout() -> String {
    "60s".into()
}

/// After the run, look up every value a variable took and count what the portal lost.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// The variable holding a created record's key, e.g. "dossier_code".
    pub variable: String,
    /// Lookup path template using that variable.
    pub path: String,
    /// Status of a found record.
    #[serde(default = "ok")]
    pub status: u16,
}

fn ok() -> u16 {
    200
}
