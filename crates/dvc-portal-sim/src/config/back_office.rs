//! A portal's back office (`[portal.back_office]`): intake officers, their work, the decisions and
//! processing; and how its dossier codes end (`codes`).

use serde::Deserialize;
use std::collections::BTreeMap;

/// How the last part of a dossier code is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeStyle {
    /// `000.00.12.H01-250401-0001`: the agency's sequence number of the day.
    #[default]
    Sequential,
    /// `000.00.12.H01-250401-K7Q2M9XA`: eight random characters (Crockford base 32).
    Random,
}

/// How an intake officer's work on one dossier is spread around its mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeWork {
    /// Exponential: many quick dossiers, a few long ones (the M/M/c queue).
    #[default]
    Exponential,
    /// Every dossier takes exactly the mean (the M/D/c queue; capacity is exact).
    Fixed,
}

/// One agency's own intake staff, over the portal-wide default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyStaff {
    /// Intake officers of this agency.
    pub officers: u32,
}

/// Intake officers and processing, in simulated working time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackOfficeConfig {
    /// Intake officers per agency, unless the agency has its own under `agency`.
    pub officers: u32,
    /// Mean working minutes an officer spends on one dossier at intake.
    pub intake_minutes: f64,
    /// How that work is spread: "exponential" (default) or "fixed".
    pub intake_work: IntakeWork,
    /// Officers of one agency, by the catalogue's agency id: `[portal.back_office.agency.tuphap]`.
    pub agency: BTreeMap<String, AgencyStaff>,
    /// Shares of intake decisions; they must add up to 1.
    pub accept: f64,
    pub refuse: f64,
    pub supplement: f64,
    /// Probability that processing finishes after the due date (1–3 working days late); the
    /// office then sends the citizen an apology letter with a new date on the due date.
    pub late_probability: f64,
    /// Probability, each time processing starts or resumes, that the officer asks the citizen
    /// for more papers (the clock pauses until `POST …/supplement`; a second request is not
    /// excused).
    pub processing_supplement: f64,
    /// Probability that the agency refuses to resolve an accepted dossier (stopped, state 8).
    pub stop: f64,
}

impl Default for BackOfficeConfig {
    fn default() -> Self {
        BackOfficeConfig {
            officers: 3,
            intake_minutes: 20.0,
            intake_work: IntakeWork::Exponential,
            agency: BTreeMap::new(),
            accept: 0.9,
            refuse: 0.05,
            supplement: 0.05,
            late_probability: 0.1,
            processing_supplement: 0.0,
            stop: 0.0,
        }
    }
}
