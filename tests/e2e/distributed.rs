//! Distributed runs: the Kubernetes load-test manifests rendered with `kubectl kustomize`, their
//! pods' command run as processes with the environment an Indexed Job gives them, and the
//! results merged from the pods' logs.
//!
//! The cluster is mapped onto this machine: the Service `dvc-portal:8080` is a simulator on a
//! loopback port (`--target`), the ConfigMap mounted at /etc/dvcbench/scenario is a file in a
//! scratch directory, each pod's metrics port is a free loopback port, and `kubectl logs` is
//! the pods' standard output one after another.
//!
//! Over 500 lines because each test runs several generator processes and merges their results;
//! the steps of one split run read best together.

use dvc_loadgen::Series;
use dvc_loadgen::merge::read_summaries;
use dvc_loadgen::segment::Segment;
use dvc_loadgen::summary::RunSummary;
use dvcbench_e2e::{Scratch, dvcbench, dvcbench_binary, repo, sim};
use serde_norway::Value;
use std::path::Path;
use std::process::{Command, Stdio};

/// `kubectl kustomize DIR` as YAML documents (kubectl is installed by the test command).
pub(crate) fn kustomize(dir: &str) -> Vec<Value> {
    let out = Command::new("kubectl")
        .args(["kustomize", &repo().join(dir).display().to_string()])
        .output()
        .expect("kubectl is needed: scripts/test installs Debian's kubectl package");
    assert!(
        out.status.success(),
        "kubectl kustomize {dir}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| serde::Deserialize::deserialize(doc).expect("YAML"))
        .collect()
}

pub(crate) fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

/// A pod spec meets the "restricted" Pod Security Standard's checks.
pub(crate) fn assert_restricted(what: &str, pod: &Value) {
    let sc = &pod["securityContext"];
    assert_eq!(sc["runAsNonRoot"], true, "{what}");
    assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{what}");
    assert!(
        pod["hostNetwork"].is_null()
            && pod["volumes"]
                .as_sequence()
                .is_none_or(|v| v.iter().all(|v| v["hostPath"].is_null())),
        "{what}"
    );
    for c in pod["containers"].as_sequence().expect("containers") {
        let csc = &c["securityContext"];
        assert_eq!(csc["allowPrivilegeEscalation"], false, "{what}");
        assert_eq!(csc["capabilities"]["drop"][0], "ALL", "{what}");
        assert!(
            csc["privileged"].is_null() || csc["privileged"] == false,
            "{what}"
        );
        assert_eq!(c["imagePullPolicy"], "IfNotPresent", "{what}");
    }
}

/// The Job of a rendered overlay, checked: Indexed, as many pods at once as segments, no
/// retries, suspended until the start is set; returns it with its number of segments.
fn indexed_job(docs: &[Value]) -> (&Value, u32) {
    let jobs = of_kind(docs, "Job");
    assert_eq!(jobs.len(), 1);
    let job = jobs[0];
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["backoffLimitPerIndex"], 0);
    assert_eq!(spec["suspend"], true);
    let n = spec["completions"].as_u64().expect("completions") as u32;
    assert_eq!(spec["parallelism"].as_u64(), Some(u64::from(n)));
    let container = &spec["template"]["spec"]["containers"][0];
    let env = container["env"].as_sequence().expect("env");
    let segments = env
        .iter()
        .find(|e| e["name"] == "SEGMENTS")
        .expect("SEGMENTS");
    assert_eq!(segments["value"].as_str(), Some(n.to_string().as_str()));
    assert_restricted("Job", &spec["template"]["spec"]);
    // Pods 0..N-1 run segments 1..N, each once.
    let mut seen: Vec<u32> = (0..n)
        .map(|i| {
            Segment::from_job_index(&i.to_string(), n)
                .expect("segment")
                .index
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=n).collect::<Vec<_>>());
    (job, n)
}

#[test]
fn the_load_test_overlays_render_an_indexed_job_of_restricted_pods() {
    for (dir, segments) in [
        ("docker/k8s/loadtest/base", 4),
        ("docker/k8s/loadtest/two-regions", 8),
    ] {
        let docs = kustomize(dir);
        let (job, n) = indexed_job(&docs);
        assert_eq!(n, segments, "{dir}");
        assert_eq!(job["metadata"]["namespace"], "dvc-loadtest", "{dir}");
        let ns = of_kind(&docs, "Namespace");
        assert_eq!(
            ns[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "restricted",
            "{dir}"
        );
        for d in of_kind(&docs, "Deployment") {
            assert_restricted(dir, &d["spec"]["template"]["spec"]);
        }
        // The scenario the pods mount is valid.
        let cm = of_kind(&docs, "ConfigMap")
            .into_iter()
            .find(|c| c["data"]["scenario.toml"].is_string())
            .expect("the scenario ConfigMap");
        let scenario = cm["data"]["scenario.toml"].as_str().expect("text");
        dvc_loadgen::scenario::Scenario::from_source(Path::new("scenario.toml"), scenario)
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        let mounted = job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"].as_str();
        assert_eq!(mounted, cm["metadata"]["name"].as_str(), "{dir}");
    }
    // The two regions: pods held to two regions and spread evenly over them.
    let docs = kustomize("docker/k8s/loadtest/two-regions");
    let pod = &of_kind(&docs, "Job")[0]["spec"]["template"]["spec"];
    let spread = pod["topologySpreadConstraints"]
        .as_sequence()
        .expect("spread");
    assert!(
        spread
            .iter()
            .any(|s| s["topologyKey"] == "topology.kubernetes.io/region"
                && s["whenUnsatisfiable"] == "DoNotSchedule")
    );
    let regions = &pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        ["nodeSelectorTerms"][0]["matchExpressions"][0]["values"];
    assert_eq!(regions.as_sequence().map(Vec::len), Some(2));
}

/// The pod's command line with Kubernetes' `$(VAR)` references put in and the cluster's
/// addresses mapped to this machine.
fn pod_command(job: &Value, env: &[(&str, String)], scenario: &Path) -> Vec<String> {
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let mount = container["volumeMounts"][0]["mountPath"]
        .as_str()
        .expect("mount");
    container["args"]
        .as_sequence()
        .expect("args")
        .iter()
        .map(|a| {
            let mut arg = a.as_str().expect("string arg").to_owned();
            for (name, value) in env {
                arg = arg.replace(&format!("$({name})"), value);
            }
            if arg.starts_with(mount) {
                return scenario.display().to_string();
            }
            if arg == "0.0.0.0:9465" {
                return "127.0.0.1:0".to_owned();
            }
            assert!(!arg.contains("$("), "unresolved {arg}");
            arg
        })
        .collect()
}

fn series_sum(summaries: &[RunSummary], step: usize) -> Series {
    let mut sum = Series::default();
    for s in summaries {
        sum.merge(&s.steps[step].series().expect("a step's series"));
    }
    sum
}

#[test]
fn segments_run_as_job_pods_merge_into_one_exact_result() {
    let scratch = Scratch::new("distributed");
    let servers = tokio::runtime::Runtime::new().expect("runtime");
    let sim = servers.block_on(sim::start(""));
    let docs = kustomize("docker/k8s/loadtest/base");
    let (job, n) = indexed_job(&docs);
    let cm = of_kind(&docs, "ConfigMap")
        .into_iter()
        .find(|c| c["data"]["scenario.toml"].is_string())
        .expect("scenario");
    let scenario = scratch.write(
        "scenario.toml",
        cm["data"]["scenario.toml"].as_str().expect("text"),
    );
    // The start every pod is given: a few seconds ahead, as the run script sets it.
    let start_at = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let env = [("SEGMENTS", n.to_string()), ("START_AT", start_at.clone())];
    let args = pod_command(job, &env, &scenario);
    let pods: Vec<_> = (0..n)
        .map(|i| {
            let log =
                std::fs::File::create(scratch.path.join(format!("pod-{i}.log"))).expect("log");
            Command::new(dvcbench_binary())
                .args(&args)
                // A short, light version of the plan (the same for every pod).
                .args(["--duration", "3s", "--scale", "0.2", "--target", &sim.url()])
                .env("JOB_COMPLETION_INDEX", i.to_string())
                .env_remove("DVCBENCH_SEGMENT")
                .env_remove("RUST_LOG")
                .stdout(Stdio::from(log))
                .stderr(Stdio::null())
                .spawn()
                .expect("a pod starts")
        })
        .collect();
    for (i, mut pod) in pods.into_iter().enumerate() {
        let status = pod.wait().expect("the pod ends");
        assert!(status.success(), "pod {i}: {status}");
    }
    // `kubectl logs -l job-name=…`: every pod's log one after another.
    let mut logs = String::new();
    for i in 0..n {
        logs.push_str(
            &std::fs::read_to_string(scratch.path.join(format!("pod-{i}.log"))).expect("log"),
        );
    }
    let results = scratch.write("results.log", &logs);
    let segments = read_summaries("results.log", &logs).expect("four result blocks");
    assert_eq!(segments.len(), n as usize);

    let out = scratch.path.join("run.json");
    let report = scratch.path.join("report.html");
    let merged = dvcbench(&[
        "merge",
        &results.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--report",
        &report.display().to_string(),
    ]);
    assert_eq!(merged.code, 0, "{:?}\n{}", merged.error, merged.stdout);
    assert!(
        merged.stdout.contains("merged   4 of 4 segments"),
        "{}",
        merged.stdout
    );
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(
        html.contains("<p id=\"segments\">Gộp từ các phân đoạn 4/4: 1 "),
        "the report names its segments"
    );
    let run: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");

    // Every segment ran its stripe of the one plan from the common start.
    let mut planned: Vec<u64> = Vec::new();
    for s in &segments {
        let seg = s.segment.as_ref().expect("segment info");
        assert_eq!(seg.start_at.as_deref(), Some(start_at.as_str()));
        assert!(seg.start_lateness_seconds < 1.0, "{seg:?}");
        assert!(
            seg.clock_offset_seconds.is_some_and(|o| o.abs() < 1.0),
            "{seg:?}"
        );
        assert_eq!(s.arrivals.dropped, 0);
        planned.push(s.arrivals.planned);
    }
    let (min, max) = (planned.iter().min(), planned.iter().max());
    assert!(
        max.zip(min).is_some_and(|(a, b)| a - b <= 1),
        "stripes: {planned:?}"
    );
    assert!(run.complete && run.missing_segments.is_empty());
    assert_eq!(run.segments.len(), n as usize);
    // Counts are the sums; percentiles are those of all samples together.
    assert_eq!(run.arrivals.planned, planned.iter().sum::<u64>());
    assert_eq!(
        run.requests_total,
        segments.iter().map(|s| s.requests_total).sum::<u64>()
    );
    for (i, step) in run.steps.iter().enumerate() {
        let all = series_sum(&segments, i);
        assert_eq!(step.count, all.count(), "{}", step.name);
        let p99 = all.latency.value_at_quantile(0.99) as f64 / 1e6;
        assert_eq!(
            step.latency_seconds.p99,
            if all.count() > 0 { p99 } else { 0.0 },
            "{}",
            step.name
        );
    }
    // Dossier codes: every one found, none handed out twice across segments.
    let verify = run.verify.as_ref().expect("verify");
    assert!(verify.checked > 0);
    assert_eq!((verify.missing, verify.duplicated), (0, 0));
    // The thresholds were judged on the whole.
    assert!(!run.thresholds.is_empty() && run.passed());

    // The same plan on one generator: the same arrivals, and the same journey mix.
    let whole_out = scratch.path.join("whole.json");
    let whole = dvcbench(&[
        "run",
        &scenario.display().to_string(),
        "--duration",
        "3s",
        "--scale",
        "0.2",
        "--target",
        &sim.url(),
        "-q",
        "--out",
        &whole_out.display().to_string(),
    ]);
    assert_eq!(whole.code, 0, "{:?}", whole.error);
    let whole: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&whole_out).expect("whole")).expect("JSON");
    assert_eq!(whole.arrivals.planned, run.arrivals.planned);
    let mix = |s: &RunSummary| -> Vec<(String, u64)> {
        s.journeys
            .iter()
            .map(|j| (j.name.clone(), j.count))
            .collect()
    };
    assert_eq!(mix(&whole), mix(&run));
    let plan_id = |s: &RunSummary| s.segment.as_ref().map(|g| g.plan_id.clone());
    assert_eq!(plan_id(&whole), plan_id(&segments[0]));

    // A missing segment: the result says so, and the exit code is 3.
    let partial = scratch.path.join("partial.json");
    let one: Vec<String> = (0..n - 1)
        .map(|i| {
            scratch
                .path
                .join(format!("pod-{i}.log"))
                .display()
                .to_string()
        })
        .collect();
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(one.iter().map(String::as_str));
    let partial_arg = partial.display().to_string();
    args.extend(["--out", &partial_arg]);
    let missing = dvcbench(&args);
    assert_eq!(missing.code, 3, "{:?}", missing.error);
    assert!(
        missing
            .error
            .as_deref()
            .is_some_and(|e| e.contains("segment(s) 4/4 missing"))
    );
    let partial: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&partial).expect("written")).expect("JSON");
    assert_eq!(partial.missing_segments, [4]);
    assert!(!partial.complete);
    servers.block_on(sim.shutdown());
}

#[test]
fn bad_segments_and_bad_merges_are_refused_with_nothing_written() {
    let scratch = Scratch::new("distributed-bad");
    let scenario = repo()
        .join("scenarios/quickstart.toml")
        .display()
        .to_string();
    // Each is refused with exit code 2 and an error that says `why`.
    let refused = |args: &[&str], why: &str| {
        let o = dvcbench(args);
        assert_eq!(o.code, 2, "{args:?}: {:?}", o.error);
        assert!(
            o.error.as_deref().is_some_and(|e| e.contains(why)),
            "{args:?}: {:?}",
            o.error
        );
    };
    for bad in ["5/4", "0/0", "1/x"] {
        refused(&["run", &scenario, "--segment", bad], "--segment");
    }
    refused(&["run", &scenario, "--start-at", "yesterday"], "RFC 3339");
    refused(
        &["run", &scenario, "--start-at", "2020-01-01T00:00:00Z"],
        "would be over",
    );
    // Segments would each start an embedded portal of their own: not one target.
    refused(
        &["run", &scenario, "--segment", "1/2"],
        "dvcbench portal --listen",
    );
    // A closed crowd smaller than the number of segments.
    let crowd = scratch.write(
        "crowd.toml",
        "name = \"crowd\"\n[target]\nurl = \"embedded\"\n[load]\nmodel = \"closed\"\n\
         stages = [{ duration = \"2s\", users = 3 }]\n[[journey]]\nname = \"j\"\n\
         [[journey.step]]\nname = \"home\"\npath = \"/\"\n",
    );
    let crowd = crowd.display().to_string();
    refused(
        &[
            "run",
            &crowd,
            "--segment",
            "4/4",
            "--target",
            "http://127.0.0.1:9",
        ],
        "no virtual citizens",
    );

    // Merging nothing, a truncated file, or a segment of another plan.
    assert_eq!(dvcbench(&["merge", "--out", "x.json"]).code, 2);
    let out = scratch.path.join("merged.json");
    let out_arg = out.display().to_string();
    let segment = |index: u32, plan: &str| {
        let mut s = RunSummary {
            segment: Some(dvc_loadgen::summary::SegmentInfo {
                index,
                count: 2,
                plan_id: plan.into(),
                ..Default::default()
            }),
            ..RunSummary::default()
        };
        s.all_journeys.histogram = Some(dvc_loadgen::encode_histogram(&Series::default().latency));
        serde_json::to_string(&s).expect("JSON")
    };
    let a = scratch
        .write("a.json", &segment(1, "p"))
        .display()
        .to_string();
    let truncated = scratch.write("t.json", &segment(2, "p")[..40]);
    let foreign = scratch.write("f.json", &segment(2, "q"));
    for (bad, why) in [
        (&truncated, "not a run summary"),
        (&foreign, "not a segment of the same run"),
    ] {
        let bad = bad.display().to_string();
        refused(&["merge", &a, &bad, "--out", &out_arg], why);
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn a_closed_crowd_is_split_over_segments_and_merged() {
    let scratch = Scratch::new("distributed-closed");
    let servers = tokio::runtime::Runtime::new().expect("runtime");
    let sim = servers.block_on(sim::start(""));
    let scenario = repo().join("scenarios/catalogue/exam-registration-closed.toml");
    let start_at = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // 30 desks over two generators: 15 each.
    let runs: Vec<_> = (1..=2)
        .map(|i| {
            Command::new(dvcbench_binary())
                .args(["run", "-q", &scenario.display().to_string()])
                .args(["--duration", "5s", "--scale", "1", "--target", &sim.url()])
                .args(["--start-at", &start_at, "--segment", &format!("{i}/2")])
                .arg("--out")
                .arg(scratch.path.join(format!("seg-{i}.json")))
                .env_remove("RUST_LOG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("a generator starts")
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().expect("ends").success());
    }
    let files: Vec<String> = (1..=2)
        .map(|i| {
            scratch
                .path
                .join(format!("seg-{i}.json"))
                .display()
                .to_string()
        })
        .collect();
    for f in &files {
        let s: RunSummary =
            serde_json::from_str(&std::fs::read_to_string(f).expect("segment")).expect("JSON");
        assert_eq!(s.goose.as_ref().map(|g| g.max_users), Some(15), "{f}");
    }
    let out = scratch.path.join("run.json").display().to_string();
    let merged = dvcbench(&["merge", &files[0], &files[1], "--out", &out]);
    assert_eq!(merged.code, 0, "{:?}\n{}", merged.error, merged.stdout);
    let run: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("merged")).expect("JSON");
    assert_eq!(run.goose.as_ref().map(|g| g.max_users), Some(30));
    let submit = run
        .steps
        .iter()
        .find(|s| s.name == "submit")
        .expect("submit");
    assert_eq!(submit.count, 30, "one candidate per desk");
    // Journey numbers interleave, so no registration is handed out twice across segments.
    let verify = run.verify.expect("verify");
    assert_eq!(
        (verify.checked, verify.missing, verify.duplicated),
        (30, 0, 0)
    );
    servers.block_on(sim.shutdown());
}

#[test]
fn ctrl_c_while_waiting_for_the_common_start_sends_nothing_and_exits_3() {
    stopped_while_waiting("-INT");
}

#[test]
fn sigterm_stops_a_segment_in_order_as_ctrl_c_does() {
    // What Kubernetes sends a pod it stops.
    stopped_while_waiting("-TERM");
}

fn stopped_while_waiting(signal: &str) {
    use std::io::BufRead;
    let scratch = Scratch::new(&format!("distributed-wait{signal}"));
    let out = scratch.path.join("seg.json");
    let mut child = dvcbench_e2e::Process(
        Command::new(dvcbench_binary())
            .args([
                "run",
                "-q",
                &repo()
                    .join("scenarios/quickstart.toml")
                    .display()
                    .to_string(),
            ])
            // Nothing listens there: the clock probe finds no answer, and the run waits.
            .args([
                "--target",
                "http://127.0.0.1:9",
                "--segment",
                "1/2",
                "--start-at",
                "+60s",
            ])
            .arg("--out")
            .arg(&out)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dvcbench run starts"),
    );
    let mut line = String::new();
    // Kept open to the end: the run reports its stop on stderr.
    let mut stderr = std::io::BufReader::new(child.0.stderr.take().expect("stderr"));
    stderr.read_line(&mut line).expect("a first line");
    assert!(
        line.contains("segment 1/2 of quickstart") && line.contains("starting at"),
        "{line}"
    );
    let started = std::time::Instant::now();
    let signalled = Command::new("kill")
        .args([signal, &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    let status = child.0.wait().expect("exits");
    assert_eq!(status.code(), Some(3), "{rest}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "it did not wait for the start"
    );
    let summary: RunSummary =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("run.json")).expect("JSON");
    assert_eq!(summary.stop_reason.as_deref(), Some("interrupted"));
    assert_eq!((summary.arrivals.planned, summary.requests_total), (0, 0));
    assert_eq!(summary.scenario, "quickstart");
}

#[test]
fn the_header_counts_the_arrivals_the_summary_will_count() {
    let sim_runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = sim_runtime.block_on(sim::start(""));
    let scenario = repo().join("scenarios/quickstart.toml");
    let output = Command::new(dvcbench_binary())
        .args(["run", "-q", &scenario.display().to_string()])
        .args([
            "--duration",
            "2s",
            "--target",
            &sim.url(),
            "--segment",
            "2/3",
        ])
        .env_remove("RUST_LOG")
        .output()
        .expect("dvcbench runs");
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let header: u64 = stderr
        .split(" arrivals planned")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no planned count in {stderr}"));
    assert!(
        stdout.contains(&format!("arrivals  planned {header}  started {header} ")),
        "{header} in {stdout}"
    );
    sim_runtime.block_on(sim.shutdown());
}
