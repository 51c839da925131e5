//! `dvcbench import har` and `import jmx`: a browser recording or a JMeter test plan as a
//! scenario file, checked by the scenario's own validation before it is written.

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
    finish(&text, &shown, args.out.as_deref(), out)
}

/// `dvcbench import jmx`.
pub fn jmx(args: crate::cli::ImportJmxArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let meta = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {shown}"))
        .map_err(Failure::bad_input)?;
    if meta.len() > MAX_HAR_BYTES {
        return Err(Failure::bad_input(anyhow!(
            "{shown} is over {} MB",
            MAX_HAR_BYTES >> 20
        )));
    }
    let xml = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {shown} as UTF-8 text"))
        .map_err(Failure::bad_input)?;
    let text = dvc_loadgen::import::jmx::import(&xml, &shown)
        .map_err(|e| Failure::bad_input(anyhow!("{e}")))?;
    finish(&text, &shown, args.out.as_deref(), out)
}

/// Checks `text` as a scenario file would be checked (any `${NAME}` taken as set, files
/// relative to where it is written), then writes it.
fn finish(text: &str, shown: &str, to: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let to = to.filter(|p| *p != Path::new("-"));
    let checked_as = to.unwrap_or(Path::new("imported.toml"));
    dvc_loadgen::scenario::validate_with(
        checked_as,
        text,
        &|_| Some("set-at-run-time".into()),
        &dvc_loadgen::scenario::Disk,
    )
    .map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Failure::failed(anyhow!(
            "the scenario made from {shown} does not validate (its header says what was changed; please report it):\n{}\n\n{text}",
            list.join("\n")
        ))
    })?;
    match to {
        Some(path) => {
            std::fs::write(path, text)
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
