//! The scenario runner end to end: correct latencies under stalls, arrival accounting,
//! thresholds and exit codes, verify against the simulator's duplicate-code fault, live metrics.
//!
//! Over 500 lines because each test drives a whole run against a fixture of its own; the
//! runner's end-to-end behaviours read best in one place.

use dvc_loadgen::live::{LiveMetrics, Progress};
use dvc_loadgen::scenario::Scenario;
use dvc_loadgen::summary::RunSummary;
use dvc_loadgen::{RunOptions, run};
use dvcbench_e2e::fixtures::{slow_server, stalling_server};
use dvcbench_e2e::http::wait_for;
use dvcbench_e2e::{Scratch, dvcbench};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn scenario(source: &str) -> Arc<Scenario> {
    Arc::new(
        Scenario::from_source(Path::new("test.toml"), source)
            .unwrap_or_else(|e| panic!("invalid test scenario: {e}")),
    )
}

async fn run_against(base: &str, source: &str, live: Option<LiveMetrics>) -> RunSummary {
    let scenario = scenario(source);
    let client = dvc_http::build(false, &[]).expect("client");
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    let opts = RunOptions {
        base_url: base.to_owned(),
        target_label: base.to_owned(),
        live,
        progress: Progress::Off,
        interrupt,
        segment: dvc_loadgen::segment::Segment::WHOLE,
        start_at: None,
    };
    run(scenario, client, opts).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latencies_count_from_the_intended_start_through_a_stall() {
    // Freezes 500 ms every 2 s. A request arriving at phase φ < 0.5 s waits 0.5 − φ, so with
    // arrivals spread evenly P(latency > x) = (0.5 − x) / 2: p90 = 0.3 s, p95 = 0.4 s,
    // p99 = 0.48 s, and p50 is just the service time.
    let addr = stalling_server(Duration::from_millis(500), Duration::from_secs(2)).await;
    let summary = run_against(
        &format!("http://{addr}"),
        "[load]\nstages = [{ duration = \"6s\", rate = \"200/s\" }]\nmax_rate = \"500/s\"\n\
         [[journey]]\nname = \"get\"\n[[journey.step]]\nname = \"root\"\npath = \"/\"\n",
        None,
    )
    .await;
    let step = &summary.steps[0];
    let l = &step.latency_seconds;
    assert_eq!(summary.arrivals.planned, 1200);
    assert_eq!(summary.arrivals.dropped, 0);
    assert!(summary.arrivals.started as f64 >= 0.99 * summary.arrivals.planned as f64);
    assert_eq!(step.count, 1200);
    for (name, got, want) in [
        ("p90", l.p90, 0.3),
        ("p95", l.p95, 0.4),
        ("p99", l.p99, 0.48),
    ] {
        assert!(
            (got - want).abs() <= want * 0.1 + 0.01,
            "{name}: {got} vs {want} ({l:?})"
        );
    }
    assert!(l.p50 < 0.05, "most requests do not meet a stall: {l:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrivals_beyond_max_in_flight_wait_then_drop_and_are_counted() {
    let addr = slow_server(Duration::from_millis(300)).await;
    let summary = run_against(
        &format!("http://{addr}"),
        "[load]\nstages = [{ duration = \"1s\", rate = \"50/s\" }]\nmax_in_flight = 5\n\
         max_start_delay = \"100ms\"\n[[journey]]\nname = \"get\"\n[[journey.step]]\nname = \"root\"\npath = \"/\"\n",
        None,
    )
    .await;
    let a = &summary.arrivals;
    assert_eq!(a.planned, 50);
    assert_eq!(a.started + a.dropped, a.planned, "{a:?}");
    assert!(
        a.dropped > 20,
        "5 slots of 300 ms cannot take 50 arrivals in a second: {a:?}"
    );
    assert!(a.late > 0, "{a:?}");
    // The wait of late starts is in the latency: more than the server's 300 ms.
    assert!(
        summary.steps[0].latency_seconds.max > 0.35,
        "{:?}",
        summary.steps[0].latency_seconds
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_still_running_after_the_graceful_stop_are_cut_and_not_left_in_flight() {
    let addr = slow_server(Duration::from_secs(20)).await;
    let started = std::time::Instant::now();
    let summary = run_against(
        &format!("http://{addr}"),
        "[target]\ntimeout = \"60s\"\n[load]\nstages = [{ duration = \"500ms\", rate = \"20/s\" }]\n\
         graceful_stop = \"300ms\"\n[[journey]]\nname = \"get\"\n[[journey.step]]\nname = \"root\"\npath = \"/\"\n",
        None,
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the cut ends the run: {:?}",
        started.elapsed()
    );
    assert_eq!(summary.arrivals.started, 10, "{:?}", summary.arrivals);
    let last = summary.timeline.last().expect("a timeline point");
    assert_eq!(last.in_flight, 0, "cut journeys leave the in-flight count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrivals_are_dropped_as_their_start_deadline_passes_while_every_slot_is_stuck() {
    let addr = slow_server(Duration::from_secs(4)).await;
    let scenario = scenario(
        "[load]\nstages = [{ duration = \"1s\", rate = \"50/s\" }]\nmax_in_flight = 1\n\
         max_start_delay = \"100ms\"\ngraceful_stop = \"10s\"\n[[journey]]\nname = \"get\"\n\
         [[journey.step]]\nname = \"root\"\npath = \"/\"\n",
    );
    let live = LiveMetrics::new(
        &scenario.name,
        &scenario.step_names(),
        &scenario.journey_names(),
    );
    let client = dvc_http::build(false, &[]).expect("client");
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    let opts = RunOptions {
        base_url: format!("http://{addr}"),
        target_label: "slow".into(),
        live: Some(live.clone()),
        progress: Progress::Off,
        interrupt,
        segment: dvc_loadgen::segment::Segment::WHOLE,
        start_at: None,
    };
    let run = tokio::spawn(run(scenario, client, opts));
    // The one slot is held for 4 s; the drops show within the planned second, not after it.
    wait_for(
        "drops while the slot is stuck",
        Duration::from_millis(2500),
        || {
            let dropped = live.dropped.get();
            async move { (dropped >= 30).then_some(()) }
        },
    )
    .await;
    let summary = run.await.expect("the run ends");
    let a = &summary.arrivals;
    assert_eq!((a.planned, a.started, a.dropped), (50, 1, 49), "{a:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_metrics_pass_promtool() {
    let sim = dvcbench_e2e::sim::start("").await;
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/quickstart.toml"
    ))
    .expect("quickstart scenario");
    let s = scenario(&source);
    let live = LiveMetrics::new(&s.name, &s.step_names(), &s.journey_names());
    let short = source
        .replace("duration = \"20s\"", "duration = \"1s\"")
        .replace("duration = \"10s\"", "duration = \"1s\"");
    let summary = run_against(sim.portal_url(), &short, Some(live.clone())).await;
    assert!(summary.requests_total > 0);
    let text = live.render();
    assert!(
        text.contains(
            "dvc_run_steps_total{outcome=\"ok\",scenario=\"quickstart\",step=\"submit\"}"
        ),
        "{text}"
    );
    assert!(text.contains("dvc_run_arrivals_planned_total{scenario=\"quickstart\"}"));
    dvcbench_e2e::promtool_check_metrics(&text);
    sim.shutdown().await;
}

const SUBMIT: &str = r#"
[load]
stages = [{ duration = "2s", rate = "100/s" }]
max_rate = "200/s"

[[journey]]
name = "submit"
  [[journey.step]]
  name = "login"
  method = "POST"
  path = "/api/login"
  json = { citizen_id = "{{citizen.id}}", password = "dvc-demo" }
  [[journey.step]]
  name = "submit"
  method = "POST"
  path = "/api/dossiers"
  check = { status = 201 }
  extract = { dossier_code = { json = "$.code" } }
    [journey.step.multipart.fields.form]
    procedure_code = "1.900007"
    applicant = { full_name = "{{citizen.full_name}}", citizen_id = "{{citizen.id}}" }
    [[journey.step.multipart.files]]
    size = "10KB"

[thresholds]
"verify.duplicated" = "== 0"
"verify.missing" = "== 0"

[verify]
variable = "dossier_code"
path = "/api/dossiers/{{dossier_code}}"
"#;

#[test]
fn verify_catches_the_duplicate_code_fault_and_fails_the_run() {
    let dir = Scratch::new("verify");
    dir.write("buggy.toml", "[[portal]]\n[portal.capacity]\ncode_generation_ms = 20\n[portal.faults]\nduplicate_codes = true\n");
    let buggy = dir.write(
        "buggy-run.toml",
        &format!("[target]\nportal_config = \"buggy.toml\"\n{SUBMIT}"),
    );
    let healthy = dir.write("healthy-run.toml", SUBMIT);
    let out_buggy = dir.path.join("buggy.json");
    let out_healthy = dir.path.join("healthy.json");

    let ok = dvcbench(&[
        "run",
        "-q",
        healthy.to_str().expect("utf-8"),
        "--out",
        out_healthy.to_str().expect("utf-8"),
    ]);
    assert_eq!(ok.code, 0, "{:?}\n{}", ok.error, ok.stdout);
    let bad = dvcbench(&[
        "run",
        "-q",
        buggy.to_str().expect("utf-8"),
        "--out",
        out_buggy.to_str().expect("utf-8"),
    ]);
    assert_eq!(bad.code, 1, "{:?}\n{}", bad.error, bad.stdout);
    assert!(
        bad.error
            .as_deref()
            .is_some_and(|e| e.contains("verify.duplicated == 0"))
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_buggy).expect("run.json"))
            .expect("JSON");
    let v = &summary["verify"];
    assert!(v["duplicated"].as_u64().is_some_and(|d| d > 0), "{v}");
    assert_eq!(summary["schema_version"], 1);
    assert_eq!(summary["complete"], true);
    let healthy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_healthy).expect("run.json"))
            .expect("JSON");
    assert_eq!(healthy["verify"]["duplicated"], 0);
    assert_eq!(healthy["verify"]["missing"], 0);
    assert_eq!(healthy["verify"]["checked"], healthy["steps"][1]["count"]);
}

#[test]
fn exit_codes_follow_the_verdict() {
    let dir = Scratch::new("exit-codes");
    let base = "[load]\nstages = [{ duration = \"1s\", rate = \"20/s\" }]\n[[journey]]\nname = \"j\"\n\
                [[journey.step]]\nname = \"home\"\npath = \"/\"\n";
    let pass = dir.write(
        "pass.toml",
        &format!("{base}[thresholds]\n\"step.home.p99\" = \"< 5s\"\n"),
    );
    let fail = dir.write(
        "fail.toml",
        &format!("{base}[thresholds]\n\"step.home.p99\" = \"< 1us\"\n"),
    );
    let bad = dir.write(
        "bad.toml",
        &format!("{base}[thresholds]\n\"step.hom.p99\" = \"< 1s\"\n"),
    );
    assert_eq!(
        dvcbench(&["run", "-q", pass.to_str().expect("utf-8")]).code,
        0
    );
    let failed = dvcbench(&["run", "-q", fail.to_str().expect("utf-8")]);
    assert_eq!(failed.code, 1);
    assert!(failed.stdout.contains("FAILED") && failed.stdout.contains("✗ step.home.p99 < 1us"));
    let invalid = dvcbench(&["run", "-q", bad.to_str().expect("utf-8")]);
    assert_eq!(invalid.code, 2);
    assert!(
        invalid.error.as_deref().is_some_and(
            |e| e.contains("bad.toml:9:18: \"step.hom.p99\" names no step called \"hom\"")
        ),
        "{:?}",
        invalid.error
    );
}

#[test]
fn abort_on_fail_stops_early_to_spare_the_portal() {
    let dir = Scratch::new("abort");
    let models = [
        ("open", "stages = [{ duration = \"30s\", rate = \"20/s\" }]"),
        (
            "closed",
            "model = \"closed\"\nstages = [{ duration = \"30s\", users = 5 }]",
        ),
    ];
    for (model, load) in models {
        let file = dir.write(
            &format!("{model}.toml"),
            &format!(
                "[load]\n{load}\n[[journey]]\nname = \"j\"\n\
                 [[journey.step]]\nname = \"missing\"\npath = \"/api/dossiers/none\"\nthink = {{ fixed = \"50ms\" }}\n\
                 [thresholds]\n\"journey.error_rate\" = \"< 1%\"\nabort_on_fail = true\nabort_grace = \"1s\"\n"
            ),
        );
        let out = dir.path.join(format!("{model}.json"));
        let started = std::time::Instant::now();
        let r = dvcbench(&[
            "run",
            "-q",
            file.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(r.code, 1, "{model}: {:?}", r.error);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{model}: stopped well before 30 s"
        );
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
        assert_eq!(summary["complete"], false, "{model}");
        assert_eq!(
            summary["stop_reason"], "threshold failed: journey.error_rate < 1%",
            "{model}"
        );
        assert!(
            summary["steps"][0]["errors"]["http_4xx"]
                .as_u64()
                .is_some_and(|n| n > 0),
            "{model}"
        );
    }
}

#[test]
fn remote_targets_need_allow_hosts_and_allow_remote() {
    let dir = Scratch::new("remote");
    let file = dir.write(
        "remote.toml",
        "[target]\nurl = \"https://dichvucong.example.vn\"\n[load]\nstages = [{ duration = \"1s\", rate = \"1/s\" }]\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"home\"\npath = \"/\"\n",
    );
    let r = dvcbench(&["run", "-q", file.to_str().expect("utf-8")]);
    assert_eq!(r.code, 2);
    assert!(
        r.error
            .as_deref()
            .is_some_and(|e| e.contains("allow_hosts")),
        "{:?}",
        r.error
    );
}

#[test]
fn the_final_metrics_are_pushed_to_a_pushgateway() {
    // A stand-in Pushgateway on loopback that keeps what is PUT to it.
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                "/metrics/job/{job}/scenario/{scenario}",
                axum::routing::put(
                    move |axum::extract::Path((job, scenario)): axum::extract::Path<(
                        String,
                        String,
                    )>,
                          body: String| {
                        let tx = tx.clone();
                        async move {
                            let _ = tx.send((format!("{job}/{scenario}"), body));
                            axum::http::StatusCode::OK
                        }
                    },
                ),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            addr_tx
                .send(listener.local_addr().expect("address"))
                .expect("address sent");
            let _ = axum::serve(listener, app).await;
        });
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("gateway listening");
    let dir = Scratch::new("push");
    let file = dir.write(
        "push.toml",
        "name = \"push-test\"\n[load]\nstages = [{ duration = \"1s\", rate = \"10/s\" }]\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"home\"\npath = \"/\"\n",
    );
    let r = dvcbench(&[
        "run",
        "-q",
        file.to_str().expect("utf-8"),
        "--push",
        &format!("http://{addr}"),
    ]);
    assert_eq!(r.code, 0, "{:?}", r.error);
    let (path, body) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("metrics pushed");
    assert_eq!(path, "dvcbench/push-test");
    assert!(
        body.contains(
            "dvc_run_steps_total{outcome=\"ok\",scenario=\"push-test\",step=\"home\"} 10"
        ),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_scenario_ca_negotiates_http2_or_keeps_http1() {
    let addr = dvcbench_e2e::tls::server().await;
    let ca = dvcbench_e2e::tls::ca_path();
    let scenario_text = |target_lines: &str, version: &str| {
        format!(
            "[target]\nurl = \"https://localhost:{}\"\n{target_lines}\n[load]\nstages = [{{ duration = \"1s\", rate = \"20/s\" }}]\n\
             [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"tls\"\npath = \"/\"\ncheck = {{ status = 200, contains = \"{version}\" }}\n",
            addr.port()
        )
    };
    let dir = Scratch::new("tls");
    let ca_line = format!("ca_file = {:?}", ca.display().to_string());
    let trusted = dir.write("trusted.toml", &scenario_text(&ca_line, "HTTP/2.0"));
    let http1 = dir.write(
        "http1.toml",
        &scenario_text(&format!("{ca_line}\nhttp2 = false"), "HTTP/1.1"),
    );
    let untrusted = dir.write("untrusted.toml", &scenario_text("", "HTTP/2.0"));
    let run_file = |path: std::path::PathBuf| async move {
        let s = Arc::new(Scenario::load(&path).expect("valid scenario"));
        let client = dvc_http::HttpClient::new(&s.target.client_options()).expect("client");
        let (_keep, interrupt) = tokio::sync::watch::channel(false);
        let base = format!("https://localhost:{}", addr.port());
        run(
            s,
            client,
            RunOptions {
                base_url: base.clone(),
                target_label: base,
                live: None,
                progress: Progress::Off,
                interrupt,
                segment: dvc_loadgen::segment::Segment::WHOLE,
                start_at: None,
            },
        )
        .await
    };
    for file in [trusted, http1] {
        let ok = run_file(file).await;
        assert_eq!(ok.steps[0].count, 20);
        assert!(ok.steps[0].errors.is_empty(), "{:?}", ok.steps[0].errors);
    }
    let refused = run_file(untrusted).await;
    assert_eq!(
        refused.steps[0].errors.get("connect_error"),
        Some(&20),
        "an unknown CA is refused"
    );
}

/// A portal whose lookups misbehave by record: dossier 1 answers 503 twice before it is
/// found, dossier 2 always answers 503, dossier 3 does not exist. Every payment fails, after
/// the code was handed out.
async fn unreliable_lookups() -> std::net::SocketAddr {
    use axum::extract::Path as UrlPath;
    use axum::http::StatusCode;
    use std::sync::atomic::{AtomicU64, Ordering};
    let next = Arc::new(AtomicU64::new(1));
    let tries = Arc::new(std::sync::Mutex::new(
        std::collections::HashMap::<u64, u32>::new(),
    ));
    let app = axum::Router::new()
        .route(
            "/items",
            axum::routing::post(move || {
                let code = next.fetch_add(1, Ordering::SeqCst);
                async move { (StatusCode::CREATED, format!("{{\"code\":{code}}}")) }
            }),
        )
        .route(
            "/items/{code}/pay",
            axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/items/{code}",
            axum::routing::get(move |UrlPath(code): UrlPath<u64>| {
                let tried = {
                    let mut tries = tries.lock().expect("lock");
                    let n = tries.entry(code).or_default();
                    *n += 1;
                    *n
                };
                async move {
                    match code {
                        1 if tried > 2 => StatusCode::OK,
                        1 | 2 => StatusCode::SERVICE_UNAVAILABLE,
                        _ => StatusCode::NOT_FOUND,
                    }
                }
            }),
        );
    dvcbench_e2e::fixtures::serve(app).await
}

#[test]
fn verify_retries_and_tells_missing_from_unchecked() {
    let servers = tokio::runtime::Runtime::new().expect("runtime");
    let addr = servers.block_on(unreliable_lookups());
    let dir = Scratch::new("verify-unreliable");
    let source = |create: &str| {
        format!(
            "[target]\nurl = \"http://{addr}\"\n[load]\nstages = [{{ duration = \"1s\", rate = \"3/s\" }}]\n\
             max_in_flight = 1\n[[journey]]\nname = \"j\"\n\
             [[journey.step]]\nname = \"submit\"\nmethod = \"POST\"\npath = \"{create}\"\n\
             check = {{ status = 201 }}\nextract = {{ code = {{ json = \"$.code\" }} }}\n\
             [[journey.step]]\nname = \"pay\"\nmethod = \"POST\"\npath = \"/items/{{{{code}}}}/pay\"\n\
             check = {{ status = 200 }}\n\
             [verify]\nvariable = \"code\"\npath = \"/items/{{{{code}}}}\"\n\
             [thresholds]\n\"verify.missing\" = \"== 0\"\n\"verify.unchecked\" = \"== 0\"\n"
        )
    };
    let out = dir.path.join("run.json");
    let run = dvcbench(&[
        "run",
        "-q",
        dir.write("s.toml", &source("/items"))
            .to_str()
            .expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 1, "{:?}\n{}", run.error, run.stdout);
    let summary: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
    // Every journey failed at payment, after its code was handed out: all three looked up.
    assert_eq!(summary.journeys[0].errors_total(), 3);
    let v = summary.verify.expect("verify");
    // 1: found on the third try; 2: never answered (not "missing"); 3: not there.
    assert_eq!(
        (v.checked, v.missing, v.unchecked, v.duplicated),
        (2, 1, 1, 0)
    );
    assert!(
        run.stdout
            .contains("2 code looked up: 1 missing, 0 duplicated, 1 could not be checked"),
        "{}",
        run.stdout
    );

    // No code handed out at all: the verify thresholds have no data, and do not pass.
    let nothing = dvcbench(&[
        "run",
        "-q",
        dir.write("none.toml", &source("/nowhere"))
            .to_str()
            .expect("utf-8"),
    ]);
    assert_eq!(nothing.code, 1, "{:?}", nothing.error);
    assert!(
        nothing
            .stdout
            .contains("✗ verify.missing == 0  (value no data)"),
        "{}",
        nothing.stdout
    );
}

#[test]
fn a_line_break_in_an_extracted_value_never_reaches_the_wire() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let injected = Arc::new(AtomicU64::new(0));
    let seen = injected.clone();
    let app = axum::Router::new()
        .route(
            "/next",
            axum::routing::get(|| async {
                r#"{"next": "/ok/x HTTP/1.1\r\nHost: t\r\n\r\nGET /injected"}"#
            }),
        )
        .fallback(move |uri: axum::http::Uri| {
            if uri.path().starts_with("/injected") {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            async { "" }
        });
    let servers = tokio::runtime::Runtime::new().expect("runtime");
    let addr = servers.block_on(dvcbench_e2e::fixtures::serve(app));
    let dir = Scratch::new("crlf");
    let file = dir.write(
        "crlf.toml",
        &format!(
            "[target]\nurl = \"http://{addr}\"\n[load]\nstages = [{{ duration = \"1s\", rate = \"5/s\" }}]\n\
             [[journey]]\nname = \"j\"\n\
             [[journey.step]]\nname = \"first\"\npath = \"/next\"\nextract = {{ next = {{ json = \"$.next\" }} }}\n\
             [[journey.step]]\nname = \"second\"\npath = \"{{{{next | raw}}}}\"\n"
        ),
    );
    let out = dir.path.join("run.json");
    let run = dvcbench(&[
        "run",
        "-q",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{:?}", run.error);
    let summary: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
    let second = &summary.steps[1];
    assert_eq!(second.errors.get("check_failed"), Some(&5), "{second:?}");
    assert_eq!(summary.requests_total, 5, "only the first steps were sent");
    assert_eq!(
        injected.load(Ordering::SeqCst),
        0,
        "no request was smuggled"
    );
}
