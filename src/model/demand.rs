//! The daily demand draw, shared by the model and the random-number floor benchmark so
//! that the benchmark measures exactly the sampler the model uses.

use super::limits::MAX_DAY_NEED;
use crate::engine::StreamRng;
use rand_distr::{Distribution, Gamma};

/// The mixing distribution of negative-binomial demand: Gamma(k, 1) and its shape k.
pub type DemandGamma = (Gamma<f64>, f64);

/// The mixing distribution for dispersion `k`; `None` (Poisson demand) when absent or
/// not a valid shape.
pub fn demand_gamma(dispersion: Option<f64>) -> Option<DemandGamma> {
    dispersion.and_then(|k| Gamma::new(k, 1.0).ok().map(|g| (g, k)))
}

/// Draws a day's demand with mean `mean`: Poisson(mean), or negative binomial as a
/// gamma–Poisson mixture, Poisson(mean · Gamma(k, 1) / k), whose variance is
/// mean + mean²/k. Both draws are exact: rand_distr's gamma, and
/// [`crate::dist::poisson_stream`] (rand_distr's Poisson algorithms, one uniform more).
///
/// The draw is cut to [`MAX_DAY_NEED`] (see [`super::limits`]), and so is the Poisson
/// mean, which keeps the sampler finite whatever the regime multiplier.
#[inline]
pub fn draw_demand(mean: f64, gamma: Option<&DemandGamma>, rng: &mut StreamRng) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    let lambda = match gamma {
        Some((g, k)) => mean * g.sample(rng) / k,
        None => mean,
    };
    let lambda = lambda.min(MAX_DAY_NEED as f64);
    (crate::dist::poisson_stream(lambda, rng) as u64).min(MAX_DAY_NEED)
}
