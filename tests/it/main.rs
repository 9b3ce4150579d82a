//! The integration test binary: one module per area.

mod dist;
mod mm1;
mod stats;
