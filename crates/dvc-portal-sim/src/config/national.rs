//! The national portal's front door (`[national]`) and the national service index's figures a
//! portal publishes (`[portal.index]`).

use super::Millis;
use serde::Deserialize;

/// The national portal (Cổng Dịch vụ công quốc gia) as a front door: citizens submit there,
/// it forwards ("pushes") each dossier to the province's portal in this simulator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NationalConfig {
    /// Served under this prefix on the main listener.
    pub prefix: String,
    /// Real time from submission to the push reaching the province.
    pub push_delay: Millis,
    /// Share of pushes that fail (the integration platform or the province's system down);
    /// a failed push is tried again after `push_retry`.
    pub push_failure: f64,
    pub push_retry: Millis,
    /// Pushes tried at most; then the dossier stays `push_failed` at the national portal.
    pub push_attempts: u32,
    /// Seed of the push failures.
    pub seed: u64,
}

impl Default for NationalConfig {
    fn default() -> Self {
        NationalConfig {
            prefix: "/quocgia".into(),
            push_delay: Millis::from_millis(200),
            push_failure: 0.0,
            push_retry: Millis::from_millis(1_000),
            push_attempts: 5,
            seed: 1,
        }
    }
}

/// What the portal's index figures are made of besides its own online dossiers: the
/// province's counter (offline) business and the shares of its dossiers digitised, paid online
/// and rated by their citizens. Each share is applied to the dossiers in order, so a share of
/// 0.7 makes exactly 7 of every 10 (to one dossier).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexConfig {
    /// Procedures the province offers only at the counter, besides the catalogue's online ones.
    pub offline_procedures: u32,
    /// Share of the province's dossiers received online (the rest at the counter); above 0.
    pub online_share: f64,
    /// Share of the fees paid online (the rest at the counter); above 0.
    pub online_payment_share: f64,
    /// Share of received dossiers whose papers were digitised.
    pub digitised_share: f64,
    /// Share of results issued digitally.
    pub result_digitised_share: f64,
    /// Share of finished dossiers whose citizen answered the satisfaction survey ...
    pub response_share: f64,
    /// ... and the share of answers that were "satisfied".
    pub satisfied_share: f64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            offline_procedures: 0,
            online_share: 1.0,
            online_payment_share: 1.0,
            digitised_share: 0.0,
            result_digitised_share: 0.0,
            response_share: 0.0,
            satisfied_share: 0.0,
        }
    }
}
