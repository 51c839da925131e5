//! How a client is built: its options, and the shorthand most callers use.

use super::{DEFAULT_BODY_LIMIT, HttpClient};
use crate::proxy::Proxies;
use rustls::pki_types::CertificateDer;

/// How the client is built.
#[derive(Debug, Clone)]
pub struct Options {
    /// Accept any server certificate (staging portals with self-signed certificates).
    pub insecure: bool,
    /// Certificates trusted beside Mozilla's roots.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Largest response body, in bytes; a longer one fails the request (`body_too_large`).
    pub body_limit: usize,
    /// Offer HTTP/2 to TLS servers (ALPN); when false every request is HTTP/1.1.
    pub http2: bool,
    /// Which requests go through a proxy: by default those the environment's `HTTP_PROXY`,
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` send through one.
    pub proxies: Proxies,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            insecure: false,
            extra_roots: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            http2: true,
            proxies: Proxies::from_env(),
        }
    }
}

/// Builds a client with default options but for `insecure` (accept any server certificate)
/// and `extra_roots` (trusted beside Mozilla's roots).
pub fn build(
    insecure: bool,
    extra_roots: &[CertificateDer<'static>],
) -> Result<HttpClient, rustls::Error> {
    HttpClient::new(&Options {
        insecure,
        extra_roots: extra_roots.to_vec(),
        ..Options::default()
    })
}
