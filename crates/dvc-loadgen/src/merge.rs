//! Adding segments' summaries into one (`dvcbench merge`), and the result block a generator
//! prints so a log can carry its summary.
//!
//! Merging is exact: counts are added, and percentiles are read from the sum of the segments'
//! HdrHistograms (never averaged), per step, per journey and per second of the timeline. So
//! the merged `run.json` is what one generator running the whole plan would have written,
//! and the thresholds are judged again on it. Segments of different plans (scenario file,
//! overrides), seeds or segment counts are refused; a segment of 1..N that is not there
//! makes the result incomplete, and says which.

use crate::recorder::Series;
use crate::summary::{
    Arrivals, GooseFigures, GooseStep, RunSummary, SegmentInfo, Stats, ThresholdResult,
    TimelinePoint, VerifyResult,
};
use crate::thresholds::Threshold;
use std::collections::{BTreeMap, BTreeSet};

/// Why summaries cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    #[error("nothing to merge: no run summary was given")]
    Empty,
    #[error("{source_name}: {message}")]
    Unreadable {
        source_name: String,
        message: String,
    },
    #[error(
        "{source_name} is not a segment of the same run as {first}: {what} differs ({theirs} vs {ours})"
    )]
    Foreign {
        source_name: String,
        first: String,
        what: &'static str,
        ours: String,
        theirs: String,
    },
    #[error("segment {index}/{count} is given twice: {first} and {second}")]
    Twice {
        index: u32,
        count: u32,
        first: String,
        second: String,
    },
}

/// A summary with where it came from (a file name, for errors).
pub struct Part {
    pub source_name: String,
    pub summary: RunSummary,
}

/// Merges the summaries of one run's segments.
pub fn merge(parts: Vec<Part>) -> Result<RunSummary, MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?;
    let (reference, by_index) = segments_of(&parts)?;
    let parts: Vec<&Part> = by_index.values().copied().collect();
    let missing: Vec<u32> = (1..=reference.count)
        .filter(|i| !by_index.contains_key(i))
        .collect();
    let stats = |pick: fn(&RunSummary) -> &[Stats]| add_stats(first, &parts, pick);
    let steps = stats(|s| &s.steps)?;
    let journeys = stats(|s| &s.journeys)?;
    let all = stats(|s| std::slice::from_ref(&s.all_journeys))?;
    let timeline = timeline(&parts).map_err(|(p, e)| unreadable(p, e))?;

    let complete = missing.is_empty() && parts.iter().all(|p| p.summary.complete);
    let stop_reason = if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|i| format!("{i}/{}", reference.count))
            .collect();
        Some(format!(
            "incomplete: segment(s) {} missing",
            list.join(", ")
        ))
    } else {
        parts.iter().find_map(|p| {
            let seg = p.summary.segment.as_ref()?;
            let reason = p.summary.stop_reason.as_ref()?;
            Some(format!("segment {}/{}: {reason}", seg.index, seg.count))
        })
    };
    let mut merged = RunSummary {
        schema_version: first.summary.schema_version,
        model: first.summary.model.clone(),
        scenario: first.summary.scenario.clone(),
        description: first.summary.description.clone(),
        target: first.summary.target.clone(),
        started_at: parts
            .iter()
            .map(|p| p.summary.started_at.clone())
            .min()
            .unwrap_or_default(),
        duration_seconds: parts
            .iter()
            .map(|p| p.summary.duration_seconds)
            .fold(0.0, f64::max),
        complete,
        stop_reason,
        arrivals: parts.iter().fold(Arrivals::default(), |a, p| {
            let b = &p.summary.arrivals;
            Arrivals {
                planned: a.planned + b.planned,
                started: a.started + b.started,
                late: a.late + b.late,
                dropped: a.dropped + b.dropped,
            }
        }),
        requests_total: parts.iter().map(|p| p.summary.requests_total).sum(),
        all_journeys: all.into_iter().next().unwrap_or_default(),
        journeys,
        steps,
        thresholds: Vec::new(),
        verify: verify(&parts).map_err(|(p, e)| unreadable(p, e))?,
        timeline,
        dvcbench_version: first.summary.dvcbench_version.clone(),
        scenario_source: first.summary.scenario_source.clone(),
        machine: None,
        goose: goose(&parts),
        segment: None,
        segments: parts
            .iter()
            .filter_map(|p| p.summary.segment.clone())
            .collect(),
        missing_segments: missing,
        journeys_panicked: parts.iter().map(|p| p.summary.journeys_panicked).sum(),
        load_id: first.summary.load_id.clone(),
    };
    merged.thresholds =
        judge(&first.summary.thresholds, &merged).map_err(|e| unreadable(first, e))?;
    Ok(merged)
}

fn unreadable(part: &Part, message: String) -> MergeError {
    MergeError::Unreadable {
        source_name: part.source_name.clone(),
        message,
    }
}

/// Checks that the parts are segments of one run, each once; returns the first's record and
/// the parts by segment number.
fn segments_of(parts: &[Part]) -> Result<(SegmentInfo, BTreeMap<u32, &Part>), MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?;
    let info = |p: &Part| {
        p.summary
            .segment
            .clone()
            .ok_or_else(|| unreadable(p, "not a segment's summary (it has no \"segment\")".into()))
    };
    let reference = info(first)?;
    let mut by_index: BTreeMap<u32, &Part> = BTreeMap::new();
    for part in parts {
        let seg = info(part)?;
        let foreign = |what, ours: String, theirs: String| MergeError::Foreign {
            source_name: part.source_name.clone(),
            first: first.source_name.clone(),
            what,
            ours,
            theirs,
        };
        if seg.plan_id != reference.plan_id {
            return Err(foreign(
                "the plan (scenario file or overrides)",
                reference.plan_id.clone(),
                seg.plan_id,
            ));
        }
        if seg.seed != reference.seed {
            return Err(foreign(
                "the seed",
                reference.seed.to_string(),
                seg.seed.to_string(),
            ));
        }
        if seg.count != reference.count {
            return Err(foreign(
                "the number of segments",
                reference.count.to_string(),
                seg.count.to_string(),
            ));
        }
        if part.summary.scenario != first.summary.scenario
            || part.summary.model != first.summary.model
        {
            return Err(foreign(
                "the scenario",
                first.summary.scenario.clone(),
                part.summary.scenario.clone(),
            ));
        }
        if seg.index == 0 || seg.index > seg.count {
            return Err(unreadable(
                part,
                format!("segment {}/{} does not exist", seg.index, seg.count),
            ));
        }
        if let Some(earlier) = by_index.insert(seg.index, part) {
            return Err(MergeError::Twice {
                index: seg.index,
                count: seg.count,
                first: earlier.source_name.clone(),
                second: part.source_name.clone(),
            });
        }
    }
    Ok((reference, by_index))
}

/// The steps' (or journeys') figures of all parts added, by position: the names must agree.
fn add_stats(
    first: &Part,
    parts: &[&Part],
    pick: fn(&RunSummary) -> &[Stats],
) -> Result<Vec<Stats>, MergeError> {
    let names: Vec<&str> = pick(&first.summary)
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut sums: Vec<Series> = names.iter().map(|_| Series::default()).collect();
    for part in parts {
        let list = pick(&part.summary);
        if list
            .iter()
            .map(|s| s.name.as_str())
            .ne(names.iter().copied())
        {
            return Err(unreadable(
                part,
                "its steps or journeys differ from the other segments'".into(),
            ));
        }
        for (sum, s) in sums.iter_mut().zip(list) {
            sum.merge(&s.series().map_err(|e| unreadable(part, e))?);
        }
    }
    Ok(names
        .iter()
        .zip(&sums)
        .map(|(n, s)| Stats::from_series(n, s))
        .collect())
}

/// The thresholds the segments carry, judged again on the merged figures.
fn judge(
    thresholds: &[ThresholdResult],
    merged: &RunSummary,
) -> Result<Vec<ThresholdResult>, String> {
    let steps: Vec<&str> = merged.steps.iter().map(|s| s.name.as_str()).collect();
    let journeys: Vec<&str> = merged.journeys.iter().map(|s| s.name.as_str()).collect();
    thresholds
        .iter()
        .map(|t| {
            let (metric, condition) = t
                .expression
                .split_once(' ')
                .ok_or_else(|| format!("threshold {:?} cannot be read", t.expression))?;
            let th = Threshold::parse(metric, condition, &steps, &journeys)
                .map_err(|e| e.to_string())?;
            let (value, passed) = th.evaluate(merged);
            Ok(ThresholdResult {
                expression: th.expression,
                value,
                passed,
            })
        })
        .collect()
}

/// The segments' timelines second by second: counts added, percentiles from the added
/// histograms. A point closing second s of one segment meets the points closing second s of
/// the others (they started together).
fn timeline<'a>(parts: &[&'a Part]) -> Result<Vec<TimelinePoint>, (&'a Part, String)> {
    let mut seconds: BTreeMap<u64, (TimelinePoint, Series)> = BTreeMap::new();
    for part in parts {
        for p in &part.summary.timeline {
            if !(p.t.is_finite() && p.t >= 0.0) {
                return Err((part, format!("a timeline point has t = {}", p.t)));
            }
            let second = (p.t - 1e-6).ceil().max(0.0) as u64;
            let (sum, latency) = seconds.entry(second).or_default();
            sum.t = sum.t.max(p.t);
            sum.planned_rate += p.planned_rate;
            sum.arrivals_started += p.arrivals_started;
            sum.requests += p.requests;
            sum.in_flight += p.in_flight;
            for (k, v) in &p.errors {
                *sum.errors.entry(k.clone()).or_default() += v;
            }
            sum.planned_users = add(sum.planned_users, p.planned_users);
            sum.users = add(sum.users, p.users);
            if let Some(h) = &p.histogram {
                let h = crate::recorder::decode(h)
                    .map_err(|e| (*part, format!("timeline at {}s: {e}", p.t)))?;
                latency
                    .latency
                    .add(&h)
                    .map_err(|e| (*part, format!("{e:?}")))?;
            }
        }
    }
    Ok(seconds
        .into_values()
        .map(|(mut point, series)| {
            let h = &series.latency;
            let q = |q: f64| (!h.is_empty()).then(|| h.value_at_quantile(q) as f64 / 1e6);
            (point.p50, point.p95, point.p99) = (q(0.5), q(0.95), q(0.99));
            point.histogram = (!h.is_empty()).then(|| crate::recorder::encode(h));
            point.planned_rate = (point.planned_rate * 1e6).round() / 1e6;
            point
        })
        .collect())
}

fn add<T: std::ops::Add<Output = T>>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// Verify results united: lookups added; duplicates counted over all segments' values when
/// every segment kept their hashes.
fn verify<'a>(parts: &[&'a Part]) -> Result<Option<VerifyResult>, (&'a Part, String)> {
    let results: Vec<(&Part, &VerifyResult)> = parts
        .iter()
        .filter_map(|p| p.summary.verify.as_ref().map(|v| (*p, v)))
        .collect();
    let Some((_, first)) = results.first() else {
        return Ok(None);
    };
    let mut united = VerifyResult {
        variable: first.variable.clone(),
        ..VerifyResult::default()
    };
    let mut all = Vec::new();
    let mut hashed = true;
    for (part, v) in &results {
        united.checked += v.checked;
        united.missing += v.missing;
        united.duplicated += v.duplicated;
        united.unchecked += v.unchecked;
        match &v.value_hashes {
            Some(text) => all.extend(decode_hashes(text).map_err(|e| (*part, e))?),
            None => hashed = false,
        }
    }
    if hashed {
        let distinct: BTreeSet<u64> = all.iter().copied().collect();
        united.duplicated = (all.len() - distinct.len()) as u64;
    }
    Ok(Some(united))
}

/// A closed run's Goose figures cannot be added (they are percentiles, not histograms): the
/// merged result keeps the request counts and the citizens, and leaves the percentiles out.
fn goose(parts: &[&Part]) -> Option<GooseFigures> {
    let mut figures: Option<GooseFigures> = None;
    for g in parts.iter().filter_map(|p| p.summary.goose.as_ref()) {
        let sum = figures.get_or_insert_with(|| GooseFigures {
            mitigation: format!("{} (per segment; percentiles are not added)", g.mitigation),
            max_users: 0,
            steps: g
                .steps
                .iter()
                .map(|s| GooseStep {
                    name: s.name.clone(),
                    ..GooseStep::default()
                })
                .collect(),
        });
        sum.max_users += g.max_users;
        for (a, b) in sum.steps.iter_mut().zip(&g.steps) {
            a.requests += b.requests;
            a.adjusted_requests += b.adjusted_requests;
        }
    }
    figures
}

/// The hashes of a verify variable's values, as kept in `run.json`.
pub fn encode_hashes(values: &[String]) -> String {
    use base64::Engine;
    use std::hash::{Hash, Hasher};
    let mut hashes: Vec<u64> = values
        .iter()
        .map(|v| {
            // SipHash with fixed keys: the same value hashes the same on every generator.
            let mut h = std::hash::DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        })
        .collect();
    hashes.sort_unstable();
    let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn decode_hashes(text: &str) -> Result<Vec<u64>, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("verify.value_hashes is not base64: {e}"))?;
    if bytes.len() % 8 != 0 {
        return Err("verify.value_hashes is cut short".to_owned());
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("invariant: eight bytes")))
        .collect())
}

mod blocks;
pub use blocks::{read_summaries, result_block};

#[cfg(test)]
mod tests;
