//! What a refused request's body says, short and with its secrets masked: the part of a
//! failure's reason that tells why.

/// Longest body excerpt in a failure's reason, in characters.
pub(crate) const EXCERPT_CHARS: usize = 160;

/// What a refused request's body says, short: a JSON body's own message (`reason`, `message`,
/// `error`, `detail` or `title`) when it has one; else its text, whitespace collapsed, with the
/// values of keys that name secrets (`token`, `password`, `cookie`…) masked. None for an empty
/// or binary body.
pub(crate) fn body_excerpt(body: &[u8]) -> Option<String> {
    const MESSAGE_KEYS: [&str; 5] = ["reason", "message", "error", "detail", "title"];
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
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
