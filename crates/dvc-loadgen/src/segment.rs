//! Segments: one run's plan split over N generators.
//!
//! Every generator computes the whole plan from the scenario's seed and runs its own share:
//! arrival k (numbered from 0 in plan order) belongs to segment `k mod N + 1`. The shares are
//! stripes of one sequence, so together they hold exactly the plan's arrivals, each once, and
//! each share follows the same rate curve at 1/N of the rate:
//!
//! ```text
//!  arrivals   0   1   2   3   4   5   6   7   8 …      (the one plan, N = 3)
//!  segment    1   2   3   1   2   3   1   2   3 …
//! ```
//!
//! What an arrival does is a function of its number alone (its journey, its random draws, its
//! feeder row, `{{journey.id}}`), never of the order a process happens to start it in, so an
//! arrival behaves the same whichever generator runs it. The closed model splits each stage's
//! virtual citizens instead: segment i of N gets ⌊U/N⌋, plus one for the first U mod N
//! segments, so the shares add up to the scenario's count.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The share of a run one generator takes: segment `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub index: u32,
    pub count: u32,
}

/// At most this many segments: far more generators than any portal's test needs, small
/// enough that a typo (`--segments 10000000`) is caught.
pub const MAX_SEGMENTS: u32 = 10_000;

/// A segment that does not exist or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    #[error("the number of segments must be 1 to {MAX_SEGMENTS}; got {0}")]
    Count(u32),
    #[error("segment {index}/{count} does not exist: segments are numbered 1 to {count}")]
    Index { index: u32, count: u32 },
    #[error("a segment is I/N with 1 ≤ I ≤ N, e.g. \"2/8\"; got {0:?}")]
    Syntax(String),
    #[error("JOB_COMPLETION_INDEX must be a whole number; got {0:?}")]
    JobIndex(String),
}

impl Segment {
    /// The whole run on one generator.
    pub const WHOLE: Segment = Segment { index: 1, count: 1 };

    /// Segment `index` of `count`, both checked.
    pub fn new(index: u32, count: u32) -> Result<Segment, SegmentError> {
        if count == 0 || count > MAX_SEGMENTS {
            return Err(SegmentError::Count(count));
        }
        if index == 0 || index > count {
            return Err(SegmentError::Index { index, count });
        }
        Ok(Segment { index, count })
    }

    /// Parses `I/N`, e.g. `2/8`.
    pub fn parse(text: &str) -> Result<Segment, SegmentError> {
        let usage = || SegmentError::Syntax(text.to_owned());
        let (i, n) = text.trim().split_once('/').ok_or_else(usage)?;
        let i: u32 = i.trim().parse().map_err(|_| usage())?;
        let n: u32 = n.trim().parse().map_err(|_| usage())?;
        Segment::new(i, n)
    }

    /// The segment a Kubernetes Indexed Job's pod runs: its `JOB_COMPLETION_INDEX` (0-based)
    /// plus one, of `count`.
    pub fn from_job_index(job_index: &str, count: u32) -> Result<Segment, SegmentError> {
        let index: u32 = job_index
            .trim()
            .parse()
            .map_err(|_| SegmentError::JobIndex(job_index.to_owned()))?;
        Segment::new(index.saturating_add(1), count)
    }

    /// True when the run is split.
    pub fn is_split(self) -> bool {
        self.count > 1
    }

    /// Whether arrival number `arrival` (0-based, in plan order) is this segment's.
    pub fn owns(self, arrival: u64) -> bool {
        arrival % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// This segment's share of `total` virtual citizens.
    pub fn share(self, total: u64) -> u64 {
        let n = u64::from(self.count);
        total / n + u64::from(u64::from(self.index - 1) < total % n)
    }

    /// The run-wide number of this segment's `local`-th journey (0-based) in the closed
    /// model, where journeys are numbered as they start: interleaved so that no two segments
    /// give out the same number.
    pub fn global_number(self, local: u64) -> u64 {
        local
            .saturating_mul(u64::from(self.count))
            .saturating_add(u64::from(self.index - 1))
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The draws of a run's journey mix, in [0, 1): arrival `k`'s is the k-th number of the
/// golden-ratio (Weyl) sequence from a start drawn from the seed. It depends on `k` alone, like
/// every draw of an arrival, and it spreads evenly: over any n consecutive arrivals each
/// journey's share is within about (log n)/n of its weight, where independent draws stray by
/// 1/√n, so a short run (or one segment's stripe of a long one) still runs every journey in its
/// proportion.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    /// The sequence's start, as a 64-bit fraction.
    start: u64,
}

impl Mix {
    pub fn new(seed: u64) -> Mix {
        Mix {
            start: ((unit(seed, u64::MAX) * (1u64 << 53) as f64) as u64) << 11,
        }
    }

    /// Arrival `k`'s draw.
    pub fn draw(self, k: u64) -> f64 {
        const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15; // 2⁶⁴/φ
        let x = self.start.wrapping_add(k.wrapping_mul(GOLDEN));
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A uniform number in [0, 1) that depends on `seed` and `k` only (SplitMix64): an arrival's
/// draws, the same on every generator and cheaper than seeding a generator per arrival.
pub fn unit(seed: u64, k: u64) -> f64 {
    let mut z = seed
        .wrapping_add(k.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits as a fraction: every value exactly representable, never 1.
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn segments_parse_and_refuse_what_does_not_exist() {
        assert_eq!(Segment::parse("2/8"), Ok(Segment { index: 2, count: 8 }));
        assert_eq!(Segment::parse(" 1 / 1 "), Ok(Segment::WHOLE));
        for bad in [
            "5/4", "0/0", "0/3", "3", "a/b", "-1/2", "1/0", "1/20000", "",
        ] {
            let err = Segment::parse(bad).expect_err(bad).to_string();
            assert!(
                err.contains("segment") || err.contains("segments"),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            Segment::from_job_index("0", 4),
            Ok(Segment { index: 1, count: 4 })
        );
        assert_eq!(
            Segment::from_job_index("3", 4),
            Ok(Segment { index: 4, count: 4 })
        );
        assert!(Segment::from_job_index("4", 4).is_err());
        assert!(Segment::from_job_index("x", 4).is_err());
    }

    #[test]
    fn closed_model_shares_add_up_to_the_count() {
        for n in 1..=9u32 {
            for total in [0u64, 1, 2, 7, 8, 9, 100, 301] {
                let shares: Vec<u64> = (1..=n)
                    .map(|i| Segment::new(i, n).expect("valid").share(total))
                    .collect();
                assert_eq!(shares.iter().sum::<u64>(), total, "{total} over {n}");
                let (min, max) = (shares.iter().min(), shares.iter().max());
                assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1));
            }
        }
    }

    proptest! {
        #[test]
        fn every_arrival_belongs_to_exactly_one_segment(n in 1u32..64, k in 0u64..1_000_000) {
            let owners = (1..=n).filter(|&i| Segment { index: i, count: n }.owns(k)).count();
            prop_assert_eq!(owners, 1);
        }

        #[test]
        fn closed_journey_numbers_never_collide(n in 1u32..16, a in 0u64..10_000, b in 0u64..10_000,
                                               i in 1u32..16, j in 1u32..16) {
            prop_assume!(i <= n && j <= n);
            let (si, sj) = (Segment { index: i, count: n }, Segment { index: j, count: n });
            prop_assert_eq!(si.global_number(a) == sj.global_number(b), i == j && a == b);
        }

        #[test]
        fn unit_is_in_the_half_open_interval(seed: u64, k: u64) {
            let u = unit(seed, k);
            prop_assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn the_journey_mix_follows_the_weights_even_over_a_few_arrivals() {
        // 60/29/8/3 over 15 arrivals, from any start: each journey within 1.5 arrivals of its
        // share (independent draws stray by up to 5 or 6). A stripe of a split run (every
        // N-th arrival) is a Weyl sequence too, less even: within 4.
        let weights = [60.0, 29.0, 8.0, 3.0];
        for seed in 0..300u64 {
            for (step, offset, within) in [(1u64, 0u64, 1.5), (2, 1, 4.0), (4, 3, 4.0), (7, 6, 4.0)]
            {
                let mut counts = [0.0f64; 4];
                for m in 0..15 {
                    counts
                        [crate::engine::pick(&weights, Mix::new(seed).draw(offset + m * step))] +=
                        1.0;
                }
                for (c, w) in counts.iter().zip(weights) {
                    assert!(
                        (c - 15.0 * w / 100.0).abs() <= within,
                        "seed {seed}, every {step}: {counts:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn unit_draws_are_uniform_enough_to_mix_journeys() {
        let n = 100_000;
        let mut buckets = [0u32; 10];
        for k in 0..n {
            buckets[(unit(42, k) * 10.0) as usize] += 1;
        }
        for b in buckets {
            assert!((b as f64 - 10_000.0).abs() < 400.0, "{buckets:?}");
        }
    }
}
