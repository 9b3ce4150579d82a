//! The streaming summary of many trials: what every output table is computed from.
//!
//! An [`Aggregate`] holds, per (nation, item) series, integer accumulators only: a
//! log-linear histogram and exact moments of the end-of-day stock at each reporting
//! day, per-day depletion counts, per-period demand and consumption sums, and moments
//! of every per-trial total. Adding a trial costs O(series × reports) and no
//! allocation once the histograms have grown; memory does not depend on the number of
//! trials. Merging is integer addition, so any split of the trials into threads,
//! blocks or shards, merged in any order, gives the same aggregate — and the same bytes
//! in every output file. Aggregates serialize (JSON) for `drawdown merge`.

use crate::model::{Model, SeriesOutcome, TrialOutcome};
use crate::stats::{LogHistogram, Moments, Proportion, RatioMoments};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The merged summary of a set of trials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Trials added.
    pub trials: u64,
    /// One summary per series, in scenario order.
    pub series: Vec<SeriesAggregate>,
}

/// The summary of one series across trials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesAggregate {
    /// End-of-day stock distribution at each reporting day.
    pub stock: Vec<LogHistogram>,
    /// Exact moments of the end-of-day stock at each reporting day.
    pub stock_moments: Vec<Moments>,
    /// Consumption over demand in each reporting period (x = consumed, y = demanded).
    pub period_fill: Vec<RatioMoments>,
    /// Trials with demand not fully met in each reporting period.
    pub period_short: Vec<Proportion>,
    /// Whether a demand process draws on this series (period statistics kept only then).
    pub consumer: bool,
    /// Number of trials whose depletion happened on each simulated day.
    pub depleted_on_day: Vec<u64>,
    /// Trials that depleted within the horizon.
    pub depleted: u64,
    /// Final stock distribution.
    pub final_stock: LogHistogram,
    /// Per-trial totals: final, min stock and flows.
    pub totals: Totals,
}

/// Exact moments of the per-trial totals of a series.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Initial stock.
    pub initial: Moments,
    /// Final stock.
    pub final_stock: Moments,
    /// Lowest end-of-day stock.
    pub min_stock: Moments,
    /// Own production kept.
    pub produced: Moments,
    /// Order deliveries.
    pub delivered: Moments,
    /// Aid received.
    pub received: Moments,
    /// Aid sent.
    pub sent: Moments,
    /// Rounds fired.
    pub consumed: Moments,
    /// Rounds demanded.
    pub demanded: Moments,
    /// Unmet demand.
    pub unmet: Moments,
    /// Fill rate over the horizon: consumed / demanded.
    pub fill: RatioMoments,
    /// Shortage episodes.
    pub shortage_episodes: Moments,
    /// Days with unmet demand.
    pub shortage_days: Moments,
    /// Longest shortage episode.
    pub longest_shortage: Moments,
}

impl Aggregate {
    /// An empty aggregate for the series of `model`.
    pub fn for_model(model: &Model) -> Aggregate {
        let s = &model.scenario;
        let consumers: Vec<bool> = (0..s.series.len())
            .map(|i| s.demand.iter().any(|d| d.series == i))
            .collect();
        Aggregate::new(&consumers, model.report_days.len(), s.days)
    }

    /// An empty aggregate for series flagged by `consumers` (whether each has demand),
    /// `reports` reporting days and `days` days.
    pub fn new(consumers: &[bool], reports: usize, days: u32) -> Aggregate {
        let series = consumers
            .iter()
            .map(|&consumer| {
                let periods = if consumer { reports } else { 0 };
                SeriesAggregate {
                    stock: vec![LogHistogram::new(); reports],
                    stock_moments: vec![Moments::default(); reports],
                    period_fill: vec![RatioMoments::default(); periods],
                    period_short: vec![Proportion::default(); periods],
                    consumer,
                    depleted_on_day: vec![0; days as usize],
                    ..SeriesAggregate::default()
                }
            })
            .collect();
        Aggregate { trials: 0, series }
    }

    /// Adds everything of one trial except its stock path, which the caller batches
    /// into [`Aggregate::add_stock_columns`] (the runner does both for every trial).
    pub fn add_flows(&mut self, outcome: &TrialOutcome) {
        self.trials += 1;
        let reports = self.reports();
        for (i, (agg, out)) in self.series.iter_mut().zip(&outcome.series).enumerate() {
            let range = i * reports..(i + 1) * reports;
            agg.add_periods(&outcome.consumed[range.clone()], &outcome.demanded[range]);
            agg.add_totals(out);
        }
    }

    /// Records staged stock paths: column `c` (series `c / reports`, reporting day
    /// `c % reports`) holds the values of `trials` trials at `columns[c * stride..]`.
    /// A whole column goes into its histogram at once, so the histogram stays in cache
    /// (see [`super::stage`]).
    pub fn add_stock_columns(&mut self, columns: &[u64], stride: usize, trials: usize) {
        let reports = self.reports();
        let mut chunks = columns.chunks(stride.max(1));
        for agg in &mut self.series {
            for (h, m) in agg.stock.iter_mut().zip(&mut agg.stock_moments) {
                let Some(column) = chunks.next() else { return };
                for &v in &column[..trials.min(column.len())] {
                    h.record(v);
                    m.add(v);
                }
            }
        }
        debug_assert!(reports == 0 || chunks.next().is_none());
    }

    fn reports(&self) -> usize {
        self.series.first().map_or(0, |s| s.stock.len())
    }

    /// Merges `other` into `self` (exact; order-independent), series by series in
    /// parallel on the current rayon pool.
    ///
    /// # Panics
    /// If the two were built for different shapes (series, reports or days).
    pub fn merge(&mut self, other: &Aggregate) {
        assert_eq!(
            self.series.len(),
            other.series.len(),
            "aggregates of different scenarios"
        );
        self.trials += other.trials;
        self.series
            .par_iter_mut()
            .zip(&other.series)
            .for_each(|(a, b)| a.merge(b));
    }
}

impl SeriesAggregate {
    fn add_periods(&mut self, consumed: &[u64], demanded: &[u64]) {
        if !self.consumer {
            return;
        }
        for (k, (&c, &d)) in consumed.iter().zip(demanded).enumerate() {
            self.period_fill[k].add(c, d);
            self.period_short[k].add(c < d);
        }
    }

    fn add_totals(&mut self, o: &SeriesOutcome) {
        if let Some(day) = o.depletion_day {
            if let Some(slot) = self.depleted_on_day.get_mut(day as usize) {
                *slot += 1;
            }
            self.depleted += 1;
        }
        self.final_stock.record(o.final_stock);
        let t = &mut self.totals;
        t.initial.add(o.initial);
        t.final_stock.add(o.final_stock);
        t.min_stock.add(o.min_stock);
        t.produced.add(o.produced);
        t.delivered.add(o.delivered);
        t.received.add(o.received);
        t.sent.add(o.sent);
        t.consumed.add(o.consumed);
        t.demanded.add(o.demanded);
        t.unmet.add(o.unmet);
        t.fill.add(o.consumed, o.demanded);
        t.shortage_episodes.add(u64::from(o.shortage_episodes));
        t.shortage_days.add(u64::from(o.shortage_days));
        t.longest_shortage.add(u64::from(o.longest_shortage));
    }

    fn merge(&mut self, o: &SeriesAggregate) {
        assert_eq!(
            self.stock.len(),
            o.stock.len(),
            "aggregates with different reporting days"
        );
        assert_eq!(
            self.depleted_on_day.len(),
            o.depleted_on_day.len(),
            "aggregates with different horizons"
        );
        for (a, b) in self.stock.iter_mut().zip(&o.stock) {
            a.merge(b);
        }
        for (a, b) in self.stock_moments.iter_mut().zip(&o.stock_moments) {
            a.merge(b);
        }
        for (a, b) in self.period_fill.iter_mut().zip(&o.period_fill) {
            a.merge(b);
        }
        for (a, b) in self.period_short.iter_mut().zip(&o.period_short) {
            a.merge(b);
        }
        for (a, b) in self.depleted_on_day.iter_mut().zip(&o.depleted_on_day) {
            *a += b;
        }
        self.depleted += o.depleted;
        self.final_stock.merge(&o.final_stock);
        self.totals.merge(&o.totals);
    }

    /// Trials depleted on or before each day (cumulative counts).
    pub fn cumulative_depleted(&self) -> Vec<u64> {
        let mut total = 0;
        self.depleted_on_day
            .iter()
            .map(|&n| {
                total += n;
                total
            })
            .collect()
    }

    /// The exact depletion day at 1-based `rank` among all trials, counting trials that
    /// never depleted as later than the horizon; `None` when rank exceeds the depleted.
    pub fn depletion_day_at_rank(&self, rank: u64) -> Option<u32> {
        let mut total = 0;
        for (day, &n) in self.depleted_on_day.iter().enumerate() {
            total += n;
            if total >= rank.max(1) {
                return Some(day as u32);
            }
        }
        None
    }

    /// Whether a demand process draws on this series (a front-line consumer).
    pub fn has_demand(&self) -> bool {
        self.consumer
    }
}

impl Totals {
    fn merge(&mut self, o: &Totals) {
        for (a, b) in [
            (&mut self.initial, &o.initial),
            (&mut self.final_stock, &o.final_stock),
            (&mut self.min_stock, &o.min_stock),
            (&mut self.produced, &o.produced),
            (&mut self.delivered, &o.delivered),
            (&mut self.received, &o.received),
            (&mut self.sent, &o.sent),
            (&mut self.consumed, &o.consumed),
            (&mut self.demanded, &o.demanded),
            (&mut self.unmet, &o.unmet),
            (&mut self.shortage_episodes, &o.shortage_episodes),
            (&mut self.shortage_days, &o.shortage_days),
            (&mut self.longest_shortage, &o.longest_shortage),
        ] {
            a.merge(b);
        }
        self.fill.merge(&o.fill);
    }
}
