//! HTTP/1.1 over a plain TCP connection, driven by the journey's own task: the request is
//! written in one piece and the response head is scanned in place (`head`), with
//! `Content-Length`, chunked and read-to-close bodies. No connection task and no channel sit
//! between a journey and its socket, which is what keeps a request cheap for the generator.

mod head;

pub use head::Headers;
use head::{Framing, Head, parse_head};
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Most headers a response may carry.
const MAX_HEADERS: usize = 96;
/// Largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest response body accepted: far above any page, document or scan a portal serves, and
/// low enough that a server announcing or streaming more cannot exhaust the generator's memory.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

fn too_large() -> ExchangeError {
    error(
        format!("response body over the {} MiB limit", MAX_BODY >> 20),
        false,
    )
}

/// One keep-alive connection with its read buffer.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` received but not yet consumed.
    filled: usize,
    /// How many requests this connection has carried.
    pub used: u64,
    /// Where the caller writes a request head: kept with the connection, so a request on a
    /// kept-alive connection allocates nothing for its head.
    pub head: Vec<u8>,
}

/// A complete response and whether the connection may carry another request.
#[derive(Debug)]
pub struct Exchange {
    pub status: u16,
    pub headers: Headers,
    pub body: Bytes,
    pub reusable: bool,
}

/// Why an exchange failed; `before_response` says no byte of a response arrived, so a request
/// on a reused connection the server had already closed may be sent again on a fresh one.
#[derive(Debug)]
pub struct ExchangeError {
    pub message: String,
    pub before_response: bool,
}

fn error(message: impl Into<String>, before_response: bool) -> ExchangeError {
    ExchangeError {
        message: message.into(),
        before_response,
    }
}

impl Conn {
    /// Opens a connection to `address` (host:port).
    pub async fn open(address: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: vec![0; 8 * 1024],
            filled: 0,
            used: 0,
            head: Vec::new(),
        })
    }

    /// Whether the server has closed this idle connection (or sent bytes no request asked
    /// for), seen without waiting: a request that may not be sent twice goes on a fresh
    /// connection instead. (A server may still close it just as the request goes out.)
    pub fn is_stale(&self) -> bool {
        let mut probe = [0u8; 1];
        !matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Sends `request` (a complete request head, then `body`) and reads the whole response.
    /// `head_request` says the method was HEAD, whose response has no body.
    pub async fn exchange(
        &mut self,
        request: &[u8],
        body: &[u8],
        head_request: bool,
    ) -> Result<Exchange, ExchangeError> {
        self.used += 1;
        // A keep-alive connection has no unread bytes between exchanges; any left over are a
        // protocol error of the server's, and the connection is not reused.
        if self.filled != 0 {
            return Err(error("unexpected bytes before the response", true));
        }
        let written = if body.is_empty() {
            self.stream.write_all(request).await
        } else if body.len() <= 16 * 1024 {
            let mut whole = Vec::with_capacity(request.len() + body.len());
            whole.extend_from_slice(request);
            whole.extend_from_slice(body);
            self.stream.write_all(&whole).await
        } else {
            match self.stream.write_all(request).await {
                Ok(()) => self.stream.write_all(body).await,
                Err(e) => Err(e),
            }
        };
        written.map_err(|e| error(format!("sending the request: {e}"), true))?;
        loop {
            let Head {
                status,
                len: head_len,
                framing,
                close,
                cookies,
            } = self.read_head().await?;
            if (100..200).contains(&status) && status != 101 {
                self.consume(head_len);
                continue;
            }
            let no_body = head_request || status == 204 || status == 304 || status < 200;
            if let (false, Framing::Length(n)) = (no_body, framing)
                && n > MAX_BODY
            {
                return Err(too_large());
            }
            // The usual small answer is already whole in the buffer: one copy for head and body.
            if let (false, Framing::Length(n)) = (no_body, framing)
                && self.filled >= head_len + n
            {
                let whole = Bytes::copy_from_slice(&self.buf[..head_len + n]);
                self.consume(head_len + n);
                return Ok(Exchange {
                    status,
                    headers: Headers {
                        raw: whole.slice(..head_len),
                        cookies,
                    },
                    body: whole.slice(head_len..),
                    reusable: !close && self.filled == 0,
                });
            }
            let headers = Headers {
                raw: Bytes::copy_from_slice(&self.buf[..head_len]),
                cookies,
            };
            self.consume(head_len);
            let (body, reusable) = match framing {
                _ if no_body => (Bytes::new(), !close),
                Framing::Length(n) => (self.read_exact_body(n).await?, !close),
                Framing::Chunked => (self.read_chunked().await?, !close),
                Framing::ToClose => (self.read_to_close().await?, false),
            };
            return Ok(Exchange {
                status,
                headers,
                body,
                reusable: reusable && self.filled == 0,
            });
        }
    }

    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
    }

    /// Reads more bytes into the buffer; `Ok(0)` is the end of the stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.filled == self.buf.len() {
            let grown = (self.buf.len() * 2).max(8 * 1024);
            self.buf.resize(grown, 0);
        }
        self.stream
            .read(&mut self.buf[self.filled..])
            .await
            .inspect(|&n| self.filled += n)
    }

    /// Reads a response head: status, head length, body framing, whether the server closes,
    /// and how many Set-Cookie fields it has.
    async fn read_head(&mut self) -> Result<Head, ExchangeError> {
        loop {
            if self.filled > 0 {
                match parse_head(&self.buf[..self.filled])? {
                    Some(head) => return Ok(head),
                    None if self.filled >= MAX_HEAD => {
                        return Err(error("response head over 64 KiB", false));
                    }
                    None => {}
                }
            }
            let before = self.filled == 0;
            match self.fill().await {
                Ok(0) if before => {
                    return Err(error("connection closed before a response", true));
                }
                Ok(0) => return Err(error("connection closed inside the response head", false)),
                Ok(_) => {}
                Err(e) => return Err(error(format!("reading the response: {e}"), before)),
            }
        }
    }

    async fn fill_body(&mut self) -> Result<(), ExchangeError> {
        match self.fill().await {
            Ok(0) => Err(error("connection closed inside the body", false)),
            Ok(_) => Ok(()),
            Err(e) => Err(error(format!("reading the body: {e}"), false)),
        }
    }

    /// Reads a body of `n` bytes that is not yet whole in the buffer (a whole one is taken
    /// with its head in `exchange`).
    async fn read_exact_body(&mut self, n: usize) -> Result<Bytes, ExchangeError> {
        let mut body = Vec::with_capacity(n);
        body.extend_from_slice(&self.buf[..self.filled]);
        self.filled = 0;
        let mut rest = n - body.len();
        while rest > 0 {
            let room = body.len();
            body.resize(room + rest, 0);
            let got = self
                .stream
                .read(&mut body[room..])
                .await
                .map_err(|e| error(format!("reading the body: {e}"), false))?;
            body.truncate(room + got);
            if got == 0 {
                return Err(error("connection closed inside the body", false));
            }
            rest -= got;
        }
        Ok(Bytes::from(body))
    }

    async fn read_chunked(&mut self) -> Result<Bytes, ExchangeError> {
        let mut body = Vec::new();
        loop {
            let (line, size) = loop {
                match httparse::parse_chunk_size(&self.buf[..self.filled]) {
                    Ok(httparse::Status::Complete((line, size))) => break (line, size),
                    Ok(httparse::Status::Partial) => self.fill_body().await?,
                    Err(_) => return Err(error("malformed chunk size", false)),
                }
            };
            let size = usize::try_from(size)
                .ok()
                .filter(|size| body.len() + size <= MAX_BODY)
                .ok_or_else(too_large)?;
            if size == 0 {
                self.consume(line);
                // Trailers, if any, end with an empty line.
                loop {
                    match self.buf[..self.filled]
                        .windows(2)
                        .position(|w| w == b"\r\n")
                    {
                        Some(0) => {
                            self.consume(2);
                            return Ok(Bytes::from(body));
                        }
                        Some(end) => self.consume(end + 2),
                        None => self.fill_body().await?,
                    }
                }
            }
            while self.filled < line + size + 2 {
                self.fill_body().await?;
            }
            if &self.buf[line + size..line + size + 2] != b"\r\n" {
                return Err(error("chunk not followed by CRLF", false));
            }
            body.extend_from_slice(&self.buf[line..line + size]);
            self.consume(line + size + 2);
        }
    }

    async fn read_to_close(&mut self) -> Result<Bytes, ExchangeError> {
        loop {
            match self.fill().await {
                Ok(0) => break,
                Ok(_) if self.filled > MAX_BODY => return Err(too_large()),
                Ok(_) => {}
                Err(e) => return Err(error(format!("reading the body: {e}"), false)),
            }
        }
        let body = Bytes::copy_from_slice(&self.buf[..self.filled]);
        self.filled = 0;
        Ok(body)
    }
}

/// Writes a request head for `method` `target` with a `host` field (unless `headers` has one),
/// `headers` and a body of `body_len` bytes.
pub fn request_head(
    method: &hyper::Method,
    target: &str,
    host: Option<&str>,
    headers: &HeaderMap,
    body_len: usize,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if let Some(host) = host {
        out.extend_from_slice(b"host: ");
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let needs_length = body_len > 0
        || matches!(
            *method,
            hyper::Method::POST | hyper::Method::PUT | hyper::Method::PATCH
        );
    if needs_length && !headers.contains_key(hyper::header::CONTENT_LENGTH) {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(body_len.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
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

    async fn get(conn: &mut Conn) -> Exchange {
        let mut head = Vec::new();
        request_head(
            &hyper::Method::GET,
            "/",
            Some("t"),
            &HeaderMap::new(),
            0,
            &mut head,
        );
        conn.exchange(&head, &[], false)
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
        assert!(!e.before_response);

        // A server that closes without answering: the request may be retried elsewhere.
        let e = refused(&[]).await;
        assert!(e.before_response, "{}", e.message);
    }

    /// The error a GET ends in when a server gives the canned `responses` (none: it closes).
    async fn refused(responses: &[Vec<u8>]) -> ExchangeError {
        let address = canned(responses.to_vec()).await;
        let mut conn = Conn::open(&address).await.expect("connect");
        let mut head = Vec::new();
        request_head(
            &hyper::Method::GET,
            "/",
            None,
            &HeaderMap::new(),
            0,
            &mut head,
        );
        conn.exchange(&head, &[], false).await.expect_err("refused")
    }

    #[tokio::test]
    async fn absurd_lengths_and_sizes_are_errors_not_panics() {
        let limit = "response body over the 64 MiB limit";
        for response in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nx"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\nx",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff0\r\nx",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000001\r\nx",
        ] {
            let e = refused(&[response.to_vec()]).await;
            assert_eq!(e.message, limit, "{}", String::from_utf8_lossy(response));
            assert!(!e.before_response);
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
}
