//! Listeners that degrade instead of dying: every server of dvcbench (the portal simulator,
//! the probe, the runner's live metrics) accepts through [`serve`].
//!
//! - At most [`Limits::max_connections`] connections are served at once; further ones wait in
//!   the kernel's accept queue until one ends, so a flood of sockets cannot exhaust the
//!   process's descriptors.
//! - A request head must arrive whole within [`Limits::header_read_timeout`] (slowloris), and
//!   a kept-alive HTTP/1.1 connection that sends no new request for as long is closed, since
//!   waiting for the next head is that same wait; a connection that sends nothing at all is
//!   closed as long after it opened. The servers speak HTTP/1.1 only (no protocol sniffing,
//!   which would wait on a silent socket with no timeout).
//! - Accept errors (out of descriptors) pause accepting briefly instead of ending the server.
//! - Shutdown is graceful: no new connection, requests in progress finish (for at most 10 s).

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What one listener allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Longest wait for a whole request head, and longest idle time of a kept-alive
    /// connection.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    /// 512 connections (well under the usual 1024 descriptors a service may open), 10 s.
    fn default() -> Limits {
        Limits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `service` on `listener` within `limits` until `shutdown` completes, then lets the
/// requests in progress finish.
pub async fn serve<S, B>(
    listener: TcpListener,
    service: S,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) where
    S: tower_service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of descriptors or a connection reset before accept: wait, go on.
                    tracing::warn!(%err, "accept failed; pausing");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(service.clone()),
        );
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            // A reset, a timeout or garbage from the peer ends only this connection.
            let _ = watched.await;
            drop(permit);
        });
    }
    drop(listener);
    // Requests in progress finish; a peer that holds its connection open past the grace
    // period does not hold the server.
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?} of shutdown were cut");
    }
}

/// How long shutdown waits for requests in progress.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;
    use hyper::body::Bytes;
    use std::task::{Context, Poll};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::time::{Instant, timeout};

    #[derive(Clone)]
    struct Hello;

    impl tower_service::Service<Request<Incoming>> for Hello {
        type Response = Response<Full<Bytes>>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: Request<Incoming>) -> Self::Future {
            std::future::ready(Ok(Response::new(Full::new(Bytes::from_static(b"ok")))))
        }
    }

    const HEAD_TIMEOUT: Duration = Duration::from_millis(300);

    async fn start(max_connections: usize) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let limits = Limits {
            max_connections,
            header_read_timeout: HEAD_TIMEOUT,
        };
        tokio::spawn(serve(listener, Hello, limits, std::future::pending()));
        addr
    }

    /// Sends a whole request on `stream` and reads the answer's first bytes.
    async fn ask(stream: &mut TcpStream) -> String {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .expect("written");
        let mut buf = [0u8; 512];
        let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .expect("read");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// Whether the server closes `stream` within `within`.
    async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
        let mut buf = [0u8; 512];
        loop {
            match timeout(within, stream.read(&mut buf)).await {
                Err(_) => return false,
                Ok(Ok(0) | Err(_)) => return true,
                // A 408 or similar before closing.
                Ok(Ok(_)) => {}
            }
        }
    }

    #[tokio::test]
    async fn a_head_sent_too_slowly_is_cut_and_others_are_served_meanwhile() {
        let addr = start(64).await;
        let mut slow = Vec::new();
        for _ in 0..20 {
            let mut s = TcpStream::connect(addr).await.expect("connect");
            s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n")
                .await
                .expect("half a head");
            slow.push(s);
        }
        let mut fresh = TcpStream::connect(addr).await.expect("connect");
        assert!(ask(&mut fresh).await.starts_with("HTTP/1.1 200"));
        let started = Instant::now();
        for s in &mut slow {
            assert!(
                closed_within(s, Duration::from_secs(3)).await,
                "a slow head is cut"
            );
        }
        assert!(
            started.elapsed() < HEAD_TIMEOUT * 4,
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_kept_alive_connection_left_idle_is_closed() {
        let addr = start(64).await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        assert!(ask(&mut s).await.starts_with("HTTP/1.1 200"));
        assert!(ask(&mut s).await.starts_with("HTTP/1.1 200"), "kept alive");
        let idle = Instant::now();
        assert!(closed_within(&mut s, Duration::from_secs(3)).await);
        let waited = idle.elapsed();
        assert!(
            waited >= HEAD_TIMEOUT / 2 && waited < HEAD_TIMEOUT * 4,
            "closed after {waited:?}"
        );
    }

    #[tokio::test]
    async fn connections_over_the_limit_wait_their_turn_and_are_then_served() {
        let addr = start(4).await;
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(TcpStream::connect(addr).await.expect("connect"));
        }
        // Let the server accept the four before the fifth arrives.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut fifth = TcpStream::connect(addr)
            .await
            .expect("queued by the kernel");
        fifth
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .expect("written");
        let mut buf = [0u8; 512];
        let early = timeout(HEAD_TIMEOUT / 3, fifth.read(&mut buf)).await;
        assert!(early.is_err(), "the fifth waits while four are held");
        // The four silent ones time out; the fifth is then accepted and answered.
        let n = timeout(Duration::from_secs(5), fifth.read(&mut buf))
            .await
            .expect("answered once a slot frees")
            .expect("read");
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    }
}
