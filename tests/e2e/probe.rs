//! The probe daemon (the real binary) against the time-scaled multi-province simulator.
//!
//! Over 500 lines because each test starts the probe binary against a simulator of its own,
//! and the daemon's behaviours read best in one place.

use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Process, Scratch, promtool_check_metrics, sim};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// Three provinces of known quality, 20,000× faster than real time (a calendar day passes in
/// 4.3 s), starting on a Tuesday an hour before closing: Hà Nội's officers decide within the hour,
/// Hồ Chí Minh City's single officer takes 25 working hours on average, so its dossiers wait
/// overnight and queue, and the second one is accepted late; Cần Thơ is down.
const PORTALS: &str = r#"
time_scale = 20000
start = "2025-04-08T16:00:00+07:00"

[[portal]]
province = "01"
prefix = "/hn"
seed = 11
[portal.back_office]
officers = 2
intake_minutes = 20
accept = 1.0
refuse = 0.0
supplement = 0.0

[[portal]]
province = "79"
prefix = "/hcm"
seed = 12
[portal.back_office]
officers = 1
intake_minutes = 1500
accept = 1.0
refuse = 0.0
supplement = 0.0

[[portal]]
province = "92"
prefix = "/ct"
seed = 13
[portal.faults]
outage = true
"#;

/// A year from the simulator's start: every dossier it holds is one of the probe's, whatever
/// simulated day a slow machine restarts the probe on, and their statistics become final.
const STATS_PATH: &str = "/api/stats?from=2025-04-08&to=2026-04-07";

fn probe_config(base: &str) -> String {
    let mut out = String::from("[probe]\nlocation = \"e2e\"\n");
    for (portal, province) in [("hn", "Hà Nội"), ("hcm", "Hồ Chí Minh"), ("ct", "Cần Thơ")]
    {
        out.push_str(&format!(
            r#"
[[target]]
portal = "{portal}"
province = "{province}"
url = "{base}/{portal}"
{active}  [[target.check]]
  name = "home"
  kind = "http"
  path = "/"
  interval = "300ms"
  timeout = "2s"
  status = [200]
  body_regex = "Cổng dịch vụ công"
"#,
            active = if portal == "ct" {
                ""
            } else {
                "  [target.active]\n  test_procedure = [\"1.900001\", \"1.900004\"]\n  consent = \"the simulator\"\n"
            }
        ));
        if portal == "hn" {
            out.push_str(&format!(
                r#"  [[target.check]]
  name = "journey"
  kind = "journey"
  scenario = "{journey}"
  interval = "300ms"
  [[target.check]]
  name = "payment"
  kind = "payment"
  procedure = "1.900004"
  outcome = "success"
  interval = "1h"
  poll_every = "50ms"
  confirm_timeout = "10s"
"#,
                journey = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../scenarios/probes/citizen-journey.toml"
                )
            ));
        }
        if portal != "ct" {
            out.push_str(
                &r#"  [[target.check]]
  name = "intake"
  kind = "intake"
  procedure = "1.900001"
  citizen_id = "001199004321"
  password = "${DVC_E2E_PROBE_PASSWORD}"
  interval = "1h"
  follow_every = "200ms"
  give_up_after = "1h"
  [[target.check]]
  name = "stats"
  kind = "stats"
  path = "{STATS_PATH}"
  interval = "300ms"
  items = "$.agencies"
  agency = "$.agency"
  fields = { received = "$.received", late_acceptances = "$.late_acceptances", resolved_early = "$.resolved_early", resolved_on_time = "$.resolved_on_time", resolved_late = "$.resolved_late", open_in_time = "$.open_in_time", open_overdue = "$.open_overdue" }
"#
                .replace("{STATS_PATH}", STATS_PATH),
            );
        }
    }
    out
}

struct Daemon {
    child: Process,
    url: String,
}

/// Starts the probe and waits until it listens.
fn start_probe(config: &std::path::Path, state: &std::path::Path) -> Daemon {
    start_probe_with(config, state, 3)
}

fn start_probe_with(config: &std::path::Path, state: &std::path::Path, targets: usize) -> Daemon {
    let (child, first, url) = dvcbench_e2e::start_probe(config, Some(state));
    assert!(
        first.starts_with(&format!("probe watching {targets} targets")),
        "{first}"
    );
    Daemon { child, url }
}

/// The value of the sample `name{labels}` (all given label pairs must match).
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let rest = series.strip_prefix(name)?;
        if !(rest.is_empty() || rest.starts_with('{')) {
            return None;
        }
        labels
            .iter()
            .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
            .then(|| value.parse().ok())?
    })
}

async fn metrics(probe_url: String) -> String {
    get(&format!("{probe_url}/metrics")).await.text()
}

fn seconds_between(d: &Value, from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(d[from].as_str()?).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(d[to].as_str()?).ok()?;
    Some((b - a).num_milliseconds() as f64 / 1000.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_tells_the_truth_about_each_province_and_survives_kill_9() {
    let sim = sim::start(PORTALS).await;
    let base = sim.url();
    let scratch = Scratch::new("probe-e2e");
    let config = scratch.write("probe.toml", &probe_config(&base));
    let state = scratch.path.join("probe.db");
    let hn = [("portal", "hn")];
    let hcm = [("portal", "hcm")];

    // 1. Every province is watched; the outage shows as failed probes, the others succeed.
    let first = start_probe(&config, &state);
    let text = wait_for(
        "the first probe results",
        Duration::from_secs(20),
        || async {
            let m = metrics(first.url.clone()).await;
            let done = ["hn", "hcm", "ct"].iter().all(|p| {
                sample(
                    &m,
                    "dvc_probes_total",
                    &[("portal", p), ("check", "home"), ("outcome", "ok")],
                )
                .unwrap_or(0.0)
                    + sample(
                        &m,
                        "dvc_probes_total",
                        &[("portal", p), ("check", "home"), ("outcome", "http_error")],
                    )
                    .unwrap_or(0.0)
                    >= 2.0
            });
            done.then_some(m)
        },
    )
    .await;
    promtool_check_metrics(&text);
    let success =
        |m: &str, p: &str| sample(m, "dvc_probe_success", &[("portal", p), ("check", "home")]);
    assert_eq!(success(&text, "hn"), Some(1.0));
    assert_eq!(success(&text, "hcm"), Some(1.0));
    assert_eq!(success(&text, "ct"), Some(0.0), "Cần Thơ is down");
    assert_eq!(
        sample(
            &text,
            "dvc_probes_total",
            &[("portal", "ct"), ("check", "home"), ("outcome", "ok")]
        ),
        Some(0.0)
    );

    // The scripted journey times each of its steps; the payment is confirmed by the gateway.
    let text = wait_for(
        "the journey and the payment",
        Duration::from_secs(20),
        || async {
            let m = metrics(first.url.clone()).await;
            let journey = sample(
                &m,
                "dvc_probe_step_duration_seconds_count",
                &[("check", "journey"), ("step", "lookup")],
            );
            let paid = sample(
                &m,
                "dvc_payments_total",
                &[("portal", "hn"), ("outcome", "succeeded")],
            );
            (journey >= Some(1.0) && paid == Some(1.0)).then_some(m)
        },
    )
    .await;
    for step in ["login", "search", "procedure", "lookup"] {
        assert!(
            sample(
                &text,
                "dvc_probe_step_duration_seconds_count",
                &[("check", "journey"), ("step", step)]
            ) >= Some(1.0),
            "{step}"
        );
    }
    assert_eq!(
        sample(
            &text,
            "dvc_probe_success",
            &[("portal", "hn"), ("check", "journey")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "dvc_payment_confirmation_seconds_count", &hn),
        Some(1.0)
    );
    assert_eq!(sample(&text, "dvc_payment_pending", &hn), Some(0.0));

    // 2. Hà Nội accepts the probe's dossier quickly; Hồ Chí Minh City's is still pending when
    //    the probe is killed without warning.
    let before_kill = wait_for("Hà Nội's acceptance", Duration::from_secs(20), || async {
        let m = metrics(first.url.clone()).await;
        (sample(&m, "dvc_intake_accepted_total", &hn) == Some(1.0)).then_some(m)
    })
    .await;
    assert_eq!(
        sample(&before_kill, "dvc_intake_pending", &hcm),
        Some(1.0),
        "{before_kill}"
    );
    assert_eq!(
        sample(&before_kill, "dvc_intake_accepted_total", &hcm),
        Some(0.0)
    );
    let pending = sim::dossiers(&format!("{base}/hcm")).await;
    let hcm_code = pending[0]["code"].as_str().expect("code").to_owned();
    let due =
        chrono::DateTime::parse_from_rfc3339(pending[0]["acceptance_due"].as_str().expect("due"))
            .expect("RFC 3339")
            .timestamp() as f64;
    assert_eq!(
        sample(
            &before_kill,
            "dvc_intake_next_acceptance_due_timestamp_seconds",
            &hcm
        ),
        Some(due),
        "the pending dossier's acceptance deadline, in the portal's clock"
    );
    let mut first = first;
    first.child.0.kill().expect("kill -9");
    let _ = first.child.0.wait();

    // 3. The restarted probe follows the pending dossier on (and submits one more at start).
    let second = start_probe(&config, &state);
    let after = wait_for(
        "Hồ Chí Minh City's acceptances",
        Duration::from_secs(60),
        || async {
            let m = metrics(second.url.clone()).await;
            let accepted = sample(&m, "dvc_intake_accepted_total", &hcm).unwrap_or(0.0);
            (accepted >= 2.0 && sample(&m, "dvc_intake_pending", &hcm) == Some(0.0)).then_some(m)
        },
    )
    .await;
    let dossiers = sim::dossiers(&format!("{base}/hcm")).await;
    assert_eq!(dossiers.len(), 2, "one dossier per probe start");
    assert!(dossiers.iter().any(|d| d["code"] == hcm_code.as_str()));
    assert!(dossiers.iter().all(|d| d["test"] == true));

    // The intake latency is what the simulator's officers took, dossier by dossier.
    let truth: Vec<f64> = dossiers
        .iter()
        .map(|d| seconds_between(d, "submitted_at", "accepted_at").expect("accepted"))
        .collect();
    let sum = sample(&after, "dvc_intake_latency_seconds_sum", &hcm).expect("latency sum");
    let count = sample(&after, "dvc_intake_latency_seconds_count", &hcm).expect("latency count");
    assert_eq!(
        count, 2.0,
        "the dossier pending at the kill is counted once, by the restart"
    );
    assert!(
        (sum - truth.iter().sum::<f64>()).abs() < 0.01,
        "{sum} vs {truth:?}"
    );
    let late_truth = dossiers
        .iter()
        .filter(|d| seconds_between(d, "acceptance_due", "accepted_at").expect("due") > 0.0)
        .count() as f64;
    assert!(
        late_truth >= 1.0,
        "one officer at 25 working hours a dossier is late"
    );
    assert_eq!(
        sample(&after, "dvc_intake_late_total", &hcm),
        Some(late_truth)
    );
    let working = sample(&after, "dvc_intake_latency_working_seconds_sum", &hcm).expect("working");
    assert!(
        working > 0.0 && working < sum,
        "nights and weekends are not working time"
    );

    // 4. The deadline figures are the simulator's statistics. The stats check reads the days
    //    of the probe's dossiers; once every one of them is resolved those figures are final,
    //    and the probe's next reading must equal them exactly.
    let stats_url = format!("{base}/hcm{STATS_PATH}");
    let settled = wait_for("the statistics to settle", Duration::from_secs(60), || {
        let url = stats_url.clone();
        async move {
            let s = get(&url).await.json();
            let agency = s["agencies"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["agency"] == "ubndxa"))
                .cloned()
                .unwrap_or_default();
            let open = agency["open_in_time"].as_f64().unwrap_or(1.0)
                + agency["open_overdue"].as_f64().unwrap_or(1.0)
                + agency["pending_intake"].as_f64().unwrap_or(1.0);
            (agency["received"] == 2 && open == 0.0).then_some(agency)
        }
    })
    .await;
    let since = dvc_probe_now();
    let m = wait_for(
        "a stats run after that",
        Duration::from_secs(10),
        || async {
            let m = metrics(second.url.clone()).await;
            let last = sample(
                &m,
                "dvc_probe_last_run_timestamp_seconds",
                &[("portal", "hcm"), ("check", "stats")],
            )
            .unwrap_or(0.0);
            (last > since + 0.05).then_some(m)
        },
    )
    .await;
    for figure in [
        "received",
        "late_acceptances",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "open_in_time",
        "open_overdue",
    ] {
        let probe = sample(
            &m,
            "dvc_stats_dossiers",
            &[("portal", "hcm"), ("agency", "ubndxa"), ("figure", figure)],
        );
        assert_eq!(probe, settled[figure].as_f64(), "{figure}");
    }
    assert_eq!(settled["late_acceptances"], late_truth as u64);
    assert_eq!(
        sample(
            &m,
            "dvc_stats_on_time_ratio",
            &[("portal", "hcm"), ("agency", "ubndxa")]
        ),
        settled["on_time_ratio"].as_f64()
    );
    promtool_check_metrics(&m);

    // The status page names every target.
    let page = get(&format!("{}/", second.url)).await.text();
    for name in ["Hà Nội", "Hồ Chí Minh", "Cần Thơ", "intake"] {
        assert!(page.contains(name), "{name} missing from the status page");
    }
}

fn dvc_probe_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_take_a_valid_configuration_and_keep_the_old_one_otherwise() {
    let sim = sim::start("[[portal]]\nprovince = \"01\"\nprefix = \"/hn\"\n").await;
    let base = sim.url();
    let scratch = Scratch::new("probe-reload");
    let one = |portal: &str| {
        format!(
            "[[target]]\nportal = \"{portal}\"\nprovince = \"Hà Nội\"\nurl = \"{base}/hn\"\n\
             [[target.check]]\nname = \"home\"\nkind = \"http\"\ninterval = \"200ms\"\n"
        )
    };
    let config = scratch.write("probe.toml", &one("a"));
    let probe = start_probe_with(&config, &scratch.path.join("probe.db"), 1);
    let url = probe.url.clone();
    let runs = |m: &str, portal: &str| {
        sample(
            m,
            "dvc_probes_total",
            &[("portal", portal), ("outcome", "ok")],
        )
        .unwrap_or(0.0)
    };
    wait_for("a first run", Duration::from_secs(10), || async {
        (runs(&metrics(url.clone()).await, "a") >= 1.0).then_some(())
    })
    .await;

    // An invalid file: 400 with every problem located, and the old checks go on.
    scratch.write("probe.toml", &one("a").replace("200ms", "soon"));
    let reply = dvcbench_e2e::http::send("POST", &format!("{url}/-/reload"), &[], Vec::new()).await;
    assert_eq!(reply.status, 400);
    let details = reply.json()["details"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        details.ends_with(
            "probe.toml:8:12: expected a duration such as \"250ms\", \"30s\", \"2m\"; got \"soon\""
        ),
        "{details}"
    );
    let m = metrics(url.clone()).await;
    assert_eq!(
        sample(&m, "dvc_probe_config_last_reload_successful", &[]),
        Some(0.0)
    );
    let before = runs(&m, "a");
    wait_for(
        "the old check still running",
        Duration::from_secs(10),
        || async { (runs(&metrics(url.clone()).await, "a") > before).then_some(()) },
    )
    .await;

    // A valid file by SIGHUP: the new targets are watched.
    scratch.write("probe.toml", &format!("{}{}", one("a"), one("b")));
    let hup = Command::new("kill")
        .args(["-HUP", &probe.child.0.id().to_string()])
        .status()
        .expect("kill -HUP");
    assert!(hup.success());
    let m = wait_for("the reload", Duration::from_secs(10), || async {
        let m = metrics(url.clone()).await;
        (runs(&m, "b") >= 1.0).then_some(m)
    })
    .await;
    assert_eq!(
        sample(&m, "dvc_probe_config_last_reload_successful", &[]),
        Some(1.0)
    );
    assert_eq!(sample(&m, "dvc_probe_targets", &[]), Some(2.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_targets_report_their_certificate_expiry() {
    let addr = dvcbench_e2e::tls::server().await;
    let scratch = Scratch::new("probe-tls");
    let config = scratch.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"tls\"\nprovince = \"Hà Nội\"\nurl = \"https://localhost:{}\"\nca_file = \"{}\"\n\
             [[target.check]]\nname = \"home\"\nkind = \"http\"\ninterval = \"200ms\"\nbody_regex = \"HTTP\"\n",
            addr.port(),
            dvcbench_e2e::tls::ca_path().display()
        ),
    );
    let probe = start_probe_with(&config, &scratch.path.join("probe.db"), 1);
    let url = probe.url.clone();
    let m = wait_for("a TLS check", Duration::from_secs(10), || async {
        let m = metrics(url.clone()).await;
        sample(
            &m,
            "dvc_probe_tls_cert_not_after_timestamp_seconds",
            &[("portal", "tls")],
        )
        .map(|_| m)
    })
    .await;
    assert_eq!(
        sample(&m, "dvc_probe_success", &[("portal", "tls")]),
        Some(1.0),
        "{m}"
    );
    // The fixture certificate's notAfter (`openssl x509 -enddate`): 2126-10-29 00:11:30 UTC.
    let not_after = chrono::NaiveDate::from_ymd_opt(2126, 10, 29)
        .and_then(|d| d.and_hms_opt(0, 11, 30))
        .expect("date")
        .and_utc()
        .timestamp() as f64;
    assert_eq!(
        sample(
            &m,
            "dvc_probe_tls_cert_not_after_timestamp_seconds",
            &[("portal", "tls")]
        ),
        Some(not_after)
    );
}

#[test]
fn every_shipped_probe_configuration_is_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/probes");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/probes") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        // Probe configurations have targets; the rest are runner scenarios they use.
        if path.extension().is_none_or(|e| e != "toml") || !text.contains("[[target]]") {
            continue;
        }
        let text = text.replace("${DVC_PROBE_PASSWORD}", "dvc-demo");
        dvc_probe::config::ProbeConfig::from_source(&path.display().to_string(), &text, Some(&dir))
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
}
