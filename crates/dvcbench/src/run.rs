//! `dvcbench run` and `dvcbench validate`.

use crate::cli::RunArgs;
use crate::{ExitStatus, Failure};
use anyhow::{Context, anyhow};
use dvc_loadgen::Plan;
use dvc_loadgen::live::{LiveMetrics, Progress};
use dvc_loadgen::scenario::{Load, Model, Overrides, Scenario, TargetBase};
use dvc_loadgen::segment::Segment;
use dvc_loadgen::summary::RunSummary;
use dvc_loadgen::units::parse_duration;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// `dvcbench validate FILE…`.
pub fn validate(files: &[PathBuf], out: &mut dyn Write) -> Result<(), Failure> {
    let mut problems = Vec::new();
    for file in files {
        match Scenario::load(file) {
            Ok(s) => {
                let steps: usize = s.journeys.iter().map(|j| j.steps.len()).sum();
                writeln!(
                    out,
                    "{}: ok ({} journeys, {steps} steps, {}, {} thresholds)",
                    file.display(),
                    s.journeys.len(),
                    planned(&s.load, Segment::WHOLE),
                    s.thresholds.len()
                )?;
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::bad_input(anyhow!("{}", problems.join("\n"))))
    }
}

/// The open model's arrivals are counted one by one (so the header says what the summary will
/// count), up to this many; a larger plan is given by its expected size.
const COUNT_UP_TO: f64 = 10_000_000.0;

/// What the load plans, in a few words: `segment`'s share of it.
fn planned(load: &Load, segment: Segment) -> String {
    match load.model() {
        Model::Open => {
            let plan = Plan::new(load);
            let whole = if plan.expected_total() <= COUNT_UP_TO {
                let share = std::sync::Arc::new(plan).segment_arrivals(segment).count();
                share.to_string()
            } else {
                format!(
                    "about {:.0}",
                    plan.expected_total() / f64::from(segment.count)
                )
            };
            format!(
                "{whole} arrivals planned over {:?}",
                to_millis(load.duration())
            )
        }
        Model::Closed => format!(
            "up to {} virtual citizens over {:?} (closed model, on Goose)",
            segment.share(load.most_users()),
            to_millis(load.duration())
        ),
    }
}

/// `d` to the millisecond, for people: a run stretched by `--duration` lasts `5s`, not
/// `4.999999999s`.
fn to_millis(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(d.as_secs_f64().mul_add(1000.0, 0.5) as u64)
}

/// Most worker threads `--threads` takes: far more than any machine's cores, few enough that
/// a typo does not start a hundred thousand threads.
const MAX_THREADS: usize = 1024;

/// Applies --target, --rate, --duration and --scale through the scenario's own checks, and
/// checks --threads.
fn apply_overrides(scenario: &mut Scenario, args: &RunArgs) -> anyhow::Result<()> {
    if let Some(threads) = args.threads
        && !(1..=MAX_THREADS).contains(&threads)
    {
        anyhow::bail!("--threads must be 1 to {MAX_THREADS}; got {threads}");
    }
    scenario.apply(&Overrides {
        target: args.target.clone(),
        rate: args.rate.clone(),
        duration: args.duration.clone(),
        scale: args.scale,
    })?;
    Ok(())
}

/// The segment this process runs: `--segment I/N` (or DVCBENCH_SEGMENT), `--segments N`
/// with Kubernetes' JOB_COMPLETION_INDEX, or the whole plan.
fn segment(args: &RunArgs, scenario: &Scenario) -> Result<Segment, String> {
    let segment = match (&args.segment, args.segments) {
        (Some(text), _) => Segment::parse(text).map_err(|e| format!("--segment: {e}"))?,
        (None, Some(n)) => {
            let index = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
                format!(
                    "--segments {n} runs the segment JOB_COMPLETION_INDEX names (a Kubernetes Indexed Job sets it); it is not set: give --segment I/{n} instead"
                )
            })?;
            Segment::from_job_index(&index, n).map_err(|e| format!("--segments: {e}"))?
        }
        (None, None) => Segment::WHOLE,
    };
    if segment.is_split() && matches!(scenario.target.base, TargetBase::Embedded(_)) {
        return Err(format!(
            "segment {segment}: the segments of a run must share one target, and each would start an embedded portal of its own; start one with `dvcbench portal --listen ADDR` and give every segment --target http://ADDR"
        ));
    }
    let most = scenario.load.most_users();
    if scenario.load.model() == Model::Closed && segment.share(most) == 0 {
        return Err(format!(
            "segment {segment} would have no virtual citizens: the scenario has at most {most}, fewer than its {} segments",
            segment.count
        ));
    }
    Ok(segment)
}

/// `--start-at`: RFC 3339, or `+DURATION` from now. A start the plan would be over by is
/// refused, and so is one more than a day ahead (a typo more likely than a plan).
fn start_at(
    text: &str,
    plan: std::time::Duration,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let now = chrono::Utc::now();
    let at = match text.trim().strip_prefix('+') {
        Some(delay) => {
            let d = parse_duration(delay).map_err(|e| format!("--start-at: {e}"))?;
            now + chrono::Duration::from_std(d).map_err(|e| format!("--start-at: {e}"))?
        }
        None => chrono::DateTime::parse_from_rfc3339(text.trim())
            .map_err(|e| {
                format!(
                    "--start-at takes RFC 3339 (2026-12-01T08:00:00+07:00) or a delay (+30s); got {text:?}: {e}"
                )
            })?
            .to_utc(),
    };
    let end = at + chrono::Duration::from_std(plan).unwrap_or(chrono::Duration::MAX);
    if end <= now {
        return Err(format!(
            "--start-at {text} is so long ago that the plan ({plan:?}) would be over"
        ));
    }
    if at - now > chrono::Duration::days(1) {
        return Err(format!("--start-at {text} is more than a day ahead"));
    }
    Ok(at)
}

/// Checks before a run that `path` can be written, so a typo in `--out` does not cost the
/// run's results; a file made for the check is removed again.
fn writable(path: &std::path::Path) -> anyhow::Result<()> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Exit code 4 when a run measured nothing the portal did: no journey started, or not one
/// request got an answer (every step ended in `connect_error`). Its thresholds would fail too,
/// but for a reason that is not the portal's figures.
pub(crate) fn not_measured(summary: &RunSummary) -> Option<Failure> {
    let steps: u64 = summary.steps.iter().map(|s| s.count).sum();
    let unconnected: u64 = summary
        .steps
        .iter()
        .map(|s| s.errors.get("connect_error").copied().unwrap_or(0))
        .sum();
    let why = if summary.arrivals.started == 0 {
        "no journey started"
    } else if steps > 0 && unconnected == steps {
        "every request failed to connect or got no usable answer"
    } else {
        return None;
    };
    Some(Failure {
        code: ExitStatus::NotMeasured,
        error: anyhow!("the run could not measure the portal: {why}"),
    })
}

/// Exit code 1, naming the thresholds a run failed.
pub(crate) fn thresholds_failed(summary: &RunSummary) -> Failure {
    let failed: Vec<&str> = summary
        .thresholds
        .iter()
        .filter(|t| !t.passed)
        .map(|t| t.expression.as_str())
        .collect();
    if summary.journeys_panicked > 0 && failed.is_empty() {
        return Failure::failed(anyhow!(
            "{} journey(s) panicked (a bug in dvcbench: please report it)",
            summary.journeys_panicked
        ));
    }
    Failure::failed(anyhow!("thresholds failed: {}", failed.join(", ")))
}

/// `dvcbench run SCENARIO`.
pub fn run(args: RunArgs, out: &mut dyn Write) -> Result<(), Failure> {
    crate::report::lang(&args.lang)?;
    let mut scenario = Scenario::load(&args.scenario).map_err(Failure::bad_input)?;
    apply_overrides(&mut scenario, &args).map_err(Failure::bad_input)?;
    scenario.target.allow_remote = args.allow_remote;
    let segment = segment(&args, &scenario).map_err(|e| Failure::bad_input(anyhow!(e)))?;
    let start_at = args
        .start_at
        .as_deref()
        .map(|t| start_at(t, scenario.load.duration()))
        .transpose()
        .map_err(|e| Failure::bad_input(anyhow!(e)))?;
    for path in args.out.iter().chain(&args.report) {
        writable(path).map_err(Failure::bad_input)?;
    }
    let search = args
        .find_capacity
        .then(|| crate::capacity::search(&scenario, &args))
        .transpose()
        .map_err(Failure::bad_input)?;
    let scenario = Arc::new(scenario);
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .max(1);
    // One thread: a current-thread runtime, which spares the work-stealing machinery.
    let mut builder = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    let runtime = builder.enable_all().build().map_err(Failure::failed)?;
    let summary = match runtime.block_on(run_async(
        scenario.clone(),
        &args,
        segment,
        start_at,
        search.as_ref(),
    ))? {
        Ran::Run(summary) => *summary,
        Ran::Capacity(found) => return crate::capacity::finish(&found, &args, out),
    };
    let text = summary.render_text();
    out.write_all(text.as_bytes())?;
    if args.print_result {
        writeln!(out)?;
        out.write_all(dvc_loadgen::merge::result_block(&summary).as_bytes())?;
    }
    if let Some(path) = &args.out {
        let json = serde_json::to_string_pretty(&summary).map_err(Failure::failed)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::failed)?;
        writeln!(out, "\nsummary written to {}", path.display())?;
    }
    if let Some(path) = &args.report {
        let html = dvc_report::html(&summary, None, crate::report::lang(&args.lang)?);
        crate::report::write(path, &html)?;
        writeln!(out, "report written to {}", path.display())?;
    }
    if summary.stop_reason.as_deref() == Some("interrupted") {
        return Err(Failure {
            code: ExitStatus::Aborted,
            error: anyhow!("run interrupted; the summary above is incomplete"),
        });
    }
    if let Some(failure) = not_measured(&summary) {
        return Err(failure);
    }
    // A segment's share is judged when the segments are merged.
    if !summary.passed() && !segment.is_split() {
        return Err(thresholds_failed(&summary));
    }
    Ok(())
}

/// What a run gave: a summary, or a capacity search's steps.
enum Ran {
    Run(Box<RunSummary>),
    Capacity(Box<dvc_loadgen::capacity::Capacity>),
}

async fn run_async(
    scenario: Arc<Scenario>,
    args: &RunArgs,
    segment: Segment,
    start_at: Option<chrono::DateTime<chrono::Utc>>,
    search: Option<&dvc_loadgen::capacity::Search>,
) -> Result<Ran, Failure> {
    // The target: the embedded simulator, or a URL that must be loopback or allowed.
    let mut sim = None;
    let mut route_note = String::new();
    let (base_url, target_label) = match &scenario.target.base {
        TargetBase::Embedded(config) => {
            let config = match config {
                Some(path) => crate::portal::read_sim_config(path)?,
                None => dvc_portal_sim::config::SimConfig::default(),
            };
            let listen = "127.0.0.1:0".parse().expect("invariant: a valid address");
            let started = dvc_portal_sim::server::start(&config, listen, Default::default())
                .await
                .context("cannot start the embedded portal")
                .map_err(Failure::failed)?;
            let url = started.portal_url().to_owned();
            sim = Some(started);
            route_note = match args.portal_log.as_deref() {
                Some(path) if path == std::path::Path::new("-") => String::new(),
                path => {
                    let path = path.map_or_else(
                        || {
                            std::env::temp_dir()
                                .join(format!("dvcbench-portal-{}.log", std::process::id()))
                        },
                        std::path::Path::to_path_buf,
                    );
                    crate::log_portal_to(&path)
                        .with_context(|| {
                            format!("cannot write the portal's log {}", path.display())
                        })
                        .map_err(Failure::bad_input)?;
                    format!(" (the portal's log: {})", path.display())
                }
            };
            (url.clone(), format!("embedded portal ({url})"))
        }
        TargetBase::Url(url) => {
            dvc_http::check_target(url, &scenario.target.allow_hosts, args.allow_remote)
                .map_err(|e| Failure::bad_input(anyhow!(e)))?;
            (url.clone(), url.clone())
        }
    };
    let options = scenario.target.client_options();
    if let Some(proxy) = options.proxies.for_url(&base_url) {
        route_note.push_str(&format!(" through the proxy {proxy}"));
    }
    let client = dvc_http::HttpClient::new(&options)
        .map_err(|e| Failure::failed(anyhow!("cannot set up TLS: {e}")))?;
    let live = (args.metrics_listen.is_some() || args.push.is_some()).then(|| {
        LiveMetrics::for_segment(
            &scenario.name,
            &scenario.step_names(),
            &scenario.journey_names(),
            segment,
        )
    });
    if let (Some(addr), Some(live)) = (args.metrics_listen, &live) {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))
            .map_err(Failure::bad_input)?;
        eprintln!(
            "metrics at http://{}/metrics",
            listener.local_addr().map_err(Failure::failed)?
        );
        live.serve(listener);
    }
    let progress = if args.quiet {
        Progress::Off
    } else if std::io::stderr().is_terminal() {
        Progress::Terminal
    } else {
        Progress::Lines
    };
    let (interrupt_tx, interrupt) = tokio::sync::watch::channel(false);
    // Listening from here on, before the run announces itself: a Ctrl-C (SIGINT) or a SIGTERM
    // (a pod or a service being stopped) from then on stops it in order, with its summary,
    // run.json and push (a listener registered by a task not yet polled would miss it).
    let listen = |kind: tokio::signal::unix::SignalKind| {
        tokio::signal::unix::signal(kind)
            .context("cannot listen for signals")
            .map_err(Failure::failed)
    };
    let mut ctrl_c = listen(tokio::signal::unix::SignalKind::interrupt())?;
    let mut term = listen(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = ctrl_c.recv() => {}
            _ = term.recv() => {}
        }
        eprintln!("stopping: no new arrivals; waiting for journeys in flight");
        let _ = interrupt_tx.send(true);
    });
    let share = match segment.is_split() {
        true => format!("segment {segment} of "),
        false => String::new(),
    };
    let when = match start_at {
        Some(at) => format!(
            ", starting at {}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        ),
        None => String::new(),
    };
    if let Some(search) = search {
        eprintln!(
            "finding the capacity of {} against {target_label}{route_note}: {}",
            scenario.name,
            crate::capacity::describe(search)
        );
        let found = dvc_loadgen::capacity::find(
            scenario.clone(),
            client.clone(),
            &base_url,
            &target_label,
            search,
            interrupt,
            crate::capacity::progress,
        )
        .await;
        if let Some(sim) = sim {
            sim.shutdown().await;
        }
        return Ok(Ran::Capacity(Box::new(found)));
    }
    eprintln!(
        "running {}{} against {target_label}{route_note}: {}{when}",
        share,
        scenario.name,
        planned(&scenario.load, segment)
    );
    let opts = dvc_loadgen::RunOptions {
        base_url,
        target_label,
        live: live.clone(),
        progress,
        interrupt,
        segment,
        start_at,
    };
    let summary = dvc_loadgen::run(scenario.clone(), client.clone(), opts).await;
    if let (Some(url), Some(live)) = (&args.push, &live) {
        push(&client, url, &scenario.name, segment, live).await;
    }
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    Ok(Ran::Run(Box::new(summary)))
}

/// PUTs the final metrics to a Pushgateway; a failure is reported, not fatal.
async fn push(
    client: &dvc_http::HttpClient,
    url: &str,
    scenario: &str,
    segment: Segment,
    live: &LiveMetrics,
) {
    // Each segment pushes its own group, so one does not replace another's figures.
    let mut target = format!(
        "{}/metrics/job/dvcbench/scenario/{}",
        url.trim_end_matches('/'),
        dvc_http::encode(scenario)
    );
    if segment.is_split() {
        target.push_str(&format!("/segment/{}", segment.index));
    }
    let mut request = dvc_http::Prepared::get(&target);
    request.method = hyper::Method::PUT;
    request.body = hyper::body::Bytes::from(live.render());
    request.headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    match dvc_http::send(client, request, std::time::Duration::from_secs(10)).await {
        Ok(resp) if resp.status < 300 => eprintln!("metrics pushed to {target}"),
        Ok(resp) => eprintln!("pushgateway answered {} at {target}", resp.status),
        Err(f) => eprintln!("cannot push metrics to {target}: {}", f.reason),
    }
}
