//! Exact integer moments: counts, sums and sums of squares of non-negative integer
//! observations, such as per-trial stocks or totals.
//!
//! Accumulation and [`merge`](Moments::merge) use integer addition only, which is
//! associative and commutative, so any split of the trials across threads, blocks or
//! shards, merged in any order, gives identical fields. Floating point appears only when
//! an estimate is reported, computed from those exact integers, so the reported numbers
//! are identical too. [`Moments::variance`] evaluates `n·Σx² − (Σx)²` exactly in 256-bit
//! integer arithmetic before the single conversion to `f64`, so it does not suffer the
//! catastrophic cancellation of the textbook one-pass formula.
//!
//! # Range (why nothing overflows)
//!
//! The accumulators are sized for at most [`MAX_OBSERVATIONS`] `= 2^32` observations
//! (runs are validated to at most 10^9 < 2^30 trials), each below
//! [`MAX_OBSERVATION`] `= 2^96` (the model's per-trial totals stay below `2^93`, see
//! `crate::model::limits`):
//!
//! - `n` counts observations: `n ≤ 2^32` fits `u64`;
//! - `Σx < 2^32 · 2^96 = 2^128` fits `u128`;
//! - `Σx² < 2^32 · 2^192 = 2^224` fits the 256-bit [`U256`];
//! - the variance numerator's terms `n·Σx² < 2^32 · 2^224` and `(Σx)² < 2^256` fit
//!   [`U256`] too.
//!
//! Beyond that range (never reached by a validated run) the accumulators panic rather
//! than wrap: a wrong number is worse than no number.

use serde::{Deserialize, Serialize};

use super::ci::{Interval, Z95, wilson};
use super::wide::U256;

/// Most observations an accumulator is sized for (`2^32`; a run has at most 10^9 trials).
pub const MAX_OBSERVATIONS: u64 = 1 << 32;

/// Observations must be below this (`2^96`) for the sums to be exact up to
/// [`MAX_OBSERVATIONS`] observations.
pub const MAX_OBSERVATION: u128 = 1 << 96;

/// Count, sum and sum of squares of non-negative integer observations, kept exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of observations: at most `2^32` (module docs), so `u64` is ample.
    pub n: u64,
    /// Σx: below `2^32 · 2^96 = 2^128`, so `u128` holds it.
    pub sum: u128,
    /// Σx²: below `2^32 · 2^192 = 2^224`, so 256 bits hold it.
    pub sum_sq: U256,
}

impl Moments {
    /// Adds one observation.
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
    #[inline]
    pub fn add(&mut self, x: u64) {
        // x² < 2^128: one multiplication, where `add_wide` needs the 256-bit product.
        let x = u128::from(x);
        self.n = checked(self.n.checked_add(1));
        self.sum = checked(self.sum.checked_add(x));
        self.sum_sq = checked(self.sum_sq.checked_add(U256::from_u128(x * x)));
    }

    /// Adds one observation given as `u128` (below [`MAX_OBSERVATION`] for the
    /// documented range).
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
    #[inline]
    pub fn add_wide(&mut self, x: u128) {
        self.n = checked(self.n.checked_add(1));
        self.sum = checked(self.sum.checked_add(x));
        self.sum_sq = checked(self.sum_sq.checked_add(U256::square(x)));
    }

    /// Adds every observation of `other`; exact, so the order of merges is irrelevant.
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
    pub fn merge(&mut self, other: &Moments) {
        self.n = checked(self.n.checked_add(other.n));
        self.sum = checked(self.sum.checked_add(other.sum));
        self.sum_sq = checked(self.sum_sq.checked_add(other.sum_sq));
    }

    /// The sample mean `Σx / n`; `0` when there are no observations.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        self.sum as f64 / self.n as f64
    }

    /// The sample variance `(n·Σx² − (Σx)²) / (n(n−1))`, with the numerator computed
    /// exactly in integers; `0` when there are fewer than two observations.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        // n·Σx² ≥ (Σx)² by the Cauchy–Schwarz inequality, so the difference is ≥ 0.
        let numerator = checked(self.sum_sq.checked_mul_u64(self.n))
            .checked_sub(U256::square(self.sum))
            .unwrap_or(U256::ZERO);
        numerator.to_f64() / (self.n as f64 * (self.n - 1) as f64)
    }

    /// The standard error of the mean, `sqrt(variance / n)`; `0` when `n < 2`.
    pub fn std_error(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        (self.variance() / self.n as f64).sqrt()
    }

    /// The normal-theory 95 % interval `mean ± Z95·se`, with the lower bound clamped at
    /// 0 because the observations are non-negative. A single point when `n < 2`.
    pub fn ci95(&self) -> Interval {
        let iv = self.ci95_unclamped();
        Interval {
            low: iv.low.max(0.0),
            high: iv.high,
        }
    }

    /// The normal-theory 95 % interval `mean ± Z95·se`, without clamping.
    pub fn ci95_unclamped(&self) -> Interval {
        let (mean, half) = (self.mean(), Z95 * self.std_error());
        Interval {
            low: mean - half,
            high: mean + half,
        }
    }
}

impl Extend<u64> for Moments {
    fn extend<I: IntoIterator<Item = u64>>(&mut self, iter: I) {
        iter.into_iter().for_each(|x| self.add(x));
    }
}

impl FromIterator<u64> for Moments {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        let mut m = Moments::default();
        m.extend(iter);
        m
    }
}

/// An exact count of successes among trials, e.g. trials depleted by a given day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    /// Number of successes (at most `n`).
    pub successes: u64,
    /// Number of trials: at most `2^32` (module docs), far inside `u64`.
    pub n: u64,
}

impl Proportion {
    /// Adds one trial, a success when `success` is true.
    pub fn add(&mut self, success: bool) {
        self.successes += u64::from(success);
        self.n += 1;
    }

    /// Adds the trials of `other`; exact, so the order of merges is irrelevant.
    pub fn merge(&mut self, other: &Proportion) {
        self.successes += other.successes;
        self.n += other.n;
    }

    /// The estimate `successes / n`; `0` when there are no trials.
    pub fn estimate(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        self.successes as f64 / self.n as f64
    }

    /// The 95 % Wilson score interval; `[0, 1]` when there are no trials.
    pub fn ci95(&self) -> Interval {
        wilson(self.successes, self.n)
    }
}

/// The value of a checked sum; a panic instead of a wrapped (wrong) number.
pub(crate) fn checked<T>(sum: Option<T>) -> T {
    match sum {
        Some(s) => s,
        None => panic!("stats accumulator overflow: a sum exceeds its integer range"),
    }
}

/// The [`Moments`] of a batch of `u64` observations, built with plain 128-bit adds: `Σx`
/// of fewer than 2^64 values below 2^64 fits `u128`, and `Σx²` is kept as its low 128
/// bits and the number of times they wrapped. No checked 256-bit add per value, as
/// [`Moments::add`] needs for any observation up to 2^96; the result is the same.
#[derive(Clone, Copy, Debug, Default)]
pub struct BatchMoments {
    n: u64,
    sum: u128,
    low_sq: u128,
    wraps: u128,
}

impl BatchMoments {
    /// Adds one observation.
    #[inline]
    pub fn add(&mut self, v: u64) {
        let x = u128::from(v);
        self.n += 1;
        self.sum += x;
        let (low, wrapped) = self.low_sq.overflowing_add(x * x);
        self.low_sq = low;
        self.wraps += u128::from(wrapped);
    }

    /// The batch's moments, exactly those of adding each value to a [`Moments`].
    pub fn finish(self) -> Moments {
        Moments {
            n: self.n,
            sum: self.sum,
            sum_sq: U256 {
                hi: self.wraps,
                lo: self.low_sq,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch's moments equal adding its values one by one, for values near 2^64
    /// (whose squares wrap 128 bits) and small ones.
    #[test]
    fn batch_moments_equal_adding_each_value() {
        let mut x: u64 = 7;
        let (mut batch, mut each) = (BatchMoments::default(), Moments::default());
        for k in 0..1000u64 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let v = if k.is_multiple_of(3) {
                u64::MAX - (x >> 40)
            } else {
                x >> 20
            };
            batch.add(v);
            each.add(v);
        }
        assert!(each.sum_sq.hi > 0, "squares wrapped 128 bits");
        assert_eq!(batch.finish(), each);
    }

    #[test]
    fn empty_and_single_observations_are_not_nan() {
        let mut m = Moments::default();
        assert_eq!((m.mean(), m.variance(), m.std_error()), (0.0, 0.0, 0.0));
        m.add(7);
        assert_eq!(
            m.ci95(),
            Interval {
                low: 7.0,
                high: 7.0
            }
        );
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn a_sum_beyond_its_range_panics_instead_of_wrapping() {
        let mut m = Moments::default();
        m.add_wide(1 << 127);
        m.add_wide(1 << 127);
    }

    /// The largest u64 values, a million times: Σx² ≈ 2^134 (beyond u128) stays exact.
    /// The one-multiplication `add` of a `u64` gives the sums of the 256-bit `add_wide`,
    /// for the extremes and values in between.
    #[test]
    fn adding_a_u64_equals_adding_it_wide() {
        let (mut narrow, mut wide) = (Moments::default(), Moments::default());
        let mut x: u64 = 3;
        for v in [0, 1, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 32) + 1]
            .into_iter()
            .chain((0..1000).map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                x >> (x % 64)
            }))
        {
            narrow.add(v);
            wide.add_wide(u128::from(v));
            assert_eq!(narrow, wide, "after {v}");
        }
    }

    #[test]
    fn a_million_largest_u64_values_keep_an_exact_mean() {
        let mut m = Moments::default();
        for _ in 0..1_000_000 {
            m.add(u64::MAX);
        }
        assert_eq!(m.sum, 1_000_000 * u128::from(u64::MAX));
        let square = U256::square(u64::MAX.into());
        assert_eq!(Some(m.sum_sq), square.checked_mul_u64(1_000_000));
        assert_eq!(m.mean(), u64::MAX as f64);
        assert_eq!(m.variance(), 0.0);
    }

    /// The worst case of the range: `2^32` observations of `2^96 − 1` (built by doubling
    /// merges, which add the same sums as adding every value), half of them 0 in a second
    /// accumulator so that the variance numerator reaches `2^255`.
    #[test]
    fn the_largest_observations_at_the_largest_count_do_not_overflow() {
        let top = MAX_OBSERVATION - 1;
        let mut m = Moments::default();
        m.add_wide(top);
        for _ in 0..32 {
            let copy = m.clone();
            m.merge(&copy);
        }
        assert_eq!(m.n, MAX_OBSERVATIONS);
        assert_eq!(m.sum, u128::from(MAX_OBSERVATIONS) * top);
        assert_eq!(m.mean(), top as f64);
        assert_eq!(m.variance(), 0.0);
        let mut half = Moments::default();
        half.add_wide(top);
        half.add(0);
        for _ in 0..31 {
            let copy = half.clone();
            half.merge(&copy);
        }
        assert_eq!(half.n, MAX_OBSERVATIONS);
        assert_eq!(half.mean(), top as f64 / 2.0);
        // Half 0, half `top`: variance = top²/4 · n/(n−1).
        let n = MAX_OBSERVATIONS as f64;
        let exact = (top as f64).powi(2) / 4.0 * n / (n - 1.0);
        assert!((half.variance() - exact).abs() <= 1e-12 * exact);
    }

    #[test]
    fn proportion_uses_wilson() {
        let mut p = Proportion::default();
        [true, false, false, true]
            .into_iter()
            .for_each(|s| p.add(s));
        assert_eq!(p.estimate(), 0.5);
        assert_eq!(p.ci95(), wilson(2, 4));
    }
}
