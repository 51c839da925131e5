//! The dashboards as an operator reads them: colours that mean what they say, links from one
//! to the next, and every metric the probe and the runner export shown somewhere. (That every
//! query returns data from a real Prometheus is `stack::every_dashboard_query_returns_data…`.)

use dvcbench_e2e::repo;
use serde_json::Value;

const DASHBOARDS: [&str; 4] = [
    "portal-overview",
    "slo",
    "province-comparison",
    "load-test-run",
];

fn dashboard(name: &str) -> Value {
    let path = repo().join(format!("dashboards/grafana/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("dashboard")).expect("JSON")
}

fn panel<'a>(d: &'a Value, title: &str) -> &'a Value {
    d["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .find(|p| p["title"] == title)
        .unwrap_or_else(|| panic!("no panel {title}"))
}

/// The colour a panel's thresholds give `value`.
fn colour(p: &Value, value: f64) -> String {
    let steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no thresholds", p["title"]));
    let mut colour = String::new();
    for s in steps {
        if s["value"].as_f64().is_none_or(|v| value >= v) {
            colour = s["color"].as_str().expect("colour").to_owned();
        }
    }
    colour
}

#[test]
fn colours_mean_what_they_say() {
    let o = dashboard("portal-overview");
    let expiry = panel(&o, "Certificate expiry");
    assert_eq!(colour(expiry, 5.0), "red", "5 days left");
    assert_eq!(colour(expiry, 20.0), "orange");
    assert_eq!(colour(expiry, 89.0), "green", "89 days left");
    for d in [&o, &dashboard("slo")] {
        let budget = panel(d, "Error budget left, 30 days");
        assert_eq!(colour(budget, -0.2), "red", "budget spent");
        assert_eq!(colour(budget, 0.1), "orange");
        assert_eq!(colour(budget, 0.9), "green");
    }
    let availability = panel(&o, "Availability, 30 days");
    assert_eq!(colour(availability, 0.98), "red");
    assert_eq!(colour(availability, 0.9999), "green");
    let c = dashboard("province-comparison");
    assert_eq!(colour(panel(&c, "Intake p95, working hours"), 20.0), "red");
    assert_eq!(colour(panel(&c, "Intake p95, working hours"), 2.0), "green");
    // Every single-figure panel is coloured by its thresholds.
    for name in DASHBOARDS {
        let d = dashboard(name);
        for p in d["panels"].as_array().expect("panels") {
            if ["stat", "bargauge", "gauge"].contains(&p["type"].as_str().unwrap_or("")) {
                let steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
                    .as_array()
                    .map_or(0, Vec::len);
                assert!(steps >= 2, "{name}: {} has no thresholds", p["title"]);
            }
        }
    }
}

#[test]
fn dashboards_link_to_each_other_and_provinces_to_their_detail() {
    for name in DASHBOARDS {
        let d = dashboard(name);
        assert!(
            d["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "dvcbench")),
            "{name}"
        );
        let link = &d["links"][0];
        assert_eq!(link["type"], "dashboards", "{name}");
        assert_eq!(link["tags"][0], "dvcbench", "{name}");
        assert_eq!(
            (link["includeVars"].as_bool(), link["keepTime"].as_bool()),
            (Some(true), Some(true)),
            "{name}"
        );
    }
    let overview = dashboard("portal-overview")["uid"]
        .as_str()
        .expect("uid")
        .to_owned();
    let table = panel(&dashboard("province-comparison"), "Provinces").clone();
    let links = table["fieldConfig"]["overrides"]
        .as_array()
        .expect("overrides")
        .iter()
        .find(|o| o["matcher"]["options"] == "province")
        .map(|o| {
            o["properties"][0]["value"][0]["url"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .expect("a link on the province column");
    assert!(
        links.starts_with(&format!("/d/{overview}/?var-province=")),
        "{links}"
    );
    let run = dashboard("load-test-run");
    assert_eq!(
        run["time"]["from"], "now-30m",
        "a load test is read as it runs"
    );
    for d in [&run, &dashboard("portal-overview")] {
        let notes = d["annotations"]["list"].as_array().expect("annotations");
        assert!(
            notes.iter().any(|a| a["expr"]
                .as_str()
                .is_some_and(|e| e.contains("dvc_run_journeys_in_flight"))),
            "load test runs are marked on {}",
            d["title"]
        );
    }
}

#[test]
fn every_metric_an_operator_needs_is_on_a_dashboard() {
    let exprs: String = DASHBOARDS
        .iter()
        .flat_map(|n| {
            let d = dashboard(n);
            d["panels"]
                .as_array()
                .expect("panels")
                .iter()
                .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
                .filter_map(|t| t["expr"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    for metric in [
        "dvc_probe_success",
        "dvc_probe_step_duration_seconds",
        "dvc_probe_checks_late_total",
        "dvc_probe_tls_cert_not_after_timestamp_seconds",
        "dvc_intake_pending",
        "dvc_intake_late_total",
        "dvc_intake_refused_total",
        "dvc_intake_given_up_total",
        "dvc_payment_confirmation_seconds",
        "dvc_payment_pending",
        "dvc_stats_on_time_ratio",
        "dvc_stats_dossiers",
        "dvc_browser_largest_contentful_paint_seconds",
        "dvc_browser_first_contentful_paint_seconds",
        "dvc_browser_total_blocking_time_seconds",
        "dvc_run_step_duration_seconds",
        "dvc_run_journey_duration_seconds",
        "dvc_run_arrivals_dropped_total",
        "dvc_run_threshold_passing",
    ] {
        assert!(exprs.contains(metric), "{metric} is on no dashboard");
    }
}
