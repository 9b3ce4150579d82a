//! The Monte Carlo result: data that the runner fills and the exporters read.
//!
//! [`Aggregate`] is the merged, exact summary of many trials (every output table is
//! computed from it), and [`SharedAggregate`] the same while several threads fill it;
//! [`UnitRows`] are the per-trial outcomes of one unit of trials, handed to a
//! [`RowSink`] in trial order. The runner depends on this module to fill
//! them; `export` depends on it (and on `stats`) to read them, never on the runner.

pub mod aggregate;
mod rows;
mod shared;

pub use aggregate::{Aggregate, GroupAggregate, RatioAggregate, SeriesAggregate};
pub use rows::{NoRows, RowSink, UnitRows};
pub(crate) use shared::DENSE_STOCK_BYTES;
pub use shared::SharedAggregate;
