//! Credentials written in a scenario or taken from the environment are sent, and appear in no
//! output: not in run.json, the reports, the terminal or the logs.

use dvcbench_e2e::{Scratch, dvcbench_binary};
use std::process::Command;
use std::sync::{Arc, Mutex};

#[test]
fn secrets_are_sent_but_never_written() {
    let literal = "literal-s3cr3t-value";
    let from_env = "env-k3y-value-42";
    let default = "pw-default-9";
    // Echoes what it received, so a failing check's reason holds the credentials.
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/echo",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let header = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let echo = serde_json::json!({
                "authorization": header("authorization"),
                "key": header("x-api-key"),
                "body": body,
            });
            seen.lock().expect("lock").push(echo.to_string());
            async move { axum::Json(echo) }
        }),
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let addr = runtime.block_on(dvcbench_e2e::fixtures::serve(app));
    let dir = Scratch::new("secrets");
    let scenario = dir.write(
        "secrets.toml",
        &format!(
            "[target]\nurl = \"http://{addr}\"\n\
             headers = {{ Authorization = \"Bearer {literal}\", \"X-Api-Key\" = \"${{DVC_E2E_API_KEY}}\" }}\n\
             [load]\nstages = [{{ duration = \"1s\", rate = \"3/s\" }}]\n\
             [[journey]]\nname = \"login\"\n\
             [[journey.step]]\nname = \"echo\"\nmethod = \"POST\"\npath = \"/echo\"\n\
             json = {{ citizen = \"{{{{journey.id}}}}\", password = \"${{DVC_E2E_PASSWORD:-{default}}}\" }}\n\
             check = {{ json = {{ \"$.authorization\" = \"nope\" }} }}\n"
        ),
    );
    let (out, html, md) = (
        dir.path.join("run.json"),
        dir.path.join("report.html"),
        dir.path.join("report.md"),
    );
    let ran = Command::new(dvcbench_binary())
        .args(["run", "-vv"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&html)
        .env("DVC_E2E_API_KEY", from_env)
        .env_remove("DVC_E2E_PASSWORD")
        .env_remove("RUST_LOG")
        .output()
        .expect("dvcbench runs");
    let report = dvcbench_e2e::dvcbench(&[
        "report",
        out.to_str().expect("utf-8"),
        "--md",
        md.to_str().expect("utf-8"),
    ]);
    assert_eq!(report.code, 0, "{report:?}");
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(
        stderr.contains("step failed") && stderr.contains("[redacted]"),
        "the failing check is logged, redacted: {stderr}"
    );
    // Sent as written.
    let received = received.lock().expect("lock").clone();
    assert_eq!(received.len(), 3, "{received:?}");
    for echo in &received {
        for secret in [literal, from_env, default] {
            assert!(echo.contains(secret), "{secret} was not sent: {echo}");
        }
    }
    // Written nowhere.
    let outputs = [
        ("stdout", String::from_utf8_lossy(&ran.stdout).into_owned()),
        ("stderr", stderr.into_owned()),
        ("run.json", std::fs::read_to_string(&out).expect("run.json")),
        (
            "report.html",
            std::fs::read_to_string(&html).expect("HTML report"),
        ),
        (
            "report.md",
            std::fs::read_to_string(&md).expect("Markdown report"),
        ),
    ];
    for (name, text) in &outputs {
        for secret in [literal, from_env, default] {
            assert!(!text.contains(secret), "{secret} is in {name}");
        }
    }
    // The scenario is still shown, with references to the environment kept.
    assert!(
        outputs[2].1.contains("${DVC_E2E_API_KEY}"),
        "{}",
        outputs[2].1
    );
}

#[test]
fn an_unset_environment_variable_is_an_error_at_its_place() {
    let dir = Scratch::new("secrets-unset");
    let scenario = dir.write(
        "unset.toml",
        "[target]\nheaders = { Authorization = \"Bearer ${DVC_E2E_SURELY_UNSET}\" }\n\
         [load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    let ran = dvcbench_e2e::dvcbench(&["validate", scenario.to_str().expect("utf-8")]);
    assert_eq!(ran.code, 2, "{ran:?}");
    let error = ran.error.unwrap_or_default();
    assert!(
        error.contains("unset.toml:2:")
            && error.contains("environment variable DVC_E2E_SURELY_UNSET is not set"),
        "{error}"
    );
}
