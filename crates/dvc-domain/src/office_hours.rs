//! Office hours of an installation: the intervals of a working day in which officers work.

use crate::Error;
use chrono::{NaiveTime, TimeDelta};
use std::fmt;
use std::str::FromStr;

/// The working intervals of one working day, sorted and disjoint, e.g. 07:00–11:30, 13:30–17:00.
///
/// Intervals are closed at both ends for deadlines (a dossier due at 17:00 is due within office
/// hours) and half-open for starting work (work arriving at 17:00 starts at the next opening).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    intervals: Vec<(NaiveTime, NaiveTime)>,
}

impl Default for OfficeHours {
    /// 07:00–11:30 and 13:30–17:00: 8 working hours, as in most one-stop offices.
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("invariant: valid constant time");
        OfficeHours {
            intervals: vec![(t(7, 0), t(11, 30)), (t(13, 30), t(17, 0))],
        }
    }
}

impl OfficeHours {
    /// Builds office hours from intervals, which must be non-empty, sorted and disjoint.
    pub fn new(intervals: Vec<(NaiveTime, NaiveTime)>) -> Result<Self, Error> {
        let shown = fmt_intervals(&intervals);
        let fail = |reason: &str| Error::OfficeHours {
            input: shown.clone(),
            reason: reason.to_owned(),
        };
        if intervals.is_empty() {
            return Err(fail("at least one interval is needed"));
        }
        for &(start, end) in &intervals {
            if start >= end {
                return Err(fail("each interval must end after it starts"));
            }
        }
        for pair in intervals.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(fail("intervals must be in order and must not overlap"));
            }
        }
        Ok(OfficeHours { intervals })
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.intervals
    }

    /// Working time in one working day (8 hours by default): one "working day" of a deadline.
    pub fn day_length(&self) -> TimeDelta {
        self.intervals.iter().map(|&(s, e)| e - s).sum()
    }

    /// The start of the first interval.
    pub fn opening(&self) -> NaiveTime {
        self.intervals[0].0
    }

    /// The end of the last interval.
    pub fn closing(&self) -> NaiveTime {
        self.intervals[self.intervals.len() - 1].1
    }

    /// True when `time` lies within an interval, both ends included.
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.intervals.iter().any(|&(s, e)| s <= time && time <= e)
    }
}

fn fmt_intervals(intervals: &[(NaiveTime, NaiveTime)]) -> String {
    intervals
        .iter()
        .map(|(s, e)| format!("{}-{}", s.format("%H:%M"), e.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for OfficeHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_intervals(&self.intervals))
    }
}

impl FromStr for OfficeHours {
    type Err = Error;

    /// Parses `"07:00-11:30,13:30-17:00"`.
    fn from_str(input: &str) -> Result<Self, Error> {
        let fail = |reason: String| Error::OfficeHours {
            input: input.to_owned(),
            reason,
        };
        let mut intervals = Vec::new();
        for part in input.split(',').map(str::trim) {
            let (start, end) = part
                .split_once('-')
                .ok_or_else(|| fail(format!("{part:?} is not of the form HH:MM-HH:MM")))?;
            let parse = |s: &str| {
                NaiveTime::parse_from_str(s.trim(), "%H:%M")
                    .map_err(|_| fail(format!("{:?} is not a time of the form HH:MM", s.trim())))
            };
            intervals.push((parse(start)?, parse(end)?));
        }
        OfficeHours::new(intervals).map_err(|e| match e {
            Error::OfficeHours { reason, .. } => fail(reason),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_eight_hours_in_two_sessions() {
        let hours = OfficeHours::default();
        assert_eq!(hours.day_length(), TimeDelta::hours(8));
        assert_eq!(hours.to_string(), "07:00-11:30,13:30-17:00");
    }

    #[test]
    fn parses_and_round_trips() {
        let hours: OfficeHours = "07:30-11:30, 13:00-17:00".parse().expect("valid");
        assert_eq!(hours.to_string(), "07:30-11:30,13:00-17:00");
        assert_eq!(hours.day_length(), TimeDelta::hours(8));
    }

    #[test]
    fn rejects_overlaps_reversed_and_garbage_with_a_reason() {
        for (input, reason) in [
            ("07:00-12:00,11:00-17:00", "must not overlap"),
            ("17:00-07:00", "must end after it starts"),
            ("7am-5pm", "is not a time"),
            ("", "is not of the form"),
        ] {
            let err = input.parse::<OfficeHours>().expect_err(input).to_string();
            assert!(err.contains(reason), "{input}: {err}");
        }
    }
}
