//! A forward proxy on loopback standing in for an IT centre's (Squid and the like): `CONNECT`
//! tunnels for `https://`, absolute-form requests for `http://`, optionally requiring
//! `Proxy-Authorization`. Destinations are looked up in a map, so a test can point a scenario
//! at a port where nothing listens: a request that went around the proxy fails.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The running proxy: its address and what it carried.
pub struct Proxy {
    pub addr: SocketAddr,
    /// CONNECT tunnels opened.
    pub tunnels: Arc<AtomicU64>,
    /// Connections that began with a plain (absolute-form) request.
    pub forwarded: Arc<AtomicU64>,
    /// Requests refused for lack of the right Proxy-Authorization.
    pub refused: Arc<AtomicU64>,
}

impl Proxy {
    pub fn tunnels(&self) -> u64 {
        self.tunnels.load(Ordering::Relaxed)
    }

    pub fn forwarded(&self) -> u64 {
        self.forwarded.load(Ordering::Relaxed)
    }

    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Starts a proxy sending `host:port` destinations to the addresses of `routes` (others are
/// answered 502), requiring `Proxy-Authorization: <auth>` when `auth` is given.
pub async fn start(routes: HashMap<String, SocketAddr>, auth: Option<String>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let proxy = Proxy {
        addr,
        tunnels: Arc::default(),
        forwarded: Arc::default(),
        refused: Arc::default(),
    };
    let (tunnels, forwarded, refused) = (
        proxy.tunnels.clone(),
        proxy.forwarded.clone(),
        proxy.refused.clone(),
    );
    let routes = Arc::new(routes);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (routes, auth) = (routes.clone(), auth.clone());
            let (tunnels, forwarded, refused) =
                (tunnels.clone(), forwarded.clone(), refused.clone());
            tokio::spawn(async move {
                let _ = serve(
                    client,
                    &routes,
                    auth.as_deref(),
                    &tunnels,
                    &forwarded,
                    &refused,
                )
                .await;
            });
        }
    });
    proxy
}

async fn serve(
    mut client: TcpStream,
    routes: &HashMap<String, SocketAddr>,
    auth: Option<&str>,
    tunnels: &AtomicU64,
    forwarded: &AtomicU64,
    refused: &AtomicU64,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = client.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if head.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let mut words = text.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    if let Some(want) = auth {
        let given = text.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
                .map(|(_, v)| v.trim().to_owned())
        });
        if given.as_deref() != Some(want) {
            refused.fetch_add(1, Ordering::Relaxed);
            client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await?;
            return Ok(());
        }
    }
    if method == "CONNECT" {
        let Some(dest) = routes.get(target) else {
            client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await?;
            return Ok(());
        };
        let mut upstream = TcpStream::connect(dest).await?;
        tunnels.fetch_add(1, Ordering::Relaxed);
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        upstream.write_all(&head[end..]).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    // http://host:port/path → origin-form to the mapped address; later requests on this
    // connection pass as they are (a server accepts the absolute form too).
    let Some(rest) = target.strip_prefix("http://") else {
        client
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Some(dest) = routes.get(authority) else {
        client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let mut upstream = TcpStream::connect(dest).await?;
    forwarded.fetch_add(1, Ordering::Relaxed);
    let rewritten = text.replacen(target, if path.is_empty() { "/" } else { path }, 1);
    upstream.write_all(rewritten.as_bytes()).await?;
    upstream.write_all(&head[end..]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
