//! Numbers as a unary bit string: each is that many one-bits, then a zero-bit.
//!
//! The high part of the Rice code of [`Rice`](super::rice::Rice) (bucket counts shifted
//! right by `k` bits): `Σ n + len` bits for numbers `n`, one bit per bucket plus one per
//! `2^k` values.
//!
//! Adding to some numbers is a merge: the additions, sorted by position, are spliced
//! into the string in one pass that copies whole words between them, so a batch costs
//! O(words + batch), not O(len).
//!
//! Invariants: `words.len() == bits.div_ceil(64)`, bits at and above `bits` are zero,
//! and the string holds exactly `buckets` zero-bits (the last bit is always a zero).

/// Numbers in unary (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Unary {
    /// The bit string, least significant bit first.
    words: Vec<u64>,
    /// Length of the string in bits: the sum of the numbers plus their count.
    bits: usize,
    /// How many numbers (zero-bits).
    buckets: usize,
}

impl Unary {
    /// The numbers of `counts`, in order.
    pub(crate) fn from_counts(counts: impl Iterator<Item = u64>) -> Unary {
        let mut out = Writer::default();
        let mut buckets = 0;
        for c in counts {
            out.push_ones(c);
            out.push_zeros(1);
            buckets += 1;
        }
        let mut u = Unary {
            words: Vec::new(),
            bits: out.len,
            buckets,
        };
        u.take(&out.words);
        u
    }

    /// Number of buckets.
    pub(crate) fn len(&self) -> usize {
        self.buckets
    }

    /// Sum of the counts.
    #[cfg(test)]
    pub(crate) fn total(&self) -> u64 {
        (self.bits - self.buckets) as u64
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// Every count, in order.
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            words: &self.words,
            pos: 0,
            left: self.buckets,
        }
    }

    /// Adds `k` to number `slot` for every `(slot, k)` of `adds`, whose slots are
    /// strictly increasing and below [`len`](Self::len), and calls `seen(slot, sum)` with
    /// each sum, right after taking that `(slot, k)` from `adds` and before taking the
    /// next (the Rice code relies on this order). `scratch` is working memory.
    pub(crate) fn add_sorted(
        &mut self,
        adds: impl IntoIterator<Item = (usize, u64)>,
        scratch: &mut Vec<u64>,
        mut seen: impl FnMut(usize, u64),
    ) {
        scratch.clear();
        let mut out = Writer {
            words: std::mem::take(scratch),
            len: 0,
        };
        // `bit` is where bucket `bucket`'s run of ones starts, or (after a bucket was
        // added to) where its closing zero is: either way, skipping `s - bucket` zeros
        // from it reaches the start of bucket `s`'s run.
        let (mut bit, mut bucket) = (0, 0);
        for (slot, k) in adds {
            debug_assert!(slot < self.buckets && (slot > bucket || bit == 0));
            let start = skip_zeros(&self.words, bit, slot - bucket);
            let end = start + ones_from(&self.words, start);
            out.copy(&self.words, bit, end);
            out.push_ones(k);
            seen(slot, (end - start) as u64 + k);
            (bit, bucket) = (end, slot);
        }
        out.copy(&self.words, bit, self.bits);
        self.bits = out.len;
        self.take(&out.words);
        *scratch = out.words;
    }

    /// Appends zero counts up to `len` buckets.
    pub(crate) fn grow_to(&mut self, len: usize) {
        let extra = len.saturating_sub(self.buckets);
        let mut out = Writer {
            words: std::mem::take(&mut self.words),
            len: self.bits,
        };
        out.words
            .reserve_exact((self.bits + extra).div_ceil(64) - out.words.len());
        out.push_zeros(extra);
        (self.words, self.bits, self.buckets) = (out.words, out.len, self.buckets + extra);
    }

    /// Inserts `extra` zero counts at the front.
    pub(crate) fn prepend_zeros(&mut self, extra: usize) {
        let mut out = Writer::default();
        out.words.reserve_exact((self.bits + extra).div_ceil(64));
        out.push_zeros(extra);
        out.copy(&self.words, 0, self.bits);
        (self.words, self.bits, self.buckets) = (out.words, out.len, self.buckets + extra);
    }

    /// Replaces the words by `words`, allocating no more than they need.
    fn take(&mut self, words: &[u64]) {
        self.words.clear();
        self.words.reserve_exact(words.len());
        self.words.extend_from_slice(words);
    }
}

/// The counts of a [`Unary`], in order.
pub(crate) struct Iter<'a> {
    words: &'a [u64],
    /// Start of the next bucket's run.
    pos: usize,
    /// Buckets not yet returned.
    left: usize,
}

impl Iterator for Iter<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let run = ones_from(self.words, self.pos);
        self.pos += run + 1;
        Some(run as u64)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// Number of consecutive one-bits from bit `pos` (which must be followed by a zero-bit
/// somewhere in `words`).
#[inline]
fn ones_from(words: &[u64], pos: usize) -> usize {
    let (mut w, offset) = (pos / 64, pos % 64);
    // Shifting brings in zeros at the top, so the run stops within the word at worst.
    let mut run = (words[w] >> offset).trailing_ones() as usize;
    if run == 64 - offset {
        loop {
            w += 1;
            let more = words[w].trailing_ones() as usize;
            run += more;
            if more < 64 {
                break;
            }
        }
    }
    run
}

/// The position just after the `n`-th zero-bit at or after `pos` (`pos` itself when `n`
/// is 0). The string must hold that many zeros from `pos`.
#[inline]
fn skip_zeros(words: &[u64], pos: usize, mut n: usize) -> usize {
    if n == 0 {
        return pos;
    }
    let mut w = pos / 64;
    let mut zeros = !words[w] & (u64::MAX << (pos % 64));
    loop {
        let here = zeros.count_ones() as usize;
        if here >= n {
            return w * 64 + select(zeros, n as u32 - 1) as usize + 1;
        }
        n -= here;
        w += 1;
        zeros = !words[w];
    }
}

/// The position of the `rank`-th (from 0) set bit of `x`, which has more than `rank`.
#[inline]
fn select(mut x: u64, mut rank: u32) -> u32 {
    let mut base = 0;
    for half in [32, 16, 8] {
        let low = (x & ((1 << half) - 1)).count_ones();
        if rank >= low {
            rank -= low;
            x >>= half;
            base += half;
        } else {
            x &= (1 << half) - 1;
        }
    }
    for _ in 0..rank {
        x &= x - 1;
    }
    base + x.trailing_zeros()
}

/// Appends bits to a word vector.
#[derive(Default)]
pub(crate) struct Writer {
    /// The bits, least significant first.
    pub(crate) words: Vec<u64>,
    /// Bits written.
    pub(crate) len: usize,
}

impl Writer {
    /// Appends the low `n` bits of `value` (1 ≤ n ≤ 64; higher bits of `value` zero).
    #[inline]
    pub(crate) fn push(&mut self, value: u64, n: usize) {
        let offset = self.len % 64;
        if offset == 0 {
            self.words.push(value);
        } else {
            let last = self.words.len() - 1;
            self.words[last] |= value << offset;
            if offset + n > 64 {
                self.words.push(value >> (64 - offset));
            }
        }
        self.len += n;
    }

    fn push_ones(&mut self, mut n: u64) {
        while n >= 64 {
            self.push(u64::MAX, 64);
            n -= 64;
        }
        if n > 0 {
            self.push((1 << n) - 1, n as usize);
        }
    }

    /// Appends `n` zero-bits.
    pub(crate) fn push_zeros(&mut self, mut n: usize) {
        while n >= 64 {
            self.push(0, 64);
            n -= 64;
        }
        if n > 0 {
            self.push(0, n);
        }
    }

    /// Appends bits `from..to` of `src`.
    pub(crate) fn copy(&mut self, src: &[u64], mut from: usize, to: usize) {
        while from < to {
            let n = (to - from).min(64);
            let (w, offset) = (from / 64, from % 64);
            let mut value = src[w] >> offset;
            if offset + n > 64 {
                value |= src[w + 1] << (64 - offset);
            }
            if n < 64 {
                value &= (1 << n) - 1;
            }
            self.push(value, n);
            from += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_lcg as lcg;

    #[test]
    fn round_trips_counts_including_long_runs() {
        let counts = [0, 1, 0, 0, 63, 64, 65, 200, 0, 1, 2, 3, 129, 0];
        let u = Unary::from_counts(counts.iter().copied());
        assert_eq!(u.iter().collect::<Vec<_>>(), counts);
        assert_eq!((u.len(), u.total()), (14, 528));
        assert_eq!(u.words.len(), (528 + 14_usize).div_ceil(64));
    }

    #[test]
    fn select_finds_every_set_bit() {
        let mut x = 7;
        for _ in 0..200 {
            let v = lcg(&mut x) << 31 ^ lcg(&mut x);
            let positions: Vec<u32> = (0..64).filter(|&b| v >> b & 1 == 1).collect();
            for (rank, &p) in positions.iter().enumerate() {
                assert_eq!(select(v, rank as u32), p);
            }
        }
    }

    /// Batches of sorted additions, growth at both ends: always the same counts as a
    /// plain array given the same additions.
    #[test]
    fn additions_match_a_dense_array() {
        let mut x = 11;
        let mut dense = vec![0_u64; 5];
        let mut u = Unary::from_counts(dense.iter().copied());
        let mut scratch = Vec::new();
        for round in 0..300 {
            match round % 7 {
                5 => {
                    let extra = (lcg(&mut x) % 90) as usize;
                    dense.splice(0..0, std::iter::repeat_n(0, extra));
                    u.prepend_zeros(extra);
                }
                6 => {
                    let len = dense.len() + (lcg(&mut x) % 130) as usize;
                    dense.resize(len, 0);
                    u.grow_to(len);
                }
                _ => {
                    let mut slots: Vec<usize> = (0..lcg(&mut x) % 40)
                        .map(|_| (lcg(&mut x) as usize) % dense.len())
                        .collect();
                    slots.sort_unstable();
                    slots.dedup();
                    let adds: Vec<(usize, u64)> = slots
                        .iter()
                        .map(|&s| (s, 1 + lcg(&mut x) % if round % 3 == 0 { 300 } else { 3 }))
                        .collect();
                    for &(s, k) in &adds {
                        dense[s] += k;
                    }
                    let mut sums = Vec::new();
                    u.add_sorted(adds.iter().copied(), &mut scratch, |s, n| sums.push((s, n)));
                    let expected: Vec<(usize, u64)> =
                        adds.iter().map(|&(s, _)| (s, dense[s])).collect();
                    assert_eq!(sums, expected);
                }
            }
            assert_eq!(u.iter().collect::<Vec<_>>(), dense, "round {round}");
            assert_eq!(u.total(), dense.iter().sum::<u64>());
            assert_eq!(
                u,
                Unary::from_counts(dense.iter().copied()),
                "canonical bits"
            );
        }
    }

    #[test]
    fn allocates_only_what_the_bits_need() {
        let mut u = Unary::from_counts(std::iter::repeat_n(1, 1000));
        u.add_sorted([(3, 5000)], &mut Vec::new(), |_, _| ());
        assert_eq!(u.heap_bytes(), (7000_usize).div_ceil(64) * 8);
    }
}
