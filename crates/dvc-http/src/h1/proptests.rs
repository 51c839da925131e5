//! The response reader against random byte streams cut at random points: it never panics,
//! and wherever hyper (whose heads httparse parses) reads a whole response, it reads the same
//! status and body.

use super::{Conn, Stream};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// Writes `pieces` to `server` once the request arrived, then closes.
async fn answer(mut server: DuplexStream, pieces: Vec<Vec<u8>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match server.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    for piece in pieces {
        if server.write_all(&piece).await.is_err() {
            return;
        }
        tokio::task::yield_now().await;
    }
}

/// What our reader makes of `pieces`: status and body, or None for an error.
async fn ours(pieces: Vec<Vec<u8>>) -> Option<(u16, Bytes)> {
    let (client, server) = tokio::io::duplex(1 << 20);
    tokio::spawn(answer(server, pieces));
    let mut conn = Conn::new(Stream::Memory(client));
    let exchange = conn
        .exchange(&super::tests::get_head(), &[], false, 1 << 20)
        .await
        .ok()?;
    Some((exchange.status, exchange.body))
}

/// What hyper makes of `pieces`.
async fn hypers(pieces: Vec<Vec<u8>>) -> Option<(u16, Bytes)> {
    let (client, server) = tokio::io::duplex(1 << 20);
    tokio::spawn(answer(server, pieces));
    let (mut send, conn) =
        hyper::client::conn::http1::handshake::<_, http_body_util::Empty<Bytes>>(
            hyper_util::rt::TokioIo::new(client),
        )
        .await
        .ok()?;
    tokio::spawn(conn);
    let request = hyper::Request::get("/")
        .header("host", "t")
        .body(http_body_util::Empty::new())
        .ok()?;
    let response = send.send_request(request).await.ok()?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, body))
}

/// A response as servers write them, well-formed or nearly.
fn response() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(304),
        Just(404),
        Just(503),
        200u16..600
    ];
    let body = proptest::collection::vec(any::<u8>(), 0..300);
    let framing = 0..5u8; // length, chunked, to close, both, two lengths
    let extra = proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,12}", "[ -~]{0,20}"), 0..4);
    let chunk = 1..64usize;
    (
        status,
        any::<bool>(),
        body,
        framing,
        extra,
        chunk,
        any::<bool>(),
    )
        .prop_map(|(status, http10, body, framing, extra, chunk, close)| {
            let mut out =
                format!("HTTP/1.{} {status} Reason\r\n", if http10 { 0 } else { 1 }).into_bytes();
            for (name, value) in extra {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            if close {
                out.extend_from_slice(b"Connection: close\r\n");
            }
            let len = body.len();
            match framing {
                0 => out.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes()),
                1 | 3 => {
                    if framing == 3 {
                        out.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes());
                    }
                    out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
                }
                4 => out.extend_from_slice(
                    format!("Content-Length: {len}\r\nContent-Length: {}\r\n", len + 1).as_bytes(),
                ),
                _ => {}
            }
            out.extend_from_slice(b"\r\n");
            if matches!(framing, 1 | 3) {
                for piece in body.chunks(chunk) {
                    out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            } else {
                out.extend_from_slice(&body);
            }
            out
        })
}

/// A response, then damaged: bytes changed, cut short or inserted, or nothing but noise.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => response(),
        3 => (response(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut r, at, b)| {
            let i = at.index(r.len());
            r[i] = b;
            r
        }),
        2 => (response(), any::<prop::sample::Index>()).prop_map(|(r, at)| {
            r[..at.index(r.len() + 1)].to_vec()
        }),
        2 => (response(), any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(mut r, at, noise)| {
                let i = at.index(r.len());
                r.splice(i..i, noise);
                r
            }),
        1 => proptest::collection::vec(any::<u8>(), 0..200),
    ]
}

/// `bytes` cut at up to eight random points.
fn pieces() -> impl Strategy<Value = Vec<Vec<u8>>> {
    (
        stream(),
        proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    )
        .prop_map(|(bytes, cuts)| {
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            at.sort_unstable();
            let mut pieces = Vec::new();
            let mut from = 0;
            for cut in at.into_iter().chain([bytes.len()]) {
                pieces.push(bytes[from..cut].to_vec());
                from = cut;
            }
            pieces
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn reads_what_hyper_reads_and_never_panics(pieces in pieces()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (ours, hypers) = runtime.block_on(async {
            (ours(pieces.clone()).await, hypers(pieces.clone()).await)
        });
        if let Some((status, body)) = hypers {
            // hyper reads past interim answers and hands a 101's connection over; neither is
            // generated here.
            let whole: Vec<u8> = pieces.concat();
            prop_assert_eq!(
                ours,
                Some((status, body)),
                "hyper read it; the stream was {:?}",
                String::from_utf8_lossy(&whole)
            );
        }
    }
}
