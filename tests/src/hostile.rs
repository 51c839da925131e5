//! A hostile HTTP server: on loopback, it answers `/b/NAME` with the misbehaviour NAME of
//! [`behaviours`] (huge or conflicting lengths, chunk-size overflow, truncated bodies, garbage,
//! interim and 101 answers, closes and resets, slow or oversized heads, `HTTP/2` status lines,
//! invalid UTF-8 header values, Transfer-Encoding beside Content-Length…), the way broken
//! portals, proxies and load balancers do. It counts every request it read whole, by name, so a
//! test can hold the runner's counts against what the server saw.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does after its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Reads the next request on the same connection.
    KeepAlive,
    /// Closes the connection.
    Close,
    /// Resets the connection (RST instead of FIN).
    Reset,
    /// Keeps the connection open and never writes again.
    Hang,
}

/// One misbehaviour and the outcome the runner must count for it.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub name: &'static str,
    /// The step outcome every request meets (`ok`, `protocol_error`, …).
    pub outcome: &'static str,
    /// What is written after the request was read, in pieces with `pause` between them.
    pub answer: Vec<Vec<u8>>,
    pub pause: Duration,
    pub then: Then,
}

fn b(name: &'static str, outcome: &'static str, answer: &[u8], then: Then) -> Behaviour {
    Behaviour {
        name,
        outcome,
        answer: vec![answer.to_vec()],
        pause: Duration::ZERO,
        then,
    }
}

fn trickled(
    name: &'static str,
    outcome: &'static str,
    answer: &[u8],
    pause: Duration,
) -> Behaviour {
    Behaviour {
        name,
        outcome,
        answer: answer.chunks(4).map(<[u8]>::to_vec).collect(),
        pause,
        then: Then::Close,
    }
}

/// The body limit the test scenario sets (`max_body = "1KB"`).
pub const BODY_LIMIT: usize = 1024;

/// Every misbehaviour, with the outcome a scenario with `timeout = "1s"` and
/// `max_body = "1KB"` must count.
pub fn behaviours() -> Vec<Behaviour> {
    use Then::*;
    let long_head = {
        let mut head = b"HTTP/1.1 200 OK\r\nX-Padding: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', 70 * 1024));
        head.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nok");
        head
    };
    let many_fields = {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..200 {
            head.extend_from_slice(format!("X-F{i}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
        head
    };
    let long_chunk_extension = {
        let mut body = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=".to_vec();
        body.extend(std::iter::repeat_n(b'e', 70 * 1024));
        body.extend_from_slice(b"\r\nok\r\n0\r\n\r\n");
        body
    };
    let endless_trailer = {
        let mut body =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: ".to_vec();
        body.extend(std::iter::repeat_n(b't', 70 * 1024));
        body
    };
    let over_limit = vec![b'x'; BODY_LIMIT + 1];
    let length_over_limit = [
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            over_limit.len()
        )
        .as_bytes(),
        &over_limit,
    ]
    .concat();
    let chunked_over_limit = [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"200\r\n",
        &over_limit[..512],
        b"\r\n201\r\n",
        &over_limit[..513],
        b"\r\n0\r\n\r\n",
    ]
    .concat();
    let close_over_limit = [&b"HTTP/1.1 200 OK\r\n\r\n"[..], &over_limit].concat();
    let slow = Duration::from_millis(150);
    vec![
        // Well-formed answers in every framing.
        b("length", "ok", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("chunked", "ok", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", KeepAlive),
        b("chunked_trailers", "ok", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nok\r\n0\r\nX-Sum: 1\r\n\r\n", KeepAlive),
        b("close_delimited", "ok", b"HTTP/1.1 200 OK\r\n\r\nuntil the end", Close),
        b("http10", "ok", b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", Close),
        b("no_reason_phrase", "ok", b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("bare_lf", "ok", b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", KeepAlive),
        b("same_length_twice", "ok", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("invalid_utf8_value", "ok", b"HTTP/1.1 200 OK\r\nX-Name: H\xe0 N\xf4i\xff\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("closes_unannounced", "ok", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Close),
        b("extra_bytes_after_body", "ok", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", KeepAlive),
        b("no_content_with_body", "ok", b"HTTP/1.1 204 No Content\r\n\r\njunk", KeepAlive),
        b("not_modified", "ok", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", KeepAlive),
        // Interim answers before the final one, and a protocol switch nobody asked for.
        b("continue", "ok", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("early_hints", "ok", b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", KeepAlive),
        b("many_interim", "ok", &[&b"HTTP/1.1 100 Continue\r\n\r\n".repeat(20)[..], b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"].concat(), KeepAlive),
        b("switching_protocols", "check_failed", b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello", Hang),
        // Transfer-Encoding beside Content-Length: chunked wins, the connection is closed.
        b("te_and_length", "ok", b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", KeepAlive),
        b("length_and_te", "ok", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2\r\nok\r\n0\r\n\r\n", KeepAlive),
        b("te_not_chunked", "ok", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nuntil the end", Close),
        // Statuses.
        b("status_404", "http_4xx", b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", KeepAlive),
        b("status_503", "http_5xx", b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", KeepAlive),
        b("status_999", "check_failed", b"HTTP/1.1 999 Strange\r\nContent-Length: 0\r\n\r\n", KeepAlive),
        // Lengths the runner must not trust.
        b("length_u64_max", "body_too_large", b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nx", Close),
        b("length_1e15", "body_too_large", b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\nx", Close),
        b("length_over_limit", "body_too_large", &length_over_limit, Close),
        b("chunk_size_near_2_64", "body_too_large", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff0\r\nx", Close),
        b("chunks_over_limit", "body_too_large", &chunked_over_limit, Close),
        b("close_delimited_over_limit", "body_too_large", &close_over_limit, Close),
        b("chunk_size_17_digits", "protocol_error", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx", Close),
        b("conflicting_lengths", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", KeepAlive),
        b("length_not_a_number", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok", KeepAlive),
        b("length_negative", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok", KeepAlive),
        // Bodies that end too soon or go wrong.
        b("truncated_body", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", Close),
        b("truncated_chunk", "protocol_error", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", Close),
        b("reset_in_body", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", Reset),
        b("bad_chunk_size", "protocol_error", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", Close),
        b("chunk_without_crlf", "protocol_error", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n", Close),
        b("long_chunk_extension", "protocol_error", &long_chunk_extension, Close),
        b("endless_trailer", "protocol_error", &endless_trailer, Hang),
        // Heads that are not HTTP/1.x.
        b("garbage", "protocol_error", b"SSH-2.0-OpenSSH_9.6\r\n", Close),
        b("binary_garbage", "protocol_error", b"\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64", Close),
        b("http2_status_line", "protocol_error", b"HTTP/2 200\r\ncontent-length: 2\r\n\r\nok", Close),
        b("lowercase_protocol", "protocol_error", b"http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Close),
        b("two_digit_status", "protocol_error", b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok", Close),
        b("header_without_colon", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok", Close),
        b("folded_header", "protocol_error", b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 2\r\n\r\nok", Close),
        b("space_before_colon", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", Close),
        b("head_over_64k", "protocol_error", &long_head, Close),
        b("too_many_fields", "protocol_error", &many_fields, Close),
        b("closed_inside_head", "protocol_error", b"HTTP/1.1 200 OK\r\nContent-Le", Close),
        // No answer at all.
        b("closes_without_answer", "connect_error", b"", Close),
        b("resets_without_answer", "connect_error", b"", Reset),
        b("never_answers", "timeout", b"", Hang),
        // Too slow: a head or a body trickled past the step's timeout.
        trickled("slow_head", "timeout", b"HTTP/1.1 200 OK\r\nX-Slow: a long time coming\r\nContent-Length: 2\r\n\r\nok", slow),
        trickled("slow_body", "timeout", b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789", slow),
    ]
}

/// The running server: its address and what it saw.
pub struct HostileServer {
    pub addr: SocketAddr,
    seen: Arc<HashMap<&'static str, AtomicU64>>,
}

impl HostileServer {
    /// Requests read whole for `/b/NAME`.
    pub fn seen(&self, name: &str) -> u64 {
        self.seen.get(name).map_or(0, |n| n.load(Ordering::SeqCst))
    }
}

/// Starts the server on a free loopback port, in the current Tokio runtime.
pub async fn start() -> HostileServer {
    let all: Arc<Vec<Behaviour>> = Arc::new(behaviours());
    let seen: Arc<HashMap<&'static str, AtomicU64>> =
        Arc::new(all.iter().map(|b| (b.name, AtomicU64::new(0))).collect());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let counts = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket, all.clone(), counts.clone()));
        }
    });
    HostileServer { addr, seen }
}

/// Serves one connection: each request read whole is counted, then misbehaved at.
async fn connection(
    mut socket: TcpStream,
    all: Arc<Vec<Behaviour>>,
    seen: Arc<HashMap<&'static str, AtomicU64>>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(path) = read_request(&mut socket, &mut buf).await else {
            return;
        };
        let Some(behaviour) = path
            .strip_prefix("/b/")
            .and_then(|name| all.iter().find(|b| b.name == name))
        else {
            let _ = socket
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .await;
            continue;
        };
        if let Some(n) = seen.get(behaviour.name) {
            n.fetch_add(1, Ordering::SeqCst);
        }
        for (i, piece) in behaviour.answer.iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(behaviour.pause).await;
            }
            if socket.write_all(piece).await.is_err() {
                return;
            }
        }
        match behaviour.then {
            Then::KeepAlive => {}
            Then::Close => return,
            Then::Reset => {
                // Time for the runner to read what was written, then RST instead of FIN.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = socket2::SockRef::from(&socket).set_linger(Some(Duration::ZERO));
                return;
            }
            Then::Hang => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
        }
    }
}

/// Reads one request (head and `Content-Length` body) into `buf`; its path, or None when the
/// connection ends first.
async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                buf.drain(..end + 4 + length);
                return head.split(' ').nth(1).map(str::to_owned);
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
