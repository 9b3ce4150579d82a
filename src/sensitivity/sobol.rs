//! Variance-based global sensitivity (Sobol indices) of a noisy simulator.
//!
//! **The design** (Saltelli 2002, 2010): two independent N × k matrices A and B of
//! uniform draws; for each factor i, ABᵢ is A with column i taken from B. Each of the
//! (k + 2)·N design rows — per base row j: Aⱼ, Bⱼ, AB₁ⱼ … ABₖⱼ — runs `r` trials with
//! their own, independent random streams, and the output of the row is the mean ȳ of its
//! r trials, with their sample variance s².
//!
//! **The noise.** A trial's output is Y = g(x) + ε: g is what the inputs decide (the
//! conditional mean), ε the simulator's own noise (daily need, breakdowns, lead times),
//! with E[ε | x] = 0. The indices reported are those of g, so noise never passes for
//! sensitivity: row means carry noise of variance σ²(x)/r, estimated without bias by
//! s²/r, and every estimator subtracts it where it enters.
//! - Variance of g: V = Var(ȳ over the A and B rows) − mean(s²)/r.
//! - First order (Saltelli 2010): Vᵢ = mean_j (ȳ(Bⱼ) − f̂₀)·(ȳ(ABᵢⱼ) − ȳ(Aⱼ)), with the
//!   outputs centred on their mean f̂₀ (which leaves the expectation unchanged and cuts
//!   the estimator's variance when the mean is large); the rows' noises are independent
//!   with mean 0, so noise adds variance to the estimate, not bias.
//! - Total (Jansen 1999): V_Tᵢ = mean_j [(ȳ(Aⱼ) − ȳ(ABᵢⱼ))² − (s²(Aⱼ) + s²(ABᵢⱼ))/r] / 2,
//!   since E[(ε̄_A − ε̄_AB)²] = (σ²_A + σ²_AB)/r.
//! - Sᵢ = Vᵢ/V, S_Tᵢ = V_Tᵢ/V; and the noise share σ̄²/(V + σ̄²), the part of one trial's
//!   variance that no input explains.
//!
//! Intervals: percentile bootstrap over the base rows j (all of a row's design points
//! move together), with a fixed seed.

use crate::stats::{Interval, sorted_quantile};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The sampling plan: k factors, N base rows, uniform draws in [0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Factors.
    pub k: usize,
    /// Base rows.
    pub n: usize,
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Plan {
    /// A plan of `n` base rows over `k` factors, drawn from `seed`.
    pub fn new(k: usize, n: usize, seed: u64) -> Plan {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut draw = || {
            (0..n * k)
                .map(|_| rng.random::<f64>())
                .collect::<Vec<f64>>()
        };
        let a = draw();
        let b = draw();
        Plan { k, n, a, b }
    }

    /// Design rows per base row: A, B and one ABᵢ per factor.
    pub fn per_base(&self) -> usize {
        self.k + 2
    }

    /// The uniforms of every design row, in order: for each base row j, Aⱼ, Bⱼ, AB₁ⱼ … ABₖⱼ.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        let k = self.k;
        let mut rows = Vec::with_capacity(self.n * self.per_base());
        for j in 0..self.n {
            let a = &self.a[j * k..(j + 1) * k];
            let b = &self.b[j * k..(j + 1) * k];
            rows.push(a.to_vec());
            rows.push(b.to_vec());
            for i in 0..k {
                let mut ab = a.to_vec();
                ab[i] = b[i];
                rows.push(ab);
            }
        }
        rows
    }
}

/// The outputs of one design row: the mean and sample variance of its trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowStats {
    /// Mean output.
    pub mean: f64,
    /// Sample variance of the outputs (n − 1).
    pub var: f64,
}

impl RowStats {
    /// The statistics of one row's outputs (at least two).
    pub fn of(y: &[f64]) -> RowStats {
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n.max(1.0);
        let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        RowStats { mean, var }
    }
}

/// First-order and total indices of one factor, with 95 % bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Index {
    /// First-order index Sᵢ.
    pub first: (f64, Interval),
    /// Total index S_Tᵢ.
    pub total: (f64, Interval),
}

/// The analysis of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Per factor.
    pub indices: Vec<Index>,
    /// Mean output over the A and B rows.
    pub mean: f64,
    /// Variance of the conditional mean g(x) (noise removed).
    pub variance: f64,
    /// Mean noise variance of one trial, σ̄².
    pub noise: f64,
    /// Noise share of one trial's variance, σ̄²/(V + σ̄²).
    pub noise_share: f64,
}

/// Bootstrap resamples.
pub const BOOTSTRAP: usize = 1000;

/// Estimates the indices from the statistics of every design row (in [`Plan::rows`]
/// order), `r` trials per row (at least 2).
pub fn analyse(plan: &Plan, r: usize, rows: &[RowStats], seed: u64) -> Analysis {
    let (k, n) = (plan.k, plan.n);
    let per = plan.per_base();
    debug_assert_eq!(rows.len(), n * per);
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(k, per, r, rows, &all);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut boots: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut sample = vec![0usize; n];
    for _ in 0..BOOTSTRAP {
        for s in &mut sample {
            *s = rng.random_range(0..n.max(1));
        }
        let e = estimate(k, per, r, rows, &sample);
        for (b, i) in boots.iter_mut().zip(e.indices) {
            b.push(i);
        }
    }
    let indices = (0..k)
        .map(|i| {
            let (s, st) = point.indices[i];
            let firsts: Vec<f64> = boots[i].iter().map(|x| x.0).collect();
            let totals: Vec<f64> = boots[i].iter().map(|x| x.1).collect();
            Index {
                first: (s, percentile_interval(firsts)),
                total: (st, percentile_interval(totals)),
            }
        })
        .collect();
    Analysis {
        indices,
        mean: point.mean,
        variance: point.variance,
        noise: point.noise,
        noise_share: if point.variance + point.noise > 0.0 {
            point.noise / (point.variance.max(0.0) + point.noise)
        } else {
            0.0
        },
    }
}

struct Estimate {
    indices: Vec<(f64, f64)>,
    mean: f64,
    variance: f64,
    noise: f64,
}

/// The estimators of the module docs over the base rows `js` (with repeats).
fn estimate(k: usize, per: usize, r: usize, rows: &[RowStats], js: &[usize]) -> Estimate {
    let m = js.len().max(1) as f64;
    let rf = r.max(1) as f64;
    let row = |j: usize, d: usize| rows[j * per + d];
    let ab: Vec<f64> = js
        .iter()
        .flat_map(|&j| [row(j, 0).mean, row(j, 1).mean])
        .collect();
    let mean = ab.iter().sum::<f64>() / (2.0 * m);
    let spread = ab.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (2.0 * m - 1.0).max(1.0);
    let noise = js
        .iter()
        .map(|&j| row(j, 0).var + row(j, 1).var)
        .sum::<f64>()
        / (2.0 * m);
    let variance = spread - noise / rf;
    let indices = (0..k)
        .map(|i| {
            let (mut vi, mut vti) = (0.0, 0.0);
            for &j in js {
                let (a, b, abi) = (row(j, 0), row(j, 1), row(j, 2 + i));
                vi += (b.mean - mean) * (abi.mean - a.mean);
                vti += (a.mean - abi.mean).powi(2) - (a.var + abi.var) / rf;
            }
            let (vi, vti) = (vi / m, vti / (2.0 * m));
            if variance > 0.0 {
                (vi / variance, vti / variance)
            } else {
                (0.0, 0.0)
            }
        })
        .collect();
    Estimate {
        indices,
        mean,
        variance,
        noise,
    }
}

/// The 2.5 % and 97.5 % points (type 7) of `x`.
fn percentile_interval(mut x: Vec<f64>) -> Interval {
    x.sort_by(f64::total_cmp);
    Interval {
        low: sorted_quantile(&x, 0.025),
        high: sorted_quantile(&x, 0.975),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, Normal};
    use std::f64::consts::PI;

    /// The Ishigami function (a = 7, b = 0.1) on [−π, π]³.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Known values (Ishigami & Homma 1990; Sobol & Levitan 1999): V = a²/8 + bπ⁴/5 +
    /// b²π⁸/18 + 1/2; S₁ = (1 + bπ⁴/5)²/(2V), S₂ = a²/(8V), S₃ = 0;
    /// S_T1 = S₁ + 8b²π⁸/(225V), S_T2 = S₂, S_T3 = 8b²π⁸/(225V).
    fn truth() -> ([f64; 3], [f64; 3], f64) {
        let (a, b) = (7.0f64, 0.1f64);
        let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
        let s1 = (1.0 + b * PI.powi(4) / 5.0).powi(2) / (2.0 * v);
        let s2 = a * a / (8.0 * v);
        let s13 = 8.0 * b * b * PI.powi(8) / (225.0 * v);
        ([s1, s2, 0.0], [s1 + s13, s2, s13], v)
    }

    /// Runs the Ishigami function through the plan with Gaussian noise of sd `sigma`.
    fn run(n: usize, r: usize, sigma: f64, seed: u64) -> Analysis {
        let plan = Plan::new(3, n, seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed + 1);
        let noise = Normal::new(0.0, sigma).expect("sd");
        let stats: Vec<RowStats> = plan
            .rows()
            .iter()
            .map(|u| {
                let y: Vec<f64> = (0..r)
                    .map(|_| ishigami(u) + noise.sample(&mut rng))
                    .collect();
                RowStats::of(&y)
            })
            .collect();
        analyse(&plan, r, &stats, seed + 2)
    }

    #[test]
    fn the_truth_is_the_published_one() {
        let (s, st, v) = truth();
        // Published: V = 13.845, S = 0.3139, 0.4424, 0; S_T = 0.5576, 0.4424, 0.2437.
        assert!((v - 13.845).abs() < 1e-3);
        for (got, want) in s
            .iter()
            .chain(&st)
            .zip([0.3139, 0.4424, 0.0, 0.5576, 0.4424, 0.2437])
        {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
    }

    #[test]
    fn recovers_ishigami_through_heavy_noise() {
        // Noise sd 3 (variance 9, two thirds of the signal's 13.8) and 4 trials a row.
        let (s, st, v) = truth();
        let a = run(4000, 4, 3.0, 2024);
        assert!((a.variance - v).abs() < 0.1 * v, "V {} vs {v}", a.variance);
        assert!((a.noise - 9.0).abs() < 0.5, "noise {}", a.noise);
        for i in 0..3 {
            let got = a.indices[i];
            assert!(
                got.first.1.contains(s[i]),
                "S{} {:?} vs {}",
                i + 1,
                got.first,
                s[i]
            );
            assert!(
                got.total.1.contains(st[i]),
                "ST{} {:?} vs {}",
                i + 1,
                got.total,
                st[i]
            );
            assert!(
                got.total.1.width() < 0.2,
                "ST{} too wide: {:?}",
                i + 1,
                got.total
            );
        }
    }

    #[test]
    fn without_the_noise_correction_the_total_index_of_an_inert_factor_is_not_zero() {
        // The correction is what keeps noise from passing for sensitivity: a factor
        // that does nothing (x₃ alone has S₃ = 0; here we check the uncorrected Jansen
        // term of a constant function) would show the noise.
        let plan = Plan::new(2, 2000, 5);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let noise = Normal::new(0.0, 1.0).expect("sd");
        let stats: Vec<RowStats> = plan
            .rows()
            .iter()
            .map(|u| {
                let y: Vec<f64> = (0..4)
                    .map(|_| 10.0 * u[0] + noise.sample(&mut rng))
                    .collect();
                RowStats::of(&y)
            })
            .collect();
        let a = analyse(&plan, 4, &stats, 7);
        // x₂ is inert: its corrected total index is 0 within its interval.
        assert!(a.indices[1].total.1.contains(0.0), "{:?}", a.indices[1]);
        // Uncorrected, mean (ȳ_A − ȳ_AB)²/2 ≈ σ²/r = 0.25 against V = 100/12.
        let naive: f64 = (0..plan.n)
            .map(|j| (stats[j * 4].mean - stats[j * 4 + 3].mean).powi(2) / 2.0)
            .sum::<f64>()
            / plan.n as f64;
        assert!(naive / (100.0 / 12.0) > 0.02, "naive {naive}");
        assert!(
            (a.indices[0].first.0 - 1.0).abs() < 0.05,
            "{:?}",
            a.indices[0]
        );
    }
}
