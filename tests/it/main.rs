//! The integration test binary: one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod determinism;
mod dist;
mod fuzz_regressions;
mod mm1;
mod model;
mod props;
mod stats;
