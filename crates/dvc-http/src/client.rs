//! The client: one pool of HTTP/1.1 connections of our own (`h1`), plain or over TLS, driven
//! by the caller's task (a request takes an idle connection or opens one, and gives it back
//! once the whole answer is read). A TLS server that chooses HTTP/2 by ALPN is remembered, and
//! its requests go through hyper-util's pooled client instead. Certificates are checked
//! against Mozilla's roots (webpki-roots) and any the user adds.

use crate::h1::{self, Reached, size_text};
use crate::proxy::{Connector, Proxies, Route};
use crate::tls::tls_config;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::ServerName;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_rustls::TlsConnector;

type TlsClient = Client<HttpsConnector<Connector>, Full<Bytes>>;

/// Largest response body accepted unless the caller sets another: far above any page,
/// document or scan a portal serves, and low enough that a server announcing or streaming more
/// cannot exhaust the generator's memory.
pub const DEFAULT_BODY_LIMIT: usize = 64 << 20;

/// Highest body limit a caller may set (1 TiB): keeps every length sum far from overflow.
const MAX_BODY_LIMIT: usize = 1 << 40;

/// How long opening a connection (TCP, then TLS) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The idle connections to one origin (scheme and authority), and whether it speaks HTTP/2.
#[derive(Debug)]
struct Origin {
    origin: String,
    idle: Vec<h1::Conn>,
    h2: bool,
}

/// The client: cheap to clone, shared by every journey.
#[derive(Clone)]
pub struct HttpClient {
    hyper: TlsClient,
    tls: TlsConnector,
    /// Origins seen, with their idle connections (a run talks to one or two origins, so a
    /// short list searched in order beats hashing on every request).
    origins: Arc<Mutex<Vec<Origin>>>,
    body_limit: usize,
    proxies: Proxies,
}

/// A whole answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: h1::Headers,
    pub body: Bytes,
}

/// Why there is no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// No response began: the connection could not be opened, or failed before a response.
    #[error("{0}")]
    Connect(String),
    /// A response began but could not be read as HTTP.
    #[error("{0}")]
    Protocol(String),
    /// The response body is over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The request could not be sent as given (a bad URL, a control character in its target).
    #[error("{0}")]
    Request(String),
}

/// A request ready to send: an absolute URL, header fields and a whole body.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: hyper::Method,
    pub url: String,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Prepared {
    /// A GET of `url` with no header fields.
    pub fn get(url: impl Into<String>) -> Prepared {
        Prepared {
            method: hyper::Method::GET,
            url: url.into(),
            headers: hyper::HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

/// An absolute URL's parts: TLS or not, `scheme://authority` and the request target.
fn split_url(url: &str) -> Result<(bool, &str, &str, &str), SendError> {
    let (tls, rest) = if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else {
        return Err(SendError::Request(format!(
            "{url:?} is not an http:// or https:// URL"
        )));
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(split);
    if authority.is_empty() {
        return Err(SendError::Request(format!("{url:?} has no host")));
    }
    let origin = &url[..url.len() - target.len()];
    Ok((tls, origin, authority, target))
}

impl HttpClient {
    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: Prepared) -> Result<Answer, SendError> {
        let (tls, origin, authority, target) = split_url(&request.url)?;
        // A space or control character would end the request line and start another.
        if let Some(b) = target.bytes().find(|b| b.is_ascii_control() || *b == b' ') {
            return Err(SendError::Request(format!(
                "the request target holds {b:#04x}: not sent"
            )));
        }
        let route = self.proxies.route(origin).map_err(SendError::Request)?;
        let idle = match self.checkout(origin) {
            // Boxed: hyper's request future is large, and HTTP/1.1 requests would otherwise
            // carry its size in every journey.
            Checkout::Http2 => return Box::pin(self.send_hyper(request)).await,
            Checkout::Http1(idle) => idle,
        };
        let via = Via {
            tls,
            origin,
            authority,
            route: route.as_ref(),
        };
        match self.send_h1(&request, idle, &via, target).await {
            Err(H1Error::Http2) => Box::pin(self.send_hyper(request)).await,
            Err(H1Error::Send(e)) => Err(e),
            Ok(answer) => Ok(answer),
        }
    }

    /// What the pool has for `origin`, in one look: HTTP/2, or an idle connection if any.
    fn checkout(&self, origin: &str) -> Checkout {
        let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        match origins.iter_mut().find(|o| o.origin == origin) {
            Some(o) if o.h2 => Checkout::Http2,
            Some(o) => Checkout::Http1(o.idle.pop()),
            None => Checkout::Http1(None),
        }
    }

    /// Runs `f` on the pool's entry for `origin`, made if there is none yet.
    fn with_origin(&self, origin: &str, f: impl FnOnce(&mut Origin)) {
        let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        let at = match origins.iter().position(|o| o.origin == origin) {
            Some(at) => at,
            None => {
                origins.push(Origin {
                    origin: origin.to_owned(),
                    idle: Vec::new(),
                    h2: false,
                });
                origins.len() - 1
            }
        };
        f(&mut origins[at]);
    }

    /// HTTP/2 through hyper-util's pooled client.
    async fn send_hyper(&self, request: Prepared) -> Result<Answer, SendError> {
        let mut builder = hyper::Request::builder()
            .method(request.method)
            .uri(&request.url);
        if let Some(headers) = builder.headers_mut() {
            *headers = request.headers;
        }
        let request = builder
            .body(Full::new(request.body))
            .map_err(|e| SendError::Request(format!("bad request for {}: {e}", request.url)))?;
        let response = self.hyper.request(request).await.map_err(|e| {
            let parse = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<hyper::Error>())
                .is_some_and(|h| h.is_parse() || h.is_parse_status());
            if parse {
                SendError::Protocol(format!("{e:#}"))
            } else {
                SendError::Connect(format!("{e:#}"))
            }
        })?;
        let (parts, body) = response.into_parts();
        let limit = self.body_limit;
        let body = Limited::new(body, limit)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    SendError::TooLarge(format!(
                        "response body over the limit of {}",
                        size_text(limit)
                    ))
                } else {
                    SendError::Protocol(format!("reading the body: {e}"))
                }
            })?
            .to_bytes();
        Ok(Answer {
            status: parts.status.as_u16(),
            headers: h1::Headers::from_map(&parts.headers),
            body,
        })
    }

    /// HTTP/1.1 on a pooled connection of our own.
    async fn send_h1(
        &self,
        request: &Prepared,
        idle: Option<h1::Conn>,
        via: &Via<'_>,
        target: &str,
    ) -> Result<Answer, H1Error> {
        let Via {
            tls,
            origin,
            authority,
            route,
        } = *via;
        // A request that is not sent twice does not go on a connection already closed.
        let idle = idle.filter(|c| idempotent(&request.method) || !c.is_stale());
        // Connecting is boxed: its future is large and rare beside a pooled exchange.
        let mut conn = match idle {
            Some(c) => c,
            None => Box::pin(self.connect(via)).await?,
        };
        let mut head = std::mem::take(&mut conn.head);
        head.clear();
        let target = if target.starts_with('?') || target.is_empty() {
            std::borrow::Cow::Owned(format!("/{target}"))
        } else {
            std::borrow::Cow::Borrowed(target)
        };
        let host = (!request.headers.contains_key(hyper::header::HOST)).then_some(authority);
        match route.filter(|_| !tls) {
            // Plain HTTP through a proxy: the absolute URL is the target (RFC 9112 §3.2.2).
            Some(route) => {
                let mut headers = request.headers.clone();
                if let Some(auth) = &route.auth {
                    headers.insert(hyper::header::PROXY_AUTHORIZATION, auth.clone());
                }
                h1::request_head(
                    &request.method,
                    &format!("{origin}{target}"),
                    host,
                    &headers,
                    request.body.len(),
                    &mut head,
                );
            }
            None => h1::request_head(
                &request.method,
                &target,
                host,
                &request.headers,
                request.body.len(),
                &mut head,
            ),
        }
        let body = &request.body;
        let is_head = request.method == hyper::Method::HEAD;
        let limit = self.body_limit;
        let exchange = match conn.exchange(&head, body, is_head, limit).await {
            Ok(x) => x,
            // A kept-alive connection the server closed meanwhile: once more on a fresh one
            // when nothing was written, or for a method that may be sent twice (RFC 9112
            // §9.3.1). The server may have received a request written before it closed: a POST
            // is never sent again.
            Err(e)
                if e.stage == Reached::Unsent
                    || (e.stage == Reached::Sent
                        && conn.used > 1
                        && idempotent(&request.method)) =>
            {
                conn = Box::pin(self.connect(via)).await?;
                conn.exchange(&head, body, is_head, limit)
                    .await
                    .map_err(|e| H1Error::Send(exchange_error(e)))?
            }
            Err(e) if e.stage == Reached::Sent && conn.used > 1 => {
                return Err(H1Error::Send(SendError::Connect(format!(
                    "{} on a kept-alive connection; a {} is not sent again (the server may have received it)",
                    e.message, request.method
                ))));
            }
            Err(e) => return Err(H1Error::Send(exchange_error(e))),
        };
        if exchange.reusable {
            conn.head = head;
            self.with_origin(origin, |o| o.idle.push(conn));
        }
        Ok(Answer {
            status: exchange.status,
            headers: exchange.headers,
            body: exchange.body,
        })
    }

    /// Opens a connection to `authority`; a TLS server that chooses HTTP/2 is remembered, and
    /// the request goes through hyper.
    async fn connect(&self, via: &Via<'_>) -> Result<h1::Conn, H1Error> {
        let Via {
            tls,
            origin,
            authority,
            route,
        } = *via;
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.ends_with(':') && port.parse::<u16>().is_ok());
        let address = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:{}", if tls { 443 } else { 80 })
        };
        // Through a proxy, the connection (and its errors) are the proxy's; TLS still goes end
        // to end with the origin, in a CONNECT tunnel.
        let (via_proxy, dialled) = match route {
            Some(r) => (
                format!(" through the proxy {}", r.shown()),
                r.address.as_str(),
            ),
            None => (String::new(), address.as_str()),
        };
        let opened = if tls {
            let host = address.rsplit_once(':').map_or("", |(host, _)| host);
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let name = ServerName::try_from(host.to_owned()).map_err(|e| {
                H1Error::Send(SendError::Request(format!("bad host name {host:?}: {e}")))
            })?;
            let open = async {
                match route {
                    Some(r) => {
                        let stream = crate::proxy::tunnel(r, &address)
                            .await
                            .map_err(std::io::Error::other)?;
                        h1::Conn::tls_over(stream, name, &self.tls).await
                    }
                    None => h1::Conn::open_tls(&address, name, &self.tls).await,
                }
            };
            tokio::time::timeout(CONNECT_TIMEOUT, open).await
        } else {
            let open = h1::Conn::open(dialled);
            tokio::time::timeout(CONNECT_TIMEOUT, async { open.await.map(|c| (c, false)) }).await
        };
        let (conn, h2) = opened
            .map_err(|_| {
                H1Error::Send(SendError::Connect(format!(
                    "connecting to {address}{via_proxy} took over {CONNECT_TIMEOUT:?}"
                )))
            })?
            .map_err(|e| {
                H1Error::Send(SendError::Connect(format!(
                    "cannot connect to {address}{via_proxy}: {e}"
                )))
            })?;
        if h2 {
            self.with_origin(origin, |o| o.h2 = true);
            return Err(H1Error::Http2);
        }
        Ok(conn)
    }
}

/// Where a request goes: its origin, and the proxy it goes through, if any.
#[derive(Clone, Copy)]
struct Via<'a> {
    tls: bool,
    origin: &'a str,
    authority: &'a str,
    route: Option<&'a Route>,
}

/// What the pool has for an origin.
enum Checkout {
    /// The origin's server chose HTTP/2: requests go through hyper.
    Http2,
    /// HTTP/1.1, with an idle connection if one waits.
    Http1(Option<h1::Conn>),
}

/// Why the HTTP/1.1 path gave no answer: an error, or the server chose HTTP/2.
enum H1Error {
    Http2,
    Send(SendError),
}

impl From<SendError> for H1Error {
    fn from(e: SendError) -> Self {
        H1Error::Send(e)
    }
}

fn exchange_error(e: h1::ExchangeError) -> SendError {
    match e.stage {
        Reached::Unsent | Reached::Sent => SendError::Connect(e.message),
        Reached::Response => SendError::Protocol(e.message),
        Reached::TooLarge => SendError::TooLarge(e.message),
    }
}

/// Methods whose repetition has the effect of sending them once (RFC 9110 §9.2.2).
fn idempotent(method: &hyper::Method) -> bool {
    use hyper::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::TRACE,
        Method::PUT,
        Method::DELETE,
    ]
    .contains(method)
}

impl HttpClient {
    /// Builds a client.
    pub fn new(options: &Options) -> Result<HttpClient, rustls::Error> {
        let config = tls_config(options.insecure, &options.extra_roots)?;
        let mut own = config.clone();
        own.alpn_protocols = if options.http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(Connector {
                http: crate::proxy::connector(),
                proxies: options.proxies.clone(),
            });
        let hyper = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        Ok(HttpClient {
            hyper,
            tls: TlsConnector::from(Arc::new(own)),
            origins: Arc::new(Mutex::new(Vec::new())),
            body_limit: options.body_limit.min(MAX_BODY_LIMIT),
            proxies: options.proxies.clone(),
        })
    }
}

mod options;
pub use options::{Options, build};

#[cfg(test)]
mod tests;
