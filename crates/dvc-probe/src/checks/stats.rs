//! Stats checks: deadline figures from the portal's public statistics.

use super::{CheckOutcome, Failed, Probe, failed, json_answer};
use crate::config::{ProbeCheck, ProbeTarget, StatsCheck, StatsField};
use crate::history::figure;
use dvc_http::Prepared;
use serde_json::Value;
use std::collections::BTreeMap;

/// Distinct `agency` label values exported per portal; the figures of further agencies are
/// summed under `agency="other"`, and counted in `dvc_probe_label_values_dropped_total`.
pub const MAX_AGENCIES: usize = 100;

/// Longest `agency` label value, in characters; longer names are cut.
const MAX_AGENCY_CHARS: usize = 64;

/// Where a stats check reads: its `path` under the target's URL, or a whole URL (a national
/// scoreboard on another host).
fn stats_url(target: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else {
        format!("{target}{path}")
    }
}

impl Probe {
    /// Whether `agency` may be a label value of `portal`: one already exported, or a new one
    /// while fewer than [`MAX_AGENCIES`] are.
    fn admit_agency(&self, portal: &str, agency: &str) -> bool {
        let mut seen = self.agencies.lock().unwrap_or_else(|p| p.into_inner());
        let known = seen.entry(portal.to_owned()).or_default();
        if known.contains(agency) {
            return true;
        }
        if known.len() >= MAX_AGENCIES {
            return false;
        }
        known.insert(agency.to_owned());
        true
    }

    /// One run of a stats check.
    pub async fn stats(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        s: &StatsCheck,
    ) -> Result<(), Failed> {
        let answer = self
            .send(t, c, "stats", Prepared::get(stats_url(&t.url, &s.path)))
            .await?;
        let body = json_answer(&answer, 200, "statistics")?;
        let items: Vec<&Value> = match &s.items {
            Some(path) => path
                .find(&body)
                .and_then(Value::as_array)
                .ok_or_else(|| failed(CheckOutcome::CheckFailed, format!("{path} is not a list")))?
                .iter()
                .filter(|item| {
                    s.select.iter().all(|(path, want)| {
                        path.find(item)
                            .is_some_and(|v| dvc_loadgen::as_text(v) == *want)
                    })
                })
                .collect(),
            None => vec![&body],
        };
        if !s.select.is_empty() && items.is_empty() {
            let wanted: Vec<String> = s
                .select
                .iter()
                .map(|(p, w)| format!("{p} = {w:?}"))
                .collect();
            return Err(failed(
                CheckOutcome::CheckFailed,
                format!("no item where {}", wanted.join(" and ")),
            ));
        }
        // Over all agencies: (finished early or on time, or open in time; all finished or open).
        let mut on_time = (0.0, 0.0);
        // Agencies past the bound: their figures summed, and how many there were.
        let mut other: BTreeMap<&'static str, f64> = BTreeMap::new();
        let mut other_on_time = (0.0, 0.0);
        let mut dropped = 0u64;
        // Every field summed over all agencies, for the index's counts.
        let mut totals: BTreeMap<&'static str, f64> = BTreeMap::new();
        for item in items {
            let named = s
                .agency
                .as_ref()
                .and_then(|p| p.find(item))
                .map_or_else(|| "all".to_owned(), dvc_loadgen::as_text);
            let named: String = named.chars().take(MAX_AGENCY_CHARS).collect();
            let agency = if self.admit_agency(&t.portal, &named) {
                Some(named.clone())
            } else {
                dropped += 1;
                None
            };
            let mut figures = Vec::new();
            for (field, path) in &s.fields {
                let Some(value) = path.find(item).and_then(Value::as_f64) else {
                    return Err(failed(
                        CheckOutcome::CheckFailed,
                        format!("{path} is not a number for agency {named}"),
                    ));
                };
                figures.push((*field, value));
                if field.is_index_count() {
                    *totals.entry(field.id()).or_default() += value;
                }
                match &agency {
                    Some(agency) => self
                        .metrics
                        .stats_dossiers
                        .with_label_values(&[&t.portal, &t.province, agency, field.id()])
                        .set(value),
                    None => *other.entry(field.id()).or_default() += value,
                }
            }
            let get = |f: StatsField| figures.iter().find(|(g, _)| *g == f).map(|(_, v)| *v);
            if let (Some(e), Some(o), Some(l), Some(i), Some(d)) = (
                get(StatsField::ResolvedEarly),
                get(StatsField::ResolvedOnTime),
                get(StatsField::ResolvedLate),
                get(StatsField::OpenInTime),
                get(StatsField::OpenOverdue),
            ) {
                let all = e + o + l + i + d;
                on_time.0 += e + o + i;
                on_time.1 += all;
                match &agency {
                    Some(agency) if all > 0.0 => self
                        .metrics
                        .stats_on_time_ratio
                        .with_label_values(&[&t.portal, &t.province, agency])
                        .set((e + o + i) / all),
                    Some(_) => {}
                    None => {
                        other_on_time.0 += e + o + i;
                        other_on_time.1 += all;
                    }
                }
            }
        }
        if dropped > 0 {
            for (field, value) in &other {
                self.metrics
                    .stats_dossiers
                    .with_label_values(&[&t.portal, &t.province, "other", field])
                    .set(*value);
            }
            if other_on_time.1 > 0.0 {
                self.metrics
                    .stats_on_time_ratio
                    .with_label_values(&[&t.portal, &t.province, "other"])
                    .set(other_on_time.0 / other_on_time.1);
            }
            self.metrics
                .label_values_dropped
                .with_label_values(&[&t.portal, &t.province, "agency"])
                .inc_by(dropped);
        }
        if on_time.1 > 0.0 {
            self.observe(t, figure::STATS_ON_TIME, on_time.0);
            self.observe(t, figure::STATS_COUNTED, on_time.1);
        }
        for (field, value) in totals {
            self.observe(t, &figure::stats_count(field), value);
        }
        Ok(())
    }
}
