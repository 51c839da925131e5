use super::*;
use crate::recorder::Outcome;
use crate::summary::SegmentInfo;
use proptest::prelude::*;
use std::time::Duration;

/// A segment's summary over the given step latencies (ms), one journey per latency.
fn segment(index: u32, count: u32, latencies: &[u64], errors: usize) -> RunSummary {
    let mut step = Series::default();
    for (i, ms) in latencies.iter().enumerate() {
        let outcome = if i < errors {
            Outcome::Http5xx
        } else {
            Outcome::Ok
        };
        step.record(Duration::from_millis(*ms), outcome);
    }
    let mut second = step.clone();
    second.outcomes = [0; Outcome::ALL.len()];
    let n = latencies.len() as u64;
    RunSummary {
        schema_version: crate::summary::SCHEMA_VERSION,
        model: "open".into(),
        scenario: "s".into(),
        started_at: format!("2026-12-01T10:00:0{index}.000Z"),
        duration_seconds: 2.0 + f64::from(index) / 10.0,
        complete: true,
        arrivals: Arrivals {
            planned: n,
            started: n,
            late: 1,
            dropped: 0,
        },
        requests_total: n,
        all_journeys: Stats::from_series("all", &step),
        journeys: vec![Stats::from_series("submit", &step)],
        steps: vec![Stats::from_series("submit", &step)],
        thresholds: vec![ThresholdResult {
            expression: "step.submit.p99 < 500ms".into(),
            value: None,
            passed: true,
        }],
        timeline: vec![TimelinePoint {
            t: 1.0,
            planned_rate: 5.0,
            arrivals_started: n,
            requests: n,
            p99: Some(1.0),
            histogram: Some(crate::recorder::encode(&step.latency)),
            ..TimelinePoint::default()
        }],
        segment: Some(SegmentInfo {
            index,
            count,
            plan_id: "abc".into(),
            seed: 7,
            host: format!("gen-{index}"),
            ..SegmentInfo::default()
        }),
        ..RunSummary::default()
    }
}

fn part(name: &str, summary: RunSummary) -> Part {
    Part {
        source_name: name.into(),
        summary,
    }
}

proptest! {
    #[test]
    fn merged_figures_are_those_of_all_samples_together(
        shares in proptest::collection::vec(proptest::collection::vec(1u64..5_000, 1..60), 1..6),
    ) {
        let n = shares.len() as u32;
        let parts: Vec<Part> = shares
            .iter()
            .enumerate()
            .map(|(i, l)| part(&format!("seg-{i}"), segment(i as u32 + 1, n, l, 1)))
            .collect();
        let merged = merge(parts).expect("merges");
        let mut all = Series::default();
        for l in &shares {
            for (i, ms) in l.iter().enumerate() {
                all.record(Duration::from_millis(*ms), if i < 1 { Outcome::Http5xx } else { Outcome::Ok });
            }
        }
        let total = shares.iter().map(Vec::len).sum::<usize>() as u64;
        let mut expected = Stats::from_series("submit", &all);
        prop_assert_eq!(&merged.steps[0], &expected);
        expected.name = "all".into();
        prop_assert_eq!(&merged.all_journeys, &expected);
        prop_assert_eq!(merged.arrivals.started, total);
        prop_assert_eq!(merged.arrivals.late, u64::from(n));
        prop_assert_eq!(merged.requests_total, total);
        prop_assert_eq!(merged.timeline.len(), 1);
        prop_assert_eq!(merged.timeline[0].p99, Some(all.latency.value_at_quantile(0.99) as f64 / 1e6));
        prop_assert!((merged.timeline[0].planned_rate - 5.0 * f64::from(n)).abs() < 1e-9);
        prop_assert!(merged.complete);
        prop_assert_eq!(merged.segments.len(), n as usize);
        // The threshold is judged again on the merged figures.
        let p99 = expected.latency_seconds.p99;
        prop_assert_eq!(merged.thresholds[0].value, Some(p99));
        prop_assert_eq!(merged.thresholds[0].passed, p99 < 0.5);
    }

    #[test]
    fn garbage_never_panics_the_result_reader(text in ".{0,400}", cut in 0usize..2000) {
        let _ = read_summaries("x", &text);
        let block = result_block(&segment(1, 2, &[5, 6], 0));
        let cut = cut.min(block.len());
        if let Some(head) = block.get(..cut) {
            let _ = read_summaries("x", head);
            let _ = read_summaries("x", &format!("{head}{text}"));
        }
    }
}

#[test]
fn a_missing_segment_makes_the_result_incomplete() {
    let merged = merge(vec![
        part("a", segment(1, 3, &[10, 20], 0)),
        part("c", segment(3, 3, &[30], 0)),
    ])
    .expect("merges");
    assert!(!merged.complete);
    assert_eq!(merged.missing_segments, [2]);
    assert_eq!(
        merged.stop_reason.as_deref(),
        Some("incomplete: segment(s) 2/3 missing")
    );
    assert_eq!(merged.verdict(), crate::summary::Verdict::Incomplete);
}

/// Why merging `a.json` (segment 1/2) with `b.json` is refused.
fn refusal_beside_the_first(second: RunSummary) -> String {
    merge(vec![
        part("a.json", segment(1, 2, &[10], 0)),
        part("b.json", second),
    ])
    .expect_err("refused")
    .to_string()
}

#[test]
fn foreign_and_doubled_segments_are_refused() {
    let mut other_plan = segment(2, 2, &[10], 0);
    if let Some(s) = &mut other_plan.segment {
        s.plan_id = "def".into();
    }
    let err = refusal_beside_the_first(other_plan);
    assert!(
        err.starts_with("b.json is not a segment of the same run as a.json: the plan"),
        "{err}"
    );

    let mut other_seed = segment(2, 2, &[10], 0);
    if let Some(s) = &mut other_seed.segment {
        s.seed = 8;
    }
    let err = refusal_beside_the_first(other_seed);
    assert!(err.contains("the seed differs (8 vs 7)"), "{err}");

    let err = refusal_beside_the_first(segment(2, 3, &[10], 0));
    assert!(err.contains("the number of segments differs"), "{err}");

    let err = refusal_beside_the_first(segment(1, 2, &[10], 0));
    assert_eq!(err, "segment 1/2 is given twice: a.json and b.json");

    assert_eq!(merge(Vec::new()).expect_err("empty"), MergeError::Empty);

    let mut unsegmented = segment(1, 1, &[10], 0);
    unsegmented.segment = None;
    let err = merge(vec![part("old.json", unsegmented)]).expect_err("no segment");
    assert!(err.to_string().contains("no \"segment\""), "{err}");

    let mut forged = segment(1, 1, &[10, 20], 0);
    forged.steps[0].count = 5;
    let err = merge(vec![part("forged.json", forged)]).expect_err("counts disagree");
    assert!(
        err.to_string().contains("its histogram holds 2 latencies"),
        "{err}"
    );
}

#[test]
fn duplicates_are_found_across_segments_by_hash() {
    let mut a = segment(1, 2, &[10], 0);
    let mut b = segment(2, 2, &[10], 0);
    let values = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    a.verify = Some(VerifyResult {
        variable: "code".into(),
        checked: 2,
        missing: 1,
        duplicated: 0,
        unchecked: 1,
        value_hashes: Some(encode_hashes(&values(&["X1", "X2"]))),
    });
    b.verify = Some(VerifyResult {
        variable: "code".into(),
        checked: 2,
        missing: 0,
        duplicated: 1,
        unchecked: 0,
        value_hashes: Some(encode_hashes(&values(&["X2", "X3", "X3"]))),
    });
    let v = merge(vec![part("a", a), part("b", b)])
        .expect("merges")
        .verify
        .expect("verify united");
    assert_eq!(
        (v.checked, v.missing, v.duplicated, v.unchecked),
        (4, 1, 2, 1)
    );
}

#[test]
fn result_blocks_are_read_back_from_a_log_among_other_lines() {
    let one = segment(1, 2, &[10, 20], 0);
    let two = segment(2, 2, &[30], 1);
    let log = format!(
        "2026-12-01T10:00:00Z running s\nsome progress line\n{}{}\ntrailing\n",
        result_block(&one),
        result_block(&two)
            .lines()
            .map(|l| format!("2026-12-01T10:00:05.123Z {l}\n"))
            .collect::<String>()
    );
    let read = read_summaries("pods.log", &log).expect("two blocks");
    assert_eq!(read, [one.clone(), two]);
    // The scenario's text stays out of logs.
    let mut secret = one.clone();
    secret.scenario_source = Some("headers = { Authorization = \"Bearer s3cr3t\" }".into());
    let read = read_summaries("pod.log", &result_block(&secret)).expect("a block");
    assert_eq!(read[0].scenario_source, None);
    assert_eq!(read[0], one);
    let json = serde_json::to_string(&one).expect("json");
    assert_eq!(read_summaries("run.json", &json).expect("json"), [one]);
}

#[test]
fn truncated_and_foreign_files_are_clear_errors() {
    let block = result_block(&segment(1, 2, &[10, 20], 0));
    let cut = &block[..block.len() / 2];
    let err = read_summaries("seg-1.log", cut).expect_err("cut");
    assert_eq!(
        err.to_string(),
        "seg-1.log: the result block at line 1 is cut short (no end marker)"
    );
    let lines: Vec<&str> = block.lines().collect();
    let damaged = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[lines.len() - 1]);
    let err = read_summaries("seg-1.log", &damaged).expect_err("damaged");
    assert!(
        err.to_string()
            .starts_with("seg-1.log: the result block at line 1: "),
        "{err}"
    );
    let err = read_summaries("run.json", "{\"schema_version\": 1,").expect_err("truncated json");
    assert!(
        err.to_string().starts_with("run.json: not a run summary"),
        "{err}"
    );
    let err = read_summaries("notes.txt", "hello\n").expect_err("nothing");
    assert!(
        err.to_string().contains("neither a run.json nor a log"),
        "{err}"
    );
}
