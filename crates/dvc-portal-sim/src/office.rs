//! The one-stop office of one portal: dossiers, the intake queue and officers, processing, and
//! payments, advanced in simulated time. Synchronous and deterministic for a given seed and
//! sequence of calls, so it is tested without a server.
//!
//! Intake is an event simulation per agency: dossiers wait FIFO; an officer takes the head of
//! the queue when both are free, at the next opening of office hours, and decides after the
//! dossier's intake work (drawn at submission) in working time. Processing then finishes at a
//! planned instant: before the due date, or with `late_probability` 1–3 working days after it.

use crate::catalogue::Procedure;
use crate::config::{BackOfficeConfig, PortalConfig};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use dvc_domain::calendar::WorkingCalendar;
use dvc_domain::deadline::{DeadlineRule, Timeliness};
use dvc_domain::lifecycle::{DossierState, Lifecycle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// What the intake officer will decide about a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Refuse,
    Supplement,
}

/// An uploaded attachment (its bytes are not kept).
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: usize,
}

/// A dossier and everything the back office knows of it.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub code: String,
    pub procedure: String,
    pub agency: String,
    pub applicant: serde_json::Value,
    pub attachments: Vec<Attachment>,
    /// Marked as a test dossier by the submitter (probes do this).
    pub test: bool,
    pub lifecycle: Lifecycle,
    /// When the citizen first submitted.
    pub first_submitted_at: NaiveDateTime,
    /// Start of the intake clock: submission, or payment for pay-first procedures.
    pub submitted_at: NaiveDateTime,
    pub acceptance_due: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub fee: u64,
    pub pay_first: bool,
    pub paid_at: Option<NaiveDateTime>,
    pub supplements: u32,
    intake_work: TimeDelta,
    decision: Decision,
    ready_at: NaiveDateTime,
    rule: DeadlineRule,
}

impl Dossier {
    pub fn state(&self) -> DossierState {
        self.lifecycle.state()
    }

    /// True while the fee is owed.
    pub fn fee_owed(&self) -> bool {
        self.fee > 0
            && self.paid_at.is_none()
            && match self.state() {
                DossierState::Submitted => self.pay_first,
                DossierState::AwaitingFee => true,
                _ => false,
            }
    }
}

/// Payment status as the portal knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
}

/// What the gateway did with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayOutcome {
    Success,
    Failed,
    /// The gateway does not know yet; it settles later (as a success).
    Pending,
}

/// A payment attempt for a dossier.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: String,
    pub dossier: usize,
    pub amount: u64,
    pub status: PaymentStatus,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    /// The gateway's transaction, once the citizen has paid on the gateway page.
    pub transaction: Option<Transaction>,
    /// Callbacks received for this payment (duplicates included).
    pub callbacks: u32,
    /// "callback" or "reconciliation".
    pub confirmed_by: Option<&'static str>,
}

/// The gateway's side of a payment.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub outcome: GatewayOutcome,
    pub decided: std::time::Instant,
}

/// Result of applying a gateway confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Applied,
    /// The payment was already final: nothing changed (idempotent).
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    IntakeDecision,
    Resolve,
    ReturnResult,
}

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
}

/// Bad requests against the office, shown to clients as 4xx reasons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeError {
    #[error("no dossier with code {0:?}")]
    UnknownDossier(String),
    #[error("no payment with id {0:?}")]
    UnknownPayment(String),
    #[error("dossier {0} owes no fee")]
    NoFeeOwed(String),
    #[error("dossier {code} is {state}, not awaiting a supplement")]
    NotAwaitingSupplement { code: String, state: String },
    #[error("payment {0} has not been paid on the gateway")]
    NotPaidOnGateway(String),
}

/// One portal's office.
#[derive(Debug)]
pub struct Office {
    calendar: WorkingCalendar,
    back_office: BackOfficeConfig,
    province: String,
    rng: StdRng,
    dossiers: Vec<Dossier>,
    by_code: HashMap<String, usize>,
    payments: HashMap<String, Payment>,
    next_payment: u64,
    queues: HashMap<String, VecDeque<usize>>,
    officers: HashMap<String, Vec<NaiveDateTime>>,
    events: BinaryHeap<Reverse<(NaiveDateTime, usize, Event)>>,
    sequences: HashMap<(String, NaiveDate), u32>,
    sessions: HashMap<String, String>,
    session_order: VecDeque<String>,
}

impl Office {
    pub fn new(config: &PortalConfig, calendar: WorkingCalendar) -> Self {
        Office {
            calendar,
            back_office: config.back_office.clone(),
            province: config.province.clone(),
            rng: StdRng::seed_from_u64(config.seed),
            dossiers: Vec::new(),
            by_code: HashMap::new(),
            payments: HashMap::new(),
            next_payment: 0,
            queues: HashMap::new(),
            officers: HashMap::new(),
            events: BinaryHeap::new(),
            sequences: HashMap::new(),
            sessions: HashMap::new(),
            session_order: VecDeque::new(),
        }
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// The prefix of dossier codes of an agency on this portal: `000.00.12.H01`.
    pub fn agency_code(&self, agency_code: &str) -> String {
        format!("{agency_code}.H{}", self.province)
    }

    /// The last sequence number handed out for `agency` on `day`.
    pub fn sequence(&self, agency: &str, day: NaiveDate) -> u32 {
        self.sequences
            .get(&(agency.to_owned(), day))
            .copied()
            .unwrap_or(0)
    }

    /// Records `seq` as the last sequence number of `agency` on `day`.
    pub fn set_sequence(&mut self, agency: &str, day: NaiveDate, seq: u32) {
        self.sequences.insert((agency.to_owned(), day), seq);
    }

    /// Takes the next sequence number of `agency` on `day`.
    pub fn next_sequence(&mut self, agency: &str, day: NaiveDate) -> u32 {
        let seq = self.sequence(agency, day) + 1;
        self.set_sequence(agency, day, seq);
        seq
    }

    /// Adds a submitted dossier with an already generated `code`; returns its index.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &mut self,
        code: String,
        procedure: &Procedure,
        applicant: serde_json::Value,
        attachments: Vec<Attachment>,
        test: bool,
        now: NaiveDateTime,
    ) -> usize {
        let mean = self.back_office.intake_minutes;
        let u: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let minutes = (-mean * u.ln()).clamp(1.0, mean * 8.0);
        let b = &self.back_office;
        let roll: f64 = self.rng.random();
        let decision = if roll < b.accept {
            Decision::Accept
        } else if roll < b.accept + b.refuse {
            Decision::Refuse
        } else {
            Decision::Supplement
        };
        let dossier = Dossier {
            code: code.clone(),
            procedure: procedure.code.clone(),
            agency: procedure.agency.clone(),
            applicant,
            attachments,
            test,
            lifecycle: Lifecycle::submitted(now),
            first_submitted_at: now,
            submitted_at: now,
            acceptance_due: self.calendar.acceptance_due(now),
            accepted_at: None,
            due_at: None,
            finished_at: None,
            fee: procedure.fee,
            pay_first: procedure.pay_first && procedure.fee > 0,
            paid_at: None,
            supplements: 0,
            intake_work: TimeDelta::seconds((minutes * 60.0) as i64),
            decision,
            ready_at: now,
            rule: procedure.deadline_rule(),
        };
        let idx = self.dossiers.len();
        let held = dossier.pay_first;
        self.dossiers.push(dossier);
        // With a duplicated code the later dossier hides the earlier one from lookups.
        self.by_code.insert(code, idx);
        if !held {
            self.enqueue(idx);
        }
        idx
    }

    fn enqueue(&mut self, idx: usize) {
        let agency = self.dossiers[idx].agency.clone();
        self.queues.entry(agency).or_default().push_back(idx);
    }

    /// The dossier a lookup by `code` finds.
    pub fn find(&self, code: &str) -> Result<&Dossier, OfficeError> {
        self.by_code
            .get(code)
            .map(|&i| &self.dossiers[i])
            .ok_or_else(|| OfficeError::UnknownDossier(code.to_owned()))
    }

    /// Every dossier ever submitted, duplicates included.
    pub fn dossiers(&self) -> &[Dossier] {
        &self.dossiers
    }

    /// The citizen supplies the missing papers: back to the intake queue.
    pub fn supplement(
        &mut self,
        code: &str,
        attachments: Vec<Attachment>,
        now: NaiveDateTime,
    ) -> Result<&Dossier, OfficeError> {
        let idx = *self
            .by_code
            .get(code)
            .ok_or_else(|| OfficeError::UnknownDossier(code.to_owned()))?;
        let d = &mut self.dossiers[idx];
        if d.state() != DossierState::SupplementRequested {
            return Err(OfficeError::NotAwaitingSupplement {
                code: code.to_owned(),
                state: d.state().id().to_owned(),
            });
        }
        d.lifecycle
            .apply(DossierState::Submitted, now)
            .expect("invariant: supplement_requested -> submitted is allowed");
        d.attachments.extend(attachments);
        d.supplements += 1;
        d.ready_at = now;
        // This time the officer accepts.
        d.decision = Decision::Accept;
        self.enqueue(idx);
        Ok(&self.dossiers[idx])
    }

    /// Runs the back office up to simulated instant `now`.
    pub fn advance(&mut self, now: NaiveDateTime) {
        loop {
            self.start_intake_work(now);
            match self.events.peek() {
                Some(Reverse((at, _, _))) if *at <= now => {
                    let Some(Reverse((at, idx, event))) = self.events.pop() else {
                        break;
                    };
                    self.apply_event(at, idx, event);
                }
                _ => break,
            }
        }
    }

    /// Assigns queued dossiers to officers whose work on them starts by `now`.
    fn start_intake_work(&mut self, now: NaiveDateTime) {
        let officers = self.back_office.officers.max(1) as usize;
        let agencies: Vec<String> = self.queues.keys().cloned().collect();
        for agency in agencies {
            while let Some(&idx) = self.queues.get(&agency).and_then(|q| q.front()) {
                let staff = self
                    .officers
                    .entry(agency.clone())
                    .or_insert_with(|| vec![NaiveDateTime::MIN; officers]);
                let (officer, free_at) = staff
                    .iter()
                    .copied()
                    .enumerate()
                    .min_by_key(|&(_, t)| t)
                    .expect("invariant: an agency has at least one officer");
                let d = &self.dossiers[idx];
                let start = self.calendar.next_opening(free_at.max(d.ready_at));
                if start > now {
                    break;
                }
                let done = self.calendar.add_working_time(start, d.intake_work);
                staff[officer] = done;
                if let Some(q) = self.queues.get_mut(&agency) {
                    q.pop_front();
                }
                self.events
                    .push(Reverse((done, idx, Event::IntakeDecision)));
            }
        }
    }

    fn apply_event(&mut self, at: NaiveDateTime, idx: usize, event: Event) {
        match event {
            Event::IntakeDecision => self.decide(at, idx),
            Event::Resolve => {
                let d = &mut self.dossiers[idx];
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

    fn decide(&mut self, at: NaiveDateTime, idx: usize) {
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
                if d.fee > 0 && d.paid_at.is_none() {
                    let _ = d.lifecycle.apply(DossierState::AwaitingFee, at);
                } else {
                    self.start_processing(idx, at);
                }
            }
        }
    }

    /// Processing starts (after acceptance, or after the fee is paid): plans when it finishes.
    fn start_processing(&mut self, idx: usize, at: NaiveDateTime) {
        let late = self.rng.random_bool(self.back_office.late_probability);
        let fraction: f64 = self.rng.random_range(0.3..1.0);
        let late_days: f64 = self.rng.random_range(1.0..3.0);
        let d = &mut self.dossiers[idx];
        let _ = d.lifecycle.apply(DossierState::Processing, at);
        let Some(due) = d.due_at else { return };
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
        self.events
            .push(Reverse((finish.max(at), idx, Event::Resolve)));
    }

    /// Creates a payment for the dossier's fee.
    pub fn create_payment(
        &mut self,
        code: &str,
        now: NaiveDateTime,
    ) -> Result<&Payment, OfficeError> {
        let idx = *self
            .by_code
            .get(code)
            .ok_or_else(|| OfficeError::UnknownDossier(code.to_owned()))?;
        let d = &self.dossiers[idx];
        if !d.fee_owed() {
            return Err(OfficeError::NoFeeOwed(code.to_owned()));
        }
        self.next_payment += 1;
        let id = format!("PAY{:010}", self.next_payment);
        let payment = Payment {
            id: id.clone(),
            dossier: idx,
            amount: d.fee,
            status: PaymentStatus::Pending,
            created_at: now,
            confirmed_at: None,
            transaction: None,
            callbacks: 0,
            confirmed_by: None,
        };
        Ok(self.payments.entry(id).or_insert(payment))
    }

    pub fn payment(&self, id: &str) -> Result<&Payment, OfficeError> {
        self.payments
            .get(id)
            .ok_or_else(|| OfficeError::UnknownPayment(id.to_owned()))
    }

    /// The dossier a payment is for.
    pub fn payment_dossier(&self, payment: &Payment) -> &Dossier {
        &self.dossiers[payment.dossier]
    }

    /// The citizen pays on the gateway page: the gateway decides the outcome (drawn from the
    /// configured shares unless forced). Paying twice returns the first transaction.
    pub fn pay_on_gateway(
        &mut self,
        id: &str,
        shares: (f64, f64),
        forced: Option<GatewayOutcome>,
    ) -> Result<Transaction, OfficeError> {
        let roll: f64 = self.rng.random();
        let next = self.payments.len();
        let payment = self
            .payments
            .get_mut(id)
            .ok_or_else(|| OfficeError::UnknownPayment(id.to_owned()))?;
        if let Some(t) = &payment.transaction {
            return Ok(t.clone());
        }
        let outcome = forced.unwrap_or(if roll < shares.0 {
            GatewayOutcome::Success
        } else if roll < shares.0 + shares.1 {
            GatewayOutcome::Failed
        } else {
            GatewayOutcome::Pending
        });
        let t = Transaction {
            id: format!("TXN{:010}{}", next, &id[3..]),
            outcome,
            decided: std::time::Instant::now(),
        };
        payment.transaction = Some(t.clone());
        Ok(t)
    }

    /// Applies the gateway's word on a payment (from a callback or reconciliation).
    pub fn confirm_payment(
        &mut self,
        id: &str,
        success: bool,
        by: &'static str,
        now: NaiveDateTime,
    ) -> Result<Confirmation, OfficeError> {
        let payment = self
            .payments
            .get_mut(id)
            .ok_or_else(|| OfficeError::UnknownPayment(id.to_owned()))?;
        if payment.transaction.is_none() {
            return Err(OfficeError::NotPaidOnGateway(id.to_owned()));
        }
        if by == "callback" {
            payment.callbacks += 1;
        }
        if payment.status != PaymentStatus::Pending {
            return Ok(Confirmation::Duplicate);
        }
        payment.confirmed_at = Some(now);
        payment.confirmed_by = Some(by);
        if !success {
            payment.status = PaymentStatus::Failed;
            return Ok(Confirmation::Applied);
        }
        payment.status = PaymentStatus::Succeeded;
        let idx = payment.dossier;
        let d = &mut self.dossiers[idx];
        if d.paid_at.is_some() {
            return Ok(Confirmation::Applied);
        }
        d.paid_at = Some(now);
        match d.state() {
            DossierState::Submitted if d.pay_first => {
                // Payment resets the submission time: the intake clock starts now.
                d.submitted_at = now;
                d.ready_at = now;
                d.acceptance_due = self.calendar.acceptance_due(now);
                self.enqueue(idx);
            }
            DossierState::AwaitingFee => self.start_processing(idx, now),
            _ => {}
        }
        Ok(Confirmation::Applied)
    }

    /// Pending payments whose gateway transaction was decided at least `older_than` ago.
    pub fn payments_to_reconcile(
        &self,
        older_than: std::time::Duration,
    ) -> Vec<(String, Transaction)> {
        self.payments
            .values()
            .filter(|p| p.status == PaymentStatus::Pending)
            .filter_map(|p| p.transaction.as_ref().map(|t| (p.id.clone(), t.clone())))
            .filter(|(_, t)| t.decided.elapsed() >= older_than)
            .collect()
    }

    /// Opens a session for a citizen; returns its token.
    pub fn open_session(&mut self, citizen_id: &str, max_sessions: usize) -> String {
        let token = format!("{:032x}", self.rng.random::<u128>());
        self.sessions.insert(token.clone(), citizen_id.to_owned());
        self.session_order.push_back(token.clone());
        while self.sessions.len() > max_sessions.max(1) {
            if let Some(old) = self.session_order.pop_front() {
                self.sessions.remove(&old);
            }
        }
        token
    }

    pub fn session(&self, token: &str) -> Option<&str> {
        self.sessions.get(token).map(String::as_str)
    }

    pub fn close_session(&mut self, token: &str) {
        self.sessions.remove(token);
    }

    /// Uniform draw in [0, 1), for faults.
    pub fn roll(&mut self) -> f64 {
        self.rng.random()
    }

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
            match (d.accepted_at, refused_at) {
                (Some(at), _) if at <= end => {
                    if in_period(at) {
                        s.accepted += 1;
                        if at > d.acceptance_due {
                            s.late_acceptances += 1;
                        }
                    }
                    match (d.due_at, d.finished_at) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid test time")
    }

    fn office(tweak: impl FnOnce(&mut PortalConfig)) -> (Office, Catalogue) {
        let mut config = PortalConfig::default();
        config.back_office.accept = 1.0;
        config.back_office.refuse = 0.0;
        config.back_office.supplement = 0.0;
        tweak(&mut config);
        (
            Office::new(&config, WorkingCalendar::default()),
            Catalogue::shipped(),
        )
    }

    fn submit(office: &mut Office, cat: &Catalogue, procedure: &str, now: NaiveDateTime) -> usize {
        let p = cat.procedure(procedure).expect("procedure");
        let code = format!("X-{}", office.dossiers().len());
        office.submit(code, p, serde_json::json!({}), vec![], false, now)
    }

    #[test]
    fn officers_accept_only_in_office_hours_and_in_order() {
        let (mut office, cat) = office(|c| c.back_office.officers = 1);
        // Friday evening submissions: nothing happens before Monday 07:00.
        for i in 0..5 {
            submit(&mut office, &cat, "1.900007", at(2025, 3, 14, 18, i));
        }
        office.advance(at(2025, 3, 16, 23, 0));
        assert!(office.dossiers().iter().all(|d| d.accepted_at.is_none()));
        office.advance(at(2025, 3, 21, 17, 0));
        let accepted: Vec<NaiveDateTime> = office
            .dossiers()
            .iter()
            .map(|d| d.accepted_at.expect("accepted"))
            .collect();
        assert!(
            accepted.windows(2).all(|w| w[0] <= w[1]),
            "FIFO with one officer"
        );
        for t in accepted {
            assert!(office.calendar().is_working_day(t.date()), "{t}");
            assert!(office.calendar().office_hours().contains(t.time()), "{t}");
            assert!(t >= at(2025, 3, 17, 7, 0));
        }
    }

    #[test]
    fn more_officers_accept_a_backlog_sooner() {
        let last_acceptance = |officers| {
            let (mut office, cat) = office(|c| c.back_office.officers = officers);
            for i in 0..40 {
                submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 7, i));
            }
            office.advance(at(2025, 4, 30, 0, 0));
            office
                .dossiers()
                .iter()
                .filter_map(|d| d.accepted_at)
                .max()
                .expect("accepted")
        };
        assert!(last_acceptance(4) < last_acceptance(1));
    }

    #[test]
    fn pay_first_dossiers_wait_for_payment_which_restarts_the_intake_clock() {
        let (mut office, cat) = office(|_| {});
        let idx = submit(&mut office, &cat, "1.900011", at(2025, 3, 17, 8, 0));
        let code = office.dossiers()[idx].code.clone();
        office.advance(at(2025, 3, 20, 8, 0));
        assert_eq!(
            office.dossiers()[idx].state(),
            DossierState::Submitted,
            "held until paid"
        );
        let id = office
            .create_payment(&code, at(2025, 3, 20, 8, 0))
            .expect("fee owed")
            .id
            .clone();
        assert_eq!(
            office.confirm_payment(&id, true, "callback", at(2025, 3, 20, 9, 0)),
            Err(OfficeError::NotPaidOnGateway(id.clone()))
        );
        office.pay_on_gateway(&id, (1.0, 0.0), None).expect("paid");
        let paid = at(2025, 3, 20, 9, 0);
        assert_eq!(
            office.confirm_payment(&id, true, "callback", paid),
            Ok(Confirmation::Applied)
        );
        assert_eq!(
            office.confirm_payment(&id, true, "callback", paid),
            Ok(Confirmation::Duplicate)
        );
        let d = &office.dossiers()[idx];
        assert_eq!(d.submitted_at, paid);
        assert_eq!(d.acceptance_due, at(2025, 3, 21, 9, 0));
        assert_eq!(office.payment(&id).expect("payment").callbacks, 2);
        office.advance(at(2025, 3, 25, 8, 0));
        assert!(
            office.dossiers()[idx]
                .accepted_at
                .is_some_and(|t| t >= paid)
        );
        assert!(
            office.create_payment(&code, paid).is_err(),
            "nothing owed any more"
        );
    }

    #[test]
    fn lateness_follows_the_configured_probability() {
        for (p, late) in [(0.0, false), (1.0, true)] {
            let (mut office, cat) = office(|c| c.back_office.late_probability = p);
            for i in 0..20 {
                submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, i));
            }
            office.advance(at(2025, 6, 1, 0, 0));
            for d in office.dossiers() {
                let (due, done) = (d.due_at.expect("due"), d.finished_at.expect("finished"));
                assert_eq!(
                    done.date() > due.date(),
                    late,
                    "{} due {due} done {done}",
                    d.code
                );
                assert_eq!(d.state(), DossierState::ResultReturned);
            }
            let s = office.stats(
                "ubndxa",
                at(2025, 3, 1, 0, 0).date(),
                at(2025, 5, 31, 0, 0).date(),
                at(2025, 6, 1, 0, 0),
            );
            assert_eq!(s.received, 20);
            assert_eq!(s.accepted, 20);
            assert_eq!(s.resolved_late, if late { 20 } else { 0 });
            assert_eq!(
                s.resolved_early + s.resolved_on_time,
                if late { 0 } else { 20 }
            );
        }
    }

    #[test]
    fn stats_count_late_acceptances_pending_and_overdue() {
        // One slow officer: a day's backlog means late acceptances.
        let (mut office, cat) = office(|c| {
            c.back_office.officers = 1;
            c.back_office.intake_minutes = 120.0;
            c.back_office.late_probability = 1.0;
        });
        for i in 0..20 {
            submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 7, i));
        }
        let now = at(2025, 3, 18, 12, 0);
        office.advance(now);
        let s = office.stats("ubndxa", now.date() - TimeDelta::days(7), now.date(), now);
        assert_eq!(s.received, 20);
        assert_eq!(s.accepted + s.pending_intake, 20);
        assert!(s.pending_intake > 0, "{s:?}");
        let late = office
            .dossiers()
            .iter()
            .filter(|d| d.accepted_at.is_some_and(|a| a > d.acceptance_due))
            .count() as u64;
        assert_eq!(s.late_acceptances, late);
        assert!(late > 0, "{s:?}");
    }

    #[test]
    fn a_supplement_request_returns_the_dossier_to_intake_when_supplied() {
        let (mut office, cat) = office(|c| {
            c.back_office.accept = 0.0;
            c.back_office.supplement = 1.0;
        });
        let idx = submit(&mut office, &cat, "1.900007", at(2025, 3, 17, 8, 0));
        let code = office.dossiers()[idx].code.clone();
        office.advance(at(2025, 3, 18, 17, 0));
        assert_eq!(
            office.dossiers()[idx].state(),
            DossierState::SupplementRequested
        );
        office
            .supplement(&code, vec![], at(2025, 3, 19, 8, 0))
            .expect("supplied");
        assert!(
            office
                .supplement(&code, vec![], at(2025, 3, 19, 8, 0))
                .is_err()
        );
        office.advance(at(2025, 3, 21, 17, 0));
        assert!(office.dossiers()[idx].accepted_at.is_some());
        assert_eq!(office.dossiers()[idx].supplements, 1);
    }
}
