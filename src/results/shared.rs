//! The run's one aggregate, filled by many threads at once.
//!
//! A [`SharedAggregate`] holds an [`Aggregate`] split into independently locked parts:
//! one lock per series, one for the nation groups and one for the fire ratios. Worker
//! threads add each trial straight into it, series by series, and record their staged
//! stock histograms into it, so a worker holds no partial aggregate of its own: a run's
//! memory is one aggregate plus, per thread, a model workspace and a share of the stage
//! of stock paths. A thread adding a trial skips a series another thread holds and
//! comes back to it at the end, so it never queues behind a recording thread series
//! after series.
//!
//! Every accumulator is an integer count or sum, so the order in which threads add
//! trials changes nothing: the result is the same whatever the thread count, and equal
//! to adding every trial to one [`Aggregate`] in trial order (tested below).

use super::aggregate::{Aggregate, GroupAggregate, RatioAggregate, SeriesAggregate};
use crate::model::TrialOutcome;
use crate::stats::{Moments, Scratch};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// An [`Aggregate`] that several threads fill at once (see the module docs).
#[derive(Debug)]
pub struct SharedAggregate {
    /// Trials added.
    trials: AtomicU64,
    /// The reporting days (as in the aggregate).
    report_days: Vec<u32>,
    /// The series, each behind its own lock.
    series: Vec<Mutex<SeriesAggregate>>,
    /// The nation groups.
    groups: Mutex<Vec<GroupAggregate>>,
    /// The fire ratios.
    ratios: Mutex<Vec<RatioAggregate>>,
    /// The bytes of dense counts each stock histogram may keep (see
    /// [`DENSE_STOCK_BYTES`]).
    dense_stock: u64,
}

/// Bytes of dense counts the stock histograms of a run may take together: each
/// histogram (series × reporting day) keeps its counts in a dense array while that
/// takes at most its equal share, and beyond it in the smaller of a dense array and a
/// Rice code.
///
/// The Rice code takes half the bytes of a dense array or less, but every staged batch
/// of values decodes and rewrites it whole, where a dense array takes the batch in one
/// pass over its values: at 10 000 trials of the default scenario at `-j 2` (8 925
/// histograms at weekly reporting, about 1.8 KB each of this budget), Rice-coded
/// histograms took 16.4 s of CPU and dense ones 12.0 s (one run each). A share is
/// fixed by the run's shape, not its trials, and a dense array grows with the trials
/// only by widening its counts, so what the histograms take stays within this budget
/// plus what the Rice codes take: as flat in the number of trials as before.
pub(crate) const DENSE_STOCK_BYTES: u64 = 16 << 20;

/// The value of `m`, poisoned or not.
fn unpoison<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Locks `m`; a poisoned lock (a worker panicked) is used anyway: the run reports the
/// panic when it ends.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// As [`lock`], unless another thread holds `m`: then `None`, without waiting.
fn try_lock<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match m.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

impl SharedAggregate {
    /// Shares `aggregate` (usually empty: [`Aggregate::for_model`]).
    pub fn new(aggregate: Aggregate) -> SharedAggregate {
        let columns = aggregate.series.len() * aggregate.report_days.len();
        SharedAggregate {
            dense_stock: DENSE_STOCK_BYTES / columns.max(1) as u64,
            trials: AtomicU64::new(aggregate.trials),
            report_days: aggregate.report_days,
            series: aggregate.series.into_iter().map(Mutex::new).collect(),
            groups: Mutex::new(aggregate.groups),
            ratios: Mutex::new(aggregate.ratios),
        }
    }

    /// Adds one trial's flows and totals ([`Aggregate::add_flows`]); its stock path
    /// comes in batches, through [`SharedAggregate::merge_stock_moments`] and
    /// [`SharedAggregate::add_stock_buckets`].
    pub fn add_trial(&self, outcome: &TrialOutcome) {
        let reports = self.report_days.len();
        // A series that another thread holds (usually while it records a batch of
        // stock histograms, a millisecond or more per series) is left for a second pass
        // instead of waited for: waiting would make this thread follow the recording one
        // series by series to the end of its batch.
        let mut busy = Vec::new();
        for (i, series) in self.series.iter().enumerate() {
            match try_lock(series) {
                Some(mut s) => s.add_flows(outcome, i, reports),
                None => busy.push(i),
            }
        }
        for i in busy {
            lock(&self.series[i]).add_flows(outcome, i, reports);
        }
        for g in lock(&self.groups).iter_mut() {
            g.add(&outcome.series, &self.report_days);
        }
        for r in lock(&self.ratios).iter_mut() {
            r.add(outcome);
        }
        self.trials.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `batch[k]`, the moments of a batch of stock values of series `series` at
    /// reporting day `k` (see [`SeriesAggregate::merge_stock_moments`]).
    pub fn merge_stock_moments(&self, series: usize, batch: &[Moments]) {
        if let Some(s) = self.series.get(series) {
            lock(s).merge_stock_moments(batch);
        }
    }

    /// As [`merge_stock_moments`](Self::merge_stock_moments) if series `series` is not
    /// held by another thread; whether it was done (a poisoned lock is used anyway).
    pub fn try_merge_stock_moments(&self, series: usize, batch: &[Moments]) -> bool {
        let Some(s) = self.series.get(series) else {
            return true;
        };
        let Some(mut s) = try_lock(s) else {
            return false;
        };
        s.merge_stock_moments(batch);
        true
    }

    /// Records staged stock histogram entries, series by series: column `c` (series
    /// `c / reports`, reporting day `c % reports`) at `columns[c * stride..]`, bounds
    /// `bounds[c]` (see [`SeriesAggregate::add_stock_buckets`]).
    pub fn add_stock_buckets(
        &self,
        columns: &[u16],
        stride: usize,
        trials: usize,
        bounds: &[(u64, u64)],
    ) {
        let reports = self.report_days.len();
        let mut scratch = Scratch::default();
        for (i, series) in self.series.iter().enumerate() {
            let (columns, bounds) = series_columns(columns, stride, bounds, i, reports);
            lock(series).add_stock_buckets(
                columns,
                stride,
                trials,
                bounds,
                self.dense_stock,
                &mut scratch,
            );
        }
    }

    /// Trials added so far.
    pub fn trials(&self) -> u64 {
        self.trials.load(Ordering::Relaxed)
    }

    /// Series `i`'s trials depleted on or before each day so far; empty when there is
    /// no series `i`.
    pub fn cumulative_depleted(&self, i: usize) -> Vec<u64> {
        self.series
            .get(i)
            .map(|s| lock(s).cumulative_depleted())
            .unwrap_or_default()
    }

    /// The aggregate of everything added.
    pub fn into_inner(self) -> Aggregate {
        Aggregate {
            trials: self.trials.into_inner(),
            report_days: self.report_days,
            series: self.series.into_iter().map(unpoison).collect(),
            groups: unpoison(self.groups),
            ratios: unpoison(self.ratios),
        }
    }
}

/// Series `i`'s columns (of `reports` columns per series, `stride` apart) and bounds.
fn series_columns<'a>(
    columns: &'a [u16],
    stride: usize,
    bounds: &'a [(u64, u64)],
    i: usize,
    reports: usize,
) -> (&'a [u16], &'a [(u64, u64)]) {
    let first = (i * reports).min(bounds.len());
    let last = ((i + 1) * reports).min(bounds.len());
    let start = (first * stride).min(columns.len());
    let end = (last * stride).min(columns.len());
    (&columns[start..end], &bounds[first..last])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SeriesOutcome;
    use crate::stats::bucket_index;

    /// Each stock histogram's share of the dense budget is the budget over the number
    /// of histograms (series × reporting days).
    #[test]
    fn each_stock_histogram_has_an_equal_share_of_the_dense_budget() {
        let share = |series: usize, reports: u32| {
            let days: Vec<u32> = (0..reports).collect();
            SharedAggregate::new(Aggregate::new(&vec![false; series], &days, reports)).dense_stock
        };
        assert_eq!(DENSE_STOCK_BYTES, 16 << 20);
        assert_eq!(share(2, 8_192), 1_024);
        assert_eq!(
            share(35, 255),
            1_879,
            "the default scenario at weekly reporting"
        );
        assert_eq!(
            share(35, 1_772),
            270,
            "the default scenario at daily reporting"
        );
    }

    /// A trial of two series over three reporting days, from `x`.
    fn outcome(x: u64) -> TrialOutcome {
        let v = |k: u64| (x.wrapping_mul(2_654_435_761).wrapping_add(k * 977)) % 100_000;
        let series = |k: u64| SeriesOutcome {
            initial: v(k),
            final_stock: v(k + 1),
            min_stock: v(k + 2) / 2,
            demanded: v(k + 3),
            consumed: v(k + 4) / 3,
            depletion_day: (x % 3 == k).then_some((x % 10) as u32),
            ..SeriesOutcome::default()
        };
        TrialOutcome {
            trial: x,
            series: vec![series(0), series(1)],
            stock: (0..6).map(v).collect(),
            demanded: (10..16).map(v).collect(),
            consumed: (20..26).map(|k| v(k) / 2).collect(),
            met: (30..36).map(|k| v(k) / 3).collect(),
            short_days: (0..6).map(|k| (x + k) % 4).collect(),
            inputs: Vec::new(),
        }
    }

    /// Trials added from two threads at once, in no fixed order, with their stock
    /// histograms recorded in batches, give exactly the aggregate of adding every
    /// trial to one aggregate in trial order.
    #[test]
    fn threads_adding_at_once_equal_one_aggregate_in_order() {
        let empty = Aggregate::new(&[true, false], &[2, 5, 9], 10);
        let mut expected = empty.clone();
        let trials: Vec<TrialOutcome> = (0..400).map(outcome).collect();
        for t in &trials {
            expected.add_flows(t);
            expected.add_stock_moments(&t.stock);
            for (c, &v) in t.stock.iter().enumerate() {
                expected.series[c / 3].stock[c % 3].record(v);
            }
        }
        let shared = SharedAggregate::new(empty);
        std::thread::scope(|scope| {
            for half in trials.chunks(200) {
                let shared = &shared;
                scope.spawn(move || {
                    for batch in half.chunks(37) {
                        // Column-major bucket indices, bounds and moments of the batch.
                        let mut columns = vec![0_u16; 6 * batch.len()];
                        let mut bounds = vec![(u64::MAX, 0); 6];
                        let mut moments = vec![Moments::default(); 6];
                        for (k, t) in batch.iter().enumerate() {
                            shared.add_trial(t);
                            for (c, &v) in t.stock.iter().enumerate() {
                                columns[c * batch.len() + k] = bucket_index(v) as u16;
                                bounds[c] = (bounds[c].0.min(v), bounds[c].1.max(v));
                                moments[c].add(v);
                            }
                        }
                        shared.add_stock_buckets(&columns, batch.len(), batch.len(), &bounds);
                        shared.merge_stock_moments(0, &moments[..3]);
                        shared.merge_stock_moments(1, &moments[3..]);
                    }
                });
            }
        });
        assert_eq!(shared.trials(), 400);
        assert_eq!(
            shared.cumulative_depleted(0),
            expected.series[0].cumulative_depleted()
        );
        assert!(shared.cumulative_depleted(7).is_empty());
        assert_eq!(shared.into_inner(), expected);
    }

    /// A series held by another thread is not waited for: the merge says it was not
    /// done and changes nothing; once free, the same merge is done.
    #[test]
    fn a_held_series_is_skipped_not_waited_for() {
        let shared = SharedAggregate::new(Aggregate::new(&[true, false], &[2, 5, 9], 10));
        let mut batch = vec![Moments::default(); 3];
        batch[1].add(42);
        let held = lock(&shared.series[0]);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| shared.try_merge_stock_moments(0, &batch));
            assert!(!other.join().unwrap_or(true), "merged into a held series");
        });
        drop(held);
        assert!(shared.try_merge_stock_moments(0, &batch));
        assert!(
            shared.try_merge_stock_moments(7, &batch),
            "no such series: nothing to do"
        );
        assert_eq!(shared.into_inner().series[0].stock_moments, batch);
    }
}
