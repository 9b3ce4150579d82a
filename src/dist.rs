//! The catalogue of input distributions, parameterised the way analysts state
//! uncertainty: ranges, most-likely values and percentiles rather than textbook
//! parameters.
//!
//! Every quantity in a scenario is a [`DistSpec`]: either a plain number (a fixed value)
//! or an inline table with a `dist` key:
//!
//! | `dist` | keys | notes |
//! |---|---|---|
//! | `fixed` | `value` | same as writing the plain number |
//! | `uniform` | `min`, `max` | |
//! | `triangular` | `min`, `mode`, `max` | |
//! | `pert` | `min`, `mode`, `max`, optional `lambda` (default 4) | min + (max − min)·Beta(1 + λ(mode − min)/(max − min), 1 + λ(max − mode)/(max − min)); mean (min + λ·mode + max)/(λ + 2) |
//! | `normal` | `mean`, `sd` | |
//! | `lognormal` | `median` with `p90` or `p95`, or `mu` and `sigma` | `mu`, `sigma` are the mean and sd of the log |
//! | `gamma` | `shape` and `scale`, or `mean` and `sd` | |
//! | `poisson` | `mean` | counts |
//! | `negbin` | `mean`, `dispersion` | over-dispersed counts: variance = mean + mean²/dispersion, drawn as Poisson(Gamma(k, mean/k)) |
//! | `empirical` | `values`, optional `weights` | each value equally likely unless weighted |
//!
//! For `normal`, `lognormal`, `gamma`, `poisson`, `negbin` and `empirical`, optional
//! `min` and/or `max` truncate the distribution: values outside are never produced (the
//! distribution is conditioned on the window, not clamped). For `uniform`, `triangular`
//! and `pert`, `min` and `max` are the parameters themselves; `min == max` is allowed
//! and means a fixed value.
//!
//! ```toml
//! initial_stock = { dist = "pert", min = 1_500_000, mode = 2_200_000, max = 3_500_000 }
//! lead_time_days = { dist = "lognormal", median = 180, p90 = 400, max = 1000 }
//! daily_fire = { dist = "negbin", mean = 6000, dispersion = 8 }
//! floor = 50000
//! ```
//!
//! In Rust, a scenario type holds [`DistSpec`] fields; validation builds a [`Dist`]:
//!
//! ```
//! use drawdown::dist::DistSpec;
//! use rand::SeedableRng;
//!
//! #[derive(serde::Deserialize)]
//! struct Factory {
//!     capacity: DistSpec,
//! }
//!
//! let f: Factory = toml::from_str(r#"capacity = { dist = "pert", min = 1, mode = 2, max = 4 }"#)?;
//! assert_eq!(f.capacity.to_string(), "pert(1, 2, 4)");
//! let capacity = f.capacity.build()?;
//! assert_eq!(capacity.mean(), Some((1.0 + 4.0 * 2.0 + 4.0) / 6.0));
//! let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
//! assert!((1.0..=4.0).contains(&capacity.sample(&mut rng)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Validation
//!
//! Deserialization checks keys and types: an unknown key or distribution name is an
//! error that names it and lists the valid ones. [`DistSpec::build`] then checks every
//! value and returns a [`DistError`] naming the offending key (`sd must be >= 0, got -2`,
//! `p90 (80) must be above the median (100)`, `sd does not apply to a pert
//! distribution …`). A truncation window must keep at least 10⁻⁶ of the probability,
//! computed exactly from the CDF (erfc for normal and lognormal, the regularized
//! incomplete gamma and beta functions for gamma, Poisson and negative binomial, exact
//! sums for empirical).
//!
//! # Sampling
//!
//! A built [`Dist`] holds its rand_distr objects ready, so [`Dist::sample`] does no
//! setup work. Normal, lognormal, gamma, Poisson and the PERT's beta come from
//! rand_distr (exact algorithms); the triangular uses its inverse CDF; the negative
//! binomial is the gamma–Poisson mixture. A truncated distribution whose window keeps
//! most of the mass is sampled by rejection (at least 10 % of the mass for normal and
//! lognormal, 1 % for the others), capped at 10 000 draws after which the last draw is
//! clamped into the window (probability below 10⁻⁴⁴); a window with less mass is
//! sampled exactly by inverse CDF (closed form for normal and lognormal, a bisection on
//! the CDF for the others).
//!
//! The model's daily demand draws its Poisson counts with [`poisson_stream`] (inversion
//! from one uniform below a mean of 12, Ahrens–Dieter above) and, for a mean that stays
//! the same day after day, [`CachedPoisson`]: inversion of a tabulated CDF
//! ([`PoissonTable`]), one uniform and one table entry per draw. Both are exact.

use rand::Rng;

mod build;
mod gamma;
mod incomplete;
mod kind;
mod law;
mod poisson;
mod poisson_table;
mod sample;
mod serde_impl;
mod spec;
mod special;
#[cfg(test)]
mod tests;
mod truncate;
mod ziggurat;

pub(crate) use gamma::LargeShape;
pub use kind::DistKind;
pub use poisson::{poisson, poisson_stream};
pub use poisson_table::{CachedPoisson, PoissonRun, PoissonTable, TABLE_MAX_MEAN};
use sample::{Draw, Window};
pub use spec::{ALL_KEYS, DistSpec, DistTable, SCALAR_KEYS};

/// A drawn value as a count (of rounds, of days): rounded half up, 0 if negative or
/// NaN, `u64::MAX` above it. Exactly `v.round().max(0.0) as u64`, without the call:
/// `round` is a library call on baseline x86-64, and every event draws a count or two.
#[inline]
pub fn count(v: f64) -> u64 {
    // Below 2^52 the fraction `v − ⌊v⌋` is exact; above, `v` is whole (and the cast
    // saturates; NaN, which fails both tests, casts to 0).
    if v < 4_503_599_627_370_496.0 {
        if v < 0.5 {
            return 0;
        }
        let t = v as u64;
        t + u64::from(v - t as f64 >= 0.5)
    } else {
        v as u64
    }
}

/// For tests of the rounding helpers ([`count`], `model::limits::ceil_count`): `n`
/// values of every magnitude, each a uniform draw in [0, 1) times `10^e` with `e`
/// uniform in `exponents`, negated half the time when `signed`, from a fixed seed.
#[cfg(test)]
pub(crate) fn test_magnitudes(
    seed: u64,
    n: usize,
    exponents: std::ops::Range<i32>,
    signed: bool,
) -> Vec<f64> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let scale = 10f64.powi(rng.random_range(exponents.clone()));
            let sign = if signed && !rng.random::<bool>() {
                -1.0
            } else {
                1.0
            };
            sign * rng.random::<f64>() * scale
        })
        .collect()
}

/// A truncation window must keep at least this much of the probability.
pub const MIN_MASS: f64 = 1e-6;

/// An invalid distribution: which key is wrong, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DistError {
    /// The offending key relative to the distribution table (`sd`, `p90`, `weights` …),
    /// or `""` for the whole value.
    pub field: String,
    /// Lowercase, without a trailing period; says what was expected and what was got.
    pub message: String,
}

/// A validated distribution, ready to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist {
    kind: DistKind,
    draw: Draw,
    window: Window,
    mean: f64,
    lo: f64,
    hi: f64,
}

impl Dist {
    /// A fixed value (which should be finite).
    pub fn fixed(v: f64) -> Dist {
        Dist::with_kind(DistKind::Fixed, v)
    }

    /// A fixed value reported as `kind`.
    pub(crate) fn with_kind(kind: DistKind, v: f64) -> Dist {
        debug_assert!(v.is_finite(), "a fixed value must be finite, got {v}");
        Dist::new(kind, Draw::Fixed(v), Window::Full, v, (v, v))
    }

    /// Assembles a built distribution.
    pub(crate) fn new(
        kind: DistKind,
        draw: Draw,
        window: Window,
        mean: f64,
        bounds: (f64, f64),
    ) -> Dist {
        let (lo, hi) = bounds;
        Dist {
            kind,
            draw,
            window,
            mean,
            lo,
            hi,
        }
    }

    /// One draw: never NaN, always within [`Dist::min_value`]..=[`Dist::max_value`].
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // A no-op but for distributions narrowed by [`Dist::clamped`].
        self.window
            .sample(&self.draw, rng)
            .max(self.lo)
            .min(self.hi)
    }

    /// Fills `out` with draws, in order: exactly the values of `out.len()` calls of
    /// [`Dist::sample`] on the same stream, which is left where they would leave it.
    /// The choice of sampler is made once, not per draw, so the loop is tight (for the
    /// normal of daily output noise, truncated or not, the common case of the
    /// ziggurat inline and one test; see [`ziggurat`]).
    #[inline]
    pub fn fill(&self, rng: &mut crate::engine::StreamRng, out: &mut [f64]) {
        // A normal, whole or truncated by rejection, fills in one tight loop whose
        // every other draw (wedge, tail, rejected value) is a plain `sample`.
        if let (Draw::Normal(d), Some(t)) = (&self.draw, ziggurat::table()) {
            let window = match self.window {
                Window::Full => Some((f64::NEG_INFINITY, f64::INFINITY)),
                Window::Reject { lo, hi } => Some((lo, hi)),
                Window::Inverse(_) => None,
            };
            if let Some(window) = window {
                let map = |z| d.from_zscore(z);
                let slow = |rng: &mut crate::engine::StreamRng| self.sample(rng);
                ziggurat::fill_normals(rng, t, out, map, window, (self.lo, self.hi), slow);
                return;
            }
        }
        for x in out {
            *x = self.sample(rng);
        }
    }

    /// The same distribution with its draws clamped to `[lo, hi]` (a scenario's
    /// supported range): a draw beyond it counts as the bound. Validation allows this
    /// only for unbounded laws whose mean lies well inside the range, so that it
    /// changes only rare tail draws.
    pub fn clamped(mut self, lo: f64, hi: f64) -> Dist {
        self.lo = self.lo.max(lo);
        self.hi = self.hi.min(hi);
        self
    }

    /// One draw as a count (of rounds, of days): see [`count`].
    #[inline]
    pub fn sample_count<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        count(self.sample(rng))
    }

    /// `Some(v)` if every draw is `v`.
    pub fn fixed_value(&self) -> Option<f64> {
        (self.lo == self.hi).then_some(self.lo)
    }

    /// `Some(v)` if the sampler is a constant `v` that consumes no random number (a
    /// fixed value, or a degenerate law such as `min == max`): a caller may then use
    /// `v` instead of drawing, and the stream is left exactly as a draw would leave it.
    #[inline]
    pub fn constant(&self) -> Option<f64> {
        match (&self.draw, &self.window) {
            (Draw::Fixed(v), Window::Full) => Some(v.max(self.lo).min(self.hi)),
            _ => None,
        }
    }

    /// Is every draw a whole number (a count law)? True for a whole fixed value,
    /// `poisson`, `negbin`, and an `empirical` list of whole values; false for every
    /// continuous law. For a count law `E[count(X)] = E[X]` exactly when `X >= 0`, so
    /// [`Dist::mean`] is then also the mean of [`Dist::sample_count`].
    pub fn is_count(&self) -> bool {
        let whole = |v: f64| v.fract() == 0.0;
        match &self.draw {
            Draw::Fixed(v) => whole(*v),
            Draw::Empirical(t) => t.values().iter().all(|v| whole(*v)),
            _ => matches!(self.kind, DistKind::Poisson | DistKind::Negbin),
        }
    }

    /// The exact mean, truncation included (closed forms; the truncated gamma,
    /// Poisson and negative binomial means use the incomplete gamma and beta functions,
    /// to about 1e-10 relative). Always `Some` for the current catalogue.
    pub fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }

    /// The smallest value [`Dist::sample`] can return (may be −∞).
    pub fn min_value(&self) -> f64 {
        self.lo
    }

    /// The largest value [`Dist::sample`] can return (may be +∞).
    pub fn max_value(&self) -> f64 {
        self.hi
    }

    /// The kind's name as in the `dist` key: `"fixed"`, `"pert"`, …
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The kind.
    pub fn dist_kind(&self) -> DistKind {
        self.kind
    }
}
