//! One step's request: built from templates, checked, and its variables extracted; it is sent
//! through `dvc_http`.

use super::browser::add_cookies;
use super::excerpt::body_excerpt;
use crate::data;
use crate::jsonpath::as_text;
use crate::recorder::Outcome;
use crate::scenario::{Body, Check, ExtractFrom, FileContent, PartValue, Step};
use crate::template::Vars;
use dvc_http::encode_component_into;
pub use dvc_http::{Failure, Response, send, send_timed};
use dvc_http::{Prepared, fail};
use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use rand::RngExt;
use std::collections::HashMap;

/// A journey's variables and cookies. A journey holds a handful of variables, so a vector
/// searched from the end is cheaper than a hash map on the hot path.
#[derive(Debug, Default, Clone)]
pub struct JourneyState {
    vars: Vec<(String, String)>,
    /// The journey's cookies, kept as a browser keeps them: by Domain and Path, until they
    /// expire, Secure ones only over HTTPS (or loopback).
    pub cookies: cookie_store::CookieStore,
    /// The last answer's address and body, for a step that submits a form of it.
    pub last_page: Option<(String, Bytes)>,
    filled: bool,
}

impl JourneyState {
    /// True until the journey's data (citizen, feeder row) has been drawn.
    pub fn is_fresh(&self) -> bool {
        !self.filled
    }

    pub(crate) fn mark_filled(&mut self) {
        self.filled = true;
    }

    /// Sets (or replaces) a variable.
    pub fn set(&mut self, name: String, value: String) {
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.vars.push((name, value)),
        }
    }
}

impl Vars for JourneyState {
    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Makes the path rendered at `url[from..]` safe to put in a request line: a control character
/// (a CR/LF from an extracted value would end the line and start another request) fails the
/// step before anything is sent; a space, a byte outside ASCII and the characters RFC 3986
/// never allows raw (`"<>\\^`{|}`) are percent-encoded. Reserved characters (`/?#&=…`) and `%`
/// stay as they are, so a variable may still carry a whole path or query.
fn request_target(url: &mut String, from: usize) -> Result<(), Failure> {
    let unsafe_byte = |b: u8| {
        b == b' '
            || !b.is_ascii()
            || matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
    };
    if !(url.len() == from || url[from..].starts_with(['/', '?'])) {
        return Err(fail(
            Outcome::CheckFailed,
            format!(
                "the path {:?} does not start with /: not sent",
                &url[from..]
            ),
        ));
    }
    // The usual path needs neither: one scan finds that out.
    let Some(first) = url[from..]
        .bytes()
        .position(|b| b.is_ascii_control() || unsafe_byte(b))
    else {
        return Ok(());
    };
    let rest = &url[from + first..];
    if let Some(b) = rest.bytes().find(|b| b.is_ascii_control()) {
        return Err(fail(
            Outcome::CheckFailed,
            format!("the path holds a control character ({b:#04x}), from a variable: not sent"),
        ));
    }
    let mut escaped = String::with_capacity(rest.len() + 16);
    dvc_http::percent_encode_into(rest, &mut escaped, |b| !unsafe_byte(b));
    url.truncate(from + first);
    url.push_str(&escaped);
    Ok(())
}

/// Pre-generated attachment content per step file, sliced to the drawn size.
#[derive(Debug, Default)]
pub struct FileCache {
    blobs: HashMap<(usize, usize), Bytes>,
}

impl FileCache {
    /// Generates each step's largest attachment once.
    pub fn new(steps: &[&Step]) -> Self {
        let mut blobs = HashMap::new();
        for (si, step) in steps.iter().enumerate() {
            if let Body::Multipart { files, .. } = &step.body {
                for (fi, f) in files.iter().enumerate() {
                    let bytes = match &f.content {
                        FileContent::Generated { kind, max, .. } => {
                            Bytes::from(data::generated_file(*kind, *max))
                        }
                        FileContent::Disk(b) => Bytes::from(b.as_ref().clone()),
                    };
                    blobs.insert((si, fi), bytes);
                }
            }
        }
        FileCache { blobs }
    }
}

/// Builds the request of `step` (index `step_id` in the file cache).
#[allow(clippy::too_many_arguments)]
pub fn build(
    base: &str,
    default_headers: &[(HeaderName, crate::template::Template)],
    step: &Step,
    step_id: usize,
    files: &FileCache,
    state: &JourneyState,
    rng: &mut super::JourneyRng,
) -> Result<Prepared, Failure> {
    let render = |t: &crate::template::Template| {
        t.render(state)
            .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))
    };
    let mut url = String::with_capacity(base.len() + 64);
    url.push_str(base);
    step.path
        .render_path_into(state, &mut url)
        .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?;
    request_target(&mut url, base.len())?;
    if !step.query.is_empty() {
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for (k, v) in &step.query {
            url.push(sep);
            encode_component_into(k, &mut url);
            url.push('=');
            v.render_component_into(state, &mut url)
                .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?;
            sep = '&';
        }
    }
    let mut headers = HeaderMap::new();
    for (name, value) in default_headers.iter().chain(&step.headers) {
        let value = HeaderValue::from_str(&render(value)?)
            .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?;
        headers.insert(name.clone(), value);
    }
    add_cookies(state, &url, &mut headers);
    let (content_type, body): (Option<String>, Bytes) = match &step.body {
        Body::None => (None, Bytes::new()),
        Body::Json(j) => {
            let value = j
                .render(state)
                .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?;
            (
                Some("application/json".into()),
                Bytes::from(value.to_string()),
            )
        }
        Body::Form(fields) => {
            let mut form = String::new();
            for (k, v) in fields {
                if !form.is_empty() {
                    form.push('&');
                }
                encode_component_into(k, &mut form);
                form.push('=');
                v.render_component_into(state, &mut form)
                    .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?;
            }
            (
                Some("application/x-www-form-urlencoded".into()),
                Bytes::from(form),
            )
        }
        Body::Multipart {
            fields,
            files: specs,
        } => {
            let rng = rng.get();
            let boundary = format!("dvcbench-{:016x}", rng.random::<u64>());
            let mut out = Vec::new();
            for (name, part) in fields {
                let (ct, text) = match part {
                    PartValue::Text(t) => ("text/plain; charset=utf-8", render(t)?),
                    PartValue::Json(j) => (
                        "application/json",
                        j.render(state)
                            .map_err(|e| fail(Outcome::CheckFailed, e.to_string()))?
                            .to_string(),
                    ),
                };
                out.extend_from_slice(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n{text}\r\n")
                        .as_bytes(),
                );
            }
            for (fi, f) in specs.iter().enumerate() {
                let blob = files.blobs.get(&(step_id, fi)).cloned().unwrap_or_default();
                let size = match f.content {
                    FileContent::Generated { min, max, .. } if min < max => {
                        rng.random_range(min..=max)
                    }
                    _ => blob.len(),
                };
                out.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                        f.field, f.name, f.content_type
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&blob[..size.min(blob.len())]);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            (
                Some(format!("multipart/form-data; boundary={boundary}")),
                Bytes::from(out),
            )
        }
    };
    if let Some(ct) = content_type
        && let Ok(v) = HeaderValue::from_str(&ct)
    {
        headers.entry(hyper::header::CONTENT_TYPE).or_insert(v);
    }
    Ok(Prepared {
        method: step.method.clone(),
        url,
        headers,
        body,
    })
}

/// Judges a response: ok, http_4xx / http_5xx (an unexpected error status), or check_failed.
pub fn judge(check: &Check, response: &Response) -> Result<(), Failure> {
    let expected = if check.status.is_empty() {
        (200..400).contains(&response.status)
    } else {
        check.status.contains(&response.status)
    };
    if !expected {
        let outcome = match response.status {
            400..=499 => Outcome::Http4xx,
            500..=599 => Outcome::Http5xx,
            _ => Outcome::CheckFailed,
        };
        let reason = match body_excerpt(&response.body) {
            Some(excerpt) => format!("status {}: {excerpt}", response.status),
            None => format!("status {}", response.status),
        };
        return Err(fail(outcome, reason));
    }
    if let Some(text) = &check.contains
        && !String::from_utf8_lossy(&response.body).contains(text.as_str())
    {
        return Err(fail(
            Outcome::CheckFailed,
            format!("body does not contain {text:?}"),
        ));
    }
    if check.needs_json() {
        let json: serde_json::Value = serde_json::from_slice(&response.body)
            .map_err(|e| fail(Outcome::CheckFailed, format!("body is not JSON: {e}")))?;
        for path in &check.exists {
            if path.find(&json).is_none() {
                return Err(fail(Outcome::CheckFailed, format!("{path} does not exist")));
            }
        }
        for (path, want) in &check.json {
            let got = path.find(&json);
            if got != Some(want) {
                return Err(fail(
                    Outcome::CheckFailed,
                    format!(
                        "{path} is {}, expected {want}",
                        got.map_or("missing".into(), |g| g.to_string())
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Takes the step's variables from the response into the journey state.
pub fn extract(step: &Step, response: &Response, state: &mut JourneyState) -> Result<(), Failure> {
    let mut json: Option<serde_json::Value> = None;
    for e in &step.extract {
        let value = match &e.from {
            ExtractFrom::Json(path) => {
                if json.is_none() {
                    json = serde_json::from_slice(&response.body).ok();
                }
                json.as_ref().and_then(|j| path.find(j)).map(as_text)
            }
            ExtractFrom::Header(name) => response.headers.get(name.as_str()).map(str::to_owned),
            ExtractFrom::Regex(re) => {
                let text = String::from_utf8_lossy(&response.body);
                re.captures(&text)
                    .and_then(|c| c.get(1).or_else(|| c.get(0)))
                    .map(|m| m.as_str().to_owned())
            }
            ExtractFrom::Css { selector, attr } => {
                crate::html::select(&response.body, selector, attr.as_deref())
            }
        };
        match value {
            Some(v) => state.set(e.var.clone(), v),
            None => {
                return Err(fail(
                    Outcome::CheckFailed,
                    format!("could not extract {}", e.var),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonpath::JsonPath;
    use crate::scenario::Check;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: dvc_http::Headers::default(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn judging_sorts_failures_into_outcomes() {
        let any = Check::default();
        assert!(judge(&any, &response(201, "")).is_ok());
        assert_eq!(
            judge(&any, &response(404, "")).err().map(|f| f.outcome),
            Some(Outcome::Http4xx)
        );
        assert_eq!(
            judge(&any, &response(503, "")).err().map(|f| f.outcome),
            Some(Outcome::Http5xx)
        );
        let expect_404 = Check {
            status: vec![404],
            ..Check::default()
        };
        assert!(judge(&expect_404, &response(404, "")).is_ok());
        let expect_201 = Check {
            status: vec![201],
            ..Check::default()
        };
        assert_eq!(
            judge(&expect_201, &response(200, ""))
                .err()
                .map(|f| f.outcome),
            Some(Outcome::CheckFailed)
        );
        let json = Check {
            json: vec![(
                JsonPath::parse("$.state").expect("path"),
                serde_json::json!(1),
            )],
            exists: vec![JsonPath::parse("$.code").expect("path")],
            contains: Some("H01".into()),
            ..Check::default()
        };
        assert!(judge(&json, &response(201, r#"{"state":1,"code":"X.H01-1"}"#)).is_ok());
        let f = judge(&json, &response(201, r#"{"state":2,"code":"X.H01-1"}"#))
            .expect_err("wrong state");
        assert_eq!(
            (f.outcome, f.reason.as_str()),
            (Outcome::CheckFailed, "$.state is 2, expected 1")
        );
        assert!(judge(&json, &response(201, "not json H01")).is_err());
    }

    #[test]
    fn a_refusal_says_why_in_the_portals_own_words_without_its_secrets() {
        let any = Check::default();
        let why = |status, body: &str| judge(&any, &response(status, body)).expect_err("refused");
        assert_eq!(
            why(
                422,
                r#"{"error":"invalid","reason":"2 attachment(s) required, got 1"}"#
            )
            .reason,
            "status 422: 2 attachment(s) required, got 1"
        );
        assert_eq!(why(503, "").reason, "status 503");
        assert_eq!(
            why(400, "<html>\n  <h1>Bad   request</h1>\n</html>").reason,
            "status 400: <html> <h1>Bad request</h1> </html>"
        );
        let masked = why(
            401,
            r#"{"user":"a","session":{"id":"s3cr3t"},"accessToken":"t0k"}"#,
        );
        assert!(!masked.reason.contains("s3cr3t") && !masked.reason.contains("t0k"));
        assert!(masked.reason.contains(r#""user":"a""#), "{}", masked.reason);
        let long = why(500, &"lỗi ".repeat(100)).reason;
        assert_eq!(
            long.chars().count(),
            "status 500: ".len() + crate::engine::excerpt::EXCERPT_CHARS + 1
        );
        let binary = Response {
            status: 500,
            headers: dvc_http::Headers::default(),
            body: Bytes::from_static(&[0xff, 0xfe, 0x00]),
        };
        assert_eq!(judge(&any, &binary).expect_err("500").reason, "status 500");
    }

    #[test]
    fn a_line_break_from_a_variable_never_reaches_the_request_line() {
        let base = "http://127.0.0.1:8080";
        let target = |path: &str| {
            let mut url = format!("{base}{path}");
            request_target(&mut url, base.len()).map(|()| url[base.len()..].to_owned())
        };
        let e = target("/ok/x HTTP/1.1\r\nHost: evil\r\n\r\nGET /crlfecho").expect_err("refused");
        assert_eq!(e.outcome, Outcome::CheckFailed);
        assert!(
            e.reason.contains("control character (0x0d)"),
            "{}",
            e.reason
        );
        assert!(target("/a\tb").is_err());
        // Spaces, Vietnamese and never-raw characters are encoded; a whole path stays whole.
        assert_eq!(
            target("/thủ tục/{x}").expect("encoded"),
            "/th%E1%BB%A7%20t%E1%BB%A5c/%7Bx%7D"
        );
        assert_eq!(
            target("/b.json?q=1&r=%2F#top").expect("kept"),
            "/b.json?q=1&r=%2F#top"
        );
    }
}
