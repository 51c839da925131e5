//! A dossier's deadlines from its history, by the rules the national index counts with.
//!
//! - **Acceptance** is due one working day after the last submission: a supplement asked for at
//!   intake restarts the intake clock when the citizen hands the papers in, so the citizen's wait
//!   is never charged to the officer.
//! - **Processing** is due the procedure's time after the first acceptance, moved later by every
//!   wait the rules excuse, in working time: the first supplement request after acceptance, and
//!   the waits the procedure's [`ClockPolicy`] pauses for (fees or tax, a public posting).
//! - **A repeated supplement request** breaks the rule that papers are asked for once only (the
//!   one-stop rules of Decree 61/2018/NĐ-CP, as amended by Decree 107/2021/NĐ-CP): its wait is
//!   not excused, it stays charged to the agency, and it is counted so a report can show it.

use crate::calendar::WorkingCalendar;
use crate::deadline::DeadlineRule;
use crate::lifecycle::{Clock, ClockPolicy, DossierState};
use chrono::{NaiveDateTime, TimeDelta};

/// What a dossier's history makes of its deadlines at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DossierDeadlines {
    /// One working day after the last submission.
    pub acceptance_due: NaiveDateTime,
    /// When processing is due; `None` before the first acceptance.
    pub due: Option<NaiveDateTime>,
    /// Supplement requests after acceptance (more than one breaks the once-only rule).
    pub supplement_requests: u32,
    /// Working time of waits the rules excuse, added to the due date.
    pub excused: TimeDelta,
    /// Working time of waits for repeated supplement requests: not excused.
    pub charged: TimeDelta,
}

/// The deadlines of a dossier whose states were entered as `history` says (oldest first), under
/// `rule` and `policy`, as of `as_of` (a pause still open counts up to then).
pub fn deadlines(
    history: &[(DossierState, NaiveDateTime)],
    rule: &DeadlineRule,
    policy: ClockPolicy,
    calendar: &WorkingCalendar,
    as_of: NaiveDateTime,
) -> DossierDeadlines {
    let first = history.first().map_or(as_of, |h| h.1);
    let mut out = DossierDeadlines {
        acceptance_due: calendar.acceptance_due(first),
        due: None,
        supplement_requests: 0,
        excused: TimeDelta::zero(),
        charged: TimeDelta::zero(),
    };
    let mut base_due = None;
    for (i, &(state, entered)) in history.iter().enumerate() {
        let left = history.get(i + 1).map_or(as_of, |h| h.1).max(entered);
        match state {
            DossierState::Submitted => out.acceptance_due = calendar.acceptance_due(entered),
            DossierState::Accepted if base_due.is_none() => {
                base_due = Some(calendar.due(entered, rule));
            }
            _ => {}
        }
        if base_due.is_none() || policy.clock(state) != Clock::Paused {
            continue;
        }
        let waited = calendar.working_time_between(entered, left);
        if state == DossierState::SupplementRequested {
            out.supplement_requests += 1;
            if out.supplement_requests > 1 {
                out.charged += waited;
                continue;
            }
        }
        out.excused += waited;
    }
    out.due = base_due.map(|due| {
        if out.excused.is_zero() {
            due
        } else {
            calendar.add_working_time(due, out.excused)
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::ProcessingTime;
    use crate::lifecycle::Lifecycle;
    use DossierState::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        // March 2025: Monday 3 to Friday 28, no days off.
        NaiveDate::from_ymd_opt(2025, 3, d)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid test time")
    }

    fn walk(steps: &[(DossierState, NaiveDateTime)]) -> Vec<(DossierState, NaiveDateTime)> {
        let mut life = Lifecycle::submitted(steps[0].1);
        for &(s, t) in &steps[1..] {
            life.apply(s, t).expect("allowed");
        }
        life.history().to_vec()
    }

    #[test]
    fn a_supplement_at_intake_restarts_the_acceptance_clock() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(3));
        let h = walk(&[
            (Submitted, at(3, 9, 0)),
            (SupplementRequested, at(3, 10, 0)),
            (Submitted, at(6, 9, 0)),
        ]);
        let d = deadlines(&h, &rule, ClockPolicy::default(), &cal, at(6, 10, 0));
        assert_eq!(d.acceptance_due, at(7, 9, 0), "a day after the papers came");
        assert_eq!(d.due, None);
    }

    #[test]
    fn only_the_first_supplement_after_acceptance_is_excused() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(3));
        let h = walk(&[
            (Submitted, at(3, 8, 0)),
            (Accepted, at(3, 9, 0)),
            (Processing, at(3, 9, 0)),
            (SupplementRequested, at(4, 9, 0)),
            (Processing, at(5, 9, 0)),
            (SupplementRequested, at(5, 10, 0)),
            (Processing, at(6, 10, 0)),
        ]);
        let d = deadlines(&h, &rule, ClockPolicy::default(), &cal, at(6, 10, 0));
        // Three working days from Monday 9:00 is Thursday 9:00; the first wait (one working
        // day) moves it to Friday 9:00; the second is charged.
        assert_eq!(d.due, Some(at(7, 9, 0)));
        assert_eq!(d.supplement_requests, 2);
        assert_eq!(d.charged, TimeDelta::hours(8));
    }

    #[test]
    fn fees_pause_the_clock_only_where_the_procedure_says() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(2));
        let h = walk(&[
            (Submitted, at(3, 8, 0)),
            (Accepted, at(3, 9, 0)),
            (AwaitingFee, at(3, 9, 0)),
            (Processing, at(5, 9, 0)),
        ]);
        let running = deadlines(&h, &rule, ClockPolicy::default(), &cal, at(5, 9, 0));
        assert_eq!(running.due, Some(at(5, 9, 0)));
        let land = ClockPolicy {
            fee_pauses: true,
            posting_pauses: false,
        };
        let paused = deadlines(&h, &rule, land, &cal, at(5, 9, 0));
        assert_eq!(
            paused.due,
            Some(at(7, 9, 0)),
            "two days waiting for the fee"
        );
    }

    #[test]
    fn an_open_pause_counts_up_to_now() {
        let cal = WorkingCalendar::default();
        let rule = DeadlineRule::new(ProcessingTime::WorkingDays(1));
        let h = walk(&[
            (Submitted, at(3, 8, 0)),
            (Accepted, at(3, 9, 0)),
            (SupplementRequested, at(3, 10, 0)),
        ]);
        let d = deadlines(&h, &rule, ClockPolicy::default(), &cal, at(10, 10, 0));
        assert_eq!(
            d.due,
            Some(at(11, 9, 0)),
            "never overdue while the citizen owes papers"
        );
    }

    /// A random walk through the lifecycle: each step picks one of the allowed next states and
    /// waits 0 to 80 hours.
    fn random_history(
        choices: &[(usize, u32)],
        start: NaiveDateTime,
    ) -> Vec<(DossierState, NaiveDateTime)> {
        let mut life = Lifecycle::submitted(start);
        let mut t = start;
        for &(pick, minutes) in choices {
            let next = life.state().next_states();
            if next.is_empty() {
                break;
            }
            t += TimeDelta::minutes(i64::from(minutes));
            life.apply(next[pick % next.len()], t).expect("allowed");
        }
        life.history().to_vec()
    }

    proptest! {
        #[test]
        fn paused_time_is_never_counted_and_intake_restarts_on_resubmission(
            choices in proptest::collection::vec((0usize..16, 0u32..4800), 0..24),
            start_minute in 0u32..(60 * 24 * 14),
            days in 0u32..12,
            fee_pauses: bool,
            posting_pauses: bool,
        ) {
            let cal = WorkingCalendar::default();
            let start = at(3, 0, 0) + TimeDelta::minutes(i64::from(start_minute));
            let history = random_history(&choices, start);
            let rule = DeadlineRule::new(ProcessingTime::WorkingDays(days));
            let policy = ClockPolicy { fee_pauses, posting_pauses };
            let as_of = history.last().map_or(start, |h| h.1) + TimeDelta::hours(5);
            let d = deadlines(&history, &rule, policy, &cal, as_of);

            // The acceptance deadline follows the last submission.
            let last_submitted = history
                .iter()
                .rev()
                .find(|h| h.0 == Submitted)
                .map(|h| h.1)
                .expect("submitted");
            prop_assert_eq!(d.acceptance_due, cal.acceptance_due(last_submitted));

            let accepted = history.iter().find(|h| h.0 == Accepted).map(|h| h.1);
            match accepted {
                None => prop_assert_eq!(d.due, None),
                Some(accepted) => {
                    // Every paused wait after acceptance is either excused or charged...
                    let mut paused = TimeDelta::zero();
                    for (i, &(state, entered)) in history.iter().enumerate() {
                        let left = history.get(i + 1).map_or(as_of, |h| h.1);
                        if entered >= accepted && policy.clock(state) == Clock::Paused {
                            paused += cal.working_time_between(entered, left);
                        }
                    }
                    prop_assert_eq!(d.excused + d.charged, paused);
                    // ...and the processing time counted from acceptance to the due date is
                    // the procedure's, plus exactly the excused waits: none of them is counted.
                    let due = d.due.expect("due once accepted");
                    let counted = cal.working_time_between(accepted, due) - d.excused;
                    prop_assert_eq!(counted, cal.working_day_length() * days as i32);
                    if d.supplement_requests <= 1 {
                        prop_assert!(d.charged.is_zero());
                    }
                }
            }
        }
    }
}
