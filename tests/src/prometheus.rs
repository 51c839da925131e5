//! A real Prometheus for a test, on a free port, with its data in `scratch`.

use super::{Process, Scratch, free_port, tool};
use std::process::{Command, Stdio};

/// A running Prometheus and its base URL.
pub struct Prometheus {
    pub url: String,
    _process: Process,
}

/// Starts Prometheus with the configuration `yaml` and waits until it is ready.
pub async fn start(scratch: &Scratch, yaml: &str) -> Prometheus {
    let port = free_port();
    let config = scratch.write("prometheus.yml", yaml);
    let child = Command::new(tool("prometheus"))
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            scratch.path.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let process = Process(child);
    let url = format!("http://127.0.0.1:{port}");
    super::http::wait_ready("Prometheus", port).await;
    Prometheus {
        url,
        _process: process,
    }
}
