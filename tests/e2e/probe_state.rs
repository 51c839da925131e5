//! A probe whose state file it cannot trust stops at start, with exit 2, before it sends
//! anything: a dossier it submitted but could not record would be orphaned in the portal. And a
//! probe killed while a submission is on the wire finds that dossier again after a restart.

use dvcbench_e2e::http::{get, wait_for};
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
             [target.active]\ntest_procedure = \"1.900001\"\nconsent = \"the simulator\"\n\
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

#[tokio::test]
async fn a_kill_9_during_a_submission_leaves_no_orphan_and_no_duplicate() {
    // The portal creates the dossier at once but answers 3 s later: the probe is killed in
    // between, so it never learns the dossier's code.
    let portal = sim::start(
        "time_scale = 3600\n[[portal]]\nprovince = \"01\"\n\
         [portal.back_office]\naccept = 1.0\nrefuse = 0.0\nsupplement = 0.0\nintake_minutes = 5\n\
         [portal.faults]\nreply_latency = { \"POST /api/dossiers\" = \"3s\" }\n",
    )
    .await;
    let base = portal.url();
    let dir = Scratch::new("probe-kill-submit");
    let config = dir.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{base}\"\n\
             [target.active]\ntest_procedure = \"1.900001\"\nconsent = \"the simulator\"\n\
             [[target.check]]\nname = \"intake\"\nkind = \"intake\"\nprocedure = \"1.900001\"\n\
             citizen_id = \"001199004321\"\npassword = \"dvc-demo\"\ninterval = \"1h\"\n\
             timeout = \"20s\"\nfollow_every = \"200ms\"\ngive_up_after = \"1h\"\n"
        ),
    );
    let state = dir.path.join("probe.db");
    let (mut first, _, _) = dvcbench_e2e::start_probe(&config, Some(&state));
    wait_for(
        "the dossier in the portal",
        Duration::from_secs(10),
        || async { (sim::dossiers(&base).await.len() == 1).then_some(()) },
    )
    .await;
    first.0.kill().expect("kill -9");
    let _ = first.0.wait();
    let kept: (i64, i64) = {
        let db = rusqlite::Connection::open(&state).expect("sqlite");
        let count = |table: &str| -> i64 {
            db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .expect("count")
        };
        (count("submissions"), count("intake"))
    };
    assert_eq!(
        kept,
        (1, 0),
        "the key was kept; the dossier was never recorded"
    );

    // Restarted, the probe sends the submission again with its key: the portal answers with
    // the dossier it already has, and the probe follows it to acceptance.
    let (second, _, url) = dvcbench_e2e::start_probe(&config, Some(&state));
    let metrics = wait_for("the acceptance", Duration::from_secs(30), || {
        let url = url.clone();
        async move {
            let m = get(&format!("{url}/metrics")).await.text();
            m.lines()
                .any(|l| l.starts_with("dvc_intake_accepted_total{") && l.ends_with(" 1"))
                .then_some(m)
        }
    })
    .await;
    let dossiers = sim::dossiers(&base).await;
    assert_eq!(dossiers.len(), 1, "no second dossier: {dossiers:?}");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("dvc_intake_submitted_total{") && l.ends_with(" 1")),
        "{metrics}"
    );
    drop(second);
    portal.shutdown().await;
}

#[tokio::test]
async fn a_backup_of_a_running_probes_state_holds_what_its_log_holds_and_compares() {
    let portal = sim::start("[[portal]]\nprovince = \"01\"\n").await;
    let base = portal.url();
    let dir = Scratch::new("probe-backup");
    let config = dir.write(
        "probe.toml",
        &format!(
            "[[target]]\nportal = \"hn\"\nprovince = \"Hà Nội\"\nurl = \"{base}\"\n\
             [[target.check]]\nname = \"home\"\nkind = \"http\"\ninterval = \"100ms\"\n"
        ),
    );
    let state = dir.path.join("probe.db");
    let (_probe, _, url) = dvcbench_e2e::start_probe(&config, Some(&state));
    wait_for("a few runs", Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let m = get(&format!("{url}/metrics")).await.text();
            m.lines()
                .find(|l| l.starts_with("dvc_probes_total{") && l.contains("outcome=\"ok\""))
                .and_then(|l| l.rsplit_once(' '))
                .and_then(|(_, v)| v.parse::<f64>().ok())
                .filter(|n| *n >= 5.0)
        }
    })
    .await;
    let copy = dir.path.join("copy.db");
    let copy_arg = copy.to_str().expect("UTF-8").to_owned();
    let state_arg = state.to_str().expect("UTF-8").to_owned();
    let out = dvcbench_e2e::dvcbench(&["probe", "--state", &state_arg, "--backup", &copy_arg]);
    assert_eq!(out.code, 0, "{:?}", out.error);
    // The copy is a whole database on its own: no -wal beside it is needed.
    assert!(!dir.path.join("copy.db-wal").exists());
    let runs: i64 = rusqlite::Connection::open(&copy)
        .expect("sqlite")
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .expect("runs");
    assert!(runs >= 5, "{runs} runs in the copy");
    let now = chrono::Utc::now();
    let from = (now - chrono::TimeDelta::hours(1)).to_rfc3339();
    let to = (now + chrono::TimeDelta::minutes(1)).to_rfc3339();
    let csv = dvcbench_e2e::dvcbench(&[
        "compare",
        "--probe-store",
        &copy_arg,
        "--from",
        &from,
        "--to",
        &to,
        "--csv",
        "-",
    ]);
    assert_eq!(csv.code, 0, "{:?}", csv.error);
    assert!(csv.stdout.contains("\"Hà Nội\""), "{}", csv.stdout);
    // A backup never overwrites.
    let again = dvcbench_e2e::dvcbench(&["probe", "--state", &state_arg, "--backup", &copy_arg]);
    assert_eq!(again.code, 2);
    assert!(
        format!("{:?}", again.error).contains("already exists"),
        "{:?}",
        again.error
    );
    portal.shutdown().await;
}
