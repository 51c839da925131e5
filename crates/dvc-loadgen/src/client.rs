//! The one HTTP client of the runner. Plain `http://` goes through a lean pool of HTTP/1.1
//! connections (hyper's connection API; a request takes an idle connection or opens one, and
//! gives it back once the whole answer is read). `https://` goes through hyper-util's pooled
//! client over rustls, with HTTP/1.1 or HTTP/2 chosen by ALPN and Mozilla's root certificates.

use http_body_util::BodyExt;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type TlsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;
type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// The client: cheap to clone, shared by every journey.
#[derive(Clone)]
pub struct HttpClient {
    tls: TlsClient,
    idle: Arc<Mutex<HashMap<String, Vec<Sender>>>>,
}

/// A whole answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

/// Why there is no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Connect(String),
    #[error("{0}")]
    Http(String),
}

impl HttpClient {
    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Result<Answer, SendError> {
        if request.uri().scheme_str() == Some("http") {
            return self.send_plain(request).await;
        }
        let response = self
            .tls
            .request(request)
            .await
            .map_err(|e| SendError::Connect(format!("{e:#}")))?;
        read_answer(response).await
    }

    async fn send_plain(
        &self,
        mut request: hyper::Request<Full<Bytes>>,
    ) -> Result<Answer, SendError> {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| SendError::Connect("URL without a host".into()))?;
        // HTTP/1.1 on a connection of our own: origin-form target and a Host header.
        if !request.headers().contains_key(hyper::header::HOST)
            && let Ok(host) = hyper::header::HeaderValue::from_str(&authority)
        {
            request.headers_mut().insert(hyper::header::HOST, host);
        }
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        *request.uri_mut() = target
            .parse()
            .map_err(|e| SendError::Http(format!("bad request target {target:?}: {e}")))?;
        let mut sender = match self.take_idle(&authority) {
            Some(s) => s,
            None => connect(&authority).await?,
        };
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| SendError::Connect(format!("{e:#}")))?;
        let answer = read_answer(response).await?;
        if !sender.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(authority)
                .or_default()
                .push(sender);
        }
        Ok(answer)
    }

    fn take_idle(&self, authority: &str) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let senders = idle.get_mut(authority)?;
        while let Some(s) = senders.pop() {
            if s.is_ready() && !s.is_closed() {
                return Some(s);
            }
        }
        None
    }
}

async fn read_answer(
    response: hyper::Response<hyper::body::Incoming>,
) -> Result<Answer, SendError> {
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| SendError::Http(format!("reading the body: {e}")))?
        .to_bytes();
    Ok(Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

async fn connect(authority: &str) -> Result<Sender, SendError> {
    let address = if authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let stream = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect(&address),
    )
    .await
    .map_err(|_| SendError::Connect(format!("connecting to {address} took over 10 s")))?
    .map_err(|e| SendError::Connect(format!("cannot connect to {address}: {e}")))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| SendError::Connect(format!("HTTP handshake with {address}: {e}")))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Builds the client. `insecure` accepts any server certificate; `extra_roots` are trusted
/// beside Mozilla's roots.
pub fn build(
    insecure: bool,
    extra_roots: &[CertificateDer<'static>],
) -> Result<HttpClient, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let tls = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let mut roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in extra_roots {
            roots.add(cert.clone())?;
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_all_versions()
        .wrap_connector(http);
    let tls = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(usize::MAX)
        .build(connector);
    Ok(HttpClient {
        tls,
        idle: Arc::new(Mutex::new(HashMap::new())),
    })
}

/// For staging portals with self-signed certificates (`insecure_skip_verify = true`).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// True for loopback hosts (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Refuses a target that is not loopback unless the scenario lists its host in `allow_hosts`
/// and the user confirmed with `--allow-remote`.
pub fn check_target(url: &str, allow_hosts: &[String], allow_remote: bool) -> Result<(), String> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| format!("bad target URL {url:?}: {e}"))?;
    let host = uri
        .host()
        .ok_or_else(|| format!("target URL {url:?} has no host"))?;
    if is_loopback(host) {
        return Ok(());
    }
    if !allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(format!(
            "target host {host:?} is not loopback and not in [target] allow_hosts; add it there to load-test it"
        ));
    }
    if !allow_remote {
        return Err(format!(
            "target host {host:?} is remote: confirm with --allow-remote that you may load-test it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_allowed_without_confirmation() {
        assert!(check_target("http://127.0.0.1:8080", &[], false).is_ok());
        assert!(check_target("http://127.3.2.1", &[], false).is_ok());
        assert!(check_target("http://[::1]:80", &[], false).is_ok());
        assert!(check_target("http://localhost", &[], false).is_ok());
        let remote = "https://dichvucong.example.vn";
        assert!(check_target(remote, &[], true).is_err_and(|e| e.contains("allow_hosts")));
        let hosts = vec!["dichvucong.example.vn".to_owned()];
        assert!(check_target(remote, &hosts, false).is_err_and(|e| e.contains("--allow-remote")));
        assert!(check_target(remote, &hosts, true).is_ok());
        assert!(check_target("http://10.0.0.5", &[], false).is_err());
    }
}
