//! Standard errors of the standardised regression coefficients by the grouped
//! (delete-a-group) jackknife.
//!
//! The least-squares standard error of a standardised coefficient,
//! `√((1 − R²)/(n − k − 1) · (R⁻¹ₓₓ)ᵢᵢ)`, treats the inputs as fixed. In a Monte Carlo
//! run they are drawn, and a standardised coefficient `bᵢ·sₓᵢ/s_y` also moves with the
//! sampled spreads: when the output is nearly a fixed function of the inputs (an R²
//! near 1) that formula goes to 0 while the coefficient still varies from one run to
//! the next, so its interval covered the true value in none of 200 seeds of such a
//! case; for a strong input of a noisy output it was ten times too wide.
//! The jackknife measures the spread of the coefficient itself: the trials are cut into
//! [`GROUPS`] contiguous groups, the coefficients are computed again with each group
//! left out, and `SE = √((G − 1)/G · Σ (β₋g − β̄)²)` (Efron & Tibshirani 1993, §11.5).
//! The interval is `β ± t·SE` with `t` Student's 97.5 % quantile on `G − 1` degrees of
//! freedom. Trials are independent and in trial order, so contiguous groups are random
//! groups.

use super::linalg::Square;

/// Groups of trials left out in turn.
pub const GROUPS: usize = 20;

/// Student's t 0.975 quantile with `GROUPS − 1` = 19 degrees of freedom.
pub const T_975: f64 = 2.093_024_054_408_263;

/// The jackknife standard error of each of the `k` standardised regression coefficients
/// of the last column of `cols` on the first `k`, the columns standardised (mean 0, sd
/// 1). `None` when there are too few trials for every group's leave-out regression
/// (fewer than `2·GROUPS`, or fewer than `k + 4` left), or one of them is singular:
/// the caller then keeps the least-squares error.
pub fn src_errors(cols: &[Vec<f64>], k: usize) -> Option<Vec<f64>> {
    let n = cols.first().map_or(0, Vec::len);
    if cols.len() != k + 1 || n < 2 * GROUPS || n - n / GROUPS < k + 4 {
        return None;
    }
    let w = k + 1;
    let bounds = |g: usize| (g * n / GROUPS, (g + 1) * n / GROUPS);
    // Per group, the sums of each column and of each product of two (upper triangle).
    let sums: Vec<(Vec<f64>, Vec<f64>)> = (0..GROUPS)
        .map(|g| {
            let (a, b) = bounds(g);
            let s = cols.iter().map(|c| c[a..b].iter().sum()).collect();
            let mut p = vec![0.0; w * w];
            for i in 0..w {
                for j in i..w {
                    p[i * w + j] = cols[i][a..b]
                        .iter()
                        .zip(&cols[j][a..b])
                        .map(|(x, y)| x * y)
                        .sum();
                }
            }
            (s, p)
        })
        .collect();
    let (mut s_all, mut p_all) = (vec![0.0; w], vec![0.0; w * w]);
    for (s, p) in &sums {
        s_all.iter_mut().zip(s).for_each(|(t, v)| *t += v);
        p_all.iter_mut().zip(p).for_each(|(t, v)| *t += v);
    }
    let mut betas = Vec::with_capacity(GROUPS);
    for (g, (s, p)) in sums.iter().enumerate() {
        let (a, b) = bounds(g);
        let m = (n - (b - a)) as f64;
        let cov = |i: usize, j: usize| {
            let (i, j) = (i.min(j), i.max(j));
            let (si, sj) = (s_all[i] - s[i], s_all[j] - s[j]);
            (p_all[i * w + j] - p[i * w + j] - si * sj / m) / (m - 1.0)
        };
        let sd: Vec<f64> = (0..w).map(|i| cov(i, i).max(0.0).sqrt()).collect();
        if sd.iter().any(|&v| v <= 0.0) {
            return None;
        }
        let corr = Square {
            n: w,
            a: (0..w)
                .flat_map(|i| (0..w).map(move |j| (i, j)))
                .map(|(i, j)| {
                    if i == j {
                        1.0
                    } else {
                        cov(i, j) / (sd[i] * sd[j])
                    }
                })
                .collect(),
        };
        let (beta, _, _) = super::rank::regression(&corr, k)?;
        betas.push(beta);
    }
    let g = GROUPS as f64;
    Some(
        (0..k)
            .map(|i| {
                let mean = betas.iter().map(|b| b[i]).sum::<f64>() / g;
                let ss = betas.iter().map(|b| (b[i] - mean).powi(2)).sum::<f64>();
                ((g - 1.0) / g * ss).sqrt()
            })
            .collect(),
    )
}
