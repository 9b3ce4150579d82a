//! Stock paths staged column by column before they enter the histograms.
//!
//! A trial's stock path is one value per column (series × reporting day), and every
//! column has its own histogram, so recording a path as it comes touches one histogram
//! after another: one cache miss per value once the histograms outgrow the cache (the
//! default scenario has 8 925 of them at weekly reporting, 62 020 at daily). The stage
//! instead keeps the values of many trials column by column, and records a whole column
//! at a time: the column's histogram stays in cache while it takes hundreds of values.
//!
//! A value is staged as its histogram bucket index (2 bytes; see
//! [`crate::stats::bucket_index`]), with the exact smallest and largest value of each
//! column beside the batch: all a histogram keeps of it. Paths arrive one trial at a
//! time and wait, as values, until [`TRANSPOSE`] trials have come; they are then
//! transposed into the columns (that small trial-major buffer stays in cache), and on
//! the way each column's values are summed into its exact moments, which are added to
//! the aggregate once per transposed batch rather than once per trial (for a scenario
//! with tens of thousands of columns, the moments are megabytes that every trial would
//! otherwise stream through). The histograms and moments are integer counts and sums,
//! so the order of recording changes nothing in the result.

use crate::results::SharedAggregate;
use crate::stats::{BatchMoments, Moments, bucket_index};

/// Memory for the staged columns of a whole run, shared out equally among its workers
/// (so a second thread does not add a second stage's worth).
pub(crate) const STAGE_BYTES: usize = 16 << 20;
/// Most trials transposed at a time.
const TRANSPOSE: usize = 16;
/// Fewest trials staged per column, however wide the paths: with a path of a million
/// values (daily reporting of hundreds of series over years) the stage still takes
/// only 8 × 2 + 1 × 8 + 16 bytes per value.
const MIN_STAGED: usize = 8;
/// Most trials staged per column (more gains little: a histogram window holds at most
/// a few thousand cache lines).
const MAX_STAGED: usize = 2048;

/// Stock paths waiting to be recorded into a [`SharedAggregate`]'s histograms and
/// moments.
///
/// Invariant: `staged + transpose <= capacity` between calls, so the recent paths
/// always fit in the columns, and a batch is recorded only when no path is waiting to
/// be transposed: `bounds` then covers exactly the staged values.
#[derive(Debug, Default)]
pub(crate) struct StockStage {
    /// Values per path (series × reporting days).
    width: usize,
    /// Reporting days per series (the columns of one series are consecutive).
    reports: usize,
    /// Trials a column holds.
    capacity: usize,
    /// Trials transposed at a time: a sixteenth of `capacity`, at most [`TRANSPOSE`], so
    /// that the recent values take at most a quarter of the columns' bytes.
    transpose: usize,
    /// Trials staged in the columns.
    staged: usize,
    /// Column `c` holds its bucket indices in `columns[c * capacity..][..staged]`.
    columns: Vec<u16>,
    /// The paths not yet transposed, trial after trial.
    recent: Vec<u64>,
    /// The smallest and largest value of each column staged (`(u64::MAX, 0)` when
    /// none).
    bounds: Vec<(u64, u64)>,
    /// The moments of one series' columns over one transposed batch.
    sums: Vec<Moments>,
    /// Moments of series that another thread held when their turn came (merged at the
    /// end of the transposition instead of waited for).
    pending: Vec<(usize, Vec<Moments>)>,
}

impl StockStage {
    /// A stage for paths of `width` values, `reports` per series, in about `bytes` of
    /// memory (its columns; the recent paths take up to a quarter of that more, and
    /// the bounds 16 bytes a column).
    pub(crate) fn new(width: usize, reports: usize, bytes: usize) -> StockStage {
        let capacity = (bytes / 2 / width.max(1)).clamp(MIN_STAGED, MAX_STAGED);
        StockStage {
            width,
            reports,
            capacity,
            transpose: (capacity / 16).clamp(1, TRANSPOSE),
            ..StockStage::default()
        }
    }

    /// Adds one trial's path (`width` values), recording into `aggregate` when full.
    pub(crate) fn push(&mut self, path: &[u64], aggregate: &SharedAggregate) {
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
    pub(crate) fn flush(&mut self, aggregate: &SharedAggregate) {
        self.transpose(aggregate);
        self.record(aggregate);
    }

    /// Moves the recent paths into the columns as bucket indices, widening each
    /// column's bounds and adding the batch's moments to `aggregate` series by series,
    /// then records the columns if another batch of recent paths would not fit.
    fn transpose(&mut self, aggregate: &SharedAggregate) {
        let (width, reports) = (self.width, self.reports.max(1));
        let n = self.recent.len() / width.max(1);
        if n == 0 {
            return;
        }
        debug_assert!(self.staged + n <= self.capacity);
        if self.columns.is_empty() {
            self.columns = vec![0; width * self.capacity];
            self.bounds = vec![(u64::MAX, 0); width];
        }
        let (staged, capacity) = (self.staged, self.capacity);
        let series = self.columns.chunks_exact_mut(capacity * reports);
        let bounds = self.bounds.chunks_exact_mut(reports);
        for (s, (columns, bounds)) in series.zip(bounds).enumerate() {
            self.sums.clear();
            for (k, (column, (lo, hi))) in
                columns.chunks_exact_mut(capacity).zip(bounds).enumerate()
            {
                let values = self.recent[s * reports + k..].iter().step_by(width);
                let mut m = BatchMoments::default();
                for (slot, &v) in column[staged..staged + n].iter_mut().zip(values) {
                    // Every bucket index is below 2^16 (`stats::BUCKET_COUNT`).
                    *slot = bucket_index(v) as u16;
                    (*lo, *hi) = ((*lo).min(v), (*hi).max(v));
                    m.add(v);
                }
                self.sums.push(m.finish());
            }
            // A series held by a thread recording its batch (a millisecond or more per
            // series) is merged at the end: waiting would make this thread follow the
            // recording one series by series.
            if !aggregate.try_merge_stock_moments(s, &self.sums) {
                self.pending.push((s, self.sums.clone()));
            }
        }
        for (s, sums) in self.pending.drain(..) {
            aggregate.merge_stock_moments(s, &sums);
        }
        self.staged += n;
        self.recent.clear();
        if self.staged + self.transpose > self.capacity {
            self.record(aggregate);
        }
    }

    fn record(&mut self, aggregate: &SharedAggregate) {
        if self.staged > 0 {
            debug_assert!(self.recent.is_empty());
            aggregate.add_stock_buckets(&self.columns, self.capacity, self.staged, &self.bounds);
            self.staged = 0;
            self.bounds.fill((u64::MAX, 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Staged as bucket indices, transposed (moments summed per batch) and recorded
    /// column by column, with the stage filling up and emptying several times and a
    /// partial batch at the end, the paths give exactly the aggregate of recording
    /// every value as it comes (values near 2^64 included: a batch's exact sums).
    #[test]
    fn staging_changes_nothing_in_the_aggregate() {
        let (series, reports) = (3, 5);
        let width = series * reports;
        let empty = crate::results::Aggregate::new(&[false, true, false], &[0, 2, 4, 6, 9], 10);
        let mut direct = empty.clone();
        let shared = SharedAggregate::new(empty);
        let mut stage = StockStage::new(width, reports, STAGE_BYTES);
        assert_eq!((stage.capacity, stage.transpose), (MAX_STAGED, TRANSPOSE));
        // However wide the path, the stage stays within its bytes and a quarter, or
        // 8 bucket indices and one value per path value.
        let wide = StockStage::new(1 << 20, 1 << 10, STAGE_BYTES);
        assert_eq!((wide.capacity, wide.transpose), (MIN_STAGED, 1));
        // The default scenario at daily reporting, one worker and two.
        let daily = StockStage::new(62_020, 1_772, STAGE_BYTES);
        assert_eq!((daily.capacity, daily.transpose), (135, 8));
        assert!(62_020 * (2 * daily.capacity + 8 * daily.transpose) <= STAGE_BYTES * 5 / 4);
        let half = StockStage::new(62_020, 1_772, STAGE_BYTES / 2);
        assert_eq!((half.capacity, half.transpose), (67, 4));
        let mut x: u64 = 12_345;
        let trials = 2 * MAX_STAGED + 3 * TRANSPOSE + 7;
        for _ in 0..trials {
            let path: Vec<u64> = (0..width)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // One value in 8 near 2^64, so a batch's Σx² wraps 128 bits.
                    if x.is_multiple_of(8) {
                        u64::MAX - (x >> 40)
                    } else {
                        (x >> 33) >> (x % 31)
                    }
                })
                .collect();
            for (c, &v) in path.iter().enumerate() {
                let agg = &mut direct.series[c / reports];
                agg.stock[c % reports].record(v);
                agg.stock_moments[c % reports].add(v);
            }
            stage.push(&path, &shared);
        }
        assert!(
            stage.staged > 0 && !stage.recent.is_empty(),
            "not all recorded before the flush"
        );
        stage.flush(&shared);
        let staged = shared.into_inner();
        assert_eq!(staged, direct);
        assert_eq!(staged.series[1].stock[4].count(), trials as u64);
    }
}
