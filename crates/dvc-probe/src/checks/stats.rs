//! Stats checks: deadline figures from the portal's public statistics.

use super::{CheckOutcome, Failed, Probe, failed, json_answer};
use crate::config::{ProbeCheck, ProbeTarget, StatsCheck, StatsField};
use crate::history::figure;
use dvc_http::Prepared;
use serde_json::Value;

impl Probe {
    /// One run of a stats check.
    pub async fn stats(
        &self,
        t: &ProbeTarget,
        c: &ProbeCheck,
        s: &StatsCheck,
    ) -> Result<(), Failed> {
        let answer = self
            .send(t, c, "stats", Prepared::get(format!("{}{}", t.url, s.path)))
            .await?;
        let body = json_answer(&answer, 200, "statistics")?;
        let items: Vec<&Value> = match &s.items {
            Some(path) => path
                .find(&body)
                .and_then(Value::as_array)
                .ok_or_else(|| failed(CheckOutcome::CheckFailed, format!("{path} is not a list")))?
                .iter()
                .collect(),
            None => vec![&body],
        };
        // Over all agencies: (finished early or on time, or open in time; all finished or open).
        let mut on_time = (0.0, 0.0);
        for item in items {
            let agency = s
                .agency
                .as_ref()
                .and_then(|p| p.find(item))
                .map_or_else(|| "all".to_owned(), dvc_loadgen::as_text);
            let mut figures = Vec::new();
            for (field, path) in &s.fields {
                let Some(value) = path.find(item).and_then(Value::as_f64) else {
                    return Err(failed(
                        CheckOutcome::CheckFailed,
                        format!("{path} is not a number for agency {agency}"),
                    ));
                };
                figures.push((*field, value));
                self.metrics
                    .stats_dossiers
                    .with_label_values(&[&t.portal, &t.province, &agency, field.id()])
                    .set(value);
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
                if all > 0.0 {
                    self.metrics
                        .stats_on_time_ratio
                        .with_label_values(&[&t.portal, &t.province, &agency])
                        .set((e + o + i) / all);
                }
            }
        }
        if on_time.1 > 0.0 {
            self.observe(t, figure::STATS_ON_TIME, on_time.0);
            self.observe(t, figure::STATS_COUNTED, on_time.1);
        }
        Ok(())
    }
}
