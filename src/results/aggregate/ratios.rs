//! Fire ratios: rounds fired by one set of nations over rounds fired by another, per
//! reporting period and over the whole horizon.
//!
//! **Fire** is what a demand actually fired, on time or late
//! ([`TrialOutcome::consumed`], the `consumed` of `shortfall.csv` and `trials.csv`),
//! summed over the ratio's nations and items. Per trial `t` and reporting period `k`,
//! `xₜ` is the numerator nations' fire and `yₜ` the denominator nations'. Two
//! estimates are kept:
//!
//! - the **ratio of means** `Σₜxₜ / Σₜyₜ` (undefined when no trial fired below the
//!   line), with its delta-method 95 % interval ([`RatioMoments`], as for the fill
//!   rate): what an analyst means by "Russia fires 3.4 times what Ukraine fires";
//! - the **distribution of the per-trial ratio** `xₜ / yₜ` over the trials where
//!   `yₜ > 0` (the others have no ratio and are only counted out): each such ratio is
//!   recorded as the integer `v = round(1000 · xₜ / yₜ)` (computed exactly in integers,
//!   halves rounded up, capped at `u64::MAX`) in a [`LogHistogram`].
//!
//! **Quantile error.** `v / 1000` is within `0.0005` of the per-trial ratio, and the
//! histogram reports a value within `1/1024` of the exact `v` at the quantile's rank
//! (exactly for `v < 1024`, i.e. ratios below 1.024, and exactly at the minimum and
//! maximum). A reported quantile `q̂` of a ratio whose exact sample quantile is `q` thus
//! satisfies `|q̂ − q| ≤ 0.0005 + (q + 0.0005) / 1024`: under 0.1 % of the value plus
//! half a thousandth.
//!
//! Every field is integer (sums in `u128`/256 bits, histogram counts), so merging is
//! exact and order-independent: threads, blocks and shards give the same bytes. Range:
//! a series fires below `2^63` rounds per trial (over the whole horizon, so over any
//! period too), and a side counts at most `10^4` nations × `10^4` items
//! ([`crate::scenario::limits::MAX_ENTRIES`] each), under `2^27` series, so each side's
//! per-trial fire is below `2^90`, within [`RatioMoments`]' range (`2^96`).

use crate::model::TrialOutcome;
use crate::scenario::Scenario;
use crate::stats::{LogHistogram, RatioMoments};
use serde::{Deserialize, Serialize};

/// The scale of the recorded per-trial ratio: thousandths.
pub const RATIO_SCALE: u128 = 1000;

/// The fire of one ratio's two sides, per reporting period and over the horizon.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioAggregate {
    /// The ratio (index into the scenario's fire ratios).
    pub ratio: usize,
    /// The series fired above the line (numerator nations × items, those with demand).
    pub numerator: Vec<usize>,
    /// The series fired below the line.
    pub denominator: Vec<usize>,
    /// Per reporting period, x = numerator fire and y = denominator fire of each trial.
    pub periods: Vec<RatioMoments>,
    /// Per reporting period, `round(1000 · x / y)` of each trial with `y > 0`.
    pub per_trial: Vec<LogHistogram>,
    /// The same two over the whole horizon (all periods together).
    pub horizon: RatioMoments,
    /// Per-trial ratio over the horizon, as in `per_trial`.
    pub horizon_per_trial: LogHistogram,
}

/// The (ratio, numerator series, denominator series) of every fire ratio in scenario
/// order: the series of its nations and items on which a demand draws.
pub fn layout(s: &Scenario) -> Vec<(usize, Vec<usize>, Vec<usize>)> {
    let fired: Vec<bool> = (0..s.series.len()).map(|i| s.draws_on(i)).collect();
    let pick = |nations: &[usize], items: &[usize]| -> Vec<usize> {
        (0..s.series.len())
            .filter(|&i| {
                let x = &s.series[i];
                fired[i] && nations.contains(&x.nation) && items.contains(&x.item)
            })
            .collect()
    };
    s.fire_ratios
        .iter()
        .enumerate()
        .map(|(r, f)| {
            (
                r,
                pick(&f.numerator, &f.items),
                pick(&f.denominator, &f.items),
            )
        })
        .collect()
}

/// `round(1000 · x / y)` for `y > 0`, halves up, exact in integers; capped at
/// `u64::MAX` (reached only when `x / y` exceeds 1.8·10^16).
pub fn scaled_ratio(x: u128, y: u128) -> u64 {
    debug_assert!(y > 0);
    // x, y < 2^90 (see the module docs), so 2000·x + y and 2·y fit u128.
    let v = (2 * RATIO_SCALE * x + y) / (2 * y);
    u64::try_from(v).unwrap_or(u64::MAX)
}

impl RatioAggregate {
    /// An empty entry for ratio `ratio` over the given series, with `reports` periods.
    pub fn new(
        ratio: usize,
        numerator: Vec<usize>,
        denominator: Vec<usize>,
        reports: usize,
    ) -> RatioAggregate {
        RatioAggregate {
            ratio,
            numerator,
            denominator,
            periods: vec![RatioMoments::default(); reports],
            per_trial: vec![LogHistogram::new(); reports],
            horizon: RatioMoments::default(),
            horizon_per_trial: LogHistogram::new(),
        }
    }

    /// Adds one trial (its per-period fire is `outcome.consumed`, `reports` per series).
    pub fn add(&mut self, outcome: &TrialOutcome) {
        let reports = self.periods.len();
        let fire = |series: &[usize], k: usize| -> u128 {
            series
                .iter()
                .filter_map(|&s| outcome.consumed.get(s * reports + k))
                .map(|&c| u128::from(c))
                .sum()
        };
        let (mut total_x, mut total_y) = (0, 0);
        for k in 0..reports {
            let (x, y) = (fire(&self.numerator, k), fire(&self.denominator, k));
            record(&mut self.periods[k], &mut self.per_trial[k], x, y);
            total_x += x;
            total_y += y;
        }
        record(
            &mut self.horizon,
            &mut self.horizon_per_trial,
            total_x,
            total_y,
        );
    }

    /// Merges `other` (exact).
    ///
    /// # Panics
    /// If the two describe different ratios, series or reporting periods.
    pub fn merge(&mut self, other: &RatioAggregate) {
        assert!(
            self.ratio == other.ratio
                && self.numerator == other.numerator
                && self.denominator == other.denominator
                && self.periods.len() == other.periods.len()
                && self.per_trial.len() == other.per_trial.len(),
            "fire ratio aggregates of different scenarios"
        );
        for (a, b) in self.periods.iter_mut().zip(&other.periods) {
            a.merge(b);
        }
        for (a, b) in self.per_trial.iter_mut().zip(&other.per_trial) {
            a.merge(b);
        }
        self.horizon.merge(&other.horizon);
        self.horizon_per_trial.merge(&other.horizon_per_trial);
    }
}

/// The per-trial ratio as a number: a recorded value `v` over [`RATIO_SCALE`].
pub fn unscaled(v: u64) -> f64 {
    v as f64 / RATIO_SCALE as f64
}

fn record(m: &mut RatioMoments, h: &mut LogHistogram, x: u128, y: u128) {
    m.add_wide(x, y);
    if y > 0 {
        h.record(scaled_ratio(x, y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One trial with two series and two reporting periods: fire `[a0, a1]` and
    /// `[b0, b1]`.
    fn trial(a: [u64; 2], b: [u64; 2]) -> TrialOutcome {
        TrialOutcome {
            consumed: vec![a[0], a[1], b[0], b[1]],
            ..TrialOutcome::default()
        }
    }

    #[test]
    fn rounds_the_scaled_ratio_half_up_exactly() {
        assert_eq!(scaled_ratio(3000, 1000), 3000);
        assert_eq!(scaled_ratio(1, 3), 333);
        assert_eq!(scaled_ratio(2, 3), 667);
        assert_eq!(scaled_ratio(1, 2000), 1); // 0.5 thousandths, half up
        assert_eq!(scaled_ratio(1, 2001), 0);
        assert_eq!(scaled_ratio(u128::from(u64::MAX), 1), u64::MAX);
    }

    #[test]
    fn sums_each_side_per_period_and_over_the_horizon() {
        let mut r = RatioAggregate::new(0, vec![0], vec![1], 2);
        r.add(&trial([300, 600], [100, 0]));
        r.add(&trial([100, 50], [100, 50]));
        assert_eq!((r.periods[0].sum_x, r.periods[0].sum_y), (400, 200));
        assert_eq!(r.periods[0].ratio(), Some(2.0));
        assert_eq!((r.periods[1].sum_x, r.periods[1].sum_y), (650, 50));
        // Period 1 of the first trial has no denominator fire: no per-trial ratio.
        assert_eq!(r.per_trial[1].count(), 1);
        assert_eq!(r.per_trial[1].quantile(0.5), Some(1000));
        assert_eq!(r.per_trial[0].min(), Some(1000));
        assert_eq!(r.per_trial[0].max(), Some(3000));
        assert_eq!((r.horizon.sum_x, r.horizon.sum_y), (1050, 250));
        assert_eq!(r.horizon_per_trial.min(), Some(1000));
        assert_eq!(r.horizon_per_trial.max(), Some(9000));
    }

    #[test]
    fn merging_in_any_order_equals_adding_every_trial() {
        let trials: Vec<TrialOutcome> = (0..40_u64)
            .map(|t| trial([t * 37 % 11, 5 + t], [t % 3, t * 7 % 5]))
            .collect();
        let mut whole = RatioAggregate::new(0, vec![0], vec![1], 2);
        trials.iter().for_each(|t| whole.add(t));
        let mut parts: Vec<RatioAggregate> = trials
            .chunks(7)
            .map(|c| {
                let mut a = RatioAggregate::new(0, vec![0], vec![1], 2);
                c.iter().for_each(|t| a.add(t));
                a
            })
            .collect();
        parts.reverse();
        let mut merged = RatioAggregate::new(0, vec![0], vec![1], 2);
        for p in &parts {
            merged.merge(p);
        }
        assert_eq!(merged, whole);
        assert_eq!(
            serde_json::to_string(&merged).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
    }

    /// The stated error, against the exact sample quantile of the per-trial ratios
    /// (same rank rule as the histogram: the `max(1, ⌈q·n⌉)`-th smallest).
    #[test]
    fn per_trial_quantiles_are_within_the_stated_error() {
        let mut r = RatioAggregate::new(0, vec![0], vec![1], 1);
        let mut exact = Vec::new();
        let mut state = 12_345_u64;
        for _ in 0..5000 {
            // A small linear congruential generator: spread ratios from 0 to ~10^4.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let x = (state >> 33) % 3_000_000;
            let y = 1 + (state >> 11) % 40_000;
            r.add(&TrialOutcome {
                consumed: vec![x, y],
                ..TrialOutcome::default()
            });
            exact.push(x as f64 / y as f64);
        }
        exact.sort_by(f64::total_cmp);
        let n = exact.len() as f64;
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let truth = exact[((q * n).ceil() as usize).max(1) - 1];
            let got = unscaled(r.per_trial[0].quantile(q).unwrap());
            let bound = 0.0005 + (truth + 0.0005) / 1024.0;
            assert!((got - truth).abs() <= bound, "q={q}: {got} vs {truth}");
        }
    }

    #[test]
    #[should_panic(expected = "different scenarios")]
    fn refuses_to_merge_different_ratios() {
        let mut a = RatioAggregate::new(0, vec![0], vec![1], 2);
        a.merge(&RatioAggregate::new(1, vec![0], vec![1], 2));
    }
}
