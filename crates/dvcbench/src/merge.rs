//! `dvcbench merge`: one run.json from the results of a split run's segments.

use crate::cli::MergeArgs;
use crate::{ExitStatus, Failure};
use anyhow::{Context, anyhow};
use dvc_loadgen::merge::{Part, merge, read_summaries};
use dvc_loadgen::summary::Verdict;
use std::io::{Read, Write};

/// `dvcbench merge FILE…`: everything is read and checked before anything is written.
pub fn run(args: MergeArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let lang = crate::report::lang(&args.lang)?;
    if args.out.is_none() && args.report.is_none() && args.md.is_none() {
        return Err(Failure::bad_input(anyhow!(
            "give --out FILE (the merged run.json), --report FILE or --md FILE"
        )));
    }
    let mut parts = Vec::new();
    for file in &args.files {
        let name = file.display().to_string();
        let text = if name == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input")
                .map_err(Failure::bad_input)?;
            text
        } else {
            std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {name}"))
                .map_err(Failure::bad_input)?
        };
        let summaries = read_summaries(&name, &text).map_err(Failure::bad_input)?;
        let many = summaries.len() > 1;
        for (i, summary) in summaries.into_iter().enumerate() {
            let source_name = match many {
                true => format!("{name} (result {})", i + 1),
                false => name.clone(),
            };
            parts.push(Part {
                source_name,
                summary,
            });
        }
    }
    let merged = merge(parts).map_err(Failure::bad_input)?;
    out.write_all(merged.render_text().as_bytes())?;
    if let Some(path) = &args.out {
        let json = serde_json::to_string_pretty(&merged).map_err(Failure::failed)?;
        crate::report::write(path, &(json + "\n"))?;
        writeln!(out, "\nmerged summary written to {}", path.display())?;
    }
    if let Some(path) = &args.report {
        crate::report::write(path, &dvc_report::html(&merged, None, lang))?;
        writeln!(out, "report written to {}", path.display())?;
    }
    if let Some(path) = &args.md {
        crate::report::write(path, &dvc_report::markdown(&merged, None, lang))?;
        writeln!(out, "Markdown report written to {}", path.display())?;
    }
    if merged.verdict() != Verdict::Incomplete
        && let Some(failure) = crate::run::not_measured(&merged)
    {
        return Err(failure);
    }
    match merged.verdict() {
        Verdict::Passed => Ok(()),
        Verdict::Failed => Err(crate::run::thresholds_failed(&merged)),
        Verdict::Incomplete => Err(Failure {
            code: ExitStatus::Aborted,
            error: anyhow!(
                "the merged run is incomplete: {}",
                merged
                    .stop_reason
                    .as_deref()
                    .unwrap_or("a segment stopped early")
            ),
        }),
    }
}
