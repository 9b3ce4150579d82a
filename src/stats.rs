//! Exactly-mergeable statistics and confidence intervals for the Monte Carlo runner.
//!
//! # Exact merging
//!
//! Trials are aggregated per worker, per block and per shard, and the pieces are merged
//! in an order that depends on scheduling. To make the output files byte-identical
//! whatever the thread count or sharding, every accumulator here holds integers only and
//! merges by integer addition, which is associative and commutative:
//!
//! - [`Moments`]: count, `Σx` in `u128` and `Σx²` in 256 bits ([`U256`]), for means
//!   with exact variances;
//! - [`RatioMoments`]: the sums behind a ratio of totals such as the fill rate;
//! - [`Proportion`]: successes out of trials, for probabilities;
//! - [`LogHistogram`]: an HDR-style log-linear histogram of `u64` values, for quantiles.
//!
//! Floating point appears only when an estimate is reported, as a pure function of the
//! merged integers. Memory is independent of the number of trials.
//!
//! # Range
//!
//! Every accumulator is exact for up to `2^32` trials (a run has at most 10^9) of
//! per-trial values below `2^96`; the bounds are proved beside each field (see
//! [`moments`]). Beyond them a sum panics rather than wraps.
//!
//! # Error guarantees
//!
//! - Means and variances are computed from exact sums (the variance numerator
//!   `n·Σx² − (Σx)²` in 256-bit integers), so the only error is the final rounding.
//! - A quantile reported by [`LogHistogram`] is within 0.1 % (at most 1/1024) of the
//!   exact sample quantile, exact for values below 1024, and exact at `q = 0` and
//!   `q = 1` (the histogram layout of HdrHistogram, G. Tene, <http://hdrhistogram.org>).
//! - Probabilities carry the 95 % Wilson score interval (Wilson 1927), means the
//!   normal-theory interval, ratios the delta-method interval (Cochran 1977), and
//!   quantiles a distribution-free order-statistic interval (Conover 1999).
//!
//! # Examples
//!
//! ```
//! use drawdown::stats::{LogHistogram, Moments, Proportion};
//!
//! // Two workers aggregate their own trials…
//! let (mut stock_a, mut stock_b) = (LogHistogram::new(), LogHistogram::new());
//! let (mut mean_a, mut mean_b) = (Moments::default(), Moments::default());
//! let mut depleted = Proportion::default();
//! for (i, stock) in [0_u64, 120_000, 95_000, 0, 250_000, 180_000].into_iter().enumerate() {
//!     let (h, m) = if i % 2 == 0 { (&mut stock_a, &mut mean_a) } else { (&mut stock_b, &mut mean_b) };
//!     h.record(stock);
//!     m.add(stock);
//!     depleted.add(stock == 0);
//! }
//! // …and the merged result is the same whichever order they are merged in.
//! let mut merged = stock_b.clone();
//! merged.merge(&stock_a);
//! stock_a.merge(&stock_b);
//! assert_eq!(merged, stock_a);
//! assert_eq!(merged.quantile(0.0), Some(0));
//! assert_eq!(merged.max(), Some(250_000));
//! mean_a.merge(&mean_b);
//! assert_eq!(mean_a.mean(), 107_500.0);
//! let ci = depleted.ci95(); // Wilson interval around 2/6
//! assert!(ci.low < 1.0 / 3.0 && 1.0 / 3.0 < ci.high);
//! ```

pub mod ci;
mod counts;
pub mod histogram;
pub mod moments;
pub mod ratio;
mod rice;
pub mod sorted;
mod unary;
pub mod wide;

/// A small deterministic generator for the tests of the count codes (a 64-bit LCG,
/// Knuth's MMIX constants, its upper 31 bits).
#[cfg(test)]
fn test_lcg(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *x >> 33
}

pub use ci::{
    Interval, Z95, quantile_rank, quantile_rank_interval, trials_for_quantile_interval, wilson,
};
pub use histogram::{BUCKET_COUNT, LogHistogram, SUB_BUCKET_BITS, Scratch, bucket_index};
pub use moments::{BatchMoments, MAX_OBSERVATION, MAX_OBSERVATIONS, Moments, Proportion};
pub use ratio::RatioMoments;
pub use sorted::sorted_quantile;
pub use wide::U256;
