//! The crate's one error type.

use crate::lifecycle::DossierState;

/// A problem found in a configuration file, located by line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl Diagnostic {
    /// Locates byte `offset` of `source` as a 1-based line and column (in characters).
    pub fn at(path: &str, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(source.len());
        let before = source.get(..offset).unwrap_or(source);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Diagnostic {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// A diagnostic for a TOML syntax or schema error, located by its span when it has one.
    pub fn from_toml(path: &str, source: &str, err: &toml::de::Error) -> Self {
        let offset = err.span().map_or(0, |span| span.start);
        Diagnostic::at(path, source, offset, err.message().trim_end())
    }
}

/// Errors of the domain crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more problems in a configuration file, each with its location.
    #[error("{}", join_lines(.0))]
    Config(Vec<Diagnostic>),
    /// Office hours that cannot be parsed or do not make sense.
    #[error("invalid office hours {input:?}: {reason}; expected e.g. \"07:00-11:30,13:30-17:00\"")]
    OfficeHours { input: String, reason: String },
    /// A lifecycle transition the state machine does not allow.
    #[error("a dossier cannot go from {from} to {to}")]
    Transition {
        from: DossierState,
        to: DossierState,
    },
    /// A portal status string that the status mapping does not know.
    #[error("unknown portal status {0:?}; add it to the status mapping")]
    UnknownStatus(String),
    /// A year outside the computed range of the calendar.
    #[error("year {0} is outside the supported range 1900-2199")]
    YearOutOfRange(i32),
}

fn join_lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_counts_lines_and_characters_from_one() {
        let source = "a = 1\nname = \"Tết\" x\n";
        let offset = source.find('x').expect("present");
        let d = Diagnostic::at("f.toml", source, offset, "unexpected x");
        assert_eq!(d.to_string(), "f.toml:2:14: unexpected x");
    }
}
