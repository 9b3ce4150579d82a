//! Parameter sweeps with common random numbers (`drawdown sweep`, `check --vary`).
//!
//! - [`spec`]: the grammar of a `--vary` spec (lists, ranges, `+=`, `*=`);
//! - [`paths`]: matching a path pattern (with `*`) against the scenario, with
//!   suggestions when it matches nothing;
//! - [`plan`]: the grid of points and the scenario text of each;
//! - [`pair`]: per-trial values of a run and the paired differences of `sweep.csv`.
//!
//! Running a sweep (baseline, then each point on all cores, every one with the same
//! seed and trial indices) is [`crate::pipeline::sweep()`].

pub mod pair;
pub mod paths;
pub mod plan;
pub mod spec;

pub use pair::{Compared, Outcomes, Scale, TrialValues, compare};
pub use plan::{Assignment, Plan, Point, Resolved};
pub use spec::{Op, Spec};
