//! The domain of Vietnam's online public services (dịch vụ công trực tuyến), with no I/O:
//!
//! * [`calendar`]: working days (weekends, official days off, make-up working days) and
//!   arithmetic in working time over an installation's office hours;
//! * [`holidays`]: the shipped days-off data per year, user overrides, and forecasts from the
//!   Labour Code for years not yet announced, using
//! * [`lunar`]: the Vietnamese lunar calendar (computed for UTC+7);
//! * [`portal_calendar`]: one portal's own office hours, seasons, Saturday intake, working-day
//!   length and days off, laid over the national calendar;
//! * [`deadline`]: processing times, same-day cutoffs, the acceptance deadline, supplement
//!   pauses, and early / on-time / late judgement;
//! * [`lifecycle`]: dossier states 1–10 (and the transferred and posted states synced as 4),
//!   their transitions, which clock runs in each per procedure, and portal status mappings;
//! * [`dossier_clock`]: a dossier's acceptance and processing deadlines from its history, with
//!   the index's supplement rules;
//! * [`quantile`]: quantiles by nearest rank, the one definition of a percentile of samples;
//! * [`units`]: durations, rates and sizes as configuration files write them.
//!
//! ```
//! use dvc_domain::calendar::WorkingCalendar;
//! use dvc_domain::deadline::{DeadlineRule, ProcessingTime};
//! use chrono::NaiveDate;
//!
//! let cal = WorkingCalendar::default();
//! // Submitted Friday 25 April 2025 at 16:00, just before the 30/4 – 1/5 holiday.
//! let submitted = NaiveDate::from_ymd_opt(2025, 4, 25).unwrap().and_hms_opt(16, 0, 0).unwrap();
//! // Acceptance is due one working day later: Saturday 26 April is a make-up working day.
//! assert_eq!(cal.acceptance_due(submitted).to_string(), "2025-04-26 16:00:00");
//! // Five working days: Sat 26, Mon 28, Tue 29, then 30/4 – 4/5 off, Mon 5, Tue 6 May.
//! let rule = DeadlineRule::new(ProcessingTime::WorkingDays(5));
//! assert_eq!(cal.due(submitted, &rule).to_string(), "2025-05-06 16:00:00");
//! ```

pub mod calendar;
pub mod deadline;
pub mod dossier_clock;
pub mod error;
pub mod holidays;
pub mod lifecycle;
pub mod lunar;
pub mod office_hours;
pub mod portal_calendar;
pub mod provinces;
pub mod quantile;
pub mod units;

pub use error::{Diagnostic, Error};
