//! The installation without Docker (docs/operations.md) as an operator sets it up: the shipped
//! systemd unit, Prometheus's loopback configuration and Alertmanager's file, run with the real
//! binaries on loopback.

use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Process, Scratch, dvcbench_binary, free_port, repo, sim, start_probe, tool};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn the_systemd_units_verify_and_are_hardened() {
    for name in ["dvcbench-probe.service", "dvcbench-zalo-bridge.service"] {
        let scratch = Scratch::new("ops-unit");
        let unit =
            std::fs::read_to_string(repo().join("dist/systemd").join(name)).expect("the unit");
        // The unit names the installed binary; here it is this build's.
        let unit = unit.replace(
            "/usr/local/bin/dvcbench",
            &dvcbench_binary().display().to_string(),
        );
        let path = scratch.write(name, &unit);
        let verify = Command::new(tool("systemd-analyze"))
            .arg("verify")
            .arg(&path)
            .current_dir(&scratch.path)
            .output()
            .expect("systemd-analyze runs");
        let complaints = String::from_utf8_lossy(&verify.stderr);
        assert!(
            verify.status.success() && complaints.trim().is_empty(),
            "{name}: {complaints}"
        );
        // Exposure 2.0 or less on systemd's 0–10 scale ("OK").
        let security = Command::new(tool("systemd-analyze"))
            .args(["security", "--offline=yes", "--threshold=20"])
            .arg(&path)
            .current_dir(&scratch.path)
            .output()
            .expect("systemd-analyze runs");
        assert!(
            security.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&security.stdout)
        );
        for directive in [
            "DynamicUser=yes",
            "ProtectSystem=strict",
            "RestartPreventExitStatus=2",
        ] {
            assert!(unit.contains(directive), "{name}: {directive}");
        }
    }
}

#[tokio::test]
async fn the_loopback_stack_runs_with_the_shipped_files() {
    let portal = sim::start("[[portal]]\nprovince = \"01\"\n").await;
    let scratch = Scratch::new("ops-stack");
    let config = scratch.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{}\"\n\
             [[target.check]]\nname = \"home\"\nkind = \"http\"\ninterval = \"1s\"\n",
            portal.url()
        ),
    );
    let (_probe, _, probe_url) = start_probe(&config, None);
    let probe = probe_url.trim_start_matches("http://").to_owned();

    let am_port = free_port();
    let alertmanager = Command::new(tool("prometheus-alertmanager"))
        .arg(format!(
            "--config.file={}",
            repo()
                .join("dashboards/alertmanager/alertmanager.yml")
                .display()
        ))
        .arg(format!(
            "--storage.path={}",
            scratch.path.join("am").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{am_port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("alertmanager starts");
    let _alertmanager = Process(alertmanager);
    dvcbench_e2e::http::wait_ready("Alertmanager", am_port).await;

    // The shipped file with this test's addresses, and scrapes every second.
    let shipped =
        std::fs::read_to_string(repo().join("dashboards/prometheus/prometheus-loopback.yml"))
            .expect("prometheus-loopback.yml");
    let rules = repo().join("dashboards/prometheus/rules");
    let yaml = shipped
        .replace("127.0.0.1:9464", &probe)
        .replace("127.0.0.1:9093", &format!("127.0.0.1:{am_port}"))
        .replace("- rules/", &format!("- {}/", rules.display()))
        .replace("interval: 15s", "interval: 1s");
    assert_ne!(yaml, shipped);
    let prometheus = dvcbench_e2e::prometheus::start(&scratch, &yaml).await;
    let prom = prometheus.url.clone();
    wait_for(
        "the probe scraped and Alertmanager reached",
        Duration::from_secs(60),
        || {
            let prom = prom.clone();
            async move {
                let up = get(&format!(
                    "{prom}/api/v1/query?query=up%7Bjob%3D%22dvc-probe%22%7D"
                ))
                .await
                .json();
                let scraped = up["data"]["result"][0]["value"][1] == "1";
                let ams = get(&format!("{prom}/api/v1/alertmanagers")).await.json();
                let reached = ams["data"]["activeAlertmanagers"]
                    .as_array()
                    .is_some_and(|a| {
                        a.iter().any(|m| {
                            m["url"]
                                .as_str()
                                .is_some_and(|u| u.contains(&format!(":{am_port}/")))
                        })
                    });
                let probes = get(&format!("{prom}/api/v1/query?query=sum(dvc_probes_total)"))
                    .await
                    .json();
                let counted = probes["data"]["result"][0]["value"][1]
                    .as_str()
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_some_and(|v| v > 0.0);
                (scraped && reached && counted).then_some(())
            }
        },
    )
    .await;
    let rules = get(&format!("{prom}/api/v1/rules")).await.json();
    let groups = rules["data"]["groups"].as_array().expect("rule groups");
    let alerting = groups
        .iter()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .filter(|r| r["type"] == "alerting")
        .count();
    assert!(alerting >= 13, "{alerting} alerting rules loaded");
    portal.shutdown().await;
}
