//! Why requests failed: the first few distinct reasons of a step's failures, each with its
//! outcome and a count, so a summary can say `http_4xx 134: status 422: 2 attachment(s)
//! required, got 1` instead of `http_4xx 134`.
//!
//! Two reasons are of one kind when they differ only in their digits (a dossier code, a
//! count): the kind keeps the first one's text. Past [`MAX_KINDS`] kinds, failures are still
//! counted, as unlisted, so the counts always add up to the step's errors.

use crate::recorder::Outcome;

/// Distinct kinds of failure kept per step.
pub const MAX_KINDS: usize = 5;

/// Longest reason kept, in characters.
const MAX_REASON_CHARS: usize = 300;

/// One kind of failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Kind {
    pub outcome: Outcome,
    /// The first reason of the kind, as it was given (already redacted by the caller).
    pub example: String,
    pub count: u64,
    /// The example with every run of digits as `#`: what makes two reasons one kind.
    key: String,
}

/// The kinds of one step's failures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reasons {
    kinds: Vec<Kind>,
    /// Failures of kinds past the first [`MAX_KINDS`].
    unlisted: u64,
}

/// `reason` with every run of ASCII digits as one `#`.
fn key_of(reason: &str) -> String {
    let mut key = String::with_capacity(reason.len());
    let mut in_digits = false;
    for c in reason.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                key.push('#');
            }
            in_digits = true;
        } else {
            key.push(c);
            in_digits = false;
        }
    }
    key
}

/// `reason` cut to [`MAX_REASON_CHARS`] characters, with `…` where it was cut.
fn shortened(reason: &str) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        Some((at, _)) => format!("{}…", &reason[..at]),
        None => reason.to_owned(),
    }
}

impl Reasons {
    /// Counts `n` failures of `outcome` for `reason`; true when its kind is new here.
    pub fn note(&mut self, outcome: Outcome, reason: &str, n: u64) -> bool {
        let reason = shortened(reason);
        let key = key_of(&reason);
        if let Some(kind) = self
            .kinds
            .iter_mut()
            .find(|k| k.outcome == outcome && k.key == key)
        {
            kind.count += n;
            return false;
        }
        if self.kinds.len() >= MAX_KINDS {
            self.unlisted += n;
            return false;
        }
        self.kinds.push(Kind {
            outcome,
            example: reason,
            count: n,
            key,
        });
        true
    }

    /// Adds `other`'s counts into these.
    pub fn merge(&mut self, other: &Reasons) {
        for k in &other.kinds {
            self.note(k.outcome, &k.example, k.count);
        }
        self.unlisted += other.unlisted;
    }

    /// Counts `n` failures past the kinds kept.
    pub fn note_unlisted(&mut self, n: u64) {
        self.unlisted += n;
    }

    pub fn clear(&mut self) {
        self.kinds.clear();
        self.unlisted = 0;
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.unlisted == 0
    }

    /// The kinds, most frequent first (the first seen first among equals).
    pub fn kinds(&self) -> Vec<&Kind> {
        let mut kinds: Vec<&Kind> = self.kinds.iter().collect();
        kinds.sort_by_key(|k| std::cmp::Reverse(k.count));
        kinds
    }

    pub fn unlisted(&self) -> u64 {
        self.unlisted
    }

    /// Every failure counted, listed or not.
    pub fn total(&self) -> u64 {
        self.kinds.iter().map(|k| k.count).sum::<u64>() + self.unlisted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reasons_differing_in_digits_are_one_kind_with_the_first_text() {
        let mut r = Reasons::default();
        assert!(r.note(
            Outcome::Http4xx,
            "status 422: dossier H01-17 needs 2 files",
            1
        ));
        assert!(!r.note(
            Outcome::Http4xx,
            "status 422: dossier H01-9 needs 3 files",
            1
        ));
        assert!(r.note(Outcome::Http5xx, "status 503", 1));
        assert!(r.note(Outcome::Http4xx, "status 409: already paid", 1));
        let kinds = r.kinds();
        assert_eq!(kinds.len(), 3);
        assert_eq!(
            (kinds[0].example.as_str(), kinds[0].count),
            ("status 422: dossier H01-17 needs 2 files", 2)
        );
        assert_eq!(r.total(), 4);
    }

    #[test]
    fn past_the_kinds_kept_failures_are_counted_unlisted() {
        let mut r = Reasons::default();
        for i in 0..MAX_KINDS + 3 {
            r.note(
                Outcome::CheckFailed,
                &format!("reason {}", "x".repeat(i)),
                2,
            );
        }
        assert_eq!(r.kinds().len(), MAX_KINDS);
        assert_eq!(r.unlisted(), 6);
        assert_eq!(r.total(), 2 * (MAX_KINDS as u64 + 3));
    }

    #[test]
    fn a_long_reason_is_cut_at_a_character_boundary() {
        let mut r = Reasons::default();
        r.note(Outcome::Http4xx, &"hồ sơ ".repeat(100), 1);
        let example = &r.kinds()[0].example;
        assert_eq!(example.chars().count(), MAX_REASON_CHARS + 1);
        assert!(example.ends_with('…'));
    }

    proptest! {
        /// However the failures fall into shards and are merged, every one is counted once.
        #[test]
        fn merged_counts_equal_the_failures_noted(
            failures in proptest::collection::vec((0usize..4, 0usize..9, ".{0,20}"), 0..80),
        ) {
            let mut shards = vec![Reasons::default(); 4];
            for (shard, kind, text) in &failures {
                shards[*shard].note(Outcome::ALL[1 + kind % 7], &format!("{kind}{text}"), 1);
            }
            let mut total = Reasons::default();
            for s in &shards {
                total.merge(s);
            }
            prop_assert_eq!(total.total(), failures.len() as u64);
            prop_assert!(total.kinds().len() <= MAX_KINDS);
        }
    }
}
