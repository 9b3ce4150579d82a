//! The integration test binary: one module per area.

mod cli;
mod determinism;
mod dist;
mod mm1;
mod model;
mod stats;
