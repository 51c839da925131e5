//! Result blocks: a run's summary carried through logs (`run --print-result`), and reading
//! summaries back from run.json files or logs.

use super::*;

const BEGIN: &str = "-----BEGIN DVCBENCH RUN-----";
const END: &str = "-----END DVCBENCH RUN-----";

/// The summary as a block of text a log can carry (`dvcbench run --print-result`): the
/// compressed `run.json` in base64 lines of 76 characters between two marker lines, so it
/// survives log collectors that split long lines. The scenario's text is left out: it may hold
/// credentials, and logs are read more widely than result files.
pub fn result_block(summary: &RunSummary) -> String {
    use base64::Engine;
    use std::io::Write;
    let summary = RunSummary {
        scenario_source: None,
        ..summary.clone()
    };
    let json = serde_json::to_vec(&summary).expect("invariant: a summary serializes");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)
        .expect("invariant: writing to a Vec cannot fail");
    let bytes = gz
        .finish()
        .expect("invariant: writing to a Vec cannot fail");
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = String::with_capacity(text.len() + text.len() / 76 + 64);
    out.push_str(BEGIN);
    out.push('\n');
    for line in text.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("invariant: base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// At most this much JSON from one block (a run.json of a long run with many steps is a few
/// megabytes).
const MAX_JSON: u64 = 256 << 20;

/// The summaries in `text`: a `run.json` itself, or any number of result blocks among other
/// lines (a pod's log, several pods' logs one after another).
pub fn read_summaries(source_name: &str, text: &str) -> Result<Vec<RunSummary>, MergeError> {
    let unreadable = |message: String| MergeError::Unreadable {
        source_name: source_name.to_owned(),
        message,
    };
    if text.trim_start().starts_with('{') {
        let summary = serde_json::from_str(text)
            .map_err(|e| unreadable(format!("not a run summary: {e}")))?;
        return Ok(vec![summary]);
    }
    let mut summaries = Vec::new();
    let mut block: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        // Log collectors may prefix lines (timestamps, pod names): the markers are found
        // anywhere in a line, and a base64 line is its last word.
        if line.contains(BEGIN) {
            if let Some((start, _)) = block {
                return Err(unreadable(format!(
                    "the result block at line {} has no end",
                    start + 1
                )));
            }
            block = Some((n, String::new()));
        } else if line.contains(END) {
            let (start, data) = block.take().ok_or_else(|| {
                unreadable(format!(
                    "line {}: a result block ends that never began",
                    n + 1
                ))
            })?;
            summaries.push(
                decode_block(&data).map_err(|e| {
                    unreadable(format!("the result block at line {}: {e}", start + 1))
                })?,
            );
        } else if let Some((_, data)) = &mut block {
            data.push_str(line.split_whitespace().last().unwrap_or(""));
        }
    }
    if let Some((start, _)) = block {
        return Err(unreadable(format!(
            "the result block at line {} is cut short (no end marker)",
            start + 1
        )));
    }
    if summaries.is_empty() {
        return Err(unreadable(
            "neither a run.json nor a log holding a dvcbench result block".to_owned(),
        ));
    }
    Ok(summaries)
}

fn decode_block(data: &str) -> Result<RunSummary, String> {
    use base64::Engine;
    use std::io::Read;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| format!("not base64 ({e})"))?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("damaged ({e})"))?;
    if json.len() as u64 > MAX_JSON {
        return Err("larger than any run summary".to_owned());
    }
    serde_json::from_slice(&json).map_err(|e| format!("not a run summary ({e})"))
}
