//! Response heads: the status line and header fields of an HTTP/1.x response.
//!
//! The runner reads only what it acts on (status, body framing, `Connection`, the number of
//! `Set-Cookie` fields) and keeps the raw head for the rare step that looks up a header. A head
//! the scan refuses (no HTTP/1 status line, a line without a colon, an empty name, whitespace
//! around a name) is a malformed response; a name's other characters are not checked.

use super::{ExchangeError, MAX_HEADERS, protocol};
use hyper::body::Bytes;
use hyper::header::HeaderMap;

/// What a response head says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub status: u16,
    /// Bytes of the head, blank line included.
    pub len: usize,
    pub framing: Framing,
    /// The server closes the connection after this response.
    pub close: bool,
    /// Set-Cookie fields.
    pub cookies: usize,
    /// A Transfer-Encoding field was seen.
    pub transfer_encoding: bool,
    /// Both Transfer-Encoding and Content-Length: the body is read by the former, and the
    /// connection is not used again.
    pub mixed: bool,
    /// What is wrong with the Content-Length fields, if anything: an error only when the
    /// response has a body to read by them.
    pub length_error: Option<&'static str>,
}

/// How the response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Length(usize),
    Chunked,
    ToClose,
}

/// Splits off the next line of `buf` (without its CRLF or LF); None when no line ends in `buf`.
fn next_line(buf: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = buf.iter().position(|&b| b == b'\n')?;
    Some((without_cr(&buf[..end]), &buf[end + 1..]))
}

fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether `name` (the part of a field line before its colon) can be a field name: not empty,
/// and neither starting nor ending with whitespace (an obsolete folded line, or space before
/// the colon).
fn is_name(name: &[u8]) -> bool {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    !(name.is_empty() || name.first().is_some_and(blank) || name.last().is_some_and(blank))
}

/// A header field line as its name and its value without surrounding whitespace.
fn field(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    is_name(name).then(|| (name, line[colon + 1..].trim_ascii()))
}

/// A status line's HTTP minor version and status code.
fn status_line(line: &[u8]) -> Option<(u8, u16)> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let (&minor, rest) = rest.split_first()?;
    let rest = rest.strip_prefix(b" ")?;
    let (code, reason) = rest.split_at_checked(3)?;
    if !matches!(minor, b'0' | b'1')
        || !code.iter().all(u8::is_ascii_digit)
        || !(reason.is_empty() || reason[0] == b' ')
    {
        return None;
    }
    let code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    Some((minor - b'0', code))
}

fn malformed(what: &str) -> ExchangeError {
    protocol(format!("malformed response: {what}"))
}

/// The positions of line feeds and colons in a buffer, in order, found eight bytes at a time:
/// a head's lines are short, so one pass over words beats a fresh search per line.
struct Marks<'a> {
    buf: &'a [u8],
    /// Offset of the word `bits` came from, and of the next word to load.
    word: usize,
    next: usize,
    /// The high bit of each byte of the current word that is a mark, not yet yielded.
    bits: u64,
}

impl<'a> Marks<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Marks {
            buf,
            word: 0,
            next: 0,
            bits: 0,
        }
    }
}

/// The high bit of each byte of `word` that equals `byte`, exactly (no carries between bytes).
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let v = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((v & LOW7) + LOW7) | v | LOW7)
}

impl Iterator for Marks<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            let rest = self.buf.get(self.next..).filter(|r| !r.is_empty())?;
            let word = match rest.first_chunk::<8>() {
                Some(bytes) => u64::from_le_bytes(*bytes),
                None => {
                    let mut bytes = [0u8; 8];
                    for (b, r) in bytes.iter_mut().zip(rest) {
                        *b = *r;
                    }
                    u64::from_le_bytes(bytes)
                }
            };
            self.bits = bytes_equal(word, b'\n') | bytes_equal(word, b':');
            self.word = self.next;
            self.next += 8;
        }
        let at = self.word + (self.bits.trailing_zeros() / 8) as usize;
        self.bits &= self.bits - 1;
        Some(at)
    }
}

/// Parses a response head at the start of `buf`; None while it is incomplete. One pass finds
/// every line end and colon ([`Marks`]), so a field costs a few comparisons, and only names of
/// the length of a field the runner acts on are compared.
pub(crate) fn parse_head(buf: &[u8]) -> Result<Option<Head>, ExchangeError> {
    const PREFIX: &[u8] = b"HTTP/1.";
    let seen = buf.len().min(PREFIX.len());
    if buf[..seen] != PREFIX[..seen] {
        return Err(malformed("not an HTTP/1 status line"));
    }
    let mut head = Head {
        status: 0,
        len: 0,
        framing: Framing::ToClose,
        close: false,
        cookies: 0,
        transfer_encoding: false,
        mixed: false,
        length_error: None,
    };
    let (mut start, mut colon, mut fields) = (0, None, 0);
    for at in Marks::new(buf) {
        if buf[at] == b':' {
            colon.get_or_insert(at - start);
            continue;
        }
        let line = without_cr(&buf[start..at]);
        if start == 0 {
            let (minor, status) = status_line(line).ok_or_else(|| malformed("bad status line"))?;
            (head.status, head.close) = (status, minor == 0);
        } else if line.is_empty() {
            head.len = at + 1;
            return Ok(Some(head));
        } else {
            let name = colon
                .map(|c| &line[..c])
                .filter(|name| is_name(name))
                .ok_or_else(|| malformed("bad header line"))?;
            fields += 1;
            if fields > MAX_HEADERS {
                return Err(malformed("too many header fields"));
            }
            if matches!(name.len(), 10 | 14 | 17) {
                act_on(&mut head, name, line[name.len() + 1..].trim_ascii())?;
            }
        }
        (start, colon) = (at + 1, None);
    }
    Ok(None)
}

/// Takes what the runner needs from one field.
fn act_on(head: &mut Head, name: &[u8], value: &[u8]) -> Result<(), ExchangeError> {
    match name.len() {
        14 if name.eq_ignore_ascii_case(b"content-length") => {
            let Some(n) = content_length(value) else {
                head.length_error = Some("bad Content-Length");
                return Ok(());
            };
            match head.framing {
                // Transfer-Encoding overrides a length, and the connection is closed after
                // such a response: it may be an attempt at response splitting (RFC 9112 §6.3).
                _ if head.transfer_encoding => head.mixed = true,
                // Two lengths that disagree leave the body's end unknown (RFC 9112 §6.3).
                Framing::Length(m) if m != n => {
                    head.length_error = Some("conflicting Content-Length values");
                }
                _ => head.framing = Framing::Length(n),
            }
        }
        17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
            if matches!(head.framing, Framing::Length(_)) {
                head.mixed = true;
            }
            head.transfer_encoding = true;
            // A response whose last coding is not chunked ends when the connection closes
            // (RFC 9112 §6.3).
            // A value that is not plain text names no coding this reader knows.
            let text = value
                .iter()
                .all(|b| b.is_ascii() && !b.is_ascii_control() || *b == b'\t');
            let last = value.rsplit(|b| *b == b',').next().unwrap_or(value);
            head.framing = if text && last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                Framing::Chunked
            } else {
                Framing::ToClose
            };
        }
        10 if name.eq_ignore_ascii_case(b"connection") => {
            if value.eq_ignore_ascii_case(b"close") {
                head.close = true;
            } else if value.eq_ignore_ascii_case(b"keep-alive") {
                head.close = false;
            }
        }
        10 if name.eq_ignore_ascii_case(b"set-cookie") => head.cookies += 1,
        _ => {}
    }
    Ok(())
}

/// A Content-Length value: digits, or a list of the same digits (`42, 42`, RFC 9110 §8.6).
fn content_length(value: &[u8]) -> Option<usize> {
    let mut length = None;
    for item in value.split(|b| *b == b',') {
        let item = item.trim_ascii();
        if item.is_empty() || !item.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = std::str::from_utf8(item).ok()?.parse::<usize>().ok()?;
        if length.is_some_and(|m| m != n) {
            return None;
        }
        length = Some(n);
    }
    length
}

/// A response's header fields as received, looked up by case-insensitive name. Kept as the
/// raw head and scanned again on lookup: most steps never look at a header, so none is decoded
/// up front; the Set-Cookie count spares the cookie jar a scan when there is none.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    pub(crate) raw: Bytes,
    pub(crate) cookies: usize,
}

impl Headers {
    /// Takes the fields of a decoded header map.
    pub fn from_map(map: &HeaderMap) -> Headers {
        let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
        for (name, value) in map {
            raw.extend_from_slice(name.as_str().as_bytes());
            raw.extend_from_slice(b": ");
            raw.extend_from_slice(value.as_bytes());
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"\r\n");
        Headers {
            raw: Bytes::from(raw),
            cookies: map.get_all(hyper::header::SET_COOKIE).iter().count(),
        }
    }

    /// Every value of the field `name`, in order.
    pub fn get_all(&self, name: &str) -> Vec<&[u8]> {
        if self.cookies == 0 && name.eq_ignore_ascii_case("set-cookie") {
            return Vec::new();
        }
        let mut values = Vec::new();
        // The raw head passed `parse_head` (or was written by `from_map`): after the status
        // line, every line up to the blank one is a field.
        let mut rest = next_line(&self.raw).map_or(&[][..], |(_, rest)| rest);
        while let Some((line, after)) = next_line(rest) {
            match field(line) {
                Some((n, value)) if n.eq_ignore_ascii_case(name.as_bytes()) => values.push(value),
                Some(_) => {}
                None => break,
            }
            rest = after;
        }
        values
    }

    /// The first value of the field `name`, if it is text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name)
            .first()
            .and_then(|v| std::str::from_utf8(v).ok())
    }
}

#[cfg(test)]
mod tests;
