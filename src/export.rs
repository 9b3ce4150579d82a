//! The output contract: a result folder of tidy CSV tables, a manifest, and the trace of
//! one trial; on request the same tables as an Excel workbook with charts ([`xlsx`])
//! and as SVG charts ([`plots`]).
//!
//! Every table is a pure function of the run's [`Aggregate`] and the [`Model`]
//! (scenario and reporting days), so equal aggregates give equal bytes. Numbers are
//! written with a fixed number of decimals (`.` as decimal point, or `,` with a
//! [`CsvFormat`] for `;`/`,` locales), dates as ISO `YYYY-MM-DD`, one observation per
//! row.
//!
//! Results are written atomically ([`OutputDir`]): into a hidden folder beside the
//! target, renamed into place only when complete. A failed or interrupted run leaves
//! the previous results untouched and nothing half-written.

pub mod atomic;
pub mod backtest;
pub mod csv_format;
pub mod dir;
pub mod format;
pub mod guard;
pub mod inputs;
pub mod manifest;
pub mod plots;
pub mod stamp;
pub mod tables;
pub mod terminal;
pub mod trace;
pub mod trials;
pub mod xlsx;

pub use csv_format::CsvFormat;
pub use dir::{OutputDir, Placement};
pub use manifest::Manifest;

use crate::model::Model;
use crate::results::Aggregate;

/// A finished run's aggregate with the model that gives it meaning.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The model run (scenario, reporting days).
    pub model: &'a Model,
    /// The merged summary of all trials.
    pub aggregate: &'a Aggregate,
}

impl Report<'_> {
    /// `(nation id, item id)` of series `i`.
    pub fn labels(&self, i: usize) -> (&str, &str) {
        let s = &self.model.scenario;
        let series = &s.series[i];
        (&s.nations[series.nation].id, &s.items[series.item].id)
    }

    /// Whether series `i` belongs to a pass-through channel (no depletion reported).
    pub fn is_channel(&self, i: usize) -> bool {
        self.model.scenario.series[i].channel
    }

    /// The reserve floor of `nation`'s `item` [rounds], with `true` when it is drawn per
    /// trial (the value is then its mean); `None` when it is zero or there is no such
    /// series. The charts draw it as a line.
    pub fn floor(&self, nation: &str, item: &str) -> Option<(f64, bool)> {
        let s = &self.model.scenario;
        let series = s
            .series
            .iter()
            .find(|x| s.nations[x.nation].id == nation && s.items[x.item].id == item)?;
        let rounds = series.floor.mean()?;
        (rounds > 0.0).then_some((rounds, series.floor.fixed_value().is_none()))
    }

    /// ISO date of simulation day `day`.
    pub fn date(&self, day: u32) -> String {
        self.model.scenario.date_of(day).to_string()
    }
}
