//! The one HTTP client of the runner: hyper-util's pooled client over rustls, HTTP/1.1 and
//! HTTP/2 (chosen by ALPN on https), keep-alive, Mozilla's root certificates.

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
use std::sync::Arc;
use std::time::Duration;

pub type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Builds the client. `insecure` accepts any server certificate.
pub fn build(insecure: bool) -> Result<HttpClient, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let tls = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
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
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(usize::MAX)
        .build(connector))
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
