//! Sensitivity analysis on the model's inputs, the numbers each trial draws once (see
//! [`crate::model::inputs`]):
//!
//! - [`rank`]: screening from one ordinary run (standardised regression and partial
//!   rank correlation coefficients, `drawdown rank`);
//! - [`tornado`]: one-at-a-time swings of inputs with common random numbers, ranked
//!   by their effect on an output (`drawdown tornado`);
//! - [`sobol`]: variance-based first-order and total indices with the simulator's own
//!   noise removed (`drawdown sobol`);
//! - [`select`]: which inputs a `--vary` spec names and what output is analysed;
//! - [`linalg`]: the small linear algebra these need.
//!
//! Running them on the simulator is [`crate::pipeline::sensitivity`].

pub mod jackknife;
pub mod linalg;
pub mod rank;
pub mod select;
pub mod sobol;
pub mod tornado;
