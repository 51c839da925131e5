use super::*;
use hyper::header::HeaderValue;
use tokio::net::TcpListener;

/// A server that answers each request with the next canned response, then closes.
async fn canned(responses: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0; 64 * 1024];
        let mut seen = Vec::new();
        for response in responses {
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.expect("read");
                if n == 0 {
                    return;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            let end = seen.windows(4).position(|w| w == b"\r\n\r\n").expect("end") + 4;
            seen.drain(..end);
            // Answer in small pieces so every parser path meets a partial buffer.
            for piece in response.chunks(7) {
                socket.write_all(piece).await.expect("write");
                socket.flush().await.expect("flush");
                tokio::task::yield_now().await;
            }
        }
    });
    address
}

/// The head of a `GET /` with no fields.
pub(super) fn get_head() -> Vec<u8> {
    let mut head = Vec::new();
    request_head(
        &hyper::Method::GET,
        "/",
        Some("t"),
        &HeaderMap::new(),
        0,
        &mut head,
    );
    head
}

async fn get(conn: &mut Conn) -> Exchange {
    conn.exchange(&get_head(), &[], false, 64 << 20)
        .await
        .expect("a complete exchange")
}

#[tokio::test]
async fn reads_length_chunked_and_close_delimited_bodies_on_one_connection() {
    let address = canned(vec![
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello".to_vec(),
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nxin \r\n5;ext=1\r\nchao!\r\n0\r\nX-Trailer: 1\r\n\r\n".to_vec(),
        b"HTTP/1.1 204 No Content\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\n\r\nuntil the end".to_vec(),
    ])
    .await;
    let mut conn = Conn::open(&address).await.expect("connect");
    let first = get(&mut conn).await;
    assert_eq!((first.status, &first.body[..]), (200, &b"hello"[..]));
    let cookies = first.headers.get_all("Set-Cookie");
    assert_eq!(cookies, [&b"a=1"[..], &b"b=2"[..]]);
    assert_eq!(first.headers.get("content-length"), Some("5"));
    assert!(first.reusable);
    let second = get(&mut conn).await;
    assert_eq!((second.status, &second.body[..]), (201, &b"xin chao!"[..]));
    assert!(second.reusable);
    let third = get(&mut conn).await;
    assert_eq!(
        (third.status, third.body.len(), third.reusable),
        (204, 0, true)
    );
    let fourth = get(&mut conn).await;
    assert_eq!(&fourth.body[..], b"until the end");
    assert!(
        !fourth.reusable,
        "a close-delimited body ends the connection"
    );
}

#[tokio::test]
async fn connection_close_and_truncation_are_reported() {
    let address = canned(vec![
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok".to_vec(),
    ])
    .await;
    let mut conn = Conn::open(&address).await.expect("connect");
    let answer = get(&mut conn).await;
    assert_eq!(&answer.body[..], b"ok");
    assert!(!answer.reusable);

    let e = refused(&[b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".to_vec()]).await;
    assert_eq!(e.message, "connection closed inside the body");
    assert_eq!(e.stage, Reached::Response);

    // A server that closes without answering: the request was sent, no response began.
    let e = refused(&[]).await;
    assert_eq!(e.stage, Reached::Sent, "{}", e.message);
}

/// The error a GET ends in when a server gives the canned `responses` (none: it closes).
async fn refused(responses: &[Vec<u8>]) -> ExchangeError {
    let address = canned(responses.to_vec()).await;
    let mut conn = Conn::open(&address).await.expect("connect");
    conn.exchange(&get_head(), &[], false, 64 << 20)
        .await
        .expect_err("refused")
}

#[tokio::test]
async fn absurd_lengths_and_sizes_are_errors_not_panics() {
    let limit = "response body over the limit of 64 MiB";
    for response in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nx"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\nx",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff0\r\nx",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000001\r\nx",
    ] {
        let e = refused(&[response.to_vec()]).await;
        assert_eq!(e.message, limit, "{}", String::from_utf8_lossy(response));
        assert_eq!(e.stage, Reached::TooLarge);
    }
    let conflicting = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc";
    let e = refused(&[conflicting.to_vec()]).await;
    assert_eq!(e.message, "conflicting Content-Length values");
    // The same length twice is one length.
    let address = canned(vec![
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok".to_vec(),
    ])
    .await;
    let mut conn = Conn::open(&address).await.expect("connect");
    assert_eq!(&get(&mut conn).await.body[..], b"ok");
}

#[test]
fn request_heads_carry_a_length_for_bodies() {
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", HeaderValue::from_static("7"));
    let mut out = Vec::new();
    request_head(
        &hyper::Method::POST,
        "/api?q=1",
        Some("127.0.0.1:8080"),
        &headers,
        3,
        &mut out,
    );
    assert_eq!(
        String::from_utf8(out).expect("text"),
        "POST /api?q=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nx-request-id: 7\r\ncontent-length: 3\r\n\r\n"
    );
}
