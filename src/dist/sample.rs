//! Samplers: the untruncated draw of each kind, with its rand_distr object built once,
//! and the truncation window around it.

use super::law::Inverse;
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal, Poisson};

/// An untruncated sampler, ready to draw (no setup work per draw).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Draw {
    /// Always the same value (also every degenerate law: sd 0, min = max, mean 0 …).
    Fixed(f64),
    /// lo + (hi − lo)·U.
    Uniform { lo: f64, span: f64, hi: f64 },
    /// Triangular by inverse CDF; `split` = (mode − lo)/(hi − lo).
    Triangular {
        lo: f64,
        mode: f64,
        hi: f64,
        split: f64,
    },
    /// lo + (hi − lo)·Beta(α, β).
    Pert {
        lo: f64,
        span: f64,
        hi: f64,
        beta: Beta<f64>,
    },
    /// Normal (ziggurat).
    Normal(Normal<f64>),
    /// Lognormal.
    LogNormal(LogNormal<f64>),
    /// Gamma (Marsaglia–Tsang).
    Gamma(Gamma<f64>),
    /// Poisson with a fixed mean.
    Poisson(PoissonDraw),
    /// Negative binomial as Poisson(Gamma(k, mean/k)).
    NegBin(Gamma<f64>),
    /// An empirical table.
    Empirical(Table),
}

impl Draw {
    /// One draw.
    #[inline]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Draw::Fixed(v) => *v,
            Draw::Uniform { lo, span, hi } => (lo + span * rng.random::<f64>()).min(*hi),
            Draw::Triangular {
                lo,
                mode,
                hi,
                split,
            } => {
                let u: f64 = rng.random();
                let x = if u < *split {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                };
                x.clamp(*lo, *hi)
            }
            Draw::Pert { lo, span, hi, beta } => (lo + span * beta.sample(rng)).clamp(*lo, *hi),
            Draw::Normal(d) => d.sample(rng),
            Draw::LogNormal(d) => d.sample(rng),
            Draw::Gamma(d) => d.sample(rng),
            Draw::Poisson(d) => d.sample(rng),
            Draw::NegBin(gamma) => poisson(gamma.sample(rng), rng),
            Draw::Empirical(t) => t.sample(rng),
        }
    }
}

/// A Poisson sampler with a fixed mean, including the mean-0 and huge-mean edges.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PoissonDraw {
    /// rand_distr's exact sampler (Knuth below 12, Ahrens–Dieter PTRS above).
    Exact(Poisson<f64>),
    /// Mean 0 (always 0) or beyond rand_distr's range (see [`poisson`]).
    Edge(f64),
}

impl PoissonDraw {
    /// Prepares a sampler of the given mean (≥ 0, finite).
    pub(crate) fn new(mean: f64) -> PoissonDraw {
        Poisson::new(mean).map_or(PoissonDraw::Edge(mean), PoissonDraw::Exact)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            PoissonDraw::Exact(d) => d.sample(rng),
            PoissonDraw::Edge(mean) => poisson(*mean, rng),
        }
    }
}

/// A Poisson draw of a varying mean (the inner step of the negative binomial); see
/// [`super::poisson`].
#[inline]
fn poisson<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> f64 {
    if lambda.is_finite() {
        super::poisson(lambda, rng)
    } else {
        lambda.max(0.0)
    }
}

/// An empirical distribution: values with positive weights.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Table {
    values: Vec<f64>,
    /// Cumulative weights; empty when all weights are equal.
    cumulative: Vec<f64>,
}

impl Table {
    /// A table of values with optional weights; zero-weight values must be removed.
    pub(crate) fn new(values: Vec<f64>, weights: Option<&[f64]>) -> Table {
        let equal = weights.is_none_or(|w| w.iter().all(|x| *x == w[0]));
        let cumulative = match weights {
            Some(w) if !equal => w
                .iter()
                .scan(0.0, |acc, x| {
                    *acc += x;
                    Some(*acc)
                })
                .collect(),
            _ => Vec::new(),
        };
        Table { values, cumulative }
    }

    /// The values that can be drawn.
    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let n = self.values.len();
        let i = match self.cumulative.last() {
            None => rng.random_range(0..n),
            Some(total) => {
                let x = rng.random::<f64>() * total;
                self.cumulative.partition_point(|c| *c <= x).min(n - 1)
            }
        };
        self.values[i]
    }
}

/// How truncation is applied around the untruncated draw.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Window {
    /// No truncation.
    Full,
    /// Draw until the value lies in `[lo, hi]` (used when the window holds enough mass
    /// that few draws are needed; see [`MAX_TRIES`]).
    Reject { lo: f64, hi: f64 },
    /// Inverse CDF inside the window (used when the window holds little mass).
    Inverse(Box<Inverse>),
}

/// The hard cap on rejection draws. Rejection is only chosen when the window holds at
/// least 1 % of the mass, so reaching the cap has probability below 0.99¹⁰⁰⁰⁰ ≈ 10⁻⁴⁴;
/// if it ever happens, the last draw is clamped into the window.
pub(crate) const MAX_TRIES: usize = 10_000;

impl Window {
    /// One draw of `draw` restricted to the window.
    #[inline]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, draw: &Draw, rng: &mut R) -> f64 {
        match self {
            Window::Full => draw.sample(rng),
            // The truncated normal (daily output noise) is the hot case: its loop is
            // specialised so that each try is a bare normal draw.
            Window::Reject { lo, hi } => match draw {
                Draw::Normal(d) => reject(*lo, *hi, || d.sample(rng)),
                _ => reject(*lo, *hi, || draw.sample(rng)),
            },
            Window::Inverse(inv) => inv.quantile(rng.random()),
        }
    }
}

/// Draws until a value lies in `[lo, hi]`, at most [`MAX_TRIES`] times; the last draw is
/// clamped into the window.
#[inline(always)]
pub(super) fn reject(lo: f64, hi: f64, mut draw: impl FnMut() -> f64) -> f64 {
    let mut x = draw();
    for _ in 1..MAX_TRIES {
        if x >= lo && x <= hi {
            return x;
        }
        x = draw();
    }
    x.clamp(lo, hi)
}
