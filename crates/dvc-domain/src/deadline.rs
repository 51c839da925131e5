//! Deadlines: processing times, same-day cutoffs, the acceptance deadline, supplement pauses,
//! and judging a dossier early, on time or late.
//!
//! Two clocks run on a dossier. The intake clock runs from submission to acceptance, due one
//! working day after submission. The processing clock runs from acceptance to the result, due
//! after the procedure's stated time:
//!
//! * **working hours / working days**: counted along office hours, 1 working day = 8 working
//!   hours (a portal's calendar may count otherwise), so Mon 10:00 + 1 working day = Tue 10:00;
//! * **calendar days**: the receipt instant (moved to the next opening when outside office hours)
//!   plus N days, rolled forward to the next working day when it lands on a day off.
//!
//! A procedure with a **same-day cutoff** (civil status extracts, certified copies) promises the
//! result by close of office on the day of receipt when received before the cutoff, else on the
//! next working day; its processing time then counts whole days from that day of receipt.

use crate::calendar::WorkingCalendar;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// How long a procedure may take, as stated in its catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingTime {
    WorkingHours(TimeDelta),
    WorkingDays(u32),
    CalendarDays(u32),
}

/// A procedure's deadline rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRule {
    pub time: ProcessingTime,
    /// Received before this time of a working day: that day counts as the day of receipt;
    /// at or after it: the next working day does.
    pub same_day_cutoff: Option<NaiveTime>,
}

impl DeadlineRule {
    /// A rule without a cutoff.
    pub fn new(time: ProcessingTime) -> Self {
        DeadlineRule {
            time,
            same_day_cutoff: None,
        }
    }

    /// The same rule with a same-day cutoff.
    pub fn with_cutoff(self, cutoff: NaiveTime) -> Self {
        DeadlineRule {
            same_day_cutoff: Some(cutoff),
            ..self
        }
    }
}

/// A dossier judged against its due date, per calendar date as the national index does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeliness {
    /// Finished on a date before the due date.
    Early,
    /// Finished on the due date.
    OnTime,
    /// Finished on a date after the due date.
    Late,
    /// Not finished, due at or after the end of the reporting period.
    OpenInTime,
    /// Not finished, due before the end of the reporting period.
    OpenOverdue,
}

impl Timeliness {
    /// Judges a dossier due at `due`, finished at `finished` (or still open at `period_end`).
    pub fn classify(
        due: NaiveDateTime,
        finished: Option<NaiveDateTime>,
        period_end: NaiveDateTime,
    ) -> Timeliness {
        match finished {
            Some(done) => match done.date().cmp(&due.date()) {
                std::cmp::Ordering::Less => Timeliness::Early,
                std::cmp::Ordering::Equal => Timeliness::OnTime,
                std::cmp::Ordering::Greater => Timeliness::Late,
            },
            None if due < period_end => Timeliness::OpenOverdue,
            None => Timeliness::OpenInTime,
        }
    }

    /// The identifier used in output (`early`, `on_time`, …).
    pub fn id(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
            Timeliness::OpenInTime => "open_in_time",
            Timeliness::OpenOverdue => "open_overdue",
        }
    }
}

impl WorkingCalendar {
    /// When a dossier received at `received` is due under `rule`.
    pub fn due(&self, received: NaiveDateTime, rule: &DeadlineRule) -> NaiveDateTime {
        let start = self.next_opening(received);
        match rule.same_day_cutoff {
            None => match rule.time {
                ProcessingTime::WorkingHours(h) => self.add_working_time(received, h),
                ProcessingTime::WorkingDays(n) => {
                    self.add_working_time(received, self.working_day_length() * n as i32)
                }
                ProcessingTime::CalendarDays(n) => {
                    let day = self.roll_forward(start.date() + TimeDelta::days(i64::from(n)));
                    day.and_time(start.time())
                }
            },
            Some(cutoff) => {
                let receipt_day = self.day_of_receipt(start, cutoff);
                match rule.time {
                    ProcessingTime::WorkingHours(h) => {
                        let from = if receipt_day == start.date() {
                            start
                        } else {
                            self.opening_on(receipt_day)
                        };
                        self.add_working_time(from, h)
                    }
                    ProcessingTime::WorkingDays(n) => {
                        self.closing_on(self.add_working_days_to_date(receipt_day, n))
                    }
                    ProcessingTime::CalendarDays(n) => self
                        .closing_on(self.roll_forward(receipt_day + TimeDelta::days(i64::from(n)))),
                }
            }
        }
    }

    /// The working day a dossier counts as received on, for a procedure with a cutoff.
    fn day_of_receipt(&self, start: NaiveDateTime, cutoff: NaiveTime) -> NaiveDate {
        if start.time() < cutoff {
            start.date()
        } else {
            self.next_working_day(start.date())
        }
    }

    /// When an officer must accept (or refuse) a dossier submitted at `submitted`: one working
    /// day later.
    pub fn acceptance_due(&self, submitted: NaiveDateTime) -> NaiveDateTime {
        self.add_working_time(submitted, self.working_day_length())
    }

    /// A due date moved by a supplement wait from `paused_at` to `resumed_at`: the working time
    /// the dossier waited for the citizen is added to it.
    pub fn extend_for_pause(
        &self,
        due: NaiveDateTime,
        paused_at: NaiveDateTime,
        resumed_at: NaiveDateTime,
    ) -> NaiveDateTime {
        let waited = self.working_time_between(paused_at, resumed_at);
        if waited.is_zero() {
            due
        } else {
            self.add_working_time(due, waited)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, day)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid test time")
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
    }

    #[test]
    fn same_day_cutoff_at_1459_1500_1501() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(0)).with_cutoff(hm(15, 0));
        // Tue 1 Apr 2025.
        assert_eq!(
            cal.due(at(2025, 4, 1, 14, 59), &rule),
            at(2025, 4, 1, 17, 0)
        );
        assert_eq!(cal.due(at(2025, 4, 1, 15, 0), &rule), at(2025, 4, 2, 17, 0));
        assert_eq!(cal.due(at(2025, 4, 1, 15, 1), &rule), at(2025, 4, 2, 17, 0));
        // Friday after the cutoff: Monday. Before Hùng Kings (Mon 7 Apr): Tuesday.
        assert_eq!(
            cal.due(at(2025, 4, 4, 15, 30), &rule),
            at(2025, 4, 8, 17, 0)
        );
        // Received on a Sunday: counts from Monday's opening, before the cutoff.
        assert_eq!(
            cal.due(at(2025, 3, 30, 10, 0), &rule),
            at(2025, 3, 31, 17, 0)
        );
    }

    #[test]
    fn cutoff_with_days_counts_whole_days_from_the_day_of_receipt() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(2)).with_cutoff(hm(15, 0));
        assert_eq!(cal.due(at(2025, 4, 1, 9, 0), &rule), at(2025, 4, 3, 17, 0));
        assert_eq!(cal.due(at(2025, 4, 1, 16, 0), &rule), at(2025, 4, 4, 17, 0));
    }

    #[test]
    fn working_days_count_eight_hours_each() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(3));
        // Thu 24 Apr 2025 10:00 + 3 working days: Fri 25, Sat 26 (make-up), Mon 28.
        assert_eq!(
            cal.due(at(2025, 4, 24, 10, 0), &rule),
            at(2025, 4, 28, 10, 0)
        );
    }

    #[test]
    fn calendar_days_roll_forward_over_days_off() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::CalendarDays(5));
        // Fri 25 Apr 2025 09:00 + 5 days = Wed 30 Apr (holiday) → Mon 5 May 09:00.
        assert_eq!(cal.due(at(2025, 4, 25, 9, 0), &rule), at(2025, 5, 5, 9, 0));
        // Received in the lunch break: counts from 13:30.
        assert_eq!(
            cal.due(at(2025, 3, 3, 12, 0), &rule),
            at(2025, 3, 10, 13, 30)
        );
    }

    #[test]
    fn acceptance_is_due_one_working_day_after_submission() {
        let cal = WorkingCalendar::default();
        assert_eq!(
            cal.acceptance_due(at(2025, 3, 14, 16, 0)),
            at(2025, 3, 17, 16, 0)
        );
        // Submitted Saturday night: due at close of Monday.
        assert_eq!(
            cal.acceptance_due(at(2025, 3, 15, 22, 0)),
            at(2025, 3, 17, 17, 0)
        );
    }

    #[test]
    fn supplement_wait_moves_the_due_date_by_the_working_time_waited() {
        let cal = WorkingCalendar::default();
        let due = at(2025, 3, 20, 10, 0);
        // Waited Mon 10 Mar 09:00 → Wed 12 Mar 09:00: two working days.
        let moved = cal.extend_for_pause(due, at(2025, 3, 10, 9, 0), at(2025, 3, 12, 9, 0));
        assert_eq!(moved, at(2025, 3, 24, 10, 0));
        // A wait entirely over a weekend moves nothing.
        let same = cal.extend_for_pause(due, at(2025, 3, 15, 9, 0), at(2025, 3, 16, 18, 0));
        assert_eq!(same, due);
    }

    #[test]
    fn timeliness_is_judged_per_calendar_date() {
        let due = at(2025, 4, 10, 10, 0);
        let end = at(2025, 4, 30, 23, 59);
        let c = |f| Timeliness::classify(due, f, end);
        assert_eq!(c(Some(at(2025, 4, 9, 16, 0))), Timeliness::Early);
        assert_eq!(c(Some(at(2025, 4, 10, 16, 59))), Timeliness::OnTime);
        assert_eq!(c(Some(at(2025, 4, 11, 7, 0))), Timeliness::Late);
        assert_eq!(c(None), Timeliness::OpenOverdue);
        assert_eq!(
            Timeliness::classify(due, None, at(2025, 4, 5, 0, 0)),
            Timeliness::OpenInTime
        );
    }

    fn rule() -> impl Strategy<Value = DeadlineRule> {
        let time = prop_oneof![
            (0i64..200 * 60).prop_map(|m| ProcessingTime::WorkingHours(TimeDelta::minutes(m))),
            (0u32..40).prop_map(ProcessingTime::WorkingDays),
            (0u32..60).prop_map(ProcessingTime::CalendarDays),
        ];
        let cutoff = proptest::option::of((6u32..18).prop_map(|h| hm(h, 0)));
        (time, cutoff).prop_map(|(time, same_day_cutoff)| DeadlineRule {
            time,
            same_day_cutoff,
        })
    }

    proptest! {
        #[test]
        fn a_due_instant_is_always_in_office_hours_of_a_working_day(
            minute in 0i64..4 * 366 * 24 * 60, rule in rule(),
        ) {
            let cal = WorkingCalendar::default();
            let received = at(2023, 1, 1, 0, 0) + TimeDelta::minutes(minute);
            let due = cal.due(received, &rule);
            prop_assert!(due >= received);
            prop_assert!(cal.is_working_day(due.date()), "{} -> {}", received, due);
            prop_assert!(cal.office_hours().contains(due.time()), "{} -> {}", received, due);
        }

        #[test]
        fn more_working_days_never_give_an_earlier_due_date(
            minute in 0i64..4 * 366 * 24 * 60, a in 0u32..30, b in 0u32..30,
            cutoff in proptest::option::of((6u32..18).prop_map(|h| hm(h, 0))),
        ) {
            let cal = WorkingCalendar::default();
            let received = at(2023, 1, 1, 0, 0) + TimeDelta::minutes(minute);
            let due = |n| cal.due(received, &DeadlineRule {
                time: ProcessingTime::WorkingDays(n),
                same_day_cutoff: cutoff,
            });
            prop_assert!(due(a.min(b)) <= due(a.max(b)));
        }
    }
}
