//! Why steps failed: a portal refusing a dossier for a missing attachment says so in the
//! summary, in run.json and in the reports, with every failure counted once.

use dvcbench_e2e::{Scratch, dvcbench};

#[test]
fn a_refused_attachment_is_explained_in_the_summary_run_json_and_report() {
    let dir = Scratch::new("failure-reasons");
    // Birth registration (1.900001) needs two attachments; this journey sends one, and its
    // lookup of a dossier that does not exist fails with the portal's 404.
    let scenario = dir.write(
        "one-attachment.toml",
        r#"name = "one-attachment"
[load]
stages = [{ duration = "1s", rate = "20/s" }]
[[journey]]
name = "submit"
  [[journey.step]]
  name = "login"
  method = "POST"
  path = "/api/login"
  json = { citizen_id = "{{citizen.id}}", password = "dvc-demo" }
  check = { status = 200 }
  [[journey.step]]
  name = "submit"
  method = "POST"
  path = "/api/dossiers"
  check = { status = 201 }
    [journey.step.multipart.fields.form]
    procedure_code = "1.900001"
    applicant = { full_name = "{{citizen.full_name}}", citizen_id = "{{citizen.id}}", phone = "{{citizen.phone}}", address = "{{citizen.address}}" }
    [[journey.step.multipart.files]]
    kind = "pdf"
    size = "10KB"
[thresholds]
"journey.error_rate" = "< 1%"
"#,
    );
    let out = dir.path.join("run.json");
    let report = dir.path.join("report.md");
    let html = dir.path.join("report.html");
    let run = dvcbench(&[
        "run",
        "-q",
        scenario.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--report",
        html.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 1, "every submission fails: {}", run.stdout);
    let why = "status 422: 2 attachment(s) required, got 1; missing: Giấy chứng sinh";
    assert!(run.stdout.contains("why steps failed"), "{}", run.stdout);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(why))
        .unwrap_or_else(|| panic!("no reason line in:\n{}", run.stdout));
    assert!(line.contains("submit") && line.contains("http_4xx") && line.contains(" 20 "));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("json");
    let submit = json["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "submit"))
        .expect("the submit step");
    assert_eq!(submit["errors"]["http_4xx"], 20);
    assert_eq!(
        submit["failures"],
        serde_json::json!([{ "outcome": "http_4xx", "reason": why, "count": 20 }])
    );
    let login = json["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "login"))
        .expect("the login step");
    assert!(login.get("failures").is_none(), "login succeeded: {login}");
    let page = std::fs::read_to_string(&html).expect("html report");
    assert!(page.contains("Vì sao các bước thất bại") && page.contains("got 1; missing"));

    let rendered = dvcbench(&[
        "report",
        out.to_str().expect("utf-8"),
        "--md",
        report.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert_eq!(rendered.code, 0, "{:?}", rendered.error);
    let md = std::fs::read_to_string(&report).expect("report");
    assert!(
        md.contains(&format!("| submit | http_4xx | 20 | {why} |")),
        "{md}"
    );
}

/// The embedded portal's own warnings (one per injected 500) go to its log file, not between
/// the progress line and the summary; `--portal-log -` asks for them on stderr.
#[test]
fn the_embedded_portals_log_goes_to_a_file_unless_asked_for() {
    let dir = Scratch::new("portal-log");
    dir.write(
        "portal.toml",
        "[[portal]]\nprovince = \"01\"\n[portal.faults]\nerror_rate = 1.0\n",
    );
    let scenario = dir.write(
        "faulty.toml",
        "[target]\nurl = \"embedded\"\nportal_config = \"portal.toml\"\n\
         [load]\nstages = [{ duration = \"1s\", rate = \"10/s\" }]\n\
         [[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"list\"\npath = \"/api/procedures\"\n",
    );
    let log = dir.path.join("portal.log");
    let run = |extra: &[&str]| {
        std::process::Command::new(dvcbench_e2e::dvcbench_binary())
            .args(["run", "-q", scenario.to_str().expect("utf-8")])
            .args(extra)
            .output()
            .expect("dvcbench runs")
    };
    let quiet = run(&["--portal-log", log.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(!stderr.contains("server error"), "{stderr}");
    assert!(
        stderr.contains(&format!("the portal's log: {}", log.display())),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&log).expect("the portal's log");
    assert_eq!(written.matches("injected fault").count(), 10, "{written}");
    assert!(!written.contains('\u{1b}'), "no ANSI codes in a file");
    let stdout = String::from_utf8_lossy(&quiet.stdout);
    assert!(
        stdout.contains("http_5xx")
            && stdout.contains("status 500: internal error (injected fault)"),
        "{stdout}"
    );

    let loud = run(&["--portal-log", "-"]);
    let stderr = String::from_utf8_lossy(&loud.stderr);
    assert_eq!(stderr.matches("injected fault").count(), 10, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "stderr is not a terminal here");

    // -v tells each kind of failure once, not each of the ten requests.
    let verbose = run(&["-v", "--portal-log", log.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert_eq!(
        stderr.matches("the first of its kind").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("injected fault") && !stderr.contains("server error"),
        "{stderr}"
    );
}
