//! An HDR-style log-linear histogram of `u64` values that merges exactly.
//!
//! The layout follows HdrHistogram (G. Tene, <http://hdrhistogram.org>): every value
//! below `2^(SUB_BUCKET_BITS+1)` (1024) has its own bucket, and above that each
//! power-of-two octave `[2^e, 2^(e+1))` is split into `2^SUB_BUCKET_BITS` (512) equal
//! sub-buckets of width `2^(e−9)`. A bucket is therefore never wider than 1/512 of the
//! smallest value in it, and its midpoint is within `1/1024 ≈ 0.098 %` of every value in
//! it: **a reported quantile is within 0.1 % of the exact sample quantile** (and equal
//! to it for values below 1024, including 0).
//!
//! Counts are integers, so [`LogHistogram::merge`] is exact, associative and
//! commutative: any split of the trials, merged in any order, yields the same
//! histogram. The minimum and maximum are kept exactly, so `quantile(0.0)` and
//! `quantile(1.0)` are exact.
//!
//! Storage is a window of counts covering exactly the buckets from the minimum's to the
//! maximum's (a window from 0 to 400 000 is about 5 500 buckets), held in the smaller of
//! two forms (see `Counts`): a dense array in the narrowest width that holds the
//! largest count (one byte per bucket until a bucket passes 255), or a Rice code of
//! `k + 1` bits per bucket plus one per `2^k` values, which is smaller while there are
//! fewer than about fifty values per bucket (a stock histogram of one reporting day at
//! 10 000 trials typically is). [`record_all`](LogHistogram::record_all) and merges choose the
//! form; [`record`](LogHistogram::record) keeps the one it finds. Two histograms of the
//! same multiset are equal and serialize to identical bytes, whatever the order of
//! recording and merging: the window is a function of the values, and the serialized
//! counts are plain integers whatever the form.

use serde::{Deserialize, Serialize};

use super::ci::{quantile_rank, quantile_rank_interval};
use super::counts::Counts;

/// Number of bits of sub-bucket resolution per octave: 512 sub-buckets, which bounds
/// the relative error of a reported quantile by `2^-(SUB_BUCKET_BITS+1) = 1/1024`
/// (under 0.1 %). Values below `2^(SUB_BUCKET_BITS+1) = 1024` are recorded exactly.
pub const SUB_BUCKET_BITS: u32 = 9;

/// Values with `v | EXACT_MASK == EXACT_MASK` (below 1024) have unit-width buckets.
const EXACT_MASK: u64 = (1 << (SUB_BUCKET_BITS + 1)) - 1;

/// The number of distinct buckets over the whole `u64` range (28 672).
pub const BUCKET_COUNT: u32 = (64 - SUB_BUCKET_BITS + 1) << SUB_BUCKET_BITS;
// Every bucket index fits in 16 bits (see `LogHistogram::record_buckets`).
const _: () = assert!(BUCKET_COUNT <= 1 << 16);

/// The index of the bucket holding `v`, in `0..BUCKET_COUNT`; monotone in `v`.
#[inline]
pub fn bucket_index(v: u64) -> u32 {
    // Low bits dropped: 0 below 1024, else bit_length(v) − (SUB_BUCKET_BITS + 1).
    let shift = (64 - (v | EXACT_MASK).leading_zeros()) - (SUB_BUCKET_BITS + 1);
    (shift << SUB_BUCKET_BITS) + (v >> shift) as u32
}

/// The smallest and largest value (inclusive) of bucket `index`.
///
/// # Panics
///
/// If `index >= BUCKET_COUNT`.
pub fn bucket_bounds(index: u32) -> (u64, u64) {
    assert!(index < BUCKET_COUNT, "bucket index {index} out of range");
    let shift = (index >> SUB_BUCKET_BITS).saturating_sub(1);
    let low = u64::from(index - (shift << SUB_BUCKET_BITS)) << shift;
    (low, low + ((1 << shift) - 1))
}

/// The value reported for bucket `index`: its midpoint (rounded up), within 1/1024 of
/// every value in the bucket.
fn representative(index: u32) -> u64 {
    let (low, high) = bucket_bounds(index);
    low + (high - low).div_ceil(2)
}

/// Working memory for [`LogHistogram::record_all`] and
/// [`LogHistogram::record_buckets`], reusable across histograms.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Bucket slots of a batch.
    slots: Vec<u32>,
    /// A unary string being rebuilt.
    bits: Vec<u64>,
    /// Bucket indices of a batch of values.
    buckets: Vec<u16>,
    /// Slots per bucket of a batch.
    tally: Vec<u32>,
}

/// A log-linear histogram of `u64` values with exact min, max and count.
///
/// See the [module docs](self) for the error guarantee.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "HistogramRepr")]
pub struct LogHistogram {
    /// Number of recorded values.
    count: u64,
    /// Smallest recorded value (0 when empty).
    min: u64,
    /// Largest recorded value (0 when empty).
    max: u64,
    /// Bucket index of `counts[0]`: always `bucket_index(min)` (0 when empty).
    offset: u32,
    /// Counts of buckets `offset ..= bucket_index(max)`; empty when nothing is recorded.
    counts: Counts,
}

impl LogHistogram {
    /// An empty histogram; allocates nothing until the first value.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one value. O(1); allocates only when `v` falls outside the buckets seen so
    /// far.
    ///
    /// # Panics
    ///
    /// If the count overflows `u64`.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.record_n(v, 1);
    }

    /// Records `count` copies of `v`.
    ///
    /// # Panics
    ///
    /// If the total count overflows `u64`.
    #[inline]
    pub fn record_n(&mut self, v: u64, count: u64) {
        if count == 0 {
            return;
        }
        let index = bucket_index(v);
        let slot = index.wrapping_sub(self.offset) as usize;
        let new_total = add_count(self.count, count);
        if slot < self.counts.len() {
            // A bucket count never exceeds the total, so it cannot overflow either.
            self.counts.add(slot, count);
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        } else {
            self.record_outside_window(v, index, count);
        }
        self.count = new_total;
    }

    /// Records every value of `values`, exactly as [`record`](Self::record) would one by
    /// one, then stores the counts in the smaller of their two forms (a dense array or a
    /// unary bit string, see the module docs). The batch form of recording: on a unary
    /// string a batch is spliced in one pass. `scratch` is working memory, reusable
    /// across histograms.
    ///
    /// # Panics
    ///
    /// If the total count overflows `u64`.
    pub fn record_all(&mut self, values: &[u64], scratch: &mut Scratch) {
        let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else {
            return;
        };
        let mut buckets = std::mem::take(&mut scratch.buckets);
        buckets.clear();
        buckets.extend(values.iter().map(|&v| bucket_index(v) as u16));
        self.record_buckets(&buckets, (lo, hi), 0, scratch);
        scratch.buckets = buckets;
    }

    /// Records values given by their bucket indices ([`bucket_index`], which is below
    /// [`BUCKET_COUNT`] `< 2^16`), whose exact smallest and largest are `lo` and `hi`:
    /// the same histogram as [`record_all`](Self::record_all) of the values themselves.
    /// A caller that stages many values keeps 2 bytes per value instead of 8, and the
    /// two bounds.
    ///
    /// The counts are then kept in a dense array while it takes at most `dense_bytes`,
    /// and beyond that in the smaller of a dense array and a Rice code (see
    /// `stats::counts`). A dense array takes a batch in one pass over its values, where
    /// a Rice code is decoded and written again whole; the counts, and so everything
    /// read from the histogram, are the same either way.
    ///
    /// # Panics
    ///
    /// If the total count overflows `u64`. In debug builds, if `lo > hi` or an index
    /// lies outside `bucket_index(lo) ..= bucket_index(hi)`.
    pub fn record_buckets(
        &mut self,
        buckets: &[u16],
        (lo, hi): (u64, u64),
        dense_bytes: u64,
        scratch: &mut Scratch,
    ) {
        if buckets.is_empty() {
            return;
        }
        debug_assert!(lo <= hi);
        let new_total = add_count(self.count, buckets.len() as u64);
        if self.count == 0 {
            (self.min, self.max) = (lo, hi);
        } else {
            (self.min, self.max) = (self.min.min(lo), self.max.max(hi));
        }
        let (first, last) = (bucket_index(lo), bucket_index(hi));
        self.cover(first);
        self.cover(last);
        debug_assert!(
            buckets
                .iter()
                .all(|&b| (first..=last).contains(&u32::from(b)))
        );
        scratch.slots.clear();
        let offset = self.offset;
        scratch
            .slots
            .extend(buckets.iter().map(|&b| u32::from(b) - offset));
        self.counts
            .add_each(&mut scratch.slots, &mut scratch.bits, &mut scratch.tally);
        self.count = new_total;
        self.counts.settle_within(self.count, dense_bytes);
    }

    /// Heap bytes held by the counts (the struct itself aside).
    pub fn heap_bytes(&self) -> usize {
        self.counts.heap_bytes()
    }

    #[cold]
    fn record_outside_window(&mut self, v: u64, index: u32, count: u64) {
        if self.count == 0 {
            (self.min, self.max) = (v, v);
        } else {
            (self.min, self.max) = (self.min.min(v), self.max.max(v));
        }
        self.cover(index);
        let slot = (index - self.offset) as usize;
        self.counts.add(slot, count);
    }

    /// Extends the window (with zero counts) so that it includes bucket `index`.
    fn cover(&mut self, index: u32) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.grow_to(1);
        } else if index < self.offset {
            self.counts.prepend_zeros((self.offset - index) as usize);
            self.offset = index;
        } else if index >= self.offset + self.counts.len() as u32 {
            self.counts.grow_to((index - self.offset) as usize + 1);
        }
    }

    /// Adds every value recorded in `other`. Exact: the result does not depend on the
    /// order in which histograms are merged.
    ///
    /// # Panics
    ///
    /// If the total count overflows `u64`.
    pub fn merge(&mut self, other: &LogHistogram) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            self.clone_from(other);
            self.counts.settle(self.count);
            return;
        }
        self.count = add_count(self.count, other.count);
        (self.min, self.max) = (self.min.min(other.min), self.max.max(other.max));
        self.cover(other.offset);
        self.cover(other.offset + other.counts.len() as u32 - 1);
        let start = (other.offset - self.offset) as usize;
        self.counts.add_all(start, &other.counts);
        self.counts.settle(self.count);
    }

    /// The number of recorded values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether no value has been recorded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The exact smallest recorded value, `None` when empty.
    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    /// The exact largest recorded value, `None` when empty.
    pub fn max(&self) -> Option<u64> {
        (self.count > 0).then_some(self.max)
    }

    /// The type-1 sample `q`-quantile: the order statistic `x_(k)`,
    /// `k = max(1, ⌈q·n⌉)` (see [`quantile_rank`]), as reported by
    /// [`value_at_rank`](Self::value_at_rank). The reported quantile is within 0.1 % of
    /// the exact sample quantile; `None` when empty.
    ///
    /// # Panics
    ///
    /// If `q` is not in `[0, 1]`.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        self.value_at_rank(quantile_rank(self.count, q))
    }

    /// The `rank`-th smallest recorded value (1-based), reported as the midpoint of its
    /// bucket clamped to `[min, max]`: within `1/1024` of the exact `x_(rank)`, exact
    /// for values below 1024, and exact for ranks 1 and `count`. `None` when `rank` is 0
    /// or exceeds the count.
    pub fn value_at_rank(&self, rank: u64) -> Option<u64> {
        if rank == 0 || rank > self.count {
            return None;
        }
        if rank == 1 {
            return Some(self.min);
        }
        if rank == self.count {
            return Some(self.max);
        }
        let mut seen = 0;
        let slot = self
            .counts
            .iter()
            .position(|c| {
                seen += c;
                seen >= rank
            })
            .expect("invariant: bucket counts sum to the total count");
        let index = self.offset + slot as u32;
        Some(representative(index).clamp(self.min, self.max))
    }

    /// The [`quantile`](Self::quantile) of every `q` in `qs` (each in `[0, 1]`), from
    /// one pass over the counts: equal to calling `quantile` for each, at the cost of
    /// one call.
    ///
    /// # Panics
    ///
    /// If a `q` is not in `[0, 1]`.
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [Option<u64>; N] {
        let ranks = qs.map(|q| quantile_rank(self.count, q));
        let mut out = [None; N];
        // The ranks answered by the counts (not min, max or out of range), in order.
        let mut pending: Vec<(u64, usize)> = Vec::with_capacity(N);
        for (i, &rank) in ranks.iter().enumerate() {
            match rank {
                0 => {}
                r if r > self.count => {}
                1 => out[i] = Some(self.min),
                r if r == self.count => out[i] = Some(self.max),
                r => pending.push((r, i)),
            }
        }
        pending.sort_unstable();
        let mut next = pending.iter().peekable();
        let mut seen = 0;
        for (slot, c) in self.counts.iter().enumerate() {
            seen += c;
            while let Some(&&(rank, i)) = next.peek() {
                if rank > seen {
                    break;
                }
                let index = self.offset + slot as u32;
                out[i] = Some(representative(index).clamp(self.min, self.max));
                next.next();
            }
            if next.peek().is_none() {
                break;
            }
        }
        out
    }

    /// A distribution-free 95 % confidence interval for the population `q`-quantile:
    /// the values at the ranks of [`quantile_rank_interval`] (each within 0.1 % as in
    /// [`value_at_rank`](Self::value_at_rank)). `None` when empty.
    ///
    /// # Panics
    ///
    /// If `q` is not in `[0, 1]`.
    pub fn quantile_interval(&self, q: f64) -> Option<(u64, u64)> {
        let (lo, hi) = quantile_rank_interval(self.count, q);
        Some((self.value_at_rank(lo)?, self.value_at_rank(hi)?))
    }

    /// Non-empty buckets in increasing order, as `(low, high, count)` with inclusive
    /// value bounds.
    pub fn buckets(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        (self.offset..)
            .zip(self.counts.iter())
            .filter(|&(_, c)| c > 0)
            .map(|(index, c)| {
                let (low, high) = bucket_bounds(index);
                (low, high, c)
            })
    }

    /// Forgets every value, keeping the allocation for reuse.
    pub fn clear(&mut self) {
        self.counts.clear();
        (self.count, self.min, self.max, self.offset) = (0, 0, 0, 0);
    }
}

impl Extend<u64> for LogHistogram {
    fn extend<I: IntoIterator<Item = u64>>(&mut self, iter: I) {
        iter.into_iter().for_each(|v| self.record(v));
    }
}

impl FromIterator<u64> for LogHistogram {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        let mut h = LogHistogram::new();
        h.extend(iter);
        h
    }
}

fn add_count(a: u64, b: u64) -> u64 {
    match a.checked_add(b) {
        Some(s) => s,
        None => panic!("LogHistogram count overflows u64"),
    }
}

/// The serialized form, validated on the way in so a corrupt shard file cannot break the
/// histogram's invariants. `counts` is the window's bucket counts, each run of two or
/// more empty buckets written as one negative number, minus its length
/// (`[1,0,0,0,2]` is written `[1,-3,2]`): a shard of few trials has sparse windows, and
/// this halves its `partial.json`. Plain counts (files written before) read the same.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistogramRepr {
    count: u64,
    min: u64,
    max: u64,
    offset: u32,
    counts: Vec<Entry>,
}

/// One entry of a serialized window (see [`HistogramRepr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    /// A bucket's count.
    Count(u64),
    /// A run of this many empty buckets, written as its negation.
    Empty(u64),
}

impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Entry::Count(c) => s.serialize_u64(c),
            // A window is at most `BUCKET_COUNT` buckets: the run fits an i64.
            Entry::Empty(z) => s.serialize_i64(-(z.min(i64::MAX as u64) as i64)),
        }
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a bucket count, or minus a number of empty buckets")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Entry, E> {
                Ok(Entry::Count(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Entry, E> {
                Ok(if v < 0 {
                    Entry::Empty(v.unsigned_abs())
                } else {
                    Entry::Count(v as u64)
                })
            }
        }
        d.deserialize_i64(V)
    }
}

/// `counts` with each run of two or more zeros as one [`Entry::Empty`], each entry
/// passed to `push` in turn (nothing is collected).
fn encode<E>(
    counts: impl Iterator<Item = u64>,
    mut push: impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), E> {
    // The entry for a run of `zeros` empty buckets, if any.
    let run = |zeros: u64| match zeros {
        0 => None,
        1 => Some(Entry::Count(0)),
        z => Some(Entry::Empty(z)),
    };
    let mut zeros = 0;
    for c in counts {
        if c == 0 {
            zeros += 1;
            continue;
        }
        if let Some(e) = run(zeros) {
            push(e)?;
        }
        zeros = 0;
        push(Entry::Count(c))?;
    }
    run(zeros).map_or(Ok(()), push)
}

/// The bucket counts `entries` stand for, provided they are exactly `len` buckets
/// (checked before anything is allocated, so a corrupt run length cannot exhaust
/// memory).
fn decode(entries: &[Entry], len: usize) -> Result<Vec<u64>, String> {
    let total = entries
        .iter()
        .try_fold(0_u64, |acc, e| match *e {
            Entry::Count(_) => acc.checked_add(1),
            Entry::Empty(z) => acc.checked_add(z),
        })
        .ok_or("histogram window length overflows u64")?;
    if total != len as u64 {
        return Err(format!(
            "histogram window has {total} buckets, expected {len} from its min and max"
        ));
    }
    let mut counts = Vec::with_capacity(len);
    for e in entries {
        match *e {
            Entry::Count(c) => counts.push(c),
            Entry::Empty(z) => counts.resize(counts.len() + z as usize, 0),
        }
    }
    Ok(counts)
}

impl TryFrom<HistogramRepr> for LogHistogram {
    type Error = String;

    fn try_from(r: HistogramRepr) -> Result<Self, String> {
        let mismatch = || "histogram window does not match its min and max".to_owned();
        // The window's length follows from min and max; the entries must make exactly
        // that many buckets.
        let len = if r.count == 0 {
            0
        } else if r.min <= r.max && r.offset == bucket_index(r.min) {
            (bucket_index(r.max) - r.offset) as usize + 1
        } else {
            return Err(mismatch());
        };
        let counts = decode(&r.counts, len)?;
        let sum = counts
            .iter()
            .try_fold(0_u64, |acc, &c| acc.checked_add(c))
            .ok_or("histogram bucket counts overflow u64")?;
        if sum != r.count {
            return Err(format!(
                "histogram bucket counts sum to {sum}, expected count {}",
                r.count
            ));
        }
        let canonical = if r.count == 0 {
            (r.min, r.max, r.offset) == (0, 0, 0)
        } else {
            counts.first().is_some_and(|&c| c > 0) && counts.last().is_some_and(|&c| c > 0)
        };
        if !canonical {
            return Err(mismatch());
        }
        Ok(LogHistogram {
            count: r.count,
            min: r.min,
            max: r.max,
            offset: r.offset,
            counts: {
                let mut dense = Counts::from_u64(counts);
                dense.settle(r.count);
                dense
            },
        })
    }
}

/// Written as [`HistogramRepr`], field by field from the histogram itself: the window
/// is encoded entry by entry as it is written, so serializing copies nothing.
impl Serialize for LogHistogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("HistogramRepr", 5)?;
        out.serialize_field("count", &self.count)?;
        out.serialize_field("min", &self.min)?;
        out.serialize_field("max", &self.max)?;
        out.serialize_field("offset", &self.offset)?;
        out.serialize_field("counts", &Window(&self.counts))?;
        out.end()
    }
}

/// A histogram's window, serialized as its [`Entry`]s.
struct Window<'a>(&'a Counts);

impl Serialize for Window<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        encode(self.0.iter(), |e| seq.serialize_element(&e))?;
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_index_is_exact_below_1024_and_contiguous_above() {
        for v in 0..1024 {
            assert_eq!(bucket_index(v), v as u32);
            assert_eq!(bucket_bounds(v as u32), (v, v));
        }
        let mut expected_low = 0;
        for index in 0..BUCKET_COUNT {
            let (low, high) = bucket_bounds(index);
            assert_eq!(low, expected_low, "gap before bucket {index}");
            assert_eq!((bucket_index(low), bucket_index(high)), (index, index));
            expected_low = high.wrapping_add(1);
        }
        assert_eq!(expected_low, 0, "the buckets cover u64 exactly");
        assert_eq!(bucket_index(u64::MAX), BUCKET_COUNT - 1);
    }

    #[test]
    fn representative_is_within_one_part_in_1024() {
        for index in (0..BUCKET_COUNT).step_by(37).chain([BUCKET_COUNT - 1]) {
            let (low, high) = bucket_bounds(index);
            let r = representative(index);
            assert!(low <= r && r <= high);
            assert!(u128::from(r - low) * 1024 <= u128::from(low));
            assert!(u128::from(high - r) * 1024 <= u128::from(low));
        }
    }

    /// Batches recorded by value (`record_all`) or by bucket index and bounds
    /// (`record_buckets`, compact or kept dense), growing the window at both ends and
    /// crossing from dense to Rice counts, give exactly the histogram of recording every
    /// value one by one.
    #[test]
    fn batches_by_value_or_bucket_equal_one_by_one() {
        let mut x: u64 = 99;
        let mut next = |spread: u32| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 20) >> (44 - spread)
        };
        let (mut single, mut by_value, mut by_bucket, mut dense) = (
            LogHistogram::new(),
            LogHistogram::new(),
            LogHistogram::new(),
            LogHistogram::new(),
        );
        let mut scratch = Scratch::default();
        for round in 0..60_u32 {
            // Spreads from 2^4 to 2^43: the window grows upwards, then a batch of
            // small values grows it downwards.
            let spread = if round % 7 == 6 { 3 } else { 4 + round % 40 };
            let batch: Vec<u64> = (0..(1 + round as usize * 13 % 300))
                .map(|_| next(spread))
                .collect();
            batch.iter().for_each(|&v| single.record(v));
            by_value.record_all(&batch, &mut scratch);
            let buckets: Vec<u16> = batch.iter().map(|&v| bucket_index(v) as u16).collect();
            let (lo, hi) = (batch.iter().min().copied(), batch.iter().max().copied());
            let bounds = (lo.unwrap_or(0), hi.unwrap_or(0));
            by_bucket.record_buckets(&buckets, bounds, 0, &mut scratch);
            dense.record_buckets(&buckets, bounds, u64::MAX, &mut scratch);
            assert_eq!(by_value, single, "round {round}");
            assert_eq!(by_bucket, single, "round {round}");
            assert_eq!(dense, single, "round {round}");
            assert!(!matches!(dense.counts, Counts::Rice(_)), "round {round}");
            // A dense batch into Rice counts turns them dense, with the same counts.
            if round == 40 {
                let mut turned = by_bucket.clone();
                assert!(matches!(turned.counts, Counts::Rice(_)), "Rice by round 40");
                turned.record_buckets(&buckets, bounds, u64::MAX, &mut scratch);
                let mut expected = single.clone();
                batch.iter().for_each(|&v| expected.record(v));
                assert_eq!(turned, expected);
                assert!(!matches!(turned.counts, Counts::Rice(_)));
            }
        }
        assert!(
            matches!(by_bucket.counts, Counts::Rice(_)),
            "the test reached Rice counts"
        );
        assert_eq!(
            (by_bucket.min(), by_bucket.max()),
            (single.min(), single.max())
        );
    }

    /// One pass gives what one call per quantile gives: on dense and Rice counts, at
    /// the ends (min and max), between buckets and on an empty histogram.
    #[test]
    fn quantiles_in_one_pass_equal_one_call_each() {
        let qs = [0.0, 0.05, 0.25, 0.5, 0.5, 0.75, 0.95, 1.0, 0.999];
        let empty = LogHistogram::new();
        assert_eq!(empty.quantiles(qs), [None; 9]);
        let mut x: u64 = 7;
        for n in [1_usize, 2, 3, 10, 999, 20_000] {
            let values: Vec<u64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (x >> 40) >> (x % 13)
                })
                .collect();
            let mut h = LogHistogram::new();
            h.record_all(&values, &mut Scratch::default());
            assert_eq!(h.quantiles(qs), qs.map(|q| h.quantile(q)), "n = {n}");
        }
    }

    #[test]
    fn clear_returns_to_the_empty_histogram() {
        let mut h: LogHistogram = [5, 70_000, 3].into_iter().collect();
        h.clear();
        assert_eq!(h, LogHistogram::new());
        assert_eq!((h.min(), h.max(), h.quantile(0.5)), (None, None, None));
    }

    #[test]
    fn growing_downwards_keeps_the_window_canonical() {
        let mut h = LogHistogram::new();
        h.record_n(1 << 20, 2);
        h.record(7);
        h.record(1 << 30);
        assert_eq!(h.offset, bucket_index(7));
        assert_eq!(h.counts.len() as u32, bucket_index(1 << 30) - h.offset + 1);
        assert_eq!(h.buckets().map(|b| b.2).sum::<u64>(), 4);
        // The median sits in the bucket of 2^20, whose midpoint is 2^20 + 2^10.
        assert_eq!(h.quantile(0.5), Some((1 << 20) + (1 << 10)));
        assert_eq!((h.quantile(0.0), h.quantile(1.0)), (Some(7), Some(1 << 30)));
    }
}
