//! Stock paths staged column by column before they enter the histograms.
//!
//! A trial's stock path is one value per column (series × reporting day), and every
//! column has its own histogram, so recording a path as it comes touches one histogram
//! after another: one cache miss per value once the histograms outgrow the cache (the
//! default scenario has 1 778 of them, about 25 MB). The stage instead keeps the values
//! of many trials column by column, and records a whole column at a time: the column's
//! histogram stays in cache while it takes hundreds of values. Paths arrive one trial at
//! a time; they are transposed up to [`TRANSPOSE`] trials at a time (that small trial-major
//! buffer stays in cache too). The histograms and moments are integer counts and sums,
//! so the order of recording changes nothing in the result.

use super::Aggregate;
use std::sync::{Mutex, PoisonError};

/// Where staged columns are recorded: an aggregate, or the run's shared one.
pub(crate) trait StockSink {
    /// Records `trials` values of every column (`stride` apart) into the stock
    /// histograms and moments.
    fn add_stock_columns(&mut self, columns: &[u64], stride: usize, trials: usize);
}

impl StockSink for Aggregate {
    fn add_stock_columns(&mut self, columns: &[u64], stride: usize, trials: usize) {
        Aggregate::add_stock_columns(self, columns, stride, trials);
    }
}

/// The run's one shared aggregate: locked while a stage records into it. A poisoned lock
/// (a worker panicked) is recorded into anyway; the run reports the panic when it ends.
impl StockSink for &Mutex<Aggregate> {
    fn add_stock_columns(&mut self, columns: &[u64], stride: usize, trials: usize) {
        let mut shared = self.lock().unwrap_or_else(PoisonError::into_inner);
        shared.add_stock_columns(columns, stride, trials);
    }
}

/// Memory for the staged columns, per worker.
const STAGE_BYTES: usize = 16 << 20;
/// Most trials transposed at a time.
const TRANSPOSE: usize = 64;
/// Fewest trials staged per column, however wide the paths: with a path of a million
/// values (daily reporting of hundreds of series over years) the stage still takes
/// only (8 + 2) × 8 bytes per value.
const MIN_STAGED: usize = 8;
/// Most trials staged per column (more gains little: a histogram window holds at most
/// a few thousand cache lines).
const MAX_STAGED: usize = 2048;

/// Stock paths waiting to be recorded into an [`Aggregate`].
#[derive(Debug, Default)]
pub(crate) struct StockStage {
    /// Values per path (series × reporting days).
    width: usize,
    /// Trials a column holds.
    capacity: usize,
    /// Trials transposed at a time: a quarter of `capacity`, at most [`TRANSPOSE`].
    transpose: usize,
    /// Trials staged in the columns.
    staged: usize,
    /// Column `c` holds its values in `columns[c * capacity..][..staged]`.
    columns: Vec<u64>,
    /// Paths not yet transposed, trial after trial.
    recent: Vec<u64>,
}

impl StockStage {
    /// A stage for paths of `width` values.
    pub(crate) fn new(width: usize) -> StockStage {
        // The columns take at most STAGE_BYTES, the recent paths a quarter of that.
        let capacity = (STAGE_BYTES / 8 / width.max(1)).clamp(MIN_STAGED, MAX_STAGED);
        StockStage {
            width,
            capacity,
            transpose: (capacity / 4).clamp(1, TRANSPOSE),
            ..StockStage::default()
        }
    }

    /// Adds one trial's path (`width` values), recording into `aggregate` when full.
    pub(crate) fn push(&mut self, path: &[u64], aggregate: &mut impl StockSink) {
        debug_assert_eq!(path.len(), self.width);
        if self.recent.capacity() == 0 {
            self.recent.reserve_exact(self.transpose * self.width);
        }
        self.recent.extend_from_slice(path);
        if self.recent.len() >= self.transpose * self.width {
            self.transpose(aggregate);
        }
    }

    /// Records everything staged into `aggregate`.
    pub(crate) fn flush(&mut self, aggregate: &mut impl StockSink) {
        self.transpose(aggregate);
        self.record(aggregate);
    }

    /// Moves the recent paths into the columns (recording first if they do not fit).
    fn transpose(&mut self, aggregate: &mut impl StockSink) {
        let n = self.recent.len() / self.width.max(1);
        if n == 0 {
            return;
        }
        if self.staged + n > self.capacity {
            self.record(aggregate);
        }
        if self.columns.is_empty() {
            self.columns = vec![0; self.width * self.capacity];
        }
        let width = self.width;
        for (c, column) in self.columns.chunks_exact_mut(self.capacity).enumerate() {
            let slots = &mut column[self.staged..self.staged + n];
            for (slot, value) in slots.iter_mut().zip(self.recent[c..].iter().step_by(width)) {
                *slot = *value;
            }
        }
        self.staged += n;
        self.recent.clear();
    }

    fn record(&mut self, aggregate: &mut impl StockSink) {
        if self.staged > 0 {
            aggregate.add_stock_columns(&self.columns, self.capacity, self.staged);
            self.staged = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Staged, transposed and recorded column by column (with the stage filling up and
    /// emptying several times, and a partial batch at the end), the paths give exactly
    /// the aggregate of recording every value as it comes.
    #[test]
    fn staging_changes_nothing_in_the_aggregate() {
        let (series, reports) = (3, 5);
        let width = series * reports;
        let mut staged = Aggregate::new(&[false, true, false], &[0, 2, 4, 6, 9], 10);
        let mut direct = staged.clone();
        let mut stage = StockStage::new(width);
        assert_eq!((stage.capacity, stage.transpose), (MAX_STAGED, TRANSPOSE));
        // However wide the path, the stage stays within STAGE_BYTES and a quarter, or
        // (8 + 2) values per path value.
        let wide = StockStage::new(1 << 20);
        assert_eq!((wide.capacity, wide.transpose), (MIN_STAGED, 2));
        let daily = StockStage::new(62_020); // the default scenario, daily reporting
        assert_eq!((daily.capacity, daily.transpose), (33, 8));
        assert!(62_020 * 8 * (daily.capacity + daily.transpose) <= STAGE_BYTES * 5 / 4);
        let mut x: u64 = 12_345;
        let trials = 2 * MAX_STAGED + 3 * TRANSPOSE + 7;
        for _ in 0..trials {
            let path: Vec<u64> = (0..width)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (x >> 33) >> (x % 31)
                })
                .collect();
            for (c, &v) in path.iter().enumerate() {
                let agg = &mut direct.series[c / reports];
                agg.stock[c % reports].record(v);
                agg.stock_moments[c % reports].add(v);
            }
            stage.push(&path, &mut staged);
        }
        assert_ne!(staged, direct, "not all recorded before the flush");
        stage.flush(&mut staged);
        assert_eq!(staged, direct);
        assert_eq!(staged.series[1].stock[4].count(), trials as u64);
    }
}
