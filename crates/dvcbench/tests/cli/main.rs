//! Runs the real `dvcbench` binary, as a user or a script would.

use std::process::{Command, Output};

mod calendar;

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
    assert!(text.ends_with("4 targets, 28 checks: valid\n"), "{text}");
    assert!(!text.contains("s3cret-from-env"), "{text}");
    // A summary of what will run, not the file echoed back.
    assert!(
        text.contains("\nhn (Hà Nội) http://127.0.0.1:8080/hn\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "intake   active  every 2m, timeout 30s: submits a test dossier of procedure 1.900001 logged in"
        ),
        "{text}"
    );
    assert!(text.contains("http     passive every 15s"), "{text}");
    assert!(
        text.contains("active checks allowed on test procedure(s) 1.900001, 1.900004; consent: "),
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
        stdout(&out).ends_with("4 targets, 28 checks: valid\n"),
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
