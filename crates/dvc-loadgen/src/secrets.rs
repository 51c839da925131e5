//! Secrets kept out of every output: values taken from the environment (`${NAME}`), and the
//! literal values of header fields and body fields whose names say they hold a credential
//! (`Authorization`, `Cookie`, `X-API-Key`, `password`, `token`…). They are sent as written,
//! and replaced by `[redacted]` in `run.json`, reports and logs.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Shortest value redacted: shorter ones would blank out ordinary words and numbers.
const MIN_LEN: usize = 4;

/// Names of header and body fields that hold credentials (case-insensitive, as a part of the
/// name: `X-Auth-Token`, `client_secret`, `mat_khau`).
const SENSITIVE: [&str; 12] = [
    "authorization",
    "cookie",
    "password",
    "passwd",
    "secret",
    "token",
    "api-key",
    "api_key",
    "apikey",
    "session",
    "mat_khau",
    "otp",
];

/// Words of a credential's value that are not themselves secret.
const SCHEMES: [&str; 4] = ["bearer", "basic", "digest", "token"];

/// Whether a header or body field named `name` holds a credential.
pub fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE.iter().any(|s| name.contains(s))
}

/// The secret values of one scenario.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Longest first, so a value containing another is replaced whole.
    values: Vec<String>,
}

impl Secrets {
    /// Keeps `value` secret (values under four characters are not redacted).
    pub fn add(&mut self, value: &str) {
        if value.chars().count() < MIN_LEN || self.values.iter().any(|v| v == value) {
            return;
        }
        self.values.push(value.to_owned());
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Keeps the words of a credential's literal text secret, but its scheme (`Bearer`).
    pub fn add_credential(&mut self, text: &str) {
        for word in text.split_whitespace() {
            if !SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s)) {
                self.add(word);
            }
        }
    }

    /// Keeps the values of credential parameters written in a URL (`?access_token=…`) secret.
    pub fn add_url_credentials(&mut self, url: &str) {
        for c in PARAMETER.captures_iter(url) {
            if credential_parameter(&c["key"], &c["value"]) {
                self.add(&c["value"]);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret value replaced by `[redacted]`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), REDACTED));
            }
        }
        out
    }
}

/// A scenario file's text with the string values of credential fields, and the values of
/// credential parameters in URLs (`?access_token=…`), replaced by `[redacted]` (a value that
/// only names environment variables, `"${TOKEN}"`, is kept: it holds no secret).
pub fn redact_source(source: &str) -> String {
    let fields = redact_fields(source);
    PARAMETER
        .replace_all(&fields, |c: &regex::Captures| {
            let (key, value) = (&c["key"], &c["value"]);
            if credential_parameter(key, value) {
                format!("{key}{REDACTED}")
            } else {
                format!("{key}{value}")
            }
        })
        .into_owned()
}

/// A URL parameter with its separator and `=` (`&access_token=`), and its value.
static PARAMETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?P<key>[?&;][A-Za-z0-9_.-]+=)(?P<value>[^&;#"'\s]+)"#)
        .expect("invariant: a valid regular expression")
});

/// Whether a URL parameter (`key` as [`PARAMETER`] captures it) holds a credential written out.
fn credential_parameter(key: &str, value: &str) -> bool {
    is_sensitive(&key[1..key.len() - 1]) && !value.starts_with("${")
}

/// [`redact_source`] for `key = "value"` fields.
fn redact_fields(source: &str) -> String {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?P<key>(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_.-]+)\s*=\s*)(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"#)
            .expect("invariant: a valid regular expression")
    });
    static ONLY_ENV: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^["'](?:[A-Za-z ]*\$\{[A-Za-z_][A-Za-z0-9_]*\})+["']$"#)
            .expect("invariant: a valid regular expression")
    });
    FIELD
        .replace_all(source, |c: &regex::Captures| {
            let key = &c["key"];
            let value = &c["value"];
            let name = key
                .trim_end()
                .trim_end_matches('=')
                .trim()
                .trim_matches(['"', '\'']);
            if is_sensitive(name) && !ONLY_ENV.is_match(value) {
                format!("{key}\"{REDACTED}\"")
            } else {
                format!("{key}{value}")
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_fields_are_redacted_in_the_source_and_references_kept() {
        let source = "[target]\nheaders = { Authorization = \"Bearer s3cr3t-t0ken\", \"X-Api-Key\" = 'k-123456', Accept = \"application/json\" }\n\
                      [[journey.step]]\njson = { citizen_id = \"{{citizen.id}}\", password = \"dvc-demo\" }\n\
                      headers = { Cookie = \"${PORTAL_COOKIE}\" }\n";
        let redacted = redact_source(source);
        for secret in ["s3cr3t-t0ken", "k-123456", "dvc-demo"] {
            assert!(!redacted.contains(secret), "{secret} in {redacted}");
        }
        let url = redact_source(
            "path = \"/api/files?id=7&access_token=s3ss-t0ken&lang=vi\"\nq = \"?api_key=${KEY}\"\n",
        );
        assert_eq!(
            url,
            "path = \"/api/files?id=7&access_token=[redacted]&lang=vi\"\nq = \"?api_key=${KEY}\"\n"
        );
        for kept in [
            "application/json",
            "{{citizen.id}}",
            "${PORTAL_COOKIE}",
            "Authorization = \"[redacted]\"",
        ] {
            assert!(redacted.contains(kept), "{kept} not in {redacted}");
        }
    }

    #[test]
    fn values_are_replaced_wherever_they_appear_but_short_ones() {
        let mut secrets = Secrets::default();
        secrets.add("abc");
        secrets.add_credential("Bearer eyJhbGciOi.x");
        secrets.add("eyJhbGciOi");
        assert_eq!(
            secrets.redact("status 401: token eyJhbGciOi.x refused; abc"),
            "status 401: token [redacted] refused; abc"
        );
        assert_eq!(secrets.redact("Bearer"), "Bearer");
        assert!(matches!(secrets.redact("nothing here"), Cow::Borrowed(_)));
        secrets.add_url_credentials("/files?id=7&access_token=s3ss-t0ken&key=${K}");
        assert_eq!(
            secrets.redact("the path \"/files?id=7&access_token=s3ss-t0ken\""),
            "the path \"/files?id=7&access_token=[redacted]\""
        );
    }
}
