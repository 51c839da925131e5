//! `[target.active]`: the portal's consent to active checks.

use super::Ctx;
use serde::Deserialize;
use toml::Spanned;

/// `[target.active]`: what lets active checks run against a target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActiveFile {
    /// The procedure (or procedures) the portal set aside for tests: active checks may use no
    /// other.
    test_procedure: Option<Spanned<OneOrMany>>,
    /// Who agreed to the probe's test dossiers and payments, and where it is recorded.
    consent: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A target's consent to active checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveConsent {
    /// The procedures set aside for tests.
    pub test_procedures: Vec<String>,
    pub consent: String,
}

/// The consent `a` declares, or `None` with its problems reported.
pub(super) fn read(cx: &mut Ctx<'_>, a: &Spanned<ActiveFile>) -> Option<ActiveConsent> {
    let at = a.span().start;
    let a = a.get_ref();
    let procedures: Vec<String> = match a.test_procedure.as_ref().map(Spanned::get_ref) {
        Some(OneOrMany::One(p)) => vec![p.trim().to_owned()],
        Some(OneOrMany::Many(ps)) => ps.iter().map(|p| p.trim().to_owned()).collect(),
        None => Vec::new(),
    };
    let procedures: Vec<String> = procedures.into_iter().filter(|p| !p.is_empty()).collect();
    let consent = a
        .consent
        .as_ref()
        .map(|c| c.get_ref().trim().to_owned())
        .filter(|c| !c.is_empty());
    match (procedures.is_empty(), consent) {
        (false, Some(consent)) => Some(ActiveConsent {
            test_procedures: procedures,
            consent,
        }),
        (true, _) => {
            cx.error(
                at,
                "[target.active] needs test_procedure: the procedure (or list of procedures) the \
                 portal set aside for tests",
            );
            None
        }
        (_, None) => {
            cx.error(
                at,
                "[target.active] needs consent: who agreed to test dossiers and payments on this \
                 portal, and where it is recorded",
            );
            None
        }
    }
}
