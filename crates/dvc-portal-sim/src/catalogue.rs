//! The procedure catalogue: agencies, procedures and provinces, loaded from the shipped fixture.

use dvc_domain::deadline::{DeadlineRule, ProcessingTime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The shipped catalogue fixture.
pub const CATALOGUE_TOML: &str = include_str!("../data/catalogue.toml");

/// An agency (cơ quan) that receives and processes dossiers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// Short identifier used in URLs and metrics labels.
    pub id: String,
    /// Agency code without the province suffix, e.g. `000.00.12`.
    pub code: String,
    pub name: String,
}

/// A procedure's processing time, as the catalogue states it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Processing {
    WorkingDays(u32),
    WorkingHours(u32),
    CalendarDays(u32),
}

/// An administrative procedure (thủ tục hành chính).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub code: String,
    pub name: String,
    /// The agency id.
    pub agency: String,
    /// Service level: 3 (submit online) or 4 (fully online, fee paid online).
    pub level: u8,
    /// Fee in VND; 0 for none.
    pub fee: u64,
    pub processing: Processing,
    /// Same-day cutoff, "HH:MM": received before it, the result is due by close of office.
    #[serde(default)]
    pub same_day_cutoff: Option<String>,
    /// The fee must be paid before the dossier can be accepted.
    #[serde(default)]
    pub pay_first: bool,
    /// Dossiers may be submitted without logging in.
    #[serde(default)]
    pub anonymous: bool,
    /// Required attachments, one file part each, in order.
    pub attachments: Vec<String>,
    /// Which waits the procedure's rules exclude from its processing time (fees or tax for land
    /// procedures, a public posting); supplements always are.
    #[serde(default)]
    pub clock: dvc_domain::lifecycle::ClockPolicy,
}

impl Procedure {
    /// How the procedure is offered online, as Decree 42/2022 names it ("toàn trình": fully
    /// online, fee included; "một phần": partly online), with the older level beside it.
    pub fn online_vi(&self) -> &'static str {
        if self.level >= 4 {
            "Toàn trình (trước đây mức độ 4)"
        } else {
            "Một phần (trước đây mức độ 3)"
        }
    }

    /// [`Self::online_vi`]'s identifier: `full` or `partial`.
    pub fn online(&self) -> &'static str {
        if self.level >= 4 { "full" } else { "partial" }
    }

    /// The deadline rule of the processing clock.
    pub fn deadline_rule(&self) -> DeadlineRule {
        let time = match self.processing {
            Processing::WorkingDays(n) => ProcessingTime::WorkingDays(n),
            Processing::WorkingHours(n) => {
                ProcessingTime::WorkingHours(chrono::TimeDelta::hours(i64::from(n)))
            }
            Processing::CalendarDays(n) => ProcessingTime::CalendarDays(n),
        };
        let rule = DeadlineRule::new(time);
        match self
            .same_day_cutoff
            .as_deref()
            .and_then(|c| chrono::NaiveTime::parse_from_str(c, "%H:%M").ok())
        {
            Some(cutoff) => rule.with_cutoff(cutoff),
            None => rule,
        }
    }
}

pub use dvc_domain::provinces::Province;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    agency: Vec<Agency>,
    procedure: Vec<Procedure>,
}

/// The whole catalogue, indexed.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub agencies: Vec<Agency>,
    pub procedures: Vec<Procedure>,
    pub provinces: &'static [Province],
    by_code: HashMap<String, usize>,
}

impl Catalogue {
    /// The shipped fixture.
    pub fn shipped() -> Catalogue {
        let file: CatalogueFile = toml::from_str(CATALOGUE_TOML)
            .expect("invariant: the shipped catalogue is valid (checked by a test)");
        let by_code = file
            .procedure
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), i))
            .collect();
        Catalogue {
            agencies: file.agency,
            procedures: file.procedure,
            provinces: &dvc_domain::provinces::PROVINCES,
            by_code,
        }
    }

    /// The procedure with `code`.
    pub fn procedure(&self, code: &str) -> Option<&Procedure> {
        self.by_code.get(code).map(|&i| &self.procedures[i])
    }

    /// The agency with `id`.
    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// The province with administrative code `code`.
    pub fn province(&self, code: &str) -> Option<&'static Province> {
        dvc_domain::provinces::province(code)
    }

    /// Procedures whose name or code contains `query` (case- and diacritic-sensitive substring,
    /// lowercased), optionally of one agency and level.
    pub fn search<'a>(
        &'a self,
        query: &str,
        agency: Option<&'a str>,
        level: Option<u8>,
    ) -> impl Iterator<Item = &'a Procedure> + 'a {
        let query = query.trim().to_lowercase();
        self.procedures.iter().filter(move |p| {
            (query.is_empty() || p.name.to_lowercase().contains(&query) || p.code.contains(&query))
                && agency.is_none_or(|a| p.agency == a)
                && level.is_none_or(|l| p.level == l)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_is_complete_and_consistent() {
        let cat = Catalogue::shipped();
        assert!(cat.procedures.len() >= 50);
        assert!(cat.agencies.len() >= 5);
        assert_eq!(cat.provinces.len(), 34);
        for p in &cat.procedures {
            assert!(
                cat.agency(&p.agency).is_some(),
                "{}: unknown agency",
                p.code
            );
            assert!(!p.attachments.is_empty(), "{}", p.code);
            assert!(p.level == 3 || p.level == 4, "{}", p.code);
            assert!(
                !p.pay_first || p.fee > 0,
                "{}: pay-first without a fee",
                p.code
            );
            if let Some(c) = &p.same_day_cutoff {
                assert!(
                    chrono::NaiveTime::parse_from_str(c, "%H:%M").is_ok(),
                    "{}",
                    p.code
                );
            }
        }
        let codes: std::collections::HashSet<_> = cat.procedures.iter().map(|p| &p.code).collect();
        assert_eq!(
            codes.len(),
            cat.procedures.len(),
            "procedure codes are unique"
        );
        assert!(cat.procedures.iter().any(|p| p.same_day_cutoff.is_some()));
        assert!(
            cat.procedures
                .iter()
                .any(|p| matches!(p.processing, Processing::CalendarDays(_)))
        );
        assert!(
            cat.procedures
                .iter()
                .any(|p| matches!(p.processing, Processing::WorkingHours(_)))
        );
    }

    #[test]
    fn search_matches_lowercased_vietnamese_names() {
        let cat = Catalogue::shipped();
        let hits: Vec<_> = cat
            .search("khai sinh", None, None)
            .map(|p| &p.code)
            .collect();
        assert!(hits.contains(&&"1.900001".to_owned()), "{hits:?}");
        assert!(cat.search("HỘ CHIẾU", Some("congan"), Some(4)).count() == 1);
        assert_eq!(cat.search("", Some("tuphap"), None).count(), 5);
    }
}
