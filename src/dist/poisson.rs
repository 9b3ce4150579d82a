//! An exact Poisson sampler for a mean that changes on every draw (the inner step of a
//! gamma–Poisson mixture: negative-binomial demand).
//!
//! rand_distr's `Poisson::new(λ)` prepares ten constants (four divisions, two square
//! roots, a `floor` that is a library call on baseline x86-64) before every draw, though
//! most draws use only two of them. [`poisson`] runs the same algorithms (Knuth's product
//! of uniforms below λ = 12, Ahrens & Dieter's PD above) from the same random numbers in
//! the same order, with the same floating-point operations, so it returns **the very same
//! value** as `Poisson::new(λ)?.sample(rng)`; it only computes each constant when a step
//! needs it (the immediate-acceptance step N/I needs √λ alone), and floors non-negative
//! values by an integer conversion. The unit tests check the equality draw by draw.
//!
//! [`poisson_stream`], the daily demand's sampler, is free of that equality: it draws
//! small means by inversion from one uniform (see its docs), and PD's step-S uniform on
//! every draw.
//!
//! References: J. H. Ahrens and U. Dieter (1982), *Computer generation of Poisson deviates
//! from modified normal distributions*, ACM TOMS 8(2), 163–179; L. Devroye (1986),
//! *Non-Uniform Random Variate Generation*, Springer, §X.3.

use crate::engine::StreamRng;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, StandardNormal};

/// Below this mean the product-of-uniforms method is used (as rand_distr does).
const SMALL_MEAN: f64 = 12.0;
/// rand_distr's largest mean; above it (relative sd < 10⁻⁹) the normal approximation
/// round(λ + √λ·Z) is used.
const MAX_MEAN: f64 = 1.844e19;

/// One Poisson(`lambda`) draw, as a float holding a whole number; 0 for `lambda` ≤ 0.
#[inline]
pub fn poisson<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> f64 {
    draw(
        lambda,
        rng,
        |rng| rng.sample(StandardNormal),
        |rng, needed| {
            if needed { rng.random() } else { 0.0 }
        },
    )
}

/// An exact Poisson draw for a stream that only this sampler uses (daily demand). From
/// λ = 12 it runs [`poisson`]'s algorithm (PD), with one change: PD's step-S uniform, needed about half the time and unpredictably, is drawn
/// on every draw. The stream then advances by the same amount whatever the values,
/// so the processor can start the next draws before this one is decided; taking the
/// uniform only when needed makes every draw wait for the previous one (through a
/// branch that is mispredicted half the time, or a data dependency on the stream's
/// state). The unused uniform is independent of the draw, so the distribution is
/// exactly PD's; the values differ from [`poisson`]'s after the first draw that did
/// not need it.
///
/// Below λ = 12 it inverts the CDF from one uniform by sequential search
/// instead of Knuth's product of λ + 1 uniforms on average: the same distribution,
/// exactly, from one number of the stream.
#[inline(always)]
pub fn poisson_stream(lambda: f64, rng: &mut StreamRng) -> f64 {
    if lambda < SMALL_MEAN && lambda > 0.0 {
        return search(lambda, (-lambda).exp(), rng);
    }
    let table = super::ziggurat::table();
    draw(
        lambda,
        rng,
        |rng| super::ziggurat::standard_normal(rng, table),
        |rng, _needed| rng.random(),
    )
}

/// Poisson(`lambda`) by inversion with sequential search (Devroye 1986, §X.3.3), given
/// `p0` = e^−λ: the least `k` with `u < F(k)` for one uniform `u`, `F` summed term by
/// term with `p(k) = p(k − 1)·λ/k`. Exact to the rounding of the summed CDF; about
/// λ + 1 steps, so meant for small means. A `u` the rounded CDF never exceeds (within
/// rounding of 1, probability below 10⁻¹⁵) is drawn again.
#[inline]
pub(crate) fn search<R: Rng + ?Sized>(lambda: f64, p0: f64, rng: &mut R) -> f64 {
    loop {
        let u: f64 = rng.random();
        let (mut k, mut p, mut f) = (0.0, p0, p0);
        while u >= f && p > 0.0 {
            k += 1.0;
            p *= lambda / k;
            f += p;
        }
        if u < f {
            return k;
        }
    }
}

/// The draw, with `normal(rng)` giving PD's step-N standard normal (rand_distr's, or
/// the same numbers by [`super::ziggurat`]) and `uniform(rng, needed)` its step-S
/// uniform: consumed from the stream only when `needed` (its value is ignored
/// otherwise).
#[inline(always)]
fn draw<R: Rng + ?Sized>(
    lambda: f64,
    rng: &mut R,
    normal: impl FnOnce(&mut R) -> f64,
    uniform: impl FnOnce(&mut R, bool) -> f64,
) -> f64 {
    if lambda < SMALL_MEAN {
        if lambda > 0.0 {
            knuth(lambda, rng)
        } else {
            0.0
        }
    } else if lambda <= MAX_MEAN {
        ahrens_dieter(lambda, rng, normal, uniform)
    } else if lambda.is_finite() {
        let z = normal(rng);
        (lambda + lambda.sqrt() * z).round().max(0.0)
    } else {
        0.0
    }
}

/// ⌊x⌋ for x ≥ 0 (not NaN): an integer conversion below 2⁵², where it is exact.
#[inline]
fn floor_non_negative(x: f64) -> f64 {
    if x < 4_503_599_627_370_496.0 {
        (x as i64) as f64
    } else {
        x
    }
}

/// Knuth: multiply uniforms until the product falls to e^−λ.
#[inline]
fn knuth<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> f64 {
    let limit = (-lambda).exp();
    let mut count = 1.0;
    let mut product: f64 = rng.random();
    while product > limit {
        product *= rng.random::<f64>();
        count += 1.0;
    }
    count - 1.0
}

/// Ahrens & Dieter's PD for λ ≥ 12: a normal deviate, accepted at once in most cases.
#[inline(always)]
fn ahrens_dieter<R: Rng + ?Sized>(
    lambda: f64,
    rng: &mut R,
    normal: impl FnOnce(&mut R) -> f64,
    uniform: impl FnOnce(&mut R, bool) -> f64,
) -> f64 {
    let s = lambda.sqrt();
    // Step N: a normal deviate with the Poisson's mean and sd.
    let z = normal(rng);
    let g = lambda + s * z;
    if g >= 0.0 {
        let k = floor_non_negative(g);
        // Step I: immediate acceptance above L = ⌊λ − 1.1484⌋; otherwise step S, a
        // squeeze with a uniform: 6λ²u ≥ (λ − k)³. Both steps are one test, without a
        // branch on `immediate` (true about half the time, so a branch on it is
        // mispredicted half the time, which costs more than the rest of the draw):
        // when `immediate`, (λ − k) is replaced by 0 and the test 6λ²u ≥ 0 holds for
        // every u in [0, 1). The accepted values are exactly PD's.
        let immediate = k >= floor_non_negative(lambda - 1.1484);
        let u = uniform(rng, !immediate);
        let gap = (lambda - k) * f64::from(u8::from(!immediate));
        if 6.0 * lambda.powi(2) * u >= gap * gap * gap {
            return k;
        }
        let tail = Tail::new(lambda, s);
        let (px, py, fx, fy) = tail.f(k);
        if fy * (1.0 - u) <= py * (px - fx).exp() {
            return k;
        }
        tail.exponential(rng)
    } else {
        Tail::new(lambda, s).exponential(rng)
    }
}

/// The constants of PD's rarely reached steps F, E and H.
struct Tail {
    lambda: f64,
    s: f64,
    c: f64,
    c0: f64,
    c1: f64,
    c2: f64,
    c3: f64,
    omega: f64,
}

impl Tail {
    #[cold]
    fn new(lambda: f64, s: f64) -> Tail {
        let b1 = (1.0 / 24.0) / lambda;
        let b2 = 0.3 * b1 * b1;
        let c3 = (1.0 / 7.0) * b1 * b2;
        Tail {
            lambda,
            s,
            c: 0.1069 / lambda,
            c0: 1.0 - b1 + 3.0 * b2 - 15.0 * c3,
            c1: b1 - 6.0 * b2 + 45.0 * c3,
            c2: b2 - 15.0 * c3,
            c3,
            omega: 1.0 / (2.0 * std::f64::consts::PI).sqrt() / lambda.sqrt(),
        }
    }

    /// Step F: the log-density of the Poisson and of the comparison normal at `k`.
    fn f(&self, k: f64) -> (f64, f64, f64, f64) {
        /// k! for k < 10.
        const FACT: [f64; 10] = [
            1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0,
        ];
        /// Table 1 of the paper: the series of ln(1 + v) − v, divided by v².
        const A: [f64; 10] = [
            -0.5000000002,
            0.3333333343,
            -0.2499998565,
            0.1999997049,
            -0.1666848753,
            0.1428833286,
            -0.1241963125,
            0.1101687109,
            -0.1142650302,
            0.1055093006,
        ];
        let lambda = self.lambda;
        let (px, py) = if k < 10.0 {
            (-lambda, lambda.powf(k) / FACT[k as usize])
        } else {
            let delta = (12.0 * k).recip();
            let delta = delta - 4.8 * delta.powi(3);
            let v = (lambda - k) / k;
            let px = if v.abs() <= 0.25 {
                k * v.powi(2) * A.iter().rev().fold(0.0, |acc, &a| acc * v + a) - delta
            } else {
                k * (1.0 + v).ln() - (lambda - k) - delta
            };
            (px, 1.0 / (2.0 * std::f64::consts::PI).sqrt() / k.sqrt())
        };
        let x = (k - lambda + 0.5) / self.s;
        let fx = -0.5 * x * x;
        let fy = self.omega * (((self.c3 * x * x + self.c2) * x * x + self.c1) * x * x + self.c0);
        (px, py, fx, fy)
    }

    /// Steps E and H: double-exponential rejection, until a value is accepted.
    #[cold]
    fn exponential<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let e: f64 = Exp1.sample(rng);
            let u = rng.random::<f64>() * 2.0 - 1.0;
            let t = 1.8 + e * u.signum();
            if t > -0.6744 {
                let k = floor_non_negative(self.lambda + self.s * t);
                let (px, py, fx, fy) = self.f(k);
                if self.c * u.abs() <= py * (px + e).exp() - fy * (fx + e).exp() {
                    return k;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Poisson;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Same value as rand_distr, draw by draw, from both entry points, and the streams
    /// stay in step.
    fn assert_same_as_rand_distr(lambda: f64, draws: usize) {
        let mut ours = Xoshiro256PlusPlus::seed_from_u64(lambda.to_bits());
        let mut theirs = ours.clone();
        let reference = Poisson::new(lambda).expect("valid mean");
        for i in 0..draws {
            let (a, b) = (poisson(lambda, &mut ours), reference.sample(&mut theirs));
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "λ = {lambda}, draw {i}: {a} vs {b}"
            );
        }
        assert_eq!(ours.random::<u64>(), theirs.random::<u64>(), "λ = {lambda}");
    }

    #[test]
    fn draws_exactly_what_rand_distr_draws() {
        for lambda in [
            1e-3, 0.5, 3.7, 11.999, 12.0, 12.5, 17.3, 40.0, 99.9, 1_000.0, 2_400.0, 1e6, 1e12,
        ] {
            assert_same_as_rand_distr(lambda, 20_000);
        }
    }

    #[test]
    fn draws_exactly_what_rand_distr_draws_for_random_means() {
        // Means as the gamma–Poisson mixture produces them: a new one every draw.
        let mut means = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..2_000 {
            let lambda = 12.0 * (1e4f64).powf(means.random::<f64>());
            assert_same_as_rand_distr(lambda, 50);
        }
    }

    #[test]
    fn edges() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        assert_eq!(poisson(0.0, &mut rng), 0.0);
        assert_eq!(poisson(-5.0, &mut rng), 0.0);
        assert_eq!(poisson(f64::NAN, &mut rng), 0.0);
        assert_eq!(poisson(f64::INFINITY, &mut rng), 0.0);
        let huge = poisson(1e20, &mut rng);
        assert!((huge - 1e20).abs() < 1e20 * 1e-8, "{huge}");
        for x in [0.0, 0.3, 1.0, 7.9, 123456.5, 4.6e15, 1e19] {
            assert_eq!(floor_non_negative(x), x.floor());
        }
    }
}
