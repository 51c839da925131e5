//! What a scenario will ask of a portal, before it runs (`dvcbench plan`): its stages, the
//! planned arrivals over time (counted from the very plan a run follows, seed included),
//! totals per journey, and what `--rate`, `--scale` and `--duration` would change.

use crate::plan::Plan;
use crate::scenario::{Load, Model, Scenario};
use std::time::Duration;

/// Plans larger than this are shown from the rate curve instead of counted one by one.
const COUNT_UP_TO: f64 = 20_000_000.0;

/// Most rows of the table over time.
const MAX_ROWS: usize = 60;

/// A scenario's load, laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub scenario: String,
    pub model: Model,
    pub duration: Duration,
    /// Each stage: from (s), to (s), the rate (open, per second) or citizens (closed) it
    /// starts from and the one it reaches.
    pub stages: Vec<(f64, f64, f64, f64)>,
    /// Width of each row, in seconds.
    pub bucket: f64,
    pub rows: Vec<Row>,
    /// Open: arrivals planned (counted, or expected when `counted` is false).
    pub total: f64,
    pub counted: bool,
    /// Open: the highest planned rate; closed: the most citizens.
    pub peak: f64,
    /// Open: the scenario's `max_rate` (what `--rate` and `--scale` may reach).
    pub max_rate: Option<f64>,
    pub journeys: Vec<JourneyShare>,
    pub poisson: bool,
    pub seed: u64,
}

/// One row over time: from `t` for one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub t: f64,
    /// Open: the mean planned rate over the row; closed: citizens alive at its middle.
    pub level: f64,
    /// Open: arrivals planned in the row.
    pub arrivals: f64,
}

/// A journey's share of the load.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyShare {
    pub name: String,
    /// Its weight over the sum of weights.
    pub share: f64,
    /// Open: the arrivals expected to run it.
    pub arrivals: f64,
    pub steps: usize,
    /// Whether a step polls (then a journey sends more requests than it has steps).
    pub polls: bool,
}

/// The row width: the smallest round one giving at most [`MAX_ROWS`] rows.
fn bucket_for(seconds: f64) -> f64 {
    const WIDTHS: [f64; 14] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    ];
    WIDTHS
        .into_iter()
        .find(|w| (seconds / w).ceil() as usize <= MAX_ROWS)
        .unwrap_or((seconds / MAX_ROWS as f64 / 3600.0).ceil() * 3600.0)
}

/// Lays out `scenario`'s load (after any overrides applied to it).
pub fn preview(scenario: &Scenario) -> Preview {
    let duration = scenario.load.duration();
    let seconds = duration.as_secs_f64();
    let bucket = bucket_for(seconds);
    let n_rows = ((seconds / bucket).ceil() as usize).max(1);
    let weights: f64 = scenario.journeys.iter().map(|j| j.weight).sum();
    let journey_shares = |arrivals: f64| {
        scenario
            .journeys
            .iter()
            .map(|j| {
                let share = j.weight / weights.max(f64::MIN_POSITIVE);
                JourneyShare {
                    name: j.name.clone(),
                    share,
                    arrivals: arrivals * share,
                    steps: j.steps.len(),
                    polls: j.steps.iter().any(|s| s.poll.is_some()),
                }
            })
            .collect()
    };
    match &scenario.load {
        Load::Open(open) => {
            let plan = Plan::new(&scenario.load);
            let mut rows: Vec<Row> = (0..n_rows)
                .map(|i| {
                    let t = i as f64 * bucket;
                    let width = bucket.min(seconds - t);
                    // The mean rate over the row, from 20 points of the curve.
                    let level = (0..20)
                        .map(|k| plan.rate_at(t + width * (k as f64 + 0.5) / 20.0))
                        .sum::<f64>()
                        / 20.0;
                    Row {
                        t,
                        level,
                        arrivals: level * width,
                    }
                })
                .collect();
            let counted = plan.expected_total() <= COUNT_UP_TO;
            let total = if counted {
                rows.iter_mut().for_each(|r| r.arrivals = 0.0);
                let mut total = 0.0;
                for at in plan.arrivals() {
                    let i = ((at.as_secs_f64() / bucket) as usize).min(n_rows - 1);
                    rows[i].arrivals += 1.0;
                    total += 1.0;
                }
                total
            } else {
                plan.expected_total()
            };
            let mut stages = Vec::new();
            let (mut t, mut from) = (0.0, open.start_rate);
            for s in &open.stages {
                let d = s.duration.as_secs_f64();
                stages.push((t, t + d, from, s.rate));
                t += d;
                from = s.rate;
            }
            Preview {
                scenario: scenario.name.clone(),
                model: Model::Open,
                duration,
                peak: stages.iter().map(|s| s.2.max(s.3)).fold(0.0, f64::max),
                stages,
                bucket,
                rows,
                total,
                counted,
                max_rate: Some(open.max_rate),
                journeys: journey_shares(total),
                poisson: open.poisson,
                seed: open.seed,
            }
        }
        Load::Closed(closed) => {
            let rows = (0..n_rows)
                .map(|i| {
                    let t = i as f64 * bucket;
                    let mid = t + bucket.min(seconds - t) / 2.0;
                    Row {
                        t,
                        level: scenario.load.users_at(mid),
                        arrivals: 0.0,
                    }
                })
                .collect();
            let mut stages = Vec::new();
            let (mut t, mut from) = (0.0, 0.0);
            for s in &closed.users {
                let d = s.duration.as_secs_f64();
                stages.push((t, t + d, from, s.users as f64));
                t += d;
                from = s.users as f64;
            }
            Preview {
                scenario: scenario.name.clone(),
                model: Model::Closed,
                duration,
                stages,
                bucket,
                rows,
                total: 0.0,
                counted: true,
                peak: scenario.load.most_users() as f64,
                max_rate: None,
                journeys: journey_shares(0.0),
                poisson: false,
                seed: closed.seed,
            }
        }
    }
}

impl Preview {
    /// The terminal layout.
    pub fn render_text(&self) -> String {
        let secs = clock;
        let mut out = String::new();
        let open = self.model == Model::Open;
        out.push_str(&format!(
            "plan of {} ({}, {}, seed {})\n\nstages\n",
            self.scenario,
            if open {
                "open model: arrivals on a schedule"
            } else {
                "closed model: virtual citizens on Goose"
            },
            if open && self.poisson {
                "Poisson arrivals"
            } else if open {
                "evenly spaced arrivals"
            } else {
                "each citizen runs journeys back to back"
            },
            self.seed
        ));
        for &(from, to, a, b) in &self.stages {
            let level = |v: f64| {
                if open {
                    fmt_rate(v)
                } else {
                    format!("{v:.0} citizens")
                }
            };
            let what = if a == b {
                format!("hold {}", level(b))
            } else {
                format!("ramp {} → {}", level(a), level(b))
            };
            out.push_str(&format!("  {:>9} → {:<9} {what}\n", secs(from), secs(to)));
        }
        if open {
            out.push_str(&format!(
                "\ntotal  {}{} arrivals over {} (mean {}, peak {}; max_rate {})\n",
                if self.counted { "" } else { "about " },
                fmt_count(self.total),
                secs(self.duration.as_secs_f64()),
                fmt_rate(self.total / self.duration.as_secs_f64().max(1e-9)),
                fmt_rate(self.peak),
                self.max_rate.map_or("-".into(), fmt_rate),
            ));
        } else {
            out.push_str(&format!(
                "\nat most {:.0} virtual citizens over {}\n",
                self.peak,
                secs(self.duration.as_secs_f64())
            ));
        }
        out.push_str("\njourneys\n");
        for j in &self.journeys {
            let requests = format!(
                "{} request{}{} each",
                j.steps,
                if j.steps == 1 { "" } else { "s" },
                if j.polls { " or more (polling)" } else { "" }
            );
            if open {
                out.push_str(&format!(
                    "  {:<24} {:>5.1}%  ~{} arrivals ({}/h)  {requests}\n",
                    j.name,
                    j.share * 100.0,
                    fmt_count(j.arrivals),
                    fmt_count(j.arrivals * 3600.0 / self.duration.as_secs_f64().max(1e-9)),
                ));
            } else {
                out.push_str(&format!(
                    "  {:<24} {:>5.1}% of journeys started  {requests}\n",
                    j.name,
                    j.share * 100.0
                ));
            }
        }
        if !open {
            out.push_str(
                "  (how many journeys an hour the citizens get through depends on the portal's\n   speed: the run's summary reports it per journey)\n",
            );
        }
        out.push_str(&format!(
            "\nover time (rows of {})\n  {:>9}  {:>10}  {}\n",
            secs(self.bucket),
            "from",
            if open { "rate" } else { "citizens" },
            if open { "arrivals" } else { "" }
        ));
        for r in &self.rows {
            if open {
                out.push_str(&format!(
                    "  {:>9}  {:>10}  {:.0}\n",
                    secs(r.t),
                    fmt_rate(r.level),
                    r.arrivals
                ));
            } else {
                out.push_str(&format!("  {:>9}  {:>10.0}\n", secs(r.t), r.level));
            }
        }
        out.push_str(if open {
            "\n--rate R runs one constant rate instead of the stages (up to max_rate); --scale F\nmultiplies every rate and max_rate; --duration D stretches or shrinks every stage alike.\nGive them to `dvcbench plan` to see the plan they make.\n"
        } else {
            "\n--scale F multiplies every stage's citizens; --duration D stretches or shrinks every\nstage alike. Give them to `dvcbench plan` to see the plan they make.\n"
        });
        out
    }
}

/// A rate for people: `20/s`, `2.5/s`, `0.25/s`.
fn fmt_rate(v: f64) -> String {
    if v == v.trunc() || v >= 100.0 {
        format!("{v:.0}/s")
    } else if v >= 1.0 {
        format!("{v:.1}/s")
    } else {
        format!("{v:.2}/s")
    }
}

/// An offset into a run, as scenarios write durations: `0s`, `45s`, `10m`, `2m30s`, `1h`,
/// `1h05m`.
fn clock(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, sec) => format!("{m}m{sec:02}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// A count with thousands separated by commas.
fn fmt_count(v: f64) -> String {
    dvc_domain::units::group_thousands(v.max(0.0).round_ties_even() as u64, ',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Overrides;
    use std::path::Path;

    fn scenario(load: &str) -> Scenario {
        Scenario::from_source(
            Path::new("s.toml"),
            &format!(
                "name = \"s\"\n[load]\n{load}\n[[journey]]\nname = \"browse\"\nweight = 3\n[[journey.step]]\nname = \"a\"\npath = \"/\"\n\
                 [[journey]]\nname = \"submit\"\n[[journey.step]]\nname = \"b\"\npath = \"/\"\n[[journey.step]]\nname = \"c\"\npath = \"/\"\n"
            ),
        )
        .expect("valid")
    }

    #[test]
    fn an_open_plan_counts_the_arrivals_a_run_would_start() {
        let s = scenario(
            "start_rate = \"0/s\"\nstages = [{ duration = \"10s\", rate = \"20/s\" }, { duration = \"20s\", rate = \"20/s\" }]",
        );
        let p = preview(&s);
        // A ramp from 0 to 20/s over 10 s plans 100, the hold 400.
        assert_eq!(p.total, 500.0);
        assert!(p.counted);
        assert_eq!(p.rows.len(), 30);
        assert_eq!(p.rows.iter().map(|r| r.arrivals).sum::<f64>(), 500.0);
        assert_eq!(p.rows[29].arrivals, 20.0);
        assert!((p.rows[0].level - 1.0).abs() < 1e-9, "{:?}", p.rows[0]);
        assert_eq!(p.peak, 20.0);
        assert_eq!(p.journeys[0].share, 0.75);
        assert_eq!(p.journeys[1].arrivals, 125.0);
        let text = p.render_text();
        assert!(text.contains("total  500 arrivals over 30s"), "{text}");
        assert!(text.contains("ramp 0/s → 20/s"), "{text}");
        assert!(text.contains("~375 arrivals (45,000/h)"), "{text}");
    }

    #[test]
    fn overrides_show_in_the_plan_and_long_runs_get_wider_rows() {
        let mut s =
            scenario("stages = [{ duration = \"3h\", rate = \"2/s\" }]\nmax_rate = \"10/s\"");
        s.apply(&Overrides {
            scale: Some(2.0),
            ..Overrides::default()
        })
        .expect("scaled");
        let p = preview(&s);
        assert_eq!(p.total, 43_200.0);
        assert_eq!(p.bucket, 300.0);
        assert_eq!(p.rows.len(), 36);
        assert_eq!(p.max_rate, Some(20.0));
    }

    #[test]
    fn a_closed_plan_shows_citizens_over_time() {
        let s = scenario(
            "model = \"closed\"\nstages = [{ duration = \"10s\", users = 10 }, { duration = \"10s\", users = 10 }]",
        );
        let p = preview(&s);
        assert_eq!(p.peak, 10.0);
        assert_eq!(p.rows.len(), 20);
        assert_eq!(p.rows[0].level, 0.5);
        assert_eq!(p.rows[19].level, 10.0);
        assert!(p.render_text().contains("ramp 0 citizens → 10 citizens"));
    }
}
