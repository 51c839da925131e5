//! Percent-encoding (RFC 3986): one place for every part of a URL that is written from data.

/// Appends `text` to `out` with every byte that `keep` refuses written as `%XX`.
pub fn percent_encode_into(text: &str, out: &mut String, keep: impl Fn(u8) -> bool) {
    // The usual value (a dossier code, a number) needs nothing: one scan finds that out.
    if text.bytes().all(&keep) {
        out.push_str(text);
        return;
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// Unreserved characters (RFC 3986 §2.3): all a query or form component keeps as they are.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// Appends `text` percent-encoded as a query or form component: every byte but unreserved
/// characters.
pub fn encode_component_into(text: &str, out: &mut String) {
    percent_encode_into(text, out, unreserved);
}

/// `text` percent-encoded as a query or form component.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_component_into(text, &mut out);
    out
}

/// Appends `text` percent-encoded as one path segment: it keeps what `pchar` allows raw
/// (unreserved characters, sub-delims, `:` and `@`; RFC 3986 §3.3) and encodes the rest, `/`,
/// `?`, `#` and `%` included, so the value stays one segment.
pub fn encode_segment_into(text: &str, out: &mut String) {
    percent_encode_into(text, out, |b| {
        unreserved(b) || b"!$&'()*+,;=:@".contains(&b)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_vietnamese_text_for_urls() {
        assert_eq!(encode("khai sinh"), "khai%20sinh");
        assert_eq!(encode("Tết"), "T%E1%BA%BFt");
        assert_eq!(encode("a&b=c/d"), "a%26b%3Dc%2Fd");
        let mut segment = String::new();
        encode_segment_into("H01/2412 #1?x=%&y", &mut segment);
        assert_eq!(segment, "H01%2F2412%20%231%3Fx=%25&y");
    }
}
