//! Thresholds: `"step.submit.p95" = "< 800ms"`, evaluated against a run's summary.
//!
//! Names: `step.NAME.STAT` and `journey.NAME.STAT` (STAT: p50 p90 p95 p99 p999 max mean, in
//! seconds, or `error_rate` (0–1), `count`, `rate` (per second)); `journey.STAT` over all
//! journeys; `arrivals.planned|started|late|dropped`; `requests.total|error_rate`;
//! `verify.missing|duplicated|unchecked`. Values take units: `800ms`, `2s`, `1%`, `50/s`, plain numbers.

#[cfg(test)]
use crate::summary::VerifyResult;
use crate::summary::{LatencyStats, RunSummary, Stats};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Op::Lt => value < bound,
            Op::Le => value <= bound,
            Op::Gt => value > bound,
            Op::Ge => value >= bound,
            Op::Eq => (value - bound).abs() < 1e-12,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        })
    }
}

/// A parsed threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: String,
    pub op: Op,
    pub bound: f64,
    /// As written: `step.submit.p95 < 800ms`.
    pub expression: String,
}

const STATS: [&str; 10] = [
    "p50",
    "p90",
    "p95",
    "p99",
    "p999",
    "max",
    "mean",
    "error_rate",
    "count",
    "rate",
];

/// A threshold the scenario cannot hold a run to; the message says what is accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("threshold condition must start with <, <=, >, >= or ==, e.g. \"< 800ms\"; got {0:?}")]
    Operator(String),
    #[error(transparent)]
    Bound(#[from] crate::units::UnitError),
    #[error("unknown statistic {stat:?} in {metric:?}; use one of {}", STATS.join(", "))]
    Statistic { stat: String, metric: String },
    #[error("{metric:?} names no {kind} called {name:?}; known: {}", known.join(", "))]
    Unknown {
        metric: String,
        kind: String,
        name: String,
        known: Vec<String>,
    },
    #[error(
        "unknown threshold metric {0:?}; e.g. \"step.submit.p95\", \"journey.error_rate\", \"arrivals.dropped\""
    )]
    Metric(String),
}

impl Threshold {
    /// Parses `metric` and `condition`; `steps` and `journeys` are the names that exist.
    pub fn parse(
        metric: &str,
        condition: &str,
        steps: &[&str],
        journeys: &[&str],
    ) -> Result<Threshold, ThresholdError> {
        check_metric(metric, steps, journeys)?;
        let condition = condition.trim();
        let (op, rest) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find_map(|(s, op)| condition.strip_prefix(s).map(|rest| (op, rest)))
        .ok_or_else(|| ThresholdError::Operator(condition.to_owned()))?;
        let bound = crate::units::parse_value(rest)?;
        Ok(Threshold {
            metric: metric.to_owned(),
            op,
            bound,
            expression: format!("{metric} {condition}"),
        })
    }

    /// The metric's value in a summary (None when there is nothing to measure yet).
    pub fn value(&self, summary: &RunSummary) -> Option<f64> {
        let parts: Vec<&str> = self.metric.split('.').collect();
        let duration = summary.duration_seconds.max(1e-9);
        match parts.as_slice() {
            ["arrivals", what] => Some(match *what {
                "planned" => summary.arrivals.planned,
                "started" => summary.arrivals.started,
                "late" => summary.arrivals.late,
                _ => summary.arrivals.dropped,
            } as f64),
            ["requests", "total"] => Some(summary.requests_total as f64),
            ["requests", "error_rate"] => {
                let errors: u64 = summary.steps.iter().map(|s| s.errors_total()).sum();
                let count: u64 = summary.steps.iter().map(|s| s.count).sum();
                (count > 0).then(|| errors as f64 / count as f64)
            }
            // Nothing verified is no data, never a pass: the portal answered no lookup (for
            // missing), or no value was there to look up.
            ["verify", what] => summary.verify.as_ref().and_then(|v| {
                let value = match *what {
                    "missing" if v.checked == 0 => return None,
                    "missing" => v.missing,
                    _ if v.checked + v.unchecked == 0 => return None,
                    "unchecked" => v.unchecked,
                    _ => v.duplicated,
                };
                Some(value as f64)
            }),
            ["journey", stat] => stat_of(&summary.all_journeys, stat, duration),
            [kind @ ("step" | "journey"), name @ .., stat] => {
                let name = name.join(".");
                let list = if *kind == "step" {
                    &summary.steps
                } else {
                    &summary.journeys
                };
                list.iter()
                    .find(|s| s.name == name)
                    .and_then(|s| stat_of(s, stat, duration))
            }
            _ => None,
        }
    }

    /// Evaluates against a summary: (value, passed). No data fails.
    pub fn evaluate(&self, summary: &RunSummary) -> (Option<f64>, bool) {
        let value = self.value(summary);
        (value, value.is_some_and(|v| self.op.holds(v, self.bound)))
    }
}

fn stat_of(s: &Stats, stat: &str, duration: f64) -> Option<f64> {
    let l: &LatencyStats = &s.latency_seconds;
    match stat {
        "error_rate" => s.error_rate(),
        "count" => Some(s.count as f64),
        "rate" => Some(s.count as f64 / duration),
        _ if s.count == 0 => None,
        "p50" => Some(l.p50),
        "p90" => Some(l.p90),
        "p95" => Some(l.p95),
        "p99" => Some(l.p99),
        "p999" => Some(l.p999),
        "max" => Some(l.max),
        "mean" => Some(l.mean),
        _ => None,
    }
}

fn check_metric(metric: &str, steps: &[&str], journeys: &[&str]) -> Result<(), ThresholdError> {
    let parts: Vec<&str> = metric.split('.').collect();
    let stat_ok = |stat: &str| {
        STATS
            .contains(&stat)
            .then_some(())
            .ok_or_else(|| ThresholdError::Statistic {
                stat: stat.to_owned(),
                metric: metric.to_owned(),
            })
    };
    match parts.as_slice() {
        ["arrivals", "planned" | "started" | "late" | "dropped"] => Ok(()),
        ["requests", "total" | "error_rate"] => Ok(()),
        ["verify", "missing" | "duplicated" | "unchecked"] => Ok(()),
        ["journey", stat] => stat_ok(stat),
        [kind @ ("step" | "journey"), name @ .., stat] if !name.is_empty() => {
            let name = name.join(".");
            let known = if *kind == "step" { steps } else { journeys };
            if !known.contains(&name.as_str()) {
                return Err(ThresholdError::Unknown {
                    metric: metric.to_owned(),
                    kind: (*kind).to_owned(),
                    name,
                    known: known.iter().map(|k| (*k).to_owned()).collect(),
                });
            }
            stat_ok(stat)
        }
        _ => Err(ThresholdError::Metric(metric.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_conditions_with_units() {
        let t = Threshold::parse("step.submit.p95", "< 800ms", &["submit"], &[]).expect("valid");
        assert_eq!((t.op, t.bound), (Op::Lt, 0.8));
        assert_eq!(t.expression, "step.submit.p95 < 800ms");
        let t = Threshold::parse("journey.error_rate", "<= 1%", &[], &[]).expect("valid");
        assert_eq!((t.op, t.bound), (Op::Le, 0.01));
        let t = Threshold::parse("arrivals.dropped", "== 0", &[], &[]).expect("valid");
        assert_eq!(t.op, Op::Eq);
    }

    #[test]
    fn verify_thresholds_never_pass_over_nothing_verified() {
        let judge = |metric: &str, v: VerifyResult| {
            let t = Threshold::parse(metric, "== 0", &[], &[]).expect("valid");
            t.evaluate(&RunSummary {
                verify: Some(v),
                ..RunSummary::default()
            })
        };
        let v = |checked, missing, duplicated, unchecked| VerifyResult {
            checked,
            missing,
            duplicated,
            unchecked,
            ..VerifyResult::default()
        };
        // No value was extracted: no data, so no pass.
        for metric in ["verify.missing", "verify.duplicated", "verify.unchecked"] {
            assert_eq!(judge(metric, v(0, 0, 0, 0)), (None, false), "{metric}");
        }
        // Every lookup went unanswered: nothing says the records are there.
        assert_eq!(judge("verify.missing", v(0, 0, 0, 5)), (None, false));
        assert_eq!(judge("verify.unchecked", v(0, 0, 0, 5)), (Some(5.0), false));
        assert_eq!(judge("verify.duplicated", v(0, 0, 0, 5)), (Some(0.0), true));
        assert_eq!(judge("verify.missing", v(4, 0, 0, 1)), (Some(0.0), true));
        assert_eq!(judge("verify.missing", v(4, 1, 0, 0)), (Some(1.0), false));
    }

    #[test]
    fn rejects_unknown_names_and_bad_conditions() {
        let err = Threshold::parse("step.sumbit.p95", "< 1s", &["submit"], &[])
            .expect_err("typo")
            .to_string();
        assert!(err.contains("no step called \"sumbit\""), "{err}");
        assert!(Threshold::parse("step.submit.p42", "< 1s", &["submit"], &[]).is_err());
        assert!(Threshold::parse("latency", "< 1s", &[], &[]).is_err());
        assert!(Threshold::parse("journey.p95", "about 1s", &[], &[]).is_err());
        assert!(Threshold::parse("journey.p95", "< soon", &[], &[]).is_err());
    }
}
