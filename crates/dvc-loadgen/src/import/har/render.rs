//! The scenario file's text, with its header of what was left out, changed and correlated.

use super::*;

/// The scenario's text.
pub(super) fn render(
    steps: &[StepOut],
    origin: &str,
    host: &str,
    options: &Options,
    notes: &mut Notes,
) -> String {
    let mut out = String::new();
    let requests = steps.len();
    let _ = writeln!(
        out,
        "# {} imported from a browser recording: {requests} steps against {host}.",
        options.name
    );
    let mut left = vec![format!("{} static asset(s)", notes.assets)];
    left.extend(notes.other_hosts.iter().map(|(h, n)| format!("{h} ({n})")));
    let _ = writeln!(out, "# Left out: {}.", left.join(", "));
    if notes.personal + notes.passwords > 0 {
        let _ = writeln!(
            out,
            "# Personal data: {} value(s) became the generated citizen's ({{{{citizen.*}}}}); {} password(s) are ${{DVC_PASSWORD}}: set it before running.",
            notes.personal, notes.passwords
        );
    }
    for c in &notes.correlated {
        let _ = writeln!(out, "# Correlated: {c}");
    }
    for g in &notes.generated {
        let _ = writeln!(out, "# Generated: {g}");
    }
    for u in &notes.untranslated {
        let _ = writeln!(out, "# Not translated: {u}");
    }
    let loopback = crate::html::is_loopback_host(host);
    let _ = writeln!(
        out,
        "# Each step checks the status it got. Review the steps and the load, then:\n#   dvcbench validate FILE && dvcbench plan FILE && dvcbench run FILE{}\n",
        if loopback { "" } else { " --allow-remote" }
    );
    let _ = writeln!(
        out,
        "name = {}\n\n[target]\nurl = {}",
        string(&options.name),
        string(origin)
    );
    if !loopback {
        let _ = writeln!(out, "allow_hosts = [{}]", string(host));
    }
    let _ = writeln!(
        out,
        "\n[load]\n# One recorded visit, started once a second for a minute: size it for the question asked.\nstages = [{{ duration = \"1m\", rate = \"1/s\" }}]\n\n[[journey]]\nname = \"visit\""
    );
    for s in steps {
        let _ = writeln!(out, "\n  [[journey.step]]\n  name = {}", string(&s.name));
        if let Some(selector) = &s.submit_form {
            let _ = writeln!(out, "  submit_form = {}", string(selector));
        } else {
            if s.method != "GET" {
                let _ = writeln!(out, "  method = {}", string(&s.method));
            }
            let _ = writeln!(
                out,
                "  path = {}",
                string(if s.path.is_empty() { "/" } else { &s.path })
            );
            if !s.query.is_empty() {
                let _ = writeln!(out, "  query = {}", table(&s.query));
            }
        }
        if !s.headers.is_empty() {
            let _ = writeln!(out, "  headers = {}", table(&s.headers));
        }
        match &s.body {
            Body::None => {}
            Body::Json(v) => {
                let _ = writeln!(out, "  json = {}", inline(v, &mut notes.nulls));
            }
            Body::Form(pairs) => {
                let _ = writeln!(out, "  form = {}", table(pairs));
            }
            Body::Multipart { fields, files } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(
                        |(k, v)| match serde_json::from_str::<serde_json::Value>(v) {
                            Ok(json) if json.is_object() => {
                                format!("{} = {}", key(k), inline(&json, &mut notes.nulls))
                            }
                            _ => format!("{} = {}", key(k), string(v)),
                        },
                    )
                    .collect();
                let files: Vec<String> = files
                    .iter()
                    .map(|(field, kind, size)| {
                        format!(
                            "{{ field = {}, kind = \"{kind}\", size = \"{}KB\" }}",
                            string(field),
                            size / 1000
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  multipart = {{ fields = {{ {} }}, files = [{}] }}",
                    parts.join(", "),
                    files.join(", ")
                );
            }
        }
        if s.follow {
            let _ = writeln!(out, "  follow_redirects = true");
        }
        if s.status > 0 {
            let _ = writeln!(out, "  check = {{ status = {} }}", s.status);
        }
        if !s.extract.is_empty() {
            let parts: Vec<String> = s
                .extract
                .iter()
                .map(|(var, how, _)| format!("{} = {{ {how} }}", key(var)))
                .collect();
            let _ = writeln!(out, "  extract = {{ {} }}", parts.join(", "));
        }
        if let Some(t) = s.think {
            let _ = writeln!(out, "  think = {{ fixed = \"{t}s\" }}");
        }
    }
    out
}
