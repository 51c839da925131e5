//! The OpenAPI file matches the server: every route the server has is documented, and every
//! documented operation answers with a documented status and content type.

use crate::portal::{login, submit};
use dvcbench_e2e::http::{self, get, send, wait_for};
use dvcbench_e2e::sim::{self, ADMIN_TOKEN};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

const SPEC: &str = include_str!("../../crates/dvc-portal-sim/openapi.json");
const ROUTER: &str = include_str!("../../crates/dvc-portal-sim/src/routes/mod.rs");
const SERVER: &str = include_str!("../../crates/dvc-portal-sim/src/server.rs");

/// `(METHOD, path)` of every `.route("…", get(…).post(…))` in the router sources.
fn server_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for source in [ROUTER, SERVER] {
        for segment in source.split(".route(").skip(1) {
            let segment = segment.split(".route_layer(").next().unwrap_or(segment);
            let segment = segment.split(".layer(").next().unwrap_or(segment);
            let Some(path) = segment
                .trim_start()
                .strip_prefix('"')
                .and_then(|s| s.split('"').next())
            else {
                continue; // a computed path (the prefix redirect)
            };
            for method in ["get", "post", "put", "delete"] {
                let called = segment.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0
                        || !segment.as_bytes()[i - 1].is_ascii_alphanumeric()
                            && segment.as_bytes()[i - 1] != b'_'
                });
                if called {
                    routes.insert((method.to_uppercase(), path.to_owned()));
                }
            }
        }
    }
    routes
}

fn documented(spec: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let spec: Value = serde_json::from_str(SPEC).expect("openapi.json is JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    let server = server_routes();
    assert!(server.len() > 20, "{server:?}");
    assert_eq!(documented(&spec), server);
}

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let spec: Value = serde_json::from_str(SPEC).expect("openapi.json is JSON");
    let sim = sim::start("[[portal]]\n[portal.payment]\ncallback_delay_ms = 10\n").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    // A paid dossier (its payment gives {id}) and one still owing its fee.
    let paid = submit(&base, &cookie, "1.900046", 1, 10).await.json()["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let owing = submit(&base, &cookie, "1.900046", 1, 10).await.json()["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let payment = send(
        "POST",
        &format!("{base}/api/dossiers/{paid}/payments"),
        &[("cookie", &cookie)],
        vec![],
    )
    .await
    .json();
    let id = payment["payment_id"].as_str().expect("id").to_owned();
    send(
        "POST",
        &format!("{base}/gateway/pay/{id}"),
        &[("content-type", "application/x-www-form-urlencoded")],
        b"action=pay&outcome=success".to_vec(),
    )
    .await;
    wait_for("payment settled", Duration::from_secs(10), || {
        let url = format!("{base}/api/payments/{id}");
        async move { (get(&url).await.json()["status"] == "succeeded").then_some(()) }
    })
    .await;

    // Operations whose fixture leads to a documented non-success answer.
    let expected_other = [
        ("POST", "/api/dossiers/{code}/supplement", 409),
        // A first dossier is created; sent again with its Idempotency-Key it would answer 200.
        ("POST", "/api/dossiers", 201),
        // A first payment is created; asked again while it is open, the same one answers 200.
        ("POST", "/api/dossiers/{code}/payments", 201),
        ("POST", "/api/payments/ipn", 400),
        // Each return is signed by the gateway; the documented example is not
        // (tests/e2e/portal_gateway.rs follows a real one).
        ("GET", "/payment/return", 400),
        // The SSO's steps need the state of the steps before them (tests/e2e/sso.rs runs
        // the flow); alone, each refuses as documented.
        ("POST", "/sso/login", 400),
        ("POST", "/sso/token", 400),
        ("GET", "/sso-callback", 400),
    ];
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let method = method.to_uppercase();
            let code = if method == "POST" && path == "/api/dossiers/{code}/payments" {
                &owing
            } else {
                &paid
            };
            let is_procedure =
                path.starts_with("/procedures") || path.starts_with("/api/procedures");
            let mut url_path = path.replace("{id}", &id);
            url_path = if is_procedure {
                url_path.replace("{code}", "1.900001")
            } else {
                url_path.replace("{code}", code)
            };
            let query: Vec<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let example = match &p["example"] {
                        Value::String(s) if s == "PAY0000000001" => id.clone(),
                        Value::String(s) => s.replace(' ', "%20"),
                        other => other.to_string(),
                    };
                    format!("{}={example}", p["name"].as_str().expect("name"))
                })
                .collect();
            let root = path == "/metrics" || path == "/healthz";
            let mut url = format!("{}{url_path}", if root { sim.url() } else { base.clone() });
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let content = op["requestBody"]["content"].as_object();
            let (content_type, body) = match content
                .and_then(|c| c.keys().next().map(String::as_str))
            {
                Some("application/json") => {
                    let example = &op["requestBody"]["content"]["application/json"]["example"];
                    (
                        "application/json".to_owned(),
                        example.to_string().into_bytes(),
                    )
                }
                Some("application/x-www-form-urlencoded") => {
                    let example = op["requestBody"]["content"]["application/x-www-form-urlencoded"]
                        ["example"]
                        .as_str()
                        .expect("form example");
                    (
                        "application/x-www-form-urlencoded".to_owned(),
                        example.as_bytes().to_vec(),
                    )
                }
                Some("multipart/form-data") => http::multipart(&sim::form("1.900007"), &[100]),
                Some(other) => panic!("undocumented body type {other}"),
                None => (String::new(), Vec::new()),
            };
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if !content_type.is_empty() {
                headers.push(("content-type", &content_type));
            }
            if path != "/api/logout" {
                headers.push(("cookie", &cookie));
            }
            if op.get("security").is_some() {
                headers.push(("authorization", &bearer));
            }
            let reply = send(&method, &url, &headers, body).await;
            let responses = op["responses"].as_object().expect("responses");
            let wanted = expected_other
                .iter()
                .find(|(m, p, _)| *m == method && p == path)
                .map(|(_, _, s)| s.to_string())
                .or_else(|| {
                    responses
                        .keys()
                        .find(|k| k.starts_with('2') || k.starts_with('3'))
                        .cloned()
                })
                .expect("a success response is documented");
            assert_eq!(
                reply.status.to_string(),
                wanted,
                "{method} {path}: {}",
                reply.text()
            );
            let doc = &responses[&wanted];
            if let Some(types) = doc["content"].as_object() {
                let got = reply.header("content-type").unwrap_or("");
                assert!(
                    types.keys().any(|t| got.starts_with(t.as_str())),
                    "{method} {path}: content type {got}"
                );
            }
            if doc["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
                || wanted.starts_with('4')
            {
                assert!(reply.json()["error"].is_string(), "{method} {path}");
            }
            for required in doc["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .map(|name| spec["components"]["schemas"][name]["required"].clone())
                .and_then(|r| r.as_array().cloned())
                .unwrap_or_default()
            {
                let field = required.as_str().expect("field name");
                assert!(
                    reply.json().get(field).is_some(),
                    "{method} {path}: missing {field}"
                );
            }
        }
    }
    sim.shutdown().await;
}
