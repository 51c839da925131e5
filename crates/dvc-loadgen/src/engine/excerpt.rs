//! What a refused request's body says, short and with its secrets masked: the part of a
//! failure's reason that tells why.

/// Longest body excerpt in a failure's reason, in characters.
pub(crate) const EXCERPT_CHARS: usize = 160;

/// Most bytes of a body read for its excerpt.
const MAX_READ: usize = 16 * 1024;

/// What a refused request's body says, short: a JSON body's own message (`reason`, `message`,
/// `error`, `detail` or `title`) when it has one; else its text, whitespace collapsed, with the
/// values of keys that name secrets (`token`, `password`, `cookie`…) masked. None for an empty
/// or binary body.
pub(crate) fn body_excerpt(body: &[u8]) -> Option<String> {
    const MESSAGE_KEYS: [&str; 5] = ["reason", "message", "error", "detail", "title"];
    // Only the head is read: a refusal says why at its start, and a failing run may get a
    // large page for every request.
    let head = &body[..body.len().min(MAX_READ)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // Cut inside a character: the whole characters before it.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    }
    .trim();
    if text.is_empty() {
        return None;
    }
    // A JSON body cut short cannot be parsed, so its secret-named keys could not be masked:
    // its size is said instead of its words.
    if head.len() < body.len() && text.starts_with(['{', '[']) {
        return Some(format!("a JSON body of {} bytes", body.len()));
    }
    let text = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut json) => {
            let message = json.as_object().and_then(|o| {
                MESSAGE_KEYS
                    .iter()
                    .find_map(|k| o.get(*k).and_then(|v| v.as_str()))
                    .map(str::to_owned)
            });
            match message {
                Some(m) => m,
                None => {
                    mask_secrets(&mut json);
                    json.to_string()
                }
            }
        }
        Err(_) => text.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    Some(match text.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    })
}

/// Replaces, anywhere in `json`, the value of a key that names a secret.
fn mask_secrets(json: &mut serde_json::Value) {
    const SECRET_WORDS: [&str; 8] = [
        "token",
        "password",
        "passwd",
        "secret",
        "cookie",
        "session",
        "authorization",
        "otp",
    ];
    match json {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let k = k.to_ascii_lowercase();
                if SECRET_WORDS.iter().any(|w| k.contains(w)) {
                    *v = serde_json::Value::String(crate::secrets::REDACTED.to_owned());
                } else {
                    mask_secrets(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_body_is_read_from_its_head_and_a_cut_json_never_shows_its_secrets() {
        let big = format!(r#"{{"token":"s3cr3t","pad":"{}"}}"#, "x".repeat(MAX_READ));
        let said = body_excerpt(big.as_bytes()).expect("said");
        assert!(!said.contains("s3cr3t"), "{said}");
        assert!(said.starts_with("a JSON body of "), "{said}");
        let page = format!("<h1>Quá tải</h1>{}", "ồ".repeat(MAX_READ));
        let said = body_excerpt(page.as_bytes()).expect("said");
        assert!(said.starts_with("<h1>Quá tải</h1>"), "{said}");
    }
}
