use super::*;
use proptest::prelude::*;

fn parsed(head: &[u8]) -> Head {
    parse_head(head)
        .expect("a valid head")
        .expect("a complete head")
}

#[test]
fn reads_status_framing_connection_and_cookies() {
    let head = b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nConnection: close\r\n\r\nbody";
    assert_eq!(
        parsed(head),
        Head {
            status: 201,
            len: head.len() - 4,
            framing: Framing::Length(12),
            close: true,
            cookies: 2,
            transfer_encoding: false,
            mixed: false,
            length_error: None,
        }
    );
    for both in [
        &b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 3\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n",
    ] {
        let head = parsed(both);
        assert_eq!(head.framing, Framing::Chunked, "chunked wins");
        assert!(head.mixed, "and the connection is not kept");
    }
    let gzip = parsed(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n");
    assert_eq!(gzip.framing, Framing::ToClose, "not chunked: read to close");
    let odd = parsed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: \xff, chunked\r\n\r\n");
    assert_eq!(
        odd.framing,
        Framing::ToClose,
        "a coding that is not text is not known"
    );
    let old = parsed(b"HTTP/1.0 200 OK\n\n");
    assert_eq!(
        (old.close, old.len, old.framing),
        (true, 17, Framing::ToClose)
    );
    let kept = parsed(b"HTTP/1.0 204\r\nConnection: Keep-Alive\r\n\r\n");
    assert_eq!((kept.status, kept.close), (204, false));
}

#[test]
fn waits_for_a_whole_head_and_refuses_a_malformed_one() {
    for partial in [
        &b""[..],
        b"HTT",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK\r\nA: b\r\n",
    ] {
        assert!(
            parse_head(partial).expect("no error").is_none(),
            "{partial:?}"
        );
    }
    for bad in [
        &b"SSH-2.0-OpenSSH\r\n"[..],
        b"HTTP/2 200\r\n\r\n",
        b"HTTP/1.1 20 OK\r\n\r\n",
        b"HTTP/1.1 200OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbad-name : x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
    ] {
        assert!(
            parse_head(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // A bad length is an error only where a body is read by it.
    for (head, error) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"[..],
            "bad Content-Length",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n",
            "bad Content-Length",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
            "bad Content-Length",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "conflicting Content-Length values",
        ),
    ] {
        assert_eq!(parsed(head).length_error, Some(error));
    }
    let listed = parsed(b"HTTP/1.1 200 OK\r\nContent-Length: 42, 42\r\n\r\n");
    assert_eq!(
        (listed.framing, listed.length_error),
        (Framing::Length(42), None)
    );
    let many: Vec<u8> = [b"HTTP/1.1 200 OK\r\n".to_vec()]
        .into_iter()
        .chain((0..=MAX_HEADERS).map(|i| format!("x-{i}: v\r\n").into_bytes()))
        .chain([b"\r\n".to_vec()])
        .flatten()
        .collect();
    assert!(parse_head(&many).is_err(), "over {MAX_HEADERS} fields");
}

#[test]
fn header_lookups_are_case_insensitive_and_keep_order() {
    let head =
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Code: 000.00.12.H01\r\nset-cookie: b=2\r\n\r\n";
    let headers = Headers {
        raw: Bytes::from_static(head),
        cookies: 2,
    };
    assert_eq!(headers.get_all("SET-COOKIE"), [&b"a=1"[..], &b"b=2"[..]]);
    assert_eq!(headers.get("x-code"), Some("000.00.12.H01"));
    assert_eq!(headers.get("location"), None);
    let mut map = HeaderMap::new();
    map.append("set-cookie", "s=1".parse().expect("value"));
    map.append("location", "/next".parse().expect("value"));
    let from_map = Headers::from_map(&map);
    assert_eq!(from_map.get_all("set-cookie"), [&b"s=1"[..]]);
    assert_eq!(from_map.get("Location"), Some("/next"));
}

proptest! {
    #[test]
    fn marks_are_every_line_feed_and_colon(buf in proptest::collection::vec(any::<u8>(), 0..80)) {
        let expected: Vec<usize> = (0..buf.len()).filter(|&i| buf[i] == b'\n' || buf[i] == b':').collect();
        prop_assert_eq!(Marks::new(&buf).collect::<Vec<_>>(), expected);
    }
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}"
}

proptest! {
    /// Every head httparse reads is read alike: status, head length and each field.
    #[test]
    fn agrees_with_httparse_on_well_formed_heads(
        minor in 0u8..2,
        status in 100u16..600,
        reason in "[A-Za-z ]{0,12}",
        fields in proptest::collection::vec((token(), "[ -~]{0,30}"), 0..12),
        lf_only in any::<bool>(),
        body in "[a-z]{0,8}",
    ) {
        let nl = if lf_only { "\n" } else { "\r\n" };
        let mut text = format!("HTTP/1.{minor} {status} {reason}{nl}");
        for (name, value) in &fields {
            text.push_str(&format!("{name}: {value}{nl}"));
        }
        text.push_str(nl);
        let head_len = text.len();
        text.push_str(&body);
        let bytes = text.as_bytes();

        let mut slots = [httparse::EMPTY_HEADER; 16];
        let mut theirs = httparse::Response::new(&mut slots);
        let expected = theirs.parse(bytes);
        let ours = parse_head(bytes);
        match expected {
            Ok(httparse::Status::Complete(len)) => {
                let ours = ours.expect("valid").expect("complete");
                prop_assert_eq!(len, head_len);
                prop_assert_eq!(ours.len, len);
                prop_assert_eq!(Some(ours.status), theirs.code);
                let headers = Headers { raw: Bytes::copy_from_slice(&bytes[..len]), cookies: 1 };
                for h in theirs.headers.iter() {
                    let all: Vec<&[u8]> = theirs.headers.iter()
                        .filter(|o| o.name.eq_ignore_ascii_case(h.name))
                        .map(|o| o.value.trim_ascii())
                        .collect();
                    prop_assert_eq!(headers.get_all(h.name), all);
                }
            }
            // A field httparse refuses (a Content-Length that is not a number): ours too.
            _ => prop_assert!(ours.is_err() || fields.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"))),
        }
        for cut in 0..head_len {
            prop_assert!(matches!(parse_head(&bytes[..cut]), Ok(None)), "a prefix of {} bytes", cut);
        }
    }
}
