//! The probability laws whose CDF is known: exact truncation masses, truncated means
//! and inverse-CDF sampling inside a truncation window.
//!
//! Each law reports both tails `(P(X ≤ x), P(X > x))`, and a mass is taken as a
//! difference of whichever tail is small, so a window far in the tail keeps its
//! relative accuracy.

use super::incomplete::{beta_inc, gamma_pq};
use super::special::{norm_cdf, norm_pdf, norm_quantile, norm_sf};

/// A law with a computable CDF (every kind that can be truncated, except empirical).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Law {
    /// Normal(mean, sd), sd ≥ 0.
    Normal { mean: f64, sd: f64 },
    /// exp(Normal(mu, sigma)), sigma ≥ 0.
    LogNormal { mu: f64, sigma: f64 },
    /// Gamma(shape, scale), both > 0.
    Gamma { shape: f64, scale: f64 },
    /// Poisson(mean), mean ≥ 0.
    Poisson { mean: f64 },
    /// Negative binomial with mean `mean` and size (dispersion) `k`.
    NegBin { mean: f64, k: f64 },
}

impl Law {
    /// Whether the law lives on the integers.
    pub(crate) fn is_discrete(&self) -> bool {
        matches!(self, Law::Poisson { .. } | Law::NegBin { .. })
    }

    /// `(P(X ≤ x), P(X > x))`.
    pub(crate) fn cdf(&self, x: f64) -> (f64, f64) {
        let step = |at: f64| if x >= at { (1.0, 0.0) } else { (0.0, 1.0) };
        match *self {
            Law::Normal { mean, sd: 0.0 } => step(mean),
            Law::Normal { mean, sd } => std_tails((x - mean) / sd),
            Law::LogNormal { .. } | Law::Gamma { .. } if x <= 0.0 => (0.0, 1.0),
            Law::LogNormal { mu, sigma: 0.0 } => step(mu.exp()),
            Law::LogNormal { mu, sigma } => std_tails((x.ln() - mu) / sigma),
            Law::Gamma { shape, scale } => gamma_pq(shape, x / scale),
            Law::Poisson { .. } | Law::NegBin { .. } if x < 0.0 => (0.0, 1.0),
            Law::Poisson { mean } | Law::NegBin { mean, .. } if mean == 0.0 => (1.0, 0.0),
            Law::Poisson { .. } | Law::NegBin { .. } if x.is_infinite() => (1.0, 0.0),
            Law::Poisson { mean } => {
                // P(X ≤ n) = Q(n + 1, mean).
                let (p, q) = gamma_pq(x.floor() + 1.0, mean);
                (q, p)
            }
            Law::NegBin { mean, k } => {
                // P(X ≤ n) = I_p(k, n + 1), p = k / (k + mean).
                let total = k + mean;
                beta_inc(k, x.floor() + 1.0, k / total, mean / total)
            }
        }
    }

    /// `(P(X < x), P(X ≥ x))`.
    fn cdf_below(&self, x: f64) -> (f64, f64) {
        if self.is_discrete() {
            self.cdf(x.ceil() - 1.0)
        } else {
            self.cdf(x)
        }
    }

    /// P(lo ≤ X ≤ hi).
    pub(crate) fn mass(&self, lo: f64, hi: f64) -> f64 {
        Tail::new(self, lo).mass_to(self, hi)
    }

    /// The untruncated mean.
    pub(crate) fn mean(&self) -> f64 {
        match *self {
            Law::Normal { mean, .. } | Law::Poisson { mean } | Law::NegBin { mean, .. } => mean,
            Law::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Law::Gamma { shape, scale } => shape * scale,
        }
    }

    /// E[X | lo ≤ X ≤ hi], given `mass` = P(lo ≤ X ≤ hi) > 0.
    ///
    /// Each uses the identity x·f(x) = mean·g(x) for a related law g, so the partial
    /// mean is a mass of g: φ′ = −zφ (normal), a shift by σ² (lognormal), shape + 1
    /// (gamma), x·pmf(x) = λ·pmf(x − 1) (Poisson), size k + 1 (negative binomial).
    pub(crate) fn truncated_mean(&self, lo: f64, hi: f64, mass: f64) -> f64 {
        let raw = match *self {
            Law::Normal { mean, sd: 0.0 } => return mean,
            Law::Normal { mean, sd } => {
                let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                return mean + sd * (norm_pdf(a) - norm_pdf(b)) / mass;
            }
            Law::LogNormal { mu, sigma } => {
                let shifted = Law::Normal {
                    mean: mu + sigma * sigma,
                    sd: sigma,
                };
                self.mean() * shifted.mass(lo.max(0.0).ln(), hi.ln())
            }
            Law::Gamma { shape, scale } => {
                self.mean()
                    * Law::Gamma {
                        shape: shape + 1.0,
                        scale,
                    }
                    .mass(lo, hi)
            }
            Law::Poisson { mean } => mean * self.mass(lo - 1.0, hi - 1.0),
            Law::NegBin { mean, k } => {
                let bigger = Law::NegBin {
                    mean: mean * (k + 1.0) / k,
                    k: k + 1.0,
                };
                mean * bigger.mass(lo - 1.0, hi - 1.0)
            }
        };
        (raw / mass).clamp(lo, hi)
    }

    /// The smallest and largest values of the untruncated law.
    pub(crate) fn support(&self) -> (f64, f64) {
        match *self {
            Law::Normal { mean, sd: 0.0 } => (mean, mean),
            Law::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Law::LogNormal { mu, sigma: 0.0 } => (mu.exp(), mu.exp()),
            Law::Poisson { mean } | Law::NegBin { mean, .. } if mean == 0.0 => (0.0, 0.0),
            _ => (0.0, f64::INFINITY),
        }
    }
}

/// `(Φ(z), 1 − Φ(z))`, each accurate in its own tail.
fn std_tails(z: f64) -> (f64, f64) {
    if z < 0.0 {
        let p = norm_cdf(z);
        (p, 1.0 - p)
    } else {
        let q = norm_sf(z);
        (1.0 - q, q)
    }
}

/// The probability below a window's lower bound, from whichever side is accurate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tail {
    /// Measure from the top: `base` = P(X ≥ lo), else `base` = P(X < lo).
    upper: bool,
    base: f64,
}

impl Tail {
    fn new(law: &Law, lo: f64) -> Tail {
        let (below, at_or_above) = law.cdf_below(lo);
        if below > 0.5 {
            Tail {
                upper: true,
                base: at_or_above,
            }
        } else {
            Tail {
                upper: false,
                base: below,
            }
        }
    }

    /// P(lo ≤ X ≤ x).
    fn mass_to(&self, law: &Law, x: f64) -> f64 {
        let (p, q) = law.cdf(x);
        let m = if self.upper {
            self.base - q
        } else {
            p - self.base
        };
        m.clamp(0.0, 1.0)
    }
}

/// Inverse-CDF sampling of a law restricted to `[lo, hi]`: exact, whatever the mass.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Inverse {
    law: Law,
    lo: f64,
    hi: f64,
    tail: Tail,
    mass: f64,
}

/// Bisection steps of the continuous search (enough to reach one ulp).
const BISECT_STEPS: usize = 1100;

impl Inverse {
    /// Prepares the window `[lo, hi]`, which must hold a positive mass.
    pub(crate) fn new(law: Law, lo: f64, hi: f64) -> Inverse {
        let tail = Tail::new(&law, lo);
        let mass = tail.mass_to(&law, hi);
        Inverse {
            law,
            lo,
            hi,
            tail,
            mass,
        }
    }

    /// Maps `u` ∈ [0, 1) to the value whose window CDF is `u`.
    pub(crate) fn quantile(&self, u: f64) -> f64 {
        let t = u * self.mass;
        let x = match self.law {
            Law::Normal { mean, sd } => mean + sd * self.std_quantile(t),
            Law::LogNormal { mu, sigma } => (mu + sigma * self.std_quantile(t)).exp(),
            _ if self.law.is_discrete() => self.walk(t),
            _ => self.search_real(t),
        };
        x.clamp(self.lo, self.hi)
    }

    /// The standard normal value at window mass `t` (closed form).
    fn std_quantile(&self, t: f64) -> f64 {
        if self.tail.upper {
            -norm_quantile(self.tail.base - t)
        } else {
            norm_quantile(self.tail.base + t)
        }
    }

    /// A finite upper bracket where the window mass reaches `t`.
    fn bracket(&self, t: f64) -> f64 {
        if self.hi.is_finite() {
            return self.hi;
        }
        let start = self.lo.max(0.0);
        let mut width = self.law.mean().abs().max(start.abs()).max(1.0);
        for _ in 0..BISECT_STEPS {
            if self.tail.mass_to(&self.law, start + width) >= t {
                break;
            }
            width *= 2.0;
        }
        start + width
    }

    /// Bisection for a continuous law (gamma).
    fn search_real(&self, t: f64) -> f64 {
        let (mut a, mut b) = (self.lo.max(0.0), self.bracket(t));
        for _ in 0..BISECT_STEPS {
            let mid = 0.5 * (a + b);
            if mid <= a || mid >= b {
                break;
            }
            if self.tail.mass_to(&self.law, mid) < t {
                a = mid;
            } else {
                b = mid;
            }
        }
        0.5 * (a + b)
    }

    /// A walk over the integers of the window from the end nearer the mean (where a
    /// low-mass window concentrates its mass), summing the pmf by its recursion until
    /// the running mass reaches `t`.
    fn walk(&self, t: f64) -> f64 {
        let upward = self.lo >= self.law.mean() || self.hi.is_infinite();
        let (mut x, step) = if upward {
            (self.lo, 1.0)
        } else {
            (self.hi, -1.0)
        };
        // Walking down, stop at the first x whose upper mass P(x ≤ X ≤ hi) exceeds
        // mass − t: the same x as walking up, so the quantile stays monotone in u.
        let reached = |acc: f64| {
            if upward {
                acc >= t
            } else {
                acc > self.mass - t
            }
        };
        let mut p = self.law.mass(x, x);
        let mut acc = 0.0;
        loop {
            acc += p;
            let next = x + step;
            if reached(acc) || next < self.lo || next > self.hi || p <= acc * 1e-17 {
                return x;
            }
            p *= self.pmf_ratio(x, next);
            x = next;
        }
    }

    /// pmf(to) / pmf(from) for neighbouring integers.
    fn pmf_ratio(&self, from: f64, to: f64) -> f64 {
        let (low, high) = (from.min(to), from.max(to));
        // pmf(low + 1) / pmf(low)
        let up = match self.law {
            Law::Poisson { mean } => mean / (low + 1.0),
            Law::NegBin { mean, k } => (low + k) / (low + 1.0) * (mean / (k + mean)),
            _ => 1.0,
        };
        if to == high { up } else { 1.0 / up }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Poisson and negative binomial probabilities by the pmf recursions.
    fn pmf_table(law: Law, n: usize) -> Vec<f64> {
        let (mut p, ratio): (f64, Box<dyn Fn(f64) -> f64>) = match law {
            Law::Poisson { mean } => ((-mean).exp(), Box::new(move |x| mean / (x + 1.0))),
            Law::NegBin { mean, k } => {
                let q = mean / (k + mean);
                (
                    (k / (k + mean)).powf(k),
                    Box::new(move |x| (x + k) / (x + 1.0) * q),
                )
            }
            _ => unreachable!(),
        };
        (0..n)
            .map(|x| {
                let here = p;
                p *= ratio(x as f64);
                here
            })
            .collect()
    }

    #[test]
    fn discrete_cdfs_match_summed_pmfs() {
        let laws = [
            Law::Poisson { mean: 3.5 },
            Law::Poisson { mean: 600.0 },
            Law::NegBin { mean: 40.0, k: 2.5 },
            Law::NegBin {
                mean: 600.0,
                k: 8.0,
            },
        ];
        for law in laws {
            let pmf = pmf_table(law, 6000);
            let mut cum = 0.0;
            for (n, p) in pmf.iter().enumerate().take(1500) {
                cum += p;
                let (lower, upper) = law.cdf(n as f64);
                let rel = ((lower - cum) / cum).abs();
                assert!(rel < 1e-9, "{law:?} at {n}: {lower} vs {cum}");
                let tail: f64 = pmf[n + 1..].iter().sum();
                assert!(((upper - tail) / tail.max(1e-300)).abs() < 1e-7 || tail < 1e-200);
            }
        }
    }

    #[test]
    fn truncated_means_match_summed_pmfs() {
        let law = Law::NegBin {
            mean: 600.0,
            k: 8.0,
        };
        let pmf = pmf_table(law, 5000);
        let (lo, hi) = (700.0, 1200.0);
        let window = &pmf[700..=1200];
        let mass: f64 = window.iter().sum();
        let mean = window
            .iter()
            .zip(700..)
            .map(|(p, x)| p * f64::from(x))
            .sum::<f64>()
            / mass;
        assert!((law.mass(lo, hi) / mass - 1.0).abs() < 1e-9);
        assert!((law.truncated_mean(lo, hi, mass) / mean - 1.0).abs() < 1e-9);
    }

    #[test]
    fn inverse_quantiles_stay_in_the_window_and_are_monotone() {
        let laws = [
            (Law::Normal { mean: 0.0, sd: 1.0 }, 6.0, f64::INFINITY),
            (
                Law::LogNormal {
                    mu: 0.0,
                    sigma: 1.0,
                },
                0.001,
                0.002,
            ),
            (
                Law::Gamma {
                    shape: 2.0,
                    scale: 3.0,
                },
                60.0,
                f64::INFINITY,
            ),
            (Law::Poisson { mean: 5000.0 }, 5300.0, f64::INFINITY),
            (
                Law::NegBin {
                    mean: 5000.0,
                    k: 8.0,
                },
                0.0,
                600.0,
            ),
        ];
        for (law, lo, hi) in laws {
            let inv = Inverse::new(law, lo, hi);
            let mut last = f64::NEG_INFINITY;
            for i in 0..50 {
                let x = inv.quantile(f64::from(i) / 50.0);
                assert!(x >= lo && x <= hi && x >= last, "{law:?}: {x}");
                last = x;
            }
        }
    }
}
