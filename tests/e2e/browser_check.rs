//! The probe's browser check: headless Chromium loads a simulated portal's home page slowed on
//! purpose, and the paint figures it records, and `compare` reads, fall where the delay puts
//! them.

use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Scratch, sim, start_probe};
use std::time::Duration;

/// The home page's answer is held this long; nothing can be painted before it.
const DELAY: f64 = 1.2;

#[test]
fn a_slowed_page_paints_within_the_injected_delay_s_range() {
    let scratch = Scratch::new("browser-check");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime.block_on(sim::start(
        "[[portal]]\n[portal.faults]\nlatency = { \"GET /\" = \"1200ms\" }\n",
    ));
    let config = scratch.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{}\"\n  \
             [[target.check]]\n  name = \"home-browser\"\n  kind = \"browser\"\n  \
             interval = \"1s\"\n  settle = \"500ms\"\n  timeout = \"30s\"\n",
            sim.portal_url()
        ),
    );
    let state = scratch.path.join("probe.db");
    let from = chrono::Utc::now() - chrono::Duration::seconds(5);
    let (probe, _, metrics_url) = start_probe(&config, Some(&state));
    let metrics = runtime.block_on(wait_for(
        "three page loads",
        Duration::from_secs(90),
        || {
            let url = format!("{metrics_url}/metrics");
            async move {
                let m = get(&url).await.text();
                m.lines()
                    .find(|l| l.starts_with("dvc_browser_largest_contentful_paint_seconds_count"))
                    .and_then(|l| l.rsplit(' ').next())
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|n| *n >= 3.0)
                    .map(|_| m)
            }
        },
    ));
    drop(probe);
    runtime.block_on(sim.shutdown());
    assert!(
        metrics.contains(
            "dvc_probes_total{check=\"home-browser\",kind=\"browser\",outcome=\"ok\",portal=\"hn\""
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "dvc_browser_errors_total{check=\"home-browser\",portal=\"hn\",province=\"Hà Nội\"} 0"
        ),
        "a page without errors: {metrics}"
    );
    dvcbench_e2e::promtool_check_metrics(&metrics);

    let to = chrono::Utc::now() + chrono::Duration::seconds(1);
    let run = dvcbench_e2e::compare_store(&state, from, to, &["--csv", "-"]);
    let rows = dvcbench_e2e::csv_rows(&run.stdout);
    let row = rows.first().expect("Hà Nội");
    let value = |name: &str| -> f64 {
        row[name]
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {:?}", row[name]))
    };
    // Painted after the held answer, and on a 2-core machine within two seconds of it.
    for figure in [
        "first_contentful_paint_p75_s",
        "largest_contentful_paint_p75_s",
    ] {
        let v = value(figure);
        assert!((DELAY..DELAY + 2.0).contains(&v), "{figure} {v}");
    }
    assert!(value("largest_contentful_paint_p75_s") >= value("first_contentful_paint_p75_s"));
    assert!(
        value("total_blocking_time_p75_s") < 0.6,
        "a page with no script"
    );
    assert!(value("largest_contentful_paint_p75_samples") >= 3.0);
}
