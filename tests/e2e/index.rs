//! The national service index's figures, end to end: four simulated provinces publish known
//! index figures (`[portal.index]`, and late dossiers for the on-time ratio), a probe's stats
//! checks read them (two from each portal's own page, two from the national portal's
//! scoreboard), and `compare` shows exactly the simulator's figures, with the index's own
//! scale beside ours.

use crate::portal::{login, submit};
use dvcbench_e2e::http::{get, multipart, send, wait_for};
use dvcbench_e2e::{Scratch, sim, start_probe};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Four provinces, each with its own known index figures; the national portal in front.
const PROVINCES: [(&str, &str, &str, &str); 4] = [
    (
        "01",
        "a",
        "Hà Nội",
        "offline_procedures = 45\nonline_share = 0.6\nonline_payment_share = 0.5\n\
         digitised_share = 0.8\nresult_digitised_share = 0.7\nresponse_share = 0.5\nsatisfied_share = 0.9\n",
    ),
    (
        "79",
        "b",
        "Hồ Chí Minh",
        "offline_procedures = 5\nonline_share = 0.9\nonline_payment_share = 0.8\n\
         digitised_share = 0.4\nresult_digitised_share = 0.3\nresponse_share = 1.0\nsatisfied_share = 0.75\n",
    ),
    (
        "48",
        "c",
        "Đà Nẵng",
        "offline_procedures = 20\nonline_share = 0.75\nonline_payment_share = 1.0\n\
         digitised_share = 0.9\nresult_digitised_share = 0.9\nresponse_share = 0.4\nsatisfied_share = 0.8\n",
    ),
    (
        "92",
        "d",
        "Cần Thơ",
        "offline_procedures = 80\nonline_share = 0.5\nonline_payment_share = 0.25\n\
         digitised_share = 0.2\nresult_digitised_share = 0.1\nresponse_share = 0.3\nsatisfied_share = 0.6\n",
    ),
];

fn sim_config() -> String {
    let mut out =
        "time_scale = 36000\nstart = \"2025-03-03T08:00:00+07:00\"\n[national]\n".to_owned();
    for (i, (code, prefix, _, index)) in PROVINCES.iter().enumerate() {
        out.push_str(&format!(
            "[[portal]]\nprovince = \"{code}\"\nprefix = \"/{prefix}\"\nseed = {}\n\
             [portal.payment]\ncallback_delay = \"10ms\"\n\
             [portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\n\
             late_probability = {}\nprocessing_supplement = {}\nintake_minutes = 5\n\
             [portal.index]\n{index}",
            i + 1,
            // Late dossiers make the on-time ratios differ; in Đà Nẵng officers ask for more
            // papers during processing, a wait the on-time counting excludes.
            [0.0, 0.1, 0.0, 0.4][i],
            [0.0, 0.0, 0.3, 0.0][i]
        ));
    }
    out
}

/// The fields of the index's counts, as both the portal's page and the scoreboard name them.
const FIELDS: &str = "{ procedures_total = \"$.procedures.total\", procedures_full_online = \
\"$.procedures.full_online\", procedures_partly_online = \"$.procedures.partly_online\", \
dossiers_total = \"$.dossiers.total\", dossiers_online = \"$.dossiers.online\", \
dossiers_digitised = \"$.dossiers.digitised\", results_total = \"$.results.total\", \
results_digitised = \"$.results.digitised\", payments_total = \"$.payments.total\", \
payments_online = \"$.payments.online\", satisfaction_responses = \
\"$.satisfaction.responses\", satisfaction_satisfied = \"$.satisfaction.satisfied\" }";

/// A target's checks: the on-time counts per agency, and the index's counts from the portal's
/// own page (`scoreboard` None) or from the national portal's scoreboard, its own row.
fn checks(scoreboard: Option<(&str, &str)>) -> String {
    let index = match scoreboard {
        None => format!("  path = \"/api/stats/index\"\n  fields = {FIELDS}\n"),
        Some((url, code)) => format!(
            "  path = \"{url}/quocgia/api/scoreboard\"\n  items = \"$.provinces\"\n  \
             select = {{ \"$.code\" = \"{code}\" }}\n  fields = {FIELDS}\n"
        ),
    };
    format!(
        "  [[target.check]]\n  name = \"index\"\n  kind = \"stats\"\n  interval = \"300ms\"\n{index}\
         [[target.check]]\n  name = \"on-time\"\n  kind = \"stats\"\n  interval = \"300ms\"\n  \
         path = \"/api/stats\"\n  items = \"$.agencies\"\n  agency = \"$.agency\"\n  \
         fields = {{ resolved_early = \"$.resolved_early\", resolved_on_time = \"$.resolved_on_time\", \
         resolved_late = \"$.resolved_late\", open_in_time = \"$.open_in_time\", open_overdue = \
         \"$.open_overdue\" }}\n"
    )
}

/// Ten dossiers without a fee and four paid ones, submitted by one citizen whose session
/// cookie is answered.
async fn business(base: &str) -> String {
    let cookie = login(base).await;
    for _ in 0..10 {
        assert_eq!(submit(base, &cookie, "1.900007", 1, 10).await.status, 201);
    }
    for _ in 0..4 {
        let code = submit(base, &cookie, "1.900004", 1, 10).await.json()["code"]
            .as_str()
            .expect("code")
            .to_owned();
        crate::portal::pay(base, &cookie, &code, "success").await;
    }
    cookie
}

/// The index figures a portal publishes once all 14 dossiers have their results; meanwhile the
/// citizen sends the papers an officer asks for.
async fn settled(base: &str, cookie: &str) -> (Value, usize) {
    let bearer = format!("Bearer {}", sim::ADMIN_TOKEN);
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let mut supplied = 0;
    loop {
        let f = get(&format!("{base}/api/stats/index")).await.json();
        if f["results"]["total"] == 14 && f["payments"]["online"] == 4 {
            return (f, supplied);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "results never all issued: {f}"
        );
        let all = send(
            "GET",
            &format!("{base}/admin/dossiers"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await
        .json();
        for d in all["items"].as_array().expect("dossiers") {
            if d["state_id"] == "supplement_requested" {
                let code = d["code"].as_str().expect("code");
                let (content_type, body) = multipart(&sim::form("1.900007"), &[64]);
                let back = send(
                    "POST",
                    &format!("{base}/api/dossiers/{code}/supplement"),
                    &[("content-type", &content_type), ("cookie", cookie)],
                    body,
                )
                .await;
                assert_eq!(back.status, 200, "{}", back.text());
                supplied += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The on-time ratio of a portal's statistics: (early + on time + open in time) / all.
async fn on_time(base: &str) -> f64 {
    let s = get(&format!("{base}/api/stats")).await.json();
    let (mut good, mut all) = (0.0, 0.0);
    for a in s["agencies"].as_array().expect("agencies") {
        let n = |k: &str| a[k].as_f64().expect("a count");
        good += n("resolved_early") + n("resolved_on_time") + n("open_in_time");
        all += n("resolved_early")
            + n("resolved_on_time")
            + n("open_in_time")
            + n("resolved_late")
            + n("open_overdue");
    }
    good / all
}

#[test]
fn compare_shows_the_index_figures_the_portals_publish() {
    let scratch = Scratch::new("index");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime.block_on(sim::start(&sim_config()));
    let truth: BTreeMap<&str, (Value, f64)> = runtime.block_on(async {
        let mut truth = BTreeMap::new();
        let mut cookies = Vec::new();
        for (_, prefix, _, _) in PROVINCES {
            let base = format!("{}/{prefix}", sim.url());
            cookies.push(business(&base).await);
        }
        for ((_, prefix, name, _), cookie) in PROVINCES.iter().zip(&cookies) {
            let base = format!("{}/{prefix}", sim.url());
            let (figures, supplied) = settled(&base, cookie).await;
            if *name == "Đà Nẵng" {
                assert!(supplied > 0, "Đà Nẵng's officers asked for papers");
            }
            truth.insert(*name, (figures, on_time(&base).await));
        }
        truth
    });
    // The known figures: the shares set in [portal.index], to the dossier.
    let hn = &truth["Hà Nội"].0;
    assert_eq!(hn["dossiers"]["online"], 14);
    assert_eq!(hn["dossiers"]["total"], 23, "14 online are 60% of 23");
    assert_eq!(hn["payments"]["total"], 8, "4 online are half");
    let count = |f: &Value, group: &str, key: &str| f[group][key].as_u64().expect("a count");
    assert_eq!(
        count(hn, "procedures", "total"),
        count(hn, "procedures", "full_online") + count(hn, "procedures", "partly_online") + 45
    );
    assert_eq!(truth["Hà Nội"].1, 1.0, "no late dossier in Hà Nội");
    assert!(truth["Cần Thơ"].1 < 1.0, "Cần Thơ is late on some");
    assert_eq!(
        truth["Đà Nẵng"].1, 1.0,
        "waiting for papers is not counted against Đà Nẵng"
    );

    // Hà Nội and Hồ Chí Minh City are read from their own portals, Đà Nẵng and Cần Thơ from
    // the national portal's scoreboard, each its own row.
    let url = sim.url();
    let targets: String = PROVINCES
        .iter()
        .enumerate()
        .map(|(i, (code, p, name, _))| {
            let scoreboard = (i >= 2).then_some((url.as_str(), *code));
            format!(
                "[[target]]\nportal = \"{p}\"\nprovince = \"{name}\"\nurl = \"{url}/{p}\"\n{}",
                checks(scoreboard)
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
    runtime.block_on(wait_for(
        "the probe reads every portal",
        Duration::from_secs(30),
        || {
            let url = format!("{metrics_url}/metrics");
            async move {
                let m = get(&url).await.text();
                let read = |portal: &str| {
                    m.contains(&format!(
                        "dvc_stats_dossiers{{agency=\"all\",figure=\"results_total\",portal=\"{portal}\""
                    ))
                };
                ["a", "b", "c", "d"].iter().all(|p| read(p)).then_some(())
            }
        },
    ));
    std::thread::sleep(Duration::from_millis(700));
    drop(probe);
    runtime.block_on(sim.shutdown());

    let to = chrono::Utc::now() + chrono::Duration::seconds(1);
    let csv = scratch.path.join("index.csv");
    let md = scratch.path.join("index.md");
    dvcbench_e2e::compare_store(
        &state,
        from,
        to,
        &[
            "--csv",
            csv.to_str().expect("utf-8"),
            "--md",
            md.to_str().expect("utf-8"),
            "--lang",
            "en",
        ],
    );
    let rows = dvcbench_e2e::csv_rows(&std::fs::read_to_string(&csv).expect("csv"));
    let ratio = |f: &Value, num: &str, den: &str| {
        let at = |path: &str| {
            let (group, key) = path.split_once('.').expect("group.key");
            f[group][key].as_f64().expect("a count")
        };
        at(num) / at(den)
    };
    for row in &rows {
        let name = row["province"].as_str();
        let (f, on_time) = &truth[name];
        let got: f64 = row["on_time_ratio"].parse().expect("on time");
        assert!(
            (got - on_time).abs() < 1e-12,
            "{name} on time: {got} vs {on_time}"
        );
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
    // Đà Nẵng digitises and pays online most; Cần Thơ least, and it is late on the most.
    let order: Vec<&str> = rows.iter().map(|r| r["province"].as_str()).collect();
    assert_eq!(order.len(), 4);
    assert_eq!(
        (order.first(), order.last()),
        (Some(&"Đà Nẵng"), Some(&"Cần Thơ")),
        "{rows:?}"
    );
    let md = std::fs::read_to_string(&md).expect("markdown");
    assert!(
        md.contains("online service group (12 of 100 points); full marks at ≥ 80%"),
        "{md}"
    );
}
