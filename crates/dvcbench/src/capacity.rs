//! `dvcbench run --find-capacity`: the search's settings from the command line, its progress
//! on stderr, and its results (terminal, `--out` JSON, `--report` HTML, exit code).

use crate::cli::RunArgs;
use crate::{ExitStatus, Failure};
use anyhow::{Context, anyhow, bail};
use dvc_loadgen::capacity::{Capacity, Search, Step};
use dvc_loadgen::scenario::Scenario;
use dvc_loadgen::units::parse_duration;
use std::io::Write;

/// How long each step is held unless `--duration` says.
const DEFAULT_HOLD: &str = "30s";

/// The search a run asks for: from the scenario's highest stage rate (after `--rate` and
/// `--scale`), each step held `--duration`, up to `max_rate`. Flags that make no sense for a
/// search are refused rather than ignored.
pub fn search(scenario: &Scenario, args: &RunArgs) -> anyhow::Result<Search> {
    let clashing = [
        (
            args.segment.is_some() || args.segments.is_some(),
            "--segment",
        ),
        (args.metrics_listen.is_some(), "--metrics-listen"),
        (args.push.is_some(), "--push"),
        (args.print_result, "--print-result"),
        (args.start_at.is_some(), "--start-at"),
    ];
    if let Some((_, flag)) = clashing.iter().find(|(given, _)| *given) {
        bail!(
            "--find-capacity runs one step after another on this machine; {flag} does not apply to it"
        );
    }
    let Some(open) = scenario.load.as_open() else {
        bail!(
            "--find-capacity raises an arrival rate: it needs an open-model scenario (this one is closed)"
        );
    };
    let hold = parse_duration(args.duration.as_deref().unwrap_or(DEFAULT_HOLD))
        .map_err(|e| anyhow!("--duration: {e}"))?
        .as_secs_f64();
    if hold < 1.0 {
        bail!("--duration: each step must be held at least 1s to be judged");
    }
    let start = open.stages.iter().map(|s| s.rate).fold(0.0, f64::max);
    if start <= 0.0 {
        bail!("the scenario's stages plan no arrivals to start the search from: give --rate");
    }
    Ok(Search::new(start, hold, open.max_rate))
}

/// The search in one line, for the run's first line.
pub fn describe(s: &Search) -> String {
    format!(
        "steps of {}s from {:.2}/s, ×{} until one is not held, then narrowed {} times; up to max_rate {:.2}/s",
        s.hold, s.start, s.growth, s.refine, s.max
    )
}

/// One line on stderr per step as it ends.
pub fn progress(i: usize, step: &Step) {
    eprintln!(
        "step {i}: {:.2}/s {} (p95 {}, errors {:.2}%){}",
        step.rate,
        if step.held { "held" } else { "not held" },
        dvc_loadgen::units::fmt_seconds(step.p95),
        step.error_rate * 100.0,
        step.why
            .as_deref()
            .map(|w| format!(": {w}"))
            .unwrap_or_default()
    );
}

/// Prints and writes the result; the exit code says whether a capacity was found.
pub fn finish(found: &Capacity, args: &RunArgs, out: &mut dyn Write) -> Result<(), Failure> {
    out.write_all(found.render_text().as_bytes())?;
    if let Some(path) = &args.out {
        let json = serde_json::to_string_pretty(found).map_err(Failure::failed)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::failed)?;
        writeln!(out, "\nsteps written to {}", path.display())?;
    }
    if let Some(path) = &args.report {
        let html = dvc_report::capacity::html(found, crate::report::lang(&args.lang)?);
        crate::report::write(path, &html)?;
        writeln!(out, "report written to {}", path.display())?;
    }
    if found.ended == "interrupted" {
        return Err(Failure {
            code: ExitStatus::Aborted,
            error: anyhow!("search interrupted; the steps above are all it found"),
        });
    }
    if found.capacity.is_none() {
        let measured = found.steps.first().is_some_and(|s| s.measured);
        return Err(Failure {
            code: if measured {
                ExitStatus::Failed
            } else {
                ExitStatus::NotMeasured
            },
            error: anyhow!("no capacity found: {}", found.ended),
        });
    }
    Ok(())
}
