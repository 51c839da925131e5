//! HTTP helpers against servers the tests start on loopback.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::OnceLock;
use std::time::Duration;

/// An answer: status, headers and the whole body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn client() -> &'static Client<HttpConnector, Full<Bytes>> {
    static CLIENT: OnceLock<Client<HttpConnector, Full<Bytes>>> = OnceLock::new();
    // Servers close a kept-alive connection idle for their header-read timeout (10 s by
    // default); a pooled one idle half as long is dropped first, so no request meets a
    // connection the server has just closed.
    CLIENT.get_or_init(|| {
        Client::builder(TokioExecutor::new())
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build_http()
    })
}

/// Sends one request and reads the whole answer; fails after 30 s.
pub async fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
    let mut request = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .expect("valid request");
    let exchange = async {
        let response = client().request(request).await.expect("request sent");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body read").to_bytes();
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {url} took over 30 s"))
}

pub async fn get(url: &str) -> Reply {
    send("GET", url, &[], Vec::new()).await
}

pub async fn post_json(url: &str, body: &serde_json::Value, headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send("POST", url, &all, body.to_string().into_bytes()).await
}

/// A multipart/form-data body with a JSON `form` part and `files` of the given sizes;
/// returns the content type and the body.
pub fn multipart(form: &serde_json::Value, files: &[usize]) -> (String, Vec<u8>) {
    let boundary = "dvcbench-e2e-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"form\"\r\n\
             Content-Type: application/json\r\n\r\n{form}\r\n"
        )
        .as_bytes(),
    );
    for (i, size) in files.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"scan-{i}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(std::iter::repeat_n(b'%', *size));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Polls `check` every 20 ms until it returns `Some`, or panics after `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits (at most 30 s) until the Prometheus-style server on loopback `port` answers 200
/// on `/-/ready`; connection refusals meanwhile are waited out.
pub async fn wait_ready(what: &str, port: u16) {
    let ready = format!("http://127.0.0.1:{port}/-/ready");
    wait_for(
        &format!("{what} to be ready"),
        Duration::from_secs(30),
        || {
            let ready = ready.clone();
            async move {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()?;
                (get(&ready).await.status == 200).then_some(())
            }
        },
    )
    .await;
}
