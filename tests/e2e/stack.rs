//! The monitoring stack: the shipped Prometheus rules and Grafana dashboards against a real
//! Prometheus scraping the probe, the portal simulator and a running load test; and the
//! shipped compose file and Kubernetes manifests, checked statically.

use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Process, Scratch, dvcbench_binary, promtool_check_metrics, repo, sim, tool};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Hà Nội decides quickly; Hồ Chí Minh City's officer is so slow that a dossier stays pending;
/// time runs 20,000× faster than real time.
const PORTALS: &str = r#"
time_scale = 20000
start = "2025-04-08T08:00:00+07:00"
[[portal]]
province = "01"
prefix = "/hn"
seed = 21
[portal.back_office]
officers = 3
intake_minutes = 10
accept = 1.0
refuse = 0.0
supplement = 0.0
[portal.payment]
callback_delay_ms = 50
success = 1.0
failed = 0.0
pending = 0.0
[[portal]]
province = "79"
prefix = "/hcm"
seed = 22
[portal.back_office]
officers = 1
intake_minutes = 100000
"#;

fn probe_config(base: &str, tls_port: u16) -> String {
    let stats = r#"  [[target.check]]
  name = "stats"
  kind = "stats"
  interval = "500ms"
  items = "$.agencies"
  agency = "$.agency"
  fields = { received = "$.received", late_acceptances = "$.late_acceptances", resolved_early = "$.resolved_early", resolved_on_time = "$.resolved_on_time", resolved_late = "$.resolved_late", open_in_time = "$.open_in_time", open_overdue = "$.open_overdue" }
"#;
    let intake = |every: &str| {
        format!(
            "  [[target.check]]\n  name = \"intake\"\n  kind = \"intake\"\n  procedure = \"1.900001\"\n  \
             citizen_id = \"001199004321\"\n  password = \"dvc-demo\"\n  interval = \"{every}\"\n  follow_every = \"200ms\"\n"
        )
    };
    let home = "  [[target.check]]\n  name = \"home\"\n  kind = \"http\"\n  interval = \"500ms\"\n  status = [200]\n";
    // A page in a browser, and the national index's counts.
    let browser = "  [[target.check]]\n  name = \"home-browser\"\n  kind = \"browser\"\n  interval = \"5s\"\n  settle = \"200ms\"\n";
    let index = "  [[target.check]]\n  name = \"index\"\n  kind = \"stats\"\n  interval = \"1s\"\n  \
                 path = \"/api/stats/index\"\n  fields = { dossiers_total = \"$.dossiers.total\", \
                 dossiers_online = \"$.dossiers.online\", dossiers_digitised = \"$.dossiers.digitised\", \
                 payments_total = \"$.payments.total\", payments_online = \"$.payments.online\" }\n";
    format!(
        "[probe]\nlocation = \"stack-e2e\"\n\
         [[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{base}/hn\"\n  [target.active]\n  test_procedure = [\"1.900001\", \"1.900004\"]\n  consent = \"the simulator\"\n{home}{browser}{index}{intake}{stats}\
           [[target.check]]\n  name = \"payment\"\n  kind = \"payment\"\n  procedure = \"1.900004\"\n  \
           outcome = \"success\"\n  interval = \"2s\"\n  poll_every = \"50ms\"\n\
         [[target]]\nportal = \"hcm\"\nprovince = \"Hồ Chí Minh\"\nurl = \"{base}/hcm\"\n  [target.active]\n  test_procedure = [\"1.900001\", \"1.900004\"]\n  consent = \"the simulator\"\n{home}{intake_slow}{stats}\
         [[target]]\nportal = \"tls\"\nprovince = \"Đà Nẵng\"\nurl = \"https://localhost:{tls_port}\"\nca_file = \"{ca}\"\n\
           [[target.check]]\n  name = \"home\"\n  kind = \"http\"\n  interval = \"500ms\"\n",
        intake = intake("3s"),
        intake_slow = intake("1h"),
        ca = dvcbench_e2e::tls::ca_path().display(),
    )
}

const LOAD_TEST: &str = r#"
name = "stack-e2e"
[load]
stages = [{ duration = "120s", rate = "20/s" }]
[[journey]]
name = "browse"
  [[journey.step]]
  name = "home"
  path = "/"
  check = { status = 200 }
  [[journey.step]]
  name = "search"
  path = "/api/procedures"
  query = { q = "khai sinh" }
  check = { status = 200 }
[thresholds]
"step.home.p95" = "< 2s"
"#;

async fn query(prometheus: &str, expr: &str) -> Value {
    let url = format!("{prometheus}/api/v1/query?query={}", dvc_http::encode(expr));
    let reply = get(&url).await;
    let body = reply.json();
    assert_eq!(body["status"], "success", "{expr}: {body}");
    body["data"]["result"].clone()
}

/// Every query of a dashboard, with Grafana's variables put in: (panel title, expression).
fn dashboard_queries(dashboard: &Value) -> Vec<(String, String)> {
    let mut panels: Vec<&Value> = Vec::new();
    for p in dashboard["panels"].as_array().expect("panels") {
        panels.push(p);
        panels.extend(p["panels"].as_array().into_iter().flatten());
    }
    let mut out = Vec::new();
    for p in panels {
        for t in p["targets"].as_array().into_iter().flatten() {
            let expr = t["expr"].as_str().expect("every target has an expression");
            out.push((
                p["title"].as_str().unwrap_or("").to_owned(),
                substitute(expr),
            ));
        }
    }
    for v in dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if v["type"] == "query" {
            // label_values(metric, label) asks for the label's values on the metric's series.
            let q = v["query"]["query"].as_str().expect("variable query");
            let inner = q
                .strip_prefix("label_values(")
                .and_then(|r| r.strip_suffix(')'))
                .expect("label_values(metric, label)");
            let (metric, label) = inner.rsplit_once(',').expect("two arguments");
            out.push((
                format!("variable {}", v["name"]),
                substitute(&format!("count by ({}) ({metric})", label.trim())),
            ));
        }
    }
    out
}

fn substitute(expr: &str) -> String {
    expr.replace("$__rate_interval", "5s")
        .replace("$__interval", "1s")
        .replace("$__range", "2m")
        .replace("$province", ".+")
        .replace("$portal", ".+")
        .replace("$scenario", ".+")
}

fn yaml(path: &Path) -> Vec<serde_norway::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            serde::Deserialize::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_query_returns_data_from_a_real_prometheus() {
    let sim = sim::start(PORTALS).await;
    let base = sim.url();
    let tls = dvcbench_e2e::tls::server().await;
    let scratch = Scratch::new("stack-e2e");

    // The probe.
    let config = scratch.write("probe.toml", &probe_config(&base, tls.port()));
    let (_probe, first, probe_url) = dvcbench_e2e::start_probe(&config, None);
    assert!(first.starts_with("probe watching"), "{first}");
    let probe_port = probe_url.rsplit(':').next().expect("a port").to_owned();

    // A load test with live metrics, running through the whole test.
    let scenario = scratch.write("load.toml", LOAD_TEST);
    let mut run = Command::new(dvcbench_binary())
        .arg("run")
        .arg(&scenario)
        .args(["--target", &format!("{base}/hn"), "-q"])
        .args(["--metrics-listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the run starts");
    let run_port = dvcbench_e2e::metrics_address(&mut run).port();
    let _run = Process(run);

    // Prometheus with the shipped rules, scraping all three every second.
    let rules = repo().join("dashboards/prometheus/rules");
    let prometheus = dvcbench_e2e::prometheus::start(
        &scratch,
        &format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n  - {rules}/dvc-recording.yml\n  - {rules}/dvc-alerts.yml\n\
             scrape_configs:\n\
             \x20 - job_name: dvc-probe\n    static_configs: [{{ targets: ['127.0.0.1:{probe_port}'] }}]\n\
             \x20 - job_name: dvc-portal\n    static_configs: [{{ targets: ['{portal}'] }}]\n\
             \x20 - job_name: dvcbench-run\n    static_configs: [{{ targets: ['127.0.0.1:{run_port}'] }}]\n",
            rules = rules.display(),
            portal = base.trim_start_matches("http://"),
        ),
    )
    .await;
    let prom = prometheus.url.clone();

    // Enough scrapes: every target up, an acceptance, a payment, rules evaluated, and a few
    // seconds of history for the rates.
    let ready = [
        "count(up == 1) == 3",
        "sum(dvc_intake_accepted_total) > 0",
        "sum(dvc_intake_pending) > 0",
        "sum(dvc_payment_confirmation_seconds_count) > 0",
        "count(dvc_probe_tls_cert_not_after_timestamp_seconds) > 0",
        "count(dvc_run_step_duration_seconds_bucket) > 0",
        "count(portal:dvc_slo_payment_errors:ratio_3d) > 0",
        "count_over_time(up{job=\"dvcbench-run\"}[1m]) > 8",
    ];
    for expr in ready {
        let prom = prom.clone();
        wait_for(expr, Duration::from_secs(60), || {
            let prom = prom.clone();
            async move { (!query(&prom, expr).await.as_array()?.is_empty()).then_some(()) }
        })
        .await;
    }

    // Every exposition passes promtool.
    for url in [
        format!("http://127.0.0.1:{probe_port}/metrics"),
        format!("{base}/metrics"),
        format!("http://127.0.0.1:{run_port}/metrics"),
    ] {
        promtool_check_metrics(&get(&url).await.text());
    }

    // Every panel query of every dashboard is valid PromQL and returns data.
    let mut checked = 0;
    let mut empty = Vec::new();
    for entry in std::fs::read_dir(repo().join("dashboards/grafana")).expect("dashboards") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let dashboard: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        for (panel, expr) in dashboard_queries(&dashboard) {
            let result = query(&prom, &expr).await;
            checked += 1;
            if result.as_array().is_none_or(Vec::is_empty) {
                empty.push(format!("{}: {panel}: {expr}", path.display()));
            }
        }
    }
    assert!(checked >= 40, "only {checked} queries found");
    assert!(
        empty.is_empty(),
        "queries without data:\n{}",
        empty.join("\n")
    );
}

#[test]
fn rules_pass_promtool_check_and_their_unit_tests() {
    let prometheus = repo().join("dashboards/prometheus");
    for args in [
        &[
            "check",
            "rules",
            "rules/dvc-recording.yml",
            "rules/dvc-alerts.yml",
        ][..],
        &["test", "rules", "tests/dvc-alerts-test.yml"],
        &["check", "config", "prometheus.yml"],
    ] {
        let out = Command::new(tool("promtool"))
            .args(args)
            .current_dir(&prometheus)
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "promtool {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn dashboards_have_fixed_uids_a_datasource_variable_units_and_descriptions() {
    let mut uids = Vec::new();
    let dir = repo().join("dashboards/grafana");
    for name in [
        "portal-overview",
        "province-comparison",
        "load-test-run",
        "slo",
    ] {
        let path = dir.join(format!("{name}.json"));
        let d: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        let uid = d["uid"].as_str().expect("uid").to_owned();
        assert!(!uids.contains(&uid), "{uid} twice");
        uids.push(uid);
        let vars = d["templating"]["list"].as_array().expect("variables");
        assert!(
            vars.iter()
                .any(|v| v["type"] == "datasource" && v["name"] == "datasource")
        );
        for p in d["panels"].as_array().expect("panels") {
            if p["type"] == "row" {
                continue;
            }
            let title = p["title"].as_str().unwrap_or("");
            assert_eq!(p["datasource"]["uid"], "${datasource}", "{name}: {title}");
            assert!(
                p["description"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: {title}"
            );
            assert!(
                p["fieldConfig"]["defaults"]["unit"].is_string(),
                "{name}: {title}"
            );
            for t in p["targets"].as_array().expect("targets") {
                let expr = t["expr"].as_str().expect("expr");
                assert!(
                    !expr.contains("rate(") || !expr.contains("[1m]"),
                    "{name}: {title}: use $__rate_interval"
                );
            }
        }
    }
    // The provisioning points Grafana at the directory the compose file mounts them to.
    let provider = &yaml(&dir.join("provisioning/dashboards/dvcbench.yml"))[0];
    assert_eq!(
        provider["providers"][0]["options"]["path"].as_str(),
        Some("/var/lib/grafana/dashboards")
    );
    let datasource = &yaml(&dir.join("provisioning/datasources/prometheus.yml"))[0];
    assert_eq!(
        datasource["datasources"][0]["uid"].as_str(),
        Some("dvc-prometheus")
    );
}

#[test]
fn the_compose_file_and_manifests_are_consistent() {
    let docker = repo().join("docker");
    let compose = &yaml(&docker.join("docker-compose.yml"))[0];
    let services = compose["services"].as_mapping().expect("services");
    // Every mounted file or directory exists.
    for (name, service) in services {
        for volume in service["volumes"].as_sequence().into_iter().flatten() {
            let source = volume
                .as_str()
                .expect("short volume syntax")
                .split(':')
                .next()
                .expect("source");
            if source.starts_with('.') {
                assert!(
                    docker.join(source).exists(),
                    "{name:?}: {source} is missing"
                );
            }
        }
        // dvcbench services use the image the build produces.
        let command: Vec<&str> = service["command"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .collect();
        if ["portal", "probe", "run"].contains(&command.first().copied().unwrap_or("")) {
            assert_eq!(
                service["image"].as_str(),
                Some("dvcbench:latest"),
                "{name:?}"
            );
            // The port it listens on is the one published and the one Prometheus scrapes.
            if let Some(i) = command
                .iter()
                .position(|c| *c == "--listen" || *c == "--metrics-listen")
            {
                let port = command[i + 1].rsplit(':').next().expect("port");
                let published = service["ports"][0].as_str().expect("ports");
                assert!(
                    published.ends_with(&format!(":{port}")),
                    "{name:?}: {published} vs {port}"
                );
            }
        }
    }
    assert_eq!(
        services[&serde_norway::Value::from("portal")]["build"]["dockerfile"].as_str(),
        Some("docker/Dockerfile")
    );
    assert!(docker.join("Dockerfile").exists());
    let prometheus = &yaml(&repo().join("dashboards/prometheus/prometheus.yml"))[0];
    for job in prometheus["scrape_configs"].as_sequence().expect("jobs") {
        for target in job["static_configs"][0]["targets"]
            .as_sequence()
            .expect("targets")
        {
            let (host, port) = target
                .as_str()
                .expect("target")
                .split_once(':')
                .expect("host:port");
            let service = &services[&serde_norway::Value::from(host)];
            assert!(
                !service.is_null(),
                "Prometheus scrapes {host}, which compose does not run"
            );
            let published = service["ports"][0].as_str().expect("ports");
            assert!(
                published.ends_with(&format!(":{port}")),
                "{host}: {published} vs {port}"
            );
        }
    }
    // The configurations the services run are valid.
    let probe = std::fs::read_to_string(docker.join("probe.toml")).expect("probe.toml");
    let probe = probe.replace("${DVC_PROBE_PASSWORD}", "dvc-demo");
    dvc_probe::config::ProbeConfig::from_source(
        "probe.toml",
        &probe,
        Some(&repo().join("scenarios/probes")),
    )
    .unwrap_or_else(|e| panic!("docker/probe.toml: {e:?}"));
    dvc_loadgen::scenario::Scenario::load(&docker.join("loadtest.toml"))
        .unwrap_or_else(|e| panic!("docker/loadtest.toml: {e}"));

    // Kubernetes: the container listens where the Service points (the overlays' namespaces,
    // images and configurations are tests/e2e/k8s.rs's).
    let docs = crate::distributed::kustomize("docker/k8s/base");
    let kind = |k: &str| {
        docs.iter()
            .find(|d| d["kind"].as_str() == Some(k))
            .expect(k)
    };
    let container = &kind("Deployment")["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_sequence()
        .expect("args")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    let listen = args[args
        .iter()
        .position(|a| *a == "--listen")
        .expect("--listen")
        + 1];
    let port = container["ports"][0]["containerPort"]
        .as_u64()
        .expect("containerPort");
    assert!(listen.ends_with(&format!(":{port}")));
    assert_eq!(
        kind("Service")["spec"]["ports"][0]["targetPort"],
        container["ports"][0]["name"]
    );
}
