//! `rand_distr`'s gamma for shapes above 1, with its normal draws made by
//! [`super::ziggurat`]: the same numbers from the same stream.
//!
//! For a shape `a > 1`, `rand_distr::Gamma::new(a, 1)` samples by Marsaglia and Tsang's
//! method (2000): with `d = a − 1/3` and `c = 1/√(9d)`, draw a standard normal `x`
//! until `v = (1 + c·x)³ > 0`, then a uniform `u` in (0, 1), and accept `d·v` when
//! `u < 1 − 0.0331·x⁴` or `ln u < x²/2 + d·(1 − v + ln v)`. [`LargeShape`] runs the
//! same steps with the same floating-point operations in the same order, so it
//! returns the same value; the unit tests check it draw by draw. What it saves is the
//! out-of-line normal sampler (see [`super::ziggurat`]) and the distribution's
//! three-way match on every draw.
//!
//! Reference: G. Marsaglia and W. W. Tsang (2000), *A simple method for generating gamma
//! variables*, ACM TOMS 26(3), 363–372.

use super::ziggurat::{self, ZigTable};
use crate::engine::StreamRng;
use rand::RngExt;
use rand_distr::Open01;

/// Gamma(shape, 1) for a finite shape above 1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LargeShape {
    c: f64,
    d: f64,
}

impl LargeShape {
    /// The sampler for `shape`, or `None` unless 1 < `shape` < ∞ (where `rand_distr`
    /// uses another method).
    pub(crate) fn new(shape: f64) -> Option<LargeShape> {
        (shape > 1.0 && shape.is_finite()).then(|| {
            let d = shape - 1.0 / 3.0;
            LargeShape {
                c: 1.0 / (9.0 * d).sqrt(),
                d,
            }
        })
    }

    /// One draw, equal to `rand_distr::Gamma::new(shape, 1.0)`'s from the same stream.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut StreamRng) -> f64 {
        // The scale is 1: rand_distr's last multiplication by `d · 1` is by `d`.
        self.unscaled(rng, ziggurat::table()) * self.d
    }

    #[inline(always)]
    fn unscaled(&self, rng: &mut StreamRng, table: Option<&ZigTable>) -> f64 {
        loop {
            let x = ziggurat::standard_normal(rng, table);
            let v_cbrt = 1.0 + self.c * x;
            if v_cbrt <= 0.0 {
                continue;
            }
            let v = v_cbrt * v_cbrt * v_cbrt;
            let u: f64 = rng.sample(Open01);
            let x_sqr = x * x;
            if u < 1.0 - 0.0331 * x_sqr * x_sqr
                || u.ln() < 0.5 * x_sqr + self.d * (1.0 - v + v.ln())
            {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{StreamId, stream_rng};
    use rand_distr::{Distribution, Gamma};

    /// Draw for draw equal to rand_distr's gamma, with the stream in the same state,
    /// for shapes from just above 1 (many rejections) to large ones.
    #[test]
    fn draws_equal_rand_distr() {
        for shape in [1.000_001, 1.5, 2.5, 6.0, 8.0, 40.0, 1e6] {
            let (fast, slow) = (
                LargeShape::new(shape).unwrap(),
                Gamma::new(shape, 1.0).unwrap(),
            );
            let mut a = stream_rng(3, shape.to_bits(), StreamId(5));
            let mut b = a.clone();
            for _ in 0..200_000 {
                let x = fast.sample(&mut a);
                let y = slow.sample(&mut b);
                assert_eq!(x.to_bits(), y.to_bits(), "shape {shape}");
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn only_shapes_above_one() {
        for shape in [1.0, 0.5, 0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert!(LargeShape::new(shape).is_none(), "{shape}");
        }
    }
}
