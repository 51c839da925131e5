//! The HTTP of dvcbench: the client shared by the runner, the probe and compare, and
//! [`serve()`], the one way its servers (portal simulator, probe, live metrics) listen, with a
//! connection limit and header-read and idle timeouts ([`serve::Limits`]).
//!
//! One [`HttpClient`] sends every request: `http://` and `https://` HTTP/1.1 go through a lean
//! pool of connections driven by the caller's own task (`h1`); when a server offers HTTP/2 by
//! ALPN the request goes through hyper instead. A [`Prepared`] request is sent with [`send`]
//! (or [`send_timed`], keeping one timer across a worker's requests) and ends in a
//! [`Response`] or a [`Failure`] whose [`Outcome`] says what went wrong.
//!
//! Requests go through the proxies of [`Options::proxies`]: by default the environment's
//! (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), see [`Proxies`].
//!
//! What the client guarantees, whatever a server answers:
//! - no panic and no unbounded allocation: lengths are checked, heads are limited to 64 KiB,
//!   bodies to the client's body limit ([`DEFAULT_BODY_LIMIT`] unless set);
//! - a response that cannot be framed (malformed head, conflicting `Content-Length`, bad
//!   chunk, cut short) is a `protocol_error`, and its connection is never used again;
//! - a request that is not idempotent (RFC 9110 §9.2.2) is never sent twice: it is retried on a
//!   fresh connection only if the kept-alive one failed before a byte was written;
//! - a request target or header holding a control character is never sent.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dvc_http::{HttpClient, Options, Outcome, Prepared, send};
//! use std::time::Duration;
//!
//! let client = HttpClient::new(&Options::default())?;
//! match send(&client, Prepared::get("https://dichvucong.example.vn/"), Duration::from_secs(10)).await {
//!     Ok(response) => println!("{} with {} bytes", response.status, response.body.len()),
//!     Err(f) if f.outcome == Outcome::ProtocolError => println!("not HTTP: {}", f.reason),
//!     Err(f) => println!("{}: {}", f.outcome.id(), f.reason),
//! }
//! # Ok(()) }
//! ```

mod client;
mod encode;
mod h1;
mod outcome;
mod proxy;
mod send;
pub mod serve;
mod target;
mod timer;
mod tls;

pub use client::{Answer, DEFAULT_BODY_LIMIT, HttpClient, Options, Prepared, SendError, build};
pub use encode::{encode, encode_component_into, encode_segment_into, percent_encode_into};
pub use h1::Headers;
pub use hyper::Method;
pub use hyper::body::Bytes;
pub use hyper::header;
pub use outcome::Outcome;
pub use proxy::Proxies;
pub use rustls::pki_types::CertificateDer;
pub use send::{Failure, Response, fail, send, send_timed};
pub use serve::serve;
pub use target::{TargetError, check_target, is_loopback};
pub use timer::RequestTimer;
pub use tls::{parse_roots, read_roots, tls_config};
