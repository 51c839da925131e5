//! End-to-end tests: the `dvcbench` library driven in-process, across crates.

mod alerts;
mod architecture;
mod bridge;
mod calendar;
mod cardinality;
mod catalogue;
mod closed;
mod compare;
mod compare_cli;
mod dashboards;
mod distributed;
mod failures;
mod golden;
mod hostile;
mod k8s;
mod listeners;
mod ops;
mod portal;
mod portal_load;
mod portal_openapi;
mod probe;
mod probe_state;
mod report;
mod run;
mod secrets;
mod stack;
