//! Capacity answers: `dvcbench plan` shows the plan a run follows, flags included, and
//! `run --find-capacity` finds the rate a portal holds.

use dvcbench_e2e::{Scratch, dvcbench};

#[test]
fn the_plan_shown_is_the_plan_a_run_follows() {
    let dir = Scratch::new("plan");
    let scenario = dir.write(
        "ramp.toml",
        "name = \"ramp\"\n[load]\narrivals = \"poisson\"\nstart_rate = \"2/s\"\n\
         stages = [{ duration = \"2s\", rate = \"20/s\" }, { duration = \"1s\", rate = \"20/s\" }]\n\
         max_rate = \"100/s\"\n[[journey]]\nname = \"browse\"\n[[journey.step]]\nname = \"home\"\npath = \"/\"\n",
    );
    let file = scenario.to_str().expect("utf-8");
    let svg = dir.path.join("plan.svg");
    let plan = dvcbench(&[
        "plan",
        file,
        "--scale",
        "2",
        "--plot",
        svg.to_str().expect("utf-8"),
    ]);
    assert_eq!(plan.code, 0, "{:?}", plan.error);
    assert!(plan.stdout.contains("ramp 4/s → 40/s"), "{}", plan.stdout);
    let total: u64 = plan
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("total  "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no total in:\n{}", plan.stdout));
    let chart = std::fs::read_to_string(&svg).expect("the chart");
    assert!(chart.starts_with("<svg") && chart.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        chart.contains("<polyline") || chart.contains("<path"),
        "{chart}"
    );

    let out = dir.path.join("run.json");
    let run = dvcbench(&[
        "run",
        "-q",
        file,
        "--scale",
        "2",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{:?}", run.error);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("json");
    assert_eq!(
        summary["arrivals"]["planned"], total,
        "the plan said {total}"
    );

    let bad = dvcbench(&["plan", file, "--rate", "500/s"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.error
            .unwrap_or_default()
            .contains("over the scenario's max_rate")
    );
}

/// A portal with a known capacity (2 workers, 50 ms a request: 40 requests a second) is
/// found to hold within 10% of it, and the search stops by itself.
#[test]
fn find_capacity_finds_a_known_capacity_within_ten_percent_and_stops() {
    let dir = Scratch::new("capacity");
    dir.write(
        "portal.toml",
        "[[portal]]\nprovince = \"01\"\n[portal.capacity]\nworkers = 2\nqueue = 4\nservice_time = { default = \"50ms\" }\n",
    );
    let scenario = dir.write(
        "capacity.toml",
        "name = \"capacity\"\n[target]\nurl = \"embedded\"\nportal_config = \"portal.toml\"\n\
         [load]\nstages = [{ duration = \"2s\", rate = \"10/s\" }]\nmax_rate = \"200/s\"\n\
         [[journey]]\nname = \"list\"\n[[journey.step]]\nname = \"list\"\npath = \"/api/procedures\"\ncheck = { status = 200 }\n",
    );
    let (out, report) = (
        dir.path.join("capacity.json"),
        dir.path.join("capacity.html"),
    );
    let started = std::time::Instant::now();
    let run = dvcbench(&[
        "run",
        "-q",
        scenario.to_str().expect("utf-8"),
        "--find-capacity",
        "--duration",
        "2s",
        "--out",
        out.to_str().expect("utf-8"),
        "--report",
        report.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{:?}\n{}", run.error, run.stdout);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "it stops by itself"
    );
    let found: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("json")).expect("json");
    assert_eq!(found["kind"], "capacity");
    let capacity = found["capacity"].as_f64().expect("a capacity");
    let steps = found["steps"].as_array().expect("steps");
    // The capacity the portal really had: 2 workers over the time each request held one,
    // measured at the lowest rate (50 ms and the machine's own overhead, larger when other
    // tests share the cores).
    let service = steps[0]["p50"].as_f64().expect("p50");
    let known = 2.0 / service;
    assert!(
        (capacity - known).abs() <= known * 0.1,
        "{capacity}/s found, {known:.1}/s known (2 workers, {service}s each)\n{}",
        run.stdout
    );
    assert!(
        (32.0..=44.0).contains(&capacity),
        "about 40/s configured: {capacity}"
    );
    assert!(steps.len() <= 12, "{}", steps.len());
    assert!(
        steps.iter().any(|s| s["held"] == false),
        "a step past the capacity failed"
    );
    assert!(
        found["ended"]
            .as_str()
            .is_some_and(|e| e.contains("narrowed")),
        "{}",
        found["ended"]
    );
    assert!(
        run.stdout.contains("capacity  ") && run.stdout.contains("held: "),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(
        html.contains("capacity-latency") && html.contains("Chịu được"),
        "the knee chart"
    );

    // A closed scenario cannot be searched by rate: refused before anything runs.
    let closed = dir.write(
        "closed.toml",
        "[load]\nmodel = \"closed\"\nstages = [{ duration = \"2s\", users = 2 }]\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/\"\n",
    );
    let refused = dvcbench(&["run", closed.to_str().expect("utf-8"), "--find-capacity"]);
    assert_eq!(refused.code, 2);
    assert!(refused.error.unwrap_or_default().contains("open-model"));
}
