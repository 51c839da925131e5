//! Scenarios from what IT centres already have: a browser's recording (HAR) or a JMeter test
//! plan (JMX). The result is a
//! scenario file, checked by the same validation as one written by hand, with what was left
//! out listed in its header, never dropped silently.

pub mod har;
pub mod jmx;

use std::fmt::Write;

/// `text` as a name in a scenario: ASCII letters and digits in lower case, anything else `_`,
/// no `_` at either end (may be empty).
pub(crate) fn identifier(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    name.trim_matches('_').to_owned()
}

/// A TOML basic string.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
pub(crate) fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_owned()
    } else {
        string(k)
    }
}

/// A JSON value as a TOML inline value; `null` (which TOML lacks) becomes `""`, counted in
/// `nulls`.
pub(crate) fn inline(v: &serde_json::Value, nulls: &mut usize) -> String {
    match v {
        serde_json::Value::Null => {
            *nulls += 1;
            "\"\"".to_owned()
        }
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => string(s),
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| inline(i, nulls)).collect();
            format!("[{}]", parts.join(", "))
        }
        serde_json::Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v, nulls)))
                .collect();
            if parts.is_empty() {
                "{}".to_owned()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

/// Pairs as a TOML inline table of strings; a name given twice keeps its first value (a
/// scenario's tables hold each name once).
pub(crate) fn table(pairs: &[(String, String)]) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| seen.insert(k.as_str()))
        .map(|(k, v)| format!("{} = {}", key(k), string(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keys_and_values_are_valid_toml() {
        let mut nulls = 0;
        let v =
            serde_json::json!({"a b": "x\"y\\z\n", "n": null, "list": [1, true, {"k": "hồ sơ"}]});
        let text = format!(
            "v = {}\nk = {}\n",
            inline(&v, &mut nulls),
            string("\u{1}tab\t")
        );
        let parsed: toml::Table = toml::from_str(&text).expect("valid TOML");
        assert_eq!(parsed["v"]["a b"].as_str(), Some("x\"y\\z\n"));
        assert_eq!(parsed["v"]["list"][2]["k"].as_str(), Some("hồ sơ"));
        assert_eq!(parsed["k"].as_str(), Some("\u{1}tab\t"));
        assert_eq!(nulls, 1);
        assert_eq!(key("x.y"), "\"x.y\"");
        let twice = table(&[("a".into(), "1".into()), ("a".into(), "2".into())]);
        assert_eq!(twice, "{ a = \"1\" }");
    }
}
