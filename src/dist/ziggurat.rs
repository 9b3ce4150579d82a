//! `rand_distr`'s standard normal with its common case inlined: the same numbers from
//! the same stream, at a fraction of the cost in a loop of draws.
//!
//! `rand_distr::StandardNormal` is Doornik's ZIGNOR ziggurat: one `u64` gives a box
//! `i` (its low byte) and a uniform `u` in [−1, 1) (its high 52 bits); `x = u · X[i]`
//! is returned at once when `|x| < X[i + 1]`, which happens for about 98.5 % of draws.
//! The rest (the wedges and the tail) draw more numbers. The sampler is an
//! out-of-line call that keeps the generator in memory, which in a block of draws
//! costs more than the common case itself.
//!
//! [`standard_normal`] does the common case inline: it takes one `u64` and, if the
//! box test passes, returns exactly the `x` that `rand_distr` returns for it.
//! Otherwise it puts the generator back and calls `rand_distr`, which draws the same
//! `u64` again and goes on to the wedge or the tail. Either way the value and the
//! generator's state afterwards are `rand_distr`'s own, so no output changes.
//!
//! The box edges `X[i]` are `rand_distr`'s private table. They are not copied: they are
//! read off the sampler itself, once per process ([`table`]), by feeding it a `u64`
//! whose uniform is exactly 2⁻²⁰, so that it returns `2⁻²⁰ · X[i]`, exact in floating
//! point. The read counts the numbers each probe draws (one on the common path) and is
//! checked against `rand_distr` on draws from a fixed stream; if anything does not
//! match, there is no table and every draw goes to `rand_distr`. The tests compare the
//! two on millions of draws, wedges and tails included.

use crate::engine::StreamRng;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use std::sync::OnceLock;

/// The box edges: `x[i] = X[i]`, `edge[i] = X[i + 1]` (0 for the last box, whose test
/// `rand_distr` never passes on its common path: every draw of it goes to the fallback).
#[derive(Debug)]
pub(crate) struct ZigTable {
    x: [f64; 256],
    edge: [f64; 256],
}

/// The exponent bits that make the 52 high bits of a draw a double in [2, 4).
const EXPONENT_ONE: u64 = 0x4000_0000_0000_0000;
/// The mantissa (52 bits) of 3 + 2⁻²⁰: the uniform `u = 2⁻²⁰` of a probe.
const PROBE_MANTISSA: u64 = (1 << 51) | (1 << 31);
/// 2²⁰: a probe returns `X[i] / 2²⁰`.
const PROBE_SCALE: f64 = 1_048_576.0;

/// One standard normal draw from `rng`, equal to `rand_distr::StandardNormal`'s, with
/// `rng` left where `rand_distr` leaves it.
#[inline(always)]
pub(crate) fn standard_normal(rng: &mut StreamRng, table: Option<&ZigTable>) -> f64 {
    if let Some(t) = table {
        let mut next = rng.clone();
        let bits = next.next_u64();
        let i = (bits & 0xff) as usize;
        let u = f64::from_bits((bits >> 12) | EXPONENT_ONE) - 3.0;
        let x = u * t.x[i];
        if x.abs() < t.edge[i] {
            *rng = next;
            return x;
        }
    }
    rng.sample(StandardNormal)
}

/// Fills `out` with draws of a normal law kept inside a window, exactly as this loop
/// would, and leaves `rng` where it would leave it:
///
/// ```text
/// for slot in out {
///     *slot = reject(a, b, || map(standard_normal(rng, Some(t))))  // the window [a, b]
///         .max(lo).min(hi);                                        // the law's clamp
/// }
/// ```
///
/// `map` is the law's `z ↦ mean + sd·z`; `slow(rng)` must be that loop's body for one
/// slot. A draw whose one number lands in its box and whose value lies in `[a, b]` is
/// the common case (about 98.5 % of draws for a window that holds nearly all the
/// mass); for it the loop above takes one number and returns `map(x)`. Here the
/// common case draws from a copy of the generator that never leaves registers; any
/// other draw puts the generator back before its number and is made by `slow`, as the
/// loop makes it (it takes that number again, then whatever the wedge, the tail or a
/// rejection needs), and the copy goes on from where `slow` left the generator.
#[inline]
pub(crate) fn fill_normals(
    rng: &mut StreamRng,
    t: &ZigTable,
    out: &mut [f64],
    map: impl Fn(f64) -> f64,
    (a, b): (f64, f64),
    (lo, hi): (f64, f64),
    slow: impl FnMut(&mut StreamRng) -> f64,
) {
    // A value in [a, b] (so not NaN) is its own clamp to [lo, hi] when [a, b] lies
    // inside it: the common case skips the clamp then (a loop of its own, so that the
    // clamp is not computed and thrown away on every draw).
    if lo <= a && b <= hi {
        fill_loop(rng, t, out, map, (a, b), |v| v, slow);
        return;
    }
    // `v.max(lo).min(hi)` for a `v` that is not NaN: the same value whatever `lo` and
    // `hi` (NaN or crossed ones included; for `v == lo` or `v == hi`, `v` itself, as
    // `maxsd`/`minsd` give it), without the NaN fix-ups of each call.
    let floor = lo.min(hi);
    let clamp = |v: f64| {
        if v < lo {
            floor
        } else if v > hi {
            hi
        } else {
            v
        }
    };
    fill_loop(rng, t, out, map, (a, b), clamp, slow);
}

/// [`fill_normals`]' loop, with `clamp` the law's clamp of a value in `[a, b]`.
#[inline(always)]
fn fill_loop(
    rng: &mut StreamRng,
    t: &ZigTable,
    out: &mut [f64],
    map: impl Fn(f64) -> f64,
    (a, b): (f64, f64),
    clamp: impl Fn(f64) -> f64,
    mut slow: impl FnMut(&mut StreamRng) -> f64,
) {
    let mut local = rng.clone();
    for slot in out {
        let before = local.clone();
        let w = local.next_u64();
        let i = (w & 0xff) as usize;
        let u = f64::from_bits((w >> 12) | EXPONENT_ONE) - 3.0;
        let x = u * t.x[i];
        let v = map(x);
        // `v >= a && v <= b` is the window test of `reject`.
        if x.abs() < t.edge[i] && v >= a && v <= b {
            *slot = clamp(v);
        } else {
            *rng = before;
            *slot = slow(rng);
            local = rng.clone();
        }
    }
    *rng = local;
}

/// The table read off `rand_distr`, or `None` if the read or its check failed (then
/// [`standard_normal`] is `rand_distr` itself).
pub(crate) fn table() -> Option<&'static ZigTable> {
    static TABLE: OnceLock<Option<ZigTable>> = OnceLock::new();
    TABLE.get_or_init(read_table).as_ref()
}

/// A generator that returns scripted numbers, then pseudo-random ones (so that a
/// sampler that does not behave as expected still ends, and fails the draw count),
/// counting its draws.
struct Script {
    values: [u64; 2],
    drawn: usize,
}

impl rand::TryRng for Script {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let v = match self.values.get(self.drawn) {
            Some(&v) => v,
            // SplitMix64's output function on the draw count.
            None => {
                let mut z = (self.drawn as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
        };
        self.drawn += 1;
        Ok(v)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
        for b in dest {
            *b = self.next_u64() as u8;
        }
        Ok(())
    }
}

/// Reads `X[0..256]` off `rand_distr` and checks the result (see the module docs).
fn read_table() -> Option<ZigTable> {
    let mut x = [0.0; 256];
    for (i, xi) in x.iter_mut().enumerate() {
        // Box i with u = 2^-20; the last box fails the box test and passes the wedge
        // test with the largest uniform, so it draws twice and returns the same x.
        let mut script = Script {
            values: [(PROBE_MANTISSA << 12) | i as u64, u64::MAX],
            drawn: 0,
        };
        let value: f64 = script.sample(StandardNormal);
        let expected_draws = if i == 255 { 2 } else { 1 };
        if script.drawn != expected_draws || value.is_nan() || value <= 0.0 {
            return None;
        }
        *xi = value * PROBE_SCALE;
    }
    // The edges shrink from the tail's (X[0] is the base strip's width) to the top.
    if x.windows(2).any(|w| w[0] <= w[1]) {
        return None;
    }
    let mut edge = [0.0; 256];
    edge[..255].copy_from_slice(&x[1..]);
    let table = ZigTable { x, edge };
    // The proof that matters: the same numbers as rand_distr on a fixed stream.
    let (mut fast, mut slow) = (
        crate::engine::stream_rng(14, 0, crate::engine::StreamId(0x5a16)),
        crate::engine::stream_rng(14, 0, crate::engine::StreamId(0x5a16)),
    );
    for _ in 0..4096 {
        let a = standard_normal(&mut fast, Some(&table));
        let b: f64 = slow.sample(StandardNormal);
        if a.to_bits() != b.to_bits() || fast != slow {
            return None;
        }
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{StreamId, stream_rng};

    #[test]
    fn the_table_is_read_and_is_the_ziggurats() {
        let t = table().expect("the table is read off rand_distr 0.6");
        // ZIGNOR with 256 boxes: X[1] is the tail's start r = 3.6541528853610088
        // (Doornik 2005); X[0] = v / f(r) > r is the base strip's virtual width.
        assert!((t.x[1] - 3.654_152_885_361_009).abs() < 1e-12, "{}", t.x[1]);
        assert!(t.x[0] > t.x[1] && t.x[0] < 4.0);
        assert_eq!(t.edge[255], 0.0);
    }

    /// Draw for draw equal to rand_distr, with the generator in the same state after
    /// each, over 4 million draws (about 60 000 wedge or tail draws, ~1 000 of them
    /// the tail of box 0) on several streams.
    #[test]
    fn draws_equal_rand_distr_and_leave_the_same_state() {
        let t = table();
        assert!(t.is_some());
        let (mut slow_path, mut tails) = (0usize, 0usize);
        for stream in 0..4u64 {
            let mut fast = stream_rng(7, stream, StreamId(99));
            let mut slow = fast.clone();
            for _ in 0..1_000_000 {
                let before = fast.clone();
                let a = standard_normal(&mut fast, t);
                let b: f64 = slow.sample(StandardNormal);
                assert_eq!(a.to_bits(), b.to_bits());
                assert_eq!(fast, slow);
                let mut once = before;
                once.next_u64();
                if once != fast {
                    slow_path += 1;
                }
                if a.abs() > 3.654_152_885_361_009 {
                    tails += 1;
                }
            }
        }
        // Measured: 1.5 % of draws take a second number, and P(|Z| > r) = 2.6e-4.
        assert!(slow_path > 20_000, "{slow_path}");
        assert!(tails > 600, "{tails}");
    }

    #[test]
    fn without_a_table_it_is_rand_distr() {
        let mut a = stream_rng(1, 2, StreamId(3));
        let mut b = a.clone();
        for _ in 0..1000 {
            let x = standard_normal(&mut a, None);
            let y: f64 = b.sample(StandardNormal);
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }
}
