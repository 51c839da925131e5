//! `[portal.faults]`: what goes wrong on purpose, from the file or `/admin/faults`.

use super::{Millis, share};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Injected faults; also readable and settable at runtime through `/admin/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultsConfig {
    /// The whole portal answers 503 (outage).
    pub outage: bool,
    /// Outage windows in simulated time, RFC 3339.
    pub outage_windows: Vec<OutageWindow>,
    /// Share of API and page requests answered with 500.
    pub error_rate: f64,
    /// Added latency, by route ("GET /api/dossiers/{code}") or "default". The JSON of
    /// `/admin/faults` names it `latency_ms`, in milliseconds.
    #[serde(rename = "latency_ms", alias = "latency")]
    pub latency: BTreeMap<String, Millis>,
    /// Added after the portal has handled a request, before its answer leaves, by route or
    /// "default": a write that commits while its answer is slow or lost to a client's timeout.
    /// The JSON of `/admin/faults` names it `reply_latency_ms`.
    #[serde(rename = "reply_latency_ms", alias = "reply_latency")]
    pub reply_latency: BTreeMap<String, Millis>,
    /// Every `stall_every` of real time, the portal freezes for `stall_for`.
    #[serde(rename = "stall_every_ms", alias = "stall_every")]
    pub stall_every: Millis,
    #[serde(rename = "stall_for_ms", alias = "stall_for")]
    pub stall_for: Millis,
    /// The payment gateway refuses new payments (503).
    pub gateway_outage: bool,
    /// Probability that the gateway sends its callback twice.
    pub duplicate_callback: f64,
    /// Probability that the gateway's callback never arrives (reconciliation must find it).
    pub lost_callback: f64,
    /// Dossier codes are generated without the agency lock, so concurrent submissions can get
    /// the same code and one overwrites the other.
    pub duplicate_codes: bool,
}

/// An outage from `from` to `to`, simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageWindow {
    pub from: String,
    pub to: String,
}

impl FaultsConfig {
    /// Problems of fault settings that the type does not rule out.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for w in &self.outage_windows {
            let from = chrono::DateTime::parse_from_rfc3339(&w.from);
            let to = chrono::DateTime::parse_from_rfc3339(&w.to);
            match (from, to) {
                (Ok(from), Ok(to)) if from < to => {}
                (Ok(_), Ok(_)) => out.push(format!("outage window {} .. {} ends before it starts", w.from, w.to)),
                _ => out.push(format!(
                    "outage window times must be RFC 3339, e.g. \"2025-04-01T09:00:00+07:00\"; got {:?} .. {:?}",
                    w.from, w.to
                )),
            }
        }
        if !self.stall_for.is_zero() && self.stall_every <= self.stall_for {
            out.push("faults.stall_every must be longer than stall_for".into());
        }
        out.extend(
            [
                share("faults.error_rate", self.error_rate),
                share("faults.duplicate_callback", self.duplicate_callback),
                share("faults.lost_callback", self.lost_callback),
            ]
            .into_iter()
            .flatten(),
        );
        out.sort();
        out.dedup();
        out
    }
}
