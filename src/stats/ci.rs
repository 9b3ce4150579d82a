//! Confidence intervals: Wilson score intervals for proportions and distribution-free
//! order-statistic intervals for quantiles.
//!
//! Everything here is a pure function of exact integer counts, so an interval computed
//! after merging shards is the same, to the bit, whatever the merge order.
//!
//! References:
//! - E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
//!   inference", *Journal of the American Statistical Association* 22(158), 209–212.
//! - R. G. Newcombe (1998), "Two-sided confidence intervals for the single proportion:
//!   comparison of seven methods", *Statistics in Medicine* 17, 857–872.
//! - L. D. Brown, T. T. Cai, A. DasGupta (2001), "Interval estimation for a binomial
//!   proportion", *Statistical Science* 16(2), 101–133.
//! - W. J. Conover (1999), *Practical Nonparametric Statistics*, 3rd ed., §3.2
//!   (confidence interval for a quantile).

/// The 0.975 quantile of the standard normal distribution: the multiplier of a
/// two-sided 95 % interval.
pub const Z95: f64 = 1.959963984540054;

/// Below this value of `n·q·(1−q)` [`quantile_rank_interval`] sums the binomial
/// distribution exactly; above it the normal approximation is used.
const EXACT_RANK_VARIANCE_LIMIT: f64 = 100.0;

/// A closed interval `[low, high]` of real numbers, typically a 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// Lower bound (inclusive).
    pub low: f64,
    /// Upper bound (inclusive).
    pub high: f64,
}

impl Interval {
    /// The width `high − low` of the interval.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Whether `x` lies in the closed interval `[low, high]`.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// The 95 % Wilson score interval (Wilson 1927) for a binomial proportion estimated by
/// `successes / n`.
///
/// The interval is the set of `p` for which the score test of `H0: p` is not rejected:
/// centre `(p̂ + z²/2n) / (1 + z²/n)`, half-width
/// `z/(1 + z²/n) · sqrt(p̂(1−p̂)/n + z²/4n²)` with `z =` [`Z95`]. Unlike the Wald interval
/// it never leaves `[0, 1]` and stays informative at `p̂ = 0` or `1` (for `0/10` it is
/// `[0, 0.2775]`). Its coverage oscillates around 95 %; it dips to about 92 % when
/// `n·p` is near 1 (Brown, Cai & DasGupta 2001).
///
/// The result always satisfies `0 ≤ low ≤ p̂ ≤ high ≤ 1` (rounding is clamped away),
/// with `low == 0` exactly when `successes == 0` and `high == 1` exactly when
/// `successes == n`. With `n == 0` nothing is known and the interval is `[0, 1]`.
///
/// # Panics
///
/// If `successes > n`.
pub fn wilson(successes: u64, n: u64) -> Interval {
    assert!(
        successes <= n,
        "wilson: successes ({successes}) exceed trials ({n})"
    );
    if n == 0 {
        return Interval {
            low: 0.0,
            high: 1.0,
        };
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, p)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).clamp(p, 1.0)
    };
    Interval { low, high }
}

/// The 1-based rank `k = max(1, ⌈q·n⌉)` of the type-1 (inverse empirical CDF) sample
/// `q`-quantile `x_(k)` of `n` observations; `0` when `n == 0`.
///
/// A product `q·n` within a relative `1e-12` of an integer is taken as that integer, so
/// decimal quantiles are not shifted by binary rounding (`0.7 × 10` is rank 7, not 8).
/// Exact for `n ≤ 2^53`.
///
/// # Panics
///
/// If `q` is not in `[0, 1]` (NaN included).
pub fn quantile_rank(n: u64, q: f64) -> u64 {
    assert_quantile(q);
    if n == 0 {
        return 0;
    }
    let t = q * n as f64;
    let nearest = t.round();
    let k = if (t - nearest).abs() <= 1e-12 * nearest.max(1.0) {
        nearest
    } else {
        t.ceil()
    };
    (k as u64).clamp(1, n)
}

/// The fewest trials for which both bounds of [`quantile_rank_interval`] hold with
/// 97.5 % each for the `q`-quantile: the least `n` with `max(q, 1 − q)^n ≤ 2.5 %`, so
/// that with 97.5 % probability at least one observation falls on the quantile's
/// rarer side (72 for the 5th or 95th percentile, 36 for the 10th or 90th, 6 for the
/// median). With fewer, that bound is the sample's smallest or largest value and holds
/// with less.
///
/// # Panics
///
/// If `q` is not in `(0, 1)`.
pub fn trials_for_quantile_interval(q: f64) -> u64 {
    assert!(q > 0.0 && q < 1.0, "quantile {q} must be in (0, 1)");
    let p = q.min(1.0 - q);
    // (1 − p)^n ≤ 0.025 ⇔ n ≥ ln 0.025 / ln(1 − p); the loop corrects the rounding.
    let mut n = (0.025_f64.ln() / (1.0 - p).ln()).floor().max(1.0) as u64;
    while (1.0 - p).powi(n as i32) > 0.025 {
        n += 1;
    }
    n
}

/// A distribution-free 95 % confidence interval for the population `q`-quantile, as
/// 1-based ranks `(lo, hi)` of the order statistics `x_(lo) ≤ ξ_q ≤ x_(hi)` of a sample
/// of `n` (Conover 1999, §3.2).
///
/// The number `B` of observations below `ξ_q` is Binomial(`n`, `q`), and
/// `P(x_(lo) ≤ ξ_q ≤ x_(hi)) ≥ P(lo ≤ B ≤ hi − 1)`. The ranks are equal-tailed:
/// `lo` is the largest rank with `P(B ≤ lo − 1) ≤ 2.5 %` and `hi` the smallest with
/// `P(B ≥ hi) ≤ 2.5 %`.
///
/// - When `n·q·(1−q) < 100` the binomial tail is summed exactly, so coverage is at least
///   95 % whenever that is attainable.
/// - Otherwise the normal approximation with continuity correction is used:
///   `lo = ⌊n·q + ½ − z·σ⌋`, `hi = ⌈n·q + ½ + z·σ⌉` with `σ = sqrt(n·q·(1−q))`; the
///   floor and ceiling make it slightly conservative (numerically ≥ 95 % for every
///   `n·q·(1−q) ≥ 10` checked).
///
/// Ranks are clamped to `[1, n]`. When the sample is too small for the quantile (for
/// instance `P(B = 0) > 2.5 %`, so no order statistic bounds `ξ_q` from below with 97.5 %
/// confidence) the bound falls back to the sample minimum or maximum and the interval
/// covers less than 95 %. With `n == 0` the result is `(0, 0)`: there are no ranks.
///
/// # Panics
///
/// If `q` is not in `[0, 1]` (NaN included).
pub fn quantile_rank_interval(n: u64, q: f64) -> (u64, u64) {
    assert_quantile(q);
    if n == 0 {
        return (0, 0);
    }
    if q > 0.5 {
        // Mirror: ranks of the (1−q)-quantile counted from the top of the sample.
        let (lo, hi) = quantile_rank_interval(n, 1.0 - q);
        return (n + 1 - hi, n + 1 - lo);
    }
    let nf = n as f64;
    let variance = nf * q * (1.0 - q);
    let (lo, hi) = if variance < EXACT_RANK_VARIANCE_LIMIT {
        exact_rank_bounds(n, q)
    } else {
        let spread = Z95 * variance.sqrt();
        let centre = nf * q + 0.5;
        (
            (centre - spread).floor() as u64,
            (centre + spread).ceil() as u64,
        )
    };
    (lo.clamp(1, n), hi.clamp(1, n))
}

/// Equal-tailed order-statistic ranks from the exact Binomial(`n`, `q`) CDF, `q ≤ 0.5`.
///
/// Only called with `n·q·(1−q) < 100`, hence `n·q < 200`: the loop stops after a few
/// hundred terms and `(1−q)^n ≥ e^-280` cannot underflow.
fn exact_rank_bounds(n: u64, q: f64) -> (u64, u64) {
    let odds = q / (1.0 - q);
    let mut pmf = (n as f64 * (-q).ln_1p()).exp(); // P(B = 0)
    let mut cdf = 0.0;
    let mut lo = 1;
    let mut k = 0;
    loop {
        cdf += pmf; // cdf = P(B ≤ k)
        if cdf <= 0.025 {
            lo = k + 1;
        }
        if cdf >= 0.975 || k >= n {
            return (lo, k + 1);
        }
        pmf *= (n - k) as f64 / (k + 1) as f64 * odds;
        k += 1;
    }
}

fn assert_quantile(q: f64) {
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile level must be in [0, 1], got {q}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tails outside the interval's ranks, for B ~ Binomial(n, q) observations below
    /// the quantile: P(B < lo) (the lower bound above it) and P(B ≥ hi) (the upper
    /// bound below it), summed term by term.
    fn tails(n: u64, q: f64, (lo, hi): (u64, u64)) -> (f64, f64) {
        let mut p = (1.0 - q).powi(n as i32);
        let (mut below, mut above) = (0.0, 0.0);
        for b in 0..=n {
            if b < lo {
                below += p;
            }
            if b >= hi {
                above += p;
            }
            p *= (n - b) as f64 / (b + 1) as f64 * q / (1.0 - q);
        }
        (below, above)
    }

    /// The thresholds the README gives (72, 36, 6) are where both of the interval's
    /// bounds first hold with 97.5 % each: one trial fewer, and one tail is above 2.5 %.
    #[test]
    fn trials_for_a_quantile_interval_are_where_each_bound_reaches_97_5_percent() {
        for (q, want) in [(0.05, 72), (0.95, 72), (0.1, 36), (0.9, 36), (0.5, 6)] {
            let n = trials_for_quantile_interval(q);
            assert_eq!(n, want, "q = {q}");
            let (lo, hi) = tails(n, q, quantile_rank_interval(n, q));
            assert!(lo <= 0.025 && hi <= 0.025, "q = {q}, n = {n}: {lo}, {hi}");
            let (lo, hi) = tails(n - 1, q, quantile_rank_interval(n - 1, q));
            assert!(lo.max(hi) > 0.025, "q = {q}, n = {}: {lo}, {hi}", n - 1);
        }
    }

    #[test]
    fn wilson_is_ordered_and_clamped_at_the_edges() {
        for n in [1_u64, 2, 3, 10, 1000, 1 << 40] {
            for k in [0, 1, n / 2, n - 1, n] {
                let iv = wilson(k, n);
                let p = k as f64 / n as f64;
                assert!(0.0 <= iv.low && iv.low <= p && p <= iv.high && iv.high <= 1.0);
            }
            assert_eq!(wilson(0, n).low, 0.0);
            assert_eq!(wilson(n, n).high, 1.0);
        }
        assert_eq!(
            wilson(0, 0),
            Interval {
                low: 0.0,
                high: 1.0
            }
        );
    }

    #[test]
    fn quantile_rank_snaps_decimal_products() {
        assert_eq!(quantile_rank(10, 0.7), 7);
        assert_eq!(quantile_rank(10, 0.71), 8);
        assert_eq!(quantile_rank(3, 0.1 * 3.0), 1);
        assert_eq!(quantile_rank(7, 0.0), 1);
        assert_eq!(quantile_rank(7, 1.0), 7);
        assert_eq!(quantile_rank(0, 0.5), 0);
    }

    #[test]
    fn median_ranks_of_one_hundred_match_the_textbook() {
        // Conover (1999), Table A3 / example: x_(40) and x_(61) for n = 100.
        assert_eq!(quantile_rank_interval(100, 0.5), (40, 61));
        assert_eq!(quantile_rank_interval(1, 0.5), (1, 1));
        assert_eq!(quantile_rank_interval(0, 0.5), (0, 0));
        assert_eq!(quantile_rank_interval(20, 0.0), (1, 1));
        assert_eq!(quantile_rank_interval(20, 1.0), (20, 20));
    }

    #[test]
    fn exact_and_normal_rank_bounds_agree_where_both_apply() {
        // Around the switch-over the two methods differ by at most one rank.
        for n in [420_u64, 500, 1000] {
            let q = 0.5;
            let (lo, hi) = exact_rank_bounds(n, q);
            let (nlo, nhi) = quantile_rank_interval(n, q);
            assert!(lo.abs_diff(nlo) <= 1 && hi.abs_diff(nhi) <= 1, "n={n}");
        }
    }

    #[test]
    #[should_panic(expected = "quantile level")]
    fn rejects_nan_quantile() {
        quantile_rank(10, f64::NAN);
    }
}
