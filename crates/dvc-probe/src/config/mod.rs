//! The probe's configuration file (`probe.toml`): targets with bounded labels and their checks.
//! Every problem is reported as `file:line:column: message`, all at once.

use dvc_domain::Diagnostic;
use dvc_loadgen::JsonPath;
use dvc_loadgen::units::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

mod check;
use check::check;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    probe: ProbeSection,
    #[serde(default)]
    target: Vec<TargetFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeSection {
    location: Option<String>,
    history_days: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    portal: Spanned<String>,
    province: String,
    url: Spanned<String>,
    ca_file: Option<Spanned<String>>,
    #[serde(default)]
    insecure_skip_verify: bool,
    #[serde(default)]
    check: Vec<CheckFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    name: Spanned<String>,
    kind: Spanned<String>,
    interval: Option<Spanned<String>>,
    jitter: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    office_hours_only: bool,
    // http
    path: Option<Spanned<String>>,
    status: Option<Spanned<Vec<u16>>>,
    body_regex: Option<Spanned<String>>,
    json: Option<Spanned<BTreeMap<String, toml::Value>>>,
    latency_budget: Option<Spanned<String>>,
    // intake
    procedure: Option<Spanned<String>>,
    citizen_id: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    follow_every: Option<Spanned<String>>,
    give_up_after: Option<Spanned<String>>,
    // payment
    outcome: Option<Spanned<String>>,
    confirm_timeout: Option<Spanned<String>>,
    poll_every: Option<Spanned<String>>,
    // journey
    scenario: Option<Spanned<String>>,
    journey: Option<Spanned<String>>,
    // stats
    items: Option<Spanned<String>>,
    agency: Option<Spanned<String>>,
    fields: Option<Spanned<BTreeMap<String, String>>>,
}

/// A validated probe configuration.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    pub location: String,
    /// Days of check runs and figures the state file keeps (for `dvcbench compare`).
    pub history_days: u32,
    pub targets: Vec<ProbeTarget>,
    /// The file's text with secrets redacted, for display.
    pub redacted: String,
}

#[derive(Debug, Clone)]
pub struct ProbeTarget {
    pub portal: String,
    pub province: String,
    pub url: String,
    /// `ca_file` as given, naming the client that trusts its certificates.
    pub ca_file: Option<String>,
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub insecure_skip_verify: bool,
    pub checks: Vec<ProbeCheck>,
}

#[derive(Debug, Clone)]
pub struct ProbeCheck {
    pub name: String,
    pub interval: Duration,
    pub jitter: Duration,
    pub timeout: Duration,
    pub office_hours_only: bool,
    pub kind: CheckKind,
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    Http(HttpCheck),
    Journey(JourneyCheck),
    Intake(IntakeCheck),
    Payment(PaymentCheck),
    Stats(StatsCheck),
}

impl CheckKind {
    /// The `kind` label.
    pub fn id(&self) -> &'static str {
        match self {
            CheckKind::Http(_) => "http",
            CheckKind::Journey(_) => "journey",
            CheckKind::Intake(_) => "intake",
            CheckKind::Payment(_) => "payment",
            CheckKind::Stats(_) => "stats",
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpCheck {
    pub path: String,
    /// Accepted statuses (empty: any 2xx or 3xx) and JSON conditions, judged as a runner
    /// step's check is.
    pub check: dvc_loadgen::scenario::Check,
    pub body_regex: Option<regex::Regex>,
    pub latency_budget: Option<Duration>,
}

/// A scripted check: one journey of a runner scenario file, run once per interval against the
/// target (the scenario's own target and load are not used).
#[derive(Debug, Clone)]
pub struct JourneyCheck {
    pub scenario: std::sync::Arc<dvc_loadgen::scenario::Scenario>,
    pub journey: usize,
}

#[derive(Debug, Clone)]
pub struct IntakeCheck {
    pub procedure: String,
    pub login: Option<(String, String)>,
    pub follow_every: Duration,
    pub give_up_after: Duration,
}

/// A payment on a fresh test dossier of a pay-first `procedure`, through the portal's gateway
/// sandbox: init, redirect, then polling until the payment is confirmed.
#[derive(Debug, Clone)]
pub struct PaymentCheck {
    pub procedure: String,
    pub login: Option<(String, String)>,
    /// Sandbox outcome asked of the gateway ("success", "failed", "pending"); none: the
    /// gateway decides.
    pub outcome: Option<String>,
    pub confirm_timeout: Duration,
    pub poll_every: Duration,
}

/// Where the statistics answer keeps each agency's figures: `items` is the list of per-agency
/// objects (absent: the answer is one object), `agency` the agency's name within an item.
#[derive(Debug, Clone)]
pub struct StatsCheck {
    pub path: String,
    pub items: Option<JsonPath>,
    pub agency: Option<JsonPath>,
    pub fields: Vec<(StatsField, JsonPath)>,
}

/// The figures a statistics check can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsField {
    Received,
    ResolvedEarly,
    ResolvedOnTime,
    ResolvedLate,
    OpenInTime,
    OpenOverdue,
    LateAcceptances,
}

impl StatsField {
    pub const ALL: [(&'static str, StatsField); 7] = [
        ("received", StatsField::Received),
        ("resolved_early", StatsField::ResolvedEarly),
        ("resolved_on_time", StatsField::ResolvedOnTime),
        ("resolved_late", StatsField::ResolvedLate),
        ("open_in_time", StatsField::OpenInTime),
        ("open_overdue", StatsField::OpenOverdue),
        ("late_acceptances", StatsField::LateAcceptances),
    ];

    pub fn id(self) -> &'static str {
        StatsField::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

const KINDS: [&str; 5] = ["http", "journey", "intake", "payment", "stats"];

struct Ctx<'a> {
    path: &'a str,
    source: &'a str,
    errors: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.errors
            .push(Diagnostic::at(self.path, self.source, offset, message));
    }

    fn duration(&mut self, value: &Option<Spanned<String>>, default: Duration) -> Duration {
        match value {
            None => default,
            Some(v) => match parse_duration(v.get_ref()) {
                Ok(d) => d,
                Err(e) => {
                    self.error(v.span().start, e.to_string());
                    default
                }
            },
        }
    }
}

/// Expands `${NAME}` from the environment.
fn expand_env(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| "unclosed ${ in value".to_owned())?;
        let name = &rest[start + 2..start + end];
        let v =
            std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))?;
        out.push_str(&v);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl ProbeConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<ProbeConfig, Vec<Diagnostic>> {
        let shown = path.display().to_string();
        let source = std::fs::read_to_string(path)
            .map_err(|e| vec![Diagnostic::at(&shown, "", 0, format!("cannot read: {e}"))])?;
        ProbeConfig::from_source(&shown, &source, path.parent())
    }

    /// Validates a configuration's text; relative `*_file` paths are taken from `dir`.
    pub fn from_source(
        path: &str,
        source: &str,
        dir: Option<&Path>,
    ) -> Result<ProbeConfig, Vec<Diagnostic>> {
        let file: File =
            toml::from_str(source).map_err(|e| vec![Diagnostic::from_toml(path, source, &e)])?;
        let mut cx = Ctx {
            path,
            source,
            errors: Vec::new(),
        };
        let mut targets = Vec::new();
        let mut seen = Vec::new();
        for t in &file.target {
            let url = t.url.get_ref().trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                cx.error(
                    t.url.span().start,
                    "url must start with http:// or https://",
                );
            }
            if seen.contains(t.portal.get_ref()) {
                cx.error(
                    t.portal.span().start,
                    format!("portal {:?} is listed twice", t.portal.get_ref()),
                );
            }
            seen.push(t.portal.get_ref().clone());
            let mut checks = Vec::new();
            let mut names = Vec::new();
            for c in &t.check {
                if names.contains(c.name.get_ref()) {
                    cx.error(
                        c.name.span().start,
                        format!(
                            "check {:?} is listed twice for this target",
                            c.name.get_ref()
                        ),
                    );
                }
                names.push(c.name.get_ref().clone());
                if let Some(check) = check(&mut cx, c, dir) {
                    checks.push(check);
                }
            }
            let mut extra_roots = Vec::new();
            if let Some(ca) = &t.ca_file {
                let file = dir.map_or_else(
                    || Path::new(ca.get_ref()).to_owned(),
                    |d| d.join(ca.get_ref()),
                );
                match dvc_http::read_roots(&file) {
                    Ok(roots) => extra_roots = roots,
                    Err(e) => cx.error(ca.span().start, e),
                }
            }
            targets.push(ProbeTarget {
                portal: t.portal.get_ref().clone(),
                province: t.province.clone(),
                url,
                ca_file: t.ca_file.as_ref().map(|c| c.get_ref().clone()),
                extra_roots,
                insecure_skip_verify: t.insecure_skip_verify,
                checks,
            });
        }
        if targets.is_empty() {
            cx.error(0, "no [[target]]: the probe has nothing to watch");
        }
        let history_days = file
            .probe
            .history_days
            .as_ref()
            .map_or(35, |d| *d.get_ref());
        if let Some(d) = &file.probe.history_days
            && *d.get_ref() == 0
        {
            cx.error(d.span().start, "history_days must be at least 1");
        }
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        Ok(ProbeConfig {
            location: file.probe.location.unwrap_or_else(|| "unnamed".into()),
            history_days,
            targets,
            redacted: redact(source),
        })
    }
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The configuration text with every `password = …` value blanked.
pub fn redact(source: &str) -> String {
    source
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            if line.contains('=')
                && (key == "password" || key.ends_with("token") || key.ends_with("secret"))
            {
                format!("{key} = \"<redacted>\"")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
