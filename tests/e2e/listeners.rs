//! Every listener under a socket flood (bounded, loopback): silent sockets, heads sent a line
//! at a time and more connections than allowed. Each server keeps answering, closes the
//! flood within its header-read timeout, and lives on.

use dvcbench_e2e::{Scratch, sim, start_probe};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Opens `n` connections to `addr`: every other one sends half a request head and stops, the
/// rest send nothing. Returns the streams, which the caller holds.
async fn flood(addr: &str, n: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for i in 0..n {
        let Ok(Ok(mut s)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await
        else {
            continue;
        };
        if i % 2 == 0 {
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
        }
        held.push(s);
    }
    held
}

/// Counts the streams the server has closed, waiting at most `within` for each.
async fn closed(streams: &mut [TcpStream], within: Duration) -> usize {
    use tokio::io::AsyncReadExt;
    let mut n = 0;
    let deadline = Instant::now() + within;
    for s in streams.iter_mut() {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut buf = [0u8; 256];
        loop {
            match tokio::time::timeout(left, s.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) => {
                    n += 1;
                    break;
                }
                Ok(Ok(_)) => {}
                Err(_) => break,
            }
        }
    }
    n
}

/// A GET to `url` on a new connection (the server closes idle ones within a second here, so
/// a pooled one could be gone) is answered 200 within `within`.
async fn answers(url: &str, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let rest = url.trim_start_matches("http://");
    let (addr, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let exchange = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).await.ok()?;
        Some(head.starts_with(b"HTTP/1.1 200"))
    };
    tokio::time::timeout(within, exchange)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

#[tokio::test]
async fn the_portal_survives_a_socket_flood_and_keeps_answering() {
    let portal = sim::start(
        "[limits]\nmax_connections = 32\nheader_read_timeout = \"1s\"\n[[portal]]\nprovince = \"01\"\n",
    )
    .await;
    let addr = portal.addr.to_string();
    let healthz = format!("{}/healthz", portal.url());
    let mut held = flood(&addr, 200).await;
    // Over the limit, a fresh request waits for a slot: the flood's first 32 are cut after
    // 1 s, then the next 32, … so it is answered within a few seconds, never refused.
    assert!(
        answers(&healthz, Duration::from_secs(10)).await,
        "answered during the flood"
    );
    let cut = closed(&mut held, Duration::from_secs(15)).await;
    assert_eq!(
        cut,
        held.len(),
        "every flood connection is closed by the server"
    );
    let started = Instant::now();
    assert!(answers(&healthz, Duration::from_secs(2)).await);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "served at once after the flood"
    );
    portal.shutdown().await;
}

#[tokio::test]
async fn the_probe_survives_a_socket_flood_and_keeps_answering() {
    let dir = Scratch::new("listeners-probe");
    let config = dir.write(
        "probe.toml",
        "[probe]\nmax_connections = 16\nheader_read_timeout = \"1s\"\n\
         [[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"http://127.0.0.1:9\"\n",
    );
    let (_probe, _, url) = start_probe(&config, None);
    let addr = url.trim_start_matches("http://").to_owned();
    let mut held = flood(&addr, 120).await;
    assert!(
        answers(&format!("{url}/healthz"), Duration::from_secs(15)).await,
        "answered during the flood"
    );
    let cut = closed(&mut held, Duration::from_secs(15)).await;
    assert_eq!(
        cut,
        held.len(),
        "every flood connection is closed by the probe"
    );
    assert!(answers(&format!("{url}/metrics"), Duration::from_secs(2)).await);
}
