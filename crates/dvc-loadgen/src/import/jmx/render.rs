//! The scenario's text from what the plan held; JMeter's `${name}` as the scenario says it.

use super::*;
use crate::import::{key, string, table};
use std::fmt::Write;

/// `${name}` as the scenario says it: an extracted or CSV variable, a plan variable's value,
/// or a function left out (noted).
pub(super) fn vars(
    text: &str,
    plan: &Plan,
    extracted: &[String],
    notes: &mut Vec<String>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let name = &rest[at + 2..at + end];
        if extracted.iter().any(|v| v == name) {
            let _ = write!(out, "{{{{{name}}}}}");
        } else if let Some((feeder, _, _)) = plan
            .csv
            .iter()
            .find(|(_, _, cols)| cols.iter().any(|c| c == name))
        {
            let _ = write!(out, "{{{{{feeder}.{name}}}}}");
        } else if let Some(value) = plan.variables.get(name) {
            out.push_str(value);
        } else if name == "__threadNum" || name.starts_with("__UUID") {
            out.push_str("{{journey.id}}");
        } else {
            notes.push(format!("${{{name}}} has no counterpart and was left out"));
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

pub(super) fn render(plan: &Plan) -> String {
    let mut notes = Vec::new();
    let mut body = String::new();
    for g in plan.groups.iter().filter(|g| !g.steps.is_empty()) {
        let _ = writeln!(body, "\n[[journey]]\nname = {}", string(&g.name));
        let mut extracted: Vec<String> = Vec::new();
        for s in &g.steps {
            let v = |t: &str, notes: &mut Vec<String>| vars(t, plan, &extracted, notes);
            let _ = writeln!(body, "\n  [[journey.step]]\n  name = {}", string(&s.name));
            if s.method != "GET" {
                let _ = writeln!(body, "  method = {}", string(&s.method));
            }
            let _ = writeln!(body, "  path = {}", string(&v(&s.path, &mut notes)));
            let map =
                |pairs: &[(String, String)], notes: &mut Vec<String>| -> Vec<(String, String)> {
                    pairs
                        .iter()
                        .map(|(k, x)| (k.clone(), v(x, notes)))
                        .collect()
                };
            if !s.query.is_empty() {
                let _ = writeln!(body, "  query = {}", table(&map(&s.query, &mut notes)));
            }
            if !s.headers.is_empty() {
                let _ = writeln!(body, "  headers = {}", table(&map(&s.headers, &mut notes)));
            }
            if !s.form.is_empty() {
                let _ = writeln!(body, "  form = {}", table(&map(&s.form, &mut notes)));
            }
            if let Some(json) = &s.json {
                let text = v(&json.to_string(), &mut notes);
                let value: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|_| json.clone());
                let _ = writeln!(body, "  json = {}", crate::import::inline(&value, &mut 0));
            }
            let mut check = Vec::new();
            if let Some(code) = s.status {
                check.push(format!("status = {code}"));
            }
            if let Some(text) = &s.contains {
                check.push(format!("contains = {}", string(text)));
            }
            if !check.is_empty() {
                let _ = writeln!(body, "  check = {{ {} }}", check.join(", "));
            }
            if !s.extract.is_empty() {
                let parts: Vec<String> = s
                    .extract
                    .iter()
                    .map(|(var, how)| format!("{} = {{ {how} }}", key(var)))
                    .collect();
                let _ = writeln!(body, "  extract = {{ {} }}", parts.join(", "));
            }
            if let Some(t) = &s.think {
                let _ = writeln!(body, "  think = {t}");
            }
            extracted.extend(s.extract.iter().map(|(var, _)| var.clone()));
        }
    }
    let first = plan.groups.iter().find(|g| !g.steps.is_empty());
    let mut out = String::new();
    let _ = writeln!(out, "# {} imported from a JMeter test plan.", plan.name);
    for n in &plan.notes {
        let _ = writeln!(out, "# Note: {n}");
    }
    notes.sort();
    notes.dedup();
    for n in plan.untranslated.iter().chain(&notes) {
        let _ = writeln!(out, "# Not translated: {n}");
    }
    let origin = plan.origin.clone().unwrap_or_else(|| "embedded".to_owned());
    let host = url::Url::parse(&origin)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    let _ = writeln!(
        out,
        "\nname = {}\n\n[target]\nurl = {}",
        string(&journey_name(&plan.name, 0)),
        string(&origin)
    );
    if let Some(h) = host.filter(|h| !dvc_http::is_loopback(h)) {
        let _ = writeln!(out, "allow_hosts = [{}]", string(&h));
    }
    let (threads, ramp, duration) = first.map_or((1, 0, 60), |g| (g.threads, g.ramp, g.duration));
    match plan.throughput {
        Some(per_minute) => {
            let _ = writeln!(
                out,
                "\n[load]\n# From the throughput timer: {per_minute} samples a minute, as arrivals.\nstages = [{{ duration = \"{duration}s\", rate = \"{}/s\" }}]",
                (per_minute / 60.0 * 1000.0).round() / 1000.0
            );
        }
        None => {
            let hold = duration.saturating_sub(ramp).max(1);
            let _ = writeln!(
                out,
                "\n[load]\n# From the thread group: {threads} threads, ramped up over {ramp}s.\nmodel = \"closed\""
            );
            if ramp > 0 {
                let _ = writeln!(
                    out,
                    "stages = [{{ duration = \"{ramp}s\", users = {threads} }}, {{ duration = \"{hold}s\", users = {threads} }}]"
                );
            } else {
                let _ = writeln!(
                    out,
                    "stages = [{{ duration = \"1s\", users = {threads} }}, {{ duration = \"{hold}s\", users = {threads} }}]"
                );
            }
        }
    }
    for (name, file, _) in &plan.csv {
        let _ = writeln!(
            out,
            "\n[[data.csv]]\nname = {}\npath = {}",
            string(name),
            string(file)
        );
    }
    out.push_str(&body);
    out
}
