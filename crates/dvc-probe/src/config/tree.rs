//! The parts of `probe.toml` read again from its spanned tree, so their problems name a line.

use toml::Spanned;

/// The checks of each `[[template]]`, by name, as spanned trees.
pub(super) fn raw_templates<'a>(
    root: &'a toml::de::DeTable<'a>,
) -> Vec<(String, Vec<Spanned<toml::de::DeValue<'a>>>)> {
    use toml::de::DeValue;
    let Some(DeValue::Array(templates)) = root.get("template").map(Spanned::get_ref) else {
        return Vec::new();
    };
    templates
        .iter()
        .filter_map(|t| match t.get_ref() {
            DeValue::Table(t) => {
                let name = match t.get("name").map(Spanned::get_ref) {
                    Some(DeValue::String(n)) => n.to_string(),
                    _ => return None,
                };
                let checks = match t.get("check").map(Spanned::get_ref) {
                    Some(DeValue::Array(checks)) => checks.iter().cloned().collect(),
                    _ => Vec::new(),
                };
                Some((name, checks))
            }
            _ => None,
        })
        .collect()
}

pub(super) fn raw_checks<'a>(
    root: &'a toml::de::DeTable<'a>,
) -> Vec<Vec<Spanned<toml::de::DeValue<'a>>>> {
    use toml::de::DeValue;
    let Some(DeValue::Array(targets)) = root.get("target").map(Spanned::get_ref) else {
        return Vec::new();
    };
    targets
        .iter()
        .map(|t| match t.get_ref() {
            DeValue::Table(t) => match t.get("check").map(Spanned::get_ref) {
                Some(DeValue::Array(checks)) => checks.iter().cloned().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        })
        .collect()
}
