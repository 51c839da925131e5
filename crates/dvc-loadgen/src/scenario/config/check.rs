//! A step's `check`, `extract`, `think` and `poll`: what its answer must hold, what is taken
//! from it, and the pauses around it.

use super::Problems;
use super::step::NoVars;
use crate::scenario::config::*;
use crate::units::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

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
    /// A CSS selector on an HTML body (`"input[name=csrf_token]"`): the first element's text,
    /// or its `attr`.
    pub css: Option<String>,
    /// With `css`: the attribute to take (`"value"`, `"href"`, `"action"`).
    pub attr: Option<String>,
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

pub(super) fn check(p: &mut Problems, at: usize, c: &CheckConfig) -> Check {
    let status = match &c.status {
        None => vec![],
        Some(StatusConfig::One(s)) => vec![*s],
        Some(StatusConfig::Many(list)) => list.clone(),
    };
    if status.iter().any(|s| !(100..=599).contains(s)) {
        p.at(
            at,
            format!("check.status must be HTTP status codes; got {status:?}"),
        );
    }
    let mut json = Vec::new();
    for (path, value) in &c.json {
        let parsed = p.ok(at, crate::jsonpath::JsonPath::parse(path));
        let value = p.json_template(at, value).and_then(|t| {
            let value = t
                .render(&NoVars)
                .map_err(|_| "check.json values cannot use {{variables}}".to_owned());
            p.ok(at, value)
        });
        if let (Some(path), Some(value)) = (parsed, value) {
            json.push((path, value));
        }
    }
    let exists = c
        .exists
        .iter()
        .filter_map(|e| p.ok(at, crate::jsonpath::JsonPath::parse(e)))
        .collect();
    Check {
        status,
        json,
        exists,
        contains: c.contains.clone(),
    }
}

pub(super) fn think(p: &mut Problems, t: &Spanned<ThinkConfig>) -> Think {
    let at = t.span().start;
    let c = t.get_ref();
    match (&c.fixed, &c.uniform, &c.exponential) {
        (Some(d), None, None) => p
            .ok(at, parse_duration(d))
            .map_or(Think::None, Think::Fixed),
        (None, Some([a, b]), None) => {
            match (p.ok(at, parse_duration(a)), p.ok(at, parse_duration(b))) {
                (Some(a), Some(b)) if a <= b => Think::Uniform(a, b),
                (Some(_), Some(_)) => {
                    p.at(at, "think.uniform needs [min, max] with min <= max");
                    Think::None
                }
                _ => Think::None,
            }
        }
        (None, None, Some(mean)) => p
            .ok(at, parse_duration(mean))
            .map_or(Think::None, Think::Exponential),
        _ => {
            p.at(
                at,
                "think needs exactly one of fixed, uniform = [min, max], exponential (mean)",
            );
            Think::None
        }
    }
}
