//! `dvcbench probe`: the watching daemon.

use crate::calendar::build_calendar;
use crate::cli::ProbeArgs;
use crate::{Failure, portal::wait_for_signal};
use anyhow::{Context, anyhow};
use dvc_probe::checks::Probe;
use dvc_probe::config::{ProbeConfig, Secrets};
use dvc_probe::daemon::Daemon;
use dvc_probe::metrics::Metrics;
use dvc_probe::store::Store;
use std::io::Write;
use std::sync::Arc;

/// Runs the probe until Ctrl-C or SIGTERM; SIGHUP reloads the configuration.
pub fn run(args: ProbeArgs, out: &mut dyn Write) -> Result<(), Failure> {
    if let (Some(to), Some(state)) = (&args.backup, &args.state) {
        let store = Store::open_read_only(state).map_err(|e| Failure::bad_input(anyhow!(e)))?;
        store
            .backup(to)
            .map_err(|e| Failure::bad_input(anyhow!(e)))?;
        writeln!(out, "{} copied to {}", state.display(), to.display())?;
        return Ok(());
    }
    let Some(config_path) = args.config.clone() else {
        return Err(Failure::bad_input(anyhow!("give --config FILE")));
    };
    if args.check_config {
        let config = load(&config_path, Secrets::Deferred)?;
        out.write_all(summary(&config).as_bytes())?;
        writeln!(
            out,
            "{}: {} targets, {} checks: valid",
            config_path.display(),
            config.targets.len(),
            config.targets.iter().map(|t| t.checks.len()).sum::<usize>()
        )?;
        return Ok(());
    }
    let config = load(&config_path, Secrets::Required)?;
    for t in &config.targets {
        dvc_http::check_target(&t.url, &[], true)
            .map_err(|e| Failure::bad_input(anyhow!("target {}: {e}", t.portal)))?;
    }
    let calendar = build_calendar(args.holidays.as_deref(), args.office_hours.as_deref())
        .map_err(Failure::bad_input)?;
    let store = Store::open(args.state.as_deref()).map_err(|e| Failure::bad_input(anyhow!(e)))?;
    let runtime = tokio::runtime::Runtime::new().map_err(Failure::failed)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))
            .map_err(Failure::bad_input)?;
        let probe = Probe::new(Metrics::new(), Arc::new(store), calendar).map_err(Failure::failed)?;
        let targets = config.targets.len();
        let limits = config.listener;
        let daemon = Daemon::start(probe, config_path.clone(), config);
        // The address bound: with port 0, the one the system chose.
        let addr = listener.local_addr().map_err(Failure::failed)?;
        writeln!(out, "probe watching {targets} targets; metrics at http://{addr}/metrics, status at http://{addr}/")?;
        out.flush()?;
        let reloads = tokio::spawn(reload_on_sighup(daemon.clone()));
        dvc_http::serve(
            listener,
            daemon.router(),
            limits,
            wait_for_signal(),
        )
        .await;
        reloads.abort();
        daemon.stop();
        writeln!(out, "stopping")?;
        Ok(())
    })
}

/// What `--check-config` shows: where the probe stands, each target and what each check will
/// send, and the secrets this machine could not read (the daemon's must). No secret is shown.
fn summary(config: &ProbeConfig) -> String {
    let l = &config.listener;
    let mut out = format!(
        "probe {:?}: history {} days; listener up to {} connections, request heads within {:?}\n",
        config.location, config.history_days, l.max_connections, l.header_read_timeout
    );
    for t in &config.targets {
        out.push_str(&format!("\n{} ({}) {}\n", t.portal, t.province, t.url));
        if let Some(a) = &t.active {
            out.push_str(&format!(
                "  active checks allowed on test procedure(s) {}; consent: {}\n",
                a.test_procedures.join(", "),
                a.consent
            ));
        }
        for c in &t.checks {
            out.push_str(&format!("  {:<16} {}\n", c.name, c.describe()));
        }
    }
    if !config.notes.is_empty() {
        out.push_str("\nnot readable here:\n");
        for n in &config.notes {
            out.push_str(&format!("  {n}\n"));
        }
    }
    out.push('\n');
    out
}

fn load(path: &std::path::Path, secrets: Secrets) -> Result<ProbeConfig, Failure> {
    ProbeConfig::load_with(path, secrets).map_err(|errors| {
        Failure::bad_input(anyhow!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ))
    })
}

async fn reload_on_sighup(daemon: Arc<Daemon>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            let d = daemon.clone();
            let _ = tokio::task::spawn_blocking(move || d.reload()).await;
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await;
}
