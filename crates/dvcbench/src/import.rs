//! `dvcbench import har`: a browser recording as a scenario file, checked by the scenario's
//! own validation before it is written.

use crate::Failure;
use crate::cli::ImportHarArgs;
use anyhow::{Context, anyhow};
use std::io::{Read, Write};
use std::path::Path;

/// Largest recording read (a HAR with page bodies can be large; far beyond this is not a
/// visit but a day).
const MAX_HAR_BYTES: u64 = 512 << 20;

pub fn har(args: ImportHarArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {shown}"))
        .map_err(Failure::bad_input)?;
    let mut bytes = Vec::new();
    file.take(MAX_HAR_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {shown}"))
        .map_err(Failure::bad_input)?;
    if bytes.len() as u64 > MAX_HAR_BYTES {
        return Err(Failure::bad_input(anyhow!(
            "{shown} is over {} MB: record one visit, not a day",
            MAX_HAR_BYTES >> 20
        )));
    }
    let name = args.name.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map_or("imported".into(), |s| s.to_string_lossy().into_owned())
    });
    let options = dvc_loadgen::import::har::Options {
        name,
        host: args.host.clone(),
    };
    let text = dvc_loadgen::import::har::import(&bytes, &options)
        .map_err(|e| Failure::bad_input(anyhow!("{shown}:{e}")))?;
    // Checked as a scenario file would be, with any ${NAME} taken as set.
    let target = args
        .out
        .as_deref()
        .filter(|p| *p != Path::new("-"))
        .unwrap_or(Path::new("imported.toml"));
    dvc_loadgen::scenario::validate_with(
        target,
        &text,
        &|_| Some("set-at-run-time".into()),
        &dvc_loadgen::scenario::Disk,
    )
    .map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Failure::failed(anyhow!(
            "the scenario made from {shown} does not validate (please report it):\n{}",
            list.join("\n")
        ))
    })?;
    match args.out.as_deref().filter(|p| *p != Path::new("-")) {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))
                .map_err(Failure::bad_input)?;
            let steps = text.matches("[[journey.step]]").count();
            writeln!(
                out,
                "{steps} steps written to {}; its header says what was left out, changed and correlated",
                path.display()
            )?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
