//! The alert rules as an operator meets them: each says what it means and links its runbook.
//! Their behaviour (what fires, what stays quiet) is in `dashboards/prometheus/tests/`, run by
//! `stack::rules_pass_promtool_check_and_their_unit_tests`.

use dvcbench_e2e::repo;

#[test]
fn every_alert_says_what_it_means_and_links_a_runbook_that_exists() {
    let rules: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(repo().join("dashboards/prometheus/rules/dvc-alerts.yml"))
            .expect("alert rules"),
    )
    .expect("YAML");
    let mut alerts = 0;
    for group in rules["groups"].as_sequence().expect("groups") {
        for rule in group["rules"].as_sequence().expect("rules") {
            let name = rule["alert"].as_str().expect("an alert");
            alerts += 1;
            let annotations = &rule["annotations"];
            for key in ["summary", "description"] {
                assert!(
                    annotations[key].as_str().is_some_and(|s| s.len() > 20),
                    "{name} has no {key}"
                );
            }
            let runbook = annotations["runbook_url"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no runbook_url"));
            let page = repo().join(runbook);
            let text = std::fs::read_to_string(&page)
                .unwrap_or_else(|e| panic!("{name}: runbook {runbook}: {e}"));
            for part in ["**Means.**", "**First checks.**", "**Who to call.**"] {
                assert!(text.contains(part), "{runbook} lacks {part}");
            }
            let index = std::fs::read_to_string(repo().join("docs/runbooks/README.md"))
                .expect("runbook index");
            assert!(
                index.contains(name.trim_end_matches("Fast").trim_end_matches("Slow")),
                "{name} is not in docs/runbooks/README.md"
            );
        }
    }
    assert!(alerts >= 13, "{alerts} alerts");
}

#[test]
fn the_shipped_alertmanager_config_passes_amtool_with_the_calendars_office_hours() {
    let file = repo().join("dashboards/alertmanager/alertmanager.yml");
    let out = std::process::Command::new(dvcbench_e2e::tool("amtool"))
        .arg("check-config")
        .arg(&file)
        .output()
        .expect("amtool runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let shipped = std::fs::read_to_string(&file).expect("alertmanager.yml");
    let generated = std::process::Command::new(dvcbench_e2e::dvcbench_binary())
        .args(["calendar", "alertmanager", "2026", "2027"])
        .output()
        .expect("dvcbench runs");
    let generated = String::from_utf8(generated.stdout).expect("UTF-8");
    assert!(
        shipped.ends_with(&generated),
        "the office hours in alertmanager.yml are not what `dvcbench calendar alertmanager 2026 2027` writes"
    );
    assert!(!shipped.contains("example.gov.vn") && !shipped.contains("oncall-bridge"));
}
