//! Runs the real `dvcbench` binary, as a user or a script would.

use std::process::{Command, Output};

fn dvcbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the dvcbench binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn working_days_prints_a_bare_count() {
    let out = dvcbench(&["calendar", "working-days", "2025-04-01", "2025-04-30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "21\n");
}

#[test]
fn is_working_day_answers_then_explains() {
    let out = dvcbench(&["calendar", "is-working-day", "2024-05-04"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("yes"));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("make-up working day: ")),
        "{text}"
    );

    let out = dvcbench(&["calendar", "is-working-day", "2025-09-01"]);
    assert!(stdout(&out).starts_with("no\nday off: Quốc khánh 2/9 (national_day); source: "));

    let out = dvcbench(&["calendar", "is-working-day", "2025-03-16"]);
    assert_eq!(stdout(&out), "no\nweekend (Sunday)\n");

    let out = dvcbench(&["calendar", "is-working-day", "2031-01-01"]);
    assert!(stdout(&out).contains("forecast"), "{}", stdout(&out));
}

#[test]
fn due_prints_rfc3339_in_vietnam_time() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--from",
                "2025-04-01T14:59",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-01T17:00:00+07:00",
        ),
        (
            &[
                "--from",
                "2025-04-01T15:00",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-02T17:00:00+07:00",
        ),
        (
            &[
                "--from",
                "2025-04-01T15:01",
                "--working-days",
                "0",
                "--cutoff",
                "15:00",
            ],
            "2025-04-02T17:00:00+07:00",
        ),
        // 08:01 UTC is 15:01 in Vietnam: 1 h 59 min that day, 31 min the next.
        (
            &["--from", "2025-04-01T08:01:00Z", "--working-hours", "2.5"],
            "2025-04-02T07:31:00+07:00",
        ),
        (
            &["--from", "2025-04-25 09:00", "--calendar-days", "5"],
            "2025-05-05T09:00:00+07:00",
        ),
    ];
    for (args, expected) in cases {
        let out = dvcbench(&[&["calendar", "due"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{expected}\n"), "{args:?}");
    }
}

#[test]
fn holidays_lists_days_with_their_source_and_marks_forecasts() {
    let out = dvcbench(&["calendar", "holidays", "2025"]);
    let text = stdout(&out);
    assert!(
        text.contains("2025-04-26\twork\tlabour\tannounced\t"),
        "{text}"
    );
    assert!(
        text.contains("2025-01-29\toff\ttet\tannounced\tTết Nguyên Đán Ất Tỵ\t"),
        "{text}"
    );
    assert!(!text.contains("forecast"));
    for line in text.lines() {
        assert_eq!(line.split('\t').count(), 6, "{line}");
    }

    let out = dvcbench(&["calendar", "holidays", "2030"]);
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.contains("\tforecast\t")), "{text}");
    // Tết 2030 in Vietnam is 2 February; the day before is off.
    assert!(text.contains("2030-02-01\toff\ttet\tforecast\t"), "{text}");
}

#[test]
fn tet_prints_the_vietnamese_date() {
    for (year, date) in [
        ("1985", "1985-01-21"),
        ("2007", "2007-02-17"),
        ("2026", "2026-02-17"),
    ] {
        let out = dvcbench(&["calendar", "tet", year]);
        assert_eq!(stdout(&out), format!("{date}\n"));
    }
}

#[test]
fn bad_input_exits_2_and_names_the_problem() {
    let out = dvcbench(&["calendar", "working-days", "2025-02-30", "2025-03-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid date \"2025-02-30\""),
        "{}",
        stderr(&out)
    );

    let out = dvcbench(&["calendar", "working-days", "2025-03-01", "2025-02-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is before FROM"));

    let out = dvcbench(&["calendar", "tet", "1800"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("outside the supported range"));

    let out = dvcbench(&[
        "calendar",
        "due",
        "--from",
        "yesterday",
        "--working-days",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid date and time \"yesterday\""));

    let out = dvcbench(&["calendar", "due", "--from", "2025-04-01T09:00"]);
    assert_eq!(out.status.code(), Some(2), "a processing time is required");

    let out = dvcbench(&[
        "calendar",
        "is-working-day",
        "2025-04-01",
        "--holidays",
        "/nonexistent/h.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read holidays file /nonexistent/h.toml"));
}

#[test]
fn a_bad_holidays_file_is_reported_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("dvcbench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[[day_off]]\nkind = \"tet\"\ndate = 2025-13-01\n").expect("write");
    let out = dvcbench(&[
        "calendar",
        "tet",
        "2025",
        "--holidays",
        path.to_str().expect("utf-8"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let expected = format!("{}:3:8: ", path.display());
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}

#[test]
fn help_and_version_exit_0() {
    assert!(dvcbench(&["--help"]).status.success());
    let out = dvcbench(&["--version"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("dvcbench "));
}

/// A minimal HTTP/1.0 GET over a plain socket: status line and body.
fn http_get(url: &str) -> (String, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("request written");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn portal_serves_until_sigterm_then_exits_0() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(["portal", "--listen", "127.0.0.1:0", "--time-scale", "60"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the portal starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let url = first
        .strip_prefix("portal simulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let (status, body) = http_get(&format!("{url}/api/procedures/1.900001"));
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains("Đăng ký khai sinh"));
    let (status, _) = http_get(&format!("{url}/healthz"));
    assert!(status.contains(" 200 "));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let exit = child.wait().expect("the portal exits");
    assert_eq!(exit.code(), Some(0));
    assert!(lines.any(|l| l.is_ok_and(|l| l == "stopping")));
}

#[test]
fn portal_rejects_a_bad_config_with_its_place() {
    let dir = std::env::temp_dir().join(format!("dvcbench-portal-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("portal.toml");
    std::fs::write(
        &path,
        "time_scale = 10\n\n[[portal]]\nprovince = \"01\"\n[portal.faults]\nerror_rate = 1.5\n",
    )
    .expect("write");
    let out = dvcbench(&[
        "portal",
        "--listen",
        "127.0.0.1:0",
        "--config",
        path.to_str().expect("utf-8"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let expected = format!(
        "{}:3:1: faults.error_rate must be between 0 and 1; got 1.5",
        path.display()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}

#[test]
fn run_stops_on_ctrl_c_with_an_incomplete_summary_and_exit_3() {
    use std::io::BufRead;
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/quickstart.toml"
    );
    let out_file =
        std::env::temp_dir().join(format!("dvcbench-ctrl-c-{}.json", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args([
            "run",
            scenario,
            "--duration",
            "60s",
            "--out",
            out_file.to_str().expect("utf-8"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dvcbench run starts");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = stderr.next().expect("a line").expect("utf-8");
    assert!(
        first.starts_with("running quickstart against embedded portal"),
        "{first}"
    );
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let output = child.wait_with_output().expect("dvcbench exits");
    assert_eq!(output.status.code(), Some(3));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("INCOMPLETE") || text.contains("FAILED"),
        "{text}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).expect("run.json written"))
            .expect("JSON");
    let _ = std::fs::remove_file(&out_file);
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["stop_reason"], "interrupted");
    assert!(
        summary["duration_seconds"]
            .as_f64()
            .is_some_and(|d| d < 30.0)
    );
    assert!(
        summary["arrivals"]["started"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
}

#[test]
fn validate_reports_problems_with_their_place() {
    let dir = std::env::temp_dir().join(format!("dvcbench-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[load]\nstages = [{ duration = \"1m\", rate = \"fast\" }]\n[[journey]]\nname = \"j\"\n[[journey.step]]\nname = \"s\"\npath = \"/x/{{code}}\"\n").expect("write");
    let out = dvcbench(&["validate", path.to_str().expect("utf-8")]);
    let good = dvcbench(&[
        "validate",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/quickstart.toml"
        ),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:2:11: expected a rate such as", path.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:5:1: step \"s\" uses {{{{code}}}}",
            path.display()
        )),
        "{err}"
    );
    assert!(good.status.success());
    assert!(stdout(&good).contains("quickstart.toml: ok (3 journeys, 9 steps"));
}

#[test]
fn probe_check_config_validates_and_redacts_secrets() {
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/probes/provinces.toml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(["probe", "--check-config", "--config", shipped])
        .env("DVC_PROBE_PASSWORD", "s3cret-from-env")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.ends_with("4 targets, 24 checks: valid\n"), "{text}");
    assert!(!text.contains("s3cret-from-env"), "{text}");
    // A summary of what will run, not the file echoed back.
    assert!(
        text.contains("\nhn (Hà Nội) http://127.0.0.1:8080/hn\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "intake   every 2m, timeout 30s: submits a test dossier of procedure 1.900001 logged in"
        ),
        "{text}"
    );
    assert!(!text.contains("not readable here"), "{text}");
    // Checked on a machine without the daemon's secrets: valid, and each missing one named.
    let out = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(["probe", "--check-config", "--config", shipped])
        .env_remove("DVC_PROBE_PASSWORD")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("not readable here:\n")
            && text.contains(
                "environment variable DVC_PROBE_PASSWORD is not set (the daemon needs it)"
            ),
        "{text}"
    );
    let quick = shipped.replace("provinces.toml", "provinces-quick.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(["probe", "--check-config", "--config", &quick])
        .env("DVC_PROBE_PASSWORD", "s3cret-from-env")
        .output()
        .expect("runs");
    assert!(
        stdout(&out).ends_with("4 targets, 24 checks: valid\n"),
        "{}",
        stderr(&out)
    );

    let dir = std::env::temp_dir().join(format!("dvcbench-probe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = dir.join("probe.toml");
    std::fs::write(
        &bad,
        "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"http://127.0.0.1:1\"\n\
         [[target.check]]\nname = \"home\"\nkind = \"htp\"\n",
    )
    .expect("write");
    let out = dvcbench(&[
        "probe",
        "--check-config",
        "--config",
        &bad.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("probe.toml:7:8: unknown check kind \"htp\""),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The first log line of `dvcbench [flags] portal` on a pipe, at info level.
fn first_log_line(flags: &[&str]) -> String {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvcbench"))
        .args(flags)
        .args(["portal", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the portal starts");
    let mut line = String::new();
    let read = std::io::BufReader::new(child.stderr.take().expect("stderr")).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("a log line");
    line
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes_and_json_logs_are_one_object_a_line() {
    let text = first_log_line(&[]);
    assert!(text.contains("portal simulator listening"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "ANSI codes in a piped log: {text:?}"
    );
    let json = first_log_line(&["--log-format", "json"]);
    let line: serde_json::Value = serde_json::from_str(&json).expect("a JSON object");
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["fields"]["message"], "portal simulator listening");
}

#[test]
fn time_intervals_hold_working_days_only_make_up_saturdays_included() {
    let out = dvcbench(&["calendar", "time-intervals", "2024", "2025"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let days = |year: &str, month: &str| {
        let block =
            format!("- years: [\"{year}\"]\n        months: [{month}]\n        days_of_month: [");
        let start = text
            .find(&block)
            .unwrap_or_else(|| panic!("{month} {year}: {text}"))
            + block.len();
        text[start..]
            .split(']')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    // 2024: 30 April and 1 May off, Saturday 4 May worked instead.
    assert_eq!(
        days("2024", "may"),
        r#""2:4", "6:10", "13:17", "20:24", "27:31""#
    );
    // Tết 2025: Saturday 25 January to Sunday 2 February off.
    assert!(days("2025", "january").ends_with(r#""20:24""#), "{text}");
    assert!(days("2025", "february").starts_with(r#""3:7""#), "{text}");
    assert!(text.contains("- start_time: \"13:30\"\n            end_time: \"17:00\""));
    let hours = dvcbench(&[
        "calendar",
        "--office-hours",
        "08:00-12:00",
        "time-intervals",
        "2025",
    ]);
    assert!(
        stdout(&hours)
            .contains("- start_time: \"08:00\"\n            end_time: \"12:00\"\n        location")
    );
    assert_eq!(
        dvcbench(&["calendar", "time-intervals", "1800"])
            .status
            .code(),
        Some(2)
    );
}
