//! Public statistics of an agency over a period.

use super::Office;
use chrono::{NaiveDate, NaiveDateTime};
use dvc_domain::deadline::Timeliness;
use dvc_domain::dossier_clock;
use dvc_domain::lifecycle::{Clock, DossierState};
use serde::Serialize;

/// Counts of one agency over a period: what a portal's public statistics page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgencyStats {
    pub agency: String,
    pub received: u64,
    pub accepted: u64,
    pub refused: u64,
    pub late_acceptances: u64,
    pub pending_intake: u64,
    pub resolved_early: u64,
    pub resolved_on_time: u64,
    pub resolved_late: u64,
    pub open_in_time: u64,
    pub open_overdue: u64,
    /// Accepted dossiers the agency refused to resolve (stopped), by when it said so.
    pub stopped: u64,
    /// Dossiers the citizen withdrew, by when.
    pub withdrawn: u64,
    /// Accepted dossiers with more than one supplement request: the once-only rule broken.
    pub repeat_supplements: u64,
}

impl AgencyStats {
    /// The national index's progress ratio (indicator 2.1): dossiers finished on time or still
    /// open in time, over all finished or open ones; None when there are none.
    pub fn on_time_ratio(&self) -> Option<f64> {
        let in_time = self.resolved_early + self.resolved_on_time + self.open_in_time;
        let all = in_time + self.resolved_late + self.open_overdue;
        (all > 0).then(|| in_time as f64 / all as f64)
    }
}

impl Office {
    /// Statistics of `agency` for dossiers in the period `from ..= to` (dates), as of `now`.
    pub fn stats(
        &self,
        agency: &str,
        from: NaiveDate,
        to: NaiveDate,
        now: NaiveDateTime,
    ) -> AgencyStats {
        let in_period = |t: NaiveDateTime| t.date() >= from && t.date() <= to;
        let end = to
            .succ_opt()
            .map_or(now, |d| d.and_time(chrono::NaiveTime::MIN))
            .min(now);
        let mut s = AgencyStats {
            agency: agency.to_owned(),
            ..AgencyStats::default()
        };
        for d in self.dossiers.iter().filter(|d| d.agency == agency) {
            if d.first_submitted_at > end {
                continue;
            }
            if in_period(d.first_submitted_at) {
                s.received += 1;
            }
            let refused_at = d.lifecycle.entered(DossierState::Refused);
            // Withdrawn or stopped by the period's end: closed, not judged on time or late.
            let closed = [DossierState::WithdrawalRequested, DossierState::Stopped]
                .into_iter()
                .find_map(|state| d.lifecycle.entered(state).map(|at| (state, at)))
                .filter(|(_, at)| *at <= end);
            if let Some((state, at)) = closed {
                if in_period(at) {
                    match state {
                        DossierState::Stopped => s.stopped += 1,
                        _ => s.withdrawn += 1,
                    }
                }
                if d.accepted_at.is_some_and(|a| a <= end && in_period(a)) {
                    s.accepted += 1;
                    if d.accepted_at > Some(d.acceptance_due) {
                        s.late_acceptances += 1;
                    }
                }
                continue;
            }
            match (d.accepted_at, refused_at) {
                (Some(at), _) if at <= end => {
                    if in_period(at) {
                        s.accepted += 1;
                        if at > d.acceptance_due {
                            s.late_acceptances += 1;
                        }
                    }
                    // The due date as of the period's end: waits the rules excuse, including
                    // one still open then, move it. A dossier that never waited keeps the due
                    // date set at acceptance, and most never do: only those are recomputed.
                    let waited = d
                        .lifecycle
                        .history()
                        .iter()
                        .any(|h| d.clock.clock(h.0) == Clock::Paused);
                    let (due, requests) = if waited {
                        let history: Vec<_> = d
                            .lifecycle
                            .history()
                            .iter()
                            .copied()
                            .filter(|h| h.1 <= end)
                            .collect();
                        let deadlines = dossier_clock::deadlines(
                            &history,
                            &d.rule,
                            d.clock,
                            &self.calendar,
                            end,
                        );
                        (deadlines.due, deadlines.supplement_requests)
                    } else {
                        (d.due_at, 0)
                    };
                    if requests > 1 && in_period(at) {
                        s.repeat_supplements += 1;
                    }
                    match (due, d.finished_at) {
                        (Some(due), Some(done)) if done <= end => {
                            if in_period(done) {
                                match Timeliness::classify(due, Some(done), end) {
                                    Timeliness::Early => s.resolved_early += 1,
                                    Timeliness::OnTime => s.resolved_on_time += 1,
                                    _ => s.resolved_late += 1,
                                }
                            }
                        }
                        (Some(due), _) => match Timeliness::classify(due, None, end) {
                            Timeliness::OpenOverdue => s.open_overdue += 1,
                            _ => s.open_in_time += 1,
                        },
                        (None, _) => {}
                    }
                }
                (_, Some(at)) if at <= end => {
                    if in_period(at) {
                        s.refused += 1;
                    }
                }
                _ => s.pending_intake += 1,
            }
        }
        s
    }
}
