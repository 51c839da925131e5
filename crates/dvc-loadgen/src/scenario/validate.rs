//! Scenario validation: every problem at once, each with its place in the file.

use super::config::*;
use super::*;
use crate::data::{CITIZEN_FIELDS, Feeder};
use crate::secrets::{Secrets, is_sensitive};
use crate::template::JsonTemplate;
use crate::thresholds::Threshold;
use crate::units::{parse_duration, parse_rate, parse_size};
use hyper::header::HeaderName;
use std::collections::BTreeSet;
use toml::Spanned;

/// Built-in variables every template may use.
pub const BUILTIN_VARS: [&str; 2] = ["journey.id", "journey.name"];

/// Where `${NAME}` values come from.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Problems<'a> {
    path: String,
    source: &'a str,
    list: Vec<Diagnostic>,
    env: Env<'a>,
    secrets: Secrets,
}

impl Problems<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        self.list
            .push(Diagnostic::at(&self.path, self.source, offset, message));
    }

    /// Parses a template at `offset`, takes its `${NAME}`s from the environment and keeps
    /// their values secret, and the literal text too when `field` names a credential.
    fn template(&mut self, offset: usize, text: &str, field: Option<&str>) -> Option<Template> {
        let mut t = self.ok(offset, Template::parse(text))?;
        self.resolve(offset, &mut t, field)?;
        Some(t)
    }

    fn resolve(&mut self, offset: usize, t: &mut Template, field: Option<&str>) -> Option<()> {
        let env = self.env;
        for value in self.ok(offset, t.resolve_env(env))? {
            self.secrets.add(&value);
        }
        if field.is_some_and(is_sensitive) {
            for text in t.literal_text() {
                self.secrets.add_credential(text);
            }
        }
        Some(())
    }

    /// [`Problems::template`] for every string of a JSON template.
    fn json_template(&mut self, offset: usize, value: &toml::Value) -> Option<JsonTemplate> {
        let mut t = self.ok(offset, JsonTemplate::from_toml(value))?;
        let mut ok = true;
        t.visit_mut(None, &mut |field, template| {
            ok &= self.resolve(offset, template, field).is_some();
        });
        ok.then_some(t)
    }

    /// `Ok` values pass through; errors are recorded at `offset`.
    fn ok<T>(&mut self, offset: usize, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.at(offset, message);
                None
            }
        }
    }
}

/// Validates scenario text. Files it names (CSV feeders, attachments, the portal config) are
/// resolved relative to `path`'s folder; CSV feeders and attachments are read here.
pub fn validate(path: &Path, source: &str) -> Result<Scenario, Vec<Diagnostic>> {
    validate_with_env(path, source, &|name| std::env::var(name).ok())
}

/// [`validate`], taking `${NAME}` values from `env`.
pub fn validate_with_env(path: &Path, source: &str, env: Env) -> Result<Scenario, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let config: ScenarioConfig =
        toml::from_str(source).map_err(|e| vec![Diagnostic::from_toml(&shown, source, &e)])?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut p = Problems {
        path: shown,
        source,
        list: Vec::new(),
        env,
        secrets: Secrets::default(),
    };
    let target = target(&mut p, &config.target, dir);
    let load = load(&mut p, &config.load);
    let feeders = feeders(&mut p, &config.data, dir);
    let mut provinces = Vec::new();
    for code in &config.data.citizens.provinces {
        match dvc_domain::provinces::province(code) {
            Some(province) => provinces.push(province),
            None => p.at(
                0,
                format!("data.citizens.provinces: {code:?} is not a province code, e.g. \"01\""),
            ),
        }
    }
    let mut data_vars: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| (*s).to_owned()).collect();
    data_vars.extend(CITIZEN_FIELDS.iter().map(|f| format!("citizen.{f}")));
    for f in &feeders {
        data_vars.extend(f.columns.iter().map(|c| format!("{}.{c}", f.name)));
    }
    if config.journey.is_empty() {
        p.at(0, "a scenario needs at least one [[journey]]");
    }
    let mut journeys = Vec::new();
    let mut journey_names = BTreeSet::new();
    for j in &config.journey {
        let start = j.span().start;
        let jc = j.get_ref();
        if !journey_names.insert(jc.name.clone()) {
            p.at(start, format!("two journeys are called {:?}", jc.name));
        }
        if !(jc.weight.is_finite() && jc.weight > 0.0) {
            p.at(start, format!("weight must be > 0; got {}", jc.weight));
        }
        if jc.step.is_empty() {
            p.at(
                start,
                format!("journey {:?} has no [[journey.step]]", jc.name),
            );
        }
        let mut known = data_vars.clone();
        let mut steps = Vec::new();
        for s in &jc.step {
            if let Some(step) = step(&mut p, s, &known, &target, dir) {
                known.extend(step.extract.iter().map(|e| e.var.clone()));
                steps.push(step);
            }
        }
        journeys.push(Journey {
            name: jc.name.clone(),
            weight: jc.weight,
            steps,
        });
    }
    let step_names: BTreeSet<&str> = journeys
        .iter()
        .flat_map(|j| j.steps.iter().map(|s| s.name.as_str()))
        .collect();
    let step_names: Vec<&str> = step_names.into_iter().collect();
    let journey_list: Vec<&str> = journeys.iter().map(|j| j.name.as_str()).collect();
    let mut thresholds = Vec::new();
    let mut abort_on_fail = false;
    let mut abort_grace = Duration::from_secs(10);
    for (key, value) in &config.thresholds {
        let at = value.span().start;
        match (key.as_str(), value.get_ref()) {
            ("abort_on_fail", toml::Value::Boolean(b)) => abort_on_fail = *b,
            ("abort_grace", toml::Value::String(s)) => {
                if let Some(d) = p.ok(at, parse_duration(s)) {
                    abort_grace = d;
                }
            }
            ("abort_on_fail" | "abort_grace", _) => {
                p.at(
                    at,
                    format!("{key} must be a boolean (abort_on_fail) or a duration (abort_grace)"),
                );
            }
            (_, toml::Value::String(condition)) => {
                if let Some(t) = p.ok(
                    at,
                    Threshold::parse(key, condition, &step_names, &journey_list),
                ) {
                    thresholds.push(t);
                }
            }
            _ => p.at(
                at,
                format!("threshold {key:?} must be a string such as \"< 800ms\""),
            ),
        }
    }
    let verify = config.verify.as_ref().and_then(|v| {
        let at = v.span().start;
        let vc = v.get_ref();
        let path = p.template(at, &vc.path, None)?;
        let extracted = journeys
            .iter()
            .flat_map(|j| j.steps.iter())
            .any(|s| s.extract.iter().any(|e| e.var == vc.variable));
        if !extracted {
            p.at(
                at,
                format!(
                    "verify.variable {:?} is never extracted by a step",
                    vc.variable
                ),
            );
        }
        if let Some(unknown) = path.vars().find(|v| *v != vc.variable) {
            p.at(
                at,
                format!(
                    "verify.path may only use {{{{{}}}}}; got {{{{{unknown}}}}}",
                    vc.variable
                ),
            );
        }
        Some(Verify {
            variable: vc.variable.clone(),
            path,
            status: vc.status,
        })
    });
    if !p.list.is_empty() {
        p.list.sort_by_key(|d| (d.line, d.column));
        p.list.dedup();
        return Err(p.list);
    }
    let (Some(target), Some(load)) = (target, load) else {
        return Err(p.list);
    };
    let uses_citizens = uses_citizens(&journeys, &target);
    Ok(Scenario {
        name: config.name.unwrap_or_else(|| {
            path.file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
        }),
        description: config.description,
        target,
        load,
        journeys,
        feeders: feeders.into_iter().map(Arc::new).collect(),
        citizen_provinces: provinces,
        uses_citizens,
        thresholds,
        abort_on_fail,
        abort_grace,
        verify,
        source: source.to_owned(),
        secrets: p.secrets,
    })
}

fn uses_citizens(journeys: &[Journey], target: &Target) -> bool {
    let steps = journeys
        .iter()
        .flat_map(|j| &j.steps)
        .flat_map(|s| s.vars());
    let headers = target.headers.iter().flat_map(|(_, t)| t.vars());
    steps.chain(headers).any(|v| v.starts_with("citizen."))
}

/// A header of the scenario: its name checked once here, its value a template.
fn header(p: &mut Problems, at: usize, name: &str, value: &str) -> Option<(HeaderName, Template)> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name"));
    let name = p.ok(at, parsed)?;
    let value = p.template(at, value, Some(name.as_str()))?;
    Some((name, value))
}

/// Highest `max_body` (4 GiB).
const MAX_BODY_LIMIT: usize = 4 << 30;

fn target(p: &mut Problems, t: &TargetConfig, dir: &Path) -> Option<Target> {
    // `url = "${PORTAL_URL}"`: taken from the environment, and not a secret.
    let env = p.env;
    let url = Template::parse(t.url.get_ref()).and_then(|mut url| {
        url.resolve_env(env)?;
        if url.vars().next().is_some() {
            return Err(
                "url cannot use {{variables}}; ${NAME} takes it from the environment".into(),
            );
        }
        url.render(&NoVars)
    });
    let url = p.ok(t.url.span().start, url)?;
    let url = url.trim();
    let base = if url == "embedded" {
        TargetBase::Embedded(t.portal_config.as_ref().map(|c| dir.join(c.get_ref())))
    } else if (url.starts_with("http://") || url.starts_with("https://"))
        && url.parse::<hyper::Uri>().is_ok_and(|u| u.host().is_some())
    {
        if t.portal_config.is_some() {
            p.at(
                t.url.span().start,
                "portal_config only applies to url = \"embedded\"",
            );
        }
        TargetBase::Url(url.trim_end_matches('/').to_owned())
    } else {
        p.at(
            t.url.span().start,
            format!("url must be \"embedded\" or include a scheme and host, e.g. \"https://dichvucong.example.vn\"; got {url:?}"),
        );
        return None;
    };
    let timeout = p.ok(t.timeout.span().start, parse_duration(t.timeout.get_ref()))?;
    let headers = t
        .headers
        .iter()
        .filter_map(|(name, value)| header(p, value.span().start, name, value.get_ref()))
        .collect();
    let mut extra_roots = Vec::new();
    if let Some(ca) = &t.ca_file {
        match dvc_http::read_roots(&dir.join(ca.get_ref())) {
            Ok(roots) => extra_roots = roots,
            Err(e) => p.at(ca.span().start, e),
        }
    }
    let max_body = match &t.max_body {
        None => dvc_http::DEFAULT_BODY_LIMIT,
        Some(size) => {
            let bytes = p.ok(size.span().start, parse_size(size.get_ref()))?;
            if !(1..=MAX_BODY_LIMIT).contains(&bytes) {
                p.at(
                    size.span().start,
                    format!(
                        "max_body must be between 1B and 4GB; got {:?}",
                        size.get_ref()
                    ),
                );
                return None;
            }
            bytes
        }
    };
    Some(Target {
        base,
        allow_hosts: t.allow_hosts.clone(),
        timeout,
        headers,
        insecure_skip_verify: t.insecure_skip_verify,
        extra_roots,
        max_body,
        http2: t.http2,
    })
}

fn load(p: &mut Problems, l: &LoadConfig) -> Option<Load> {
    let model = match l.model.get_ref().as_str() {
        "open" => Model::Open,
        "closed" => Model::Closed,
        other => {
            p.at(
                l.model.span().start,
                format!("model must be \"open\" or \"closed\"; got {other:?}"),
            );
            Model::Open
        }
    };
    if model == Model::Closed {
        return closed_load(p, l);
    }
    let poisson = match l.arrivals.get_ref().as_str() {
        "constant" => false,
        "poisson" => true,
        other => {
            p.at(
                l.arrivals.span().start,
                format!("arrivals must be \"constant\" or \"poisson\"; got {other:?}"),
            );
            false
        }
    };
    let max_rate = p.ok(l.max_rate.span().start, parse_rate(l.max_rate.get_ref()))?;
    let mut stages = Vec::new();
    if l.stages.is_empty() {
        p.at(0, "load.stages needs at least one stage, e.g. stages = [{ duration = \"1m\", rate = \"20/s\" }]");
    }
    for s in &l.stages {
        let at = s.span().start;
        let duration = p.ok(at, parse_duration(&s.get_ref().duration));
        if s.get_ref().users.is_some() {
            p.at(at, "users is a closed-model stage key; an open stage has a rate (or set model = \"closed\")");
        }
        let rate = match &s.get_ref().rate {
            Some(r) => p.ok(at, parse_rate(r)),
            None => {
                p.at(
                    at,
                    "an open-model stage needs a rate, e.g. { duration = \"1m\", rate = \"20/s\" }",
                );
                None
            }
        };
        if let Some(r) = rate.filter(|r| *r > max_rate) {
            p.at(
                at,
                format!("rate {r}/s is over max_rate {max_rate}/s; raise max_rate if you mean it"),
            );
        }
        if let (Some(duration), Some(rate)) = (duration, rate) {
            if duration.is_zero() {
                p.at(at, "a stage's duration must be > 0");
            }
            stages.push(Stage { duration, rate });
        }
    }
    let start_rate = match &l.start_rate {
        Some(s) => {
            let rate = p.ok(s.span().start, parse_rate(s.get_ref()))?;
            if rate > max_rate {
                p.at(
                    s.span().start,
                    format!("start_rate {rate}/s is over max_rate {max_rate}/s"),
                );
            }
            rate
        }
        None => stages.first().map_or(0.0, |s| s.rate),
    };
    if stages.iter().all(|s| s.rate == 0.0) && start_rate == 0.0 && !stages.is_empty() {
        p.at(0, "every stage has rate 0: no citizen would arrive");
    }
    let max_in_flight = *l.max_in_flight.get_ref();
    if max_in_flight == 0 {
        p.at(
            l.max_in_flight.span().start,
            "max_in_flight must be at least 1",
        );
    }
    let max_start_delay = match &l.max_start_delay {
        Some(d) => Some(p.ok(d.span().start, parse_duration(d.get_ref()))?),
        None => None,
    };
    if let Some(m) = &l.max_users {
        p.at(
            m.span().start,
            "max_users applies to the closed model only (set model = \"closed\")",
        );
    }
    let graceful_stop = p.ok(
        l.graceful_stop.span().start,
        parse_duration(l.graceful_stop.get_ref()),
    )?;
    Some(Load {
        model,
        users: Vec::new(),
        poisson,
        start_rate,
        stages,
        max_in_flight,
        max_start_delay,
        max_rate,
        graceful_stop,
        seed: l.seed,
    })
}

/// The closed model: `users` stages in whole seconds (Goose's test plan), and none of the
/// open model's arrival keys.
fn closed_load(p: &mut Problems, l: &LoadConfig) -> Option<Load> {
    // Defaults carry an empty span; a key written in the file never does.
    let given = |span: std::ops::Range<usize>| (span != (0..0)).then_some(span.start);
    let open_only = [
        ("arrivals", given(l.arrivals.span())),
        ("start_rate", l.start_rate.as_ref().map(|s| s.span().start)),
        ("max_in_flight", given(l.max_in_flight.span())),
        (
            "max_start_delay",
            l.max_start_delay.as_ref().map(|s| s.span().start),
        ),
        ("max_rate", given(l.max_rate.span())),
        ("graceful_stop", given(l.graceful_stop.span())),
    ];
    for (key, at) in open_only {
        if let Some(at) = at {
            p.at(
                at,
                format!("{key} applies to the open model only; a closed run lets each virtual citizen finish its journey"),
            );
        }
    }
    if l.stages.is_empty() {
        p.at(0, "load.stages needs at least one stage, e.g. stages = [{ duration = \"1m\", users = 200 }]");
    }
    let max_users = l.max_users.as_ref().map_or(10_000, |m| *m.get_ref());
    let mut users = Vec::new();
    for s in &l.stages {
        let at = s.span().start;
        let stage = s.get_ref();
        if stage.rate.is_some() {
            p.at(
                at,
                "rate is an open-model stage key; a closed stage has users",
            );
        }
        let Some(count) = stage.users else {
            p.at(
                at,
                "a closed-model stage needs users, e.g. { duration = \"1m\", users = 200 }",
            );
            continue;
        };
        let Some(duration) = p.ok(at, parse_duration(&stage.duration)) else {
            continue;
        };
        if duration.is_zero() || duration.subsec_nanos() != 0 {
            p.at(
                at,
                "a closed-model stage lasts a whole number of seconds (> 0)",
            );
            continue;
        }
        if count > max_users {
            p.at(
                at,
                format!(
                    "{count} users is over max_users {max_users}; raise max_users if you mean it"
                ),
            );
        }
        users.push(UsersStage {
            duration,
            users: count,
        });
    }
    if !users.is_empty() && users.iter().all(|s| s.users == 0) {
        p.at(0, "every stage has 0 users: no citizen would come");
    }
    Some(Load {
        model: Model::Closed,
        users,
        poisson: false,
        start_rate: 0.0,
        stages: Vec::new(),
        max_in_flight: usize::MAX,
        max_start_delay: None,
        max_rate: f64::INFINITY,
        graceful_stop: Duration::ZERO,
        seed: l.seed,
    })
}

fn feeders(p: &mut Problems, d: &DataConfig, dir: &Path) -> Vec<Feeder> {
    let mut out: Vec<Feeder> = Vec::new();
    for c in &d.csv {
        let at = c.span().start;
        let cfg = c.get_ref();
        if cfg.name == "citizen" || cfg.name == "journey" || out.iter().any(|f| f.name == cfg.name)
        {
            p.at(at, format!("CSV feeder name {:?} is taken", cfg.name));
            continue;
        }
        if let Some(f) = p.ok(at, Feeder::read(&cfg.name, &dir.join(&cfg.path))) {
            out.push(f);
        }
    }
    out
}

fn check(p: &mut Problems, at: usize, c: &CheckConfig) -> Check {
    let status = match &c.status {
        None => vec![],
        Some(StatusConfig::One(s)) => vec![*s],
        Some(StatusConfig::Many(list)) => list.clone(),
    };
    if status.iter().any(|s| !(100..=599).contains(s)) {
        p.at(
            at,
            format!("check.status must be HTTP status codes; got {status:?}"),
        );
    }
    let mut json = Vec::new();
    for (path, value) in &c.json {
        let parsed = p.ok(at, crate::jsonpath::JsonPath::parse(path));
        let value = p.json_template(at, value).and_then(|t| {
            let value = t
                .render(&NoVars)
                .map_err(|_| "check.json values cannot use {{variables}}".to_owned());
            p.ok(at, value)
        });
        if let (Some(path), Some(value)) = (parsed, value) {
            json.push((path, value));
        }
    }
    let exists = c
        .exists
        .iter()
        .filter_map(|e| p.ok(at, crate::jsonpath::JsonPath::parse(e)))
        .collect();
    Check {
        status,
        json,
        exists,
        contains: c.contains.clone(),
    }
}

struct NoVars;
impl crate::template::Vars for NoVars {
    fn get(&self, _: &str) -> Option<&str> {
        None
    }
}

fn think(p: &mut Problems, t: &Spanned<ThinkConfig>) -> Think {
    let at = t.span().start;
    let c = t.get_ref();
    match (&c.fixed, &c.uniform, &c.exponential) {
        (Some(d), None, None) => p
            .ok(at, parse_duration(d))
            .map_or(Think::None, Think::Fixed),
        (None, Some([a, b]), None) => {
            match (p.ok(at, parse_duration(a)), p.ok(at, parse_duration(b))) {
                (Some(a), Some(b)) if a <= b => Think::Uniform(a, b),
                (Some(_), Some(_)) => {
                    p.at(at, "think.uniform needs [min, max] with min <= max");
                    Think::None
                }
                _ => Think::None,
            }
        }
        (None, None, Some(mean)) => p
            .ok(at, parse_duration(mean))
            .map_or(Think::None, Think::Exponential),
        _ => {
            p.at(
                at,
                "think needs exactly one of fixed, uniform = [min, max], exponential (mean)",
            );
            Think::None
        }
    }
}

fn body(p: &mut Problems, at: usize, s: &StepConfig, dir: &Path) -> Body {
    let given = [s.json.is_some(), s.form.is_some(), s.multipart.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        p.at(at, "a step has at most one body: json, form or multipart");
    }
    if let Some(json) = &s.json {
        return p
            .json_template(json.span().start, json.get_ref())
            .map_or(Body::None, Body::Json);
    }
    if let Some(form) = &s.form {
        let fields = form
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), p.template(at, v, Some(k))?)))
            .collect();
        return Body::Form(fields);
    }
    let Some(m) = &s.multipart else {
        return Body::None;
    };
    let at = m.span().start;
    let mut fields = Vec::new();
    for (name, value) in &m.get_ref().fields {
        let part = match value {
            toml::Value::String(text) => p.template(at, text, Some(name)).map(PartValue::Text),
            other => p.json_template(at, other).map(PartValue::Json),
        };
        if let Some(part) = part {
            fields.push((name.clone(), part));
        }
    }
    let mut files = Vec::new();
    for (i, f) in m.get_ref().files.iter().enumerate() {
        let spec = match (&f.path, &f.kind, &f.size) {
            (Some(file), None, None) => {
                let full = dir.join(file);
                match std::fs::read(&full) {
                    Ok(bytes) => Some(FileSpec {
                        field: f.field.clone(),
                        name: f.name.clone().unwrap_or_else(|| {
                            full.file_name()
                                .map_or("file".into(), |n| n.to_string_lossy().into_owned())
                        }),
                        content_type: if file.ends_with(".jpg") || file.ends_with(".jpeg") {
                            "image/jpeg"
                        } else if file.ends_with(".pdf") {
                            "application/pdf"
                        } else {
                            "application/octet-stream"
                        },
                        content: FileContent::Disk(Arc::new(bytes)),
                    }),
                    Err(e) => {
                        p.at(
                            at,
                            format!("cannot read attachment {}: {e}", full.display()),
                        );
                        None
                    }
                }
            }
            (None, kind, Some(size)) => {
                let kind = match kind.as_deref().unwrap_or("pdf") {
                    "pdf" => Some(FileKind::Pdf),
                    "jpg" | "jpeg" => Some(FileKind::Jpg),
                    other => {
                        p.at(
                            at,
                            format!("file kind must be \"pdf\" or \"jpg\"; got {other:?}"),
                        );
                        None
                    }
                };
                let range = match size.split_once("..") {
                    Some((a, b)) => p.ok(at, parse_size(a)).zip(p.ok(at, parse_size(b))),
                    None => p.ok(at, parse_size(size)).map(|s| (s, s)),
                };
                match (kind, range) {
                    (Some(kind), Some((min, max))) if min <= max && max <= 1 << 30 => {
                        Some(FileSpec {
                            field: f.field.clone(),
                            name: f.name.clone().unwrap_or_else(|| {
                                format!(
                                    "scan-{i}.{}",
                                    if kind == FileKind::Pdf { "pdf" } else { "jpg" }
                                )
                            }),
                            content_type: if kind == FileKind::Pdf {
                                "application/pdf"
                            } else {
                                "image/jpeg"
                            },
                            content: FileContent::Generated { kind, min, max },
                        })
                    }
                    (Some(_), Some(_)) => {
                        p.at(
                            at,
                            format!("file size range {size:?} must be min..max, at most 1 GB"),
                        );
                        None
                    }
                    _ => None,
                }
            }
            _ => {
                p.at(
                    at,
                    "a file needs either path, or size (with kind \"pdf\" or \"jpg\")",
                );
                None
            }
        };
        files.extend(spec);
    }
    Body::Multipart { fields, files }
}

fn step(
    p: &mut Problems,
    s: &Spanned<StepConfig>,
    known: &BTreeSet<String>,
    target: &Option<Target>,
    dir: &Path,
) -> Option<Step> {
    let at = s.span().start;
    let c = s.get_ref();
    let method = match hyper::Method::from_bytes(c.method.to_ascii_uppercase().as_bytes()) {
        Ok(m) => m,
        Err(_) => {
            p.at(at, format!("method {:?} is not an HTTP method", c.method));
            hyper::Method::GET
        }
    };
    let path_at = c.path.span().start;
    let path = p.template(path_at, c.path.get_ref(), None);
    if c.path.get_ref().bytes().any(|b| b.is_ascii_control()) {
        p.at(
            path_at,
            format!(
                "path may not hold control characters (CR, LF, tab…): they would end the request line; got {:?}",
                c.path.get_ref()
            ),
        );
    }
    if path.as_ref().is_some_and(Template::starts_with_encoded_var) {
        p.at(
            path_at,
            format!(
                "path starts with a variable, whose value is percent-encoded as one segment; write \"/{0}\" for a segment, or add \" | raw\" for a variable that holds a whole path; got {0:?}",
                c.path.get_ref()
            ),
        );
    } else if !c.path.get_ref().starts_with('/') && !c.path.get_ref().starts_with("{{") {
        p.at(
            path_at,
            format!(
                "path must start with /, e.g. \"/api/dossiers\"; got {:?}",
                c.path.get_ref()
            ),
        );
    }
    let query: Vec<(String, Template)> = c
        .query
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), p.template(at, v, Some(k))?)))
        .collect();
    let headers: Vec<(HeaderName, Template)> = c
        .headers
        .iter()
        .filter_map(|(name, value)| header(p, value.span().start, name, value.get_ref()))
        .collect();
    let body = body(p, at, c, dir);
    let step_check = check(p, at, &c.check);
    let mut extract = Vec::new();
    for (var, e) in &c.extract {
        let eat = e.span().start;
        let ec = e.get_ref();
        let from = match (&ec.json, &ec.header, &ec.regex) {
            (Some(j), None, None) => p
                .ok(eat, crate::jsonpath::JsonPath::parse(j))
                .map(ExtractFrom::Json),
            (None, Some(h), None) => Some(ExtractFrom::Header(h.to_ascii_lowercase())),
            (None, None, Some(r)) => p
                .ok(
                    eat,
                    regex::Regex::new(r).map_err(|e| format!("bad regex: {e}")),
                )
                .map(ExtractFrom::Regex),
            _ => {
                p.at(eat, "extract needs exactly one of json, header, regex");
                None
            }
        };
        if var.contains('.') {
            p.at(eat, format!("variable names cannot contain dots: {var:?}"));
        }
        if let Some(from) = from {
            extract.push(Extract {
                var: var.clone(),
                from,
            });
        }
    }
    let think = c.think.as_ref().map_or(Think::None, |t| think(p, t));
    let poll = c.poll.as_ref().and_then(|pc| {
        let pat = pc.span().start;
        let every = p.ok(pat, parse_duration(&pc.get_ref().every))?;
        let timeout = p.ok(pat, parse_duration(&pc.get_ref().timeout))?;
        if every.is_zero() || timeout < every {
            p.at(pat, "poll needs every > 0 and timeout >= every");
        }
        Some(Poll {
            until: check(p, pat, &pc.get_ref().until),
            every,
            timeout,
        })
    });
    let timeout = match &c.timeout {
        Some(t) => p.ok(t.span().start, parse_duration(t.get_ref()))?,
        None => target
            .as_ref()
            .map_or(Duration::from_secs(30), |t| t.timeout),
    };
    let step = Step {
        name: c.name.clone(),
        method,
        path: path?,
        query,
        headers,
        body,
        check: step_check,
        extract,
        think,
        poll,
        timeout,
    };
    // Every variable used must be known by now: data, built-ins, or extracted earlier.
    for var in step.vars() {
        if !known.contains(var) {
            p.at(
                at,
                format!(
                    "step {:?} uses {{{{{var}}}}}, which no earlier step extracts and no data provides",
                    c.name
                ),
            );
        }
    }
    Some(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(source: &str) -> Vec<String> {
        validate(Path::new("s.toml"), source)
            .expect_err("invalid")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn unknown_keys_are_errors_with_their_place() {
        let found = problems(
            "[load]\nstages = []\nmax_inflight = 3\n[[journey]]\nname = \"a\"\nstep = []\n",
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("s.toml:3:1: unknown field `max_inflight`"),
            "{found:?}"
        );
    }

    #[test]
    fn every_semantic_problem_is_reported_at_once() {
        let found = problems(
            r#"[load]
stages = [{ duration = "1m", rate = "5000/s" }, { duration = "soon", rate = "1/s" }]

[[journey]]
name = "j"
  [[journey.step]]
  name = "lookup"
  path = "/api/dossiers/{{dossier_code}}"
  extract = { code = { json = "$.code[" } }
  [[journey.step]]
  name = "pay"
  method = "POST"
  path = "api/pay"
  think = { fixed = "1s", exponential = "2s" }

[thresholds]
"step.lookup.p95" = "< 800ms"
"step.lookup.p42" = "< 1s"
"#,
        );
        let expect = [
            "s.toml:2:11: rate 5000/s is over max_rate 1000/s",
            "s.toml:2:49: expected a duration such as",
            "s.toml:6:3: step \"lookup\" uses {{dossier_code}}, which no earlier step extracts",
            "s.toml:9:22: bad JSON path \"$.code[\"",
            "s.toml:13:10: path must start with /",
            "s.toml:14:11: think needs exactly one of",
            "s.toml:18:21: unknown statistic \"p42\"",
        ];
        for e in expect {
            assert!(
                found.iter().any(|f| f.starts_with(e)),
                "missing {e:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
    }

    #[test]
    fn a_path_with_a_line_break_is_refused_at_its_place() {
        let found = problems(
            "[load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n  [[journey.step]]\n  name = \"s\"\n  path = \"/a\\r\\nHost: evil\"\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("s.toml:7:10: path may not hold control characters"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_path_led_by_an_encoded_variable_asks_for_a_slash_or_raw() {
        let scenario = |path: &str| {
            format!(
                "[load]\nstages = [{{ duration = \"1s\", rate = \"1/s\" }}]\n[[journey]]\nname = \"j\"\n  [[journey.step]]\n  name = \"a\"\n  path = \"/\"\n  extract = {{ next = {{ json = \"$.next\" }} }}\n  [[journey.step]]\n  name = \"s\"\n  path = \"{path}\"\n"
            )
        };
        let found = problems(&scenario("{{next}}"));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("s.toml:11:10: path starts with a variable")
                && found[0].contains("\" | raw\""),
            "{found:#?}"
        );
        for ok in ["{{next | raw}}", "/r/{{next}}"] {
            assert!(validate(Path::new("s.toml"), &scenario(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn closed_model_stages_count_users_in_whole_seconds() {
        let ok = validate(
            Path::new("s.toml"),
            "[load]\nmodel = \"closed\"\nstages = [{ duration = \"30s\", users = 50 }, { duration = \"1m\", users = 50 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
        )
        .expect("valid");
        assert_eq!(ok.load.model, Model::Closed);
        assert_eq!(ok.load.duration(), Duration::from_secs(90));
        assert_eq!(ok.load.users_at(15.0), 25.0);
        assert_eq!(ok.load.users_at(60.0), 50.0);
        assert_eq!(ok.load.users_at(95.0), 0.0);
        let found = problems(
            r#"[load]
model = "closed"
arrivals = "poisson"
max_rate = "10/s"
stages = [{ duration = "1500ms", users = 5 }, { duration = "1m", rate = "2/s" }]

[[journey]]
name = "j"
  [[journey.step]]
  name = "s"
  path = "/"
"#,
        );
        let expect = [
            "s.toml:3:12: arrivals applies to the open model only",
            "s.toml:4:12: max_rate applies to the open model only",
            "s.toml:5:11: a closed-model stage lasts a whole number of seconds",
            "s.toml:5:47: rate is an open-model stage key",
            "s.toml:5:47: a closed-model stage needs users",
        ];
        for e in expect {
            assert!(
                found.iter().any(|f| f.starts_with(e)),
                "missing {e:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
        let open = problems(
            "[load]\nstages = [{ duration = \"1s\", users = 5 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
        );
        assert!(
            open[0].starts_with("s.toml:2:11: users is a closed-model stage key"),
            "{open:?}"
        );
        let capped = problems(
            "[load]\nmodel = \"closed\"\nmax_users = 100\nstages = [{ duration = \"1s\", users = 2000 }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
        );
        assert!(
            capped[0].starts_with("s.toml:4:11: 2000 users is over max_users 100"),
            "{capped:?}"
        );
        let model = problems(
            "[load]\nmodel = \"shut\"\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
        );
        assert!(
            model[0].starts_with("s.toml:2:9: model must be \"open\" or \"closed\""),
            "{model:?}"
        );
    }

    #[test]
    fn an_unreadable_ca_file_is_reported_at_its_key() {
        let found = problems(
            "[target]\nurl = \"https://localhost:8443\"\nca_file = \"no-such-ca.pem\"\n[load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("s.toml:3:11: cannot read ca_file no-such-ca.pem"),
            "{found:?}"
        );
    }

    #[test]
    fn variables_extracted_earlier_and_data_are_known() {
        let ok = validate(
            Path::new("s.toml"),
            r#"[load]
stages = [{ duration = "1s", rate = "1/s" }]
[[journey]]
name = "j"
  [[journey.step]]
  name = "submit"
  method = "POST"
  path = "/api/x"
  json = { name = "{{citizen.full_name}}", id = "{{journey.id}}" }
  extract = { code = { json = "$.code" } }
  [[journey.step]]
  name = "lookup"
  path = "/api/x/{{code}}"
"#,
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
    }
}
