//! `dvcbench compare` end to end: four provinces of known, different quality in the
//! time-scaled simulator, the probe (with its state file), a real Prometheus scraping it; the
//! comparison from Prometheus and from the state file must rank the provinces in the order of
//! their configured quality, and its figures must be the simulator's truth within the stated
//! tolerances. Chromium renders the HTML with its charts.
//!
//! Over 500 lines because the comparison needs its whole stack (simulator, probe, Prometheus)
//! set up in the test that reads it.

use dvc_domain::calendar::{WorkingCalendar, to_local};
use dvcbench_e2e::browser::{chromium, pixels_of};
use dvcbench_e2e::http::{get, wait_for};
use dvcbench_e2e::{Scratch, dvcbench, sim};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// 20,000× faster than real time: a calendar day passes in 4.32 s, a working day (8 h) of
/// office time in 1.44 s. The simulated week starts on a Monday morning.
const SCALE: f64 = 20_000.0;
const START: &str = "2025-04-07T07:00:00+07:00";

/// (portal, province, home page latency ms, mean intake minutes, payment callback ms, outage
/// windows in days after the start), best first: Hà Nội is quick; Đà Nẵng's home page takes a
/// second; Hồ Chí Minh City's 0.3 s, and it is down for a few hours; Cần Thơ's officers take
/// fifteen working hours on average, so it accepts late, and it is down for two days.
type Province = (
    &'static str,
    &'static str,
    u64,
    u32,
    u64,
    &'static [(f64, f64)],
);
const PROVINCES: [Province; 4] = [
    ("hn", "Hà Nội", 0, 10, 100, &[]),
    ("dn", "Đà Nẵng", 1000, 10, 300, &[]),
    ("hcm", "Hồ Chí Minh", 300, 10, 600, &[(2.0, 2.2)]),
    ("ct", "Cần Thơ", 300, 900, 1200, &[(1.0, 2.0), (3.5, 4.5)]),
];

/// The measured period, in real seconds (8.3 simulated days).
const PERIOD: i64 = 36;

fn sim_config() -> String {
    let start = chrono::DateTime::parse_from_rfc3339(START).expect("start");
    let mut out = format!("time_scale = {SCALE}\nstart = \"{START}\"\n");
    for (i, (portal, _, latency, intake, callback, outages)) in PROVINCES.iter().enumerate() {
        let windows: Vec<String> = outages
            .iter()
            .map(|(a, b)| {
                let at = |d: f64| {
                    (start + chrono::Duration::seconds((d * 86_400.0) as i64)).to_rfc3339()
                };
                format!("{{ from = \"{}\", to = \"{}\" }}", at(*a), at(*b))
            })
            .collect();
        out.push_str(&format!(
            "\n[[portal]]\nprovince = \"{}\"\nprefix = \"/{portal}\"\nseed = {}\n\
             [portal.back_office]\nofficers = 20\nintake_minutes = {intake}\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\n\
             late_probability = {}\n\
             [portal.payment]\ncallback_delay_ms = {callback}\nsuccess = 1.0\nfailed = 0.0\npending = 0.0\n\
             [portal.faults]\nlatency_ms = {{ \"GET /\" = {latency} }}\noutage_windows = [{}]\n",
            ["01", "48", "79", "92"][i],
            i + 1,
            // Late processing follows the provinces' quality too, so the on-time ratio
            // (scored from 50% to 100%) ranks them the same way as the other figures.
            [0.0, 0.0, 0.1, 0.25][i],
            windows.join(", ")
        ));
    }
    out
}

fn probe_config(base: &str) -> String {
    let mut out = String::from("[probe]\nlocation = \"Hà Nội, e2e\"\n");
    for (portal, province, _, _, _, outages) in PROVINCES {
        // Runs of the page check are evenly spaced in time (each ends before the next is due),
        // so their share of failures is the share of time the portal was down.
        let every = if outages.is_empty() { "100ms" } else { "500ms" };
        out.push_str(&format!(
            r#"
[[target]]
portal = "{portal}"
province = "{province}"
url = "{base}/{portal}"
  [target.active]
  test_procedure = ["1.900001", "1.900004"]
  consent = "the simulator"
  [[target.check]]
  name = "home"
  kind = "http"
  path = "/"
  interval = "{every}"
  timeout = "2s"
  status = [200]
  [[target.check]]
  name = "intake"
  kind = "intake"
  procedure = "1.900001"
  citizen_id = "001199004321"
  password = "dvc-demo"
  interval = "300ms"
  follow_every = "100ms"
  give_up_after = "1h"
  [[target.check]]
  name = "payment"
  kind = "payment"
  procedure = "1.900004"
  outcome = "success"
  interval = "1s"
  poll_every = "50ms"
  confirm_timeout = "5s"
  [[target.check]]
  name = "stats"
  kind = "stats"
  path = "/api/stats?from=2025-04-08&to=2025-04-30"
  interval = "500ms"
  items = "$.agencies"
  agency = "$.agency"
  fields = {{ received = "$.received", late_acceptances = "$.late_acceptances", resolved_early = "$.resolved_early", resolved_on_time = "$.resolved_on_time", resolved_late = "$.resolved_late", open_in_time = "$.open_in_time", open_overdue = "$.open_overdue" }}
"#
        ));
    }
    out
}

/// What the simulator did, per province, over the period.
#[derive(Debug, Default)]
struct Truth {
    availability: f64,
    latency: f64,
    intake: Vec<f64>,
    late: f64,
    on_time: f64,
    callback: f64,
}

/// The share of `[from, to]` a province spent outside its outage windows.
fn availability(
    outages: &[(f64, f64)],
    sim_started: chrono::DateTime<chrono::Utc>,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> f64 {
    let real = |days: f64| {
        sim_started + chrono::Duration::milliseconds((days * 86_400_000.0 / SCALE) as i64)
    };
    let down: i64 = outages
        .iter()
        .map(|(a, b)| {
            let (a, b) = (real(*a).max(from), real(*b).min(to));
            (b - a).num_milliseconds().max(0)
        })
        .sum();
    1.0 - down as f64 / (to - from).num_milliseconds() as f64
}

/// The simulator's records of acceptances up to `until` (simulated time).
async fn truth(
    base: &str,
    until: chrono::DateTime<chrono::FixedOffset>,
) -> BTreeMap<String, Truth> {
    let calendar = WorkingCalendar::default();
    let mut out = BTreeMap::new();
    for (portal, province, latency, _, callback, _) in PROVINCES {
        let export = sim::dossiers(&format!("{base}/{portal}")).await;
        let time = |d: &Value, k: &str| {
            d[k].as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        };
        let mut intake = Vec::new();
        let mut late = 0;
        for d in &export {
            // Intake dossiers (the payment check's pay-first ones restart their clock).
            if d["procedure_code"] != "1.900001" {
                continue;
            }
            let (Some(s), Some(a)) = (time(d, "submitted_at"), time(d, "accepted_at")) else {
                continue;
            };
            if a > until {
                continue;
            }
            intake.push(
                calendar
                    .working_time_between(to_local(&s), to_local(&a))
                    .num_milliseconds() as f64
                    / 1000.0,
            );
            if time(d, "acceptance_due").is_some_and(|due| a > due) {
                late += 1;
            }
        }
        let stats = get(&format!(
            "{base}/{portal}/api/stats?from=2025-04-08&to=2025-04-30"
        ))
        .await
        .json();
        let (mut good, mut all) = (0.0, 0.0);
        for a in stats["agencies"].as_array().expect("agencies") {
            let n = |k: &str| a[k].as_f64().unwrap_or(0.0);
            good += n("resolved_early") + n("resolved_on_time") + n("open_in_time");
            all += n("resolved_early")
                + n("resolved_on_time")
                + n("resolved_late")
                + n("open_in_time")
                + n("open_overdue");
        }
        out.insert(
            province.to_owned(),
            Truth {
                latency: latency as f64 / 1000.0,
                late: late as f64 / intake.len().max(1) as f64,
                intake,
                on_time: good / all,
                callback: callback as f64 / 1000.0,
                ..Truth::default()
            },
        );
    }
    out
}

/// The spreadsheet shows the CSV's numbers: each province's rank, score and figures on the
/// ranking sheet, its samples on the samples sheet.
fn spreadsheet_matches_csv(path: &std::path::Path, rows: &[BTreeMap<String, String>]) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).expect("a spreadsheet reader opens it");
    assert_eq!(
        book.sheet_names(),
        [
            "Ranking",
            "Samples",
            "Where each province lost points",
            "Methodology"
        ]
    );
    let ranking = book.worksheet_range("Ranking").expect("the ranking sheet");
    let samples = book.worksheet_range("Samples").expect("the samples sheet");
    let header: Vec<String> = ranking
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(&header[..3], ["Rank", "Province", "Score (/100)"]);
    assert!(
        header.iter().any(|h| h == "Page (HTTP) p95 (s)"),
        "{header:?}"
    );
    let number = |d: &Data| match d {
        Data::Float(v) => Some(*v),
        Data::Int(v) => Some(*v as f64),
        _ => None,
    };
    for (i, (cells, row)) in ranking.rows().skip(1).zip(rows).enumerate() {
        let ctx = format!("row {i}: {row:?}");
        assert_eq!(cells[1].to_string(), row["province"], "{ctx}");
        if let Ok(rank) = row["rank"].parse::<f64>() {
            assert_eq!(number(&cells[0]), Some(rank), "{ctx}");
            let score: f64 = row["score"].parse().expect("score");
            assert!(
                (number(&cells[2]).expect("a score") - score).abs() < 0.006,
                "{ctx}"
            );
        }
        for (j, f) in dvc_compare::FigureId::ALL.iter().enumerate() {
            let csv = row[&f.column()].parse::<f64>().ok();
            let cell = number(&cells[j + 3]);
            match (csv, cell) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{f:?} {ctx}")
                }
                (None, None) => {}
                other => panic!("{f:?}: csv and spreadsheet differ {other:?} {ctx}"),
            }
        }
        let counted = samples.rows().nth(i + 1).expect("a samples row");
        for (j, f) in dvc_compare::FigureId::ALL.iter().enumerate() {
            let want: f64 = row[&format!("{}_samples", f.id())]
                .parse()
                .expect("samples");
            assert_eq!(number(&counted[j + 1]), Some(want), "{f:?} samples {ctx}");
        }
    }
}

fn value(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column} in {row:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("{column} of {}: {:?}", row["province"], row[column]))
}

/// The bounds of the probe's histogram bucket holding `v` (histogram_quantile interpolates
/// inside it).
fn bucket(bounds: &[f64], v: f64) -> (f64, f64) {
    let hi = bounds
        .iter()
        .copied()
        .find(|b| *b >= v)
        .unwrap_or(f64::INFINITY);
    let lo = bounds
        .iter()
        .copied()
        .filter(|b| *b < v)
        .fold(0.0, f64::max);
    (lo, hi)
}

const PROBE_BUCKETS: [f64; 14] = [
    0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 20.0, 30.0,
];
const CONFIRM_BUCKETS: [f64; 13] = [
    0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

#[test]
fn compare_ranks_provinces_by_their_quality_with_the_simulators_figures() {
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let scratch = Scratch::new("compare-e2e");

    // The simulated week starts now.
    let sim_started = chrono::Utc::now();
    let sim = servers.block_on(sim::start(&sim_config()));
    let base = sim.url();
    let config = scratch.write("probe.toml", &probe_config(&base));
    let state = scratch.path.join("probe.db");
    let (_probe, first, probe_url) = dvcbench_e2e::start_probe(&config, Some(&state));
    assert!(first.starts_with("probe watching 4 targets"), "{first}");
    let probe = probe_url.trim_start_matches("http://");
    let prometheus = servers.block_on(dvcbench_e2e::prometheus::start(
        &scratch,
        &format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n\
             \x20 - job_name: dvc-probe\n    static_configs: [{{ targets: ['{probe}'] }}]\n"
        ),
    ));
    let prom = prometheus.url.clone();
    // The period starts once Prometheus scrapes the probe.
    servers.block_on(wait_for(
        "Prometheus to scrape the probe",
        Duration::from_secs(30),
        || {
            let url = format!("{prom}/api/v1/query?query=up%3D%3D1");
            async move {
                let v = get(&url).await.json();
                (!v["data"]["result"].as_array()?.is_empty()).then_some(())
            }
        },
    ));
    let from = chrono::Utc::now() + chrono::Duration::seconds(1);

    // Prometheus must have scraped past the end of the period.
    let to = from + chrono::Duration::seconds(PERIOD);
    servers.block_on(wait_for(
        "Prometheus to scrape past the period",
        Duration::from_secs(PERIOD as u64 + 60),
        || {
            let url = format!(
                "{prom}/api/v1/query?query=timestamp(up)&time={}",
                chrono::Utc::now().timestamp()
            );
            async move {
                let v = get(&url).await.json();
                let at = v["data"]["result"][0]["value"][1]
                    .as_str()?
                    .parse::<f64>()
                    .ok()?;
                (at > to.timestamp() as f64 + 1.0).then_some(())
            }
        },
    ));
    let sim_to = chrono::DateTime::parse_from_rfc3339(START).expect("start")
        + chrono::Duration::milliseconds(
            ((to - sim_started).num_milliseconds() as f64 * SCALE) as i64,
        );
    let mut truth = servers.block_on(truth(&base, sim_to));
    for (_, province, _, _, _, outages) in PROVINCES {
        truth.get_mut(province).expect("province").availability =
            availability(outages, sim_started, from, to);
    }

    let period = [
        "--from".to_owned(),
        from.to_rfc3339(),
        "--to".to_owned(),
        to.to_rfc3339(),
        "--min-samples".to_owned(),
        "6".to_owned(),
        // Office-hours availability depends on the wall clock the test runs at; the 24/7
        // figure carries availability here.
        "--weight".to_owned(),
        "availability_office_hours=0".to_owned(),
        "--weight".to_owned(),
        "availability=0.3".to_owned(),
    ];
    let run = |source: &[&str], name: &str| {
        let csv = scratch.path.join(format!("{name}.csv"));
        let html = scratch.path.join(format!("{name}.html"));
        let md = scratch.path.join(format!("{name}.md"));
        let xlsx = scratch.path.join(format!("{name}.xlsx"));
        let mut args: Vec<&str> = vec!["compare"];
        args.extend_from_slice(source);
        args.extend(period.iter().map(String::as_str));
        let (c, h, m, x) = (
            csv.to_str().expect("utf-8"),
            html.to_str().expect("utf-8"),
            md.to_str().expect("utf-8"),
            xlsx.to_str().expect("utf-8"),
        );
        args.extend([
            "--csv", c, "--html", h, "--md", m, "--xlsx", x, "--lang", "en",
        ]);
        let r = dvcbench(&args);
        assert_eq!(r.code, 0, "{name}: {:?}\n{}", r.error, r.stdout);
        let rows = dvcbench_e2e::csv_rows(&std::fs::read_to_string(&csv).expect("csv"));
        spreadsheet_matches_csv(&xlsx, &rows);
        (rows, html, r.stdout)
    };
    let (from_prometheus, html, stdout) = run(&["--prometheus", &prom], "prometheus");
    let state_arg = state.to_str().expect("utf-8");
    let (from_store, _, _) = run(&["--probe-store", state_arg], "store");

    let order: Vec<&str> = PROVINCES.iter().map(|p| p.1).collect();
    for (source, rows) in [("prometheus", &from_prometheus), ("store", &from_store)] {
        let ranked: Vec<&str> = rows.iter().map(|r| r["province"].as_str()).collect();
        assert_eq!(ranked, order, "{source}: {rows:#?}");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row["rank"], (i + 1).to_string(), "{source}: {row:?}");
            let t = &truth[&row["province"]];
            let p = |c: &str| value(row, c);
            let ctx = format!("{source} {}: {row:?} vs {t:?}", row["province"]);
            // Availability: ±4 points for where the runs fall in the outage windows.
            assert!(
                (p("availability_ratio") - t.availability).abs() <= 0.04,
                "availability {ctx}"
            );
            assert!(p("availability_samples") >= 30.0, "{ctx}");
            // Page p50: the configured latency plus the portal's own milliseconds (tens of them
            // on a loaded 2-core machine, up to 80); from Prometheus, inside the histogram
            // buckets that hold that window.
            let page = p("page_p50_s");
            if source == "store" {
                assert!(
                    page >= t.latency && page <= t.latency + 0.08,
                    "page p50 {ctx}"
                );
            } else {
                let (lo, _) = bucket(&PROBE_BUCKETS, t.latency + 0.001);
                let (_, hi) = bucket(&PROBE_BUCKETS, t.latency + 0.08);
                assert!(page >= lo - 1e-9 && page <= hi + 1e-9, "page p50 {ctx}");
            }
            // Intake: the simulator's own acceptances (the probe may not have seen the last
            // few yet); the store's p50 is one of them, Prometheus' within a factor of two.
            let mut intake = t.intake.clone();
            let want = dvc_compare::quantile(&mut intake, 0.5).expect("acceptances");
            assert!(p("intake_p50_samples") >= 6.0, "{ctx}");
            // Exported in working hours; the truth is in working seconds.
            let got = p("intake_p50_working_h") * 3600.0;
            if source == "store" {
                assert!(
                    intake.iter().any(|v| (v - got).abs() < 1.0),
                    "intake p50 {ctx}"
                );
                assert!(
                    (got - want).abs() <= want * 0.35 + 60.0,
                    "intake p50 {want} {ctx}"
                );
            } else {
                assert!(
                    got >= want / 2.0 && got <= want * 2.0 + 300.0,
                    "intake p50 {want} {ctx}"
                );
            }
            assert!(
                (p("late_acceptance_ratio") - t.late).abs() <= 0.15,
                "late {ctx}"
            );
            // On time: the statistics at the end of the period, read every 500 ms.
            assert!(
                (p("on_time_ratio") - t.on_time).abs() <= 0.05,
                "on time {ctx}"
            );
            // Payment: the gateway calls back after the configured delay (a payment an outage
            // interrupts is confirmed when the portal is back, within the 5 s timeout).
            let pay = p("payment_confirmation_p95_s");
            let limit = if t.availability < 1.0 {
                5.0
            } else {
                t.callback + 0.5
            };
            let (low, high) = (t.callback - 0.05, limit);
            if source == "store" {
                assert!(pay >= low && pay <= high, "payment {ctx}");
            } else {
                // From Prometheus, anywhere in the buckets that hold that window.
                let (lo, _) = bucket(&CONFIRM_BUCKETS, low);
                let (_, hi) = bucket(&CONFIRM_BUCKETS, high);
                assert!(pay >= lo && pay <= hi + 1e-9, "payment {ctx}");
            }
        }
    }
    // The provinces' late acceptances and outages follow their quality.
    let late = |p: &str| {
        value(
            &from_store[order.iter().position(|o| *o == p).expect("p")],
            "late_acceptance_ratio",
        )
    };
    assert!(late("Cần Thơ") > late("Hà Nội"));
    assert!(stdout.contains("Hà Nội"), "{stdout}");

    // The page renders: the ranking in order, every chart drawn.
    let dom = chromium(&["--dump-dom", &format!("file://{}", html.display())]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let rows: Vec<usize> = order
        .iter()
        .map(|p| dom.find(&format!("data-province=\"{p}\"")).expect(p))
        .collect();
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "ranking order in the page"
    );
    assert!(dom.contains("Hà Nội, e2e"), "the probe's location");
    for chart in [
        "chart-score",
        "chart-page",
        "chart-intake",
        "chart-availability-trend",
        "chart-page-trend",
    ] {
        assert!(dom.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    let png = scratch.path.join("compare.png");
    let shot = chromium(&[
        "--window-size=1200,2600",
        &format!("--screenshot={}", png.display()),
        &format!("file://{}", html.display()),
    ]);
    assert!(png.exists(), "{}", String::from_utf8_lossy(&shot.stderr));
    let blue = pixels_of(&png, [0x00, 0x72, 0xB2], 24);
    let orange = pixels_of(&png, [0xD5, 0x5E, 0x00], 24);
    let green = pixels_of(&png, [0x00, 0x9E, 0x73], 24);
    assert!(
        blue > 1500 && orange > 500 && green > 200,
        "blue {blue}, orange {orange}, green {green} pixels"
    );
}

#[test]
fn bad_compare_input_is_refused_with_a_reason() {
    let scratch = Scratch::new("compare-bad");
    let missing = scratch.path.join("no-such.db");
    let missing = missing.to_str().expect("utf-8");
    for (args, expect) in [
        (vec!["compare"], "--prometheus <URL>"),
        (
            vec!["compare", "--probe-store", missing, "--from", "yesterday"],
            "invalid date and time \"yesterday\"",
        ),
        (
            vec![
                "compare",
                "--probe-store",
                missing,
                "--from",
                "now",
                "--to",
                "now-1d",
            ],
            "must be before --to",
        ),
        (
            vec!["compare", "--probe-store", missing, "--weight", "speed=2"],
            "--weight: unknown figure \"speed\"",
        ),
        (
            vec!["compare", "--prometheus", "prometheus:9090"],
            "--prometheus must be an http(s) URL",
        ),
        (vec!["compare", "--probe-store", missing], "no-such.db"),
    ] {
        let r = dvcbench(&args);
        assert_eq!(r.code, 2, "{args:?}: {:?}", r.error);
        let error = r.error.unwrap_or_default();
        assert!(error.contains(expect), "{args:?}: {error}");
    }
}

/// A stand-in for a Prometheus behind an authenticating proxy: every query answers one
/// province with the value 1, given the bearer token.
async fn guarded_prometheus() -> std::net::SocketAddr {
    let answer = |headers: axum::http::HeaderMap| async move {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer s3cret") {
            return (
                axum::http::StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"status": "error", "error": "unauthorized"})),
            );
        }
        let now = chrono::Utc::now().timestamp();
        (
            axum::http::StatusCode::OK,
            axum::Json(
                serde_json::json!({"status": "success", "data": {"resultType": "vector",
                "result": [{"metric": {"province": "Hà Nội", "location": "hn-dc1"},
                            "value": [now, "1"], "values": [[now, "1"]]}]}}),
            ),
        )
    };
    let app = axum::Router::new()
        .route("/api/v1/query", axum::routing::get(answer))
        .route("/api/v1/query_range", axum::routing::get(answer));
    dvcbench_e2e::fixtures::serve(app).await
}

#[test]
fn compare_sends_the_bearer_token_to_prometheus() {
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let addr = servers.block_on(guarded_prometheus());
    let scratch = Scratch::new("compare-token");
    let token = scratch.write("token", "s3cret\n");
    let url = format!("http://{addr}");
    let refused = dvcbench(&["compare", "--prometheus", &url, "--min-samples", "1"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .error
            .as_deref()
            .is_some_and(|e| e.contains("unauthorized")),
        "{:?}",
        refused.error
    );
    let ok = dvcbench(&[
        "compare",
        "--prometheus",
        &url,
        "--prometheus-token-file",
        token.to_str().expect("utf-8"),
        "--min-samples",
        "1",
        "--md",
        "-",
    ]);
    assert_eq!(ok.code, 0, "{:?}", ok.error);
    // Standard output holds the Markdown report alone (the terminal ranking goes to stderr).
    assert!(ok.stdout.starts_with("## "), "{}", ok.stdout);
    assert!(ok.stdout.contains("| 1 | Hà Nội |"), "{}", ok.stdout);
    assert!(!ok.stdout.contains("   1  Hà Nội"), "{}", ok.stdout);
    assert!(
        ok.stdout.contains("hn-dc1"),
        "the probe's location: {}",
        ok.stdout
    );
}
