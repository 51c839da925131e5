//! End-to-end tests: the `dvcbench` library driven in-process, across crates.

mod calendar;
