//! `kind = "stats"`: the portal's public statistics, read per agency into on-time figures
//! (indicator 2.1 of the national service index).

use super::super::Ctx;
use super::Place;
use dvc_loadgen::JsonPath;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The keys of a `stats` check.
///
/// ```toml
/// [[target.check]]
/// name = "stats"
/// kind = "stats"
/// path = "/api/stats"          # default
/// items = "$.agencies"         # the list of per-agency objects; absent: one object
/// agency = "$.agency"          # the agency's name within an item
/// fields = { received = "$.received", resolved_late = "$.resolved_late" }
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsFile {
    /// The statistics answer's path under the target's URL, or a whole `http(s)://` URL (a
    /// scoreboard on the national portal); default `/api/stats`.
    pub path: Option<Spanned<String>>,
    /// JSON path of the list of per-agency objects; absent: the answer is one object.
    pub items: Option<Spanned<String>>,
    /// JSON path of the agency's name within an item.
    pub agency: Option<Spanned<String>>,
    /// Figure name (see [`StatsField::ALL`]) → JSON path of its value.
    pub fields: Option<Spanned<BTreeMap<String, String>>>,
    /// Only the items where each JSON path holds the given text, e.g. `{ "$.code" = "01" }`:
    /// this province's row of a scoreboard that lists every province.
    pub select: Option<Spanned<BTreeMap<String, String>>>,
}

pub(in crate::config) const KEYS: &[&str] = &["path", "items", "agency", "fields", "select"];

/// Where the statistics answer keeps each agency's figures: `items` is the list of per-agency
/// objects (absent: the answer is one object), `agency` the agency's name within an item.
#[derive(Debug, Clone)]
pub struct StatsCheck {
    pub path: String,
    pub items: Option<JsonPath>,
    pub agency: Option<JsonPath>,
    pub fields: Vec<(StatsField, JsonPath)>,
    /// Items are read only where each path holds its text.
    pub select: Vec<(JsonPath, String)>,
}

/// The figures a statistics check can read: the deadline counts of indicator 2.1, and the
/// counts behind the other groups of the national service index (online service, online
/// payment, digitisation, satisfaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsField {
    Received,
    ResolvedEarly,
    ResolvedOnTime,
    ResolvedLate,
    OpenInTime,
    OpenOverdue,
    LateAcceptances,
    ProceduresTotal,
    ProceduresFullOnline,
    ProceduresPartlyOnline,
    DossiersTotal,
    DossiersOnline,
    DossiersDigitised,
    ResultsTotal,
    ResultsDigitised,
    PaymentsTotal,
    PaymentsOnline,
    SatisfactionResponses,
    SatisfactionSatisfied,
}

impl StatsField {
    pub const ALL: [(&'static str, StatsField); 19] = [
        ("received", StatsField::Received),
        ("resolved_early", StatsField::ResolvedEarly),
        ("resolved_on_time", StatsField::ResolvedOnTime),
        ("resolved_late", StatsField::ResolvedLate),
        ("open_in_time", StatsField::OpenInTime),
        ("open_overdue", StatsField::OpenOverdue),
        ("late_acceptances", StatsField::LateAcceptances),
        ("procedures_total", StatsField::ProceduresTotal),
        ("procedures_full_online", StatsField::ProceduresFullOnline),
        (
            "procedures_partly_online",
            StatsField::ProceduresPartlyOnline,
        ),
        ("dossiers_total", StatsField::DossiersTotal),
        ("dossiers_online", StatsField::DossiersOnline),
        ("dossiers_digitised", StatsField::DossiersDigitised),
        ("results_total", StatsField::ResultsTotal),
        ("results_digitised", StatsField::ResultsDigitised),
        ("payments_total", StatsField::PaymentsTotal),
        ("payments_online", StatsField::PaymentsOnline),
        ("satisfaction_responses", StatsField::SatisfactionResponses),
        ("satisfaction_satisfied", StatsField::SatisfactionSatisfied),
    ];

    /// Whether the field is one of the index's counts kept in the history (the deadline counts
    /// are kept as the on-time pair).
    pub fn is_index_count(self) -> bool {
        !matches!(
            self,
            StatsField::Received
                | StatsField::ResolvedEarly
                | StatsField::ResolvedOnTime
                | StatsField::ResolvedLate
                | StatsField::OpenInTime
                | StatsField::OpenOverdue
                | StatsField::LateAcceptances
        )
    }

    pub fn id(self) -> &'static str {
        StatsField::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

pub(super) fn check(cx: &mut Ctx<'_>, c: StatsFile, place: &Place<'_>) -> StatsCheck {
    let mut fields = Vec::new();
    match &c.fields {
        None => cx.error(
            place.kind_at,
            "a stats check needs [fields] mapping figures to JSON paths",
        ),
        Some(map) => {
            for (name, path) in map.get_ref() {
                let Some((_, field)) = StatsField::ALL.iter().find(|(n, _)| n == name) else {
                    let known: Vec<&str> = StatsField::ALL.iter().map(|(n, _)| *n).collect();
                    cx.error(
                        map.span().start,
                        format!("unknown figure {name:?}; known: {}", known.join(", ")),
                    );
                    continue;
                };
                match JsonPath::parse(path) {
                    Ok(p) => fields.push((*field, p)),
                    Err(e) => cx.error(map.span().start, format!("{name}: {e}")),
                }
            }
        }
    }
    let select = c.select.as_ref().map_or_else(Vec::new, |map| {
        if c.items.is_none() {
            cx.error(
                map.span().start,
                "select picks items of a list: give items = \"$.…\" too",
            );
        }
        map.get_ref()
            .iter()
            .filter_map(|(p, want)| match JsonPath::parse(p) {
                Ok(path) => Some((path, want.clone())),
                Err(e) => {
                    cx.error(map.span().start, format!("select {p}: {e}"));
                    None
                }
            })
            .collect()
    });
    let mut path_of = |v: &Option<Spanned<String>>| {
        v.as_ref().and_then(|p| {
            JsonPath::parse(p.get_ref())
                .map_err(|e| cx.error(p.span().start, e.to_string()))
                .ok()
        })
    };
    StatsCheck {
        select,
        path: c
            .path
            .as_ref()
            .map_or_else(|| "/api/stats".into(), |p| p.get_ref().clone()),
        items: path_of(&c.items),
        agency: path_of(&c.agency),
        fields,
    }
}
