//! Helpers for the end-to-end tests in `e2e/`: drive the `dvcbench` library in-process.

use std::path::PathBuf;

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    /// The exit code the binary would leave with.
    pub code: u8,
    /// The error chain the binary would print, if it failed.
    pub error: Option<String>,
}

/// A comparison's CSV (`dvcbench compare --csv`): per province, each column's value, quotes
/// taken off. The text must start with the byte-order mark spreadsheet programs need.
pub fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark, for spreadsheet programs");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(k, v)| ((*k).to_owned(), v.trim_matches('"').to_owned()))
                .collect()
        })
        .collect()
}

/// `dvcbench compare` of a probe's state file over `from ..= to` with at least one sample
/// behind a ranked figure, and `extra` arguments; panics unless it exits 0.
pub fn compare_store(
    state: &std::path::Path,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    extra: &[&str],
) -> Outcome {
    let (from, to) = (from.to_rfc3339(), to.to_rfc3339());
    let mut args = vec![
        "compare",
        "--probe-store",
        state.to_str().expect("utf-8"),
        "--from",
        &from,
        "--to",
        &to,
        "--min-samples",
        "1",
    ];
    args.extend_from_slice(extra);
    let run = dvcbench(&args);
    assert_eq!(run.code, 0, "{:?}\n{}", run.error, run.stdout);
    run
}

/// Runs `dvcbench ARGS…` in-process, as the binary would.
pub fn dvcbench(args: &[&str]) -> Outcome {
    let cli = match dvcbench::cli::parse(std::iter::once("dvcbench").chain(args.iter().copied())) {
        Ok(cli) => cli,
        Err(err) => {
            return Outcome {
                stdout: String::new(),
                code: u8::try_from(err.exit_code()).unwrap_or(2),
                error: Some(err.to_string()),
            };
        }
    };
    let mut out = Vec::new();
    let result = dvcbench::run(cli, &mut out);
    Outcome {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        code: result.as_ref().map_or_else(|f| f.code as u8, |()| 0),
        error: result.err().map(|f| format!("{:#}", f.error)),
    }
}

/// A fresh scratch directory under the system temporary directory, removed on drop.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    /// Creates a directory unique to this process and `name`.
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("dvcbench-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("scratch directory can be created");
        Scratch { path }
    }

    /// Writes `contents` to `file` in the directory and returns its path.
    pub fn write(&self, file: &str, contents: &str) -> PathBuf {
        let path = self.path.join(file);
        std::fs::write(&path, contents).expect("scratch file can be written");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub mod hostile;

pub mod http;

/// Starting the portal simulator in-process for a test.
pub mod sim {
    use dvc_portal_sim::config::SimConfig;
    use dvc_portal_sim::server::{self, RunningSimulator};

    /// Admin token of simulators started by [`start`].
    pub const ADMIN_TOKEN: &str = "e2e-admin-token";

    /// Starts the simulator with `toml` (plus the admin token) on a free loopback port.
    pub async fn start(toml: &str) -> RunningSimulator {
        let source = format!("admin_token = \"{ADMIN_TOKEN}\"\n{toml}");
        let config = SimConfig::parse("test.toml", &source)
            .unwrap_or_else(|e| panic!("invalid test config: {e:?}"));
        let listen = "127.0.0.1:0".parse().expect("valid address");
        server::start(&config, listen, Default::default())
            .await
            .expect("the simulator starts")
    }

    /// Every dossier the portal at `portal_url` (a simulator started by [`start`]) ever took,
    /// from its admin export.
    pub async fn dossiers(portal_url: &str) -> Vec<serde_json::Value> {
        let reply = super::http::send(
            "GET",
            &format!("{portal_url}/admin/dossiers"),
            &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
            Vec::new(),
        )
        .await;
        assert_eq!(reply.status, 200, "the admin export of {portal_url}");
        reply.json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// A citizen's submission form for `procedure`.
    pub fn form(procedure: &str) -> serde_json::Value {
        serde_json::json!({
            "procedure_code": procedure,
            "applicant": {
                "full_name": "Nguyễn Thị Hồng Nhung",
                "citizen_id": "001199004321",
                "phone": "0912345678",
                "address": "12 Phố Huế, Hà Nội"
            }
        })
    }
}

/// Small HTTP servers with known behaviour, for testing the runner's measurements.
pub mod fixtures {
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    /// A server that answers `GET /` at once, except that it freezes for `stall` at the start
    /// of every `period` (a request arriving during a freeze waits until it ends).
    pub async fn stalling_server(stall: Duration, period: Duration) -> SocketAddr {
        let origin = Instant::now();
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || async move {
                let phase =
                    Duration::from_nanos((origin.elapsed().as_nanos() % period.as_nanos()) as u64);
                if phase < stall {
                    tokio::time::sleep(stall - phase).await;
                }
                "ok"
            }),
        );
        serve(app).await
    }

    /// A server that takes `delay` to answer every request.
    pub async fn slow_server(delay: Duration) -> SocketAddr {
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || async move {
                tokio::time::sleep(delay).await;
                "ok"
            }),
        );
        serve(app).await
    }

    /// Serves `app` on a free loopback port.
    pub async fn serve(app: axum::Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        addr
    }
}

/// A program on PATH; panics when it is missing (the test command installs Debian's
/// `prometheus` package, which brings `prometheus` and `promtool`).
pub fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("{name} is needed: install Debian's prometheus package (scripts/test does it)")
        })
}

/// The repository's root, for the files it ships (dashboards, manifests, docs).
pub fn repo() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_owned()
}

/// The `dvcbench` binary of this build (next to the test binary's own directory; building the
/// workspace builds it).
pub fn dvcbench_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("dvcbench");
    assert!(
        bin.exists(),
        "{} is missing: build the workspace first",
        bin.display()
    );
    bin
}

/// A loopback port free at the time of asking, for a program that cannot tell which port it
/// bound (Prometheus). dvcbench's own servers listen on port 0 and say where.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The address a `dvcbench run --metrics-listen 127.0.0.1:0` bound, from its `metrics at
/// http://ADDR/metrics` line on stderr (piped); the rest of stderr is drained meanwhile.
pub fn metrics_address(child: &mut std::process::Child) -> std::net::SocketAddr {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr piped")).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("metrics at http://")
                .and_then(|(_, rest)| rest.split_once("/metrics"))
                .and_then(|(addr, _)| addr.parse().ok())
        })
        .expect("the run says where its metrics are");
    // Keep reading, so the run never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    addr
}

/// A child's first line of output (the servers print their address once they listen).
pub fn first_line(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout piped"))
        .read_line(&mut line)
        .expect("a first line");
    line
}

/// Starts `dvcbench probe` with `config` (and `state`) on a port the system chooses; its first
/// line (what it watches, and where) and its base URL.
pub fn start_probe(
    config: &std::path::Path,
    state: Option<&std::path::Path>,
) -> (Process, String, String) {
    let mut command = std::process::Command::new(dvcbench_binary());
    command.args(["probe", "--config"]).arg(config);
    if let Some(state) = state {
        command.arg("--state").arg(state);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0"])
        .env("DVC_E2E_PROBE_PASSWORD", "dvc-demo")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the probe starts");
    let first = first_line(&mut child);
    let url = first
        .split_once("metrics at ")
        .and_then(|(_, rest)| rest.split_once("/metrics"))
        .map(|(base, _)| base.to_owned())
        .unwrap_or_else(|| panic!("the probe says where it listens: {first}"));
    (Process(child), first, url)
}

/// A child process killed when dropped, so a failing test leaves nothing running.
pub struct Process(pub std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `promtool check metrics` on a metrics exposition; panics with promtool's words if it
/// finds problems, or if promtool is missing (the test command installs it).
pub fn promtool_check_metrics(text: &str) {
    use std::io::Write;
    let promtool = tool("promtool");
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("metrics written to promtool");
    let out = child.wait_with_output().expect("promtool finishes");
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub mod proxy;
pub mod tls;

/// Headless Chromium, for reports a browser must render.
pub mod browser {
    use std::path::Path;
    use std::process::Command;

    /// Runs headless Chromium with `args` (the test command installs it).
    pub fn chromium(args: &[&str]) -> std::process::Output {
        Command::new(super::tool("chromium"))
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args(args)
            .output()
            .expect("chromium runs")
    }

    /// Pixels of the screenshot within `tolerance` of `rgb`.
    pub fn pixels_of(png_path: &Path, rgb: [u8; 3], tolerance: u8) -> usize {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(png_path).expect("screenshot"),
        ));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("a frame");
        let channels = info.color_type.samples();
        buf[..info.buffer_size()]
            .chunks(channels)
            .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= tolerance))
            .count()
    }
}

pub mod prometheus;
