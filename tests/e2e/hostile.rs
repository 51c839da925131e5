//! The runner against a hostile server: every misbehaviour ends in a summary, with the right
//! outcome counted, the documented exit code, and as many requests counted as the server saw.

use dvc_loadgen::summary::RunSummary;
use dvcbench_e2e::{Scratch, dvcbench_binary, hostile};
use std::process::{Command, Stdio};

/// Arrivals per misbehaviour.
const ARRIVALS: u64 = 3;

#[test]
fn every_misbehaviour_is_counted_under_its_outcome_and_nothing_is_lost() {
    let behaviours = hostile::behaviours();
    assert!(behaviours.len() >= 40, "{} misbehaviours", behaviours.len());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(hostile::start());
    let dir = Scratch::new("hostile");
    let mut wrong = Vec::new();
    // A few runs at a time: each lasts about two seconds, most of it waiting.
    for batch in behaviours.chunks(10) {
        let children: Vec<_> = batch
            .iter()
            .map(|b| {
                let scenario = dir.write(
                    &format!("{}.toml", b.name),
                    &format!(
                        "[target]\nurl = \"http://{}\"\ntimeout = \"1s\"\nmax_body = \"1KB\"\n\
                         [load]\nstages = [{{ duration = \"1s\", rate = \"{ARRIVALS}/s\" }}]\n\
                         [[journey]]\nname = \"j\"\n\
                         [[journey.step]]\nname = \"submit\"\nmethod = \"POST\"\npath = \"/b/{}\"\n\
                         json = {{ dossier = \"{{{{journey.id}}}}\" }}\n",
                        server.addr, b.name
                    ),
                );
                let out = dir.path.join(format!("{}.json", b.name));
                let child = Command::new(dvcbench_binary())
                    .args(["run", "-q"])
                    .arg(&scenario)
                    .arg("--out")
                    .arg(&out)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("dvcbench starts");
                (b, out, child)
            })
            .collect();
        for (b, out, child) in children {
            let ended = child.wait_with_output().expect("dvcbench ends");
            let stderr = String::from_utf8_lossy(&ended.stderr);
            let name = b.name;
            if stderr.contains("panicked") {
                wrong.push(format!("{name}: panicked: {stderr}"));
                continue;
            }
            // Every request failing to connect is a run that could not measure (4).
            let code = if b.outcome == "connect_error" { 4 } else { 0 };
            if ended.status.code() != Some(code) {
                wrong.push(format!(
                    "{name}: exit {:?}, expected {code}: {stderr}",
                    ended.status
                ));
            }
            let Ok(text) = std::fs::read_to_string(&out) else {
                wrong.push(format!("{name}: no run.json"));
                continue;
            };
            let summary: RunSummary = serde_json::from_str(&text).expect("run.json is JSON");
            let step = &summary.steps[0];
            let expected: Vec<(String, u64)> = if b.outcome == "ok" {
                Vec::new()
            } else {
                vec![(b.outcome.to_owned(), ARRIVALS)]
            };
            let counted: Vec<(String, u64)> =
                step.errors.iter().map(|(k, v)| (k.clone(), *v)).collect();
            if summary.arrivals.started != ARRIVALS || step.count != ARRIVALS || counted != expected
            {
                wrong.push(format!(
                    "{name}: {} started, {} requests, outcomes {counted:?}; expected {ARRIVALS} with {expected:?}",
                    summary.arrivals.started, step.count
                ));
            }
            let seen = server.seen(name);
            if summary.requests_total != seen {
                wrong.push(format!(
                    "{name}: {} requests counted, the server saw {seen}",
                    summary.requests_total
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
