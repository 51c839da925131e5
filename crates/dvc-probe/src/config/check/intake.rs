//! `kind = "intake"` and `kind = "payment"`: a test dossier submitted to the portal, then
//! followed until it is accepted (intake) or paid through the gateway's sandbox (payment).
//! Both log in the same way.

use super::super::{Ctx, expand_env};
use super::Place;
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

/// The keys of an `intake` check.
///
/// ```toml
/// [[target.check]]
/// name = "intake"
/// kind = "intake"
/// procedure = "1.900001"
/// citizen_id = "001199004321"
/// password = "${DVC_PROBE_PASSWORD}"   # or password_file = "secrets/probe-password"
/// follow_every = "5m"
/// give_up_after = "14d"
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeFile {
    /// The procedure's code the test dossier is submitted under.
    pub procedure: Option<Spanned<String>>,
    /// The test citizen's 12-digit ID; without it the check submits without logging in.
    pub citizen_id: Option<Spanned<String>>,
    /// The test citizen's password; `${NAME}` reads the environment.
    pub password: Option<Spanned<String>>,
    /// A file holding the password (relative to this file), instead of `password`.
    pub password_file: Option<Spanned<String>>,
    /// Time between two lookups of a dossier not yet accepted; default 5m.
    pub follow_every: Option<Spanned<String>>,
    /// A dossier still not accepted after this long is given up; default 14d.
    pub give_up_after: Option<Spanned<String>>,
}

pub(in crate::config) const INTAKE_KEYS: &[&str] = &[
    "procedure",
    "citizen_id",
    "password",
    "password_file",
    "follow_every",
    "give_up_after",
];

/// The keys of a `payment` check.
///
/// ```toml
/// [[target.check]]
/// name = "payment"
/// kind = "payment"
/// procedure = "1.900031"           # a pay-first procedure
/// citizen_id = "001199004321"
/// password_file = "secrets/probe-password"
/// outcome = "success"              # asked of the gateway's sandbox
/// confirm_timeout = "60s"
/// poll_every = "1s"
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentFile {
    /// The pay-first procedure's code the test dossier is submitted under.
    pub procedure: Option<Spanned<String>>,
    /// As for `intake`.
    pub citizen_id: Option<Spanned<String>>,
    pub password: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
    /// `success`, `failed` or `pending`, asked of the gateway's sandbox; default: the gateway
    /// decides.
    pub outcome: Option<Spanned<String>>,
    /// Longest wait for the portal to show the payment settled; default 60s.
    pub confirm_timeout: Option<Spanned<String>>,
    /// Time between two lookups of the payment; default 1s.
    pub poll_every: Option<Spanned<String>>,
}

pub(in crate::config) const PAYMENT_KEYS: &[&str] = &[
    "procedure",
    "citizen_id",
    "password",
    "password_file",
    "outcome",
    "confirm_timeout",
    "poll_every",
];

#[derive(Debug, Clone)]
pub struct IntakeCheck {
    pub procedure: String,
    pub login: Option<(String, String)>,
    pub follow_every: Duration,
    pub give_up_after: Duration,
}

/// A payment on a fresh test dossier of a pay-first `procedure`, through the portal's gateway
/// sandbox: init, redirect, then polling until the payment is confirmed.
#[derive(Debug, Clone)]
pub struct PaymentCheck {
    pub procedure: String,
    pub login: Option<(String, String)>,
    /// Sandbox outcome asked of the gateway ("success", "failed", "pending"); none: the
    /// gateway decides.
    pub outcome: Option<String>,
    pub confirm_timeout: Duration,
    pub poll_every: Duration,
}

/// The keys both kinds share.
struct Login<'a> {
    /// The check as a problem names it: "an intake check".
    what: &'a str,
    procedure: &'a Option<Spanned<String>>,
    citizen_id: &'a Option<Spanned<String>>,
    password: &'a Option<Spanned<String>>,
    password_file: &'a Option<Spanned<String>>,
}

impl Login<'_> {
    /// The procedure and the (citizen ID, password) to log in with, if any.
    fn read(
        &self,
        cx: &mut Ctx<'_>,
        place: &Place<'_>,
    ) -> Option<(String, Option<(String, String)>)> {
        let Some(procedure) = self.procedure else {
            cx.error(
                place.kind_at,
                format!("{} needs procedure = \"<code>\"", self.what),
            );
            return None;
        };
        let password = match (self.password, self.password_file) {
            (Some(p), None) => match expand_env(p.get_ref()) {
                Ok(v) => Some(v),
                Err(e) => {
                    cx.secret_missing(p.span().start, e);
                    cx.deferred().then(String::new)
                }
            },
            (None, Some(f)) => {
                let file = place.resolve(f.get_ref());
                match std::fs::read_to_string(&file) {
                    Ok(s) => Some(s.trim_end().to_owned()),
                    Err(e) => {
                        cx.secret_missing(
                            f.span().start,
                            format!("cannot read {}: {e}", file.display()),
                        );
                        cx.deferred().then(String::new)
                    }
                }
            }
            (Some(p), Some(_)) => {
                cx.error(p.span().start, "give password or password_file, not both");
                None
            }
            (None, None) => None,
        };
        let login = match (self.citizen_id, password) {
            (Some(id), Some(p)) => Some((id.get_ref().clone(), p)),
            (Some(id), None) if self.password.is_none() && self.password_file.is_none() => {
                cx.error(
                    id.span().start,
                    "citizen_id needs password or password_file",
                );
                None
            }
            _ => None,
        };
        Some((procedure.get_ref().clone(), login))
    }
}

pub(super) fn check_intake(
    cx: &mut Ctx<'_>,
    c: IntakeFile,
    place: &Place<'_>,
) -> Option<IntakeCheck> {
    let (procedure, login) = Login {
        what: "an intake check",
        procedure: &c.procedure,
        citizen_id: &c.citizen_id,
        password: &c.password,
        password_file: &c.password_file,
    }
    .read(cx, place)?;
    Some(IntakeCheck {
        procedure,
        login,
        follow_every: cx.every(
            "follow_every",
            &c.follow_every,
            Duration::from_secs(300),
            super::MIN_EVERY,
        ),
        give_up_after: cx.duration(&c.give_up_after, Duration::from_secs(14 * 86_400)),
    })
}

pub(super) fn check_payment(
    cx: &mut Ctx<'_>,
    c: PaymentFile,
    place: &Place<'_>,
) -> Option<PaymentCheck> {
    let (procedure, login) = Login {
        what: "a payment check",
        procedure: &c.procedure,
        citizen_id: &c.citizen_id,
        password: &c.password,
        password_file: &c.password_file,
    }
    .read(cx, place)?;
    if let Some(o) = &c.outcome
        && !["success", "failed", "pending"].contains(&o.get_ref().as_str())
    {
        cx.error(o.span().start, "outcome must be success, failed or pending");
    }
    Some(PaymentCheck {
        procedure,
        login,
        outcome: c.outcome.as_ref().map(|o| o.get_ref().clone()),
        confirm_timeout: cx.duration(&c.confirm_timeout, Duration::from_secs(60)),
        poll_every: cx.every(
            "poll_every",
            &c.poll_every,
            Duration::from_secs(1),
            Duration::from_millis(50),
        ),
    })
}
