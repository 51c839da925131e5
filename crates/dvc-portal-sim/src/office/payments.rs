//! Payments on the office's side: creating them, the gateway's decision, confirmation by
//! callback or reconciliation (idempotent), and what a confirmation does to the dossier.

use super::{Dossier, Office, OfficeError};
use chrono::NaiveDateTime;
use dvc_domain::lifecycle::DossierState;
use rand::RngExt;
use serde::Serialize;

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
    /// Set when the e-receipt failed to be issued: it is issued again at this real instant.
    pub receipt_retry_at: Option<std::time::Instant>,
}

/// Where a successful payment's e-receipt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    Issued,
    /// Issuing failed after the money was taken; it is tried again.
    Retrying,
}

impl Payment {
    /// The e-receipt's status; None until the payment succeeds.
    pub fn receipt(&self) -> Option<ReceiptStatus> {
        (self.status == PaymentStatus::Succeeded).then(|| match self.receipt_retry_at {
            Some(at) if std::time::Instant::now() < at => ReceiptStatus::Retrying,
            _ => ReceiptStatus::Issued,
        })
    }
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

impl Office {
    /// Creates a payment for the dossier's fee, or returns the one still open for it (`false`):
    /// a dossier has at most one payment in progress, so requests repeated or sent at once never
    /// charge a fee twice. A new one may be created once the open one failed.
    pub fn create_payment(
        &mut self,
        code: &str,
        now: NaiveDateTime,
    ) -> Result<(&Payment, bool), OfficeError> {
        let idx = *self
            .by_code
            .get(code)
            .ok_or_else(|| OfficeError::UnknownDossier(code.to_owned()))?;
        let d = &self.dossiers[idx];
        if !d.fee_owed() {
            return Err(OfficeError::NoFeeOwed(code.to_owned()));
        }
        if let Some(open) = d.open_payment.clone()
            && self
                .payments
                .get(&open)
                .is_some_and(|p| p.status == PaymentStatus::Pending)
        {
            return Ok((&self.payments[&open], false));
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
            receipt_retry_at: None,
        };
        self.dossiers[idx].open_payment = Some(id.clone());
        Ok((self.payments.entry(id).or_insert(payment), true))
    }

    pub fn payment(&self, id: &str) -> Result<&Payment, OfficeError> {
        self.payments
            .get(id)
            .ok_or_else(|| OfficeError::UnknownPayment(id.to_owned()))
    }

    /// The payments made for dossier `idx`, in no particular order.
    pub fn payments_of(&self, idx: usize) -> impl Iterator<Item = &Payment> {
        self.payments.values().filter(move |p| p.dossier == idx)
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
        let receipt_fails = self.receipts.0 > 0.0 && self.rng.random::<f64>() < self.receipts.0;
        let payment = self
            .payments
            .get_mut(id)
            .expect("invariant: the payment was found above");
        if receipt_fails {
            payment.receipt_retry_at = Some(std::time::Instant::now() + self.receipts.1);
        }
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
}
