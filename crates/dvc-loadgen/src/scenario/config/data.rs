//! `[data]`: CSV feeders and generated citizens.

use super::Problems;
use crate::data::Feeder;
use crate::scenario::config::*;
use serde::Deserialize;
use toml::Spanned;

/// Test data.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// CSV feeders: each journey takes the next row (round robin) as `{{name.column}}`.
    pub csv: Vec<Spanned<CsvConfig>>,
    /// Generated Vietnamese citizens, one per journey, as `{{citizen.*}}`.
    pub citizens: CitizensConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvConfig {
    pub name: String,
    /// Path relative to the scenario file; the first line names the columns.
    pub path: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CitizensConfig {
    /// Province codes citizens come from (citizen ID prefix); default: all 34.
    pub provinces: Vec<String>,
}

pub(super) fn feeders(p: &mut Problems, d: &DataConfig, dir: &Path) -> Vec<Feeder> {
    let mut out: Vec<Feeder> = Vec::new();
    for c in &d.csv {
        let at = c.span().start;
        let cfg = c.get_ref();
        if cfg.name == "citizen" || cfg.name == "journey" || out.iter().any(|f| f.name == cfg.name)
        {
            p.at(at, format!("CSV feeder name {:?} is taken", cfg.name));
            continue;
        }
        let full = dir.join(&cfg.path);
        let parsed = p
            .files
            .read(&full)
            .map_err(|error| crate::data::FeederError::Read {
                file: full.display().to_string(),
                error,
            })
            .and_then(|bytes| Feeder::parse(&cfg.name, &full.display().to_string(), &bytes));
        if let Some(f) = p.ok(at, parsed) {
            out.push(f);
        }
    }
    out
}
