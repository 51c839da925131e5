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

/// A JMeter plan as IT centres write them: a thread group, HTTP Request Defaults, a CSV Data
/// Set, a JSON extractor whose variable the next request uses, an assertion, a timer, a cookie
/// manager, a listener, and a JSR223 sampler that has no counterpart.
const JMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<jmeterTestPlan version="1.2" properties="5.0" jmeter="5.6.3">
  <hashTree>
    <TestPlan guiclass="TestPlanGui" testclass="TestPlan" testname="Tra cuu thu tuc">
      <elementProp name="TestPlan.user_defined_variables" elementType="Arguments">
        <collectionProp name="Arguments.arguments">
          <elementProp name="keyword" elementType="Argument">
            <stringProp name="Argument.name">keyword</stringProp>
            <stringProp name="Argument.value">khai sinh</stringProp>
          </elementProp>
        </collectionProp>
      </elementProp>
    </TestPlan>
    <hashTree>
      <ConfigTestElement guiclass="HttpDefaultsGui" testclass="ConfigTestElement" testname="HTTP Request Defaults">
        <stringProp name="HTTPSampler.domain">127.0.0.1</stringProp>
        <stringProp name="HTTPSampler.port">8080</stringProp>
        <stringProp name="HTTPSampler.protocol">http</stringProp>
      </ConfigTestElement>
      <hashTree/>
      <CSVDataSet guiclass="TestBeanGUI" testclass="CSVDataSet" testname="CSV Data Set Config">
        <stringProp name="filename">pages.csv</stringProp>
        <stringProp name="variableNames">page</stringProp>
        <stringProp name="delimiter">,</stringProp>
        <boolProp name="ignoreFirstLine">true</boolProp>
      </CSVDataSet>
      <hashTree/>
      <CookieManager guiclass="CookiePanel" testclass="CookieManager" testname="HTTP Cookie Manager"/>
      <hashTree/>
      <ThreadGroup guiclass="ThreadGroupGui" testclass="ThreadGroup" testname="Citizens">
        <stringProp name="ThreadGroup.num_threads">3</stringProp>
        <stringProp name="ThreadGroup.ramp_time">1</stringProp>
        <boolProp name="ThreadGroup.scheduler">true</boolProp>
        <stringProp name="ThreadGroup.duration">3</stringProp>
      </ThreadGroup>
      <hashTree>
        <HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="Search">
          <elementProp name="HTTPsampler.Arguments" elementType="Arguments">
            <collectionProp name="Arguments.arguments">
              <elementProp name="q" elementType="HTTPArgument">
                <stringProp name="Argument.name">q</stringProp>
                <stringProp name="Argument.value">${keyword}</stringProp>
              </elementProp>
              <elementProp name="page" elementType="HTTPArgument">
                <stringProp name="Argument.name">page</stringProp>
                <stringProp name="Argument.value">${page}</stringProp>
              </elementProp>
            </collectionProp>
          </elementProp>
          <stringProp name="HTTPSampler.path">/api/procedures</stringProp>
          <stringProp name="HTTPSampler.method">GET</stringProp>
        </HTTPSamplerProxy>
        <hashTree>
          <JSONPostProcessor guiclass="JSONPostProcessorGui" testclass="JSONPostProcessor" testname="procedure">
            <stringProp name="JSONPostProcessor.referenceNames">procedure</stringProp>
            <stringProp name="JSONPostProcessor.jsonPathExprs">$.items[0].code</stringProp>
          </JSONPostProcessor>
          <hashTree/>
          <ResponseAssertion guiclass="AssertionGui" testclass="ResponseAssertion" testname="200">
            <collectionProp name="Asserion.test_strings">
              <stringProp name="49586">200</stringProp>
            </collectionProp>
            <stringProp name="Assertion.test_field">Assertion.response_code</stringProp>
          </ResponseAssertion>
          <hashTree/>
        </hashTree>
        <ConstantTimer guiclass="ConstantTimerGui" testclass="ConstantTimer" testname="Think">
          <stringProp name="ConstantTimer.delay">200</stringProp>
        </ConstantTimer>
        <hashTree/>
        <HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="Procedure page">
          <stringProp name="HTTPSampler.path">/procedures/${procedure}</stringProp>
          <stringProp name="HTTPSampler.method">GET</stringProp>
        </HTTPSamplerProxy>
        <hashTree>
          <ResponseAssertion guiclass="AssertionGui" testclass="ResponseAssertion" testname="text">
            <collectionProp name="Asserion.test_strings">
              <stringProp name="1">Đăng ký khai sinh</stringProp>
            </collectionProp>
            <stringProp name="Assertion.test_field">Assertion.response_data</stringProp>
          </ResponseAssertion>
          <hashTree/>
        </hashTree>
        <JSR223Sampler guiclass="TestBeanGUI" testclass="JSR223Sampler" testname="Groovy magic"/>
        <hashTree/>
      </hashTree>
      <ResultCollector guiclass="ViewResultsFullVisualizer" testclass="ResultCollector" testname="View Results Tree"/>
      <hashTree/>
    </hashTree>
  </hashTree>
</jmeterTestPlan>
"#;

#[test]
fn a_jmeter_plan_becomes_a_scenario_that_runs_and_names_what_it_could_not_translate() {
    let dir = Scratch::new("import-jmx");
    let file = dir.write("plan.jmx", JMX);
    dir.write("pages.csv", "page\n1\n1\n");
    let out = dir.path.join("plan.toml");
    let imported = dvcbench(&[
        "import",
        "jmx",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(imported.code, 0, "{:?}", imported.error);
    let toml = std::fs::read_to_string(&out).expect("scenario");
    assert!(
        toml.contains("# Not translated: Tra cuu thu tuc/Citizens/Groovy magic (JSR223Sampler)"),
        "{toml}"
    );
    assert!(toml.contains("model = \"closed\""), "{toml}");
    assert!(
        toml.contains("procedure = { json = \"$.items[0].code\" }"),
        "{toml}"
    );
    assert!(
        toml.contains("path = \"/procedures/{{procedure}}\""),
        "{toml}"
    );
    assert!(
        toml.contains("q = \"khai sinh\"") && toml.contains("page = \"{{csv1.page}}\""),
        "{toml}"
    );
    assert!(toml.contains("think = { fixed = \"200ms\" }"), "{toml}");

    let run_out = dir.path.join("run.json");
    let run = dvcbench(&[
        "run",
        "-q",
        out.to_str().expect("utf-8"),
        "--target",
        "embedded",
        "--out",
        run_out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{:?}\n{}\n{toml}", run.error, run.stdout);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&run_out).expect("run.json")).expect("json");
    for s in summary["steps"].as_array().expect("steps") {
        assert!(s["count"].as_u64() > Some(0), "{}", s["name"]);
        assert!(
            s["errors"].as_object().is_some_and(|e| e.is_empty()),
            "{}: {}",
            s["name"],
            s["failures"]
        );
    }
}
