//! `dvcbench import har`: a browser's recording (Chrome or Firefox, "Save all as HAR") as a
//! runnable scenario.
//!
//! - Static assets (scripts, styles, images, fonts) and hosts the visit did not go to on
//!   purpose (analytics, CDNs) are left out, and listed in the file's header.
//! - Each request left is a step named after its method and path; a redirect and the requests
//!   it led to are one step with `follow_redirects`; a form posted from the page before is a
//!   `submit_form` step (its hidden fields, such as a CSRF token, come from the page at run time).
//! - Think times come from the gaps between requests.
//! - Correlation: a value an earlier answer gave (in its JSON, or an input of its page) that a
//!   later request sends back becomes an `extract` on the earlier step and `{{var}}` in the later.
//! - Personal data (12-digit ID numbers, phone numbers, names and addresses in fields so named)
//!   becomes the generated citizen's (`{{citizen.id}}`…); passwords become `${DVC_PASSWORD}`;
//!   cookies and `Authorization` headers are left to the run (its cookie store, correlation).
//!   What is sent is rewritten; what the portal answered is never written out.

use super::{inline, key, string, table};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// How an import goes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The scenario's name.
    pub name: String,
    /// The portal's host; default: the host of the first page the visit opened.
    pub host: Option<String>,
}

/// Why a recording cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{line}:{column}: not a HAR file: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the recording has no request to {0} to import ({1})")]
    NoRequests(String, String),
    #[error("the recording has no request to import")]
    Empty,
}

use model::{Entry, Har, PostData};

/// Most entries read from one recording.
const MAX_ENTRIES: usize = 100_000;

/// Shortest value taken for correlation (shorter ones match by chance).
const MIN_CORRELATED: usize = 4;

/// One step being built.
struct StepOut {
    name: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
    submit_form: Option<String>,
    follow: bool,
    status: u16,
    extract: Vec<(String, String, String)>,
    think: Option<f64>,
    /// The answer that ends the step (after redirects): its JSON, its HTML, its Location.
    json: Option<serde_json::Value>,
    html: Option<String>,
    location: Option<String>,
    /// The address of that answer.
    url: url::Url,
    /// When its last request ended, in seconds from the first request.
    ended: f64,
}

enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<(String, String, u64)>,
    },
}

/// What was changed or left out, for the header.
#[derive(Default)]
struct Notes {
    assets: usize,
    other_hosts: BTreeMap<String, usize>,
    untranslated: Vec<String>,
    /// What the run makes up that the recording did not keep.
    generated: Vec<String>,
    personal: usize,
    passwords: usize,
    correlated: Vec<String>,
    nulls: usize,
}

/// Imports a HAR file's bytes as a scenario's TOML.
pub fn import(har: &[u8], options: &Options) -> Result<String, ImportError> {
    let parsed: Har = serde_json::from_slice(har).map_err(|e| {
        let text = e.to_string();
        let message = text
            .rfind(" at line ")
            .map_or(text.as_str(), |at| &text[..at])
            .to_owned();
        ImportError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    let mut notes = Notes::default();
    let mut entries: Vec<(usize, &Entry, url::Url)> = Vec::new();
    for (i, e) in parsed.log.entries.iter().take(MAX_ENTRIES).enumerate() {
        match url::Url::parse(&e.request.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                entries.push((i, e, u));
            }
            _ => notes.untranslated.push(format!(
                "entry {i}: {} is not an http(s) address",
                short(&e.request.url)
            )),
        }
    }
    if parsed.log.entries.len() > MAX_ENTRIES {
        notes.untranslated.push(format!(
            "entries past the first {MAX_ENTRIES} were not read"
        ));
    }
    entries.sort_by(|a, b| a.1.start().total_cmp(&b.1.start()).then(a.0.cmp(&b.0)));
    let host = match &options.host {
        Some(h) => h.clone(),
        None => entries
            .iter()
            .find(|(_, e, _)| e.response.content.mime.starts_with("text/html"))
            .or(entries.first())
            .and_then(|(_, _, u)| u.host_str().map(str::to_owned))
            .ok_or(ImportError::Empty)?,
    };
    let origin = entries
        .iter()
        .find(|(_, _, u)| u.host_str() == Some(host.as_str()))
        .map(|(_, _, u)| u.origin().ascii_serialization())
        .ok_or_else(|| {
            let hosts: BTreeSet<&str> = entries
                .iter()
                .filter_map(|(_, _, u)| u.host_str())
                .collect();
            let hosts: Vec<&str> = hosts.into_iter().collect();
            ImportError::NoRequests(host.clone(), format!("hosts in it: {}", hosts.join(", ")))
        })?;
    let t0 = entries.first().map_or(0.0, |(_, e, _)| e.start());
    let mut steps: Vec<StepOut> = Vec::new();
    let mut names = BTreeSet::new();
    for (i, e, url) in &entries {
        let end = e.start() + e.time.max(0.0) / 1000.0 - t0;
        // A request a redirect of the step before led to is part of that step.
        if let Some(last) = steps.last_mut()
            && (300..400).contains(&last.status)
            && last
                .location
                .as_deref()
                .and_then(|l| last.url.join(l).ok())
                .is_some_and(|to| same_target(&to, url))
        {
            last.follow = true;
            finish(last, e, url, end);
            continue;
        }
        let form = steps.last().and_then(|last| form_of(last, e, url));
        if url.host_str() != Some(host.as_str()) && form.is_none() {
            *notes
                .other_hosts
                .entry(url.host_str().unwrap_or("?").to_owned())
                .or_default() += 1;
            if e.request.method != "GET" {
                notes.untranslated.push(format!(
                    "entry {i}: {} {} goes to another host, not by a redirect or a form of the page before",
                    e.request.method,
                    short(url.as_str())
                ));
            }
            continue;
        }
        if is_asset(e, url) {
            notes.assets += 1;
            continue;
        }
        let start = e.start() - t0;
        if let Some(last) = steps.last_mut() {
            let gap = start - last.ended;
            if gap >= 0.5 {
                last.think = Some((gap.min(30.0) * 10.0).round() / 10.0);
            }
        }
        let mut step = request_step(e, url, &mut notes, *i);
        step.name = unique(&mut names, &step_name(&e.request.method, url.path()));
        if let Some((selector, typed)) = form {
            step.submit_form = Some(selector);
            step.body = Body::Form(typed);
            step.path.clear();
            step.query.clear();
        }
        finish(&mut step, e, url, end);
        steps.push(step);
    }
    if steps.is_empty() {
        return Err(ImportError::NoRequests(
            host,
            "only static assets or other hosts".into(),
        ));
    }
    for step in &mut steps {
        anonymize(step, &mut notes);
    }
    correlate(&mut steps, &mut notes);
    // A credential no earlier answer gave is the recorded visitor's own: never written out.
    for step in &mut steps {
        let before = step.headers.len();
        step.headers
            .retain(|(k, v)| !k.eq_ignore_ascii_case("authorization") || v.contains("{{"));
        if step.headers.len() < before {
            notes.untranslated.push(format!(
                "{}: its Authorization header came from no earlier answer and was left out; add it as ${{NAME}}",
                step.name
            ));
        }
    }
    Ok(render(&steps, &origin, &host, options, &mut notes))
}

/// The answer of `e` (for `url`) ends `step`.
fn finish(step: &mut StepOut, e: &Entry, url: &url::Url, end: f64) {
    step.status = e.response.status.clamp(0, 999) as u16;
    let text = e.response.text();
    let mime = e.response.content.mime.to_ascii_lowercase();
    step.json = text
        .filter(|_| mime.contains("json"))
        .and_then(|t| serde_json::from_str(t).ok());
    step.html = text.filter(|_| mime.contains("html")).map(str::to_owned);
    step.location = e.response.location();
    step.url = url.clone();
    step.ended = end;
}

fn short(url: &str) -> String {
    let cut: String = url.chars().take(100).collect();
    if cut.len() < url.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A script, style, image, font or source map: what a page loads, not what a citizen does.
fn is_asset(e: &Entry, url: &url::Url) -> bool {
    const EXTENSIONS: [&str; 14] = [
        ".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff",
        ".woff2", ".ttf", ".map",
    ];
    let path = url.path().to_ascii_lowercase();
    let mime = e.response.content.mime.to_ascii_lowercase();
    e.request.method == "GET"
        && (EXTENSIONS.iter().any(|x| path.ends_with(x))
            || ["image/", "font/", "text/css", "javascript"]
                .iter()
                .any(|m| mime.contains(m)))
}

fn same_target(a: &url::Url, b: &url::Url) -> bool {
    a.as_str().trim_end_matches('/') == b.as_str().trim_end_matches('/')
}

/// `post_api_dossiers` from `POST /api/dossiers`.
fn step_name(method: &str, path: &str) -> String {
    let mut name = method.to_ascii_lowercase();
    for part in path.split('/').filter(|p| !p.is_empty()).take(4) {
        let clean: String = crate::import::identifier(part);
        let clean = clean.as_str();
        if !clean.is_empty() && clean.len() <= 24 && !clean.bytes().all(|b| b.is_ascii_digit()) {
            name.push('_');
            name.push_str(clean);
        }
    }
    name
}

fn unique(names: &mut BTreeSet<String>, name: &str) -> String {
    let mut candidate = name.to_owned();
    let mut n = 2;
    while !names.insert(candidate.clone()) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

/// Headers worth keeping: the application's own (`X-…`), not the browser's.
fn kept_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.starts_with("x-") && n != "x-forwarded-for")
        || n == "accept-language"
        || n == "authorization"
}

fn request_step(e: &Entry, url: &url::Url, notes: &mut Notes, i: usize) -> StepOut {
    let r = &e.request;
    let headers = r
        .headers
        .iter()
        .filter(|h| kept_header(&h.name))
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    let body = match &r.post {
        None => Body::None,
        Some(p) => body_of(p, notes, i),
    };
    StepOut {
        name: String::new(),
        method: r.method.to_ascii_uppercase(),
        path: url.path().to_owned(),
        query: url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body,
        submit_form: None,
        follow: false,
        status: 0,
        extract: Vec::new(),
        think: None,
        json: None,
        html: None,
        location: None,
        url: url.clone(),
        ended: 0.0,
    }
}

fn body_of(p: &PostData, notes: &mut Notes, i: usize) -> Body {
    let mime = p.mime.to_ascii_lowercase();
    if mime.contains("json") {
        return match p.text.as_deref().map(serde_json::from_str) {
            Some(Ok(v)) => Body::Json(v),
            _ => {
                notes.untranslated.push(format!(
                    "entry {i}: a JSON body that is not JSON was left out"
                ));
                Body::None
            }
        };
    }
    if mime.contains("x-www-form-urlencoded") {
        let pairs = if p.params.is_empty() {
            url::form_urlencoded::parse(p.text.as_deref().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        } else {
            p.params
                .iter()
                .map(|x| (x.name.clone(), x.value.clone().unwrap_or_default()))
                .collect()
        };
        let pairs: Vec<(String, String)> = pairs;
        let mut seen = BTreeSet::new();
        for (k, _) in &pairs {
            if !seen.insert(k.as_str()) {
                notes.untranslated.push(format!(
                    "entry {i}: the field {k:?} is sent several times; the scenario sends its first value"
                ));
            }
        }
        return Body::Form(pairs);
    }
    if mime.contains("multipart") {
        let mut fields = Vec::new();
        let mut files = Vec::new();
        for x in &p.params {
            match &x.file_name {
                Some(file) => {
                    let pdf = x.content_type.as_deref().unwrap_or("").contains("pdf")
                        || file.to_ascii_lowercase().ends_with(".pdf");
                    let kind = if pdf { "pdf" } else { "jpg" };
                    files.push((x.name.clone(), kind.to_owned(), 200_000));
                }
                None => fields.push((x.name.clone(), x.value.clone().unwrap_or_default())),
            }
        }
        if p.params.is_empty() {
            notes.untranslated.push(format!(
                "entry {i}: a multipart body the recording kept no parts of was left out"
            ));
        } else if !files.is_empty() {
            notes.generated.push(format!(
                "entry {i}: {} file(s) ({} of 200KB each): a recording does not keep the files sent",
                files.len(),
                files.iter().map(|f| f.1.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        return Body::Multipart { fields, files };
    }
    if p.text.as_deref().is_some_and(|t| !t.is_empty()) {
        notes.untranslated.push(format!(
            "entry {i}: a {} body was left out (only JSON, form and multipart bodies are)",
            p.mime
        ));
    }
    Body::None
}

/// When `e` posts a form of the step before's page to `url`: the form's selector and the
/// fields the visitor typed (those the page did not already hold).
fn form_of(last: &StepOut, e: &Entry, url: &url::Url) -> Option<(String, Vec<(String, String)>)> {
    let html = last.html.as_deref()?;
    let Some(Body::Form(sent)) = e
        .request
        .post
        .as_ref()
        .map(|p| body_of(p, &mut Notes::default(), 0))
    else {
        return None;
    };
    let forms = crate::html::selector("form").ok()?;
    let page = scraper::Html::parse_document(html);
    let form = page.select(forms.inner()).find(|f| {
        let action = f.value().attr("action").unwrap_or("");
        last.url
            .join(action)
            .is_ok_and(|a| a.path() == url.path() && a.host_str() == url.host_str())
    })?;
    let selector = match (form.value().id(), form.value().attr("action")) {
        (Some(id), _)
            if id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            format!("form#{id}")
        }
        (_, Some(action)) => {
            let path = action.split('?').next().unwrap_or(action).replace('"', "");
            format!("form[action^=\"{path}\"]")
        }
        _ => "form".to_owned(),
    };
    let prefilled = crate::html::form(html.as_bytes(), &crate::html::selector(&selector).ok()?)?;
    let typed = sent
        .into_iter()
        .filter(|(k, v)| !prefilled.fields.iter().any(|(pk, pv)| pk == k && pv == v))
        .collect();
    Some((selector, typed))
}

mod correlate;
mod model;
mod private;
mod render;
#[cfg(test)]
mod tests;

use correlate::correlate;
use private::anonymize;
use render::render;
