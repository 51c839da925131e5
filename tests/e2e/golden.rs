//! Every report format against its golden file: a fixed run (`fixtures/golden/run.json`) and a
//! fixed comparison, rendered in Vietnamese and English. A change to a report shows up here as
//! a diff to read; when it is meant, `DVCBENCH_BLESS=1 cargo test golden` writes the new files.

use chrono::TimeZone;
use dvc_compare::{Comparison, Figure, FigureId, Province, Source, Trend, Weights};
use dvc_loadgen::summary::RunSummary;
use dvc_report::Lang;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/golden")
}

/// Compares `actual` with the golden file `name` (or writes it, when blessing).
fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("DVCBENCH_BLESS").is_some() {
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; DVCBENCH_BLESS=1 writes it", path.display()));
    if want != actual {
        let line = want
            .lines()
            .zip(actual.lines())
            .position(|(w, a)| w != a)
            .unwrap_or(want.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden file from line {}:\n  golden: {:?}\n  now:    {:?}\n\
             (DVCBENCH_BLESS=1 cargo test golden rewrites it when the change is meant)",
            line + 1,
            want.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn run_reports_match_their_golden_files() {
    let text = std::fs::read_to_string(golden_dir().join("run.json")).expect("run.json");
    let run: RunSummary = serde_json::from_str(&text).expect("a run summary");
    for (lang, tag) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
        golden(
            &format!("run.{tag}.md"),
            &dvc_report::markdown(&run, None, lang),
        );
        golden(
            &format!("run.{tag}.html"),
            &dvc_report::html(&run, None, lang),
        );
    }
    golden("run.txt", &run.render_text());
    // With itself as the baseline: every delta is zero.
    golden(
        "run-baseline.en.md",
        &dvc_report::markdown(&run, Some(&run), Lang::En),
    );
}

fn province(name: &str, figures: &[(FigureId, f64, u64)]) -> Province {
    Province {
        name: name.into(),
        figures: figures
            .iter()
            .map(|&(f, v, n)| {
                (
                    f,
                    Figure {
                        value: Some(v),
                        samples: n,
                    },
                )
            })
            .collect(),
        ..Province::default()
    }
}

/// Three provinces, one with too few samples to rank.
fn comparison() -> Comparison {
    use FigureId::*;
    let weights = Weights::default();
    let mut provinces = vec![
        province(
            "Hà Nội",
            &[
                (Availability, 0.998, 2000),
                (AvailabilityOffice, 0.999, 900),
                (PageP95, 0.41, 2000),
                (OnTime, 0.97, 120),
            ],
        ),
        province(
            "Hồ Chí Minh",
            &[
                (Availability, 0.981, 2000),
                (AvailabilityOffice, 0.975, 900),
                (PageP95, 1.9, 2000),
                (OnTime, 0.92, 140),
            ],
        ),
        province("Cần Thơ", &[(Availability, 1.0, 3), (PageP95, 0.3, 3)]),
    ];
    // Cần Thơ has no office-hours or on-time figures: those are scored for nobody, and named.
    let unscored = dvc_compare::rank(&mut provinces, &weights, 30);
    let from = chrono::Utc
        .with_ymd_and_hms(2026, 11, 23, 17, 0, 0)
        .single()
        .expect("a time");
    let to = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 17, 0, 0)
        .single()
        .expect("a time");
    let at: Vec<f64> = (0..4)
        .map(|i| from.timestamp() as f64 + f64::from(i) * 151_200.0)
        .collect();
    let trend = |values: [&[Option<f64>]; 3]| Trend {
        at: at.clone(),
        series: ["Hà Nội", "Hồ Chí Minh", "Cần Thơ"]
            .into_iter()
            .zip(values)
            .map(|(p, v)| (p.to_owned(), v.to_vec()))
            .collect::<BTreeMap<_, _>>(),
    };
    Comparison {
        source: Source::Prometheus("http://127.0.0.1:9090".into()),
        from,
        to,
        locations: vec!["Hà Nội (VNPT)".into()],
        provinces,
        weights,
        unscored,
        min_samples: 30,
        availability_trend: trend([
            &[Some(1.0), Some(0.99), Some(1.0), Some(1.0)],
            &[Some(0.97), Some(0.98), None, Some(0.99)],
            &[None, None, Some(1.0), None],
        ]),
        page_p95_trend: trend([
            &[Some(0.4), Some(0.42), Some(0.39), Some(0.41)],
            &[Some(1.7), Some(2.1), None, Some(1.9)],
            &[None, None, Some(0.3), None],
        ]),
    }
}

#[test]
fn comparison_reports_match_their_golden_files() {
    let c = comparison();
    for (lang, tag) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
        golden(
            &format!("compare.{tag}.md"),
            &dvc_report::compare::text::markdown(&c, lang),
        );
        golden(
            &format!("compare.{tag}.html"),
            &dvc_report::compare::html::html(&c, lang),
        );
    }
    golden("compare.csv", &dvc_report::compare::text::csv(&c));
    golden("compare.txt", &dvc_report::compare::text::terminal(&c));
}
