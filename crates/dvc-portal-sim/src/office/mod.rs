//! The one-stop office of one portal: dossiers, the intake queue and officers, processing, and
//! payments, advanced in simulated time. Synchronous and deterministic for a given seed and
//! sequence of calls, so it is tested without a server.
//!
//! Intake is an event simulation per agency: dossiers wait FIFO; an officer takes the head of
//! the queue when both are free, at the next opening of office hours, and decides after the
//! dossier's intake work (drawn at submission) in working time. Processing then finishes at a
//! planned instant: before the due date, or with `late_probability` 1–3 working days after it
//! (with an apology letter on the due date). While processing, the officer may ask for more
//! papers (the clock pauses) or the agency may refuse to resolve; the citizen may withdraw.
//! Due dates come from [`dvc_domain::dossier_clock`], from the dossier's history: the one rule
//! for the portal, its statistics and the probes that read them.

use crate::catalogue::Procedure;
use crate::config::{BackOfficeConfig, IntakeWork, PortalConfig};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use dvc_domain::calendar::WorkingCalendar;
use dvc_domain::deadline::DeadlineRule;
use dvc_domain::lifecycle::{ClockPolicy, DossierState, Lifecycle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

mod idempotency;
mod index;
mod payments;
mod processing;
mod stats;
#[cfg(test)]
mod tests;

pub use idempotency::KeyState;
pub use index::IndexFigures;
pub use payments::{
    Confirmation, GatewayOutcome, Payment, PaymentStatus, ReceiptStatus, Transaction,
};
pub use stats::AgencyStats;

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
    /// The national portal's code, for a dossier submitted there and forwarded here.
    pub national_code: Option<String>,
    pub lifecycle: Lifecycle,
    /// When the citizen first submitted.
    pub first_submitted_at: NaiveDateTime,
    /// Start of the intake clock: submission, or payment for pay-first procedures.
    pub submitted_at: NaiveDateTime,
    pub acceptance_due: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    /// When an intake officer last took the dossier from the queue.
    pub intake_started_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub fee: u64,
    pub pay_first: bool,
    pub paid_at: Option<NaiveDateTime>,
    pub supplements: u32,
    /// Which waits the procedure excludes from its processing time.
    pub clock: ClockPolicy,
    /// Supplement requests after acceptance (more than one breaks the once-only rule).
    pub processing_supplements: u32,
    /// The letter a late dossier's citizen receives on the due date, with a new date.
    pub apology: Option<Apology>,
    /// Why the agency refused to resolve the dossier after accepting it.
    pub stop_reason: Option<String>,
    /// The payment in progress for the fee, if any.
    pub open_payment: Option<String>,
    intake_work: TimeDelta,
    decision: Decision,
    ready_at: NaiveDateTime,
    rule: DeadlineRule,
    /// Generation of the planned processing events; a replan makes older ones stale.
    plan: u32,
}

/// An apology letter (thư xin lỗi) for a dossier that will be late: sent on the due date, with
/// the new date the result is promised for. The dossier still counts as late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Apology {
    pub issued_at: NaiveDateTime,
    pub new_due: NaiveDateTime,
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

/// What happens to a dossier at an instant; processing events carry the plan they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    IntakeDecision,
    Resolve(u32),
    ReturnResult,
    AskSupplement(u32),
    Stop(u32),
    Apologise(u32, NaiveDateTime),
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
    #[error("dossier {code} is {state}: it can no longer be withdrawn")]
    CannotWithdraw { code: String, state: String },
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
    sessions: crate::sessions::Sessions,
    keys: idempotency::Keys,
    /// Share of receipts that fail at first, and the real time until they are issued again.
    receipts: (f64, std::time::Duration),
}

impl Office {
    /// The back office of `config`'s province, working by `calendar` with the province's own
    /// `[portal.calendar]` laid over it.
    pub fn new(config: &PortalConfig, calendar: WorkingCalendar) -> Self {
        let calendar = match &config.calendar {
            Some(spec) => calendar.with_spec(spec),
            None => calendar,
        };
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
            sessions: crate::sessions::Sessions::default(),
            keys: idempotency::Keys::default(),
            receipts: (
                config.payment.receipt_failure,
                config.payment.receipt_retry.0,
            ),
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
        let minutes = match self.back_office.intake_work {
            IntakeWork::Exponential => (-mean * u.ln()).clamp(1.0_f64.min(mean), mean * 8.0),
            IntakeWork::Fixed => mean,
        };
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
            national_code: None,
            lifecycle: Lifecycle::submitted(now),
            first_submitted_at: now,
            submitted_at: now,
            acceptance_due: self.calendar.acceptance_due(now),
            accepted_at: None,
            intake_started_at: None,
            due_at: None,
            finished_at: None,
            fee: procedure.fee,
            pay_first: procedure.pay_first && procedure.fee > 0,
            paid_at: None,
            supplements: 0,
            clock: procedure.clock,
            processing_supplements: 0,
            apology: None,
            stop_reason: None,
            open_payment: None,
            intake_work: TimeDelta::seconds((minutes * 60.0) as i64),
            decision,
            ready_at: now,
            rule: procedure.deadline_rule(),
            plan: 0,
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

    /// Marks dossier `idx` as forwarded by the national portal under `code`.
    pub fn set_national_code(&mut self, idx: usize, code: Option<String>) {
        self.dossiers[idx].national_code = code;
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

    fn index(&self, code: &str) -> Result<usize, OfficeError> {
        self.by_code
            .get(code)
            .copied()
            .ok_or_else(|| OfficeError::UnknownDossier(code.to_owned()))
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

    /// Intake officers of `agency`: its own staff if configured, else the portal's default.
    pub fn officers_of(&self, agency: &str) -> u32 {
        self.back_office
            .agency
            .get(agency)
            .map_or(self.back_office.officers, |s| s.officers)
            .max(1)
    }

    /// Dossiers waiting in `agency`'s intake queue for an officer to take them, as of the last
    /// [`Office::advance`].
    pub fn backlog(&self, agency: &str) -> usize {
        self.queues.get(agency).map_or(0, |q| {
            q.iter()
                .filter(|&&i| self.dossiers[i].state() == DossierState::Submitted)
                .count()
        })
    }

    /// Every agency that has had a queue, with its backlog.
    pub fn backlogs(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .queues
            .keys()
            .map(|a| (a.clone(), self.backlog(a)))
            .collect();
        out.sort();
        out
    }

    /// Assigns queued dossiers to officers whose work on them starts by `now`.
    fn start_intake_work(&mut self, now: NaiveDateTime) {
        let agencies: Vec<String> = self.queues.keys().cloned().collect();
        for agency in agencies {
            let officers = self.officers_of(&agency) as usize;
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
                if d.state() != DossierState::Submitted {
                    // Withdrawn while waiting: no officer's time goes to it.
                    if let Some(q) = self.queues.get_mut(&agency) {
                        q.pop_front();
                    }
                    continue;
                }
                let start = self.calendar.next_opening(free_at.max(d.ready_at));
                if start > now {
                    break;
                }
                let done = self.calendar.add_working_time(start, d.intake_work);
                staff[officer] = done;
                self.dossiers[idx].intake_started_at = Some(start);
                if let Some(q) = self.queues.get_mut(&agency) {
                    q.pop_front();
                }
                self.events
                    .push(Reverse((done, idx, Event::IntakeDecision)));
            }
        }
    }

    /// Opens a session for a citizen; returns its token.
    pub fn open_session(&mut self, citizen_id: &str, max_sessions: usize) -> String {
        let token = format!("{:032x}", self.rng.random::<u128>());
        self.sessions.open(token.clone(), citizen_id, max_sessions);
        token
    }

    pub fn session(&self, token: &str) -> Option<&str> {
        self.sessions.get(token)
    }

    pub fn close_session(&mut self, token: &str) {
        self.sessions.close(token);
    }

    /// Eight random characters of Crockford's base 32 (no I, L, O, U), for a dossier code.
    pub fn random_code(&mut self) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        (0..8)
            .map(|_| char::from(ALPHABET[self.rng.random_range(0..32)]))
            .collect()
    }

    /// Uniform draw in [0, 1), for faults.
    pub fn roll(&mut self) -> f64 {
        self.rng.random()
    }
}
