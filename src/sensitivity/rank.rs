//! Screening from one ordinary run: how strongly each input is associated with an
//! output across the trials, by standardised regression coefficients (SRC, the linear
//! model on standardised values) and partial rank correlation coefficients (PRCC, the
//! correlation of the ranks of input and output once the ranks of every other input
//! are regressed out; Saltelli & Marivoet 1990, Marino et al. 2008).
//!
//! Intervals, all from the grouped jackknife (see [`super::jackknife`]): for the SRC
//! `β ± t·SE`; for the PRCC and the Spearman coefficient on Fisher's z scale,
//! `tanh(atanh(r) ± t·SE)`. Below 40 trials, or with too few trials for the leave-out
//! regressions, the SRC's is the ordinary least-squares one,
//! `√((1 − R²)/(n − k − 1) · (R⁻¹ₓₓ)ᵢᵢ)`, which ignores the sampling of the inputs, and
//! the others' Fisher's `tanh(atanh(r) ± 1.96/√(n − 3 − c))` with `c` the number of
//! inputs conditioned on (k − 1 for the PRCC, 0 for Spearman), which assumes normal
//! data and is too narrow for a strong input's ranks. R² of the linear model
//! on values and on ranks says how much of the output's variance the ranking can
//! explain: what it leaves is interaction, non-monotone effects and the simulator's own
//! noise, which no input explains.

use super::linalg::{Square, correlation, ranks};
use crate::stats::{Interval, Z95};

/// The coefficients of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Index of the input among the columns given.
    pub input: usize,
    /// Standardised regression coefficient and its 95 % interval.
    pub src: (f64, Interval),
    /// Partial rank correlation coefficient and its 95 % interval.
    pub prcc: (f64, Interval),
    /// Spearman's rank correlation and its 95 % interval.
    pub spearman: (f64, Interval),
}

/// Every input's coefficients, strongest |PRCC| first.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The coefficients, strongest first.
    pub coefficients: Vec<Coefficient>,
    /// R² of the linear model on standardised values.
    pub r2: f64,
    /// R² of the linear model on ranks.
    pub rank_r2: f64,
    /// Trials used.
    pub n: usize,
}

/// Ranks the inputs `x` (one column per input, each of `y.len()` values; constant
/// columns are not allowed) by their association with `y`. It takes the columns so as
/// to reuse them: at its peak it holds them and their ranks, two values an input and
/// trial (see `drawdown rank`'s memory estimate).
///
/// # Errors
/// A message when there are too few trials for the number of inputs, or the inputs are
/// collinear.
pub fn rank(x: Vec<Vec<f64>>, y: &[f64]) -> Result<Ranking, String> {
    let (n, k) = (y.len(), x.len());
    if k == 0 {
        return Err("no uncertain input to rank".into());
    }
    if n < k + 4 {
        return Err(format!(
            "ranking {k} inputs needs at least {} trials, got {n}",
            k + 4
        ));
    }
    let mut cols = x;
    cols.push(y.to_vec());
    // The ranks first, from the values themselves; then the values are standardised in
    // place for their correlation, and dropped.
    let mut rank_cols: Vec<Vec<f64>> = cols.iter().map(|c| ranks(c)).collect();
    let values = correlation(&mut cols);
    let jackknife = super::jackknife::src_errors(&cols, k);
    drop(cols);
    let rank_errors = super::jackknife::rank_errors(&rank_cols, k);
    let rank_corr = correlation(&mut rank_cols);
    let singular = || "the inputs are collinear (one is a function of others)".to_string();
    let (beta, r2, diag) = regression(&values, k).ok_or_else(singular)?;
    let (_, rank_r2, _) = regression(&rank_corr, k).ok_or_else(singular)?;
    let full = rank_corr.inverse().ok_or_else(singular)?;
    let nf = n as f64;
    // Fisher's z: `se` is the jackknife's, or else `1/√(n − 3 − c)`.
    let fisher = |r: f64, c: usize, se: Option<f64>| -> Interval {
        let half = match se {
            Some(se) => super::jackknife::T_975 * se,
            None => Z95 / (nf - 3.0 - c as f64).max(1.0).sqrt(),
        };
        let clamp = super::jackknife::CLAMP;
        let z = r.clamp(-clamp, clamp).atanh();
        Interval {
            low: (z - half).tanh(),
            high: (z + half).tanh(),
        }
    };
    let mut coefficients: Vec<Coefficient> = (0..k)
        .map(|i| {
            let half = match &jackknife {
                Some(se) => super::jackknife::T_975 * se[i],
                None => Z95 * ((1.0 - r2).max(0.0) / (nf - k as f64 - 1.0) * diag[i]).sqrt(),
            };
            let prcc = -full.at(i, k) / (full.at(i, i) * full.at(k, k)).sqrt();
            let spearman = rank_corr.at(i, k);
            Coefficient {
                input: i,
                src: (
                    beta[i],
                    Interval {
                        low: beta[i] - half,
                        high: beta[i] + half,
                    },
                ),
                prcc: (
                    prcc,
                    fisher(prcc, k - 1, rank_errors.as_ref().map(|e| e.0[i])),
                ),
                spearman: (
                    spearman,
                    fisher(spearman, 0, rank_errors.as_ref().map(|e| e.1[i])),
                ),
            }
        })
        .collect();
    coefficients.sort_by(|a, b| {
        b.prcc
            .0
            .abs()
            .total_cmp(&a.prcc.0.abs())
            .then(a.input.cmp(&b.input))
    });
    Ok(Ranking {
        coefficients,
        r2,
        rank_r2,
        n,
    })
}

/// β = R⁻¹ₓₓ rₓᵧ, R² = rₓᵧ·β and the diagonal of R⁻¹ₓₓ, from the correlation matrix of
/// `k` inputs followed by the output.
pub(super) fn regression(c: &Square, k: usize) -> Option<(Vec<f64>, f64, Vec<f64>)> {
    let rxx = Square {
        n: k,
        a: (0..k)
            .flat_map(|i| (0..k).map(move |j| (i, j)))
            .map(|(i, j)| c.at(i, j))
            .collect(),
    };
    let inv = rxx.inverse()?;
    let rxy: Vec<f64> = (0..k).map(|i| c.at(i, k)).collect();
    let beta: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| inv.at(i, j) * rxy[j]).sum())
        .collect();
    let r2 = beta.iter().zip(&rxy).map(|(b, r)| b * r).sum::<f64>();
    let diag = (0..k).map(|i| inv.at(i, i)).collect();
    Some((beta, r2, diag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// y = 3·x₀ + 0·x₁ + noise: the SRC of x₀ is 3σₓ/σᵧ, x₁'s is 0, and the PRCC of x₀
    /// is the partial correlation 3σₓ/√(9σₓ² + σₑ²) (x₁ independent).
    #[test]
    fn singles_out_the_input_that_matters_with_the_known_coefficients() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 4000;
        let x0: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let x1: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let y: Vec<f64> = x0
            .iter()
            .map(|v| 3.0 * v + 0.5 * (rng.random::<f64>() - 0.5))
            .collect();
        let r = rank(vec![x0, x1], &y).expect("ranks");
        assert_eq!(r.coefficients[0].input, 0);
        // Var(3U) = 9/12 = 0.75, Var(0.5(U − ½)) = 0.25/12; SRC = √(0.75/(0.75+0.0208)).
        let want = (0.75f64 / (0.75 + 0.25 / 12.0)).sqrt();
        let (src, _) = r.coefficients[0].src;
        assert!((src - want).abs() < 0.002, "src {src} vs {want}");
        let other = &r.coefficients[1];
        assert!(other.src.1.contains(0.0), "{other:?}");
        assert!(other.prcc.1.contains(0.0), "{other:?}");
        assert!(r.coefficients[0].prcc.0 > 0.95);
        assert!((r.r2 - want * want).abs() < 0.01, "{}", r.r2);
    }

    /// The SRC intervals cover the true coefficients at their 95 %, over 300 seeds, in a
    /// noisy model and in one where the output is a fixed function of the inputs (R² =
    /// 1, where the least-squares error is 0 and covered in none of 200 seeds). Truth:
    /// with independent inputs, SRCᵢ = bᵢσᵢ/σ_y. A coverage p of 300 intervals has a
    /// standard error √(p(1 − p)/300) = 0.0126 at 95 %: the band is ± 3 of them.
    #[test]
    fn src_intervals_cover_the_true_coefficients_at_their_level() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        // y = 3x₀ + x₁ (+ noise): σ² of U(0,1) is 1/12; the noise is 2(U − ½), 4/12.
        for noise in [0.0f64, 2.0] {
            let var_y = (9.0 + 1.0 + noise * noise) / 12.0;
            let want = [3.0 / (12.0 * var_y).sqrt(), 1.0 / (12.0 * var_y).sqrt()];
            let (reps, n) = (300, 400);
            let mut covered = [0; 2];
            for _ in 0..reps {
                let x0: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
                let x1: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
                let y: Vec<f64> = x0
                    .iter()
                    .zip(&x1)
                    .map(|(a, b)| 3.0 * a + b + noise * (rng.random::<f64>() - 0.5))
                    .collect();
                let r = rank(vec![x0, x1], &y).expect("ranks");
                for c in &r.coefficients {
                    covered[c.input] += usize::from(c.src.1.contains(want[c.input]));
                }
            }
            for (i, &c) in covered.iter().enumerate() {
                let share = c as f64 / reps as f64;
                let band = 3.0 * (0.95f64 * 0.05 / reps as f64).sqrt();
                assert!(
                    (share - 0.95).abs() <= band,
                    "noise {noise}, input {i}: coverage {share}"
                );
            }
        }
    }

    /// The PRCC and Spearman intervals cover the true coefficients at their 95 %, over
    /// 300 seeds of 300 trials, where Fisher's normal-theory error is too narrow: normal
    /// inputs x₀, x₁ and y = exp(x₀ + 0.3·x₁ + 0.15·e). Ranks ignore the increasing exp,
    /// so the truth is that of the normal z = x₀ + 0.3·x₁ + 0.15·e: with Pearson
    /// correlations ρ, the rank correlations are (6/π)·asin(ρ/2), and the PRCC is the
    /// partial correlation they give, with independent inputs ρₛ(xᵢ, y)/√(1 − ρₛ(xⱼ, y)²).
    /// Fisher's interval covered x₀'s PRCC (0.980) in 84 % of such seeds, its Spearman
    /// coefficient in 89 % (numpy). The band is ± 3 binomial standard errors.
    #[test]
    fn prcc_and_spearman_intervals_cover_the_truth_at_their_level() {
        use rand_distr::StandardNormal;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let (a, b, c) = (1.0f64, 0.3, 0.15);
        let sd = (a * a + b * b + c * c).sqrt();
        let grade = |rho: f64| 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
        let spearman = [grade(a / sd), grade(b / sd)];
        let prcc = [
            spearman[0] / (1.0 - spearman[1].powi(2)).sqrt(),
            spearman[1] / (1.0 - spearman[0].powi(2)).sqrt(),
        ];
        assert!((prcc[0] - 0.980).abs() < 0.001, "{prcc:?}");
        let (reps, n) = (300, 300);
        let mut covered = [[0; 2]; 2];
        for _ in 0..reps {
            let mut normal = || -> f64 { rng.sample(StandardNormal) };
            let x0: Vec<f64> = (0..n).map(|_| normal()).collect();
            let x1: Vec<f64> = (0..n).map(|_| normal()).collect();
            let y: Vec<f64> = x0
                .iter()
                .zip(&x1)
                .map(|(u, v)| (a * u + b * v + c * normal()).exp())
                .collect();
            let r = rank(vec![x0, x1], &y).expect("ranks");
            for co in &r.coefficients {
                let i = co.input;
                covered[0][i] += usize::from(co.prcc.1.contains(prcc[i]));
                covered[1][i] += usize::from(co.spearman.1.contains(spearman[i]));
            }
        }
        let band = 3.0 * (0.95f64 * 0.05 / reps as f64).sqrt();
        for (what, covered) in ["prcc", "spearman"].iter().zip(covered) {
            for (i, c) in covered.iter().enumerate() {
                let share = *c as f64 / reps as f64;
                assert!(
                    (share - 0.95).abs() <= band,
                    "{what} of input {i}: coverage {share}"
                );
            }
        }
    }

    /// A trial's rank among the trials kept is its rank over all of them less the
    /// left-out trials below it and half those tied with it: the ranks of the kept
    /// values computed afresh, ties included.
    #[test]
    fn ranks_among_the_kept_trials_are_ranks_afresh() {
        let x = [5.0, 3.0, 3.0, 9.0, 1.0, 3.0, 7.0, 5.0, 2.0, 3.0];
        let all = ranks(&x);
        let mut tally = super::super::jackknife::Tally::new(x.len());
        let mut keep = Vec::new();
        for out in [0..2, 2..5, 5..10, 9..10] {
            super::super::jackknife::subset_ranks(&all, out.clone(), &mut tally, &mut keep);
            let kept: Vec<f64> = x[..out.start]
                .iter()
                .chain(&x[out.end..])
                .copied()
                .collect();
            assert_eq!(keep, ranks(&kept), "leaving out {out:?}");
        }
    }

    #[test]
    fn refuses_too_few_trials() {
        let x = vec![vec![1.0, 2.0, 3.0]; 2];
        assert!(rank(x, &[1.0, 2.0, 3.0]).is_err());
    }
}
