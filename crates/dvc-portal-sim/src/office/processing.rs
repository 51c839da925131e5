//! Processing after acceptance: the events planned for a dossier, the papers a citizen sends,
//! withdrawal, and the due date taken from the dossier's history.

use super::{Apology, Attachment, Decision, Dossier, DossierState, Event, Office, OfficeError};
use chrono::{NaiveDateTime, TimeDelta};
use dvc_domain::dossier_clock;
use rand::RngExt;
use std::cmp::Reverse;

impl Office {
    /// The citizen supplies the missing papers. Asked for at intake, the dossier goes back to
    /// the intake queue and its acceptance deadline starts again; asked for during processing,
    /// processing resumes with the due date moved by the wait.
    pub fn supplement(
        &mut self,
        code: &str,
        attachments: Vec<Attachment>,
        now: NaiveDateTime,
    ) -> Result<&Dossier, OfficeError> {
        let idx = self.index(code)?;
        let d = &mut self.dossiers[idx];
        if d.state() != DossierState::SupplementRequested {
            return Err(OfficeError::NotAwaitingSupplement {
                code: code.to_owned(),
                state: d.state().id().to_owned(),
            });
        }
        d.attachments.extend(attachments);
        d.supplements += 1;
        if d.accepted_at.is_some() {
            self.start_processing(idx, now);
            return Ok(&self.dossiers[idx]);
        }
        d.lifecycle
            .apply(DossierState::Submitted, now)
            .expect("invariant: supplement_requested -> submitted is allowed");
        d.submitted_at = now;
        d.acceptance_due = self.calendar.acceptance_due(now);
        d.ready_at = now;
        // This time the officer accepts.
        d.decision = Decision::Accept;
        self.enqueue(idx);
        Ok(&self.dossiers[idx])
    }

    /// The citizen withdraws the dossier (state 7): nothing planned for it happens any more.
    pub fn withdraw(&mut self, code: &str, now: NaiveDateTime) -> Result<&Dossier, OfficeError> {
        let idx = self.index(code)?;
        let d = &mut self.dossiers[idx];
        if d.lifecycle
            .apply(DossierState::WithdrawalRequested, now)
            .is_err()
        {
            return Err(OfficeError::CannotWithdraw {
                code: code.to_owned(),
                state: d.state().id().to_owned(),
            });
        }
        d.plan += 1;
        Ok(&self.dossiers[idx])
    }

    pub(super) fn apply_event(&mut self, at: NaiveDateTime, idx: usize, event: Event) {
        let d = &mut self.dossiers[idx];
        match event {
            Event::Resolve(plan)
            | Event::AskSupplement(plan)
            | Event::Stop(plan)
            | Event::Apologise(plan, _)
                if plan != d.plan =>
            {
                // Planned before a pause, a withdrawal or a replan.
            }
            Event::AskSupplement(_) => {
                if d.lifecycle
                    .apply(DossierState::SupplementRequested, at)
                    .is_ok()
                {
                    d.processing_supplements += 1;
                }
            }
            Event::Stop(_) => {
                if d.lifecycle.apply(DossierState::Stopped, at).is_ok() {
                    d.stop_reason = Some(
                        "Hồ sơ không đủ điều kiện giải quyết theo quy định (the dossier does \
                         not meet the conditions for this procedure)"
                            .to_owned(),
                    );
                }
            }
            Event::Apologise(_, new_due) => {
                d.apology = Some(Apology {
                    issued_at: at,
                    new_due,
                });
            }
            Event::IntakeDecision => self.decide(at, idx),
            Event::Resolve(_) => {
                if d.lifecycle.apply(DossierState::Resolved, at).is_ok() {
                    d.finished_at = Some(at);
                    let back = self.calendar.add_working_time(at, TimeDelta::hours(1));
                    self.events.push(Reverse((back, idx, Event::ReturnResult)));
                }
            }
            Event::ReturnResult => {
                let _ = self.dossiers[idx]
                    .lifecycle
                    .apply(DossierState::ResultReturned, at);
            }
        }
    }

    pub(super) fn decide(&mut self, at: NaiveDateTime, idx: usize) {
        let decision = self.dossiers[idx].decision;
        let d = &mut self.dossiers[idx];
        match decision {
            Decision::Refuse => {
                let _ = d.lifecycle.apply(DossierState::Refused, at);
            }
            Decision::Supplement => {
                let _ = d.lifecycle.apply(DossierState::SupplementRequested, at);
            }
            Decision::Accept => {
                if d.lifecycle.apply(DossierState::Accepted, at).is_err() {
                    return;
                }
                d.accepted_at = Some(at);
                d.due_at = Some(self.calendar.due(at, &d.rule));
                d.plan += 1;
                if d.fee > 0 && d.paid_at.is_none() {
                    let _ = d.lifecycle.apply(DossierState::AwaitingFee, at);
                } else {
                    self.start_processing(idx, at);
                }
            }
        }
    }

    /// Processing starts or resumes (after acceptance, the fee, or a supplement): the due date
    /// is taken from the dossier's history, and what happens next is planned.
    pub(super) fn start_processing(&mut self, idx: usize, at: NaiveDateTime) {
        let late = self.rng.random_bool(self.back_office.late_probability);
        let fraction: f64 = self.rng.random_range(0.3..1.0);
        let late_days: f64 = self.rng.random_range(1.0..3.0);
        // Drawn only when configured, so a portal without them draws as it always did and a
        // seed replays the same run.
        let b = &self.back_office;
        let (ask_p, stop_p) = (b.processing_supplement, b.stop);
        let ask = ask_p > 0.0 && self.rng.random_bool(ask_p);
        let stop = stop_p > 0.0 && self.rng.random_bool(stop_p);
        let d = &mut self.dossiers[idx];
        let _ = d.lifecycle.apply(DossierState::Processing, at);
        d.plan += 1;
        let plan = d.plan;
        d.due_at =
            dossier_clock::deadlines(d.lifecycle.history(), &d.rule, d.clock, &self.calendar, at)
                .due;
        let Some(due) = d.due_at else { return };
        if ask || stop {
            // Part of the way to the due date, the officer asks for papers or the agency
            // decides it cannot resolve the dossier.
            let room = self.calendar.working_time_between(at, due);
            let used = TimeDelta::seconds((room.num_seconds() as f64 * fraction / 2.0) as i64);
            let when = self.calendar.add_working_time(at, used).max(at);
            let event = if stop {
                Event::Stop(plan)
            } else {
                Event::AskSupplement(plan)
            };
            self.events.push(Reverse((when, idx, event)));
            return;
        }
        let finish = if late {
            let day = self.calendar.working_day_length();
            let late_by = TimeDelta::seconds((day.num_seconds() as f64 * late_days) as i64);
            // Late by at least one calendar date: start from close of office on the due date.
            self.calendar
                .add_working_time(self.calendar.closing_on(due.date()), late_by)
        } else {
            let room = self.calendar.working_time_between(at, due);
            let used = TimeDelta::seconds((room.num_seconds() as f64 * fraction) as i64);
            self.calendar.add_working_time(at, used).min(due)
        };
        let finish = finish.max(at);
        if finish.date() > due.date() {
            self.events.push(Reverse((
                due.max(at),
                idx,
                Event::Apologise(plan, self.calendar.closing_on(finish.date())),
            )));
        }
        self.events
            .push(Reverse((finish, idx, Event::Resolve(plan))));
    }
}
