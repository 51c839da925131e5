//! The closed model on Goose: virtual citizens keep their data and cookies from journey to
//! journey, a closed run gives the same run.json, reports and metrics as an open one, Goose's
//! adjusted figures sit beside ours, and a closed run stops on Ctrl-C (`abort_on_fail` is
//! tested with the open model's, in `run.rs`).

use dvcbench_e2e::fixtures::{serve, stalling_server};
use dvcbench_e2e::http::wait_for;
use dvcbench_e2e::{Process, Scratch, dvcbench, dvcbench_binary};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the counting server saw: per request, the citizen and journey named in the query and
/// the cookie sent (if any).
type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// A server that records `GET /see?citizen=…&journey=…` and hands a `visitor` cookie to each
/// request that comes without one.
async fn counting_server() -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let issued = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().route(
        "/see",
        axum::routing::get({
            let seen = seen.clone();
            move |query: axum::extract::Query<HashMap<String, String>>,
                  headers: axum::http::HeaderMap| {
                let (seen, issued) = (seen.clone(), issued.clone());
                async move {
                    let cookie = headers
                        .get("cookie")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let set = cookie.is_none().then(|| {
                        let n = issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        [("set-cookie", format!("visitor={n}; Path=/"))]
                    });
                    seen.lock().expect("lock").push((
                        query.get("citizen").cloned().unwrap_or_default(),
                        query.get("journey").cloned().unwrap_or_default(),
                        cookie,
                    ));
                    (set.map(axum::response::AppendHeaders), "seen")
                }
            }
        }),
    );
    (serve(app).await, seen)
}

const JOURNEYS: &str = r#"
[[journey]]
name = "visit"
  [[journey.step]]
  name = "first"
  path = "/see"
  query = { citizen = "{{citizen.id}}", journey = "{{journey.id}}" }
  think = { fixed = "20ms" }
  [[journey.step]]
  name = "second"
  path = "/see"
  query = { citizen = "{{citizen.id}}", journey = "{{journey.id}}" }
  think = { fixed = "20ms" }

[thresholds]
"step.first.p95" = "< 2s"
"#;

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The `id="…"` attributes of an HTML page, and the `#`-headings of a Markdown one.
fn structure(html: &str, md: &str) -> (BTreeSet<String>, Vec<String>) {
    let ids = html
        .split("id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    let headings = md
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    (ids, headings)
}

/// A runtime for a test's servers while `dvcbench` runs in-process on the test's thread.
fn servers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn virtual_citizens_keep_their_session_and_runs_report_like_open_ones() {
    let servers = servers();
    let (addr, seen) = servers.block_on(counting_server());
    let dir = Scratch::new("closed-session");
    let closed = dir.write(
        "closed.toml",
        &format!(
            "[load]\nmodel = \"closed\"\nstages = [{{ duration = \"1s\", users = 8 }}, {{ duration = \"2s\", users = 8 }}]\n{JOURNEYS}"
        ),
    );
    let open = dir.write(
        "open.toml",
        &format!("[load]\nstages = [{{ duration = \"3s\", rate = \"40/s\" }}]\n{JOURNEYS}"),
    );
    let target = format!("http://{addr}");
    let mut runs = Vec::new();
    for (name, file) in [("closed", &closed), ("open", &open)] {
        let files = ["json", "html", "md"].map(|ext| dir.path.join(format!("{name}.{ext}")));
        let [json, html, md] = files.each_ref().map(|p| p.to_str().expect("utf-8"));
        let r = dvcbench(&[
            "run",
            "-q",
            file.to_str().expect("utf-8"),
            "--target",
            &target,
            "--out",
            json,
            "--report",
            html,
            "--lang",
            "en",
        ]);
        assert_eq!(r.code, 0, "{name}: {:?} {}", r.error, r.stdout);
        // A closed run answers "how many journeys an hour": said per journey.
        assert_eq!(
            r.stdout.contains("journeys per hour  "),
            name == "closed",
            "{name}: {}",
            r.stdout
        );
        let r = dvcbench(&["report", json, "--md", md]);
        assert_eq!(r.code, 0, "{name}: {:?}", r.error);
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(json).expect("run.json")).expect("JSON");
        let html = std::fs::read_to_string(html).expect("html");
        let md = std::fs::read_to_string(md).expect("md");
        runs.push((summary, html, md));
        if name == "closed" {
            let seen = std::mem::take(&mut *seen.lock().expect("lock"));
            check_sessions(&seen, &runs[0].0);
        }
    }
    let (closed, open) = (&runs[0], &runs[1]);

    // The same run.json, plus Goose's figures; the same timeline points, plus citizens.
    assert_eq!(closed.0["model"], "closed");
    assert_eq!(open.0["model"], "open");
    let mut closed_keys = keys(&closed.0);
    assert!(closed_keys.remove("goose"));
    assert_eq!(closed_keys, keys(&open.0));
    let mut point = keys(&closed.0["timeline"][0]);
    assert!(point.remove("users") && point.remove("planned_users"));
    assert_eq!(point, keys(&open.0["timeline"][0]));
    for run in [&closed.0, &open.0] {
        assert_eq!(run["steps"][0]["name"], "first");
        assert!(run["steps"][0]["count"].as_u64().is_some_and(|n| n > 0));
        assert_eq!(run["thresholds"][0]["passed"], true);
    }
    let users: Vec<u64> = closed.0["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|p| p["users"].as_u64())
        .collect();
    assert_eq!(users.iter().max(), Some(&8), "{users:?}");

    // Goose saw every request we sent, named after its step.
    let goose = &closed.0["goose"];
    assert_eq!(goose["max_users"], 8);
    let goose_requests: u64 = goose["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["requests"].as_u64().expect("requests"))
        .sum();
    assert_eq!(
        goose_requests,
        closed.0["requests_total"].as_u64().expect("n")
    );
    assert_eq!(goose["steps"][0]["name"], "first");
    assert_eq!(goose["steps"][0]["requests"], closed.0["steps"][0]["count"]);

    // The same reports: every element and heading of the open one, plus Goose's table.
    let (closed_ids, closed_headings) = structure(&closed.1, &closed.2);
    let (open_ids, open_headings) = structure(&open.1, &open.2);
    let extra: Vec<_> = closed_ids.difference(&open_ids).collect();
    assert_eq!(extra, ["goose"]);
    assert!(open_ids.is_subset(&closed_ids));
    for chart in [
        "chart-arrivals",
        "chart-in-flight",
        "chart-latency",
        "chart-steps",
    ] {
        assert!(closed_ids.contains(chart), "{chart}");
    }
    assert!(closed.1.contains("Goose&#x27;s figures") || closed.1.contains("Goose's figures"));
    assert!(closed.1.contains("virtual citizens active"));
    let mut headings = closed_headings.clone();
    headings.retain(|h| !h.contains("Goose"));
    assert_eq!(
        headings.len() + 1,
        closed_headings.len(),
        "{closed_headings:?}"
    );
    assert_eq!(
        headings.iter().skip(1).collect::<Vec<_>>(),
        open_headings.iter().skip(1).collect::<Vec<_>>()
    );
}

/// Each of the 8 citizens kept one identity and one cookie over its journeys; every journey had
/// its own id.
fn check_sessions(seen: &[(String, String, Option<String>)], summary: &Value) {
    let citizens: HashSet<&str> = seen.iter().map(|(c, _, _)| c.as_str()).collect();
    let journeys: HashSet<&str> = seen.iter().map(|(_, j, _)| j.as_str()).collect();
    assert_eq!(citizens.len(), 8, "one identity per virtual citizen");
    assert_eq!(
        journeys.len() as u64,
        summary["arrivals"]["started"].as_u64().expect("started"),
        "a journey id per journey"
    );
    assert!(journeys.len() > 8 * 2, "citizens loop: {}", journeys.len());
    let without_cookie = seen.iter().filter(|(_, _, c)| c.is_none()).count();
    assert_eq!(without_cookie, 8, "each citizen's first request only");
    let mut cookie_of: HashMap<&str, &str> = HashMap::new();
    for (citizen, _, cookie) in seen {
        if let Some(cookie) = cookie {
            let kept = cookie_of.entry(citizen).or_insert(cookie);
            assert_eq!(kept, cookie, "citizen {citizen} kept its cookie");
        }
    }
}

#[test]
fn goose_backfills_what_a_stall_held_up() {
    // Freezes 400 ms every 2 s: a citizen caught in a freeze sends nothing while it lasts, so
    // our per-request figures see one slow request where an open model would have seen many.
    let servers = servers();
    let addr = servers.block_on(stalling_server(
        Duration::from_millis(400),
        Duration::from_secs(2),
    ));
    let dir = Scratch::new("closed-stall");
    let file = dir.write(
        "stall.toml",
        "[load]\nmodel = \"closed\"\nstages = [{ duration = \"6s\", users = 4 }]\n\
         [[journey]]\nname = \"get\"\n[[journey.step]]\nname = \"root\"\npath = \"/\"\nthink = { fixed = \"10ms\" }\n",
    );
    let json = dir.path.join("stall.json");
    let r = dvcbench(&[
        "run",
        "-q",
        file.to_str().expect("utf-8"),
        "--target",
        &format!("http://{addr}"),
        "--out",
        json.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{:?}", r.error);
    assert!(r.stdout.contains("Goose (per request"), "{}", r.stdout);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("run.json")).expect("JSON");
    let step = &summary["goose"]["steps"][0];
    let (raw, adjusted) = (
        step["requests"].as_u64().expect("requests"),
        step["adjusted_requests"].as_u64().expect("adjusted"),
    );
    // Each citizen meets two or three freezes; each is backfilled with several requests.
    assert!(
        adjusted >= raw + 4 * 2 * 3,
        "backfilled: {raw} → {adjusted}"
    );
    let (p95, adjusted_p95) = (
        step["p95"].as_f64().expect("p95"),
        step["adjusted_p95"].as_f64().expect("adjusted p95"),
    );
    assert!(p95 < 0.1, "few requests meet a freeze: {p95}");
    assert!(
        adjusted_p95 >= 0.1,
        "the backfill shows the freezes: {adjusted_p95}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_a_closed_run_incomplete_with_exit_code_3() {
    let dir = Scratch::new("closed-interrupt");
    let file = dir.write(
        "long.toml",
        "[load]\nmodel = \"closed\"\nstages = [{ duration = \"1s\", users = 3 }, { duration = \"60s\", users = 3 }]\n[[journey]]\nname = \"j\"\n\
         [[journey.step]]\nname = \"home\"\npath = \"/\"\nthink = { fixed = \"100ms\" }\n",
    );
    let out = dir.path.join("long.json");
    let mut child = Command::new(dvcbench_binary())
        .args(["run", "-q", file.to_str().expect("utf-8"), "--out"])
        .arg(&out)
        .args(["--metrics-listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dvcbench run starts");
    let port = dvcbench_e2e::metrics_address(&mut child).port();
    let mut child = Process(child);
    wait_for(
        "three virtual citizens",
        Duration::from_secs(20),
        || async move {
            let text = scrape(port).await?;
            text.lines()
                .any(|l| l.starts_with("dvc_run_virtual_users{") && l.ends_with(" 3"))
                .then_some(())
        },
    )
    .await;
    let signalled = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let status = wait_for("dvcbench to exit", Duration::from_secs(20), || {
        let status = child.0.try_wait().expect("wait");
        async move { status }
    })
    .await;
    assert_eq!(status.code(), Some(3));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["stop_reason"], "interrupted");
    assert!(
        summary["duration_seconds"]
            .as_f64()
            .is_some_and(|d| d < 30.0)
    );
}

/// The runner's `/metrics`, or None while it does not listen yet.
async fn scrape(port: u16) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await
        .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await.ok()?;
    Some(text)
}
