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

mod figure;
pub use figure::{FigureId, IndexRule, Unit};

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
