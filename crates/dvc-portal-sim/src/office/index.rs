//! The portal's figures for the national service index (Decision 766/QĐ-TTg): procedures
//! offered online, dossiers received online, fees paid online, digitisation and satisfaction,
//! from the office's own dossiers and payments plus the counter business the configuration
//! describes.

use super::{Office, PaymentStatus};
use crate::catalogue::Catalogue;
use crate::config::IndexConfig;
use chrono::{NaiveDate, NaiveDateTime};
use dvc_domain::lifecycle::DossierState;
use serde::Serialize;

/// What the portal publishes at `/api/stats/index` for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexFigures {
    pub procedures: Procedures,
    pub dossiers: Dossiers,
    pub results: Results,
    pub payments: Payments,
    pub satisfaction: Satisfaction,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Procedures {
    pub total: u64,
    /// "Toàn trình" (Decree 42/2022; formerly level 4).
    pub full_online: u64,
    /// "Một phần" (formerly level 3).
    pub partly_online: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dossiers {
    /// Received in the period, online and at the counter.
    pub total: u64,
    pub online: u64,
    /// Of the total, those whose papers were digitised.
    pub digitised: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Results {
    /// Results issued in the period.
    pub total: u64,
    pub digitised: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Payments {
    /// Fees paid in the period, online and at the counter.
    pub total: u64,
    pub online: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Satisfaction {
    pub responses: u64,
    pub satisfied: u64,
}

/// Whether item `i` of a sequence is one of a `share` of them: exactly ⌊n·share⌋ or
/// ⌈n·share⌉ of any n consecutive items are, spread evenly; `phase` decorrelates sequences.
pub fn picked(i: usize, share: f64, phase: usize) -> bool {
    let k = (i + phase) as f64;
    ((k + 1.0) * share).floor() > (k * share).floor()
}

/// `online` items and the counter ones that make `online` a `share` of all.
fn with_counter(online: u64, share: f64) -> u64 {
    if share >= 1.0 {
        online
    } else {
        (online as f64 / share).round() as u64
    }
}

impl Office {
    /// The index figures of dossiers received (results issued, fees paid) in `from ..= to`.
    pub fn index_figures(
        &self,
        catalogue: &Catalogue,
        index: &IndexConfig,
        from: NaiveDate,
        to: NaiveDate,
        now: NaiveDateTime,
    ) -> IndexFigures {
        let in_period = |t: NaiveDateTime| t <= now && t.date() >= from && t.date() <= to;
        let mut f = IndexFigures::default();
        f.procedures.full_online =
            catalogue.procedures.iter().filter(|p| p.level >= 4).count() as u64;
        f.procedures.partly_online =
            catalogue.procedures.iter().filter(|p| p.level < 4).count() as u64;
        f.procedures.total = f.procedures.full_online
            + f.procedures.partly_online
            + u64::from(index.offline_procedures);

        let mut online_digitised = 0;
        for (i, d) in self.dossiers.iter().enumerate() {
            if in_period(d.first_submitted_at) {
                f.dossiers.online += 1;
                online_digitised += u64::from(picked(i, index.digitised_share, 0));
            }
            let issued = [DossierState::Resolved, DossierState::ResultReturned]
                .into_iter()
                .find_map(|s| d.lifecycle.entered(s))
                .filter(|at| in_period(*at));
            if issued.is_some() {
                f.results.total += 1;
                f.results.digitised += u64::from(picked(i, index.result_digitised_share, 1));
                if picked(i, index.response_share, 2) {
                    f.satisfaction.responses += 1;
                    f.satisfaction.satisfied += u64::from(picked(i, index.satisfied_share, 3));
                }
            }
        }
        f.dossiers.total = with_counter(f.dossiers.online, index.online_share);
        let counter = f.dossiers.total - f.dossiers.online;
        f.dossiers.digitised =
            online_digitised + (counter as f64 * index.digitised_share).round() as u64;
        f.payments.online = self
            .payments
            .values()
            .filter(|p| p.status == PaymentStatus::Succeeded)
            .filter(|p| p.confirmed_at.is_some_and(in_period))
            .count() as u64;
        f.payments.total = with_counter(f.payments.online, index.online_payment_share);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_picks_that_many_of_any_run_of_items() {
        for share in [0.0, 0.25, 0.7, 0.9, 1.0] {
            for phase in 0..4 {
                for start in [0, 3, 17] {
                    let n = 20;
                    let got = (start..start + n)
                        .filter(|i| picked(*i, share, phase))
                        .count();
                    let want = n as f64 * share;
                    assert!(
                        (got as f64 - want).abs() <= 1.0,
                        "share {share} phase {phase} from {start}: {got}"
                    );
                }
            }
        }
    }

    #[test]
    fn counter_business_makes_online_its_share() {
        assert_eq!(with_counter(70, 0.7), 100);
        assert_eq!(with_counter(70, 1.0), 70);
        assert_eq!(with_counter(0, 0.5), 0);
    }
}
