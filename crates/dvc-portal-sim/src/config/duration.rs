//! Durations in `portal.toml`: `"100ms"`, `"2s"`, like every other dvcbench file. The keys
//! ending in `_ms` that took whole milliseconds are still read, with a deprecation message.

use dvc_domain::Diagnostic;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A duration setting. The file writes it as `"150ms"`; a number is milliseconds, which the
/// deprecated `_ms` keys and the JSON of `/admin/faults` use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Millis(pub Duration);

impl Millis {
    pub const fn from_millis(ms: u64) -> Millis {
        Millis(Duration::from_millis(ms))
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(f64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(text) => dvc_domain::units::parse_duration(&text)
                .map(Millis)
                .map_err(serde::de::Error::custom),
            Raw::Number(ms) => Duration::try_from_secs_f64(ms / 1e3)
                .map(Millis)
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "expected a duration such as \"250ms\"; got {ms}"
                    ))
                }),
        }
    }
}

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ms = self.0.as_secs_f64() * 1e3;
        if self.0.subsec_nanos() % 1_000_000 == 0 {
            s.serialize_u64(self.0.as_millis() as u64)
        } else {
            s.serialize_f64(ms)
        }
    }
}

/// The duration keys of a portal, by section: (new key, deprecated key).
const KEYS: [(&str, &[(&str, &str)]); 3] = [
    (
        "payment",
        &[
            ("callback_delay", "callback_delay_ms"),
            ("pending_resolves_after", "pending_resolves_after_ms"),
            ("reconcile_every", "reconcile_every_ms"),
        ],
    ),
    (
        "capacity",
        &[
            ("service_time", "service_time_ms"),
            ("code_generation", "code_generation_ms"),
        ],
    ),
    (
        "faults",
        &[
            ("latency", "latency_ms"),
            ("stall_every", "stall_every_ms"),
            ("stall_for", "stall_for_ms"),
        ],
    ),
];

/// What the duration keys of `source` say beyond their types: `(deprecations, errors)`.
/// A deprecated `_ms` key is read as milliseconds and named with its replacement; a new key
/// given a bare number is an error, since `latency = 150` could mean seconds.
pub(super) fn check(path: &str, source: &str) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut deprecated, mut errors) = (Vec::new(), Vec::new());
    let Ok(root) = DeTable::parse(source) else {
        return (deprecated, errors);
    };
    let Some(portals) = root.get_ref().get("portal") else {
        return (deprecated, errors);
    };
    let DeValue::Array(portals) = portals.get_ref() else {
        return (deprecated, errors);
    };
    for portal in portals {
        let DeValue::Table(portal) = portal.get_ref() else {
            continue;
        };
        for (section, keys) in KEYS {
            let Some(table) = portal.get(section) else {
                continue;
            };
            let DeValue::Table(table) = table.get_ref() else {
                continue;
            };
            for (key, value) in table {
                let at = |message: String| Diagnostic::at(path, source, key.span().start, message);
                if let Some((new, _)) = keys.iter().find(|(_, old)| *old == key.get_ref()) {
                    deprecated.push(at(format!(
                        "{section}.{} is deprecated: write {new} = {}",
                        key.get_ref(),
                        rewritten(value)
                    )));
                } else if keys.iter().any(|(new, _)| *new == key.get_ref()) && has_number(value) {
                    errors.push(at(format!(
                        "{section}.{key} takes durations such as \"150ms\" or \"2s\"; write {key} = {} (a bare number is read as milliseconds only under the deprecated {key}_ms)",
                        rewritten(value),
                        key = key.get_ref()
                    )));
                }
            }
        }
    }
    (deprecated, errors)
}

fn has_number(value: &Spanned<DeValue<'_>>) -> bool {
    match value.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => true,
        DeValue::Table(t) => t.values().any(has_number),
        _ => false,
    }
}

/// The value as the new key writes it: numbers become `"<n>ms"`.
fn rewritten(value: &Spanned<DeValue<'_>>) -> String {
    match value.get_ref() {
        DeValue::Integer(n) => format!("\"{}ms\"", n.as_str()),
        DeValue::Float(n) => format!("\"{}ms\"", n.as_str()),
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Table(t) => {
            let entries: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{:?} = {}", k.get_ref(), rewritten(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        _ => "\"…ms\"".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_durations_and_milliseconds() {
        let read = |json: &str| serde_json::from_str::<Millis>(json);
        assert_eq!(
            read("\"1.5s\"").expect("valid"),
            Millis(Duration::from_millis(1500))
        );
        assert_eq!(read("250").expect("valid"), Millis::from_millis(250));
        assert_eq!(
            read("0.5").expect("valid"),
            Millis(Duration::from_micros(500))
        );
        assert!(read("\"soon\"").is_err());
        assert!(read("-1").is_err());
        assert_eq!(
            serde_json::to_string(&Millis::from_millis(300)).expect("valid"),
            "300"
        );
    }

    #[test]
    fn old_keys_are_deprecated_and_bare_numbers_under_new_keys_refused() {
        let source = "[[portal]]\n[portal.payment]\ncallback_delay_ms = 10\n\
                      [portal.faults]\nlatency = { default = 150 }\nstall_for = \"1s\"\n";
        let (deprecated, errors) = check("p.toml", source);
        let shown: Vec<String> = deprecated.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "p.toml:3:1: payment.callback_delay_ms is deprecated: write callback_delay = \"10ms\""
            ]
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().starts_with(
                "p.toml:5:1: faults.latency takes durations such as \"150ms\" or \"2s\"; write latency = { \"default\" = \"150ms\" }"
            ),
            "{}",
            errors[0]
        );
    }
}
