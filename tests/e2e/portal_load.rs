//! The portal simulator under concurrent load: nothing lost or duplicated, the duplicate-code
//! fault detectable, and `/metrics` lint-clean for Prometheus.

use crate::portal::{login, submit};
use dvcbench_e2e::http::get;
use dvcbench_e2e::sim;
use std::collections::HashMap;
use std::sync::Arc;

/// Submits `n` dossiers at once (at most 256 in flight) and returns the codes answered.
async fn submit_concurrently(base: &str, cookie: &str, procedure: &str, n: usize) -> Vec<String> {
    let limit = Arc::new(tokio::sync::Semaphore::new(256));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (base, cookie, procedure, limit) = (
                base.to_owned(),
                cookie.to_owned(),
                procedure.to_owned(),
                limit.clone(),
            );
            tokio::spawn(async move {
                let _permit = limit.acquire().await.expect("semaphore open");
                let reply = submit(&base, &cookie, &procedure, 1, 512).await;
                assert_eq!(reply.status, 201, "{}", reply.text());
                reply.json()["code"].as_str().expect("code").to_owned()
            })
        })
        .collect();
    let mut codes = Vec::with_capacity(n);
    for task in tasks {
        codes.push(task.await.expect("submission task"));
    }
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_submissions_are_all_kept_once() {
    let sim = sim::start("").await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    // Two agencies, so the per-agency code locks and sequences are both exercised.
    let (a, b) = tokio::join!(
        submit_concurrently(&base, &cookie, "1.900007", 1500),
        submit_concurrently(&base, &cookie, "1.900020", 1500),
    );
    let answered: Vec<String> = a.into_iter().chain(b).collect();
    let mut seen = HashMap::new();
    for code in &answered {
        *seen.entry(code.clone()).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3000, "every answered code is distinct");
    let kept = sim::dossiers(&base).await;
    assert_eq!(kept.len(), 3000, "the portal kept every dossier");
    for d in &kept {
        let code = d["code"].as_str().expect("code");
        assert_eq!(seen.get(code), Some(&1), "{code} kept but not answered");
        assert_eq!(d["visible"], true, "{code}");
    }
    // Sequences per agency are dense: 0001..=1500.
    let max_seq = |prefix: &str| {
        answered
            .iter()
            .filter(|c| c.starts_with(prefix))
            .filter_map(|c| c.rsplit('-').next()?.parse::<u32>().ok())
            .max()
    };
    assert_eq!(max_seq("000.20.01.H01-"), Some(1500));
    assert_eq!(max_seq("000.00.08.H01-"), Some(1500));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duplicate_code_fault_loses_dossiers_visibly() {
    let sim = sim::start(
        "[[portal]]\n[portal.capacity]\ncode_generation_ms = 2\n[portal.faults]\nduplicate_codes = true\n",
    )
    .await;
    let base = sim.portal_url().to_owned();
    let cookie = login(&base).await;
    let answered = submit_concurrently(&base, &cookie, "1.900007", 200).await;
    let distinct: std::collections::HashSet<&String> = answered.iter().collect();
    assert!(
        distinct.len() < answered.len(),
        "concurrent submissions shared codes"
    );
    let kept = sim::dossiers(&base).await;
    assert_eq!(kept.len(), 200, "the export still lists every submission");
    let hidden = kept.iter().filter(|d| d["visible"] == false).count();
    assert_eq!(
        hidden,
        answered.len() - distinct.len(),
        "one dossier hidden per duplicate"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn metrics_pass_promtool_check_metrics() {
    let sim =
        sim::start("[[portal]]\nprefix = \"/a\"\n[[portal]]\nprovince = \"79\"\nprefix = \"/b\"\n[portal.back_office.agency.ubndxa]\nofficers = 7\n")
            .await;
    for prefix in ["/a", "/b"] {
        let base = format!("{}{prefix}", sim.url());
        let cookie = login(&base).await;
        assert_eq!(submit(&base, &cookie, "1.900007", 1, 10).await.status, 201);
        get(&format!("{base}/api/procedures?q=x")).await;
        get(&format!("{base}/api/dossiers/none")).await;
    }
    // Browsers ask the origin's root for an icon, whatever the portals' prefixes.
    assert_eq!(get(&format!("{}/favicon.ico", sim.url())).await.status, 204);
    let text = get(&format!("{}/metrics", sim.url())).await.text();
    assert!(text.contains("dvc_portal_http_requests_total{method=\"POST\",portal=\"a\",province=\"01\",route=\"/api/dossiers\",status=\"201\"} 1"), "{text}");
    assert!(text.contains(
        "dvc_portal_dossiers_submitted_total{agency=\"ubndxa\",portal=\"b\",province=\"79\"} 1"
    ));
    assert!(
        text.contains(
            "dvc_portal_intake_officers{agency=\"ubndxa\",portal=\"b\",province=\"79\"} 7"
        ) && text.contains("dvc_portal_intake_backlog{agency=\"ubndxa\",portal=\"a\""),
        "{text}"
    );
    dvcbench_e2e::promtool_check_metrics(&text);
    sim.shutdown().await;
}
