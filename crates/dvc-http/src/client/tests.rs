use super::*;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server that answers the first request of every connection and closes it on reading
/// the second, without answering: a kept-alive connection gone stale. Counts requests.
async fn closes_every_second_request() -> (String, std::sync::Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let seen = std::sync::Arc::new(AtomicU64::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                for answered in [true, false] {
                    // One request: a head and its (small, declared) body.
                    loop {
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length = text[..end]
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length: "))
                                .and_then(|n| n.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + length {
                                buf.drain(..end + 4 + length);
                                break;
                            }
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                    if answered {
                        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if socket.write_all(ok).await.is_err() {
                            return;
                        }
                    }
                }
                // The second request is dropped with the connection.
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_post_goes_on_a_fresh_connection_when_the_idle_one_was_closed() {
    // Answers one request per connection (without saying it closes), then closes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/api/dossiers",
        listener.local_addr().expect("address")
    );
    let (closed_tx, mut closed) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = socket
                .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
                .await;
            drop(socket);
            let _ = closed_tx.send(());
        }
    });
    let client = build(false, &[]).expect("client");
    let post = || Prepared {
        method: hyper::Method::POST,
        ..Prepared::get(&url)
    };
    for _ in 0..3 {
        let answer = client.send(post()).await.expect("answered");
        assert_eq!(answer.status, 503);
        closed
            .recv()
            .await
            .expect("the server closed the connection");
    }
}

#[tokio::test]
async fn a_post_is_never_sent_twice_on_a_stale_connection() {
    let client = build(false, &[]).expect("client");
    let (url, seen) = closes_every_second_request().await;
    let post = || Prepared {
        method: hyper::Method::POST,
        body: Bytes::from_static(b"{\"dossier\":1}"),
        ..Prepared::get(format!("{url}/api/dossiers"))
    };
    client
        .send(post())
        .await
        .expect("the first POST is answered");
    let e = client
        .send(post())
        .await
        .expect_err("the second is not sent again");
    assert!(e.to_string().contains("a POST is not sent again"), "{e}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "the server saw each POST once"
    );

    // A GET may be repeated: it is, on a fresh connection, and answered.
    let (url, seen) = closes_every_second_request().await;
    let get = || Prepared::get(format!("{url}/"));
    client.send(get()).await.expect("answered");
    let answer = client.send(get()).await.expect("answered after a retry");
    assert_eq!(answer.status, 200);
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}
