use super::*;

#[test]
fn threshold_values_read_in_their_metric_units() {
    let shown = |expression: &str, value: Option<f64>| {
        ThresholdResult {
            expression: expression.into(),
            value,
            passed: true,
        }
        .value_text()
    };
    assert_eq!(
        shown("step.home.p99 < 300ms", Some(0.0024)).as_deref(),
        Some("2.4ms")
    );
    assert_eq!(
        shown("journey.error_rate < 1%", Some(0.0012)).as_deref(),
        Some("0.12%")
    );
    assert_eq!(
        shown("step.submit.rate > 50/s", Some(52.04)).as_deref(),
        Some("52.0/s")
    );
    assert_eq!(
        shown("arrivals.dropped == 0", Some(3.0)).as_deref(),
        Some("3")
    );
    assert_eq!(shown("verify.missing == 0", None), None);
}

#[test]
fn a_panicked_journey_fails_the_run_and_stays_in_run_json() {
    let mut summary = RunSummary {
        complete: true,
        ..RunSummary::default()
    };
    assert_eq!(summary.verdict(), Verdict::Passed);
    summary.journeys_panicked = 1;
    assert_eq!(summary.verdict(), Verdict::Failed);
    assert!(summary.render_text().contains("1 journey(s) panicked"));
    let text = serde_json::to_string(&summary).expect("JSON");
    let read: RunSummary = serde_json::from_str(&text).expect("read back");
    assert_eq!(read.journeys_panicked, 1);
}
