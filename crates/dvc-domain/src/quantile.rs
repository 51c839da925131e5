//! Quantiles by nearest rank: the one definition every figure dvcbench computes from raw
//! samples uses (the `q` quantile of n values is the ⌈q·n⌉-th smallest, never an
//! interpolation between two values nobody measured). Histogram percentiles come from
//! HdrHistogram instead.
//!
//! ```
//! use dvc_domain::quantile::{quantile, quantile_of_counts};
//!
//! assert_eq!(quantile(&mut [3.0, 1.0, 2.0, 4.0], 0.5), Some(2.0));
//! // 90 answers in 10 ms, 9 in 200 ms, 1 in 3 s:
//! assert_eq!(quantile_of_counts([(10, 90), (200, 9), (3000, 1)], 0.95), Some(200));
//! ```

/// The 1-based rank of the `q` quantile among `n` values (`n` > 0).
fn rank(n: u64, q: f64) -> u64 {
    ((q * n as f64).ceil() as u64).clamp(1, n)
}

/// The `q` quantile of `values`, which are sorted in place; `None` when there are none.
pub fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let r = rank(values.len() as u64, q);
    Some(values[r as usize - 1])
}

/// The `q` quantile of values given in ascending order with how many times each was seen.
pub fn quantile_of_counts<T: Copy>(
    counts: impl IntoIterator<Item = (T, u64)> + Clone,
    q: f64,
) -> Option<T> {
    let total: u64 = counts.clone().into_iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let r = rank(total, q);
    let mut seen = 0;
    counts.into_iter().find_map(|(value, n)| {
        seen += n;
        (seen >= r).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_never_interpolates() {
        let mut v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&mut v, 0.0), Some(1.0));
        assert_eq!(quantile(&mut v, 0.5), Some(3.0));
        assert_eq!(quantile(&mut v, 0.95), Some(5.0));
        assert_eq!(quantile(&mut [], 0.5), None);
        let counts = [(10, 90), (200, 9), (3000, 1)];
        assert_eq!(quantile_of_counts(counts, 0.9), Some(10));
        assert_eq!(quantile_of_counts(counts, 0.99), Some(200));
        assert_eq!(quantile_of_counts(counts, 1.0), Some(3000));
        assert_eq!(quantile_of_counts([(1, 0)], 0.5), None);
    }

    proptest::proptest! {
        #[test]
        fn both_forms_agree(mut values in proptest::collection::vec(0u32..50, 1..40), q in 0.0f64..=1.0) {
            values.sort_unstable();
            let mut counts: Vec<(u32, u64)> = Vec::new();
            for v in &values {
                match counts.last_mut() {
                    Some((last, n)) if last == v => *n += 1,
                    _ => counts.push((*v, 1)),
                }
            }
            let mut floats: Vec<f64> = values.iter().map(|v| f64::from(*v)).collect();
            let a = quantile(&mut floats, q);
            let b = quantile_of_counts(counts.iter().copied(), q).map(f64::from);
            proptest::prop_assert_eq!(a, b);
        }
    }
}
