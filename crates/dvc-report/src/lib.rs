//! Renderers, and nothing else: run reports ([`html()`], [`markdown()`]: one self-contained
//! HTML file with charts, inline SVG and CSS, no script; Markdown for CI comments and tickets),
//! optionally compared with an earlier run, and the province comparison's reports
//! ([`compare`]: HTML, Markdown, CSV, the terminal ranking), in Vietnamese or English. The data
//! comes from `dvc-loadgen`'s `RunSummary` and `dvc-compare`'s `Comparison`.
//!
//! Each report is built the same way: a view (`view.rs`, `compare/view.rs`) computed once from
//! the data in one language, every figure formatted, then laid out by small renderers; words
//! come from `labels!` tables with each label's Vietnamese and English side by side; text is
//! escaped by one module (`escape.rs`). Golden files in `tests/fixtures/golden` hold every
//! format byte for byte (`DVCBENCH_BLESS=1 cargo test golden` rewrites them after a change
//! meant to show).
//!
//! ```
//! use dvc_loadgen::summary::RunSummary;
//! use dvc_report::{Lang, markdown};
//!
//! let run = RunSummary { scenario: "opening-bell".into(), ..RunSummary::default() };
//! assert!(markdown(&run, None, Lang::En).starts_with("## Load test report — opening-bell"));
//! ```

pub mod capacity;
pub mod compare;
mod escape;
mod html;
mod i18n;
mod labels;
mod markdown;
pub mod svg;
mod view;

pub use html::html;
pub use i18n::{Lang, UnknownLang};
pub use markdown::markdown;
