//! The national service index's figures, end to end: two simulated provinces publish known
//! index figures (`[portal.index]`), a probe's stats checks read them, and `compare` shows
//! exactly the simulator's figures, with the index's own scale beside ours.

use crate::portal::{login, submit};
use dvcbench_e2e::http::{get, send, wait_for};
use dvcbench_e2e::{Scratch, dvcbench, sim, start_probe};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

const SIM: &str = "time_scale = 36000\nstart = \"2025-03-03T08:00:00+07:00\"\n\
[[portal]]\nprovince = \"01\"\nprefix = \"/a\"\n\
[portal.payment]\ncallback_delay = \"10ms\"\n\
[portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\nlate_probability = 0.0\nintake_minutes = 5\n\
[portal.index]\noffline_procedures = 45\nonline_share = 0.6\nonline_payment_share = 0.5\n\
digitised_share = 0.8\nresult_digitised_share = 0.7\nresponse_share = 0.5\nsatisfied_share = 0.9\n\
[[portal]]\nprovince = \"79\"\nprefix = \"/b\"\nseed = 2\n\
[portal.payment]\ncallback_delay = \"10ms\"\n\
[portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\nlate_probability = 0.0\nintake_minutes = 5\n\
[portal.index]\noffline_procedures = 5\nonline_share = 0.9\nonline_payment_share = 0.8\n\
digitised_share = 0.4\nresult_digitised_share = 0.3\nresponse_share = 1.0\nsatisfied_share = 0.75\n";

/// The probe's stats check of a portal's index figures.
const CHECK: &str = "  [[target.check]]\n  name = \"index\"\n  kind = \"stats\"\n  \
path = \"/api/stats/index\"\n  interval = \"300ms\"\n  fields = { procedures_total = \
\"$.procedures.total\", procedures_full_online = \"$.procedures.full_online\", \
procedures_partly_online = \"$.procedures.partly_online\", dossiers_total = \
\"$.dossiers.total\", dossiers_online = \"$.dossiers.online\", dossiers_digitised = \
\"$.dossiers.digitised\", results_total = \"$.results.total\", results_digitised = \
\"$.results.digitised\", payments_total = \"$.payments.total\", payments_online = \
\"$.payments.online\", satisfaction_responses = \"$.satisfaction.responses\", \
satisfaction_satisfied = \"$.satisfaction.satisfied\" }\n";

/// Ten dossiers without a fee and four paid ones, all processed to a result.
async fn business(base: &str) {
    let cookie = login(base).await;
    for _ in 0..10 {
        assert_eq!(submit(base, &cookie, "1.900007", 1, 10).await.status, 201);
    }
    for _ in 0..4 {
        let code = submit(base, &cookie, "1.900004", 1, 10).await.json()["code"]
            .as_str()
            .expect("code")
            .to_owned();
        let p = send(
            "POST",
            &format!("{base}/api/dossiers/{code}/payments"),
            &[("cookie", &cookie)],
            vec![],
        )
        .await
        .json();
        let id = p["payment_id"].as_str().expect("id");
        send(
            "POST",
            &format!("{base}/gateway/pay/{id}"),
            &[("content-type", "application/x-www-form-urlencoded")],
            b"action=pay&outcome=success".to_vec(),
        )
        .await;
    }
}

/// The index figures a portal publishes once all 14 dossiers have their results.
async fn settled(base: &str) -> Value {
    wait_for("every result issued", Duration::from_secs(60), || {
        let url = format!("{base}/api/stats/index");
        async move {
            let f = get(&url).await.json();
            (f["results"]["total"] == 14 && f["payments"]["online"] == 4).then_some(f)
        }
    })
    .await
}

#[test]
fn compare_shows_the_index_figures_the_portals_publish() {
    let scratch = Scratch::new("index");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime.block_on(sim::start(SIM));
    let truth: BTreeMap<&str, Value> = runtime.block_on(async {
        let mut truth = BTreeMap::new();
        for (prefix, name) in [("/a", "Hà Nội"), ("/b", "Hồ Chí Minh")] {
            let base = format!("{}{prefix}", sim.url());
            business(&base).await;
            truth.insert(name, settled(&base).await);
        }
        truth
    });
    // The known figures: the shares set in [portal.index], to the dossier.
    let hn = &truth["Hà Nội"];
    assert_eq!(hn["dossiers"]["online"], 14);
    assert_eq!(hn["dossiers"]["total"], 23, "14 online are 60% of 23");
    assert_eq!(hn["payments"]["total"], 8, "4 online are half");
    let count = |f: &Value, group: &str, key: &str| f[group][key].as_u64().expect("a count");
    assert_eq!(
        count(hn, "procedures", "total"),
        count(hn, "procedures", "full_online") + count(hn, "procedures", "partly_online") + 45
    );

    let targets: String = [("a", "Hà Nội"), ("b", "Hồ Chí Minh")]
        .iter()
        .map(|(p, name)| {
            format!(
                "[[target]]\nportal = \"{p}\"\nprovince = \"{name}\"\nurl = \"{}/{p}\"\n{CHECK}",
                sim.url()
            )
        })
        .collect();
    let config = scratch.write(
        "probe.toml",
        &format!("[probe]\nlocation = \"e2e\"\n{targets}"),
    );
    let state = scratch.path.join("probe.db");
    let from = chrono::Utc::now() - chrono::Duration::seconds(5);
    let (probe, _, metrics_url) = start_probe(&config, Some(&state));
    runtime.block_on(wait_for("the probe reads both portals", Duration::from_secs(30), || {
        let url = format!("{metrics_url}/metrics");
        async move {
            let m = get(&url).await.text();
            let read = |portal: &str| {
                m.contains(&format!(
                    "dvc_stats_dossiers{{agency=\"all\",figure=\"results_total\",portal=\"{portal}\""
                ))
            };
            (read("a") && read("b")).then_some(())
        }
    }));
    std::thread::sleep(Duration::from_millis(700));
    drop(probe);
    runtime.block_on(sim.shutdown());

    let to = chrono::Utc::now() + chrono::Duration::seconds(1);
    let csv = scratch.path.join("index.csv");
    let md = scratch.path.join("index.md");
    let run = dvcbench(&[
        "compare",
        "--probe-store",
        state.to_str().expect("utf-8"),
        "--from",
        &from.to_rfc3339(),
        "--to",
        &to.to_rfc3339(),
        "--min-samples",
        "1",
        "--csv",
        csv.to_str().expect("utf-8"),
        "--md",
        md.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert_eq!(run.code, 0, "{:?}\n{}", run.error, run.stdout);
    let text = std::fs::read_to_string(&csv).expect("csv");
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let rows: Vec<BTreeMap<&str, &str>> = lines
        .map(|l| header.iter().copied().zip(l.split(',')).collect())
        .collect();
    let ratio = |f: &Value, num: &str, den: &str| {
        let at = |path: &str| {
            let (group, key) = path.split_once('.').expect("group.key");
            f[group][key].as_f64().expect("a count")
        };
        at(num) / at(den)
    };
    for row in &rows {
        let name = row["province"].trim_matches('"');
        let f = &truth[name];
        for (column, num, den) in [
            (
                "procedures_full_online_ratio",
                "procedures.full_online",
                "procedures.total",
            ),
            (
                "procedures_partly_online_ratio",
                "procedures.partly_online",
                "procedures.total",
            ),
            ("dossiers_online_ratio", "dossiers.online", "dossiers.total"),
            ("payments_online_ratio", "payments.online", "payments.total"),
            (
                "dossiers_digitised_ratio",
                "dossiers.digitised",
                "dossiers.total",
            ),
            (
                "results_digitised_ratio",
                "results.digitised",
                "results.total",
            ),
            (
                "satisfaction_ratio",
                "satisfaction.satisfied",
                "satisfaction.responses",
            ),
        ] {
            let got: f64 = row[column]
                .parse()
                .unwrap_or_else(|_| panic!("{column} of {name}: {row:?}"));
            let want = ratio(f, num, den);
            assert!(
                (got - want).abs() < 1e-12,
                "{name} {column}: {got} vs {want} ({f})"
            );
        }
        // The sample count is the denominator; the index's own marks sit beside ours.
        assert_eq!(
            row["dossiers_online_samples"],
            f["dossiers"]["total"].to_string(),
            "{name}"
        );
        let online: f64 = row["dossiers_online_ratio"].parse().expect("ratio");
        let marks: f64 = row["dossiers_online_index_marks_ratio"]
            .parse()
            .expect("marks");
        assert!((marks - (online / 0.8).min(1.0)).abs() < 1e-12, "{name}");
    }
    // Hà Nội receives 60% online and is paid half online; Hồ Chí Minh City 90% and 80%.
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r["province"].trim_matches('"'))
        .collect();
    assert_eq!(order, ["Hồ Chí Minh", "Hà Nội"], "{rows:?}");
    let md = std::fs::read_to_string(&md).expect("markdown");
    assert!(
        md.contains("online service group (12 of 100 points); full marks at ≥ 80%"),
        "{md}"
    );
}
