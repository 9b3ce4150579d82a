//! Bucket counts in a Rice code: each count's low `k` bits in a packed array, the rest
//! (the count shifted right by `k`) in a unary bit string.
//!
//! A stock histogram of one reporting day spreads the trials over a window of a
//! thousand or more buckets, most of them holding a handful. A dense array spends at
//! least a byte on every bucket; this code spends `k + 1` bits per bucket plus one bit per
//! `2^k` values, with `k` chosen from the number of values per bucket (0 below about one
//! and a half per bucket: plain unary). On the default scenario's daily stock histograms
//! at 2 000 trials (597 of 1 305 buckets occupied on average) plain unary needs 413 bytes
//! where the dense arrays took 1 566 (computed from a run's `partial.json`).
//! [`Counts`](super::counts::Counts) switches between this and a dense array by size.
//!
//! Adding a batch of values costs O(words + batch): each touched bucket's low bits are
//! updated in place, and the carries into the high part are spliced into the unary
//! string in one pass (see [`Unary`]).

use super::unary::{Unary, Writer};

/// Counts in a Rice code (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rice {
    /// Low bits per count.
    k: u32,
    /// Each count shifted right by `k`, in unary.
    high: Unary,
    /// Each count's low `k` bits, bucket after bucket, least significant first.
    low: Vec<u64>,
    /// The largest count.
    max: u64,
}

/// The number of low bits for `total` values over `buckets` buckets: the `k` that
/// minimises the estimated size `buckets · (k + 1) + total / 2^k` bits (the smallest on
/// ties). A function of the two numbers alone, so the code of given counts is unique.
pub(crate) fn low_bits(total: u64, buckets: usize) -> u32 {
    (0..48)
        .min_by_key(|&k| estimated_bits(total, buckets, k))
        .unwrap_or(0)
}

/// The estimated size in bits of the code with `k` low bits (exact when no count has
/// low bits to spare, an upper bound otherwise).
pub(crate) fn estimated_bits(total: u64, buckets: usize, k: u32) -> u64 {
    buckets as u64 * u64::from(k + 1) + (total >> k)
}

impl Rice {
    /// The counts of `counts`, in order, with `k` low bits each.
    pub(crate) fn from_counts(counts: impl Iterator<Item = u64> + Clone, k: u32) -> Rice {
        let mut low = Writer::default();
        let mut max = 0;
        if k > 0 {
            for c in counts.clone() {
                low.push(c & mask(k), k as usize);
            }
        }
        for c in counts.clone() {
            max = max.max(c);
        }
        let mut out = Rice {
            k,
            high: Unary::from_counts(counts.map(|c| c >> k)),
            low: Vec::new(),
            max,
        };
        out.low.reserve_exact(low.words.len());
        out.low.extend_from_slice(&low.words);
        out
    }

    /// Low bits per count.
    pub(crate) fn k(&self) -> u32 {
        self.k
    }

    /// Number of buckets.
    pub(crate) fn len(&self) -> usize {
        self.high.len()
    }

    /// The largest count.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.high.heap_bytes() + self.low.capacity() * 8
    }

    /// Every count, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.high
            .iter()
            .enumerate()
            .map(|(j, high)| high << self.k | self.low_of(j))
    }

    /// Adds `n` to bucket `slot` for every `(slot, n)` of `adds`, whose slots are strictly
    /// increasing and below [`len`](Self::len). `scratch` is working memory.
    pub(crate) fn add_sorted(
        &mut self,
        adds: impl IntoIterator<Item = (usize, u64)>,
        scratch: &mut Vec<u64>,
    ) {
        let (k, mut max) = (self.k, self.max);
        if k == 0 {
            self.high
                .add_sorted(adds, scratch, |_, sum| max = max.max(sum));
        } else {
            // Low bits first; every touched bucket goes through the high part (adding
            // its carry, perhaps 0) so that its new count is known. The high part calls
            // `seen` for each bucket right after taking it from the iterator, so `last`
            // holds that bucket's new low bits (no buffer per batch).
            let low = &mut self.low;
            let last = std::cell::Cell::new(0);
            let carries = adds.into_iter().map(|(slot, n)| {
                let sum = get_low(low, k, slot) + (n & mask(k));
                put_low(low, k, slot, sum & mask(k));
                last.set(sum & mask(k));
                (slot, (n >> k) + (sum >> k))
            });
            self.high.add_sorted(carries, scratch, |_, high| {
                max = max.max(high << k | last.get());
            });
        }
        self.max = max;
    }

    /// Appends zero counts up to `len` buckets.
    pub(crate) fn grow_to(&mut self, len: usize) {
        self.high.grow_to(len);
        let words = (len * self.k as usize).div_ceil(64);
        self.low.reserve_exact(words.saturating_sub(self.low.len()));
        self.low.resize(words.max(self.low.len()), 0);
    }

    /// Inserts `extra` zero counts at the front.
    pub(crate) fn prepend_zeros(&mut self, extra: usize) {
        let bits = self.high.len() * self.k as usize;
        self.high.prepend_zeros(extra);
        if self.k > 0 {
            let mut out = Writer::default();
            out.words
                .reserve_exact((bits + extra * self.k as usize).div_ceil(64));
            out.push_zeros(extra * self.k as usize);
            out.copy(&self.low, 0, bits);
            self.low = out.words;
        }
    }

    /// The low bits of bucket `j`.
    #[inline]
    fn low_of(&self, j: usize) -> u64 {
        get_low(&self.low, self.k, j)
    }
}

/// The `k` low bits of bucket `j` in the packed `low` words.
#[inline]
fn get_low(low: &[u64], k: u32, j: usize) -> u64 {
    if k == 0 {
        return 0;
    }
    let bit = j * k as usize;
    let (w, offset) = (bit / 64, bit % 64);
    let mut v = low[w] >> offset;
    if offset + k as usize > 64 {
        v |= low[w + 1] << (64 - offset);
    }
    v & mask(k)
}

/// Sets the `k` low bits of bucket `j` in the packed `low` words to `v` (below `2^k`).
#[inline]
fn put_low(low: &mut [u64], k: u32, j: usize, v: u64) {
    let bit = j * k as usize;
    let (w, offset) = (bit / 64, bit % 64);
    low[w] = low[w] & !(mask(k) << offset) | v << offset;
    if offset + k as usize > 64 {
        let spill = offset + k as usize - 64;
        low[w + 1] = low[w + 1] & !mask(spill as u32) | v >> (64 - offset);
    }
}

/// The low `k` bits set (`k` < 64).
#[inline]
fn mask(k: u32) -> u64 {
    (1 << k) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_lcg as lcg;

    #[test]
    fn low_bits_grow_with_values_per_bucket() {
        assert_eq!(low_bits(0, 100), 0);
        assert_eq!(low_bits(100, 100), 0);
        assert_eq!(low_bits(1_000, 100), 3);
        // 10 000 trials over 1 500 buckets: 4 500 + 2 500 bits at k = 2.
        assert_eq!(low_bits(10_000, 1_500), 2);
        assert_eq!(estimated_bits(10_000, 1_500, 2), 7_000);
    }

    /// For every k, batches of additions (with carries of every size, straddling
    /// words) and growth at both ends give the counts of a plain array, and the same
    /// code as encoding those counts afresh.
    #[test]
    fn additions_match_a_dense_array_for_every_k() {
        for k in [0, 1, 2, 3, 5, 7, 13] {
            let mut x = 3 + u64::from(k);
            let mut dense = vec![0_u64; 9];
            let mut r = Rice::from_counts(dense.iter().copied(), k);
            let mut scratch = Vec::new();
            for round in 0..200 {
                match round % 6 {
                    4 => {
                        let extra = (lcg(&mut x) % 70) as usize;
                        dense.splice(0..0, std::iter::repeat_n(0, extra));
                        r.prepend_zeros(extra);
                    }
                    5 => {
                        let len = dense.len() + (lcg(&mut x) % 90) as usize;
                        dense.resize(len, 0);
                        r.grow_to(len);
                    }
                    _ => {
                        let mut slots: Vec<usize> = (0..lcg(&mut x) % 30)
                            .map(|_| (lcg(&mut x) as usize) % dense.len())
                            .collect();
                        slots.sort_unstable();
                        slots.dedup();
                        let adds: Vec<(usize, u64)> = slots
                            .iter()
                            .map(|&s| (s, 1 + lcg(&mut x) % [3, 40, 9000][round % 3]))
                            .collect();
                        for &(s, n) in &adds {
                            dense[s] += n;
                        }
                        r.add_sorted(adds, &mut scratch);
                    }
                }
                assert_eq!(r.iter().collect::<Vec<_>>(), dense, "k {k}, round {round}");
                assert_eq!(r.max(), dense.iter().copied().max().unwrap_or(0));
                assert_eq!(r, Rice::from_counts(dense.iter().copied(), k), "canonical");
            }
        }
    }
}
