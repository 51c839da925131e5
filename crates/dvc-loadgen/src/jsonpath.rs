//! A small JSON path: `$.a.b[0].c` (or `a.b.0.c`), enough for checks and extraction.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    source: String,
    segments: Vec<Segment>,
}

/// A JSON path that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad JSON path {path:?}: {why}; e.g. \"$.items[0].code\"")]
pub struct JsonPathError {
    pub path: String,
    pub why: &'static str,
}

impl JsonPath {
    pub fn parse(source: &str) -> Result<JsonPath, JsonPathError> {
        let fail = |why: &'static str| JsonPathError {
            path: source.to_owned(),
            why,
        };
        let body = source.trim();
        let body = body.strip_prefix('$').unwrap_or(body);
        let body = body.strip_prefix('.').unwrap_or(body);
        let mut segments = Vec::new();
        if body.is_empty() {
            return Ok(JsonPath {
                source: source.to_owned(),
                segments,
            });
        }
        for part in body.split('.') {
            let (key, mut indexes) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                match key.parse::<usize>() {
                    Ok(i) => segments.push(Segment::Index(i)),
                    Err(_) => segments.push(Segment::Key(key.to_owned())),
                }
            } else if indexes.is_empty() {
                return Err(fail("empty segment"));
            }
            while !indexes.is_empty() {
                let close = indexes.find(']').ok_or_else(|| fail("unclosed ["))?;
                let index = indexes[1..close]
                    .parse::<usize>()
                    .map_err(|_| fail("an index must be a number"))?;
                segments.push(Segment::Index(index));
                indexes = &indexes[close + 1..];
                if !indexes.is_empty() && !indexes.starts_with('[') {
                    return Err(fail("unexpected text after ]"));
                }
            }
        }
        Ok(JsonPath {
            source: source.to_owned(),
            segments,
        })
    }

    /// The value at this path, if any.
    pub fn find<'a>(&self, mut value: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        for segment in &self.segments {
            value = match segment {
                Segment::Key(k) => value.get(k)?,
                Segment::Index(i) => value.get(*i)?,
            };
        }
        Some(value)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A JSON value as text for variables: strings bare, everything else as JSON.
pub fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_keys_and_indexes() {
        let doc = json!({ "items": [{ "code": "A" }, { "code": "B" }], "total": 2 });
        let at = |p: &str| JsonPath::parse(p).expect("valid").find(&doc).cloned();
        assert_eq!(at("$.items[1].code"), Some(json!("B")));
        assert_eq!(at("items.0.code"), Some(json!("A")));
        assert_eq!(at("$.total"), Some(json!(2)));
        assert_eq!(at("$"), Some(doc.clone()));
        assert_eq!(at("$.missing"), None);
        assert!(JsonPath::parse("$.items[x]").is_err());
        assert!(JsonPath::parse("$.a..b").is_err());
    }
}
