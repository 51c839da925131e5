//! Proxies: which requests go through one, and how.
//!
//! The rules are curl's, read by hyper-util's matcher: `HTTP_PROXY` for `http://` URLs,
//! `HTTPS_PROXY` for `https://` ones, `ALL_PROXY` for both when those are unset (each also in
//! lower case), and `NO_PROXY` listing hosts, domains (with their subdomains), IP addresses and
//! networks (`10.0.0.0/8`) that are reached directly, or `*` for all. A scenario or probe may
//! name its own proxy instead.
//!
//! Plain `http://` requests are sent to the proxy with the absolute URL as their target;
//! `https://` ones through a `CONNECT` tunnel, TLS end to end with the portal (HTTP/2 too).
//! Credentials in the proxy URL (`http://user:pass@proxy:3128`) are sent as
//! `Proxy-Authorization: Basic` and never shown.

use hyper::Uri;
use hyper::header::HeaderValue;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::net::TcpStream;
use tower_service::Service;

/// Which requests go through which proxy. Cheap to clone.
#[derive(Clone, Default)]
pub struct Proxies {
    matcher: Option<Arc<Matcher>>,
    /// The proxies as shown in messages: `scheme://host:port`, without credentials.
    shown: String,
}

/// The environment variables that name a proxy.
const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// How one request reaches its origin through a proxy.
#[derive(Clone)]
pub(crate) struct Route {
    /// The proxy's `host:port`, to connect to.
    pub address: String,
    /// The proxy as a URI (for the tunnel).
    pub uri: Uri,
    /// `Basic …` from the proxy URL's credentials.
    pub auth: Option<HeaderValue>,
}

impl Route {
    /// The proxy as shown in messages: `http://host:port`.
    pub fn shown(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Proxies {
    /// No proxy: every request goes straight to its origin.
    pub fn none() -> Proxies {
        Proxies::default()
    }

    /// The proxies the environment names (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`,
    /// `NO_PROXY`), as curl reads them; none when no variable names one.
    pub fn from_env() -> Proxies {
        let named: Vec<String> = PROXY_VARS
            .iter()
            .filter_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
            .collect();
        if named.is_empty() {
            return Proxies::none();
        }
        Proxies {
            matcher: Some(Arc::new(Matcher::from_env())),
            shown: named
                .iter()
                .map(|u| shown(u))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// One proxy for every request, but to the hosts `no_proxy` lists (NO_PROXY's syntax). An
    /// error for a URL that is not `http://host:port`.
    pub fn fixed(url: &str, no_proxy: &str) -> Result<Proxies, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("the proxy {:?} is not a URL: {e}", shown(url)))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(format!(
                "the proxy must be an http://host:port URL (a CONNECT proxy); got {:?}",
                shown(url)
            ));
        }
        if uri.path() != "/" && !uri.path().is_empty() {
            return Err(format!(
                "the proxy URL {:?} has a path: give only http://host:port",
                shown(url)
            ));
        }
        Ok(Proxies {
            matcher: Some(Arc::new(Matcher::builder().all(url).no(no_proxy).build())),
            shown: shown(url),
        })
    }

    /// Whether any request may go through a proxy.
    pub fn is_set(&self) -> bool {
        self.matcher.is_some()
    }

    /// The proxies as shown in messages (credentials left out); empty when none.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The proxy a request to `url` goes through, as shown in messages; None when straight.
    pub fn for_url(&self, url: &str) -> Option<String> {
        let end = url
            .find("://")
            .map(|at| at + 3)
            .and_then(|from| url[from..].find(['/', '?']).map(|e| from + e))
            .unwrap_or(url.len());
        self.route(&url[..end]).ok().flatten().map(|r| r.shown())
    }

    /// How a request to `origin` (`scheme://authority`) goes: None straight, else through the
    /// proxy. An error for a proxy that is not `http://`.
    pub(crate) fn route(&self, origin: &str) -> Result<Option<Route>, String> {
        let Some(matcher) = &self.matcher else {
            return Ok(None);
        };
        let Ok(uri) = origin.parse::<Uri>() else {
            return Ok(None);
        };
        let Some(intercept) = matcher.intercept(&uri) else {
            return Ok(None);
        };
        let proxy = intercept.uri();
        let (Some("http"), Some(host)) = (proxy.scheme_str(), proxy.host()) else {
            return Err(format!(
                "the proxy {}://{} is not supported: only http:// (CONNECT) proxies are",
                proxy.scheme_str().unwrap_or("?"),
                proxy.host().unwrap_or("?")
            ));
        };
        let address = format!("{host}:{}", proxy.port_u16().unwrap_or(80));
        Ok(Some(Route {
            address,
            uri: proxy.clone(),
            auth: intercept.basic_auth().cloned(),
        }))
    }
}

/// A TCP connection to `authority` (`host:port`) through `route`'s CONNECT tunnel.
pub(crate) async fn tunnel(route: &Route, authority: &str) -> Result<TcpStream, String> {
    let dst: Uri = format!("https://{authority}")
        .parse()
        .map_err(|e| format!("bad host {authority:?}: {e}"))?;
    let io = tunnel_to(route, connector(), dst).await?;
    Ok(io.into_inner())
}

async fn tunnel_to(
    route: &Route,
    http: HttpConnector,
    dst: Uri,
) -> Result<TokioIo<TcpStream>, String> {
    let mut tunnel = Tunnel::new(route.uri.clone(), http);
    if let Some(auth) = &route.auth {
        tunnel = tunnel.with_auth(auth.clone());
    }
    tunnel.call(dst).await.map_err(|e| {
        let mut why = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            why.push_str(": ");
            why.push_str(&s.to_string());
            source = s.source();
        }
        format!("through the proxy {}: {why}", route.shown())
    })
}

/// A TCP connector as the client's (no Nagle, no scheme enforced).
pub(crate) fn connector() -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(crate::client::CONNECT_TIMEOUT));
    http
}

/// The connector under hyper's client (HTTP/2): straight to the origin, or through the CONNECT
/// tunnel its proxies choose.
#[derive(Clone)]
pub(crate) struct Connector {
    pub http: HttpConnector,
    pub proxies: Proxies,
}

type Connecting = Pin<
    Box<
        dyn Future<Output = Result<TokioIo<TcpStream>, Box<dyn std::error::Error + Send + Sync>>>
            + Send,
    >,
>;

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let origin = format!(
            "{}://{}",
            dst.scheme_str().unwrap_or("http"),
            dst.authority().map_or("", |a| a.as_str())
        );
        let mut http = self.http.clone();
        match self.proxies.route(&origin) {
            Err(e) => Box::pin(async move { Err(e.into()) }),
            Ok(None) => Box::pin(async move { http.call(dst).await.map_err(Into::into) }),
            Ok(Some(route)) => {
                Box::pin(async move { tunnel_to(&route, http, dst).await.map_err(Into::into) })
            }
        }
    }
}

impl std::fmt::Debug for Proxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxies")
            .field("proxies", &self.shown)
            .finish()
    }
}

/// `url` without the credentials it may carry.
fn shown(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{}", rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_hosts_go_straight_and_others_through_the_proxy() {
        let p = Proxies::fixed(
            "http://user:s3cret@127.0.0.1:3128",
            "portal.gov.vn, 10.0.0.0/8",
        )
        .expect("valid");
        let route = p
            .route("https://dichvucong.example.vn")
            .expect("http proxy")
            .expect("through the proxy");
        assert_eq!(route.address, "127.0.0.1:3128");
        assert_eq!(
            route.auth.as_ref().and_then(|a| a.to_str().ok()),
            Some("Basic dXNlcjpzM2NyZXQ=")
        );
        for direct in [
            "https://portal.gov.vn",
            "http://hcm.portal.gov.vn:8080",
            "http://10.1.2.3",
        ] {
            assert!(p.route(direct).expect("ok").is_none(), "{direct}");
        }
        assert!(!format!("{p:?}").contains("s3cret"));
        assert_eq!(p.shown(), "http://127.0.0.1:3128");
    }

    #[test]
    fn a_proxy_that_is_not_plain_http_is_refused_with_its_credentials_hidden() {
        for bad in [
            "socks5://u:pw@127.0.0.1:1080",
            "https://u:pw@proxy:443",
            "http://u:pw@proxy:3128/path",
            "not a url",
        ] {
            let e = Proxies::fixed(bad, "").expect_err(bad);
            assert!(!e.contains("pw"), "{e}");
        }
        assert!(!Proxies::none().is_set());
    }
}
