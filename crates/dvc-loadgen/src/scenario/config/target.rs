//! `[target]`: where requests go, with which headers, certificates and limits.

use super::Problems;
use super::step::NoVars;
use crate::scenario::ProxySetting;
use crate::scenario::config::*;
use crate::template::Template;
use crate::units::{parse_duration, parse_size};
use hyper::header::HeaderName;
use serde::Deserialize;
use toml::Spanned;

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
    /// The proxy every request goes through (`"http://proxy.so.gov.vn:3128"`, credentials
    /// from `${NAME}`), or `"none"` to go straight whatever the environment says. Unset: the
    /// environment's `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`. The embedded
    /// portal is always reached straight.
    pub proxy: Option<Spanned<String>>,
    /// Hosts, domains and networks reached straight, not through `proxy` (`NO_PROXY`'s form:
    /// `"portal.gov.vn, 10.0.0.0/8"`).
    pub no_proxy: Option<Spanned<String>>,
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
            proxy: None,
            no_proxy: None,
        }
    }
}

/// A header of the scenario: its name checked once here, its value a template.
pub(super) fn header(
    p: &mut Problems,
    at: usize,
    name: &str,
    value: &str,
) -> Option<(HeaderName, Template)> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name"));
    let name = p.ok(at, parsed)?;
    let value = p.template(at, value, Some(name.as_str()))?;
    Some((name, value))
}

/// Where a `url` (or `--target`) points: `"embedded"`, or an http(s) URL with a host.
pub(in crate::scenario) fn target_base(url: &str) -> Result<TargetBase, String> {
    let url = url.trim();
    if url == "embedded" {
        Ok(TargetBase::Embedded(None))
    } else if (url.starts_with("http://") || url.starts_with("https://"))
        && url.parse::<hyper::Uri>().is_ok_and(|u| u.host().is_some())
    {
        Ok(TargetBase::Url(url.trim_end_matches('/').to_owned()))
    } else {
        Err(format!(
            "url must be \"embedded\" or include a scheme and host, e.g. \"https://dichvucong.example.vn\"; got {url:?}"
        ))
    }
}

/// Highest `max_body` (4 GiB).
pub(super) const MAX_BODY_LIMIT: usize = 4 << 30;

pub(super) fn target(p: &mut Problems, t: &TargetConfig, dir: &Path) -> Option<Target> {
    // `url = "${PORTAL_URL}"`: taken from the environment, and not a secret.
    let env = p.env;
    let url = Template::parse(t.url.get_ref()).and_then(|mut url| {
        url.resolve_env(env)?;
        if url.vars().next().is_some() {
            return Err(crate::template::TemplateError::VarsInUrl);
        }
        url.render(&NoVars)
    });
    let url = p.ok(t.url.span().start, url)?;
    let base = match p.ok(t.url.span().start, target_base(&url))? {
        TargetBase::Embedded(_) => {
            TargetBase::Embedded(t.portal_config.as_ref().map(|c| dir.join(c.get_ref())))
        }
        url => {
            if t.portal_config.is_some() {
                p.at(
                    t.url.span().start,
                    "portal_config only applies to url = \"embedded\"",
                );
            }
            url
        }
    };
    let timeout = p.ok(t.timeout.span().start, parse_duration(t.timeout.get_ref()))?;
    let headers = t
        .headers
        .iter()
        .filter_map(|(name, value)| header(p, value.span().start, name, value.get_ref()))
        .collect();
    let mut extra_roots = Vec::new();
    if let Some(ca) = &t.ca_file {
        let full = dir.join(ca.get_ref());
        let roots = p
            .files
            .read(&full)
            .map_err(|e| format!("cannot read ca_file {}: {e}", full.display()))
            .and_then(|pem| dvc_http::parse_roots(&pem, &full.display().to_string()));
        match roots {
            Ok(roots) => extra_roots = roots,
            Err(e) => p.at(ca.span().start, e),
        }
    }
    let max_body = match &t.max_body {
        None => dvc_http::DEFAULT_BODY_LIMIT,
        Some(size) => {
            let bytes = p.ok(size.span().start, parse_size(size.get_ref()))?;
            if !(1..=MAX_BODY_LIMIT).contains(&bytes) {
                p.at(
                    size.span().start,
                    format!(
                        "max_body must be between 1B and 4GB; got {:?}",
                        size.get_ref()
                    ),
                );
                return None;
            }
            bytes
        }
    };
    let proxy = proxy(p, t)?;
    Some(Target {
        allow_remote: false,
        proxy,
        base,
        allow_hosts: t.allow_hosts.clone(),
        timeout,
        headers,
        insecure_skip_verify: t.insecure_skip_verify,
        extra_roots,
        max_body,
        http2: t.http2,
    })
}

/// `proxy` and `no_proxy`: None for the environment's proxies.
fn proxy(p: &mut Problems, t: &TargetConfig) -> Option<Option<ProxySetting>> {
    let no_proxy = t.no_proxy.as_ref().map(|n| n.get_ref().trim().to_owned());
    let Some(url) = &t.proxy else {
        if let Some(n) = &t.no_proxy {
            p.at(
                n.span().start,
                "no_proxy applies to a scenario's proxy; without one, set NO_PROXY beside HTTP_PROXY",
            );
        }
        return Some(None);
    };
    let at = url.span().start;
    let template = p.template(at, url.get_ref(), Some("proxy"))?;
    if template.vars().next().is_some() {
        p.at(
            at,
            "proxy takes ${NAME} from the environment, not {{variables}}",
        );
        return None;
    }
    let url = p.ok(at, template.render(&NoVars))?;
    if url.trim() == "none" {
        return Some(Some(ProxySetting {
            url: None,
            no_proxy: String::new(),
        }));
    }
    let no_proxy = no_proxy.unwrap_or_default();
    p.ok(at, dvc_http::Proxies::fixed(&url, &no_proxy))?;
    Some(Some(ProxySetting {
        url: Some(url),
        no_proxy,
    }))
}
