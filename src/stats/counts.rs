//! Bucket counts in whichever of two forms is smaller: a dense array in the narrowest
//! unsigned width that holds the largest count, or a Rice code.
//!
//! A histogram of 10 000 trials spread over a few thousand buckets rarely counts more
//! than 255 in any bucket, so a dense array usually takes one byte per bucket, an eighth
//! of a `u64` array: [`Counts`] starts at `u8` and widens the whole array (to `u16`,
//! `u32`, then `u64`) the first time a count would not fit. When the values are few for
//! the window they span (fewer than about fifty per bucket), the [`Rice`] code is smaller
//! still: `k + 1` bits per bucket plus one per `2^k` values.
//!
//! [`settle`](Counts::settle) picks the smaller form from the number of buckets, the
//! total and the largest count; the histogram calls it after batches and merges (single
//! additions keep the form they find, so that they stay O(1) on a dense array). Two
//! `Counts` are equal when their counts are, whatever the form.

use super::rice::{self, Rice};

/// Bucket counts, dense or unary (see the module docs).
#[derive(Clone, Debug)]
pub(crate) enum Counts {
    /// Every count below 2^8.
    U8(Vec<u8>),
    /// Largest count below 2^16.
    U16(Vec<u16>),
    /// Largest count below 2^32.
    U32(Vec<u32>),
    /// Larger counts.
    U64(Vec<u64>),
    /// A Rice code: low bits packed, the rest in unary (boxed, so that the enum stays the
    /// size of a vector: a run holds one per series and reporting day).
    Rice(Box<Rice>),
}

impl PartialEq for Counts {
    fn eq(&self, other: &Counts) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Counts {}

impl Default for Counts {
    fn default() -> Self {
        Counts::U8(Vec::new())
    }
}

/// Applies `$body` to the vector inside a dense `$counts`, whatever its width, and
/// `$unary` to a unary one.
macro_rules! each {
    ($counts:expr, $v:ident => $body:expr, $u:ident => $unary:expr) => {
        match $counts {
            Counts::U8($v) => $body,
            Counts::U16($v) => $body,
            Counts::U32($v) => $body,
            Counts::U64($v) => $body,
            Counts::Rice($u) => $unary,
        }
    };
}

/// A batch of slots is tallied into a dense array, rather than sorted, when the window
/// has at most this many buckets per slot: a sort costs about log2(batch) ≈ 11 steps
/// per slot at the stage's batches of 2 048, a tally one per bucket and one per slot.
const TALLY_PER_SLOT: usize = 8;

impl Counts {
    /// The counts of `values`, in the narrowest width.
    pub(crate) fn from_u64(values: Vec<u64>) -> Counts {
        let mut counts = Counts::U64(values);
        counts.narrow();
        counts
    }

    /// Number of buckets.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        each!(self, v => v.len(), u => u.len())
    }

    /// Whether there is no bucket.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The count of bucket `i` of a dense array.
    ///
    /// # Panics
    /// If `i` is out of range.
    #[inline]
    #[allow(clippy::useless_conversion)] // the u64 arm of `each!`
    fn dense_get(&self, i: usize) -> u64 {
        each!(self, v => u64::from(v[i]), u => u.iter().nth(i).unwrap_or(0))
    }

    /// Adds `n` to bucket `i`, widening a dense array when the sum needs it. O(1) on a
    /// dense array, O(words) on a unary string. The caller guarantees the sum fits in
    /// `u64` (a bucket count never exceeds the total).
    ///
    /// # Panics
    /// If `i` is out of range.
    #[inline]
    pub(crate) fn add(&mut self, i: usize, n: u64) {
        if let Counts::Rice(r) = self {
            r.add_sorted([(i, n)], &mut Vec::new());
            return;
        }
        let sum = self.dense_get(i) + n;
        if sum > self.max_value() {
            self.widen_to(sum);
        }
        match self {
            // The width holds `sum`: the casts are exact.
            Counts::U8(v) => v[i] = sum as u8,
            Counts::U16(v) => v[i] = sum as u16,
            Counts::U32(v) => v[i] = sum as u32,
            Counts::U64(v) => v[i] = sum,
            Counts::Rice(_) => unreachable!("handled above"),
        }
    }

    /// Adds one to bucket `slots[i]` for every `i`. `slots` may be reordered; `scratch`
    /// and `tally` are working memory. A dense array takes them one by one; a unary
    /// string takes them in bucket order, spliced in one pass: tallied bucket by bucket
    /// when the batch is large against the window (counting them is then cheaper than
    /// sorting them), sorted otherwise.
    pub(crate) fn add_each(
        &mut self,
        slots: &mut [u32],
        scratch: &mut Vec<u64>,
        tally: &mut Vec<u32>,
    ) {
        if let Counts::Rice(rice) = self {
            let len = rice.len();
            if len <= TALLY_PER_SLOT * slots.len() && u32::try_from(slots.len()).is_ok() {
                tally.clear();
                tally.resize(len, 0);
                for &slot in slots.iter() {
                    tally[slot as usize] += 1;
                }
                let runs = tally.iter().enumerate().filter(|(_, n)| **n > 0);
                rice.add_sorted(runs.map(|(i, &n)| (i, u64::from(n))), scratch);
            } else {
                slots.sort_unstable();
                let runs = slots.chunk_by(|a, b| a == b);
                rice.add_sorted(runs.map(|r| (r[0] as usize, r.len() as u64)), scratch);
            }
            return;
        }
        // A dense array: one tight loop in its width until a count would not fit; that
        // one widens the array (rare: a count passes 255 or 65 535), and the loop goes on
        // in the new width.
        let mut rest: &[u32] = slots;
        loop {
            let done = match self {
                Counts::U8(v) => add_ones(v, rest),
                Counts::U16(v) => add_ones(v, rest),
                Counts::U32(v) => add_ones(v, rest),
                Counts::U64(v) => add_ones(v, rest),
                Counts::Rice(_) => unreachable!("handled above"),
            };
            let Some((&slot, after)) = rest[done..].split_first() else {
                return;
            };
            self.add(slot as usize, 1);
            rest = after;
        }
    }
    /// Every count, in order, as `u64`.
    #[allow(clippy::useless_conversion)] // the u64 arm of `each!`
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        each!(self, v => Box::new(v.iter().map(|&c| u64::from(c))), u => Box::new(u.iter()))
    }

    /// Appends zero counts up to `len` buckets, allocating no more than they need.
    pub(crate) fn grow_to(&mut self, len: usize) {
        each!(self, v => {
            v.reserve_exact(len.saturating_sub(v.len()));
            v.resize(len.max(v.len()), 0);
        }, u => u.grow_to(len))
    }

    /// Inserts `extra` zero counts at the front, allocating no more than they need.
    pub(crate) fn prepend_zeros(&mut self, extra: usize) {
        each!(self, v => {
            v.reserve_exact(extra);
            v.splice(0..0, std::iter::repeat_n(0, extra));
        }, u => u.prepend_zeros(extra))
    }

    /// Adds `other`'s counts to buckets `start..start + other.len()` (which must exist).
    pub(crate) fn add_all(&mut self, start: usize, other: &Counts) {
        if matches!(self, Counts::Rice(_)) || matches!(other, Counts::Rice(_)) {
            let mut sum: Vec<u64> = self.iter().collect();
            for (s, c) in sum[start..].iter_mut().zip(other.iter()) {
                *s += c;
            }
            *self = Counts::from_u64(sum);
            return;
        }
        for (i, c) in other.iter().enumerate() {
            if c > 0 {
                self.add(start + i, c);
            }
        }
    }

    /// Stores the counts, whose sum is `total`, in the smaller form: the Rice code with
    /// [`rice::low_bits`] when its estimated size is below that of the dense array in
    /// the narrowest width (see the module docs). The form and `k` are then functions of
    /// the counts alone.
    pub(crate) fn settle(&mut self, total: u64) {
        self.settle_within(total, 0);
    }

    /// As [`settle`](Self::settle), but a dense array of at most `dense_bytes` stays
    /// dense (a Rice code that would decode to one is decoded): the form is then a
    /// function of the counts and `dense_bytes`.
    pub(crate) fn settle_within(&mut self, total: u64, dense_bytes: u64) {
        let len = self.len();
        let k = rice::low_bits(total, len);
        let packed = rice::estimated_bits(total, len, k).div_ceil(8);
        let max = match &*self {
            Counts::Rice(r) => r.max(),
            dense => dense.max_value(),
        };
        let dense = len as u64 * width_bytes(max);
        let rice = packed < dense && dense > dense_bytes;
        match self {
            Counts::Rice(r) if rice && r.k() == k => {}
            _ if rice => {
                let values: Vec<u64> = self.iter().collect();
                *self = Counts::Rice(Box::new(Rice::from_counts(values.iter().copied(), k)));
            }
            Counts::Rice(_) => {
                let values: Vec<u64> = self.iter().collect();
                *self = Counts::U64(values);
                self.narrow();
            }
            _ => {}
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        each!(self, v => vec_bytes(v), u => u.heap_bytes())
    }

    /// Removes every bucket (back to the narrowest width).
    pub(crate) fn clear(&mut self) {
        *self = Counts::default();
    }

    /// The largest count the current width holds (of a dense array; a unary string
    /// holds any).
    fn max_value(&self) -> u64 {
        match self {
            Counts::U8(_) => u64::from(u8::MAX),
            Counts::U16(_) => u64::from(u16::MAX),
            Counts::U32(_) => u64::from(u32::MAX),
            Counts::U64(_) | Counts::Rice(_) => u64::MAX,
        }
    }

    /// Widens the array to the narrowest width that holds `value`.
    #[cold]
    fn widen_to(&mut self, value: u64) {
        let values: Vec<u64> = self.iter().collect();
        *self = if value <= u64::from(u16::MAX) {
            Counts::U16(values.iter().map(|&c| c as u16).collect())
        } else if value <= u64::from(u32::MAX) {
            Counts::U32(values.iter().map(|&c| c as u32).collect())
        } else {
            Counts::U64(values)
        };
    }

    /// Re-stores the counts in the narrowest dense width that holds the largest.
    fn narrow(&mut self) {
        let max = self.iter().max().unwrap_or(0);
        let values: Vec<u64> = self.iter().collect();
        *self = if max <= u64::from(u8::MAX) {
            Counts::U8(values.iter().map(|&c| c as u8).collect())
        } else if max <= u64::from(u16::MAX) {
            Counts::U16(values.iter().map(|&c| c as u16).collect())
        } else if max <= u64::from(u32::MAX) {
            Counts::U32(values.iter().map(|&c| c as u32).collect())
        } else {
            Counts::U64(values)
        };
    }
}

/// Adds one to `counts[slot]` for each slot in turn, stopping before the first that
/// would overflow the width; returns how many were added.
#[inline]
fn add_ones<T: Copy + PartialEq + std::ops::Add<Output = T> + From<u8> + Bounded>(
    counts: &mut [T],
    slots: &[u32],
) -> usize {
    for (done, &slot) in slots.iter().enumerate() {
        let c = &mut counts[slot as usize];
        if *c == T::MAX {
            return done;
        }
        *c = *c + T::from(1);
    }
    slots.len()
}

/// The largest value of an unsigned count width.
trait Bounded {
    /// The largest value.
    const MAX: Self;
}

macro_rules! bounded {
    ($($t:ty),*) => {$(impl Bounded for $t { const MAX: Self = <$t>::MAX; })*};
}
bounded!(u8, u16, u32, u64);

/// Heap bytes of a vector's allocation.
fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

/// Bytes per count of the narrowest width holding `max`.
fn width_bytes(max: u64) -> u64 {
    match max {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFFFF_FFFF => 4,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dense batch gives the counts of adding one at a time, widening in the middle
    /// of the batch when a count passes 255 and again past 65 535.
    #[test]
    fn a_dense_batch_widens_mid_batch_like_single_adds() {
        let (mut batch, mut single) = (Counts::default(), Counts::default());
        batch.grow_to(4);
        single.grow_to(4);
        let mut slots: Vec<u32> = (0..70_000)
            .map(|i| if i % 3 == 0 { 1 } else { 2 })
            .collect();
        slots.extend([0, 3, 3]);
        for &slot in &slots {
            single.add(slot as usize, 1);
        }
        batch.add_each(&mut slots, &mut Vec::new(), &mut Vec::new());
        assert!(matches!(batch, Counts::U16(_)), "{batch:?}");
        assert_eq!(batch.iter().collect::<Vec<_>>(), [1, 23_334, 46_666, 2]);
        assert_eq!(batch, single);
        let mut more = vec![2; 20_000];
        batch.add_each(&mut more, &mut Vec::new(), &mut Vec::new());
        assert!(matches!(batch, Counts::U32(_)));
        assert_eq!(batch.iter().collect::<Vec<_>>(), [1, 23_334, 66_666, 2]);
    }

    #[test]
    fn widens_exactly_when_a_count_needs_it() {
        let mut c = Counts::default();
        c.grow_to(3);
        c.add(1, 255);
        assert!(matches!(c, Counts::U8(_)));
        c.add(1, 1);
        assert!(matches!(c, Counts::U16(_)));
        assert_eq!(c.iter().collect::<Vec<_>>(), [0, 256, 0]);
        c.add(2, 1 << 40);
        assert!(matches!(c, Counts::U64(_)));
        assert_eq!(c.iter().collect::<Vec<_>>(), [0, 256, 1 << 40]);
    }

    /// The width depends on the counts only: the same counts reached by different
    /// additions (or read back from `u64`s) are equal.
    #[test]
    fn equal_counts_are_equal_whatever_the_path() {
        let mut a = Counts::default();
        a.grow_to(4);
        for _ in 0..300 {
            a.add(0, 1);
        }
        a.add(3, 7);
        let mut b = Counts::default();
        b.grow_to(2);
        b.add(1, 0);
        b.grow_to(4);
        b.add(3, 7);
        b.add(0, 300);
        assert_eq!(a, b);
        assert_eq!(a, Counts::from_u64(vec![300, 0, 0, 7]));
        let mut shifted = Counts::from_u64(vec![7]);
        shifted.prepend_zeros(3);
        let mut sum = Counts::from_u64(vec![300, 0, 0, 0]);
        sum.add_all(0, &shifted);
        assert_eq!(sum, a);
    }

    /// Sparse counts whose Rice code is smaller stay a dense array of at most
    /// `dense_bytes` bytes and take the Rice code beyond it, whichever form they are
    /// in; the counts are the same in every form.
    #[test]
    fn settle_within_keeps_a_dense_array_up_to_its_bytes() {
        // 1 000 buckets with a count in one of 97: 1 000 bytes dense (u8), fewer as Rice.
        let values: Vec<u64> = (0..1_000).map(|i| u64::from(i % 97 == 0)).collect();
        let total = values.iter().sum();
        for start_rice in [false, true] {
            let start = || {
                let mut c = Counts::from_u64(values.clone());
                if start_rice {
                    c.settle(total);
                    assert!(matches!(c, Counts::Rice(_)));
                }
                c
            };
            let mut within = start();
            within.settle_within(total, 1_000);
            assert!(matches!(within, Counts::U8(_)), "{within:?}");
            let mut beyond = start();
            beyond.settle_within(total, 999);
            assert!(matches!(beyond, Counts::Rice(_)), "{beyond:?}");
            assert_eq!(within, beyond);
            assert_eq!(within.iter().collect::<Vec<_>>(), values);
        }
    }

    /// On a unary string, a batch tallied (large against the window) and a batch
    /// sorted (small against it) both give the counts of adding one at a time.
    #[test]
    fn a_unary_batch_tallied_or_sorted_equals_single_adds() {
        let window = 1_000;
        let mut x: u64 = 5;
        let mut rng = move || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            x >> 33
        };
        // Sparse counts over a wide window settle as a unary (Rice) string.
        let start: Vec<u64> = (0..window).map(|i| u64::from(i % 97 == 0)).collect();
        let (mut batch, mut single) = (Counts::from_u64(start.clone()), Counts::from_u64(start));
        batch.settle(11);
        single.settle(11);
        assert!(matches!(batch, Counts::Rice(_)), "{batch:?}");
        let (mut scratch, mut tally) = (Vec::new(), Vec::new());
        // 10 slots: sorted (window > 8 per slot); 500: tallied (window <= 8 per slot).
        for n in [10, 500, 10, 500] {
            let mut slots: Vec<u32> = (0..n).map(|_| (rng() % window) as u32).collect();
            for &slot in &slots {
                single.add(slot as usize, 1);
            }
            batch.add_each(&mut slots, &mut scratch, &mut tally);
            assert!(matches!(batch, Counts::Rice(_)));
            assert_eq!(
                batch.iter().collect::<Vec<_>>(),
                single.iter().collect::<Vec<_>>()
            );
        }
        assert_eq!(tally.len(), window as usize, "the tally path was taken");
    }
}
