//! `kind = "http"`: one request to a page or an API, judged by status, body and JSON.

use super::super::{Ctx, toml_to_json};
use dvc_loadgen::JsonPath;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

/// The keys of an `http` check.
///
/// ```toml
/// [[target.check]]
/// name = "home"
/// kind = "http"
/// path = "/"                    # default "/"
/// status = [200]                # default: any 2xx or 3xx
/// body_regex = "Cổng Dịch vụ công"
/// json = { "$.ok" = true }      # JSON path = expected value
/// latency_budget = "2s"         # slower counts as failed
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    /// The path under the target's URL; default `/`.
    pub path: Option<Spanned<String>>,
    /// Accepted statuses; default any 2xx or 3xx.
    pub status: Option<Spanned<Vec<u16>>>,
    /// A regular expression the body must match.
    pub body_regex: Option<Spanned<String>>,
    /// JSON paths and the values they must hold.
    pub json: Option<Spanned<BTreeMap<String, toml::Value>>>,
    /// An answer slower than this fails the check (`reason="slow"`).
    pub latency_budget: Option<Spanned<String>>,
}

pub(in crate::config) const KEYS: &[&str] =
    &["path", "status", "body_regex", "json", "latency_budget"];

#[derive(Debug, Clone)]
pub struct HttpCheck {
    pub path: String,
    /// Accepted statuses (empty: any 2xx or 3xx) and JSON conditions, judged as a runner
    /// step's check is.
    pub check: dvc_loadgen::scenario::Check,
    pub body_regex: Option<regex::Regex>,
    pub latency_budget: Option<Duration>,
}

pub(super) fn check(cx: &mut Ctx<'_>, c: HttpFile) -> HttpCheck {
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
    HttpCheck {
        path: c
            .path
            .as_ref()
            .map_or_else(|| "/".into(), |p| p.get_ref().clone()),
        check: dvc_loadgen::scenario::Check {
            status: c
                .status
                .as_ref()
                .map_or_else(Vec::new, |v| v.get_ref().clone()),
            json,
            ..Default::default()
        },
        body_regex,
        latency_budget: c
            .latency_budget
            .as_ref()
            .map(|_| cx.duration(&c.latency_budget, Duration::ZERO)),
    }
}
