//! The probe's configuration file (`probe.toml`): targets with bounded labels and their checks.
//! Every problem is reported as `file:line:column: message`, all at once.

use dvc_domain::Diagnostic;
use dvc_loadgen::units::parse_duration;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

mod active;
mod check;
mod tree;

pub use active::ActiveConsent;
use active::ActiveFile;
use tree::{raw_checks, raw_templates};

pub use check::{
    BrowserCheck, CheckClass, CheckKind, HttpCheck, IntakeCheck, JourneyCheck, PaymentCheck,
    ProbeCheck, StatsCheck, StatsField,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    probe: ProbeSection,
    #[serde(default)]
    target: Vec<TargetFile>,
    #[serde(default)]
    template: Vec<TemplateFile>,
}

/// `[[template]]`: checks written once, used by the targets that name it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: Spanned<String>,
    /// Read again from the spanned tree, as a target's checks are.
    #[serde(default, rename = "check")]
    _check: Vec<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeSection {
    location: Option<String>,
    history_days: Option<Spanned<u32>>,
    /// Connections the probe's HTTP listener serves at once (default 512); read at start.
    max_connections: Option<Spanned<usize>>,
    /// Longest wait for a request head, and longest idle time of a kept-alive connection
    /// (default "10s"); read at start.
    header_read_timeout: Option<Spanned<String>>,
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
    /// The portal's own office hours, seasons, Saturday intake, working-day length and days
    /// off, over the probe's calendar.
    calendar: Option<dvc_domain::portal_calendar::CalendarSpec>,
    /// The portal's consent to active checks (submitting test dossiers, paying test fees).
    active: Option<Spanned<ActiveFile>>,
    /// Templates whose checks this target runs, before its own; an own check of the same name
    /// replaces the template's.
    #[serde(default)]
    templates: Vec<Spanned<String>>,
    /// Read again from the spanned tree, one struct per kind (see `check`).
    #[serde(default, rename = "check")]
    _check: Vec<serde::de::IgnoredAny>,
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
    /// Secrets this machine could not read, when they were [`Secrets::Deferred`].
    pub notes: Vec<Diagnostic>,
    /// What the probe's HTTP listener allows (`[probe] max_connections`,
    /// `header_read_timeout`); taken at start, not on reload.
    pub listener: dvc_http::serve::Limits,
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
    /// `[target.calendar]`: how this portal's office works, when not as the probe's calendar.
    pub calendar: Option<dvc_domain::portal_calendar::CalendarSpec>,
    /// `[target.active]`: the portal's consent to active checks; none, only passive ones run.
    pub active: Option<ActiveConsent>,
    pub checks: Vec<ProbeCheck>,
}

struct Ctx<'a> {
    path: &'a str,
    source: &'a str,
    errors: Vec<Diagnostic>,
    /// Secrets that cannot be read here are noted, not errors (`--check-config`).
    secrets: Secrets,
    /// What the check found but allowed: secrets not available on this machine.
    notes: Vec<Diagnostic>,
}

/// Whether secrets (`${NAME}` passwords, `password_file`) must be readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// The daemon: an unset variable or unreadable file is an error.
    Required,
    /// Checking a file on another machine than the daemon's: each is a note.
    Deferred,
}

impl Ctx<'_> {
    /// Whether secrets that cannot be read are only noted.
    fn deferred(&self) -> bool {
        self.secrets == Secrets::Deferred
    }

    /// A secret that could not be read: an error for the daemon, a note for a check.
    fn secret_missing(&mut self, offset: usize, message: String) {
        match self.secrets {
            Secrets::Required => self.error(offset, message),
            Secrets::Deferred => self.notes.push(Diagnostic::at(
                self.path,
                self.source,
                offset,
                format!("{message} (the daemon needs it)"),
            )),
        }
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.errors
            .push(Diagnostic::at(self.path, self.source, offset, message));
    }

    /// A duration that sets how often requests go to a portal: at least `min`, so a typo such
    /// as `"0s"` cannot busy-loop against it.
    fn every(
        &mut self,
        key: &str,
        value: &Option<Spanned<String>>,
        default: Duration,
        min: Duration,
    ) -> Duration {
        let d = self.duration(value, default);
        if let Some(v) = value
            && d < min
        {
            self.error(
                v.span().start,
                format!(
                    "{key} must be at least {min:?}: it sets how often requests go to the portal; got {:?}",
                    v.get_ref()
                ),
            );
        }
        d
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
        ProbeConfig::load_with(path, Secrets::Required)
    }

    /// Reads and validates `path`, secrets as `secrets` says.
    pub fn load_with(path: &Path, secrets: Secrets) -> Result<ProbeConfig, Vec<Diagnostic>> {
        let shown = path.display().to_string();
        let source = std::fs::read_to_string(path)
            .map_err(|e| vec![Diagnostic::at(&shown, "", 0, format!("cannot read: {e}"))])?;
        ProbeConfig::parse(&shown, &source, path.parent(), secrets)
    }

    /// Validates a configuration's text; relative `*_file` paths are taken from `dir`.
    pub fn from_source(
        path: &str,
        source: &str,
        dir: Option<&Path>,
    ) -> Result<ProbeConfig, Vec<Diagnostic>> {
        ProbeConfig::parse(path, source, dir, Secrets::Required)
    }

    fn parse(
        path: &str,
        source: &str,
        dir: Option<&Path>,
        secrets: Secrets,
    ) -> Result<ProbeConfig, Vec<Diagnostic>> {
        let file: File =
            toml::from_str(source).map_err(|e| vec![Diagnostic::from_toml(path, source, &e)])?;
        let tree = toml::de::DeTable::parse(source)
            .map_err(|e| vec![Diagnostic::from_toml(path, source, &e)])?;
        let templates = raw_templates(tree.get_ref());
        let mut cx = Ctx {
            path,
            source,
            errors: Vec::new(),
            secrets,
            notes: Vec::new(),
        };
        let mut targets = Vec::new();
        let mut seen = Vec::new();
        let mut template_names: Vec<&str> = Vec::new();
        for t in &file.template {
            if template_names.contains(&t.name.get_ref().as_str()) {
                cx.error(
                    t.name.span().start,
                    format!("template {:?} is defined twice", t.name.get_ref()),
                );
            }
            template_names.push(t.name.get_ref());
        }
        let own_checks = raw_checks(tree.get_ref());
        for (t, own) in file.target.iter().zip(&own_checks) {
            let own_names: Vec<String> = own
                .iter()
                .filter_map(check::name_of)
                .map(|n| n.get_ref().clone())
                .collect();
            let mut raw: Vec<Spanned<toml::de::DeValue<'_>>> = Vec::new();
            for name in &t.templates {
                match templates.iter().find(|(n, _)| n == name.get_ref()) {
                    Some((_, checks)) => raw.extend(
                        checks
                            .iter()
                            .filter(|c| {
                                check::name_of(c).is_none_or(|n| !own_names.contains(n.get_ref()))
                            })
                            .cloned(),
                    ),
                    None => cx.error(
                        name.span().start,
                        format!(
                            "no [[template]] named {:?}; defined: {}",
                            name.get_ref(),
                            if template_names.is_empty() {
                                "none".to_owned()
                            } else {
                                template_names.join(", ")
                            }
                        ),
                    ),
                }
            }
            raw.extend(own.iter().cloned());
            let raw = &raw;
            let url = t.url.get_ref().trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                cx.error(
                    t.url.span().start,
                    "url must start with http:// or https://",
                );
            }
            let authority = url.split_once("://").map_or("", |(_, rest)| {
                rest.split(['/', '?', '#']).next().unwrap_or("")
            });
            if authority.contains('@') {
                cx.error(
                    t.url.span().start,
                    "url must not carry credentials (user:password@host): they are not sent, and they would show in logs and on the status page; checks log in with citizen_id and password or password_file",
                );
            }
            if seen.contains(t.portal.get_ref()) {
                cx.error(
                    t.portal.span().start,
                    format!("portal {:?} is listed twice", t.portal.get_ref()),
                );
            }
            seen.push(t.portal.get_ref().clone());
            let active = t.active.as_ref().and_then(|a| active::read(&mut cx, a));
            let mut checks = Vec::new();
            let mut names = Vec::new();
            for c in raw {
                if let Some(name) = check::name_of(c) {
                    if names.contains(name.get_ref()) {
                        cx.error(
                            name.span().start,
                            format!("check {:?} is listed twice for this target", name.get_ref()),
                        );
                    }
                    names.push(name.get_ref().clone());
                }
                if let Some(check) = check::check(&mut cx, c, dir) {
                    if let Some(problem) = check.refused_on(active.as_ref()) {
                        cx.error(
                            c.span().start,
                            format!("target {:?}: {problem}", t.portal.get_ref()),
                        );
                    }
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
                calendar: t.calendar.clone(),
                active: active.clone(),
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
        let defaults = dvc_http::serve::Limits::default();
        let max_connections = file
            .probe
            .max_connections
            .as_ref()
            .map_or(defaults.max_connections, |m| *m.get_ref());
        if let Some(m) = &file.probe.max_connections
            && *m.get_ref() == 0
        {
            cx.error(m.span().start, "max_connections must be at least 1");
        }
        let header_read_timeout = cx.duration(
            &file.probe.header_read_timeout,
            defaults.header_read_timeout,
        );
        if let Some(t) = &file.probe.header_read_timeout
            && header_read_timeout.is_zero()
        {
            cx.error(
                t.span().start,
                "header_read_timeout must be above zero, e.g. \"10s\"",
            );
        }
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        Ok(ProbeConfig {
            location: file.probe.location.unwrap_or_else(|| "unnamed".into()),
            history_days,
            targets,
            redacted: redact(source),
            notes: cx.notes,
            listener: dvc_http::serve::Limits {
                max_connections,
                header_read_timeout,
            },
        })
    }
}

/// Each target's checks as spanned values, in the file's order.
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
