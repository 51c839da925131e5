//! The parts of HAR 1.2 an import reads; the rest of a recording is ignored.

use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct Har {
    pub(super) log: Log,
}

#[derive(Deserialize)]
pub(super) struct Log {
    #[serde(default)]
    pub(super) entries: Vec<Entry>,
}

#[derive(Deserialize)]
pub(super) struct Entry {
    #[serde(rename = "startedDateTime", default)]
    pub(super) started: String,
    /// Milliseconds the request took.
    #[serde(default)]
    pub(super) time: f64,
    pub(super) request: Request,
    pub(super) response: Response,
}

#[derive(Deserialize)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) url: String,
    #[serde(default)]
    pub(super) headers: Vec<NameValue>,
    #[serde(rename = "postData")]
    pub(super) post: Option<PostData>,
}

#[derive(Deserialize)]
pub(super) struct NameValue {
    pub(super) name: String,
    #[serde(default)]
    pub(super) value: String,
}

#[derive(Deserialize)]
pub(super) struct PostData {
    #[serde(rename = "mimeType", default)]
    pub(super) mime: String,
    pub(super) text: Option<String>,
    #[serde(default)]
    pub(super) params: Vec<Param>,
}

#[derive(Deserialize)]
pub(super) struct Param {
    pub(super) name: String,
    pub(super) value: Option<String>,
    #[serde(rename = "fileName")]
    pub(super) file_name: Option<String>,
    #[serde(rename = "contentType")]
    pub(super) content_type: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Response {
    #[serde(default)]
    pub(super) status: i64,
    #[serde(default)]
    pub(super) headers: Vec<NameValue>,
    #[serde(default)]
    pub(super) content: Content,
    #[serde(rename = "redirectURL", default)]
    pub(super) redirect: String,
}

#[derive(Deserialize, Default)]
pub(super) struct Content {
    #[serde(rename = "mimeType", default)]
    pub(super) mime: String,
    pub(super) text: Option<String>,
    pub(super) encoding: Option<String>,
}

impl Entry {
    /// Seconds since the epoch the request started (0 when the recording does not say).
    pub(super) fn start(&self) -> f64 {
        chrono::DateTime::parse_from_rfc3339(&self.started)
            .map(|t| t.timestamp_millis() as f64 / 1000.0)
            .unwrap_or(0.0)
    }
}

impl Response {
    /// The body as text, when the recording kept it as text.
    pub(super) fn text(&self) -> Option<&str> {
        match (&self.content.text, &self.content.encoding) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }

    pub(super) fn location(&self) -> Option<String> {
        if !self.redirect.is_empty() {
            return Some(self.redirect.clone());
        }
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"))
            .map(|h| h.value.clone())
    }
}
