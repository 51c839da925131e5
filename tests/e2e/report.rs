//! Run reports, rendered by a real browser (headless Chromium): the charts draw and the numbers
//! are run.json's.

use dvcbench_e2e::browser::{chromium, pixels_of};
use dvcbench_e2e::{Scratch, dvcbench};
use std::path::Path;

#[test]
fn an_html_report_renders_its_charts_and_the_numbers_of_run_json() {
    let scratch = Scratch::new("report");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    let json = scratch.path.join("run.json");
    let html = scratch.path.join("report.html");
    let run = dvcbench(&[
        "run",
        "-q",
        scenario.to_str().expect("utf-8"),
        "--duration",
        "4s",
        "--out",
        json.to_str().expect("utf-8"),
        "--report",
        html.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert_eq!(run.code, 0, "{:?}", run.error);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("run.json")).expect("JSON");

    // The rendered page holds the verdict, every threshold and each step's figures.
    let dom = chromium(&["--dump-dom", &format!("file://{}", html.display())]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("id=\"verdict\" class=\"verdict passed\">PASSED<"),
        "{dom}"
    );
    for t in summary["thresholds"].as_array().expect("thresholds") {
        let expression = t["expression"]
            .as_str()
            .expect("expression")
            .replace('<', "&lt;");
        assert!(dom.contains(&expression), "{expression}");
    }
    for step in summary["steps"].as_array().expect("steps") {
        let l = &step["latency_seconds"];
        let row = format!(
            "<td>{}</td><td>{}</td><td>{}</td>",
            step["name"].as_str().expect("name"),
            step["count"],
            step["errors"]
                .as_object()
                .map_or(0, |e| e.values().filter_map(|v| v.as_u64()).sum::<u64>())
        );
        assert!(dom.contains(&row), "{row}");
        let p95 = dvc_loadgen::units::fmt_seconds(l["p95"].as_f64().expect("p95"));
        assert!(dom.contains(&format!("<td>{p95}</td>")), "{p95}");
    }
    let a = &summary["arrivals"];
    assert!(dom.contains(&format!(
        "{} planned · {} started",
        a["planned"], a["started"]
    )));

    // The charts drew: a screenshot has the series' colours in quantity, and every chart is an
    // SVG with a drawn path.
    assert_eq!(dom.matches("<svg").count(), 6);
    assert!(!dom.contains("<path d=\"\""), "an empty line");
    let png = scratch.path.join("report.png");
    let shot = chromium(&[
        "--window-size=1200,2400",
        &format!("--screenshot={}", png.display()),
        &format!("file://{}", html.display()),
    ]);
    assert!(png.exists(), "{}", String::from_utf8_lossy(&shot.stderr));
    let blue = pixels_of(&png, [0x00, 0x72, 0xB2], 24);
    let orange = pixels_of(&png, [0xD5, 0x5E, 0x00], 24);
    assert!(
        blue > 1500 && orange > 500,
        "blue {blue}, orange {orange} pixels"
    );

    // The same run in Vietnamese, as Markdown and HTML, compared with itself.
    let md = scratch.path.join("report.md");
    let vi_html = scratch.path.join("report-vi.html");
    let report = dvcbench(&[
        "report",
        json.to_str().expect("utf-8"),
        "--html",
        vi_html.to_str().expect("utf-8"),
        "--md",
        md.to_str().expect("utf-8"),
        "--baseline",
        json.to_str().expect("utf-8"),
    ]);
    assert_eq!(report.code, 0, "{:?}", report.error);
    let md = std::fs::read_to_string(&md).expect("markdown");
    assert!(
        md.starts_with("## Báo cáo kiểm thử tải — quickstart: ✅ ĐẠT"),
        "{md}"
    );
    assert!(md.contains("### So với lần chạy trước"), "{md}");
    let vi = std::fs::read_to_string(&vi_html).expect("html");
    assert!(vi.contains("<html lang=\"vi\">") && vi.contains("như cũ"));
}

#[test]
fn bad_report_input_is_refused_with_its_place() {
    let scratch = Scratch::new("report-bad");
    let bad = scratch.write(
        "run.json",
        "{\n  \"schema_version\": 1,\n  \"steps\": 7\n}\n",
    );
    let out = dvcbench(&["report", bad.to_str().expect("utf-8"), "--md", "-"]);
    assert_eq!(out.code, 2);
    let error = out.error.expect("an error");
    assert!(error.contains("run.json:3:"), "{error}");
    let out = dvcbench(&[
        "report",
        bad.to_str().expect("utf-8"),
        "--md",
        "-",
        "--lang",
        "fr",
    ]);
    assert_eq!(
        out.error.as_deref(),
        Some("--lang: unknown language \"fr\"; use vi or en")
    );
}
