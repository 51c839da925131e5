//! The scenario runner behind `dvcbench run`: the scenario format and its validation
//! ([`scenario`]), the arrival plan ([`plan`]), the open-model engine ([`engine`]) sending
//! through one HTTP client ([`client`]), sharded HdrHistogram recorders ([`recorder`]), live
//! metrics and progress ([`live`]), thresholds ([`thresholds`]) and the run summary
//! ([`summary`]), tied together by [`run::run`]. A run split over several generators runs one
//! [`segment`] each; [`merge`] adds their summaries into one.

pub mod data;
pub mod engine;
pub mod jsonpath;
pub mod live;
pub mod merge;
pub mod plan;
pub mod recorder;
pub mod run;
pub mod scenario;
pub mod secrets;
pub mod segment;
pub mod summary;
pub mod template;
pub mod thresholds;
pub mod units;
