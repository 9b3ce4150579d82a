//! Bucket counts stored in the narrowest unsigned width that holds the largest of them.
//!
//! A histogram of 10 000 trials spread over a few thousand buckets rarely counts more
//! than 255 in any bucket, so most histograms fit in one byte per bucket, an eighth of a
//! `u64` array. [`Counts`] starts at `u8` and widens the whole array (to `u16`, `u32`,
//! then `u64`) the first time a count would not fit. The width is therefore always the
//! narrowest that holds the largest count: a function of the counts alone, so two arrays
//! of equal counts are equal field by field, whatever the order of additions.

/// A dense array of counts, widened on demand (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Counts {
    /// Every count below 2^8.
    U8(Vec<u8>),
    /// Largest count below 2^16.
    U16(Vec<u16>),
    /// Largest count below 2^32.
    U32(Vec<u32>),
    /// Larger counts.
    U64(Vec<u64>),
}

impl Default for Counts {
    fn default() -> Self {
        Counts::U8(Vec::new())
    }
}

/// Applies `$body` to the vector inside `$counts`, whatever its width.
macro_rules! each {
    ($counts:expr, $v:ident => $body:expr) => {
        match $counts {
            Counts::U8($v) => $body,
            Counts::U16($v) => $body,
            Counts::U32($v) => $body,
            Counts::U64($v) => $body,
        }
    };
}

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
        each!(self, v => v.len())
    }

    /// Whether there is no bucket.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The count of bucket `i`.
    ///
    /// # Panics
    /// If `i` is out of range.
    #[inline]
    #[allow(clippy::useless_conversion)] // the u64 arm of `each!`
    pub(crate) fn get(&self, i: usize) -> u64 {
        each!(self, v => u64::from(v[i]))
    }

    /// Adds `n` to bucket `i`, widening the array when the sum needs it. The caller
    /// guarantees the sum fits in `u64` (a bucket count never exceeds the total).
    ///
    /// # Panics
    /// If `i` is out of range.
    #[inline]
    pub(crate) fn add(&mut self, i: usize, n: u64) {
        let sum = self.get(i) + n;
        if sum > self.max_value() {
            self.widen_to(sum);
        }
        match self {
            // The width holds `sum`: the casts are exact.
            Counts::U8(v) => v[i] = sum as u8,
            Counts::U16(v) => v[i] = sum as u16,
            Counts::U32(v) => v[i] = sum as u32,
            Counts::U64(v) => v[i] = sum,
        }
    }

    /// Every count, in order, as `u64`.
    #[allow(clippy::useless_conversion)] // the u64 arm of `each!`
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        each!(self, v => Box::new(v.iter().map(|&c| u64::from(c))))
    }

    /// Appends zero counts up to `len` buckets.
    pub(crate) fn grow_to(&mut self, len: usize) {
        each!(self, v => v.resize(len.max(v.len()), 0))
    }

    /// Inserts `extra` zero counts at the front.
    pub(crate) fn prepend_zeros(&mut self, extra: usize) {
        each!(self, v => {
            v.splice(0..0, std::iter::repeat_n(0, extra));
        })
    }

    /// Adds `other`'s counts to buckets `start..start + other.len()` (which must exist).
    pub(crate) fn add_all(&mut self, start: usize, other: &Counts) {
        for (i, c) in other.iter().enumerate() {
            if c > 0 {
                self.add(start + i, c);
            }
        }
    }

    /// Removes every bucket (back to the narrowest width).
    pub(crate) fn clear(&mut self) {
        *self = Counts::default();
    }

    /// The largest count the current width holds.
    fn max_value(&self) -> u64 {
        match self {
            Counts::U8(_) => u64::from(u8::MAX),
            Counts::U16(_) => u64::from(u16::MAX),
            Counts::U32(_) => u64::from(u32::MAX),
            Counts::U64(_) => u64::MAX,
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

    /// Re-stores the counts in the narrowest width that holds the largest.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
