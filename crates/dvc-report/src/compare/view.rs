//! The comparison's view: what every comparison report shows, computed once from a
//! [`Comparison`] in one language: the period and sources, the figures measured, each
//! province's row with its values formatted, and the methodology. The HTML and Markdown
//! renderers only lay it out; CSV writes the raw figures instead.

use super::labels::Labels;
use crate::Lang;
use dvc_compare::{Comparison, FigureId, Unit};
use dvc_loadgen::units::fmt_seconds;

pub(crate) struct ComparisonView<'a> {
    pub l: &'static Labels,
    /// "2025-04-01 07:00 → 2025-04-08 07:00 (UTC+7)".
    pub period: String,
    pub source: String,
    pub locations: String,
    /// The figures measured for some province, in the score's order.
    pub figures: Vec<FigureId>,
    pub provinces: Vec<ProvinceRow<'a>>,
    pub methodology: Vec<MethodRow>,
    /// One sentence per weighted figure left out of the score, naming who lacks it.
    pub unscored: Vec<String>,
    /// The scored figures, and per ranked province the points it lost on each, worst first
    /// within the row's total.
    pub breakdown: Breakdown<'a>,
}

/// Where each ranked province lost points.
pub(crate) struct Breakdown<'a> {
    pub figures: Vec<FigureId>,
    /// (province, points lost per figure in `figures`' order, their total).
    pub rows: Vec<(&'a str, Vec<String>, String)>,
}

/// One province: its rank and score, or why it is not ranked, and its figures.
pub(crate) struct ProvinceRow<'a> {
    pub name: &'a str,
    /// (rank, score with one decimal), or the reason it is not ranked.
    pub placed: Result<(usize, String), String>,
    pub cells: Vec<Cell>,
}

/// A figure of a province as shown: its value, its samples, and whether they are too few.
pub(crate) struct Cell {
    pub id: FigureId,
    pub value: String,
    pub samples: u64,
    pub too_few: bool,
}

/// A figure in the methodology: its name, meaning, weight and the score's anchors.
pub(crate) struct MethodRow {
    pub id: FigureId,
    pub name: &'static str,
    pub meaning: &'static str,
    pub weight: String,
    /// Its share of the weights of the figures scored (0 when not scored).
    pub used: String,
    pub full_marks: String,
    pub zero_marks: String,
    /// How the national index counts it (group, points, scale), or "—".
    pub index: String,
}

impl<'a> ComparisonView<'a> {
    pub fn new(c: &'a Comparison, lang: Lang) -> ComparisonView<'a> {
        let l = Labels::of(lang);
        let figures: Vec<FigureId> = FigureId::ALL
            .into_iter()
            .filter(|f| c.provinces.iter().any(|p| p.figure(*f).value.is_some()))
            .collect();
        let local = |t: &chrono::DateTime<chrono::Utc>| {
            dvc_domain::calendar::to_local(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let provinces = c
            .provinces
            .iter()
            .map(|p| ProvinceRow {
                name: &p.name,
                placed: match (p.rank, p.score) {
                    (Some(r), Some(s)) => Ok((r, format!("{s:.1}"))),
                    _ => {
                        let names: Vec<&str> = p.too_few.iter().map(|f| l.figure(*f).0).collect();
                        Err(format!(
                            "{}: {} ({})",
                            l.not_ranked,
                            l.too_few,
                            names.join(", ")
                        ))
                    }
                },
                cells: figures
                    .iter()
                    .map(|f| {
                        let fig = p.figure(*f);
                        Cell {
                            id: *f,
                            value: shown(*f, fig.value, l),
                            samples: fig.samples,
                            too_few: fig.samples < c.min_samples,
                        }
                    })
                    .collect(),
            })
            .collect();
        let methodology = figures
            .iter()
            .map(|f| {
                let (name, meaning) = l.figure(*f);
                let (full, zero) = f.anchors();
                MethodRow {
                    id: *f,
                    name,
                    meaning,
                    weight: c.weights.get(*f).to_string(),
                    used: format!("{:.3}", c.used_weight(*f)),
                    full_marks: anchor(*f, full, l),
                    zero_marks: anchor(*f, zero, l),
                    index: l.index_rule(*f),
                }
            })
            .collect();
        let scored: Vec<FigureId> = FigureId::ALL
            .into_iter()
            .filter(|f| c.used_weight(*f) > 0.0)
            .collect();
        let breakdown = Breakdown {
            rows: c
                .provinces
                .iter()
                .filter(|p| p.score.is_some())
                .map(|p| {
                    let lost: Vec<f64> = scored
                        .iter()
                        .map(|f| c.points_lost(p, *f).unwrap_or_default())
                        .collect();
                    let total: f64 = lost.iter().sum();
                    (
                        p.name.as_str(),
                        lost.iter().map(|x| format!("−{x:.1}")).collect(),
                        format!("−{total:.1}"),
                    )
                })
                .collect(),
            figures: scored,
        };
        ComparisonView {
            l,
            breakdown,
            period: format!("{} → {} (UTC+7)", local(&c.from), local(&c.to)),
            source: match &c.source {
                dvc_compare::Source::Prometheus(url) => format!("Prometheus {url}"),
                dvc_compare::Source::ProbeStore(paths) => {
                    let shown: Vec<String> =
                        paths.iter().map(|p| p.display().to_string()).collect();
                    format!("{} {}", l.probe_store, shown.join(", "))
                }
            },
            locations: if c.locations.is_empty() {
                l.unknown_location.to_owned()
            } else {
                c.locations.join(", ")
            },
            figures,
            provinces,
            methodology,
            unscored: c
                .unscored
                .iter()
                .map(|u| {
                    format!(
                        "{} — {} ({} {}): {}; {}.",
                        l.not_scored,
                        l.figure(u.figure).0,
                        l.weight.to_lowercase(),
                        u.weight,
                        l.lacking(u, c.provinces.len()),
                        l.weight_moved
                    )
                })
                .collect(),
        }
    }
}

/// A figure's value as reports show it (percentages, seconds, working hours).
fn shown(id: FigureId, value: Option<f64>, l: &Labels) -> String {
    let Some(v) = value else {
        return l.no_data.to_owned();
    };
    match id.unit() {
        Unit::Ratio => format!("{:.2}%", v * 100.0),
        Unit::Seconds => fmt_seconds(v),
        Unit::WorkingHours => format!("{:.1} h", v / 3600.0),
    }
}

/// An anchor of a figure's score as the methodology shows it.
fn anchor(id: FigureId, v: f64, l: &Labels) -> String {
    match id.unit() {
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Seconds => fmt_seconds(v),
        Unit::WorkingHours => format!("{:.0} {}", v / 3600.0, l.working_hours),
    }
}
