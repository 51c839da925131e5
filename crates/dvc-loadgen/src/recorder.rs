//! Recording latencies and outcomes: sharded HdrHistograms on the hot path, merged every
//! second into cumulative histograms and a timeline. Histograms are merged, never averaged, so
//! the percentiles of a whole run are exact to the histograms' precision (3 significant digits,
//! 1 µs to 1 h).

use hdrhistogram::Histogram;
use std::sync::Mutex;
use std::time::Duration;

use crate::reasons::Reasons;
pub use dvc_http::Outcome;

/// Highest latency recorded, in microseconds (one hour); longer values are clamped.
const MAX_MICROS: u64 = 3_600_000_000;

/// A new empty latency histogram in microseconds.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("invariant: valid histogram bounds")
}

/// `h` as text for `run.json`: HdrHistogram's V2 compressed encoding in base64, the form
/// HdrHistogram's own tools (Java, Go, Rust) read, so segments' results can be added exactly.
pub fn encode(h: &Histogram<u64>) -> String {
    use base64::Engine;
    let mut bytes = Vec::new();
    use hdrhistogram::serialization::Serializer;
    hdrhistogram::serialization::V2DeflateSerializer::new()
        .serialize(h, &mut bytes)
        .expect("invariant: serializing to a Vec cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads what [`encode`] wrote into a histogram of this crate's bounds; an error for text that
/// is not one, or that holds values outside 1 µs to 1 h.
///
/// The text comes from files people hand over, so it is inflated here with a cap and its
/// header checked before HdrHistogram's reader (which trusts the lengths it reads) sees it.
pub fn decode(text: &str) -> Result<Histogram<u64>, String> {
    use base64::Engine;
    use std::io::Read;
    const COMPRESSED_COOKIE: [u8; 4] = 0x1c84_9314u32.to_be_bytes();
    const COOKIE: [u8; 4] = 0x1c84_9313u32.to_be_bytes();
    // A histogram of these bounds has about 45,000 counts: under 450 KB however encoded.
    const MAX_INFLATED: u64 = 1 << 20;
    let bad = |why: &str| format!("a histogram cannot be read: {why}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("a histogram is not base64: {e}"))?;
    let compressed = match bytes.get(..8) {
        Some(head) if head[..4] == COMPRESSED_COOKIE => &bytes[8..],
        _ => return Err(bad("not HdrHistogram's compressed V2 encoding")),
    };
    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| bad(&format!("its compressed data is damaged ({e})")))?;
    if inflated.len() as u64 > MAX_INFLATED {
        return Err(bad("it is larger than a latency histogram can be"));
    }
    // Header: cookie, payload length, normalizing offset, digits, lowest, highest, ratio.
    let word = |at: usize| {
        inflated
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let long = |at: usize| {
        inflated
            .get(at..at + 8)
            .map(|b| u64::from_be_bytes(b.try_into().expect("invariant: eight bytes")))
    };
    let (Some(payload), Some(digits), Some(low), Some(high)) =
        (word(4), word(12), long(16), long(24))
    else {
        return Err(bad("its header is cut short"));
    };
    if inflated[..4] != COOKIE || (low, high, digits) != (1, MAX_MICROS, 3) {
        return Err(bad(
            "it is not a dvcbench latency histogram (1 µs to 1 h, 3 digits)",
        ));
    }
    if payload as usize > inflated.len().saturating_sub(40) {
        return Err(bad("its counts are cut short"));
    }
    hdrhistogram::serialization::Deserializer::new()
        .deserialize(&mut inflated.as_slice())
        .map_err(|e| bad(&format!("{e:?}")))
}

/// Latencies and outcome counts of one step or journey.
#[derive(Debug, Clone)]
pub struct Series {
    pub latency: Histogram<u64>,
    pub outcomes: [u64; Outcome::ALL.len()],
    /// Why its failures failed (steps only).
    pub reasons: Reasons,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            latency: histogram(),
            outcomes: [0; Outcome::ALL.len()],
            reasons: Reasons::default(),
        }
    }
}

impl Series {
    pub fn record(&mut self, latency: Duration, outcome: Outcome) {
        let micros = (latency.as_micros() as u64).clamp(1, MAX_MICROS);
        self.latency.saturating_record(micros);
        self.outcomes[outcome.index()] += 1;
    }

    /// Adds `other` into this series.
    pub fn merge(&mut self, other: &Series) {
        if other.count() == 0 {
            return;
        }
        self.latency
            .add(&other.latency)
            .expect("invariant: histograms share bounds");
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            *a += b;
        }
        if !other.reasons.is_empty() {
            self.reasons.merge(&other.reasons);
        }
    }

    pub fn reset(&mut self) {
        self.latency.reset();
        self.outcomes = [0; Outcome::ALL.len()];
        self.reasons.clear();
    }

    pub fn count(&self) -> u64 {
        self.outcomes.iter().sum()
    }

    pub fn errors(&self) -> u64 {
        self.count() - self.outcomes[Outcome::Ok.index()]
    }

    pub fn outcome(&self, outcome: Outcome) -> u64 {
        self.outcomes[outcome.index()]
    }
}

/// One shard: what some journeys recorded since the last merge.
#[derive(Debug, Clone)]
pub struct Shard {
    pub steps: Vec<Series>,
    pub journeys: Vec<Series>,
    pub requests: u64,
}

impl Shard {
    fn new(steps: usize, journeys: usize) -> Self {
        Shard {
            steps: vec![Series::default(); steps],
            journeys: vec![Series::default(); journeys],
            requests: 0,
        }
    }

    /// Adds `other` into this shard.
    pub fn merge(&mut self, other: &Shard) {
        for (a, b) in self.steps.iter_mut().zip(&other.steps) {
            a.merge(b);
        }
        for (a, b) in self.journeys.iter_mut().zip(&other.journeys) {
            a.merge(b);
        }
        self.requests += other.requests;
    }

    /// Empties the shard, keeping its histograms' memory.
    pub fn reset(&mut self) {
        self.steps.iter_mut().for_each(Series::reset);
        self.journeys.iter_mut().for_each(Series::reset);
        self.requests = 0;
    }
}

/// Shards written by journeys, drained by the collector.
#[derive(Debug)]
pub struct Recorder {
    shards: Vec<Mutex<Shard>>,
    steps: usize,
    journeys: usize,
}

impl Recorder {
    /// A recorder for `steps` step series and `journeys` journey series in `shards` shards.
    pub fn new(steps: usize, journeys: usize, shards: usize) -> Self {
        Recorder {
            shards: (0..shards.max(1))
                .map(|_| Mutex::new(Shard::new(steps, journeys)))
                .collect(),
            steps,
            journeys,
        }
    }

    /// An empty shard of this recorder's shape.
    pub fn empty(&self) -> Shard {
        Shard::new(self.steps, self.journeys)
    }

    /// Runs `f` on shard `key % shards`.
    pub fn with_shard<R>(&self, key: usize, f: impl FnOnce(&mut Shard) -> R) -> R {
        let shard = &self.shards[key % self.shards.len()];
        let mut guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Moves everything recorded since the last drain into `into`.
    pub fn drain_into(&self, into: &mut Shard) {
        for shard in &self.shards {
            let mut guard = shard.lock().unwrap_or_else(|p| p.into_inner());
            into.merge(&guard);
            guard.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn series(latencies: &[u64]) -> Series {
        let mut s = Series::default();
        for &ms in latencies {
            s.record(Duration::from_millis(ms), Outcome::Ok);
        }
        s
    }

    proptest! {
        #[test]
        fn merging_is_commutative_and_associative(
            a in proptest::collection::vec(1u64..100_000, 0..50),
            b in proptest::collection::vec(1u64..100_000, 0..50),
            c in proptest::collection::vec(1u64..100_000, 0..50),
        ) {
            let (sa, sb, sc) = (series(&a), series(&b), series(&c));
            let mut ab_c = sa.clone();
            ab_c.merge(&sb);
            ab_c.merge(&sc);
            let mut bc = sb.clone();
            bc.merge(&sc);
            let mut a_bc = sa.clone();
            a_bc.merge(&bc);
            let mut cba = sc.clone();
            cba.merge(&sb);
            cba.merge(&sa);
            prop_assert_eq!(&ab_c.latency, &a_bc.latency);
            prop_assert_eq!(&ab_c.latency, &cba.latency);
            prop_assert_eq!(ab_c.count(), (a.len() + b.len() + c.len()) as u64);
        }

        #[test]
        fn percentiles_are_monotone_and_within_min_and_max(
            v in proptest::collection::vec(1u64..1_000_000, 1..200),
        ) {
            let s = series(&v);
            let h = &s.latency;
            let qs = [0.5, 0.9, 0.95, 0.99, 0.999];
            let values: Vec<u64> = qs.iter().map(|q| h.value_at_quantile(*q)).collect();
            prop_assert!(values.windows(2).all(|w| w[0] <= w[1]));
            let (min, max) = (*v.iter().min().unwrap_or(&0) * 1000, *v.iter().max().unwrap_or(&0) * 1000);
            for x in values {
                prop_assert!(h.equivalent(x, x.clamp(min, max)) || (min..=max + max / 500).contains(&x));
            }
        }
    }

    #[test]
    fn histograms_survive_encoding_exactly() {
        let s = series(&[1, 5, 5, 80, 2_000, 3_599_000]);
        let text = encode(&s.latency);
        assert_eq!(decode(&text).expect("decodes"), s.latency);
        assert!(decode("not base64!").is_err());
        assert!(decode("AAAA").is_err());
        assert_eq!(decode(&encode(&histogram())).expect("empty").len(), 0);
    }

    proptest! {
        #[test]
        fn garbage_never_panics_the_histogram_reader(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            use base64::Engine;
            let _ = decode(&base64::engine::general_purpose::STANDARD.encode(&bytes));
            let _ = decode(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn shards_drain_into_one_total() {
        let rec = Recorder::new(2, 1, 4);
        for i in 0..100 {
            rec.with_shard(i, |s| {
                s.steps[i % 2].record(Duration::from_millis(10), Outcome::Ok);
                s.requests += 1;
            });
        }
        let mut total = rec.empty();
        rec.drain_into(&mut total);
        assert_eq!(total.requests, 100);
        assert_eq!(total.steps[0].count() + total.steps[1].count(), 100);
        let mut again = rec.empty();
        rec.drain_into(&mut again);
        assert_eq!(again.requests, 0, "a drain empties the shards");
    }
}
