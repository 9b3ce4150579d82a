//! A 256-bit unsigned integer, just wide enough for exact sums of squares.
//!
//! The statistics accumulate sums of squares and cross products of per-trial values
//! below `2^96` over up to `2^32` trials (see [`super::moments`]): at most `2^224`,
//! beyond `u128` but well inside 256 bits. Only what those sums need is implemented:
//! addition and subtraction (checked), the full product of two `u128`, multiplication by
//! a `u64`, and conversion to `f64`.

use serde::{Deserialize, Serialize};

/// An unsigned 256-bit integer `hi·2^128 + lo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct U256 {
    /// The high 128 bits (declared first, so the derived order is numeric order).
    pub hi: u128,
    /// The low 128 bits.
    pub lo: u128,
}

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256 { hi: 0, lo: 0 };

    /// `x` widened.
    pub const fn from_u128(x: u128) -> U256 {
        U256 { hi: 0, lo: x }
    }

    /// The full 256-bit product `a·b` (never overflows).
    pub fn mul(a: u128, b: u128) -> U256 {
        const LOW: u128 = u64::MAX as u128;
        let (a1, a0, b1, b0) = (a >> 64, a & LOW, b >> 64, b & LOW);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW); // < 3·2^64
        let lo = (p00 & LOW) | (mid << 64);
        let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
        U256 { hi, lo }
    }

    /// The square `x²` (never overflows).
    pub fn square(x: u128) -> U256 {
        U256::mul(x, x)
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: U256) -> Option<U256> {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        let hi = self
            .hi
            .checked_add(other.hi)?
            .checked_add(u128::from(carry))?;
        Some(U256 { hi, lo })
    }

    /// `self − other`, `None` when `other > self`.
    pub fn checked_sub(self, other: U256) -> Option<U256> {
        let (lo, borrow) = self.lo.overflowing_sub(other.lo);
        let hi = self
            .hi
            .checked_sub(other.hi)?
            .checked_sub(u128::from(borrow))?;
        Some(U256 { hi, lo })
    }

    /// `self · m`, `None` on overflow.
    pub fn checked_mul_u64(self, m: u64) -> Option<U256> {
        let low = U256::mul(self.lo, u128::from(m));
        let hi = self.hi.checked_mul(u128::from(m))?.checked_add(low.hi)?;
        Some(U256 { hi, lo: low.lo })
    }

    /// The nearest `f64` (within two roundings: relative error below `2^-52`).
    pub fn to_f64(self) -> f64 {
        self.hi as f64 * 2f64.powi(128) + self.lo as f64
    }

    /// `a − b` as an `f64` with its sign, from the exact difference.
    pub fn signed_difference(a: U256, b: U256) -> f64 {
        match a.checked_sub(b) {
            Some(d) => d.to_f64(),
            None => -b.checked_sub(a).unwrap_or(U256::ZERO).to_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_match_known_values() {
        assert_eq!(
            U256::mul(u128::MAX, u128::MAX),
            U256 {
                hi: u128::MAX - 1,
                lo: 1
            }
        );
        assert_eq!(U256::mul(1 << 64, 1 << 64), U256 { hi: 1, lo: 0 });
        assert_eq!(U256::mul(3, 5), U256::from_u128(15));
        assert_eq!(U256::square(1 << 100), U256 { hi: 1 << 72, lo: 0 });
    }

    #[test]
    fn add_and_sub_carry_and_borrow() {
        let one = U256::from_u128(1);
        let max_lo = U256::from_u128(u128::MAX);
        assert_eq!(max_lo.checked_add(one), Some(U256 { hi: 1, lo: 0 }));
        assert_eq!(U256 { hi: 1, lo: 0 }.checked_sub(one), Some(max_lo));
        assert_eq!(one.checked_sub(max_lo), None);
        let top = U256 {
            hi: u128::MAX,
            lo: u128::MAX,
        };
        assert_eq!(top.checked_add(one), None);
        assert_eq!(U256::signed_difference(one, U256::from_u128(3)), -2.0);
    }

    #[test]
    fn multiplies_by_small_factors() {
        let x = U256 {
            hi: 5,
            lo: u128::MAX,
        };
        // (5·2^128 + 2^128 − 1)·2 = 12·2^128 − 2 = 11·2^128 + (2^128 − 2).
        assert_eq!(
            x.checked_mul_u64(2),
            Some(U256 {
                hi: 11,
                lo: u128::MAX - 1
            })
        );
        assert_eq!(
            U256 {
                hi: u128::MAX,
                lo: 0
            }
            .checked_mul_u64(2),
            None
        );
        assert_eq!(U256 { hi: 1, lo: 0 }.to_f64(), 2f64.powi(128));
    }
}
