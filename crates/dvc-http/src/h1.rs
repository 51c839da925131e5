//! HTTP/1.1 over a TCP or TLS connection, driven by the caller's own task: the request is
//! written in one piece and the response head is scanned in place (`head`), with
//! `Content-Length`, chunked and read-to-close bodies. No connection task and no channel sit
//! between a journey and its socket, which is what keeps a request cheap for the generator.

mod head;
mod stream;

pub use head::Headers;
use head::{Framing, Head, parse_head};
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use rustls::pki_types::ServerName;
use std::io;
use stream::Stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Most headers a response may carry.
const MAX_HEADERS: usize = 96;
/// Largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// One keep-alive connection with its read buffer.
#[derive(Debug)]
pub struct Conn {
    stream: Stream,
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

/// How far an exchange got before it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// Nothing was written: the request may go on another connection, whatever its method.
    Unsent,
    /// The request was (perhaps partly) written, and no byte of a response arrived.
    Sent,
    /// A response began and could not be read whole.
    Response,
    /// The response body is over the limit.
    TooLarge,
}

/// Why an exchange failed, and how far it got.
#[derive(Debug)]
pub struct ExchangeError {
    pub message: String,
    pub stage: Reached,
}

fn error(message: impl Into<String>, stage: Reached) -> ExchangeError {
    ExchangeError {
        message: message.into(),
        stage,
    }
}

/// An error in a response that began.
fn protocol(message: impl Into<String>) -> ExchangeError {
    error(message, Reached::Response)
}

fn too_large(limit: usize) -> ExchangeError {
    error(
        format!("response body over the limit of {}", size_text(limit)),
        Reached::TooLarge,
    )
}

/// A size in MiB when it is whole MiB, else in bytes.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

impl Conn {
    fn new(stream: Stream) -> Conn {
        Conn {
            stream,
            buf: vec![0; 8 * 1024],
            filled: 0,
            used: 0,
            head: Vec::new(),
        }
    }

    /// Opens a plain connection to `address` (host:port).
    pub async fn open(address: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Conn::new(Stream::Tcp(stream)))
    }

    /// Opens a TLS connection to `address` for `name`; true when the server chose HTTP/2.
    pub async fn open_tls(
        address: &str,
        name: ServerName<'static>,
        tls: &TlsConnector,
    ) -> io::Result<(Conn, bool)> {
        let stream = TcpStream::connect(address).await?;
        Conn::tls_over(stream, name, tls).await
    }

    /// Opens TLS for `name` over `stream` (a tunnel through a proxy); true when the server
    /// chose HTTP/2.
    pub async fn tls_over(
        stream: TcpStream,
        name: ServerName<'static>,
        tls: &TlsConnector,
    ) -> io::Result<(Conn, bool)> {
        stream.set_nodelay(true)?;
        let stream = tls.connect(name, stream).await?;
        let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        Ok((Conn::new(Stream::Tls(Box::new(stream))), h2))
    }

    /// Whether the server has closed this idle connection (or sent bytes no request asked
    /// for), seen without waiting: a request that may not be sent twice goes on a fresh
    /// connection instead. (A server may still close it just as the request goes out.)
    pub fn is_stale(&self) -> bool {
        let socket = match &self.stream {
            Stream::Tcp(s) => s,
            Stream::Tls(s) => s.get_ref().0,
            #[cfg(test)]
            Stream::Memory(_) => return false,
        };
        let mut probe = [0u8; 1];
        !matches!(socket.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Sends `request` (a complete request head, then `body`) and reads the whole response,
    /// whose body may hold at most `max_body` bytes. `head_request` says the method was HEAD,
    /// whose response has no body.
    pub async fn exchange(
        &mut self,
        request: &[u8],
        body: &[u8],
        head_request: bool,
        max_body: usize,
    ) -> Result<Exchange, ExchangeError> {
        self.used += 1;
        // A keep-alive connection has no unread bytes between exchanges; any left over are a
        // protocol error of the server's, and the connection is not reused.
        if self.filled != 0 {
            return Err(error(
                "unexpected bytes before the response",
                Reached::Unsent,
            ));
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
        // TLS keeps written records until flushed; plain TCP has nothing to flush.
        let written = match (written, &self.stream) {
            (Ok(()), Stream::Tls(_)) => self.stream.flush().await,
            (w, _) => w,
        };
        written.map_err(|e| error(format!("sending the request: {e}"), Reached::Sent))?;
        loop {
            let Head {
                status,
                len: head_len,
                framing,
                close,
                mixed,
                length_error,
                transfer_encoding,
                cookies,
            } = self.read_head().await?;
            // An interim response is followed by the final one (RFC 9110 §15.2).
            if (100..200).contains(&status) && status != 101 {
                self.consume(head_len);
                continue;
            }
            let close = close || mixed;
            // 101: the connection now speaks another protocol (RFC 9110 §15.2.2); what it
            // sends is not a body, and the connection is never used again.
            if status == 101 {
                let headers = Headers {
                    raw: Bytes::copy_from_slice(&self.buf[..head_len]),
                    cookies,
                };
                return Ok(Exchange {
                    status,
                    headers,
                    body: Bytes::new(),
                    reusable: false,
                });
            }
            let no_body = head_request || status == 204 || status == 304;
            if let Some(e) = length_error.filter(|_| !no_body && !transfer_encoding) {
                return Err(protocol(e));
            }
            if let (false, Framing::Length(n)) = (no_body, framing)
                && n > max_body
            {
                return Err(too_large(max_body));
            }
            // The usual small answer is already whole in the buffer: one copy for head and body.
            if let (false, Framing::Length(n)) = (no_body, framing)
                && self.filled - head_len >= n
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
                Framing::Chunked => (self.read_chunked(max_body).await?, !close),
                Framing::ToClose => (self.read_to_close(max_body).await?, false),
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
                        return Err(protocol("response head over 64 KiB"));
                    }
                    None => {}
                }
            }
            let before = self.filled == 0;
            match self.fill().await {
                Ok(0) if before => {
                    return Err(error("connection closed before a response", Reached::Sent));
                }
                Ok(0) => return Err(protocol("connection closed inside the response head")),
                Ok(_) => {}
                Err(e) if before => {
                    return Err(error(format!("reading the response: {e}"), Reached::Sent));
                }
                Err(e) => return Err(protocol(format!("reading the response: {e}"))),
            }
        }
    }

    async fn fill_body(&mut self) -> Result<(), ExchangeError> {
        match self.fill().await {
            Ok(0) => Err(protocol("connection closed inside the body")),
            Ok(_) => Ok(()),
            Err(e) => Err(protocol(format!("reading the body: {e}"))),
        }
    }

    /// Reads more of a line inside the body (a chunk size or a trailer), which may not grow
    /// longer than a head.
    async fn fill_line(&mut self, what: &str) -> Result<(), ExchangeError> {
        if self.filled >= MAX_HEAD {
            return Err(protocol(format!("{what} line over 64 KiB")));
        }
        self.fill_body().await
    }

    /// Reads a body of `n` bytes that is not yet whole in the buffer (a whole one is taken
    /// with its head in `exchange`).
    async fn read_exact_body(&mut self, n: usize) -> Result<Bytes, ExchangeError> {
        let mut body = Vec::with_capacity(n.min(64 * 1024));
        body.extend_from_slice(&self.buf[..self.filled]);
        self.filled = 0;
        let mut rest = n - body.len();
        while rest > 0 {
            // Room grows with what arrived, never to an announced length a server may not send.
            if body.capacity() - body.len() < 8 * 1024 {
                body.reserve(rest.min(body.len().max(64 * 1024)));
            }
            let got = (&mut self.stream)
                .take(rest as u64)
                .read_buf(&mut body)
                .await
                .map_err(|e| protocol(format!("reading the body: {e}")))?;
            if got == 0 {
                return Err(protocol("connection closed inside the body"));
            }
            rest -= got;
        }
        Ok(Bytes::from(body))
    }

    async fn read_chunked(&mut self, max_body: usize) -> Result<Bytes, ExchangeError> {
        let mut body = Vec::new();
        loop {
            let (line, size) = loop {
                match httparse::parse_chunk_size(&self.buf[..self.filled]) {
                    Ok(httparse::Status::Complete((line, size))) => break (line, size),
                    Ok(httparse::Status::Partial) => self.fill_line("chunk size").await?,
                    Err(_) => return Err(protocol("malformed chunk size")),
                }
            };
            let size = usize::try_from(size)
                .ok()
                .filter(|size| *size <= max_body - body.len())
                .ok_or_else(|| too_large(max_body))?;
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
                        None => self.fill_line("trailer").await?,
                    }
                }
            }
            while self.filled < line + size + 2 {
                self.fill_body().await?;
            }
            if &self.buf[line + size..line + size + 2] != b"\r\n" {
                return Err(protocol("chunk not followed by CRLF"));
            }
            body.extend_from_slice(&self.buf[line..line + size]);
            self.consume(line + size + 2);
        }
    }

    async fn read_to_close(&mut self, max_body: usize) -> Result<Bytes, ExchangeError> {
        loop {
            if self.filled > max_body {
                return Err(too_large(max_body));
            }
            match self.fill().await {
                Ok(0) => break,
                Ok(_) => {}
                // Many servers end a TLS connection without close_notify; the body is what
                // arrived.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(protocol(format!("reading the body: {e}"))),
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
mod proptests;

#[cfg(test)]
mod tests;
