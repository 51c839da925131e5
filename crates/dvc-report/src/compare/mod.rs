//! Renderers of the province comparison ([`dvc_compare::Comparison`]): the HTML report
//! ([`html`]), and the terminal ranking, Markdown and CSV ([`text`]), laid out from one view
//! built once per report.

pub mod html;
mod labels;
pub mod text;
mod view;
pub mod xlsx;
