//! `dvcbench alert-bridge zalo` between a notification as Alertmanager posts it and a stand-in
//! of Zalo's Official Account API on loopback (the real one is https://openapi.zalo.me).

use dvcbench_e2e::http::send;
use dvcbench_e2e::{Process, dvcbench_binary, first_line};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// What the stand-in received: (access_token header, body).
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// A stand-in of Zalo's OA API answering `error`; returns its base URL and what it received.
async fn zalo(error: i64) -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/v3.0/oa/message/cs",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let token = headers
                    .get("access_token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                seen.lock().expect("lock").push((token, body));
                axum::Json(json!({ "error": error, "message": if error == 0 { "Success" } else { "access token invalid" } }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn bridge(api: &str) -> (Process, String) {
    let mut child = std::process::Command::new(dvcbench_binary())
        .args([
            "alert-bridge",
            "zalo",
            "--listen",
            "127.0.0.1:0",
            "--user-id",
            "1234567890",
        ])
        .args(["--api", api])
        .env("ZALO_OA_ACCESS_TOKEN", "oa-token-secret")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the bridge starts");
    let line = first_line(&mut child);
    let url = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .map(|a| format!("http://{a}/"))
        .unwrap_or_else(|| panic!("the bridge says where it listens: {line}"));
    (Process(child), url)
}

fn notification() -> Vec<u8> {
    json!({
        "version": "4", "status": "firing", "receiver": "team-zalo",
        "alerts": [{
            "status": "firing",
            "labels": { "alertname": "DvcCertificateExpiresSoon", "severity": "ticket", "province": "Hà Nội" },
            "annotations": { "summary": "Hà Nội (hn): the TLS certificate expires in 9d",
                             "runbook_url": "docs/runbooks/certificate-expires-soon.md" },
            "startsAt": "2026-12-01T02:00:00Z"
        }]
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_notification_reaches_the_oa_follower_and_refusals_are_retried() {
    let (api, received) = zalo(0).await;
    let (_bridge, url) = bridge(&api);
    let reply = send(
        "POST",
        &url,
        &[("content-type", "application/json")],
        notification(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let got = received.lock().expect("lock").clone();
    assert_eq!(got.len(), 1);
    let (token, body) = &got[0];
    assert_eq!(token, "oa-token-secret");
    assert_eq!(body["recipient"]["user_id"], "1234567890");
    let text = body["message"]["text"].as_str().expect("text");
    assert!(
        text.starts_with("🔴 ĐANG BÁO [DvcCertificateExpiresSoon, ticket] Hà Nội (hn): the TLS certificate expires in 9d"),
        "{text}"
    );
    assert!(text.contains("docs/runbooks/certificate-expires-soon.md"));
    // Garbage is refused with a reason, and nothing is sent for it.
    let bad = send("POST", &url, &[], b"{not json".to_vec()).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("not JSON"))
    );
    let empty = send("POST", &url, &[], br#"{"alerts": []}"#.to_vec()).await;
    assert_eq!(empty.status, 422);
    assert_eq!(received.lock().expect("lock").len(), 1);

    // Zalo refuses (a stale token): 502, so Alertmanager tries again; the token is not echoed.
    let (api, _) = zalo(-216).await;
    let (_refused, url) = bridge(&api);
    let reply = send("POST", &url, &[], notification()).await;
    assert_eq!(reply.status, 502);
    assert!(!reply.text().contains("oa-token-secret"));
}

#[test]
fn the_bridge_refuses_to_start_without_a_token_or_with_a_bad_user_id() {
    let out = std::process::Command::new(dvcbench_binary())
        .args(["alert-bridge", "zalo", "--user-id", "123"])
        .env_remove("ZALO_OA_ACCESS_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZALO_OA_ACCESS_TOKEN is not set"));
    let out = std::process::Command::new(dvcbench_binary())
        .args(["alert-bridge", "zalo", "--user-id", "on-call"])
        .env("ZALO_OA_ACCESS_TOKEN", "t")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
