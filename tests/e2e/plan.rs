//! `dvcbench plan`: the plan it shows is the one a run follows, flags included.

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
