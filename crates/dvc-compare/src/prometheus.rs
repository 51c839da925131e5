//! The comparison from Prometheus, through its HTTP API: every figure is one PromQL
//! expression evaluated at the end of the period over the whole period. Percentiles come from
//! histogram buckets summed across probes and checks (`histogram_quantile` over
//! `sum by (le, province)`), never from averaged percentiles; counts from `increase`.

use crate::{Comparison, Figure, FigureId, Province, Query, TREND_POINTS, Trend, rank};
use dvc_http::encode;
use dvc_http::{HttpClient, Prepared};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Where Prometheus answers.
#[derive(Debug, Clone)]
pub struct Prometheus<'a> {
    /// Base URL (`http://prometheus:9090`).
    pub url: &'a str,
    /// Sent as `Authorization: Bearer …` (a Prometheus behind an authenticating proxy).
    pub bearer_token: Option<String>,
}

/// Why Prometheus gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    #[error("Prometheus at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Prometheus refused `{query}`: {reason}")]
    Query { query: String, reason: String },
}

/// Per province: a value (or one per trend point).
type ByProvince = BTreeMap<String, f64>;

struct Api<'a> {
    client: HttpClient,
    url: &'a str,
    authorization: Option<dvc_http::header::HeaderValue>,
    /// The province matcher every selector carries: `province=~"A|B"`, or any province.
    only: String,
}

impl Api<'_> {
    async fn get(&self, path_and_query: String, query: &str) -> Result<Value, PrometheusError> {
        let url = format!("{}{path_and_query}", self.url.trim_end_matches('/'));
        let mut request = Prepared::get(url);
        if let Some(value) = &self.authorization {
            request
                .headers
                .insert(dvc_http::header::AUTHORIZATION, value.clone());
        }
        let answer = dvc_http::send(&self.client, request, Duration::from_secs(60))
            .await
            .map_err(|f| PrometheusError::Unreachable {
                url: self.url.to_owned(),
                reason: f.reason,
            })?;
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        if body["status"] != "success" {
            let reason = body["error"]
                .as_str()
                .map_or_else(|| format!("HTTP {}", answer.status), str::to_owned);
            return Err(PrometheusError::Query {
                query: query.to_owned(),
                reason,
            });
        }
        Ok(body["data"]["result"].clone())
    }

    /// `query` at `at` (Unix seconds): its series.
    async fn series(&self, query: &str, at: i64) -> Result<Value, PrometheusError> {
        let query = query.replace("SEL", &self.only);
        self.get(
            format!("/api/v1/query?query={}&time={at}", encode(&query)),
            &query,
        )
        .await
    }

    /// `query` at `at` (Unix seconds): its value per province.
    async fn instant(&self, query: &str, at: i64) -> Result<ByProvince, PrometheusError> {
        let result = self.series(query, at).await?;
        Ok(per_province(&result, |s| number(&s["value"][1])))
    }

    /// `query` from `start` to `end` (Unix milliseconds) every `step` milliseconds: its values
    /// per province, by the millisecond of each point.
    async fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<BTreeMap<String, BTreeMap<i64, f64>>, PrometheusError> {
        let query = query.replace("SEL", &self.only);
        let secs = |ms: i64| format!("{:.3}", ms as f64 / 1000.0);
        let result = self
            .get(
                format!(
                    "/api/v1/query_range?query={}&start={}&end={}&step={}",
                    encode(&query),
                    secs(start),
                    secs(end),
                    secs(step)
                ),
                &query,
            )
            .await?;
        let mut out = BTreeMap::new();
        for s in result.as_array().into_iter().flatten() {
            let points = s["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some(((p[0].as_f64()? * 1000.0).round() as i64, number(&p[1])?)))
                .collect();
            out.insert(province(s), points);
        }
        Ok(out)
    }
}

fn province(series: &Value) -> String {
    series["metric"]["province"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A sample value; NaN and infinities (an empty histogram, 0/0) are no value.
fn number(v: &Value) -> Option<f64> {
    v.as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|x| x.is_finite())
}

fn per_province(result: &Value, value: impl Fn(&Value) -> Option<f64>) -> ByProvince {
    result
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some((province(s), value(s)?)))
        .collect()
}

/// Availability runs: `http` and `journey` checks.
const RUNS: &str = r#"dvc_probes_total{kind=~"http|journey",SEL}"#;
const OK_RUNS: &str = r#"dvc_probes_total{kind=~"http|journey",outcome="ok",SEL}"#;

/// Compares the provinces Prometheus at `at.url` knows of.
pub async fn compare(at: Prometheus<'_>, q: Query<'_>) -> Result<Comparison, PrometheusError> {
    let client = dvc_http::build(false, &[]).map_err(|e| PrometheusError::Unreachable {
        url: at.url.to_owned(),
        reason: e.to_string(),
    })?;
    let only = if q.provinces.is_empty() {
        "province=~\".+\"".to_owned()
    } else {
        let names: Vec<String> = q.provinces.iter().map(|p| regex_quote(p)).collect();
        format!("province=~\"{}\"", names.join("|"))
    };
    let authorization = match &at.bearer_token {
        Some(token) => Some(
            dvc_http::header::HeaderValue::from_str(&format!("Bearer {}", token.trim())).map_err(
                |_| PrometheusError::Unreachable {
                    url: at.url.to_owned(),
                    reason: "the bearer token is not a valid header value".into(),
                },
            )?,
        ),
        None => None,
    };
    let api = Api {
        client,
        url: at.url,
        authorization,
        only,
    };
    let (from, to) = (q.from.timestamp(), q.to.timestamp());
    let d = format!("{}s", (to - from).max(1));
    // Office hours: runs counted in windows of `w` seconds, each while the probe said that
    // province's office was open by its own calendar (the gauge's value at the window's end).
    let w = ((to - from) / 120).clamp(10, 300);
    let mut figures: BTreeMap<FigureId, (ByProvince, ByProvince)> = BTreeMap::new();
    let counted = |selector: &str| format!("sum by (province) (increase({selector}[{d}]))");
    let office = |selector: &str| {
        format!(
            "sum by (province) (sum_over_time((sum by (province, instance) (increase({selector}[{w}s])) \
             * on (instance, province) group_left () max by (instance, province) (dvc_probe_office_open))[{d}:{w}s]))"
        )
    };
    let ratio = |good: &ByProvince, all: &ByProvince| -> (ByProvince, ByProvince) {
        let values = all
            .iter()
            .filter(|(_, n)| **n > 0.0)
            .map(|(p, n)| (p.clone(), good.get(p).copied().unwrap_or(0.0) / n))
            .collect();
        (values, all.clone())
    };
    let all = api.instant(&counted(RUNS), to).await?;
    let ok = api.instant(&counted(OK_RUNS), to).await?;
    figures.insert(FigureId::Availability, ratio(&ok, &all));
    let all = api.instant(&office(RUNS), to).await?;
    let ok = api.instant(&office(OK_RUNS), to).await?;
    figures.insert(FigureId::AvailabilityOffice, ratio(&ok, &all));
    // Latency percentiles; the browser's timings at the 75th, as page-speed figures are read.
    let percentiles: [(&str, &[(f64, FigureId)]); 7] = [
        (
            r#"dvc_probe_duration_seconds_bucket{kind="http",SEL}"#,
            &[(0.5, FigureId::PageP50), (0.95, FigureId::PageP95)],
        ),
        (
            r#"dvc_probe_duration_seconds_bucket{kind="journey",SEL}"#,
            &[(0.5, FigureId::JourneyP50), (0.95, FigureId::JourneyP95)],
        ),
        (
            r#"dvc_intake_latency_working_seconds_bucket{SEL}"#,
            &[(0.5, FigureId::IntakeP50), (0.95, FigureId::IntakeP95)],
        ),
        (
            r#"dvc_payment_confirmation_seconds_bucket{SEL}"#,
            &[(0.95, FigureId::PaymentP95)],
        ),
        (
            "dvc_browser_first_contentful_paint_seconds_bucket{SEL}",
            &[(0.75, FigureId::FcpP75)],
        ),
        (
            "dvc_browser_largest_contentful_paint_seconds_bucket{SEL}",
            &[(0.75, FigureId::LcpP75)],
        ),
        (
            "dvc_browser_total_blocking_time_seconds_bucket{SEL}",
            &[(0.75, FigureId::TbtP75)],
        ),
    ];
    for (histogram, wanted) in percentiles {
        let samples = api
            .instant(
                &format!(r#"sum by (province) (increase({histogram}[{d}]))"#)
                    .replace("_bucket{", "_count{"),
                to,
            )
            .await?;
        for &(q_, id) in wanted {
            let values = api
                .instant(
                    &format!(
                        "histogram_quantile({q_}, sum by (le, province) (increase({histogram}[{d}])))"
                    ),
                    to,
                )
                .await?;
            figures.insert(id, (values, samples.clone()));
        }
    }
    let accepted = api
        .instant(&counted("dvc_intake_accepted_total{SEL}"), to)
        .await?;
    let late = api
        .instant(&counted("dvc_intake_late_total{SEL}"), to)
        .await?;
    figures.insert(FigureId::LateAcceptance, ratio(&late, &accepted));
    let last = |figures: &str| {
        format!(
            r#"sum by (province) (last_over_time(dvc_stats_dossiers{{figure=~"{figures}",SEL}}[{d}]))"#
        )
    };
    let on_time = api
        .instant(&last("resolved_early|resolved_on_time|open_in_time"), to)
        .await?;
    let counted_all = api
        .instant(
            &last("resolved_early|resolved_on_time|resolved_late|open_in_time|open_overdue"),
            to,
        )
        .await?;
    figures.insert(FigureId::OnTime, ratio(&on_time, &counted_all));
    for f in FigureId::ALL {
        let Some((num, den)) = f.counts() else {
            continue;
        };
        let numerator = api.instant(&last(num), to).await?;
        let denominator = api.instant(&last(den), to).await?;
        if !denominator.is_empty() {
            figures.insert(f, ratio(&numerator, &denominator));
        }
    }

    let mut provinces: BTreeMap<String, Province> = BTreeMap::new();
    for (id, (values, samples)) in &figures {
        for (name, n) in samples {
            let p = provinces.entry(name.clone()).or_insert_with(|| Province {
                name: name.clone(),
                ..Province::default()
            });
            p.figures.insert(
                *id,
                Figure {
                    value: values.get(name).copied(),
                    samples: n.round().max(0.0) as u64,
                },
            );
        }
    }
    provinces.remove("");
    let mut provinces: Vec<Province> = provinces.into_values().collect();
    let unscored = rank(&mut provinces, &q.weights, q.min_samples);

    // Trends: each point covers the slice of the period before it (at least 15 s, so that
    // every window holds several scrapes).
    let (from_ms, to_ms) = (q.from.timestamp_millis(), q.to.timestamp_millis());
    let step = ((to_ms - from_ms) / TREND_POINTS as i64).max(1);
    let start = from_ms + step;
    let s = format!("{}ms", step.max(15_000));
    let availability = api
        .range(
            &format!(
                "sum by (province) (increase({OK_RUNS}[{s}])) / sum by (province) (increase({RUNS}[{s}]))"
            ),
            start,
            to_ms,
            step,
        )
        .await?;
    let page = api
        .range(
            &format!(
                r#"histogram_quantile(0.95, sum by (le, province) (increase(dvc_probe_duration_seconds_bucket{{kind="http",SEL}}[{s}])))"#
            ),
            start,
            to_ms,
            step,
        )
        .await?;
    let trend = |series: BTreeMap<String, BTreeMap<i64, f64>>| {
        let at: Vec<i64> = (0..TREND_POINTS as i64)
            .map(|i| start + i * step)
            .filter(|t| *t <= to_ms)
            .collect();
        Trend {
            at: at.iter().map(|t| *t as f64 / 1000.0).collect(),
            series: series
                .into_iter()
                .filter(|(p, _)| !p.is_empty())
                .map(|(p, points)| (p, at.iter().map(|t| points.get(t).copied()).collect()))
                .collect(),
        }
    };
    let locations = location_names(&api, &d, to).await?;
    Ok(Comparison {
        source: crate::Source::Prometheus(at.url.to_owned()),
        from: q.from,
        to: q.to,
        locations,
        provinces,
        weights: q.weights,
        unscored,
        min_samples: q.min_samples,
        availability_trend: trend(availability),
        page_p95_trend: trend(page),
    })
}

/// The probes' locations (from `dvc_probe_info`).
async fn location_names(api: &Api<'_>, d: &str, to: i64) -> Result<Vec<String>, PrometheusError> {
    let query = format!("count by (location) (last_over_time(dvc_probe_info[{d}]))");
    let result = api.series(&query, to).await?;
    Ok(result
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["metric"]["location"].as_str().map(str::to_owned))
        .collect())
}

/// `text` as a literal inside a PromQL regular expression in double quotes.
fn regex_quote(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push_str("\\\\");
        } else if c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
