//! One `[[target.check]]` validated: its schedule, the keys its kind takes, and its kind's
//! settings.

use super::*;

pub(super) fn check(cx: &mut Ctx<'_>, c: &CheckFile, dir: Option<&Path>) -> Option<ProbeCheck> {
    let kind_name = c.kind.get_ref().as_str();
    let (interval_default, timeout_default) = match kind_name {
        "intake" => (Duration::from_secs(3600), Duration::from_secs(30)),
        "payment" => (Duration::from_secs(900), Duration::from_secs(120)),
        "stats" => (Duration::from_secs(300), Duration::from_secs(30)),
        _ => (Duration::from_secs(60), Duration::from_secs(10)),
    };
    let interval = cx.duration(&c.interval, interval_default);
    let jitter = cx.duration(&c.jitter, Duration::ZERO);
    let timeout = cx.duration(&c.timeout, timeout_default);
    if interval.is_zero()
        && let Some(i) = &c.interval
    {
        cx.error(i.span().start, "interval must be above zero");
    }
    if jitter >= interval
        && let Some(j) = &c.jitter
    {
        cx.error(j.span().start, "jitter must be shorter than the interval");
    }
    // Each optional key given, with where it stands (the key's name is its field's).
    macro_rules! given {
        ($($key:ident),*) => {
            [$((stringify!($key), c.$key.as_ref().map(|v| v.span().start))),*]
        };
    }
    let keys = given!(
        path,
        status,
        body_regex,
        json,
        latency_budget,
        scenario,
        journey,
        procedure,
        citizen_id,
        password,
        password_file,
        follow_every,
        give_up_after,
        outcome,
        confirm_timeout,
        poll_every,
        items,
        agency,
        fields
    );
    let login = ["procedure", "citizen_id", "password", "password_file"];
    let applies: Vec<&str> = match kind_name {
        "http" => vec!["path", "status", "body_regex", "json", "latency_budget"],
        "journey" => vec!["scenario", "journey"],
        "intake" => [&login[..], &["follow_every", "give_up_after"]].concat(),
        "payment" => [&login[..], &["outcome", "confirm_timeout", "poll_every"]].concat(),
        "stats" => vec!["path", "items", "agency", "fields"],
        _ => keys.iter().map(|(k, _)| *k).collect(),
    };
    for (key, offset) in keys {
        if let Some(offset) = offset
            && !applies.contains(&key)
        {
            cx.error(
                offset,
                format!("{key} does not apply to {kind_name} checks"),
            );
        }
    }
    let kind = match kind_name {
        "http" => {
            let json = c.json.as_ref().map_or_else(Vec::new, |j| {
                j.get_ref()
                    .iter()
                    .filter_map(|(p, v)| match JsonPath::parse(p) {
                        Ok(path) => Some((path, toml_to_json(v))),
                        Err(e) => {
                            cx.error(j.span().start, format!("{p}: {e}"));
                            None
                        }
                    })
                    .collect()
            });
            let body_regex = c.body_regex.as_ref().and_then(|r| {
                regex::Regex::new(r.get_ref())
                    .map_err(|e| cx.error(r.span().start, e.to_string()))
                    .ok()
            });
            CheckKind::Http(HttpCheck {
                path: c
                    .path
                    .as_ref()
                    .map_or_else(|| "/".into(), |p| p.get_ref().clone()),
                check: dvc_loadgen::scenario::Check {
                    status: c
                        .status
                        .as_ref()
                        .map_or_else(Vec::new, |v| v.get_ref().clone()),
                    json,
                    ..Default::default()
                },
                body_regex,
                latency_budget: c
                    .latency_budget
                    .as_ref()
                    .map(|_| cx.duration(&c.latency_budget, Duration::ZERO)),
            })
        }
        "journey" => {
            let Some(file) = &c.scenario else {
                cx.error(
                    c.kind.span().start,
                    "a journey check needs scenario = \"<runner scenario file>\"",
                );
                return None;
            };
            let path = dir.map_or_else(
                || Path::new(file.get_ref()).to_owned(),
                |d| d.join(file.get_ref()),
            );
            let scenario = match dvc_loadgen::scenario::Scenario::load(&path) {
                Ok(s) => s,
                Err(e) => {
                    cx.error(
                        file.span().start,
                        format!("scenario {}:\n{e}", path.display()),
                    );
                    return None;
                }
            };
            let journey = match &c.journey {
                None => 0,
                Some(name) => match scenario
                    .journeys
                    .iter()
                    .position(|j| j.name == *name.get_ref())
                {
                    Some(i) => i,
                    None => {
                        cx.error(
                            name.span().start,
                            format!("{} has no journey {:?}", path.display(), name.get_ref()),
                        );
                        return None;
                    }
                },
            };
            CheckKind::Journey(JourneyCheck {
                scenario: std::sync::Arc::new(scenario),
                journey,
            })
        }
        "intake" | "payment" => {
            let Some(procedure) = &c.procedure else {
                cx.error(
                    c.kind.span().start,
                    "an intake check needs procedure = \"<code>\"",
                );
                return None;
            };
            let password = match (&c.password, &c.password_file) {
                (Some(p), None) => expand_env(p.get_ref())
                    .map_err(|e| cx.error(p.span().start, e))
                    .ok(),
                (None, Some(f)) => {
                    let file = dir.map_or_else(
                        || Path::new(f.get_ref()).to_owned(),
                        |d| d.join(f.get_ref()),
                    );
                    std::fs::read_to_string(&file)
                        .map(|s| s.trim_end().to_owned())
                        .map_err(|e| {
                            cx.error(
                                f.span().start,
                                format!("cannot read {}: {e}", file.display()),
                            )
                        })
                        .ok()
                }
                (Some(p), Some(_)) => {
                    cx.error(p.span().start, "give password or password_file, not both");
                    None
                }
                (None, None) => None,
            };
            let login = match (&c.citizen_id, password) {
                (Some(id), Some(p)) => Some((id.get_ref().clone(), p)),
                (Some(id), None) if c.password.is_none() && c.password_file.is_none() => {
                    cx.error(
                        id.span().start,
                        "citizen_id needs password or password_file",
                    );
                    None
                }
                _ => None,
            };
            if kind_name == "payment" {
                if let Some(o) = &c.outcome
                    && !["success", "failed", "pending"].contains(&o.get_ref().as_str())
                {
                    cx.error(o.span().start, "outcome must be success, failed or pending");
                }
                CheckKind::Payment(PaymentCheck {
                    procedure: procedure.get_ref().clone(),
                    login,
                    outcome: c.outcome.as_ref().map(|o| o.get_ref().clone()),
                    confirm_timeout: cx.duration(&c.confirm_timeout, Duration::from_secs(60)),
                    poll_every: cx.duration(&c.poll_every, Duration::from_secs(1)),
                })
            } else {
                CheckKind::Intake(IntakeCheck {
                    procedure: procedure.get_ref().clone(),
                    login,
                    follow_every: cx.duration(&c.follow_every, Duration::from_secs(300)),
                    give_up_after: cx.duration(&c.give_up_after, Duration::from_secs(14 * 86_400)),
                })
            }
        }
        "stats" => {
            let mut fields = Vec::new();
            match &c.fields {
                None => cx.error(
                    c.kind.span().start,
                    "a stats check needs [fields] mapping figures to JSON paths",
                ),
                Some(map) => {
                    for (name, path) in map.get_ref() {
                        let Some((_, field)) = StatsField::ALL.iter().find(|(n, _)| n == name)
                        else {
                            let known: Vec<&str> =
                                StatsField::ALL.iter().map(|(n, _)| *n).collect();
                            cx.error(
                                map.span().start,
                                format!("unknown figure {name:?}; known: {}", known.join(", ")),
                            );
                            continue;
                        };
                        match JsonPath::parse(path) {
                            Ok(p) => fields.push((*field, p)),
                            Err(e) => cx.error(map.span().start, format!("{name}: {e}")),
                        }
                    }
                }
            }
            let mut path_of = |v: &Option<Spanned<String>>| {
                v.as_ref().and_then(|p| {
                    JsonPath::parse(p.get_ref())
                        .map_err(|e| cx.error(p.span().start, e))
                        .ok()
                })
            };
            CheckKind::Stats(StatsCheck {
                path: c
                    .path
                    .as_ref()
                    .map_or_else(|| "/api/stats".into(), |p| p.get_ref().clone()),
                items: path_of(&c.items),
                agency: path_of(&c.agency),
                fields,
            })
        }
        other => {
            cx.error(
                c.kind.span().start,
                format!("unknown check kind {other:?}; known: {}", KINDS.join(", ")),
            );
            return None;
        }
    };
    Some(ProbeCheck {
        name: c.name.get_ref().clone(),
        interval,
        jitter,
        timeout,
        office_hours_only: c.office_hours_only,
        kind,
    })
}
