//! `dvcbench portal`: the reference portal simulator as a server.

use crate::Failure;
use crate::calendar::build_calendar;
use crate::cli::PortalArgs;
use anyhow::{Context, anyhow};
use dvc_portal_sim::config::SimConfig;
use std::io::Write;

/// Loads and validates the simulator configuration, applying command-line overrides.
pub fn load_config(args: &PortalArgs) -> Result<SimConfig, Failure> {
    let mut config = match &args.config {
        Some(path) => read_sim_config(path)?,
        None => SimConfig::default(),
    };
    if let Some(scale) = args.time_scale {
        if !(scale.is_finite() && scale > 0.0 && scale <= 1e6) {
            return Err(Failure::bad_input(anyhow!(
                "--time-scale must be > 0 and at most 1000000; got {scale}"
            )));
        }
        config.time_scale = toml::Spanned::new(0..0, scale);
    }
    if args.admin_token.is_some() {
        config.admin_token.clone_from(&args.admin_token);
    }
    Ok(config)
}

/// Reads and validates a simulator configuration file; problems are bad input (exit 2).
/// Deprecated keys are named on stderr with their replacement.
pub fn read_sim_config(path: &std::path::Path) -> Result<SimConfig, Failure> {
    let source = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read portal config {}", path.display()))
        .map_err(Failure::bad_input)?;
    let config = SimConfig::parse(&path.display().to_string(), &source).map_err(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Failure::bad_input(anyhow!("{}", text.join("\n")))
    })?;
    for deprecated in &config.deprecated {
        eprintln!("warning: {deprecated}");
    }
    Ok(config)
}

/// Runs the simulator until Ctrl-C or SIGTERM.
pub fn run(args: PortalArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let config = load_config(&args)?;
    let calendar = build_calendar(args.holidays.as_deref(), args.office_hours.as_deref())
        .map_err(Failure::bad_input)?;
    let runtime = tokio::runtime::Runtime::new().map_err(Failure::failed)?;
    runtime.block_on(async {
        let sim = dvc_portal_sim::server::start(&config, args.listen, calendar)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))
            .map_err(Failure::bad_input)?;
        writeln!(out, "portal simulator listening on {}", sim.url())?;
        writeln!(out, "metrics at {}/metrics; Ctrl-C stops it", sim.url())?;
        for (portal, url) in &sim.portals {
            writeln!(
                out,
                "portal {} ({}): {url}/",
                portal.name, portal.province.name
            )?;
        }
        out.flush()?;
        wait_for_signal().await;
        writeln!(out, "stopping")?;
        sim.shutdown().await;
        Ok(())
    })
}

pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
