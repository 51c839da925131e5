//! The arrival plan: when each journey should start.
//!
//! The rate r(t) is piecewise linear: each stage ramps from the previous rate to its own.
//! The expected number of arrivals by time t is the area under it, N(t) = ∫₀ᵗ r. Arrival k
//! is planned at the time N reaches a target n_k:
//!
//! ```text
//!  rate                         N(t)
//!   │      ┌────────            │            ╱ ← n = 5.5
//!   │     ╱                     │         ╱     arrival 5 at N⁻¹(5.5)
//!   │    ╱                      │      ╱
//!   │___╱                       │___╱
//!   └──────────── t             └──────────── t
//! ```
//!
//! *constant*: n_k = k + ½, evenly spaced in N, so a stage of rate r and length d plans r·d
//! arrivals; *poisson*: n_k − n_{k−1} ~ Exp(1), a non-homogeneous Poisson process by time
//! rescaling with the same mean. Inverting N on a ramp solves a quadratic; the form
//! τ = 2m / (r₀ + √(r₀² + 4am)) is used because it stays exact when the ramp is flat (a → 0).

use crate::scenario::Load;
use crate::segment::Segment;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
struct Ramp {
    start: f64,
    duration: f64,
    r0: f64,
    r1: f64,
    /// Cumulative expected arrivals at the ramp's start.
    n0: f64,
}

impl Ramp {
    fn area(&self) -> f64 {
        (self.r0 + self.r1) / 2.0 * self.duration
    }
}

/// A pure arrival schedule.
#[derive(Debug, Clone)]
pub struct Plan {
    ramps: Vec<Ramp>,
    total: f64,
    duration: f64,
    poisson: bool,
    seed: u64,
}

impl Plan {
    /// The plan of an open load; a closed load plans no arrivals (its citizens loop).
    pub fn new(load: &Load) -> Plan {
        let mut ramps = Vec::new();
        let Some(load) = load.as_open() else {
            return Plan {
                ramps,
                total: 0.0,
                duration: 0.0,
                poisson: false,
                seed: load.seed(),
            };
        };
        let (mut t, mut n, mut rate) = (0.0, 0.0, load.start_rate);
        for stage in &load.stages {
            let d = stage.duration.as_secs_f64();
            let s = Ramp {
                start: t,
                duration: d,
                r0: rate,
                r1: stage.rate,
                n0: n,
            };
            n += s.area();
            t += d;
            rate = stage.rate;
            ramps.push(s);
        }
        Plan {
            ramps,
            total: n,
            duration: t,
            poisson: load.poisson,
            seed: load.seed,
        }
    }

    /// Expected arrivals over the whole plan (the area under the rate curve).
    pub fn expected_total(&self) -> f64 {
        self.total
    }

    /// Length of the plan.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.duration)
    }

    /// The planned rate at `t` seconds.
    pub fn rate_at(&self, t: f64) -> f64 {
        self.ramps
            .iter()
            .find(|s| t >= s.start && t < s.start + s.duration)
            .map_or(0.0, |s| s.r0 + (s.r1 - s.r0) * (t - s.start) / s.duration)
    }

    /// The time (seconds) at which N reaches `n`, or None past the end.
    fn time_at(&self, n: f64) -> Option<f64> {
        if n >= self.total {
            return None;
        }
        let s = self
            .ramps
            .iter()
            .find(|s| n < s.n0 + s.area() && s.area() > 0.0)?;
        let m = n - s.n0;
        let a = (s.r1 - s.r0) / (2.0 * s.duration);
        let disc = (s.r0 * s.r0 + 4.0 * a * m).max(0.0);
        let denom = s.r0 + disc.sqrt();
        let tau = if denom > 0.0 { 2.0 * m / denom } else { 0.0 };
        Some(s.start + tau.clamp(0.0, s.duration))
    }

    /// Planned arrival offsets from the start, in order.
    pub fn arrivals(&self) -> impl Iterator<Item = Duration> + '_ {
        arrivals_of(self, Segment::WHOLE).map(|(offset, _)| offset)
    }

    /// `segment`'s share of the arrivals, in order, each with its number in the whole plan
    /// (see [`crate::segment`]); a scheduler that outlives the borrow shares the plan.
    pub fn segment_arrivals(
        self: std::sync::Arc<Self>,
        segment: Segment,
    ) -> impl Iterator<Item = (Duration, u64)> + Send {
        arrivals_of(self, segment)
    }
}

/// The plan's arrivals with their numbers, those of `segment` only. Every segment walks the
/// whole sequence (a Poisson plan's gaps are drawn one after another from the seed), keeping
/// its stripe.
fn arrivals_of<P: std::ops::Deref<Target = Plan>>(
    plan: P,
    segment: Segment,
) -> impl Iterator<Item = (Duration, u64)> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut k = 0u64;
    let mut n = 0.0;
    std::iter::from_fn(move || {
        loop {
            n = if plan.poisson {
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                n - u.ln()
            } else {
                k as f64 + 0.5
            };
            let number = k;
            k += 1;
            let offset = plan.time_at(n).map(Duration::from_secs_f64)?;
            if segment.owns(number) {
                return Some((offset, number));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Stage;
    use proptest::prelude::*;

    fn load(start_rate: f64, stages: &[(f64, f64)], poisson: bool) -> Load {
        Load::Open(crate::scenario::OpenLoad {
            poisson,
            start_rate,
            stages: stages
                .iter()
                .map(|&(d, r)| Stage {
                    duration: Duration::from_secs_f64(d),
                    rate: r,
                })
                .collect(),
            max_in_flight: 10,
            max_start_delay: None,
            max_rate: 1e9,
            graceful_stop: Duration::from_secs(1),
            seed: 3,
        })
    }

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let plan = Plan::new(&load(10.0, &[(2.0, 10.0)], false));
        let times: Vec<f64> = plan.arrivals().map(|d| d.as_secs_f64()).collect();
        assert_eq!(times.len(), 20);
        for (k, t) in times.iter().enumerate() {
            assert!((t - (k as f64 + 0.5) / 10.0).abs() < 1e-9, "{k}: {t}");
        }
    }

    #[test]
    fn a_ramp_from_zero_accelerates() {
        // 0 → 100/s over 10 s: 500 arrivals, the first half-second nearly empty.
        let plan = Plan::new(&load(0.0, &[(10.0, 100.0)], false));
        let times: Vec<f64> = plan.arrivals().map(|d| d.as_secs_f64()).collect();
        assert_eq!(times.len(), 500);
        let first_second = times.iter().filter(|t| **t < 1.0).count();
        let last_second = times.iter().filter(|t| **t >= 9.0).count();
        assert_eq!(first_second, 5);
        assert_eq!(last_second, 95);
        assert!((plan.rate_at(5.0) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn poisson_keeps_the_mean_with_random_gaps() {
        let plan = Plan::new(&load(200.0, &[(50.0, 200.0)], true));
        let times: Vec<f64> = plan.arrivals().map(|d| d.as_secs_f64()).collect();
        let n = times.len() as f64;
        assert!((n - 10_000.0).abs() < 400.0, "{n}");
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
        // Exponential gaps: standard deviation ≈ mean.
        assert!(
            (var.sqrt() / mean - 1.0).abs() < 0.05,
            "cv {}",
            var.sqrt() / mean
        );
    }

    proptest! {
        #[test]
        fn arrivals_match_the_area_under_the_rate_curve(
            start in 0.0f64..200.0,
            stages in proptest::collection::vec((0.5f64..20.0, 0.0f64..200.0), 1..5),
        ) {
            let plan = Plan::new(&load(start, &stages, false));
            let times: Vec<Duration> = plan.arrivals().collect();
            prop_assert!((times.len() as f64 - plan.expected_total()).abs() <= 1.0,
                "{} vs {}", times.len(), plan.expected_total());
            prop_assert!(times.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(times.iter().all(|t| *t <= plan.duration()));
        }

        #[test]
        fn segments_together_are_exactly_the_whole_plan(
            start in 0.0f64..100.0,
            stages in proptest::collection::vec((0.5f64..10.0, 0.0f64..100.0), 1..4),
            poisson: bool,
            seed: u64,
        ) {
            let mut l = load(start, &stages, poisson);
            if let Load::Open(open) = &mut l {
                open.seed = seed;
            }
            let plan = std::sync::Arc::new(Plan::new(&l));
            let whole: Vec<(Duration, u64)> =
                plan.clone().segment_arrivals(Segment::WHOLE).collect();
            prop_assert!(whole.iter().enumerate().all(|(i, (_, k))| *k == i as u64));
            for n in [1u32, 2, 3, 4, 7] {
                let mut joined: Vec<(Duration, u64)> = (1..=n)
                    .flat_map(|i| {
                        let segment = Segment::new(i, n).expect("valid segment");
                        plan.clone().segment_arrivals(segment).collect::<Vec<_>>()
                    })
                    .collect();
                joined.sort_by_key(|(_, k)| *k);
                prop_assert_eq!(&joined, &whole, "{} segments", n);
            }
        }
    }
}
