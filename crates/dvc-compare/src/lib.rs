//! The province comparison for ministries: each province's figures over a period, from
//! Prometheus ([`prometheus`]) or a probe's state file ([`store`]), with their sample counts,
//! a score out of 100 with printed weights, and a ranking: one [`Comparison`] value, which
//! `dvc-report` renders (HTML, Markdown, CSV, terminal). Without its default `sources` feature
//! the crate is the `Comparison` and its score alone, which is all a renderer needs.
//!
//! The API: [`Query`] (what to compare), `prometheus::compare` and `store::compare` (the two
//! sources), [`Comparison`] with its [`Province`]s and their [`Figure`]s (a value and the
//! samples behind it), [`Weights`] and [`rank`] (the score), and [`quantile`] (nearest rank,
//! for figures computed from samples).
//!
//! ```
//! use dvc_compare::{Figure, FigureId, Province, Weights, rank};
//!
//! let province = |name: &str, on_time: f64| Province {
//!     name: name.into(),
//!     figures: [(FigureId::OnTime, Figure { value: Some(on_time), samples: 100 })].into(),
//!     ..Province::default()
//! };
//! let mut provinces = vec![province("Cần Thơ", 0.62), province("Hà Nội", 0.75)];
//! rank(&mut provinces, &Weights::default(), 30);
//! assert_eq!(provinces[0].name, "Hà Nội");
//! assert_eq!(provinces[0].rank, Some(1));
//! // With too few samples a province is listed, not ranked.
//! let mut few = vec![province("Huế", 0.99)];
//! few[0].figures.get_mut(&FigureId::OnTime).unwrap().samples = 3;
//! rank(&mut few, &Weights::default(), 30);
//! assert_eq!((few[0].rank, few[0].too_few.clone()), (None, vec![FigureId::OnTime]));
//! // Figures no province has are not scored, and they are named with their weight.
//! let unscored = rank(&mut provinces, &Weights::default(), 30);
//! assert!(unscored.iter().any(|u| u.figure == FigureId::AvailabilityOffice && u.weight == 0.25));
//! ```

#[cfg(feature = "sources")]
pub mod prometheus;
#[cfg(feature = "sources")]
pub mod store;

use std::collections::BTreeMap;

/// What to compare, whatever the source: the period, the provinces (all when empty), the
/// weights and the fewest samples a ranked figure needs.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    pub provinces: &'a [String],
    pub weights: Weights,
    pub min_samples: u64,
}

/// A figure of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FigureId {
    AvailabilityOffice,
    Availability,
    PageP50,
    PageP95,
    FcpP75,
    LcpP75,
    TbtP75,
    JourneyP50,
    JourneyP95,
    IntakeP50,
    IntakeP95,
    LateAcceptance,
    OnTime,
    PaymentP95,
    ProceduresFullOnline,
    ProceduresPartlyOnline,
    DossiersOnline,
    PaymentsOnline,
    DossiersDigitised,
    ResultsDigitised,
    Satisfaction,
}

/// How the national service index (Decision 766/QĐ-TTg) counts a figure: its group, the
/// group's points out of 100, and the share at which the indicator earns full marks (earned in
/// proportion below it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexRule {
    /// The group's id: `progress`, `online_service`, `online_payment`, `digitisation`,
    /// `satisfaction`.
    pub group: &'static str,
    pub group_points: u32,
    pub full_marks_at: f64,
}

impl IndexRule {
    /// The share of the indicator's marks `value` earns on the index's own scale.
    pub fn marks(self, value: f64) -> f64 {
        (value / self.full_marks_at).clamp(0.0, 1.0)
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 0–1, shown as a percentage.
    Ratio,
    Seconds,
    /// Working seconds, shown in working hours.
    WorkingHours,
}

impl Unit {
    /// The unit's suffix in exported column names: `ratio`, `s`, `working_h`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Seconds => "s",
            Unit::WorkingHours => "working_h",
        }
    }

    /// A value as exported in this unit: ratios 0–1, seconds, working hours.
    pub fn exported(self, value: f64) -> f64 {
        match self {
            Unit::WorkingHours => value / 3600.0,
            _ => value,
        }
    }
}

impl FigureId {
    pub const ALL: [FigureId; 21] = [
        FigureId::AvailabilityOffice,
        FigureId::Availability,
        FigureId::PageP50,
        FigureId::PageP95,
        FigureId::FcpP75,
        FigureId::LcpP75,
        FigureId::TbtP75,
        FigureId::JourneyP50,
        FigureId::JourneyP95,
        FigureId::IntakeP50,
        FigureId::IntakeP95,
        FigureId::LateAcceptance,
        FigureId::OnTime,
        FigureId::PaymentP95,
        FigureId::ProceduresFullOnline,
        FigureId::ProceduresPartlyOnline,
        FigureId::DossiersOnline,
        FigureId::PaymentsOnline,
        FigureId::DossiersDigitised,
        FigureId::ResultsDigitised,
        FigureId::Satisfaction,
    ];

    /// The index figures read from a portal's statistics: the numerator's and the
    /// denominator's field (as a probe's stats check names them).
    pub fn counts(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            FigureId::ProceduresFullOnline => ("procedures_full_online", "procedures_total"),
            FigureId::ProceduresPartlyOnline => ("procedures_partly_online", "procedures_total"),
            FigureId::DossiersOnline => ("dossiers_online", "dossiers_total"),
            FigureId::PaymentsOnline => ("payments_online", "payments_total"),
            FigureId::DossiersDigitised => ("dossiers_digitised", "dossiers_total"),
            FigureId::ResultsDigitised => ("results_digitised", "results_total"),
            FigureId::Satisfaction => ("satisfaction_satisfied", "satisfaction_responses"),
            _ => return None,
        })
    }

    /// How the national service index counts the figure, for those it counts.
    pub fn index(self) -> Option<IndexRule> {
        let rule = |group, group_points| IndexRule {
            group,
            group_points,
            full_marks_at: 0.8,
        };
        Some(match self {
            FigureId::OnTime => rule("progress", 20),
            FigureId::ProceduresFullOnline | FigureId::DossiersOnline => rule("online_service", 12),
            FigureId::PaymentsOnline => rule("online_payment", 10),
            FigureId::DossiersDigitised | FigureId::ResultsDigitised => rule("digitisation", 22),
            FigureId::Satisfaction => rule("satisfaction", 18),
            _ => return None,
        })
    }

    /// The name used in `--weight`, CSV columns and element ids.
    pub fn id(self) -> &'static str {
        match self {
            FigureId::AvailabilityOffice => "availability_office_hours",
            FigureId::Availability => "availability",
            FigureId::PageP50 => "page_p50",
            FigureId::PageP95 => "page_p95",
            FigureId::FcpP75 => "first_contentful_paint_p75",
            FigureId::LcpP75 => "largest_contentful_paint_p75",
            FigureId::TbtP75 => "total_blocking_time_p75",
            FigureId::JourneyP50 => "journey_p50",
            FigureId::JourneyP95 => "journey_p95",
            FigureId::IntakeP50 => "intake_p50",
            FigureId::IntakeP95 => "intake_p95",
            FigureId::LateAcceptance => "late_acceptance",
            FigureId::OnTime => "on_time",
            FigureId::PaymentP95 => "payment_confirmation_p95",
            FigureId::ProceduresFullOnline => "procedures_full_online",
            FigureId::ProceduresPartlyOnline => "procedures_partly_online",
            FigureId::DossiersOnline => "dossiers_online",
            FigureId::PaymentsOnline => "payments_online",
            FigureId::DossiersDigitised => "dossiers_digitised",
            FigureId::ResultsDigitised => "results_digitised",
            FigureId::Satisfaction => "satisfaction",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            FigureId::IntakeP50 | FigureId::IntakeP95 => Unit::WorkingHours,
            FigureId::PageP50
            | FigureId::PageP95
            | FigureId::FcpP75
            | FigureId::LcpP75
            | FigureId::TbtP75
            | FigureId::JourneyP50
            | FigureId::JourneyP95
            | FigureId::PaymentP95 => Unit::Seconds,
            _ => Unit::Ratio,
        }
    }

    /// The score's anchors: the value that earns 100 and the value that earns 0 (linear in
    /// between). They follow the service levels: availability 99.5%; the ministry's website
    /// criteria for a page in a browser (first content within 3 s, the largest within 4 s,
    /// blocking under 0.6 s), full marks when met and none at twice the limit; an HTTP answer
    /// within 0.5 s (dvcbench's own anchor: the criteria are not about HTTP answers);
    /// acceptance within one working day; payments confirmed within 30 s. The index's ratios earn 100 at
    /// 100% and 0 at 50%: unlike the index's own scale (full marks at 80%, see
    /// [`FigureId::index`]), this separates provinces that report 90–100%.
    pub fn anchors(self) -> (f64, f64) {
        match self {
            FigureId::AvailabilityOffice | FigureId::Availability => (0.995, 0.95),
            FigureId::PageP50 | FigureId::PageP95 => (0.5, 5.0),
            FigureId::FcpP75 => (3.0, 6.0),
            FigureId::LcpP75 => (4.0, 8.0),
            FigureId::TbtP75 => (0.6, 1.2),
            FigureId::JourneyP50 | FigureId::JourneyP95 => (3.0, 30.0),
            FigureId::IntakeP50 | FigureId::IntakeP95 => (8.0 * 3600.0, 24.0 * 3600.0),
            FigureId::LateAcceptance => (0.05, 0.5),
            FigureId::PaymentP95 => (30.0, 300.0),
            FigureId::OnTime
            | FigureId::ProceduresFullOnline
            | FigureId::ProceduresPartlyOnline
            | FigureId::DossiersOnline
            | FigureId::PaymentsOnline
            | FigureId::DossiersDigitised
            | FigureId::ResultsDigitised
            | FigureId::Satisfaction => (1.0, 0.5),
        }
    }

    /// The figure's score out of 100 for `value`.
    pub fn score(self, value: f64) -> f64 {
        let (full, zero) = self.anchors();
        (100.0 * (value - zero) / (full - zero)).clamp(0.0, 100.0)
    }

    /// Default weights of the overall score: the service levels' add up to 1, the index
    /// figures' to 0.3 more (scores use each figure's share of the weights scored).
    pub fn default_weight(self) -> f64 {
        match self {
            FigureId::ProceduresPartlyOnline => 0.0,
            FigureId::ProceduresFullOnline
            | FigureId::DossiersOnline
            | FigureId::PaymentsOnline
            | FigureId::DossiersDigitised
            | FigureId::ResultsDigitised
            | FigureId::Satisfaction => 0.05,
            FigureId::AvailabilityOffice => 0.25,
            FigureId::Availability => 0.05,
            FigureId::IntakeP95 => 0.15,
            FigureId::PageP95 | FigureId::LcpP75 => 0.05,
            FigureId::FcpP75 | FigureId::TbtP75 => 0.025,
            FigureId::JourneyP95 | FigureId::LateAcceptance | FigureId::OnTime => 0.1,
            FigureId::PaymentP95 => 0.1,
            FigureId::PageP50 | FigureId::JourneyP50 | FigureId::IntakeP50 => 0.0,
        }
    }

    /// The exported column of the figure's value, with its unit: `page_p95_s`.
    pub fn column(self) -> String {
        format!("{}_{}", self.id(), self.unit().suffix())
    }

    pub fn parse(id: &str) -> Option<FigureId> {
        FigureId::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// One figure of one province: its value and the number of samples behind it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figure {
    pub value: Option<f64>,
    pub samples: u64,
}

/// One province's figures, score and place.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Province {
    pub name: String,
    pub figures: BTreeMap<FigureId, Figure>,
    pub score: Option<f64>,
    /// 1 for the best; None when not ranked.
    pub rank: Option<usize>,
    /// Why it is not ranked: the figures with too few samples.
    pub too_few: Vec<FigureId>,
}

impl Province {
    pub fn figure(&self, id: FigureId) -> Figure {
        self.figures.get(&id).copied().unwrap_or_default()
    }
}

/// A value over the period, per province (for the trend charts).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trend {
    /// Unix seconds of each point.
    pub at: Vec<f64>,
    /// Per province: a value per point.
    pub series: BTreeMap<String, Vec<Option<f64>>>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub source: Source,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    /// Where the probes ran (their configured locations).
    pub locations: Vec<String>,
    /// Ranked provinces first (best first), then the others by name.
    pub provinces: Vec<Province>,
    pub weights: Weights,
    /// Weighted figures some province lacks: not scored, their weight moved to the others.
    pub unscored: Vec<Unscored>,
    pub min_samples: u64,
    pub availability_trend: Trend,
    pub page_p95_trend: Trend,
}

impl Comparison {
    /// The points figure `f` earned `p` in its score (out of the figure's used weight × 100;
    /// the points of a ranked province's scored figures add up to its score). `None` when the
    /// figure is not scored or the province is not ranked.
    pub fn points(&self, p: &Province, f: FigureId) -> Option<f64> {
        let weight = self.used_weight(f);
        let value = p.figure(f).value?;
        (weight > 0.0 && p.score.is_some()).then(|| weight * f.score(value))
    }

    /// The points `p` lost on figure `f`: what full marks on it would have added.
    pub fn points_lost(&self, p: &Province, f: FigureId) -> Option<f64> {
        self.points(p, f)
            .map(|earned| self.used_weight(f) * 100.0 - earned)
    }

    /// The weight `f` had in the scores: its share of the scored figures' weights (0 when not
    /// scored).
    pub fn used_weight(&self, f: FigureId) -> f64 {
        let scored = |g: &FigureId| !self.unscored.iter().any(|u| u.figure == *g);
        if !scored(&f) {
            return 0.0;
        }
        let total: f64 = FigureId::ALL
            .iter()
            .filter(|g| scored(g))
            .map(|g| self.weights.get(*g))
            .sum();
        if total > 0.0 {
            self.weights.get(f) / total
        } else {
            0.0
        }
    }
}

/// Where the figures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Prometheus' base URL.
    Prometheus(String),
    /// Probes' state files, pooled.
    ProbeStore(Vec<std::path::PathBuf>),
}

/// Weights of the overall score, by figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights(pub BTreeMap<FigureId, f64>);

impl Default for Weights {
    fn default() -> Self {
        Weights(
            FigureId::ALL
                .into_iter()
                .map(|f| (f, f.default_weight()))
                .collect(),
        )
    }
}

/// A `--weight` override that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightError {
    #[error("--weight wants NAME=WEIGHT; got {0:?}")]
    Syntax(String),
    #[error("--weight: unknown figure {name:?}; one of {}", FigureId::ALL.map(FigureId::id).join(", "))]
    Figure { name: String },
    #[error("--weight {name}: {value:?} is not a number ≥ 0")]
    Value { name: String, value: String },
    #[error("--weight: every weight is 0, nothing would be scored")]
    AllZero,
}

impl Weights {
    /// The defaults with `NAME=WEIGHT` overrides (0 leaves a figure out of the score).
    pub fn with(overrides: &[String]) -> Result<Weights, WeightError> {
        let mut w = Weights::default();
        for o in overrides {
            let (name, value) = o
                .split_once('=')
                .ok_or_else(|| WeightError::Syntax(o.clone()))?;
            let figure = FigureId::parse(name.trim()).ok_or_else(|| WeightError::Figure {
                name: name.to_owned(),
            })?;
            let weight: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| WeightError::Value {
                    name: name.to_owned(),
                    value: value.to_owned(),
                })?;
            w.0.insert(figure, weight);
        }
        if w.0.values().all(|v| *v == 0.0) {
            return Err(WeightError::AllZero);
        }
        Ok(w)
    }

    pub fn get(&self, f: FigureId) -> f64 {
        self.0.get(&f).copied().unwrap_or(0.0)
    }
}

/// A weighted figure left out of the score because some compared province has no value for
/// it: its weight went to the scored figures, in proportion to theirs.
#[derive(Debug, Clone, PartialEq)]
pub struct Unscored {
    pub figure: FigureId,
    /// The weight it was given.
    pub weight: f64,
    /// The provinces with no value for it (all of them when none has one).
    pub missing_in: Vec<String>,
}

/// Scores and ranks `provinces`: the score is the weighted mean of the figures' scores over the
/// weighted figures every province has, so each is scored on the same figures; the others are
/// returned, with the provinces that lack them. A province with fewer than `min_samples`
/// samples behind a scored figure is listed, not ranked. Ranked provinces come first, best
/// first.
pub fn rank(provinces: &mut [Province], weights: &Weights, min_samples: u64) -> Vec<Unscored> {
    let weighted: Vec<FigureId> = FigureId::ALL
        .into_iter()
        .filter(|f| weights.get(*f) > 0.0)
        .collect();
    let missing_in = |f: FigureId| -> Vec<String> {
        provinces
            .iter()
            .filter(|p| p.figure(f).value.is_none())
            .map(|p| p.name.clone())
            .collect()
    };
    let unscored: Vec<Unscored> = weighted
        .iter()
        .map(|&f| (f, missing_in(f)))
        .filter(|(_, missing)| !missing.is_empty())
        .map(|(figure, missing_in)| Unscored {
            figure,
            weight: weights.get(figure),
            missing_in,
        })
        .collect();
    let scored: Vec<FigureId> = weighted
        .into_iter()
        .filter(|f| !unscored.iter().any(|u| u.figure == *f))
        .collect();
    let total: f64 = scored.iter().map(|f| weights.get(*f)).sum();
    for p in provinces.iter_mut() {
        p.too_few = scored
            .iter()
            .copied()
            .filter(|f| {
                let fig = p.figure(*f);
                fig.value.is_none() || fig.samples < min_samples
            })
            .collect();
        p.score = (total > 0.0 && p.too_few.is_empty()).then(|| {
            scored
                .iter()
                .map(|f| weights.get(*f) * f.score(p.figure(*f).value.unwrap_or_default()))
                .sum::<f64>()
                / total
        });
    }
    provinces.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.name.cmp(&b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    let mut place = 0;
    for p in provinces.iter_mut() {
        p.rank = p.score.map(|_| {
            place += 1;
            place
        });
    }
    unscored
}

/// The nearest-rank quantile every figure computed from samples uses.
pub use dvc_domain::quantile::quantile;

/// Number of trend points over a period.
pub const TREND_POINTS: usize = 24;

#[cfg(test)]
mod tests;
