//! The probe's configuration file (`probe.toml`): targets with bounded labels and their checks.
//! Every problem is reported as `file:line:column: message`, all at once.

use dvc_domain::Diagnostic;
use dvc_loadgen::jsonpath::JsonPath;
use dvc_loadgen::units::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

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
    pub targets: Vec<Target>,
    /// The file's text with secrets redacted, for display.
    pub redacted: String,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub portal: String,
    pub province: String,
    pub url: String,
    /// `ca_file` as given, naming the client that trusts its certificates.
    pub ca_file: Option<String>,
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub insecure_skip_verify: bool,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone)]
pub struct Check {
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
    pub status: Vec<u16>,
    pub body_regex: Option<regex::Regex>,
    pub json: Vec<(JsonPath, serde_json::Value)>,
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
                    self.error(v.span().start, e);
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
                match dvc_loadgen::client::read_roots(&file) {
                    Ok(roots) => extra_roots = roots,
                    Err(e) => cx.error(ca.span().start, e),
                }
            }
            targets.push(Target {
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
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        Ok(ProbeConfig {
            location: file.probe.location.unwrap_or_else(|| "unnamed".into()),
            targets,
            redacted: redact(source),
        })
    }
}

fn check(cx: &mut Ctx<'_>, c: &CheckFile, dir: Option<&Path>) -> Option<Check> {
    let kind_name = c.kind.get_ref().as_str();
    let (interval_default, timeout_default) = match kind_name {
        "intake" => (Duration::from_secs(3600), Duration::from_secs(30)),
        "payment" => (Duration::from_secs(900), Duration::from_secs(120)),
        "stats" => (Duration::from_secs(300), Duration::from_secs(30)),
        _ => (Duration::from_secs(60), Duration::from_secs(10)),
    };
    let interval = cx.duration(&c.interval, interval_default);
    let jitter = cx.duration(&c.jitter, Duration::ZERO);
    let timeout = cx.duration(&c.timeout, timeout_default);
    if interval.is_zero()
        && let Some(i) = &c.interval
    {
        cx.error(i.span().start, "interval must be above zero");
    }
    if jitter >= interval
        && let Some(j) = &c.jitter
    {
        cx.error(j.span().start, "jitter must be shorter than the interval");
    }
    let at = |v: Option<std::ops::Range<usize>>| v.map(|r| r.start);
    let keys: [(&str, Option<usize>); 19] = [
        ("path", at(c.path.as_ref().map(Spanned::span))),
        ("status", at(c.status.as_ref().map(Spanned::span))),
        ("body_regex", at(c.body_regex.as_ref().map(Spanned::span))),
        ("json", at(c.json.as_ref().map(Spanned::span))),
        (
            "latency_budget",
            at(c.latency_budget.as_ref().map(Spanned::span)),
        ),
        ("scenario", at(c.scenario.as_ref().map(Spanned::span))),
        ("journey", at(c.journey.as_ref().map(Spanned::span))),
        ("procedure", at(c.procedure.as_ref().map(Spanned::span))),
        ("citizen_id", at(c.citizen_id.as_ref().map(Spanned::span))),
        ("password", at(c.password.as_ref().map(Spanned::span))),
        (
            "password_file",
            at(c.password_file.as_ref().map(Spanned::span)),
        ),
        (
            "follow_every",
            at(c.follow_every.as_ref().map(Spanned::span)),
        ),
        (
            "give_up_after",
            at(c.give_up_after.as_ref().map(Spanned::span)),
        ),
        ("outcome", at(c.outcome.as_ref().map(Spanned::span))),
        (
            "confirm_timeout",
            at(c.confirm_timeout.as_ref().map(Spanned::span)),
        ),
        ("poll_every", at(c.poll_every.as_ref().map(Spanned::span))),
        ("items", at(c.items.as_ref().map(Spanned::span))),
        ("agency", at(c.agency.as_ref().map(Spanned::span))),
        ("fields", at(c.fields.as_ref().map(Spanned::span))),
    ];
    let login = ["procedure", "citizen_id", "password", "password_file"];
    let applies: Vec<&str> = match kind_name {
        "http" => vec!["path", "status", "body_regex", "json", "latency_budget"],
        "journey" => vec!["scenario", "journey"],
        "intake" => [&login[..], &["follow_every", "give_up_after"]].concat(),
        "payment" => [&login[..], &["outcome", "confirm_timeout", "poll_every"]].concat(),
        "stats" => vec!["path", "items", "agency", "fields"],
        _ => keys.iter().map(|(k, _)| *k).collect(),
    };
    for (key, offset) in keys {
        if let Some(offset) = offset
            && !applies.contains(&key)
        {
            cx.error(
                offset,
                format!("{key} does not apply to {kind_name} checks"),
            );
        }
    }
    let kind = match kind_name {
        "http" => {
            let json = c.json.as_ref().map_or_else(Vec::new, |j| {
                j.get_ref()
                    .iter()
                    .filter_map(|(p, v)| match JsonPath::parse(p) {
                        Ok(path) => Some((path, toml_to_json(v))),
                        Err(e) => {
                            cx.error(j.span().start, format!("{p}: {e}"));
                            None
                        }
                    })
                    .collect()
            });
            let body_regex = c.body_regex.as_ref().and_then(|r| {
                regex::Regex::new(r.get_ref())
                    .map_err(|e| cx.error(r.span().start, e.to_string()))
                    .ok()
            });
            CheckKind::Http(HttpCheck {
                path: c
                    .path
                    .as_ref()
                    .map_or_else(|| "/".into(), |p| p.get_ref().clone()),
                status: c
                    .status
                    .as_ref()
                    .map_or_else(Vec::new, |v| v.get_ref().clone()),
                body_regex,
                json,
                latency_budget: c
                    .latency_budget
                    .as_ref()
                    .map(|_| cx.duration(&c.latency_budget, Duration::ZERO)),
            })
        }
        "journey" => {
            let Some(file) = &c.scenario else {
                cx.error(
                    c.kind.span().start,
                    "a journey check needs scenario = \"<runner scenario file>\"",
                );
                return None;
            };
            let path = dir.map_or_else(
                || Path::new(file.get_ref()).to_owned(),
                |d| d.join(file.get_ref()),
            );
            let scenario = match dvc_loadgen::scenario::Scenario::load(&path) {
                Ok(s) => s,
                Err(e) => {
                    cx.error(
                        file.span().start,
                        format!("scenario {}:\n{e}", path.display()),
                    );
                    return None;
                }
            };
            let journey = match &c.journey {
                None => 0,
                Some(name) => match scenario
                    .journeys
                    .iter()
                    .position(|j| j.name == *name.get_ref())
                {
                    Some(i) => i,
                    None => {
                        cx.error(
                            name.span().start,
                            format!("{} has no journey {:?}", path.display(), name.get_ref()),
                        );
                        return None;
                    }
                },
            };
            CheckKind::Journey(JourneyCheck {
                scenario: std::sync::Arc::new(scenario),
                journey,
            })
        }
        "intake" | "payment" => {
            let Some(procedure) = &c.procedure else {
                cx.error(
                    c.kind.span().start,
                    "an intake check needs procedure = \"<code>\"",
                );
                return None;
            };
            let password = match (&c.password, &c.password_file) {
                (Some(p), None) => expand_env(p.get_ref())
                    .map_err(|e| cx.error(p.span().start, e))
                    .ok(),
                (None, Some(f)) => {
                    let file = dir.map_or_else(
                        || Path::new(f.get_ref()).to_owned(),
                        |d| d.join(f.get_ref()),
                    );
                    std::fs::read_to_string(&file)
                        .map(|s| s.trim_end().to_owned())
                        .map_err(|e| {
                            cx.error(
                                f.span().start,
                                format!("cannot read {}: {e}", file.display()),
                            )
                        })
                        .ok()
                }
                (Some(p), Some(_)) => {
                    cx.error(p.span().start, "give password or password_file, not both");
                    None
                }
                (None, None) => None,
            };
            let login = match (&c.citizen_id, password) {
                (Some(id), Some(p)) => Some((id.get_ref().clone(), p)),
                (Some(id), None) if c.password.is_none() && c.password_file.is_none() => {
                    cx.error(
                        id.span().start,
                        "citizen_id needs password or password_file",
                    );
                    None
                }
                _ => None,
            };
            if kind_name == "payment" {
                if let Some(o) = &c.outcome
                    && !["success", "failed", "pending"].contains(&o.get_ref().as_str())
                {
                    cx.error(o.span().start, "outcome must be success, failed or pending");
                }
                CheckKind::Payment(PaymentCheck {
                    procedure: procedure.get_ref().clone(),
                    login,
                    outcome: c.outcome.as_ref().map(|o| o.get_ref().clone()),
                    confirm_timeout: cx.duration(&c.confirm_timeout, Duration::from_secs(60)),
                    poll_every: cx.duration(&c.poll_every, Duration::from_secs(1)),
                })
            } else {
                CheckKind::Intake(IntakeCheck {
                    procedure: procedure.get_ref().clone(),
                    login,
                    follow_every: cx.duration(&c.follow_every, Duration::from_secs(300)),
                    give_up_after: cx.duration(&c.give_up_after, Duration::from_secs(14 * 86_400)),
                })
            }
        }
        "stats" => {
            let mut fields = Vec::new();
            match &c.fields {
                None => cx.error(
                    c.kind.span().start,
                    "a stats check needs [fields] mapping figures to JSON paths",
                ),
                Some(map) => {
                    for (name, path) in map.get_ref() {
                        let Some((_, field)) = StatsField::ALL.iter().find(|(n, _)| n == name)
                        else {
                            let known: Vec<&str> =
                                StatsField::ALL.iter().map(|(n, _)| *n).collect();
                            cx.error(
                                map.span().start,
                                format!("unknown figure {name:?}; known: {}", known.join(", ")),
                            );
                            continue;
                        };
                        match JsonPath::parse(path) {
                            Ok(p) => fields.push((*field, p)),
                            Err(e) => cx.error(map.span().start, format!("{name}: {e}")),
                        }
                    }
                }
            }
            let mut path_of = |v: &Option<Spanned<String>>| {
                v.as_ref().and_then(|p| {
                    JsonPath::parse(p.get_ref())
                        .map_err(|e| cx.error(p.span().start, e))
                        .ok()
                })
            };
            CheckKind::Stats(StatsCheck {
                path: c
                    .path
                    .as_ref()
                    .map_or_else(|| "/api/stats".into(), |p| p.get_ref().clone()),
                items: path_of(&c.items),
                agency: path_of(&c.agency),
                fields,
            })
        }
        other => {
            cx.error(
                c.kind.span().start,
                format!("unknown check kind {other:?}; known: {}", KINDS.join(", ")),
            );
            return None;
        }
    };
    Some(Check {
        name: c.name.get_ref().clone(),
        interval,
        jitter,
        timeout,
        office_hours_only: c.office_hours_only,
        kind,
    })
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
mod tests {
    use super::*;

    fn errors(source: &str) -> Vec<String> {
        ProbeConfig::from_source("probe.toml", source, None)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_full_configuration_is_read() {
        let c = ProbeConfig::from_source(
            "probe.toml",
            r#"
[probe]
location = "hn-dc1"
[[target]]
portal = "hn"
province = "Hà Nội"
url = "http://127.0.0.1:8080/hn/"
  [[target.check]]
  name = "home"
  kind = "http"
  interval = "15s"
  jitter = "1s"
  status = [200]
  body_regex = "Cổng"
  json = { "$.ok" = true }
  [[target.check]]
  name = "intake"
  kind = "intake"
  procedure = "1.900001"
  citizen_id = "001199004321"
  password = "dvc-demo"
  [[target.check]]
  name = "stats"
  kind = "stats"
  items = "$.agencies"
  agency = "$.agency"
  fields = { received = "$.received", resolved_late = "$.resolved_late" }
"#,
            None,
        )
        .expect("valid");
        let t = &c.targets[0];
        assert_eq!(t.url, "http://127.0.0.1:8080/hn");
        assert_eq!(t.checks.len(), 3);
        assert_eq!(t.checks[0].interval, Duration::from_secs(15));
        assert!(matches!(&t.checks[1].kind, CheckKind::Intake(i) if i.login.is_some()));
        assert!(matches!(&t.checks[2].kind, CheckKind::Stats(s) if s.fields.len() == 2));
        assert!(!c.redacted.contains("dvc-demo"), "{}", c.redacted);
    }

    #[test]
    fn every_problem_is_located() {
        let e = errors(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"ftp://x\"\n\
             [[target.check]]\nname = \"a\"\nkind = \"ping\"\n\
             [[target.check]]\nname = \"b\"\nkind = \"http\"\ninterval = \"soon\"\n\
             [[target.check]]\nname = \"c\"\nkind = \"intake\"\n",
        );
        assert_eq!(
            e,
            [
                "probe.toml:4:7: url must start with http:// or https://",
                "probe.toml:7:8: unknown check kind \"ping\"; known: http, journey, intake, payment, stats",
                "probe.toml:11:12: expected a duration such as \"250ms\", \"30s\", \"2m\"; got \"soon\"",
                "probe.toml:14:8: an intake check needs procedure = \"<code>\"",
            ]
            .map(String::from)
        );
        let e = errors(
            "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\nbogus = 1\n",
        );
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("probe.toml:5:1: unknown field `bogus`"),
            "{e:?}"
        );
    }

    #[test]
    fn keys_of_another_kind_of_check_are_errors() {
        let e = errors(
            "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
             name = \"home\"\nkind = \"http\"\nprocedure = \"1.900001\"\n",
        );
        assert_eq!(
            e,
            ["probe.toml:8:13: procedure does not apply to http checks".to_owned()]
        );
    }

    #[test]
    fn passwords_come_from_the_environment_and_missing_ones_are_reported() {
        let e = errors(
            "[[target]]\nportal = \"hn\"\nprovince = \"x\"\nurl = \"http://a\"\n[[target.check]]\n\
             name = \"i\"\nkind = \"intake\"\nprocedure = \"1\"\ncitizen_id = \"001\"\n\
             password = \"${DVC_PROBE_SURELY_UNSET}\"\n",
        );
        assert_eq!(
            e,
            [
                "probe.toml:10:12: environment variable DVC_PROBE_SURELY_UNSET is not set"
                    .to_owned()
            ]
        );
    }
}
