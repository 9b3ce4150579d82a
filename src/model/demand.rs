//! The daily demand draw, shared by the model and the random-number floor benchmark so
//! that the benchmark measures exactly the sampler the model uses.

use super::limits::{MAX_DAY_NEED, MAX_DAY_RAIDS};
use crate::dist::{CachedPoisson, Dist, LargeShape, count};
use crate::engine::StreamRng;
use rand_distr::{Distribution, Gamma};

/// The mixing distribution of negative-binomial demand: Gamma(k, 1) for dispersion k.
#[derive(Clone, Copy, Debug)]
pub struct DemandGamma {
    gamma: Gamma<f64>,
    /// The shape k.
    k: f64,
    /// The same sampler as `gamma`, inlined, for k > 1 (see [`LargeShape`]).
    large: Option<LargeShape>,
}

impl DemandGamma {
    /// A day's mean `mean` times Gamma(k, 1) / k (of mean 1 and variance 1/k),
    /// computed as `mean · g / k`.
    #[inline(always)]
    pub fn mix(&self, mean: f64, rng: &mut StreamRng) -> f64 {
        let g = match &self.large {
            Some(large) => large.sample(rng),
            None => self.gamma.sample(rng),
        };
        mean * g / self.k
    }
}

/// The mixing distribution for dispersion `k`; `None` (Poisson demand) when absent or
/// not a valid shape.
pub fn demand_gamma(dispersion: Option<f64>) -> Option<DemandGamma> {
    dispersion.and_then(|k| {
        Gamma::new(k, 1.0).ok().map(|gamma| DemandGamma {
            gamma,
            k,
            large: LargeShape::new(k),
        })
    })
}

/// Draws a day's demand with mean `mean`: Poisson(mean), or negative binomial as a
/// gamma–Poisson mixture, Poisson(mean · Gamma(k, 1) / k), whose variance is
/// mean + mean²/k. Both draws are exact: rand_distr's gamma, and
/// [`crate::dist::poisson_stream`] (inversion from one uniform below a mean of 12,
/// rand_distr's Ahrens–Dieter above, with one uniform more).
///
/// The draw is cut to [`MAX_DAY_NEED`] (see [`super::limits`]), and so is the Poisson
/// mean, which keeps the sampler finite whatever the regime multiplier.
#[inline]
pub fn draw_demand(mean: f64, gamma: Option<&DemandGamma>, rng: &mut StreamRng) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    let lambda = match gamma {
        Some(g) => g.mix(mean, rng),
        None => mean,
    };
    let lambda = lambda.min(MAX_DAY_NEED as f64);
    (crate::dist::poisson_stream(lambda, rng) as u64).min(MAX_DAY_NEED)
}

/// The model's daily demand draw: [`draw_demand`] with the Poisson drawn by `poisson`,
/// which inverts a tabulated CDF once the same mean has come back enough days in a row
/// (a plain Poisson demand whose mean is constant over a period: see
/// [`CachedPoisson`]). The same distribution as [`draw_demand`], exactly; other values
/// from the same stream once the table is in use. A negative-binomial demand draws a
/// new mean every day, so it draws exactly as [`draw_demand`] does (the cache is not
/// consulted).
///
/// Call [`CachedPoisson::restart`] at the start of each trial.
#[inline]
pub fn draw_demand_cached(
    mean: f64,
    gamma: Option<&DemandGamma>,
    poisson: &mut CachedPoisson,
    rng: &mut StreamRng,
) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    let draw = match gamma {
        // A new mean every day: no run to cache.
        Some(g) => {
            let lambda = g.mix(mean, rng).min(MAX_DAY_NEED as f64);
            crate::dist::poisson_stream(lambda, rng)
        }
        None => poisson.sample(mean.min(MAX_DAY_NEED as f64), rng),
    };
    (draw as u64).min(MAX_DAY_NEED)
}

/// `out.len()` days of need of a plain Poisson front (no dispersion) at mean `mean`:
/// what as many calls of [`draw_demand_cached`] give, from the same stream, with the
/// tabulated draws made in one loop of table reads ([`CachedPoisson::fill_counts`]).
pub fn fill_demand_cached(
    mean: f64,
    poisson: &mut CachedPoisson,
    rng: &mut StreamRng,
    out: &mut [u64],
) {
    if mean.is_nan() || mean <= 0.0 {
        out.fill(0);
        return;
    }
    let lambda = mean.min(MAX_DAY_NEED as f64);
    poisson.fill_counts(lambda, rng, out);
    for need in out.iter_mut() {
        *need = (*need).min(MAX_DAY_NEED);
    }
}

/// Draws a day's compound need: `N` raids, with `N` drawn as [`draw_demand`] draws a
/// day's count around `raids` (Poisson, or negative binomial with `gamma`), then one
/// draw of `per_raid` (as a count) for each raid, summed. Raid count and sizes come from
/// the same stream, so a scenario without compound demand draws exactly as before. A
/// fixed size ([`Dist::constant`]) draws nothing per raid, so it is one multiplication.
///
/// Mean `E[N]·E[X]` and variance `E[N]·Var(X) + Var(N)·E[X]²` (Wald; tested below). The
/// raid count is cut to [`MAX_DAY_RAIDS`] and the sum to [`MAX_DAY_NEED`].
pub fn draw_compound(
    raids: f64,
    gamma: Option<&DemandGamma>,
    per_raid: &Dist,
    rng: &mut StreamRng,
) -> u64 {
    let n = draw_demand(raids, gamma, rng).min(MAX_DAY_RAIDS);
    if let Some(v) = per_raid.constant() {
        // A fixed size draws nothing per raid: n·size, at most 10^6 · 10^6.
        return (n * count(v)).min(MAX_DAY_NEED);
    }
    let mut need: u64 = 0;
    for _ in 0..n {
        // At most 10^6 raids of at most 10^6 rounds: no overflow.
        need += per_raid.sample_count(rng);
    }
    need.min(MAX_DAY_NEED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::DistSpec;
    use crate::engine::{StreamId, stream_rng};

    /// Mean and variance of `draws` daily compound needs.
    fn moments(raids: f64, k: Option<f64>, per_raid: &DistSpec, draws: usize) -> (f64, f64) {
        let x = per_raid.build().expect("valid test distribution");
        let gamma = demand_gamma(k);
        let mut rng = stream_rng(7, 0, StreamId(3));
        let v: Vec<f64> = (0..draws)
            .map(|_| draw_compound(raids, gamma.as_ref(), &x, &mut rng) as f64)
            .collect();
        let mean = v.iter().sum::<f64>() / draws as f64;
        let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
        (mean, var)
    }

    /// Known answer: N ~ negative binomial (mean 3, k = 2: Var N = 3 + 9/2 = 7.5),
    /// X ~ Poisson(4) (E X = Var X = 4): E = 12, Var = 3·4 + 7.5·16 = 132. The sample
    /// mean is within 4 standard errors (sd/√n); the sample variance within 4 of its
    /// own standard errors, Var(s²) ≈ (μ4 − σ⁴)/n ≤ μ4/n, with μ4 ≤ 10σ⁴ (the gamma
    /// mixing gives excess kurtosis near 6/k = 3, so μ4 near 6σ⁴: 10σ⁴ leaves room).
    #[test]
    fn compound_demand_has_the_wald_mean_and_variance() {
        let n = 200_000;
        let (mean, var) = moments(3.0, Some(2.0), &DistSpec::poisson(4.0), n);
        let (e, v) = (12.0, 132.0);
        let se_mean = (v / n as f64).sqrt();
        assert!((mean - e).abs() < 4.0 * se_mean, "mean {mean} vs {e}");
        let se_var = (10.0 * v * v / n as f64).sqrt();
        assert!((var - v).abs() < 4.0 * se_var, "variance {var} vs {v}");
    }

    /// Known answer with Poisson raids and a fixed size: need = 5·N, N ~ Poisson(2):
    /// mean 10, variance 25·2 = 50, and every draw a multiple of 5.
    #[test]
    fn fixed_raid_size_scales_a_poisson_count() {
        let n = 100_000;
        let (mean, var) = moments(2.0, None, &DistSpec::fixed(5.0), n);
        assert!(
            (mean - 10.0).abs() < 4.0 * (50.0 / n as f64).sqrt(),
            "mean {mean}"
        );
        assert!(
            (var - 50.0).abs() < 4.0 * (10.0 * 2500.0 / n as f64).sqrt(),
            "var {var}"
        );
        let x = Dist::fixed(5.0);
        let mut rng = stream_rng(1, 0, StreamId(0));
        assert!((0..1000).all(|_| draw_compound(2.0, None, &x, &mut rng).is_multiple_of(5)));
    }

    /// A fixed size draws nothing per raid: the need is the raid count drawn alone
    /// times the size, and the stream is left where the raid count left it.
    #[test]
    fn a_fixed_raid_size_is_the_raid_count_times_the_size() {
        let x = Dist::fixed(4.0);
        let gamma = demand_gamma(Some(2.0));
        let mut a = stream_rng(5, 1, StreamId(2));
        let mut b = a.clone();
        for _ in 0..1000 {
            let need = draw_compound(3.0, gamma.as_ref(), &x, &mut a);
            assert_eq!(need, 4 * draw_demand(3.0, gamma.as_ref(), &mut b));
        }
        assert_eq!(a, b);
    }

    /// No raids, no need; zero-size raids, no need.
    #[test]
    fn zero_rates_need_nothing() {
        let mut rng = stream_rng(1, 0, StreamId(0));
        assert_eq!(draw_compound(0.0, None, &Dist::fixed(5.0), &mut rng), 0);
        assert_eq!(draw_compound(4.0, None, &Dist::fixed(0.0), &mut rng), 0);
    }
}
