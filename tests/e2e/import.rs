//! `dvcbench import har`: a visit to the simulator recorded as a browser records it (the test
//! drives the visit and writes the HAR entries, as a recording proxy would), with an SSO login,
//! static assets, a third-party host, a submission and a lookup of the code it gave. The
//! imported scenario validates, runs against the embedded portal with no errors, correlates
//! the dossier code, and holds none of the visitor's personal data.

use dvcbench_e2e::http::{self, Reply, send};
use dvcbench_e2e::{Scratch, dvcbench, dvcbench_binary, sim};
use serde_json::{Value, json};

const CCCD: &str = "001199004321";
const PHONE: &str = "0912345678";
const NAME: &str = "Nguyễn Thị Hồng Nhung";
const PASSWORD: &str = "dvc-demo";

/// A visit: requests sent with the browser's cookies, each written down as a HAR entry.
struct Recorder {
    base: String,
    cookies: Vec<(String, String)>,
    entries: Vec<Value>,
}

impl Recorder {
    async fn go(
        &mut self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        post: Option<Value>,
    ) -> Reply {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut headers = vec![
            ("user-agent", "Mozilla/5.0"),
            ("x-requested-with", "XMLHttpRequest"),
        ];
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        if let Some(ct) = content_type {
            headers.push(("content-type", ct));
        }
        let started = chrono::Utc::now();
        let reply = send(method, &url, &headers, body).await;
        let ms = (chrono::Utc::now() - started).num_milliseconds();
        for c in reply.headers.get_all("set-cookie") {
            let c = c.to_str().expect("ascii cookie");
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').expect("name=value");
            self.cookies.retain(|(n, _)| n != k);
            if !c.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let mime = reply.header("content-type").unwrap_or("").to_owned();
        let mut request = json!({
            "method": method, "url": url, "httpVersion": "HTTP/1.1",
            "headers": headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        });
        if let Some(p) = post {
            request["postData"] = p;
        }
        self.entries.push(json!({
            "startedDateTime": started.to_rfc3339(),
            "time": ms,
            "request": request,
            "response": {
                "status": reply.status,
                "headers": reply.headers.iter().map(|(k, v)| json!({"name": k.as_str(), "value": v.to_str().unwrap_or("")})).collect::<Vec<_>>(),
                "content": { "mimeType": mime, "size": reply.body.len(), "text": reply.text() },
                "redirectURL": reply.header("location").unwrap_or(""),
            },
        }));
        // A person reading the page before the next click.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        reply
    }

    fn asset(&mut self, url: &str, mime: &str) {
        self.entries.push(json!({
            "startedDateTime": chrono::Utc::now().to_rfc3339(), "time": 3,
            "request": { "method": "GET", "url": url, "headers": [] },
            "response": { "status": 200, "headers": [], "content": { "mimeType": mime, "size": 10 } },
        }));
    }
}

async fn record(base: &str) -> Value {
    let mut r = Recorder {
        base: base.to_owned(),
        cookies: Vec::new(),
        entries: Vec::new(),
    };
    r.go("GET", "/", None, Vec::new(), None).await;
    r.asset(&format!("{base}/static/app.js"), "application/javascript");
    r.asset(
        "https://www.google-analytics.com/g/collect?v=2",
        "image/gif",
    );
    let found = r
        .go(
            "GET",
            "/api/procedures?q=khai%20sinh",
            None,
            Vec::new(),
            None,
        )
        .await
        .json();
    let procedure = found["items"][0]["code"]
        .as_str()
        .expect("a procedure")
        .to_owned();
    // The SSO login: /dang-nhap → the login page, the form → the callback → home.
    let to_sso = r.go("GET", "/dang-nhap", None, Vec::new(), None).await;
    let page = r
        .go(
            "GET",
            to_sso.header("location").expect("to the SSO"),
            None,
            Vec::new(),
            None,
        )
        .await
        .text();
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("form action")
        .replace("&amp;", "&");
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_owned();
    let form = format!("csrf_token={csrf}&username={CCCD}&password={PASSWORD}");
    let post = json!({"mimeType": "application/x-www-form-urlencoded", "params": [
        {"name": "csrf_token", "value": csrf}, {"name": "username", "value": CCCD}, {"name": "password", "value": PASSWORD}]});
    let back = r
        .go(
            "POST",
            &action,
            Some("application/x-www-form-urlencoded"),
            form.into_bytes(),
            Some(post),
        )
        .await;
    let home = r
        .go(
            "GET",
            back.header("location").expect("to the callback"),
            None,
            Vec::new(),
            None,
        )
        .await;
    assert_eq!(home.status, 302, "{}", home.text());
    r.go(
        "GET",
        home.header("location").expect("home"),
        None,
        Vec::new(),
        None,
    )
    .await;
    // A submission: the form part is JSON, the file a scan.
    let applicant = json!({"procedure_code": procedure, "applicant": {"full_name": NAME, "citizen_id": CCCD, "phone": PHONE, "address": "12 Phố Huế, Hà Nội"}});
    let (ct, body) = http::multipart(&applicant, &[2000, 2000]);
    let post = json!({"mimeType": ct, "params": [
        {"name": "form", "value": applicant.to_string()},
        {"name": "files", "fileName": "to-khai.pdf", "contentType": "application/pdf"},
        {"name": "files", "fileName": "giay-chung-sinh.pdf", "contentType": "application/pdf"}]});
    let submitted = r
        .go("POST", "/api/dossiers", Some(&ct), body, Some(post))
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.text());
    let code = submitted.json()["code"].as_str().expect("code").to_owned();
    r.go(
        "GET",
        &format!("/api/dossiers/{code}"),
        None,
        Vec::new(),
        None,
    )
    .await;
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": r.entries}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_visit_becomes_a_scenario_that_runs_with_no_personal_data() {
    let portal = sim::start("").await;
    let har = record(portal.portal_url()).await;
    let dir = Scratch::new("import-har");
    let file = dir.write("visit.har", &har.to_string());
    let out = dir.path.join("visit.toml");
    let imported = dvcbench(&[
        "import",
        "har",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(imported.code, 0, "{:?}", imported.error);
    let toml = std::fs::read_to_string(&out).expect("scenario");
    for private in [CCCD, PHONE, NAME, PASSWORD, "Phố Huế"] {
        assert!(
            !toml.contains(private),
            "{private} is in the scenario:\n{toml}"
        );
    }
    assert!(
        toml.contains("# Left out: 1 static asset(s), www.google-analytics.com (1)."),
        "{toml}"
    );
    assert!(
        toml.contains("submit_form = \"form#kc-form-login\""),
        "{toml}"
    );
    assert!(toml.contains("follow_redirects = true"), "{toml}");
    assert!(
        toml.contains("code = { json = \"$.code\" }"),
        "correlation:\n{toml}"
    );
    assert!(
        toml.contains("path = \"/api/dossiers/{{code}}\""),
        "correlation:\n{toml}"
    );
    assert!(toml.contains("think = { fixed ="), "{toml}");

    // It runs against the embedded portal with no errors, the password from the environment.
    let run_out = dir.path.join("run.json");
    let run = tokio::task::spawn_blocking({
        let (out, run_out) = (out.clone(), run_out.clone());
        move || {
            std::process::Command::new(dvcbench_binary())
                .args([
                    "run",
                    "-q",
                    out.to_str().expect("utf-8"),
                    "--target",
                    "embedded",
                    "--duration",
                    "3s",
                    "--out",
                    run_out.to_str().expect("utf-8"),
                ])
                .env("DVC_PASSWORD", PASSWORD)
                .output()
                .expect("dvcbench runs")
        }
    })
    .await
    .expect("joined");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}\n{toml}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&run_out).expect("run.json")).expect("json");
    let steps = summary["steps"].as_array().expect("steps");
    assert!(steps.len() >= 6, "{summary}");
    for s in steps {
        assert!(s["count"].as_u64() > Some(0), "{}", s["name"]);
        assert!(
            s["errors"].as_object().is_some_and(|e| e.is_empty()),
            "{}: {}",
            s["name"],
            s["failures"]
        );
    }
}

#[test]
fn a_file_that_is_not_a_recording_is_refused_with_its_place() {
    let dir = Scratch::new("import-bad");
    let file = dir.write(
        "bad.har",
        "{\n  \"log\": { \"entries\": [ { \"request\": 3 } ] }\n}\n",
    );
    let r = dvcbench(&["import", "har", file.to_str().expect("utf-8")]);
    assert_eq!(r.code, 2);
    let e = r.error.unwrap_or_default();
    assert!(
        e.contains("bad.har:2:38: not a HAR file: invalid type"),
        "{e}"
    );
    assert!(!e.contains("at line"), "the place is said once: {e}");
}
