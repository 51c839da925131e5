//! `[[journey]]` and `[[journey.step]]`: a journey's steps, each step's request and body.

use super::Problems;
use super::check::{check, think};
use super::target::header;
use crate::scenario::config::*;
use crate::template::Template;
use crate::units::{parse_duration, parse_size};
use hyper::header::HeaderName;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use toml::Spanned;

/// A journey: one citizen's sequence of steps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyConfig {
    pub name: String,
    /// Relative share of arrivals that run this journey.
    #[serde(default = "one")]
    pub weight: f64,
    pub step: Vec<Spanned<StepConfig>>,
}

fn one() -> f64 {
    1.0
}

/// One HTTP request of a journey (repeated when it has `poll`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    /// Path template relative to the target URL, e.g. "/api/dossiers/{{dossier_code}}"; a
    /// `submit_form` step takes its address from the form instead.
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// A JSON body (strings are templates).
    pub json: Option<Spanned<toml::Value>>,
    /// A form-urlencoded body.
    pub form: Option<BTreeMap<String, String>>,
    /// A multipart body.
    pub multipart: Option<Spanned<MultipartConfig>>,
    #[serde(default)]
    pub check: CheckConfig,
    /// Variables to take from the response.
    #[serde(default)]
    pub extract: BTreeMap<String, Spanned<ExtractConfig>>,
    pub think: Option<Spanned<ThinkConfig>>,
    pub poll: Option<Spanned<PollConfig>>,
    /// Per-request timeout for this step; default: the target's.
    pub timeout: Option<Spanned<String>>,
    /// Follow redirects (`true`: up to 10; a number: up to that many), each hop a request of
    /// the step, its cookies kept; the step's checks and extraction see the last answer.
    pub follow_redirects: Option<Spanned<toml::Value>>,
    /// Submit the form this CSS selector finds in the previous step's page (`"form#login"`):
    /// its action and method, its hidden and filled-in fields, with this step's `form` fields
    /// over them (a login form's CSRF token comes along).
    pub submit_form: Option<Spanned<String>>,
}

/// Most redirects a step may follow.
const MAX_REDIRECTS: i64 = 20;

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultipartConfig {
    /// Text parts; a table is sent as a JSON part.
    #[serde(default)]
    pub fields: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub files: Vec<FileConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Part name (default "files").
    #[serde(default = "files")]
    pub field: String,
    /// Generated content: "pdf" or "jpg".
    pub kind: Option<String>,
    /// Generated size, "200KB", or a range "100KB..300KB".
    pub size: Option<String>,
    /// A file from disk instead, relative to the scenario file.
    pub path: Option<String>,
    /// File name sent; default: scan-N.pdf / .jpg, or the file's name.
    pub name: Option<String>,
}

fn files() -> String {
    "files".into()
}

pub(super) struct NoVars;
impl crate::template::Vars for NoVars {
    fn get(&self, _: &str) -> Option<&str> {
        None
    }
}

pub(super) fn body(p: &mut Problems, at: usize, s: &StepConfig, dir: &Path) -> Body {
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
                match p.files.read(&full) {
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

pub(super) fn step(
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
    let (path_at, path_text) = match (&c.path, &c.submit_form) {
        (Some(path), None) => (path.span().start, path.get_ref().as_str()),
        (None, Some(_)) => (at, "/"),
        (Some(path), Some(_)) => {
            p.at(
                path.span().start,
                "a submit_form step goes to its form's action: leave path out",
            );
            (path.span().start, "/")
        }
        (None, None) => {
            p.at(at, "a step needs a path (or submit_form)");
            (at, "/")
        }
    };
    let path = p.template(path_at, path_text, None);
    if path_text.bytes().any(|b| b.is_ascii_control()) {
        p.at(
            path_at,
            format!(
                "path may not hold control characters (CR, LF, tab…): they would end the request line; got {:?}",
                path_text
            ),
        );
    }
    if path.as_ref().is_some_and(Template::starts_with_encoded_var) {
        p.at(
            path_at,
            format!(
                "path starts with a variable, whose value is percent-encoded as one segment; write \"/{0}\" for a segment, or add \" | raw\" for a variable that holds a whole path; got {0:?}",
                path_text
            ),
        );
    } else if !path_text.starts_with('/') && !path_text.starts_with("{{") {
        p.at(
            path_at,
            format!("path must start with /, e.g. \"/api/dossiers\"; got {path_text:?}"),
        );
    }
    let follow_redirects = match c
        .follow_redirects
        .as_ref()
        .map(|v| (v.span().start, v.get_ref()))
    {
        None | Some((_, toml::Value::Boolean(false))) => 0,
        Some((_, toml::Value::Boolean(true))) => 10,
        Some((_, toml::Value::Integer(n))) if (1..=MAX_REDIRECTS).contains(n) => *n as u8,
        Some((vat, other)) => {
            p.at(
                vat,
                format!("follow_redirects is true, false or a number of redirects from 1 to {MAX_REDIRECTS}; got {other}"),
            );
            0
        }
    };
    let submit_form = c.submit_form.as_ref().and_then(|sel| {
        if c.json.is_some() || c.multipart.is_some() {
            p.at(
                sel.span().start,
                "submit_form posts a form: its extra fields go in form, not json or multipart",
            );
        }
        p.ok(sel.span().start, crate::html::selector(sel.get_ref()))
    });
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
        let from = match (&ec.json, &ec.header, &ec.regex, &ec.css) {
            (Some(j), None, None, None) => p
                .ok(eat, crate::jsonpath::JsonPath::parse(j))
                .map(ExtractFrom::Json),
            (None, Some(h), None, None) => Some(ExtractFrom::Header(h.to_ascii_lowercase())),
            (None, None, Some(r), None) => p
                .ok(
                    eat,
                    regex::Regex::new(r).map_err(|e| format!("bad regex: {e}")),
                )
                .map(ExtractFrom::Regex),
            (None, None, None, Some(css)) => {
                p.ok(eat, crate::html::selector(css))
                    .map(|selector| ExtractFrom::Css {
                        selector,
                        attr: ec.attr.clone(),
                    })
            }
            _ => {
                p.at(eat, "extract needs exactly one of json, header, regex, css");
                None
            }
        };
        if ec.attr.is_some() && ec.css.is_none() {
            p.at(
                eat,
                "attr goes with css: the attribute of the element it finds",
            );
        }
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
        follow_redirects,
        submit_form,
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
