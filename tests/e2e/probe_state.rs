//! A probe whose state file it cannot trust stops at start, with exit 2, before it sends
//! anything: a dossier it submitted but could not record would be orphaned in the portal.

use dvcbench_e2e::sim;
use dvcbench_e2e::{Scratch, dvcbench_binary};
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn a_state_file_of_another_schema_stops_the_probe_before_it_submits() {
    let portal = sim::start("[[portal]]\nprovince = \"01\"\n").await;
    let base = portal.url();
    let dir = Scratch::new("probe-state");
    let config = dir.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{base}\"\n\
             [[target.check]]\nname = \"intake\"\nkind = \"intake\"\nprocedure = \"1.900001\"\n\
             citizen_id = \"001199004321\"\npassword = \"dvc-demo\"\ninterval = \"200ms\"\n"
        ),
    );
    // Another program's SQLite file where the probe's state should be.
    let state = dir.path.join("probe.db");
    rusqlite::Connection::open(&state)
        .expect("sqlite")
        .execute_batch("CREATE TABLE intake (id INTEGER PRIMARY KEY, note TEXT);")
        .expect("another program's table");
    let run = tokio::task::spawn_blocking(move || {
        Command::new(dvcbench_binary())
            .args(["probe", "--listen", "127.0.0.1:0", "--config"])
            .arg(&config)
            .arg("--state")
            .arg(&state)
            .output()
            .expect("runs")
    });
    let out = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the probe stops by itself")
        .expect("joined");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("probe state ") && stderr.contains("table intake has columns (id, note)"),
        "{stderr}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim::dossiers(&base).await.len(), 0, "nothing was submitted");
    portal.shutdown().await;
}
