//! `kind = "journey"`: one journey of a runner scenario file, run once per interval against
//! the target (the scenario's own target and load are not used).

use super::super::Ctx;
use super::Place;
use serde::Deserialize;
use toml::Spanned;

/// The keys of a `journey` check.
///
/// ```toml
/// [[target.check]]
/// name = "look-up"
/// kind = "journey"
/// scenario = "scenarios/lookup.toml"   # relative to this file
/// journey = "tra-cuu"                  # default: the scenario's first journey
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyFile {
    /// The runner scenario file, relative to the probe's configuration.
    pub scenario: Option<Spanned<String>>,
    /// The journey's name; default the first.
    pub journey: Option<Spanned<String>>,
}

pub(in crate::config) const KEYS: &[&str] = &["scenario", "journey"];

/// A scripted check: one journey of a runner scenario.
#[derive(Debug, Clone)]
pub struct JourneyCheck {
    pub scenario: std::sync::Arc<dvc_loadgen::scenario::Scenario>,
    pub journey: usize,
}

pub(super) fn check(cx: &mut Ctx<'_>, c: JourneyFile, place: &Place<'_>) -> Option<JourneyCheck> {
    let Some(file) = &c.scenario else {
        cx.error(
            place.kind_at,
            "a journey check needs scenario = \"<runner scenario file>\"",
        );
        return None;
    };
    let path = place.resolve(file.get_ref());
    let scenario = match dvc_loadgen::scenario::Scenario::load(&path) {
        Ok(s) => s,
        Err(e) => {
            cx.error(
                file.span().start,
                format!("scenario {}:\n{e}", path.display()),
            );
            return None;
        }
    };
    let journey = match &c.journey {
        None => 0,
        Some(name) => match scenario
            .journeys
            .iter()
            .position(|j| j.name == *name.get_ref())
        {
            Some(i) => i,
            None => {
                cx.error(
                    name.span().start,
                    format!("{} has no journey {:?}", path.display(), name.get_ref()),
                );
                return None;
            }
        },
    };
    Some(JourneyCheck {
        scenario: std::sync::Arc::new(scenario),
        journey,
    })
}
