//! The scenario file as written (TOML), one file per section, each holding its section's
//! struct (the field docs are the reference; the guide is `scenarios/README.md`) and its
//! validation. Validation is pure: every problem at once, each with its place in the file,
//! with files read through [`Files`].

use super::*;
use crate::data::CITIZEN_FIELDS;
use crate::secrets::{Secrets, is_sensitive};
use crate::template::JsonTemplate;
use crate::thresholds::Threshold;
use crate::units::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
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

mod check;
mod data;
mod load;
mod step;
mod target;

pub use check::{CheckConfig, ExtractConfig, PollConfig, StatusConfig, ThinkConfig};
pub use data::{CitizensConfig, CsvConfig, DataConfig};
pub use load::{LoadConfig, StageConfig};
pub use step::{FileConfig, JourneyConfig, MultipartConfig, StepConfig};
pub use target::TargetConfig;

use data::feeders;
use load::load;
use step::step;
use target::target;
pub(super) use target::target_base;

/// Built-in variables every template may use.
pub const BUILTIN_VARS: [&str; 2] = ["journey.id", "journey.name"];

/// Where `${NAME}` values come from.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where the files a scenario names (CSV feeders, attachments, `ca_file`) come from.
pub trait Files {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
}

/// The file system.
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

pub(super) struct Problems<'a> {
    path: String,
    source: &'a str,
    list: Vec<Diagnostic>,
    env: Env<'a>,
    files: &'a dyn Files,
    secrets: Secrets,
}

impl Problems<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        self.list
            .push(Diagnostic::at(&self.path, self.source, offset, message));
    }

    /// Parses a template at `offset`, takes its `${NAME}`s from the environment and keeps
    /// their values secret, and the literal text too when `field` names a credential.
    fn template(&mut self, offset: usize, text: &str, field: Option<&str>) -> Option<Template> {
        let mut t = self.ok(offset, Template::parse(text))?;
        self.resolve(offset, &mut t, field)?;
        Some(t)
    }

    fn resolve(&mut self, offset: usize, t: &mut Template, field: Option<&str>) -> Option<()> {
        let env = self.env;
        for value in self.ok(offset, t.resolve_env(env))? {
            self.secrets.add(&value);
        }
        for text in t.literal_text() {
            if field.is_some_and(is_sensitive) {
                self.secrets.add_credential(text);
            }
            self.secrets.add_url_credentials(text);
        }
        Some(())
    }

    /// [`Problems::template`] for every string of a JSON template.
    fn json_template(&mut self, offset: usize, value: &toml::Value) -> Option<JsonTemplate> {
        let mut t = self.ok(offset, JsonTemplate::from_toml(value))?;
        let mut ok = true;
        t.visit_mut(None, &mut |field, template| {
            ok &= self.resolve(offset, template, field).is_some();
        });
        ok.then_some(t)
    }

    /// `Ok` values pass through; errors are recorded at `offset`.
    fn ok<T, E: std::fmt::Display>(&mut self, offset: usize, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.at(offset, message.to_string());
                None
            }
        }
    }
}

/// Validates scenario text, with `${NAME}` from the process's environment and the files it
/// names (CSV feeders, attachments, `ca_file`, resolved relative to `path`'s folder) from disk.
pub fn validate(path: &Path, source: &str) -> Result<Scenario, Vec<Diagnostic>> {
    validate_with(path, source, &|name| std::env::var(name).ok(), &Disk)
}

/// [`validate`] with its inputs given: `${NAME}` values from `env`, files from `files`. It
/// reads nothing else, so it is a pure function of its arguments.
pub fn validate_with(
    path: &Path,
    source: &str,
    env: Env,
    files: &dyn Files,
) -> Result<Scenario, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let config: ScenarioConfig =
        toml::from_str(source).map_err(|e| vec![Diagnostic::from_toml(&shown, source, &e)])?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut p = Problems {
        path: shown,
        source,
        list: Vec::new(),
        env,
        files,
        secrets: Secrets::default(),
    };
    let target = target(&mut p, &config.target, dir);
    let load = load(&mut p, &config.load);
    let feeders = feeders(&mut p, &config.data, dir);
    let mut provinces = Vec::new();
    for code in &config.data.citizens.provinces {
        match dvc_domain::provinces::province(code) {
            Some(province) => provinces.push(province),
            None => p.at(
                0,
                format!("data.citizens.provinces: {code:?} is not a province code, e.g. \"01\""),
            ),
        }
    }
    let mut data_vars: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| (*s).to_owned()).collect();
    data_vars.extend(CITIZEN_FIELDS.iter().map(|f| format!("citizen.{f}")));
    for f in &feeders {
        data_vars.extend(f.columns.iter().map(|c| format!("{}.{c}", f.name)));
    }
    if config.journey.is_empty() {
        p.at(0, "a scenario needs at least one [[journey]]");
    }
    let mut journeys = Vec::new();
    let mut journey_names = BTreeSet::new();
    for j in &config.journey {
        let start = j.span().start;
        let jc = j.get_ref();
        if !journey_names.insert(jc.name.clone()) {
            p.at(start, format!("two journeys are called {:?}", jc.name));
        }
        if !(jc.weight.is_finite() && jc.weight > 0.0) {
            p.at(start, format!("weight must be > 0; got {}", jc.weight));
        }
        if jc.step.is_empty() {
            p.at(
                start,
                format!("journey {:?} has no [[journey.step]]", jc.name),
            );
        }
        let mut known = data_vars.clone();
        let mut steps = Vec::new();
        for s in &jc.step {
            if let Some(step) = step(&mut p, s, &known, &target, dir) {
                known.extend(step.extract.iter().map(|e| e.var.clone()));
                steps.push(step);
            }
        }
        journeys.push(Journey {
            name: jc.name.clone(),
            weight: jc.weight,
            steps,
        });
    }
    let step_names: BTreeSet<&str> = journeys
        .iter()
        .flat_map(|j| j.steps.iter().map(|s| s.name.as_str()))
        .collect();
    let step_names: Vec<&str> = step_names.into_iter().collect();
    let journey_list: Vec<&str> = journeys.iter().map(|j| j.name.as_str()).collect();
    let mut thresholds = Vec::new();
    let mut abort_on_fail = false;
    let mut abort_grace = Duration::from_secs(10);
    for (key, value) in &config.thresholds {
        let at = value.span().start;
        match (key.as_str(), value.get_ref()) {
            ("abort_on_fail", toml::Value::Boolean(b)) => abort_on_fail = *b,
            ("abort_grace", toml::Value::String(s)) => {
                if let Some(d) = p.ok(at, parse_duration(s)) {
                    abort_grace = d;
                }
            }
            ("abort_on_fail" | "abort_grace", _) => {
                p.at(
                    at,
                    format!("{key} must be a boolean (abort_on_fail) or a duration (abort_grace)"),
                );
            }
            (_, toml::Value::String(condition)) => {
                if let Some(t) = p.ok(
                    at,
                    Threshold::parse(key, condition, &step_names, &journey_list),
                ) {
                    thresholds.push(t);
                }
            }
            _ => p.at(
                at,
                format!("threshold {key:?} must be a string such as \"< 800ms\""),
            ),
        }
    }
    let verify = config.verify.as_ref().and_then(|v| {
        let at = v.span().start;
        let vc = v.get_ref();
        let path = p.template(at, &vc.path, None)?;
        let extracted = journeys
            .iter()
            .flat_map(|j| j.steps.iter())
            .any(|s| s.extract.iter().any(|e| e.var == vc.variable));
        if !extracted {
            p.at(
                at,
                format!(
                    "verify.variable {:?} is never extracted by a step",
                    vc.variable
                ),
            );
        }
        if let Some(unknown) = path.vars().find(|v| *v != vc.variable) {
            p.at(
                at,
                format!(
                    "verify.path may only use {{{{{}}}}}; got {{{{{unknown}}}}}",
                    vc.variable
                ),
            );
        }
        Some(Verify {
            variable: vc.variable.clone(),
            path,
            status: vc.status,
        })
    });
    if !p.list.is_empty() {
        p.list.sort_by_key(|d| (d.line, d.column));
        p.list.dedup();
        return Err(p.list);
    }
    let (Some(target), Some(load)) = (target, load) else {
        return Err(p.list);
    };
    let uses_citizens = uses_citizens(&journeys, &target);
    Ok(Scenario {
        name: config.name.unwrap_or_else(|| {
            path.file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
        }),
        description: config.description,
        target,
        load,
        journeys,
        feeders: feeders.into_iter().map(Arc::new).collect(),
        citizen_provinces: provinces,
        uses_citizens,
        thresholds,
        abort_on_fail,
        abort_grace,
        verify,
        source: source.to_owned(),
        secrets: p.secrets,
    })
}

fn uses_citizens(journeys: &[Journey], target: &Target) -> bool {
    let steps = journeys
        .iter()
        .flat_map(|j| &j.steps)
        .flat_map(|s| s.vars());
    let headers = target.headers.iter().flat_map(|(_, t)| t.vars());
    steps.chain(headers).any(|v| v.starts_with("citizen."))
}

#[cfg(test)]
mod tests;
