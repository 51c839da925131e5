//! `dvcbench report`: run reports from run.json.

use crate::Failure;
use crate::cli::ReportArgs;
use anyhow::{Context, anyhow};
use dvc_loadgen::summary::RunSummary;
use dvc_report::Lang;
use std::io::Write;
use std::path::Path;

/// Reads a run summary.
pub fn read_summary(path: &Path) -> Result<RunSummary, Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .map_err(Failure::bad_input)?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::bad_input(anyhow!(
            "{}:{}:{}: not a run.json: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Parses `--lang`.
pub fn lang(text: &str) -> Result<Lang, Failure> {
    text.parse::<Lang>()
        .map_err(|e| Failure::bad_input(anyhow!("--lang: {e}")))
}

/// Writes `text` to `path`.
pub fn write(path: &Path, text: &str) -> Result<(), Failure> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path`, saying which file could not be written.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(Failure::failed)
}

/// `dvcbench report RUN_JSON`.
pub fn run(args: ReportArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let lang = lang(&args.lang)?;
    let summary = read_summary(&args.run)?;
    let baseline = args.baseline.as_deref().map(read_summary).transpose()?;
    if args.html.is_none() && args.md.is_none() {
        return Err(Failure::bad_input(anyhow!(
            "give --html FILE, --md FILE, or both"
        )));
    }
    if let Some(path) = &args.html {
        write(path, &dvc_report::html(&summary, baseline.as_ref(), lang))?;
        writeln!(out, "HTML report written to {}", path.display())?;
    }
    if let Some(path) = &args.md {
        let md = dvc_report::markdown(&summary, baseline.as_ref(), lang);
        if path.as_os_str() == "-" {
            out.write_all(md.as_bytes())?;
        } else {
            write(path, &md)?;
            writeln!(out, "Markdown report written to {}", path.display())?;
        }
    }
    Ok(())
}
