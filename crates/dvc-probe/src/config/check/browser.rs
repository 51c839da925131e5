//! `kind = "browser"`: a page loaded in headless Chromium as a citizen's browser loads it,
//! timed by the browser's own paint and long-task entries.

use super::super::Ctx;
use super::Place;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// The keys of a `browser` check.
///
/// ```toml
/// [[target.check]]
/// name = "home-browser"
/// kind = "browser"
/// path = "/"                      # default "/"
/// settle = "1s"                   # after the load event, for late paints and long tasks
/// chromium = "/usr/bin/chromium"  # default: chromium, chromium-browser or google-chrome on PATH
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserFile {
    /// The page under the target's URL; default `/`.
    pub path: Option<Spanned<String>>,
    /// How long to keep watching after the load event; default `1s`.
    pub settle: Option<Spanned<String>>,
    /// The browser to run; default the first of chromium, chromium-browser, google-chrome,
    /// google-chrome-stable found on `PATH`.
    pub chromium: Option<Spanned<String>>,
}

pub(in crate::config) const KEYS: &[&str] = &["path", "settle", "chromium"];

#[derive(Debug, Clone)]
pub struct BrowserCheck {
    pub path: String,
    pub settle: Duration,
    pub chromium: Option<PathBuf>,
}

pub(super) fn check(cx: &mut Ctx<'_>, c: BrowserFile, place: &Place<'_>) -> BrowserCheck {
    let settle = cx.duration(&c.settle, Duration::from_secs(1));
    if settle > Duration::from_secs(60)
        && let Some(s) = &c.settle
    {
        cx.error(s.span().start, "settle must be at most 60s");
    }
    let path = c
        .path
        .as_ref()
        .map_or_else(|| "/".into(), |p| p.get_ref().clone());
    if !path.starts_with('/')
        && let Some(p) = &c.path
    {
        cx.error(
            p.span().start,
            format!("path must start with /; got {path:?}"),
        );
    }
    BrowserCheck {
        path,
        settle,
        chromium: c.chromium.as_ref().map(|p| place.resolve(p.get_ref())),
    }
}
