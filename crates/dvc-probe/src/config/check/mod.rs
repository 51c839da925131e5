//! One `[[target.check]]`: the keys every check takes ([`Common`]), then one file per kind,
//! each holding its section of `probe.toml` as a documented struct (the reference for its keys)
//! and its validation into the check the daemon runs.
//!
//! A check is read from the file's spanned tree, so every problem names its line and column:
//! the common keys first, then the rest as the kind's struct, where a key of another kind is
//! named as such and any other unknown key is refused.

use super::Ctx;
use dvc_domain::Diagnostic;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

pub mod browser;
pub mod http;
pub mod intake;
pub mod journey;
pub mod stats;

pub use browser::BrowserCheck;
pub use http::HttpCheck;
pub use intake::{IntakeCheck, PaymentCheck};
pub use journey::JourneyCheck;
pub use stats::{StatsCheck, StatsField};

/// The keys every check takes, whatever its kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    /// The check's name, unique within its target (the `check` label).
    name: Spanned<String>,
    /// `http`, `journey`, `intake`, `payment` or `stats`.
    kind: Spanned<String>,
    /// Time between two runs; default by kind: 60s, `intake` 1h, `payment` 15m, `stats` 5m.
    interval: Option<Spanned<String>>,
    /// Each run starts up to this much later than its interval says, so checks of many
    /// probes do not arrive together; default 0s.
    jitter: Option<Spanned<String>>,
    /// Longest a run may take; default by kind: 10s, `intake` 30s, `payment` 2m, `stats` 30s.
    timeout: Option<Spanned<String>>,
    /// Run only during the installation's office hours on working days.
    #[serde(default)]
    office_hours_only: bool,
}

const COMMON: [&str; 6] = [
    "name",
    "kind",
    "interval",
    "jitter",
    "timeout",
    "office_hours_only",
];

/// The shortest `interval` and `follow_every`: ten requests a second per check at most.
pub(super) const MIN_EVERY: Duration = Duration::from_millis(100);

/// The kinds and the keys each takes beside the common ones.
pub(super) const KINDS: [(&str, &[&str]); 6] = [
    ("http", http::KEYS),
    ("browser", browser::KEYS),
    ("journey", journey::KEYS),
    ("intake", intake::INTAKE_KEYS),
    ("payment", intake::PAYMENT_KEYS),
    ("stats", stats::KEYS),
];

/// A validated check: its schedule and its kind's settings.
#[derive(Debug, Clone)]
pub struct ProbeCheck {
    pub name: String,
    pub interval: Duration,
    pub jitter: Duration,
    pub timeout: Duration,
    pub office_hours_only: bool,
    pub kind: CheckKind,
}

/// What a check does, by kind.
#[derive(Debug, Clone)]
pub enum CheckKind {
    Http(HttpCheck),
    Browser(BrowserCheck),
    Journey(JourneyCheck),
    Intake(IntakeCheck),
    Payment(PaymentCheck),
    Stats(StatsCheck),
}

/// Whether a check only reads from the portal, or writes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckClass {
    /// Reads only: pages, lookups, public statistics.
    Passive,
    /// Submits dossiers, pays fees, logs in or posts forms: on a real portal its dossiers and
    /// payments enter the official figures, so it needs the portal's consent.
    Active,
}

impl CheckClass {
    pub fn id(self) -> &'static str {
        match self {
            CheckClass::Passive => "passive",
            CheckClass::Active => "active",
        }
    }
}

impl CheckKind {
    /// Whether the check writes to the portal: intake and payment checks always do; a journey
    /// does when one of its steps sends anything but GET or HEAD, or posts a page's form.
    pub fn class(&self) -> CheckClass {
        match self {
            CheckKind::Http(_) | CheckKind::Browser(_) | CheckKind::Stats(_) => CheckClass::Passive,
            CheckKind::Intake(_) | CheckKind::Payment(_) => CheckClass::Active,
            CheckKind::Journey(j) => {
                let writes = j.scenario.journeys[j.journey].steps.iter().any(|s| {
                    s.submit_form.is_some()
                        || !matches!(s.method, hyper::Method::GET | hyper::Method::HEAD)
                });
                if writes {
                    CheckClass::Active
                } else {
                    CheckClass::Passive
                }
            }
        }
    }

    /// The `kind` label.
    pub fn id(&self) -> &'static str {
        match self {
            CheckKind::Http(_) => "http",
            CheckKind::Browser(_) => "browser",
            CheckKind::Journey(_) => "journey",
            CheckKind::Intake(_) => "intake",
            CheckKind::Payment(_) => "payment",
            CheckKind::Stats(_) => "stats",
        }
    }
}

impl ProbeCheck {
    /// Why this check may not run against a target with `active` consent (none: it may).
    pub fn refused_on(&self, active: Option<&super::ActiveConsent>) -> Option<String> {
        if self.kind.class() == CheckClass::Passive {
            return None;
        }
        let Some(active) = active else {
            return Some(format!(
                "check {:?} is active ({}): against a real portal its test dossiers and payments \
                 enter the province's official figures and move money; declare the portal's \
                 consent in [target.active] with test_procedure and consent, or use passive \
                 checks (http, stats, journeys of GET steps)",
                self.name,
                match &self.kind {
                    CheckKind::Intake(_) => "it submits dossiers",
                    CheckKind::Payment(_) => "it pays fees",
                    _ => "its journey sends more than GET requests",
                }
            ));
        };
        let procedure = match &self.kind {
            CheckKind::Intake(i) => &i.procedure,
            CheckKind::Payment(p) => &p.procedure,
            _ => return None,
        };
        (!active.test_procedures.contains(procedure)).then(|| {
            format!(
                "check {:?} uses procedure {procedure}, but the portal set aside only {} for \
                 tests ([target.active] test_procedure)",
                self.name,
                active.test_procedures.join(", ")
            )
        })
    }

    /// One line for `--check-config`: when the check runs and what it sends (no secret).
    pub fn describe(&self) -> String {
        let mut when = format!("every {}", human(self.interval));
        if !self.jitter.is_zero() {
            when.push_str(&format!(" (+ up to {})", human(self.jitter)));
        }
        when.push_str(&format!(", timeout {}", human(self.timeout)));
        if self.office_hours_only {
            when.push_str(", office hours only");
        }
        let what = match &self.kind {
            CheckKind::Http(h) => {
                let mut w = format!("GET {}", h.path);
                if !h.check.status.is_empty() {
                    let codes: Vec<String> = h.check.status.iter().map(u16::to_string).collect();
                    w.push_str(&format!(", status {}", codes.join("|")));
                }
                if let Some(r) = &h.body_regex {
                    w.push_str(&format!(", body matches /{r}/"));
                }
                if !h.check.json.is_empty() {
                    w.push_str(&format!(", {} JSON condition(s)", h.check.json.len()));
                }
                if let Some(b) = h.latency_budget {
                    w.push_str(&format!(", slower than {} fails", human(b)));
                }
                w
            }
            CheckKind::Browser(b) => format!(
                "loads {} in headless Chromium, watched {} after load: first and largest \
                 contentful paint, total blocking time, bytes, errors",
                b.path,
                human(b.settle)
            ),
            CheckKind::Journey(j) => format!(
                "journey {:?} of scenario {:?} ({} steps)",
                j.scenario.journeys[j.journey].name,
                j.scenario.name,
                j.scenario.journeys[j.journey].steps.len()
            ),
            CheckKind::Intake(i) => format!(
                "submits a test dossier of procedure {} {}, looks it up every {}, gives up after {}",
                i.procedure,
                if i.login.is_some() {
                    "logged in"
                } else {
                    "without logging in"
                },
                human(i.follow_every),
                human(i.give_up_after)
            ),
            CheckKind::Payment(p) => format!(
                "pays a test dossier of procedure {} {} through the gateway's sandbox{}, polled every {}, confirmed within {}",
                p.procedure,
                if p.login.is_some() {
                    "logged in"
                } else {
                    "without logging in"
                },
                p.outcome
                    .as_deref()
                    .map(|o| format!(" (outcome {o})"))
                    .unwrap_or_default(),
                human(p.poll_every),
                human(p.confirm_timeout)
            ),
            CheckKind::Stats(s) => {
                let fields: Vec<&str> = s.fields.iter().map(|(f, _)| f.id()).collect();
                format!(
                    "GET {}: {}{}",
                    s.path,
                    fields.join(", "),
                    if s.items.is_some() {
                        ", per agency"
                    } else {
                        ""
                    }
                )
            }
        };
        format!(
            "{:<8} {:<7} {when}: {what}",
            self.kind.id(),
            self.kind.class().id()
        )
    }
}

/// A duration as a person writes it: `90s` is `1m30s`, `3600s` is `1h`.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 != 0 || ms == 0 {
        return format!("{ms}ms");
    }
    let mut s = ms / 1000;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    out
}

/// What a kind's validation needs besides its own keys.
pub(super) struct Place<'a> {
    /// Where the check's `kind` stands, for problems of the check as a whole.
    pub kind_at: usize,
    /// The configuration file's directory, for relative `*_file` and `scenario` paths.
    pub dir: Option<&'a Path>,
}

impl Place<'_> {
    pub fn resolve(&self, file: &str) -> PathBuf {
        self.dir
            .map_or_else(|| Path::new(file).to_owned(), |d| d.join(file))
    }
}

/// The check's name with where it stands, for the duplicate-name check.
pub(super) fn name_of(raw: &Spanned<DeValue<'_>>) -> Option<Spanned<String>> {
    let DeValue::Table(table) = raw.get_ref() else {
        return None;
    };
    let (_, value) = table.iter().find(|(k, _)| k.get_ref() == "name")?;
    match value.get_ref() {
        DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
        _ => None,
    }
}

/// Validates one check read from the spanned tree.
pub(super) fn check(
    cx: &mut Ctx<'_>,
    raw: &Spanned<DeValue<'_>>,
    dir: Option<&Path>,
) -> Option<ProbeCheck> {
    let DeValue::Table(table) = raw.get_ref() else {
        cx.error(raw.span().start, "a check is a table: [[target.check]]");
        return None;
    };
    let (common, rest): (DeTable<'_>, DeTable<'_>) = table
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .partition(|(k, _)| COMMON.contains(&k.get_ref().as_ref()));
    let c: Common = read(cx, raw.span(), common)?;
    let kind_name = c.kind.get_ref().as_str();
    let Some((_, keys)) = KINDS.iter().find(|(k, _)| *k == kind_name) else {
        let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
        cx.error(
            c.kind.span().start,
            format!(
                "unknown check kind {kind_name:?}; known: {}",
                known.join(", ")
            ),
        );
        return None;
    };
    let mut misplaced = false;
    for (key, value) in &rest {
        let name = key.get_ref().as_ref();
        if !keys.contains(&name) && KINDS.iter().any(|(_, k)| k.contains(&name)) {
            cx.error(
                value.span().start,
                format!("{name} does not apply to {kind_name} checks"),
            );
            misplaced = true;
        }
    }
    let (interval_default, timeout_default) = match kind_name {
        "intake" => (Duration::from_secs(3600), Duration::from_secs(30)),
        "payment" => (Duration::from_secs(900), Duration::from_secs(120)),
        "stats" => (Duration::from_secs(300), Duration::from_secs(30)),
        "browser" => (Duration::from_secs(300), Duration::from_secs(60)),
        _ => (Duration::from_secs(60), Duration::from_secs(10)),
    };
    let interval = cx.every("interval", &c.interval, interval_default, MIN_EVERY);
    let jitter = cx.duration(&c.jitter, Duration::ZERO);
    let timeout = cx.duration(&c.timeout, timeout_default);
    if timeout.is_zero()
        && let Some(t) = &c.timeout
    {
        cx.error(t.span().start, "timeout must be above zero");
    }
    if jitter >= interval
        && let Some(j) = &c.jitter
    {
        cx.error(j.span().start, "jitter must be shorter than the interval");
    }
    if misplaced {
        return None;
    }
    let place = Place {
        kind_at: c.kind.span().start,
        dir,
    };
    let span = raw.span();
    let kind = match kind_name {
        "http" => {
            let file = read(cx, span, rest)?;
            CheckKind::Http(http::check(cx, file))
        }
        "browser" => {
            let file = read(cx, span, rest)?;
            CheckKind::Browser(browser::check(cx, file, &place))
        }
        "journey" => {
            let file = read(cx, span, rest)?;
            CheckKind::Journey(journey::check(cx, file, &place)?)
        }
        "intake" => {
            let file = read(cx, span, rest)?;
            CheckKind::Intake(intake::check_intake(cx, file, &place)?)
        }
        "payment" => {
            let file = read(cx, span, rest)?;
            CheckKind::Payment(intake::check_payment(cx, file, &place)?)
        }
        _ => {
            let file = read(cx, span, rest)?;
            CheckKind::Stats(stats::check(cx, file, &place))
        }
    };
    Some(ProbeCheck {
        name: c.name.get_ref().clone(),
        interval,
        jitter,
        timeout,
        office_hours_only: c.office_hours_only,
        kind,
    })
}

/// Deserializes `table` (keys of the check standing at `span`) as `T`, reporting its
/// problems where they stand.
fn read<T: DeserializeOwned>(
    cx: &mut Ctx<'_>,
    span: std::ops::Range<usize>,
    table: DeTable<'_>,
) -> Option<T> {
    let value = Spanned::new(span, DeValue::Table(table));
    T::deserialize(ValueDeserializer::from(value))
        .map_err(|e| {
            cx.errors
                .push(Diagnostic::from_toml(cx.path, cx.source, &e))
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a kind lists is one its struct reads, and nothing else is read.
    #[test]
    fn each_kinds_keys_are_its_structs_fields() {
        fn accepts<T: DeserializeOwned>(keys: &[&str]) -> Result<(), String> {
            for key in keys {
                let mut probe = format!("{key} = \"x\"\n");
                if let Err(e) = toml::from_str::<T>(&probe) {
                    let m = e.message().to_owned();
                    if m.contains("unknown field") {
                        return Err(format!("{key}: {m}"));
                    }
                }
                probe = "surely_not_a_key = 1\n".into();
                let refused = toml::from_str::<T>(&probe)
                    .map_or_else(|e| e.message().contains("unknown field"), |_| false);
                if !refused {
                    return Err("an unknown key was read".into());
                }
            }
            Ok(())
        }
        assert_eq!(accepts::<http::HttpFile>(http::KEYS), Ok(()));
        assert_eq!(accepts::<journey::JourneyFile>(journey::KEYS), Ok(()));
        assert_eq!(accepts::<intake::IntakeFile>(intake::INTAKE_KEYS), Ok(()));
        assert_eq!(accepts::<intake::PaymentFile>(intake::PAYMENT_KEYS), Ok(()));
        assert_eq!(accepts::<stats::StatsFile>(stats::KEYS), Ok(()));
    }
}
