//! # drawdown
//!
//! A discrete-event simulator with parallel Monte Carlo for munitions stockpiles: as
//! allies keep sending munitions to Ukraine while factories ramp up and contracts take
//! months or years to deliver, when do national stockpiles run dry, and how sure are we?
//!
//! The crate is layered so that each layer knows only the ones below it:
//!
//! - [`engine`]: a generic discrete-event core (clock, event queue, cancellation,
//!   random streams). It knows nothing about munitions; `examples/mm1/` and the test
//!   suite run a textbook M/M/1 queue on it.
//! - [`dist`]: the catalogue of input distributions, parameterised the way analysts
//!   state uncertainty (PERT by min/mode/max, lognormal by median and p90, …).
//! - [`scenario`]: scenario files (TOML), their validation and error locations.
//! - [`model`]: the munitions model (nations, factories, contracts, demand, aid) on top
//!   of the engine; one call simulates one trial.
//! - [`stats`]: exactly-mergeable accumulators (integer sums, log-linear histograms,
//!   per-day counts) and confidence intervals.
//! - [`runner`]: the parallel Monte Carlo driver: fixed trial blocks, streaming
//!   aggregation, shards, precision stopping.
//! - [`export`]: the output contract (CSV tables, manifest, one-trial traces, atomic
//!   result folders).
//! - [`backtest`]: a scenario set against dated public figures.
//! - [`sweep`]: parameter sweeps with common random numbers and paired differences.

pub mod backtest;
pub mod dist;
pub mod engine;
pub mod error;
pub mod export;
pub mod model;
pub mod pipeline;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;

pub use error::{Error, Result};
