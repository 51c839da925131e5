//! `dvcbench alert-bridge zalo`: Alertmanager's webhook to a Zalo Official Account, for teams
//! that are reached on Zalo. Alertmanager posts each notification to this bridge
//! (`webhook_configs`); the bridge sends one text message per notification to the OA's
//! follower `--user-id` through Zalo's consultation-message API, with the access token from
//! `ZALO_OA_ACCESS_TOKEN` (never logged). A message Zalo refuses is answered 502, so
//! Alertmanager retries it.

use crate::Failure;
use crate::cli::BridgeArgs;
use anyhow::{Context, anyhow};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dvc_http::{HttpClient, Prepared, header};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// Zalo's limit on a text message, in characters.
const MAX_TEXT: usize = 2000;

/// Where the OA's messages go and how.
struct Bridge {
    client: HttpClient,
    /// `{api}/v3.0/oa/message/cs`.
    endpoint: String,
    token: String,
    user_id: String,
}

/// Runs the bridge until Ctrl-C or SIGTERM.
pub fn run(args: BridgeArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let token = std::env::var("ZALO_OA_ACCESS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "ZALO_OA_ACCESS_TOKEN is not set: the OA's access token (Zalo for Developers, Official Account API)"
            ))
        })?;
    if args.user_id.is_empty() || !args.user_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::bad_input(anyhow!(
            "--user-id must be the follower's numeric Zalo user id; got {:?}",
            args.user_id
        )));
    }
    let api = args.api.trim_end_matches('/');
    if !(api.starts_with("https://") || api.starts_with("http://")) {
        return Err(Failure::bad_input(anyhow!(
            "--api must be an http:// or https:// URL; got {api:?}"
        )));
    }
    let bridge = Arc::new(Bridge {
        // Zalo's answer is a small JSON object; anything past 64 KB is not one.
        client: HttpClient::new(&dvc_http::Options {
            body_limit: 64 << 10,
            ..dvc_http::Options::default()
        })
        .map_err(Failure::failed)?,
        endpoint: format!("{api}/v3.0/oa/message/cs"),
        token: token.trim().to_owned(),
        user_id: args.user_id.clone(),
    });
    let runtime = tokio::runtime::Runtime::new().map_err(Failure::failed)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))
            .map_err(Failure::bad_input)?;
        let addr = listener.local_addr().map_err(Failure::failed)?;
        writeln!(
            out,
            "alert bridge to Zalo OA listening on http://{addr}/ (Alertmanager webhook_configs url)"
        )?;
        out.flush()?;
        let app = axum::Router::new()
            .route("/", post(notify))
            .route("/healthz", get(|| async { "ok\n" }))
            .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
            .with_state(bridge);
        dvc_http::serve(
            listener,
            app,
            dvc_http::serve::Limits {
                max_connections: 64,
                ..dvc_http::serve::Limits::default()
            },
            crate::portal::wait_for_signal(),
        )
        .await;
        Ok(())
    })
}

fn reason(status: StatusCode, why: String) -> Response {
    (status, axum::Json(json!({ "error": why }))).into_response()
}

/// `POST /`: one Alertmanager notification.
async fn notify(State(bridge): State<Arc<Bridge>>, body: axum::body::Bytes) -> Response {
    let payload: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return reason(StatusCode::BAD_REQUEST, format!("not JSON: {e}")),
    };
    let text = match message(&payload) {
        Ok(text) => text,
        Err(why) => return reason(StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    let mut request = Prepared {
        method: dvc_http::Method::POST,
        url: bridge.endpoint.clone(),
        headers: Default::default(),
        body: json!({
            "recipient": { "user_id": bridge.user_id },
            "message": { "text": text },
        })
        .to_string()
        .into(),
    };
    request.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    let Ok(token) = header::HeaderValue::from_str(&bridge.token) else {
        return reason(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the access token is not a valid header value".into(),
        );
    };
    request.headers.insert("access_token", token);
    match dvc_http::send(&bridge.client, request, Duration::from_secs(10)).await {
        Ok(answer) => {
            // Zalo answers 200 with `error` 0 when it took the message.
            let zalo: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            if answer.status == 200 && zalo["error"] == 0 {
                (StatusCode::OK, axum::Json(json!({ "status": "sent" }))).into_response()
            } else {
                // What Zalo says is shown cut short: its answer is outside input.
                let cut = |v: &Value| -> String {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    text.chars().take(120).collect()
                };
                let (code, why) = (cut(&zalo["error"]), cut(&zalo["message"]));
                tracing::warn!(status = answer.status, error = %code, "Zalo refused the message");
                reason(
                    StatusCode::BAD_GATEWAY,
                    format!("Zalo answered {} with error {code} ({why})", answer.status),
                )
            }
        }
        Err(f) => {
            tracing::warn!(outcome = f.outcome.id(), "Zalo could not be reached");
            reason(
                StatusCode::BAD_GATEWAY,
                format!("Zalo could not be reached: {}", f.outcome.id()),
            )
        }
    }
}

/// The text of one notification: one line per alert (firing or resolved, its summary, its
/// province), then each alert's description and runbook; cut to Zalo's 2,000 characters.
pub fn message(payload: &Value) -> Result<String, String> {
    let alerts = payload["alerts"]
        .as_array()
        .ok_or("an Alertmanager webhook payload has an `alerts` list")?;
    if alerts.is_empty() {
        return Err("the notification holds no alert".into());
    }
    let mut text = String::new();
    for a in alerts {
        let firing = a["status"] != "resolved";
        let name = a["labels"]["alertname"].as_str().unwrap_or("alert");
        let severity = a["labels"]["severity"].as_str().unwrap_or("");
        let summary = a["annotations"]["summary"].as_str().unwrap_or(name);
        text.push_str(&format!(
            "{} [{}{}] {summary}\n",
            if firing {
                "🔴 ĐANG BÁO"
            } else {
                "✅ ĐÃ HẾT"
            },
            name,
            if severity.is_empty() {
                String::new()
            } else {
                format!(", {severity}")
            }
        ));
        if firing {
            if let Some(d) = a["annotations"]["description"].as_str() {
                text.push_str(&format!("{d}\n"));
            }
            if let Some(r) = a["annotations"]["runbook_url"].as_str() {
                text.push_str(&format!("Hướng dẫn xử lý: {r}\n"));
            }
        }
    }
    if text.chars().count() > MAX_TEXT {
        text = text.chars().take(MAX_TEXT - 1).collect::<String>() + "…";
    }
    Ok(text.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_becomes_one_readable_message() {
        let payload = json!({
            "status": "firing",
            "alerts": [
                { "status": "firing",
                  "labels": { "alertname": "DvcIntakeBudgetBurnFast", "severity": "page", "province": "Hà Nội" },
                  "annotations": { "summary": "Hà Nội (hn): the intake error budget is burning fast",
                                   "description": "Objective: 95 %.",
                                   "runbook_url": "docs/runbooks/intake-budget-burn.md" } },
                { "status": "resolved",
                  "labels": { "alertname": "DvcProbeDown" },
                  "annotations": { "summary": "The probe is back" } }
            ]
        });
        let text = message(&payload).expect("a message");
        assert_eq!(
            text,
            "🔴 ĐANG BÁO [DvcIntakeBudgetBurnFast, page] Hà Nội (hn): the intake error budget is burning fast\n\
             Objective: 95 %.\n\
             Hướng dẫn xử lý: docs/runbooks/intake-budget-burn.md\n\
             ✅ ĐÃ HẾT [DvcProbeDown] The probe is back"
        );
        assert!(message(&json!({ "alerts": [] })).is_err());
        assert!(message(&json!({ "nothing": 1 })).is_err());
        let long = json!({ "alerts": [{ "status": "firing", "labels": {},
            "annotations": { "summary": "x".repeat(5000) } }] });
        assert_eq!(message(&long).expect("cut").chars().count(), MAX_TEXT);
    }

    proptest::proptest! {
        #[test]
        fn any_alert_text_gives_a_message_within_zalos_limit(
            name in ".{0,80}", summary in ".{0,3000}", description in ".{0,3000}", n in 1usize..5
        ) {
            let alert = json!({ "status": "firing", "labels": { "alertname": name },
                "annotations": { "summary": summary, "description": description } });
            let text = message(&json!({ "alerts": vec![alert; n] })).expect("a message");
            proptest::prop_assert!(text.chars().count() <= MAX_TEXT);
        }
    }
}
