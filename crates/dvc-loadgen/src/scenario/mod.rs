//! Scenarios: the file format and its validation ([`config`], one file per section), and the
//! validated runtime form built from it.
//!
//! [`Scenario::load`] reads the file and its CSV feeders, then [`validate`] (pure) checks
//! everything at once and reports every problem as `file:line:column: message`.

pub mod config;
mod overrides;

pub use config::{Disk, Env, Files, validate, validate_with};
pub use overrides::{MAX_ARRIVALS, OverrideError, Overrides};

use crate::data::{Feeder, FileKind};
use crate::jsonpath::JsonPath;
use crate::template::{JsonTemplate, Template};
use dvc_domain::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub target: Target,
    pub load: Load,
    pub journeys: Vec<Journey>,
    pub feeders: Vec<Arc<Feeder>>,
    pub citizen_provinces: Vec<&'static dvc_domain::provinces::Province>,
    /// True when some template uses `{{citizen.*}}` (citizens are generated only then).
    pub uses_citizens: bool,
    pub thresholds: Vec<crate::thresholds::Threshold>,
    pub abort_on_fail: bool,
    pub abort_grace: Duration,
    pub verify: Option<Verify>,
    /// The scenario file's text, for reports.
    pub source: String,
    /// Values kept out of every output (`${NAME}` values, credentials written in the file).
    pub secrets: crate::secrets::Secrets,
}

/// Where requests go.
#[derive(Debug, Clone)]
pub struct Target {
    pub base: TargetBase,
    pub allow_hosts: Vec<String>,
    pub timeout: Duration,
    pub headers: Vec<(hyper::header::HeaderName, Template)>,
    pub insecure_skip_verify: bool,
    /// Extra trusted root certificates (DER), from `ca_file`.
    pub extra_roots: Vec<dvc_http::CertificateDer<'static>>,
    /// Largest response body, in bytes.
    pub max_body: usize,
    /// Offer HTTP/2 to `https` servers.
    pub http2: bool,
    /// The scenario's own proxy setting; None for the environment's proxies.
    pub proxy: Option<ProxySetting>,
    /// Whether the user confirmed load on remote hosts (`--allow-remote`): a redirect or a
    /// form's action may then go to a host of `allow_hosts`.
    pub allow_remote: bool,
}

/// A scenario's `proxy` and `no_proxy`.
#[derive(Clone)]
pub struct ProxySetting {
    /// The proxy's URL (it may hold credentials: never shown); None for `"none"`.
    pub url: Option<String>,
    /// Hosts reached straight (`NO_PROXY`'s form).
    pub no_proxy: String,
}

impl std::fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proxies = self.proxies();
        f.debug_struct("ProxySetting")
            .field("proxy", &proxies.shown())
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxySetting {
    /// The proxies for the HTTP client (checked when the scenario was read).
    pub fn proxies(&self) -> dvc_http::Proxies {
        match &self.url {
            Some(url) => dvc_http::Proxies::fixed(url, &self.no_proxy)
                .unwrap_or_else(|_| dvc_http::Proxies::none()),
            None => dvc_http::Proxies::none(),
        }
    }
}

impl Target {
    /// The options of the HTTP client this target needs: the embedded portal is reached
    /// straight; anything else through the scenario's proxy, or the environment's.
    pub fn client_options(&self) -> dvc_http::Options {
        dvc_http::Options {
            insecure: self.insecure_skip_verify,
            extra_roots: self.extra_roots.clone(),
            body_limit: self.max_body,
            http2: self.http2,
            proxies: match (&self.base, &self.proxy) {
                (TargetBase::Embedded(_), _) => dvc_http::Proxies::none(),
                (_, Some(setting)) => setting.proxies(),
                (_, None) => dvc_http::Proxies::from_env(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetBase {
    /// The built-in simulator, with an optional configuration file.
    Embedded(Option<PathBuf>),
    Url(String),
}

/// How citizens come: on a schedule (open) or as a fixed crowd that loops (closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Arrivals follow `stages` of rates whatever the portal does.
    Open,
    /// Virtual citizens (on Goose) follow `users` stages, each running journeys back to back.
    Closed,
}

impl Model {
    /// As `run.json` names it: `open` or `closed`.
    pub fn id(self) -> &'static str {
        match self {
            Model::Open => "open",
            Model::Closed => "closed",
        }
    }
}

/// How citizens come: the open model's schedule of arrivals, or the closed model's crowd.
#[derive(Debug, Clone)]
pub enum Load {
    Open(OpenLoad),
    Closed(ClosedLoad),
}

/// The open model: arrivals on a schedule, whatever the portal does.
#[derive(Debug, Clone)]
pub struct OpenLoad {
    /// Exponential gaps between arrivals (else evenly spaced).
    pub poisson: bool,
    /// The rate the first stage ramps from.
    pub start_rate: f64,
    pub stages: Vec<Stage>,
    /// Journeys running at once at most; an arrival beyond it waits for a slot.
    pub max_in_flight: usize,
    /// How long an arrival may wait for a slot before it is dropped.
    pub max_start_delay: Option<Duration>,
    /// The highest rate `--rate` and `--scale` may ask for.
    pub max_rate: f64,
    /// After the last arrival or Ctrl-C, how long journeys in flight may finish.
    pub graceful_stop: Duration,
    pub seed: u64,
}

/// The closed model: virtual citizens (on Goose), each running journeys back to back.
#[derive(Debug, Clone)]
pub struct ClosedLoad {
    pub users: Vec<UsersStage>,
    pub seed: u64,
}

impl Load {
    /// Which model.
    pub fn model(&self) -> Model {
        match self {
            Load::Open(_) => Model::Open,
            Load::Closed(_) => Model::Closed,
        }
    }

    /// The seed of every random draw of the run.
    pub fn seed(&self) -> u64 {
        match self {
            Load::Open(o) => o.seed,
            Load::Closed(c) => c.seed,
        }
    }

    /// Total planned duration.
    pub fn duration(&self) -> Duration {
        match self {
            Load::Open(o) => o.stages.iter().map(|s| s.duration).sum(),
            Load::Closed(c) => c.users.iter().map(|s| s.duration).sum(),
        }
    }

    /// The open model's schedule and limits, if it is open.
    pub fn as_open(&self) -> Option<&OpenLoad> {
        match self {
            Load::Open(o) => Some(o),
            Load::Closed(_) => None,
        }
    }

    /// The closed model's stages of citizens (none for the open model).
    pub fn users(&self) -> &[UsersStage] {
        match self {
            Load::Open(_) => &[],
            Load::Closed(c) => &c.users,
        }
    }

    /// The most virtual citizens at once (0 for the open model).
    pub fn most_users(&self) -> u64 {
        match self {
            Load::Open(_) => 0,
            Load::Closed(c) => c.users.iter().map(|s| s.users).max().unwrap_or(0),
        }
    }

    /// Closed model: the virtual citizens planned at `t` seconds (stages ramp linearly from
    /// the previous count, the first from 0); 0 after the plan, and for the open model.
    pub fn users_at(&self, t: f64) -> f64 {
        let Load::Closed(c) = self else {
            return 0.0;
        };
        let (mut start, mut from) = (0.0, 0.0);
        for stage in &c.users {
            let d = stage.duration.as_secs_f64();
            let to = stage.users as f64;
            if t < start + d {
                return from + (to - from) * ((t - start) / d).max(0.0);
            }
            start += d;
            from = to;
        }
        0.0
    }
}

/// One closed-model stage: ramp linearly to `users` virtual citizens over `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsersStage {
    pub duration: Duration,
    pub users: u64,
}

/// One stage: ramp linearly to `rate` (per second) over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    pub rate: f64,
}

#[derive(Debug, Clone)]
pub struct Journey {
    pub name: String,
    pub weight: f64,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub method: hyper::Method,
    pub path: Template,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(hyper::header::HeaderName, Template)>,
    pub body: Body,
    pub check: Check,
    pub extract: Vec<Extract>,
    pub think: Think,
    pub poll: Option<Poll>,
    pub timeout: Duration,
    /// Redirects followed at most (0: none followed).
    pub follow_redirects: u8,
    /// The form of the previous page this step submits.
    pub submit_form: Option<crate::html::Selector>,
}

impl Step {
    /// Every variable the step's templates use.
    pub fn vars(&self) -> Vec<&str> {
        let mut used: Vec<&str> = self.path.vars().collect();
        used.extend(self.query.iter().flat_map(|(_, t)| t.vars()));
        used.extend(self.headers.iter().flat_map(|(_, t)| t.vars()));
        match &self.body {
            Body::Json(j) => used.extend(j.vars()),
            Body::Form(f) => used.extend(f.iter().flat_map(|(_, t)| t.vars())),
            Body::Multipart { fields, .. } => {
                for (_, part) in fields {
                    match part {
                        PartValue::Text(t) => used.extend(t.vars()),
                        PartValue::Json(j) => used.extend(j.vars()),
                    }
                }
            }
            Body::None => {}
        }
        used
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(JsonTemplate),
    Form(Vec<(String, Template)>),
    Multipart {
        fields: Vec<(String, PartValue)>,
        files: Vec<FileSpec>,
    },
}

#[derive(Debug, Clone)]
pub enum PartValue {
    Text(Template),
    Json(JsonTemplate),
}

#[derive(Debug, Clone)]
pub struct FileSpec {
    pub field: String,
    pub name: String,
    pub content_type: &'static str,
    pub content: FileContent,
}

#[derive(Debug, Clone)]
pub enum FileContent {
    Generated {
        kind: FileKind,
        min: usize,
        max: usize,
    },
    Disk(Arc<Vec<u8>>),
}

/// Conditions on a response.
#[derive(Debug, Clone, Default)]
pub struct Check {
    /// Accepted statuses; empty means any 2xx or 3xx.
    pub status: Vec<u16>,
    pub json: Vec<(JsonPath, serde_json::Value)>,
    pub exists: Vec<JsonPath>,
    pub contains: Option<String>,
}

impl Check {
    /// True when the check reads the body as JSON.
    pub fn needs_json(&self) -> bool {
        !self.json.is_empty() || !self.exists.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Extract {
    pub var: String,
    pub from: ExtractFrom,
}

#[derive(Debug, Clone)]
pub enum ExtractFrom {
    Json(JsonPath),
    Header(String),
    Regex(regex::Regex),
    /// The first element a CSS selector finds in an HTML body: its text, or `attr`.
    Css {
        selector: crate::html::Selector,
        attr: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Think {
    None,
    Fixed(Duration),
    Uniform(Duration, Duration),
    Exponential(Duration),
}

#[derive(Debug, Clone)]
pub struct Poll {
    pub until: Check,
    pub every: Duration,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct Verify {
    pub variable: String,
    pub path: Template,
    pub status: u16,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl Scenario {
    /// Distinct step names, in order of first appearance (steps of the same name in several
    /// journeys are one series in reports and metrics).
    pub fn step_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for step in self.journeys.iter().flat_map(|j| &j.steps) {
            if !names.contains(&step.name) {
                names.push(step.name.clone());
            }
        }
        names
    }

    /// Journey names, in order.
    pub fn journey_names(&self) -> Vec<String> {
        self.journeys.iter().map(|j| j.name.clone()).collect()
    }

    /// Reads and validates a scenario file (and the CSV and attachment files it names).
    pub fn load(path: &Path) -> Result<Scenario, LoadError> {
        let source = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_source(path, &source)
    }

    /// Validates scenario text; files it names are read relative to `path`'s folder.
    pub fn from_source(path: &Path, source: &str) -> Result<Scenario, LoadError> {
        validate(path, source).map_err(LoadError::Invalid)
    }
}
