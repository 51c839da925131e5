//! The scenario catalogue: every entry runs against the embedded portal in its short form and
//! passes its thresholds.

use dvcbench_e2e::{Scratch, dvcbench};
use std::path::Path;

fn run_short(name: &str) -> serde_json::Value {
    run_scaled(name, "2")
}

/// The path of catalogue entry `name`.
fn entry(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/catalogue")
        .join(format!("{name}.toml"))
        .display()
        .to_string()
}

/// Runs a catalogue entry in its short form (5 s) at `--scale`, and checks it passed.
fn run_scaled(name: &str, scale: &str) -> serde_json::Value {
    let scenario = entry(name);
    let scratch = Scratch::new(&format!("catalogue-{name}"));
    let out = scratch.path.join("run.json");
    let run = dvcbench(&[
        "run",
        "-q",
        &scenario,
        "--duration",
        "5s",
        "--scale",
        scale,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{name}: {:?}\n{}", run.error, run.stdout);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
    assert!(
        summary["requests_total"].as_u64() > Some(5),
        "{name}: {summary}"
    );
    assert!(
        summary["thresholds"]
            .as_array()
            .is_some_and(|t| t.len() >= 4),
        "{name}: every entry states its thresholds"
    );
    summary
}

/// A step of run.json by name.
fn step<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|st| st["name"] == name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn ordinary_weekday() {
    run_short("ordinary-weekday");
}

#[test]
fn opening_bell() {
    run_short("opening-bell");
}

#[test]
fn deadline_eve_confirms_every_payment_despite_a_slow_gateway() {
    // At 20× a medium province the short form has enough payments to meet pending ones and
    // duplicate callbacks.
    let s = run_scaled("deadline-eve", "20");
    assert!(
        step(&s, "payment_confirmed")["count"].as_u64() >= Some(8),
        "{s}"
    );
    let confirmed = step(&s, "payment_confirmed");
    // The gateway calls back after 2 s: confirmation cannot be faster.
    assert!(
        confirmed["latency_seconds"]["p50"].as_f64() >= Some(2.0),
        "{confirmed}"
    );
}

#[test]
fn results_lookup_storm() {
    run_short("results-lookup-storm");
}

#[test]
fn go_live_day() {
    run_short("go-live-day");
}

#[test]
fn login_storm_logs_in_through_the_sso_and_submits() {
    let s = run_short("login-storm");
    for name in ["open_login", "sso_login", "me"] {
        let st = step(&s, name);
        assert!(st["count"].as_u64() > Some(0), "{name}: {st}");
        assert!(
            st["errors"].as_object().is_some_and(|e| e.is_empty()),
            "{name}: {st}"
        );
    }
}

#[test]
fn outage_and_recovery_loses_nothing_and_shows_the_wait() {
    let s = run_short("outage-and-recovery");
    let submit = step(&s, "submit");
    // Submissions made during the 10 s outage waited for the portal to come back.
    assert!(
        submit["latency_seconds"]["max"].as_f64() > Some(5.0),
        "{submit}"
    );
    assert_eq!(s["verify"]["missing"], 0);
}

#[test]
fn scale_must_be_positive() {
    let scenario = entry("ordinary-weekday");
    let run = dvcbench(&["run", "-q", &scenario, "--scale", "0"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.error.as_deref(),
        Some("--scale must be a positive number; got 0")
    );
}

#[test]
fn absurd_overrides_are_refused_before_anything_runs() {
    let scenario = entry("ordinary-weekday");
    let scenario = scenario.as_str();
    for (flag, value, says) in [
        (
            "--rate",
            "0/s",
            "--rate must be more than 0/s, e.g. 50/s; got 0/s",
        ),
        (
            "--duration",
            "0s",
            "--duration must be longer than 0s, e.g. 30s",
        ),
        ("--threads", "0", "--threads must be 1 to 1024; got 0"),
        (
            "--threads",
            "100000",
            "--threads must be 1 to 1024; got 100000",
        ),
        (
            "--scale",
            "1e7",
            "the load as given plans about PLANNED arrivals; one run takes at most 1e9 (check --rate, --scale and --duration)",
        ),
        (
            "--out",
            "/nonexistent/run.json",
            "cannot write /nonexistent/run.json: No such file or directory (os error 2)",
        ),
    ] {
        let started = std::time::Instant::now();
        let run = dvcbench(&["run", "-q", scenario, flag, value]);
        assert_eq!(run.code, 2, "{flag} {value}");
        let error = run.error.unwrap_or_default();
        match says.split_once("PLANNED") {
            Some((before, after)) => assert!(
                error.starts_with(before) && error.ends_with(after),
                "{flag} {value}: {error}"
            ),
            None => assert_eq!(error, says, "{flag} {value}"),
        }
        assert!(started.elapsed().as_secs() < 5, "refused before the run");
    }
}

#[test]
fn a_run_that_reaches_no_portal_could_not_measure_and_exits_4() {
    let scenario = entry("ordinary-weekday");
    // Nothing listens on the discard port.
    let run = dvcbench(&[
        "run",
        "-q",
        &scenario,
        "--target",
        "http://127.0.0.1:9",
        "--duration",
        "2s",
    ]);
    assert_eq!(run.code, 4, "{:?}\n{}", run.error, run.stdout);
    assert_eq!(
        run.error.as_deref(),
        Some(
            "the run could not measure the portal: every request failed to connect or got no usable answer"
        )
    );
}

#[test]
fn exam_registration_closed_runs_desks_back_to_back() {
    // 30 desks; each finishes the candidate it started when the short form ends.
    let s = run_scaled("exam-registration-closed", "1");
    assert_eq!(s["model"], "closed");
    assert_eq!(s["goose"]["max_users"], 30);
    assert_eq!(step(&s, "submit")["count"], 30, "one candidate per desk");
    assert_eq!(s["verify"]["checked"], 30);
}

#[test]
fn national_front_door_delivers_every_dossier_to_its_province() {
    let s = run_short("national-front-door");
    let submitted = step(&s, "submit_national")["count"].as_u64();
    assert!(submitted > Some(0), "{s}");
    assert_eq!(s["verify"]["checked"].as_u64(), submitted, "{s}");
    assert_eq!(s["verify"]["missing"], 0);
    // The push takes a second: arriving at the province cannot be faster.
    let reached = step(&s, "reached_province");
    assert!(
        reached["latency_seconds"]["p50"].as_f64() >= Some(1.0),
        "{reached}"
    );
}
