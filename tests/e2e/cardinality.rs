//! Labels taken from a portal's answers stay bounded: a statistics answer naming 250 agencies
//! exports 100 of them and sums the rest under `agency="other"`, counting what it folded.

use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Scratch, promtool_check_metrics, start_probe};
use std::time::Duration;

/// Serves `/api/stats` with `n` agencies of 10 dossiers each, all on time.
async fn many_agencies(n: usize) -> String {
    let agencies: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "agency": format!("Phòng {i} {}", "x".repeat(i % 3 * 40)),
                "received": 10, "resolved_early": 2, "resolved_on_time": 5, "resolved_late": 1,
                "open_in_time": 2, "open_overdue": 0
            })
        })
        .collect();
    let body = serde_json::json!({ "agencies": agencies }).to_string();
    let app = axum::Router::new().route(
        "/api/stats",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn agencies_from_a_portal_are_bounded_and_the_rest_summed_as_other() {
    let portal = many_agencies(250).await;
    let dir = Scratch::new("cardinality");
    let config = dir.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"big\"\nprovince = \"Hà Nội\"\nurl = \"{portal}\"\n\
             [[target.check]]\nname = \"stats\"\nkind = \"stats\"\ninterval = \"200ms\"\n\
             items = \"$.agencies\"\nagency = \"$.agency\"\n\
             fields = {{ received = \"$.received\", resolved_early = \"$.resolved_early\", \
             resolved_on_time = \"$.resolved_on_time\", resolved_late = \"$.resolved_late\", \
             open_in_time = \"$.open_in_time\", open_overdue = \"$.open_overdue\" }}\n"
        ),
    );
    let (_probe, _, url) = start_probe(&config, None);
    let metrics = wait_for("two stats runs", Duration::from_secs(20), || {
        let url = url.clone();
        async move {
            let text = get(&format!("{url}/metrics")).await.text();
            text.lines()
                .find(|l| l.starts_with("dvc_probe_label_values_dropped_total{"))
                .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .filter(|n| *n >= 300)
                .map(|_| text)
        }
    })
    .await;
    promtool_check_metrics(&metrics);
    let received: Vec<(&str, f64)> = metrics
        .lines()
        .filter(|l| l.starts_with("dvc_stats_dossiers{") && l.contains("figure=\"received\""))
        .map(|l| {
            let agency = l
                .split("agency=\"")
                .nth(1)
                .and_then(|r| r.split('"').next());
            let value = l.rsplit(' ').next().and_then(|v| v.parse().ok());
            (agency.expect("an agency"), value.expect("a value"))
        })
        .collect();
    assert_eq!(received.len(), 101, "100 agencies and \"other\"");
    assert!(
        received.iter().all(|(a, _)| a.chars().count() <= 64),
        "agency names are cut to 64 characters"
    );
    let other = received.iter().find(|(a, _)| *a == "other").expect("other");
    assert_eq!(
        other.1,
        150.0 * 10.0,
        "the 150 agencies past the bound, summed"
    );
    let total: f64 = received.iter().map(|(_, v)| v).sum();
    assert_eq!(total, 2500.0, "nothing lost");
}
