//! The streaming summary of many trials: what every output table is computed from.
//!
//! An [`Aggregate`] holds, per (nation, item) series, integer accumulators only: a
//! log-linear histogram and exact moments of the end-of-day stock at each reporting
//! day, per-day depletion counts, per-period need, fire and shortage sums, and moments
//! of every per-trial total. Per nation group and item it counts members at their floor
//! ([`GroupAggregate`]); per fire ratio it keeps both sides' fire and the per-trial
//! ratio ([`RatioAggregate`]).
//!
//! Range: every count and sum here is exact for up to `2^32` trials (a run has at most
//! 10^9); the bound of each is given beside it, from the per-trial bounds of
//! [`crate::model::limits`] (stocks and totals below `2^63`, aid totals below `2^93`,
//! at most 36 525 days). Adding a trial costs O(series × reports) and no
//! allocation once the histograms have grown; memory does not depend on the number of
//! trials. Merging is integer addition, so any split of the trials into threads,
//! blocks or shards, merged in any order, gives the same aggregate — and the same bytes
//! in every output file. Aggregates serialize (JSON) for `drawdown merge`.

mod groups;
mod ratios;

pub use groups::{GroupAggregate, layout as group_layout};
pub use ratios::{RATIO_SCALE, RatioAggregate, layout as ratio_layout, scaled_ratio, unscaled};

use crate::model::{Model, SeriesOutcome, TrialOutcome};
use crate::stats::{LogHistogram, Moments, Proportion, RatioMoments, Scratch};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The merged summary of a set of trials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Trials added.
    pub trials: u64,
    /// The reporting days the per-report accumulators refer to.
    pub report_days: Vec<u32>,
    /// One summary per series, in scenario order.
    pub series: Vec<SeriesAggregate>,
    /// Per nation group and item, the number of members depleted by each reporting
    /// day (see [`GroupAggregate`]); empty when the scenario has no groups.
    pub groups: Vec<GroupAggregate>,
    /// Per fire ratio, both sides' fire by reporting period and over the horizon (see
    /// [`RatioAggregate`]); empty when the scenario has no fire ratios.
    #[serde(default)]
    pub ratios: Vec<RatioAggregate>,
}

/// The summary of one series across trials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesAggregate {
    /// End-of-day stock distribution at each reporting day (counts ≤ trials).
    pub stock: Vec<LogHistogram>,
    /// Exact moments of the end-of-day stock at each reporting day (values < 2^63).
    pub stock_moments: Vec<Moments>,
    /// Need met on the day over need, in each reporting period (x = met on the day,
    /// y = need arising in the period; both < 2^63 per trial).
    pub period_fill: Vec<RatioMoments>,
    /// Rounds fired in each reporting period, on time or late, summed over trials
    /// (each < 2^63, so the sum < 2^95).
    pub period_consumed: Vec<u128>,
    /// Trials with at least one shortage day in each reporting period.
    pub period_short: Vec<Proportion>,
    /// Shortage days in each reporting period, summed over trials (≤ 36 525 each, so
    /// the sum < 2^48).
    pub period_short_days: Vec<u64>,
    /// Whether a demand process draws on this series (period statistics kept only then).
    pub consumer: bool,
    /// Whether the series is a pass-through channel (no depletion reported).
    pub channel: bool,
    /// Number of trials whose depletion happened on each simulated day (≤ trials).
    pub depleted_on_day: Vec<u64>,
    /// Trials that depleted within the horizon.
    pub depleted: u64,
    /// Final stock distribution.
    pub final_stock: LogHistogram,
    /// Per-trial totals: final, min stock and flows.
    pub totals: Totals,
}

/// Exact moments of the per-trial totals of a series: every value below `2^63`, but aid
/// sent and received below `2^93` (see [`crate::model::limits`]); [`Moments`] is exact
/// for `2^32` values below `2^96`.
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
    /// Rounds fired, on time or late.
    pub consumed: Moments,
    /// Rounds needed.
    pub demanded: Moments,
    /// Need not met on the day it arose.
    pub unmet: Moments,
    /// New need held back by a rationing rule while stock was on hand (part of unmet).
    pub rationed: Moments,
    /// Backlog fired late.
    pub late_filled: Moments,
    /// Need still waiting at the end.
    pub final_backlog: Moments,
    /// Fill rate over the horizon: need met on the day / need.
    pub fill: RatioMoments,
    /// Shortage episodes.
    pub shortage_episodes: Moments,
    /// Shortage days (days ending with unmet need).
    pub shortage_days: Moments,
    /// Longest shortage episode.
    pub longest_shortage: Moments,
}

impl Aggregate {
    /// An empty aggregate for the series of `model`.
    pub fn for_model(model: &Model) -> Aggregate {
        let s = &model.scenario;
        let mut aggregate = Aggregate::new(&model.consumers, &model.report_days, s.days);
        for (agg, def) in aggregate.series.iter_mut().zip(&s.series) {
            agg.channel = def.channel;
        }
        let reports = model.report_days.len();
        aggregate.groups = groups::layout(s)
            .into_iter()
            .map(|(g, item, series)| GroupAggregate::new(g, item, series, reports))
            .collect();
        aggregate.ratios = ratios::layout(s)
            .into_iter()
            .map(|(r, num, den)| RatioAggregate::new(r, num, den, reports))
            .collect();
        aggregate
    }

    /// An empty aggregate for series flagged by `consumers` (whether each has demand),
    /// reporting on `report_days`, over `days` days.
    pub fn new(consumers: &[bool], report_days: &[u32], days: u32) -> Aggregate {
        let reports = report_days.len();
        let series = consumers
            .iter()
            .map(|&consumer| {
                let periods = if consumer { reports } else { 0 };
                SeriesAggregate {
                    stock: vec![LogHistogram::new(); reports],
                    stock_moments: vec![Moments::default(); reports],
                    period_fill: vec![RatioMoments::default(); periods],
                    period_consumed: vec![0; periods],
                    period_short: vec![Proportion::default(); periods],
                    period_short_days: vec![0; periods],
                    consumer,
                    depleted_on_day: vec![0; days as usize],
                    ..SeriesAggregate::default()
                }
            })
            .collect();
        Aggregate {
            trials: 0,
            report_days: report_days.to_vec(),
            series,
            groups: Vec::new(),
            ratios: Vec::new(),
        }
    }

    /// Adds everything of one trial except its stock path: the caller adds the path's
    /// moments ([`Aggregate::add_stock_moments`], or in batches
    /// [`SeriesAggregate::merge_stock_moments`]) and batches its histogram entries into
    /// [`SeriesAggregate::add_stock_buckets`] (the runner does so for every trial, series
    /// by series, through [`super::SharedAggregate`] and its stage of stock paths).
    pub fn add_flows(&mut self, outcome: &TrialOutcome) {
        self.trials += 1;
        let reports = self.reports();
        for (i, agg) in self.series.iter_mut().enumerate() {
            agg.add_flows(outcome, i, reports);
        }
        for g in &mut self.groups {
            g.add(&outcome.series, &self.report_days);
        }
        for r in &mut self.ratios {
            r.add(outcome);
        }
    }

    /// Adds one trial's stock path (value `c` for series `c / reports` at reporting day
    /// `c % reports`) to the exact stock moments.
    pub fn add_stock_moments(&mut self, path: &[u64]) {
        let reports = self.reports();
        for (agg, values) in self.series.iter_mut().zip(path.chunks(reports.max(1))) {
            agg.add_stock_moments(values);
        }
    }

    fn reports(&self) -> usize {
        self.report_days.len()
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
        assert_eq!(
            self.groups.len(),
            other.groups.len(),
            "aggregates of different scenarios"
        );
        assert_eq!(
            self.ratios.len(),
            other.ratios.len(),
            "aggregates of different scenarios"
        );
        self.trials += other.trials;
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            a.merge(b);
        }
        for (a, b) in self.ratios.iter_mut().zip(&other.ratios) {
            a.merge(b);
        }
        self.series
            .par_iter_mut()
            .zip(&other.series)
            .for_each(|(a, b)| a.merge(b));
    }
}

impl SeriesAggregate {
    /// Adds series `i`'s flows and totals of one trial (everything but its stock path);
    /// `reports` is the number of reporting days.
    pub fn add_flows(&mut self, outcome: &TrialOutcome, i: usize, reports: usize) {
        self.add_periods(outcome, i * reports..(i + 1) * reports);
        if let Some(out) = outcome.series.get(i) {
            self.add_totals(out);
        }
    }

    /// Adds one trial's stock at each reporting day to the exact stock moments.
    pub fn add_stock_moments(&mut self, values: &[u64]) {
        debug_assert_eq!(values.len(), self.stock_moments.len());
        for (m, &v) in self.stock_moments.iter_mut().zip(values) {
            m.add(v);
        }
    }

    /// Adds `batch[k]`, moments of stock values at reporting day `k`.
    pub fn merge_stock_moments(&mut self, batch: &[Moments]) {
        debug_assert_eq!(batch.len(), self.stock_moments.len());
        for (m, b) in self.stock_moments.iter_mut().zip(batch) {
            m.merge(b);
        }
    }

    /// Records this series' staged stock paths into its histograms: column `k`
    /// (reporting day `k`) holds the bucket indices ([`crate::stats::bucket_index`]) of
    /// `trials` trials' values at `columns[k * stride..]`, and `bounds[k]` their exact
    /// smallest and largest value. A whole column goes into its histogram at once, so
    /// the histogram stays in cache (see the runner's stage of stock paths). A
    /// histogram's counts stay dense while they take at most `dense_bytes` (see
    /// [`LogHistogram::record_buckets`]).
    pub fn add_stock_buckets(
        &mut self,
        columns: &[u16],
        stride: usize,
        trials: usize,
        bounds: &[(u64, u64)],
        dense_bytes: u64,
        scratch: &mut Scratch,
    ) {
        let columns = columns.chunks(stride.max(1));
        for ((h, column), &bounds) in self.stock.iter_mut().zip(columns).zip(bounds) {
            h.record_buckets(
                &column[..trials.min(column.len())],
                bounds,
                dense_bytes,
                scratch,
            );
        }
    }

    fn add_periods(&mut self, o: &TrialOutcome, range: std::ops::Range<usize>) {
        if !self.consumer {
            return;
        }
        let periods = o.demanded[range.clone()]
            .iter()
            .zip(&o.met[range.clone()])
            .zip(&o.consumed[range.clone()])
            .zip(&o.short_days[range]);
        for (k, (((&demanded, &met), &consumed), &short)) in periods.enumerate() {
            self.period_fill[k].add(met, demanded);
            self.period_consumed[k] += u128::from(consumed);
            self.period_short[k].add(short > 0);
            self.period_short_days[k] += short;
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
        t.received.add_wide(o.received);
        t.sent.add_wide(o.sent);
        t.consumed.add(o.consumed);
        t.demanded.add(o.demanded);
        t.unmet.add(o.unmet);
        t.rationed.add(o.rationed);
        t.late_filled.add(o.late_filled);
        t.final_backlog.add(o.final_backlog);
        t.fill.add(o.met_on_time(), o.demanded);
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
        for (a, b) in self.period_consumed.iter_mut().zip(&o.period_consumed) {
            *a += b;
        }
        for (a, b) in self.period_short.iter_mut().zip(&o.period_short) {
            a.merge(b);
        }
        for (a, b) in self.period_short_days.iter_mut().zip(&o.period_short_days) {
            *a += b;
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
        cumulative(&self.depleted_on_day)
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
            (&mut self.rationed, &o.rationed),
            (&mut self.late_filled, &o.late_filled),
            (&mut self.final_backlog, &o.final_backlog),
            (&mut self.shortage_episodes, &o.shortage_episodes),
            (&mut self.shortage_days, &o.shortage_days),
            (&mut self.longest_shortage, &o.longest_shortage),
        ] {
            a.merge(b);
        }
        self.fill.merge(&o.fill);
    }
}

/// Running totals of per-day counts: entry `d` counts everything on or before day `d`.
pub fn cumulative(per_day: &[u64]) -> Vec<u64> {
    let mut total = 0;
    per_day
        .iter()
        .map(|&n| {
            total += n;
            total
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest per-trial values the model's bounds allow (stocks and totals just
    /// under 2^63, aid totals just under 2^93, every day short), over 2^32 trials (by
    /// doubling merges, which add exactly what adding every trial would): nothing
    /// overflows and every mean is the value itself.
    #[test]
    fn worst_case_trials_at_the_largest_count_do_not_overflow() {
        let (big, aid) = ((1_u64 << 63) - 1, (1_u128 << 93) - 1);
        let days = 36_525_u32;
        let series = SeriesOutcome {
            initial: big,
            floor: big,
            depletion_day: Some(days - 1),
            min_stock: big,
            final_stock: big,
            produced: big,
            delivered: big,
            received: aid,
            sent: aid,
            consumed: big,
            demanded: big,
            unmet: big,
            late_filled: big,
            rationed: big,
            final_backlog: big,
            shortage_episodes: days / 2,
            shortage_days: days,
            longest_shortage: days,
        };
        let outcome = TrialOutcome {
            trial: 0,
            series: vec![series],
            stock: vec![big],
            demanded: vec![big],
            consumed: vec![big],
            met: vec![0],
            short_days: vec![u64::from(days)],
            inputs: Vec::new(),
        };
        let mut agg = Aggregate::new(&[true], &[days - 1], days);
        agg.add_flows(&outcome);
        agg.add_stock_moments(&[big]);
        let bucket = crate::stats::bucket_index(big) as u16;
        let mut scratch = Scratch::default();
        agg.series[0].add_stock_buckets(&[bucket], 1, 1, &[(big, big)], 0, &mut scratch);
        for _ in 0..32 {
            let copy = agg.clone();
            agg.merge(&copy);
        }
        let s = &agg.series[0];
        assert_eq!(agg.trials, 1 << 32);
        assert_eq!(s.depleted_on_day[days as usize - 1], 1 << 32);
        assert_eq!(s.stock_moments[0].mean(), big as f64);
        assert_eq!(s.totals.sent.mean(), aid as f64);
        assert_eq!(s.totals.received.variance(), 0.0);
        assert_eq!(s.totals.unmet.mean(), big as f64);
        assert_eq!(s.totals.shortage_days.mean(), f64::from(days));
        assert_eq!(s.totals.fill.ratio(), Some(0.0));
        assert_eq!(s.period_consumed[0], u128::from(big) << 32);
        assert_eq!(s.period_short_days[0], u64::from(days) << 32);
        assert_eq!(s.period_fill[0].ratio(), Some(0.0));
        assert_eq!(s.stock[0].count(), 1 << 32);
    }
}
