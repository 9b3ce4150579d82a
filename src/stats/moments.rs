//! Exact integer moments: counts, sums and sums of squares (and cross products) of
//! non-negative integer observations, such as per-trial stocks or totals.
//!
//! Accumulation and [`merge`](Moments::merge) use integer addition only, which is
//! associative and commutative, so any split of the trials across threads, blocks or
//! shards, merged in any order, gives identical fields. Floating point appears only when
//! an estimate is reported, computed from those exact integers, so the reported numbers
//! are identical too. [`Moments::variance`] evaluates `n·Σx² − (Σx)²` exactly in 256-bit
//! integer arithmetic before the single conversion to `f64`, so it does not suffer the
//! catastrophic cancellation of the textbook one-pass formula.
//!
//! Range: the `u128` sums are exact while `Σx² < 2^128`, e.g. for up to `2^64` values
//! below `2^32`, or `2^48` values below `2^40`; beyond that the accumulators panic
//! rather than wrap.
//!
//! The ratio estimator and its delta-method (linearisation) variance follow
//! W. G. Cochran (1977), *Sampling Techniques*, 3rd ed., §6.2–6.4.

use serde::{Deserialize, Serialize};

use super::ci::{Interval, Z95, wilson};

/// Count, sum and sum of squares of `u64` observations, kept exactly in integers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of observations.
    pub n: u64,
    /// Σx.
    pub sum: u128,
    /// Σx².
    pub sum_sq: u128,
}

impl Moments {
    /// Adds one observation.
    ///
    /// # Panics
    ///
    /// If a sum overflows `u128` (see the module docs for the range).
    pub fn add(&mut self, x: u64) {
        let x = u128::from(x);
        self.n = checked(self.n.checked_add(1));
        self.sum = checked(self.sum.checked_add(x));
        self.sum_sq = checked(self.sum_sq.checked_add(x * x));
    }

    /// Adds every observation of `other`; exact, so the order of merges is irrelevant.
    ///
    /// # Panics
    ///
    /// If a sum overflows `u128`.
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
        let n = u128::from(self.n);
        let numerator = wide_sub(wide_mul(n, self.sum_sq), wide_mul(self.sum, self.sum));
        wide_to_f64(numerator) / (self.n as f64 * (self.n - 1) as f64)
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

/// Exact sums for the ratio `R = Σx / Σy` of two per-trial totals, e.g. the fill rate
/// `Σ consumed / Σ demanded`, and its delta-method interval.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioMoments {
    /// Number of (x, y) pairs.
    pub n: u64,
    /// Σx.
    pub sum_x: u128,
    /// Σy.
    pub sum_y: u128,
    /// Σx².
    pub sum_xx: u128,
    /// Σy².
    pub sum_yy: u128,
    /// Σxy.
    pub sum_xy: u128,
}

impl RatioMoments {
    /// Adds one (numerator, denominator) pair.
    ///
    /// # Panics
    ///
    /// If a sum overflows `u128`.
    pub fn add(&mut self, x: u64, y: u64) {
        let (x, y) = (u128::from(x), u128::from(y));
        self.n = checked(self.n.checked_add(1));
        self.sum_x = checked(self.sum_x.checked_add(x));
        self.sum_y = checked(self.sum_y.checked_add(y));
        self.sum_xx = checked(self.sum_xx.checked_add(x * x));
        self.sum_yy = checked(self.sum_yy.checked_add(y * y));
        self.sum_xy = checked(self.sum_xy.checked_add(x * y));
    }

    /// Adds every pair of `other`; exact, so the order of merges is irrelevant.
    ///
    /// # Panics
    ///
    /// If a sum overflows `u128`.
    pub fn merge(&mut self, o: &Self) {
        self.n = checked(self.n.checked_add(o.n));
        self.sum_x = checked(self.sum_x.checked_add(o.sum_x));
        self.sum_y = checked(self.sum_y.checked_add(o.sum_y));
        self.sum_xx = checked(self.sum_xx.checked_add(o.sum_xx));
        self.sum_yy = checked(self.sum_yy.checked_add(o.sum_yy));
        self.sum_xy = checked(self.sum_xy.checked_add(o.sum_xy));
    }

    /// The ratio estimate `Σx / Σy`, or `None` when `Σy == 0`.
    pub fn ratio(&self) -> Option<f64> {
        (self.sum_y != 0).then(|| self.sum_x as f64 / self.sum_y as f64)
    }

    /// The standard error of the ratio by the delta method (Cochran 1977, eq. 6.13):
    /// `se² = Σ(xᵢ − R·yᵢ)² / ((n−1) · n · ȳ²)`. `None` when `Σy == 0`; `0` when `n < 2`.
    pub fn std_error(&self) -> Option<f64> {
        let r = self.ratio()?;
        if self.n < 2 {
            return Some(0.0);
        }
        let n = self.n as f64;
        let (sxx, syy, sxy) = (self.sum_xx as f64, self.sum_yy as f64, self.sum_xy as f64);
        // Σ(x − R·y)², from exact integer sums; rounding can only make it a hair negative.
        let ss = (sxx - 2.0 * r * sxy + r * r * syy).max(0.0);
        let y_mean = self.sum_y as f64 / n;
        Some((ss / (n - 1.0) / n).sqrt() / y_mean)
    }

    /// The delta-method 95 % interval `R ± Z95·se`, with the lower bound clamped at 0
    /// (a ratio of non-negative totals is non-negative). `None` when `Σy == 0`.
    pub fn ci95(&self) -> Option<Interval> {
        let iv = self.ci95_unclamped()?;
        Some(Interval {
            low: iv.low.max(0.0),
            high: iv.high,
        })
    }

    /// The delta-method 95 % interval clamped to `[0, 1]`, for a ratio known to be a
    /// proportion (`x ≤ y` in every trial, as for a fill rate). `None` when `Σy == 0`.
    pub fn ci95_proportion(&self) -> Option<Interval> {
        let iv = self.ci95_unclamped()?;
        Some(Interval {
            low: iv.low.clamp(0.0, 1.0),
            high: iv.high.clamp(0.0, 1.0),
        })
    }

    /// The delta-method 95 % interval `R ± Z95·se`, without clamping. `None` when
    /// `Σy == 0`.
    pub fn ci95_unclamped(&self) -> Option<Interval> {
        let (r, se) = (self.ratio()?, self.std_error()?);
        Some(Interval {
            low: r - Z95 * se,
            high: r + Z95 * se,
        })
    }
}

/// An exact count of successes among trials, e.g. trials depleted by a given day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    /// Number of successes.
    pub successes: u64,
    /// Number of trials.
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

fn checked<T>(sum: Option<T>) -> T {
    match sum {
        Some(s) => s,
        None => panic!("stats accumulator overflow: a sum exceeds its integer range"),
    }
}

/// A 256-bit unsigned integer as (high, low) 128-bit halves.
type Wide = (u128, u128);

/// The full 256-bit product of two `u128`.
fn wide_mul(a: u128, b: u128) -> Wide {
    const LOW: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & LOW, b >> 64, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW); // < 3·2^64
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// `a − b` for `a ≥ b` (guaranteed by the Cauchy–Schwarz inequality where used).
fn wide_sub(a: Wide, b: Wide) -> Wide {
    let (low, borrow) = a.1.overflowing_sub(b.1);
    (a.0 - b.0 - u128::from(borrow), low)
}

fn wide_to_f64(w: Wide) -> f64 {
    w.0 as f64 * 2f64.powi(128) + w.1 as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_arithmetic_matches_known_products() {
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(wide_mul(3, 5), (0, 15));
        assert_eq!(wide_sub((1, 0), (0, 1)), (0, u128::MAX));
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
        assert_eq!(RatioMoments::default().ci95(), None);
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn sum_of_squares_overflow_panics_instead_of_wrapping() {
        let mut m = Moments::default();
        for _ in 0..5 {
            m.add(u64::MAX);
        }
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
