//! Exact sums behind a ratio of per-trial totals, such as the fill rate
//! `Σ met on the day / Σ needed`, and its delta-method interval.
//!
//! The ratio estimator and its delta-method (linearisation) variance follow
//! W. G. Cochran (1977), *Sampling Techniques*, 3rd ed., §6.2–6.4.
//!
//! Range: as for [`super::Moments`], at most `2^32` pairs of values below `2^96`, so
//! `Σx, Σy < 2^128` fit `u128` and `Σx², Σy², Σxy < 2^224` fit [`U256`]; the centred
//! numerators `n·Σxy − Σx·Σy` and the like are below `2^256`. Beyond that range the sums
//! panic rather than wrap.

use serde::{Deserialize, Serialize};

use super::ci::{Interval, Z95};
use super::moments::checked;
use super::wide::U256;

/// Exact sums for the ratio `R = Σx / Σy` of two per-trial totals and its delta-method
/// interval.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioMoments {
    /// Number of (x, y) pairs: at most `2^32`.
    pub n: u64,
    /// Σx: below `2^32 · 2^96 = 2^128`.
    pub sum_x: u128,
    /// Σy: below `2^128`.
    pub sum_y: u128,
    /// Σx²: below `2^32 · 2^192 = 2^224`.
    pub sum_xx: U256,
    /// Σy²: below `2^224`.
    pub sum_yy: U256,
    /// Σxy: below `2^224`.
    pub sum_xy: U256,
}

impl RatioMoments {
    /// Adds one (numerator, denominator) pair.
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
    #[inline]
    pub fn add(&mut self, x: u64, y: u64) {
        // Products of two u64 fit in u128: one multiplication each, where `add_wide`
        // needs 256-bit products.
        let (x, y) = (u128::from(x), u128::from(y));
        self.n = checked(self.n.checked_add(1));
        self.sum_x = checked(self.sum_x.checked_add(x));
        self.sum_y = checked(self.sum_y.checked_add(y));
        self.sum_xx = checked(self.sum_xx.checked_add(U256::from_u128(x * x)));
        self.sum_yy = checked(self.sum_yy.checked_add(U256::from_u128(y * y)));
        self.sum_xy = checked(self.sum_xy.checked_add(U256::from_u128(x * y)));
    }

    /// Adds one pair given as `u128` (each below `2^96` for the documented range).
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
    pub fn add_wide(&mut self, x: u128, y: u128) {
        self.n = checked(self.n.checked_add(1));
        self.sum_x = checked(self.sum_x.checked_add(x));
        self.sum_y = checked(self.sum_y.checked_add(y));
        self.sum_xx = checked(self.sum_xx.checked_add(U256::square(x)));
        self.sum_yy = checked(self.sum_yy.checked_add(U256::square(y)));
        self.sum_xy = checked(self.sum_xy.checked_add(U256::mul(x, y)));
    }

    /// Adds every pair of `other`; exact, so the order of merges is irrelevant.
    ///
    /// # Panics
    ///
    /// If a sum overflows (only beyond the range in the module docs).
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
    ///
    /// `Σ(xᵢ − R·yᵢ)² = (Cxx − 2R·Cxy + R²·Cyy) / n` with the centred numerators
    /// `Cxx = n·Σx² − (Σx)²` etc. computed exactly in integers, so only the final
    /// combination is rounded.
    pub fn std_error(&self) -> Option<f64> {
        let r = self.ratio()?;
        if self.n < 2 {
            return Some(0.0);
        }
        let centred = |s: U256, a: u128, b: u128| {
            U256::signed_difference(checked(s.checked_mul_u64(self.n)), U256::mul(a, b))
        };
        let cxx = centred(self.sum_xx, self.sum_x, self.sum_x);
        let cyy = centred(self.sum_yy, self.sum_y, self.sum_y);
        let cxy = centred(self.sum_xy, self.sum_x, self.sum_y);
        let n = self.n as f64;
        // Rounding can only make it a hair negative.
        let ss = ((cxx - 2.0 * r * cxy + r * r * cyy) / n).max(0.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-multiplication `add` of two `u64` gives the sums of the 256-bit
    /// `add_wide`, for the extremes and values in between.
    #[test]
    fn adding_u64_pairs_equals_adding_them_wide() {
        let (mut narrow, mut wide) = (RatioMoments::default(), RatioMoments::default());
        let mut s: u64 = 11;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            s >> (s % 64)
        };
        let edges = [
            (0, 0),
            (u64::MAX, u64::MAX),
            (u64::MAX, 1),
            (1 << 63, u64::MAX - 1),
        ];
        for (x, y) in edges.into_iter().chain((0..1000).map(|_| (next(), next()))) {
            narrow.add(x, y);
            wide.add_wide(u128::from(x), u128::from(y));
            assert_eq!(narrow, wide, "after ({x}, {y})");
        }
    }

    #[test]
    fn empty_ratio_has_no_interval() {
        assert_eq!(RatioMoments::default().ci95(), None);
    }

    /// The worst case of the range: `2^32` pairs of values near `2^96` (doubling merges),
    /// with x = y/2 exactly, so the ratio is 1/2 and the residuals are all 0.
    #[test]
    fn the_largest_pairs_at_the_largest_count_do_not_overflow() {
        let y = (1_u128 << 96) - 2;
        let mut r = RatioMoments::default();
        r.add_wide(y / 2, y);
        for _ in 0..32 {
            let copy = r.clone();
            r.merge(&copy);
        }
        assert_eq!(r.n, 1 << 32);
        assert_eq!(r.ratio(), Some(0.5));
        assert_eq!(r.std_error(), Some(0.0));
    }

    /// Residuals that differ by one round on values near 2^62: the raw-sum formula
    /// cancels to noise there; the centred integers do not.
    #[test]
    fn the_standard_error_survives_huge_nearly_equal_totals() {
        let base = 1_u64 << 62;
        let mut r = RatioMoments::default();
        for (x, y) in [(base - 1, base), (base, base), (base + 1, base)] {
            r.add(x, y);
        }
        // R = 1, residuals −1, 0, 1: se = sqrt(2 / 2 / 3) / base.
        let se = (1.0_f64 / 3.0).sqrt() / base as f64;
        let got = r.std_error().expect("defined");
        assert!((got - se).abs() <= 1e-9 * se, "{got} vs {se}");
    }
}
