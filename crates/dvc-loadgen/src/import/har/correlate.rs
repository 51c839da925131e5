//! Values an earlier answer gave, sent back by a later request: extracted and templated.

use super::*;

/// Values earlier answers gave: value → (step, how to extract, variable name).
fn candidates(step: usize, s: &StepOut, out: &mut BTreeMap<String, (usize, String, String)>) {
    fn walk(
        v: &serde_json::Value,
        path: &str,
        name: &str,
        step: usize,
        out: &mut BTreeMap<String, (usize, String, String)>,
    ) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    if k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !k.is_empty() {
                        walk(item, &format!("{path}.{k}"), k, step, out);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate().take(20) {
                    walk(item, &format!("{path}[{i}]"), name, step, out);
                }
            }
            serde_json::Value::String(text) if text.len() >= MIN_CORRELATED => {
                out.entry(text.clone()).or_insert((
                    step,
                    format!("json = {}", string(path)),
                    name.to_owned(),
                ));
            }
            serde_json::Value::Number(n) if n.to_string().len() >= MIN_CORRELATED => {
                out.entry(n.to_string()).or_insert((
                    step,
                    format!("json = {}", string(path)),
                    name.to_owned(),
                ));
            }
            _ => {}
        }
    }
    if let Some(json) = &s.json {
        walk(json, "$", "value", step, out);
    }
    if let Some(html) = &s.html {
        let page = scraper::Html::parse_document(html);
        let inputs = scraper::Selector::parse("input[name][value]").expect("invariant: valid");
        for input in page.select(&inputs) {
            let (Some(name), Some(value)) =
                (input.value().attr("name"), input.value().attr("value"))
            else {
                continue;
            };
            if value.len() >= 8 && !name.contains('"') {
                out.entry(value.to_owned()).or_insert((
                    step,
                    format!(
                        "css = {}, attr = \"value\"",
                        string(&format!("input[name=\"{name}\"]"))
                    ),
                    name.to_owned(),
                ));
            }
        }
    }
}

/// Later requests that send back a value an earlier answer gave take it from that answer.
pub(super) fn correlate(steps: &mut [StepOut], notes: &mut Notes) {
    let mut found: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = ["citizen", "journey"].map(str::to_owned).into();
    for m in 0..steps.len() {
        let mut use_var = |value: &str, steps_before: &mut [StepOut], notes: &mut Notes| {
            if value.contains("{{") || value.contains("${") {
                return None;
            }
            let (k, how, name) = found.get(value)?.clone();
            if let Some(var) = vars.get(value) {
                return Some(format!("{{{{{var}}}}}"));
            }
            let base: String = crate::import::identifier(&name);
            let var = unique(&mut taken, if base.is_empty() { "value" } else { &base });
            steps_before[k]
                .extract
                .push((var.clone(), how.clone(), String::new()));
            notes.correlated.push(format!(
                "{var}: from {}'s answer ({how})",
                steps_before[k].name
            ));
            vars.insert(value.to_owned(), var.clone());
            Some(format!("{{{{{var}}}}}"))
        };
        let (before, rest) = steps.split_at_mut(m);
        let step = &mut rest[0];
        let mut segments: Vec<String> = step.path.split('/').map(str::to_owned).collect();
        for seg in segments.iter_mut() {
            let decoded = url::form_urlencoded::parse(format!("x={seg}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if let Some(r) = use_var(&decoded, before, notes) {
                *seg = r;
            }
        }
        step.path = segments.join("/");
        for (_, v) in step.query.iter_mut().chain(step.headers.iter_mut()) {
            if let Some(r) = use_var(v, before, notes) {
                *v = r;
            } else if let Some(token) = v.strip_prefix("Bearer ")
                && let Some(r) = use_var(token, before, notes)
            {
                *v = format!("Bearer {r}");
            }
        }
        match &mut step.body {
            Body::Form(pairs) | Body::Multipart { fields: pairs, .. } => {
                for (_, v) in pairs.iter_mut() {
                    if let Some(r) = use_var(v, before, notes) {
                        *v = r;
                    }
                }
            }
            Body::Json(json) => {
                let mut stack = vec![json];
                while let Some(v) = stack.pop() {
                    match v {
                        serde_json::Value::Object(map) => stack.extend(map.values_mut()),
                        serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
                        serde_json::Value::String(s) => {
                            if let Some(r) = use_var(s, before, notes) {
                                *s = r;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Body::None => {}
        }
        candidates(m, &steps[m], &mut found);
    }
}
