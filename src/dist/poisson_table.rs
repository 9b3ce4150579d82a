//! Poisson draws by inversion of a tabulated CDF, for a mean that stays the same over
//! many draws (daily demand whose mean changes only with its period or regime: the
//! training fire of the default scenario keeps one mean for the whole horizon).
//!
//! # The method
//!
//! Inversion: from one uniform `u` in [0, 1), the draw is the least `k` with
//! `u < F(k)`, where `F` is the Poisson CDF. [`PoissonTable`] holds `F(0), F(1), …`
//! for one mean λ, computed once from `p(0) = e^−λ` by the recurrence
//! `p(k) = p(k − 1)·λ/k` with compensated (Neumaier) summation, up to the `k` past λ
//! where the mass left beyond the table is below 2⁻⁶⁰; and a guide table (Chen and Asau,
//! 1974; Devroye 1986, §III.2.4) that splits [0, 1) into `m` equal buckets, `m` a power
//! of two at least twice the table's length (so that `j = ⌊u·m⌋` is exact). Bucket `j`
//! holds `k₀`, the draw at its left end `j/m`, and what decides the draws inside it:
//! - no CDF step inside the bucket: every `u` in it gives `k₀`;
//! - one step, `F(k₀)`, inside: the draw is `k₀ + [u ≥ F(k₀)]`, a comparison without a
//!   branch;
//! - more than one (the tails, where values have probability below 1/m: a few per cent
//!   of the draws): a search of the CDF from `k₀`.
//!
//! So most draws are one uniform, one table entry and one comparison, with no branch
//! that depends on the value drawn. A `u` at or above the table's last `F` (a
//! probability below 10⁻¹⁵) continues the recurrence past the table's end, so no value
//! is cut off.
//!
//! The method is exact: every value `k` is drawn with probability `F(k) − F(k − 1)`, to
//! within the rounding of the computed CDF (about 10⁻¹⁵, tested against an independent
//! log-gamma evaluation) and the 2⁻⁵³ grid of the uniform: no approximation of the
//! distribution is made. It also maps the uniform monotonically to the count, one
//! uniform per draw, so the stream advances by exactly one number per draw.
//!
//! # When the table is used
//!
//! Building the table costs about as much as a few draws per entry it holds (about
//! λ + 10√λ entries), so [`CachedPoisson`] builds it only once a mean has come back
//! enough times in a row to pay for it (a quarter of the entry count), and draws the
//! first ones of a run with the per-draw sampler [`super::poisson_stream`] ("rent
//! until the rent paid equals the price, then buy": never more than about twice the
//! cost of the better choice in hindsight). The decision depends only on the means
//! drawn since [`CachedPoisson::restart`], never on what the sampler computed for
//! earlier trials, so a trial draws the same values whichever thread or shard runs it;
//! a table kept from an earlier trial with the same mean is reused (it is a function
//! of λ alone).
//!
//! References: H.-C. Chen and Y. Asau (1974), *On generating random variates from an
//! empirical distribution*, AIIE Transactions 6(2), 163–166; L. Devroye (1986),
//! *Non-Uniform Random Variate Generation*, Springer, §III.2 and §X.3.

use crate::engine::StreamRng;
use rand::RngExt;

/// The largest mean tabulated: e^−λ stays a normal float (e^−708 is the smallest), and
/// the table holds at most about 1 000 entries. Larger means use the per-draw sampler.
pub const TABLE_MAX_MEAN: f64 = 700.0;

/// The mass left beyond the table's last entry is below this.
const TAIL_MASS: f64 = 8.673_617_379_884_035e-19; // 2^-60

/// The Poisson CDF of one mean, with its guide table; see the module docs of `dist::poisson_table`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoissonTable {
    /// The mean tabulated; NaN (never equal) when empty.
    lambda: f64,
    /// `F(k)` for `k = 0, 1, …, len − 1`, non-decreasing.
    cdf: Vec<f64>,
    /// Per bucket `j` of [0, 1) (`buckets` of them, a power of two): `(k₀, step)` with
    /// `k₀` the least `k` with `F(k) > j/buckets`, and `step` = `F(k₀)` when it is the
    /// only CDF step inside the bucket, +∞ when there is none, NaN when there are more
    /// (search from `k₀`).
    guide: Vec<(f64, u32)>,
    /// The recurrence's state at the last entry: `p(len − 1)`, the Neumaier sum and its
    /// compensation, to continue past the end.
    last: (f64, f64, f64),
    /// `64 − log2(buckets)`: a random word shifted right by this is its bucket.
    shift: u32,
}

impl PoissonTable {
    /// The table of Poisson(`lambda`), for 0 < `lambda` ≤ [`TABLE_MAX_MEAN`].
    ///
    /// # Panics
    /// If `lambda` is outside that range.
    pub fn new(lambda: f64) -> PoissonTable {
        let mut table = PoissonTable {
            lambda: f64::NAN,
            ..PoissonTable::default()
        };
        table.build(lambda);
        table
    }

    /// The mean tabulated (NaN for an empty table).
    pub fn mean(&self) -> f64 {
        self.lambda
    }

    /// The number of CDF entries.
    pub fn len(&self) -> usize {
        self.cdf.len()
    }

    /// Whether the table is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.cdf.is_empty()
    }

    /// Tabulates Poisson(`lambda`), reusing the allocations.
    fn build(&mut self, lambda: f64) {
        assert!(
            lambda > 0.0 && lambda <= TABLE_MAX_MEAN,
            "the Poisson table takes a mean in (0, {TABLE_MAX_MEAN}], got {lambda}"
        );
        self.lambda = lambda;
        self.cdf.clear();
        let mut p = (-lambda).exp();
        let (mut sum, mut comp) = (p, 0.0);
        self.cdf.push(p);
        let mut k = 0.0;
        loop {
            k += 1.0;
            p *= lambda / k;
            (sum, comp) = neumaier(sum, comp, p);
            let f = (sum + comp).max(self.cdf[self.cdf.len() - 1]);
            self.cdf.push(f);
            // Beyond k > λ the terms fall at least geometrically, by r = λ/(k + 1):
            // the rest of the series is at most p·r/(1 − r).
            let r = lambda / (k + 1.0);
            if r < 1.0 && p * r / (1.0 - r) < TAIL_MASS {
                break;
            }
        }
        self.last = (p, sum, comp);
        self.build_guide();
    }

    /// The buckets: `m` = the power of two at or above twice the table's length.
    fn build_guide(&mut self) {
        let n = self.cdf.len();
        let m = (2 * n).next_power_of_two();
        // 2 ≤ m ≤ 2^53: the bucket of a word is its top log2(m) bits (see `count`).
        self.shift = 64 - m.trailing_zeros();
        self.guide.clear();
        let mut k = 0;
        for j in 0..m {
            // Bucket [a, b): exact, m being a power of two.
            let (a, b) = (j as f64 / m as f64, (j + 1) as f64 / m as f64);
            while k + 1 < n && self.cdf[k] <= a {
                k += 1;
            }
            let step = if self.cdf[k] <= a {
                f64::NAN // past the table's end: search (and go beyond)
            } else if self.cdf[k] >= b {
                f64::INFINITY
            } else if k + 1 < n && self.cdf[k + 1] >= b {
                self.cdf[k]
            } else {
                f64::NAN
            };
            self.guide.push((step, k as u32));
        }
    }

    /// The least `k` with `u < F(k)`, for `u` in [0, 1).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        let m = self.guide.len();
        // Exact: m is a power of two and u < 1.
        let j = ((u * m as f64) as usize).min(m - 1);
        let (step, k) = self.guide[j];
        if step.is_nan() {
            return self.search(u, k as usize);
        }
        f64::from(k + u32::from(u >= step))
    }

    /// The least `k` ≥ `from` with `u < F(k)`, searched in the table and beyond.
    #[cold]
    fn search(&self, u: f64, from: usize) -> f64 {
        let m = self.cdf.len();
        let mut k = from;
        while self.cdf[k] <= u {
            k += 1;
            if k == m {
                return self.beyond(u);
            }
        }
        k as f64
    }

    /// The search continued past the table's end (u ≥ the last tabulated F).
    #[cold]
    fn beyond(&self, u: f64) -> f64 {
        let (mut p, mut sum, mut comp) = self.last;
        let mut k = (self.cdf.len() - 1) as f64;
        loop {
            k += 1.0;
            p *= self.lambda / k;
            (sum, comp) = neumaier(sum, comp, p);
            // Once the terms underflow the CDF has stopped growing: u lies within
            // rounding of 1, and the largest value reached is returned.
            if u < sum + comp || p == 0.0 {
                return k;
            }
        }
    }

    /// One Poisson draw: one uniform, inverted.
    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> f64 {
        self.quantile(rng.random())
    }

    /// The draw of the random word `w`, as a count: `quantile(u)` for the uniform
    /// `u = (w >> 11)·2⁻⁵³` that `rng.random::<f64>()` makes of the same word, so
    /// [`PoissonTable::sample`] and this give the same value from the same stream.
    ///
    /// The bucket `⌊u·m⌋` is computed from the word alone: `u·m` is `(w >> 11)` scaled
    /// by the power of two `m/2⁵³`, so its integer part is `w >> (64 − log2 m)`. That
    /// saves the float-to-integer conversion (several instructions on x86-64) per draw.
    #[inline]
    pub fn count(&self, w: u64) -> u64 {
        let u = (w >> 11) as f64 * UNIT;
        let (step, k) = self.guide[(w >> self.shift) as usize];
        if step.is_nan() {
            return count_of(self.search(u, k as usize));
        }
        u64::from(k) + u64::from(u >= step)
    }
}

/// 2⁻⁵³: the spacing of the uniforms `rng.random::<f64>()` draws.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A draw (a whole number ≥ 0, or +∞) as a count; `as` saturates.
#[inline]
fn count_of(x: f64) -> u64 {
    x as u64
}

/// One step of Neumaier's compensated summation: `sum + comp` is the running total.
#[inline]
fn neumaier(sum: f64, comp: f64, x: f64) -> (f64, f64) {
    let t = sum + x;
    let lost = if sum.abs() >= x.abs() {
        (sum - t) + x
    } else {
        (x - t) + sum
    };
    (t, comp + lost)
}

/// Poisson draws for a mean that may repeat from one draw to the next: the per-draw
/// sampler [`super::poisson_stream`] for a new mean, then, once the same mean has come
/// back often enough to pay for it, inversion of a [`PoissonTable`]; see the
/// module docs of `dist::poisson_table`.
#[derive(Clone, Debug, Default)]
pub struct CachedPoisson {
    /// The mean of the current run of equal means (NaN before the first draw).
    run_mean: f64,
    /// Draws of the current run so far.
    run_len: u32,
    /// Draws after which the run switches to the table (`u32::MAX`: never).
    switch_after: u32,
    /// The last table built (kept across trials: a function of its mean alone).
    table: Option<PoissonTable>,
}

/// Where a [`CachedPoisson`] stands in its run of equal means: with the stream's state,
/// all that decides its next draws (the table is a function of the mean alone).
#[derive(Clone, Copy, Debug)]
pub struct PoissonRun {
    run_mean: f64,
    run_len: u32,
    switch_after: u32,
}

impl CachedPoisson {
    /// A sampler with no run and no table.
    pub fn new() -> CachedPoisson {
        CachedPoisson {
            run_mean: f64::NAN,
            ..CachedPoisson::default()
        }
    }

    /// Forgets the current run, so that the next draws depend only on the means and the
    /// stream from here on (call it at the start of every trial). The table is kept.
    pub fn restart(&mut self) {
        self.run_mean = f64::NAN;
        self.run_len = 0;
    }

    /// Where the sampler stands in its run, to [`resume`](Self::resume) from later.
    pub fn run(&self) -> PoissonRun {
        PoissonRun {
            run_mean: self.run_mean,
            run_len: self.run_len,
            switch_after: self.switch_after,
        }
    }

    /// Puts the sampler back where [`run`](Self::run) found it: with the stream put
    /// back too, the next draws are the ones that followed then.
    pub fn resume(&mut self, run: PoissonRun) {
        self.run_mean = run.run_mean;
        self.run_len = run.run_len;
        self.switch_after = run.switch_after;
    }

    /// One Poisson(`lambda`) draw, as a float holding a whole number; 0 for `lambda` ≤ 0.
    #[inline]
    pub fn sample(&mut self, lambda: f64, rng: &mut StreamRng) -> f64 {
        if lambda.to_bits() != self.run_mean.to_bits() {
            self.start_run(lambda);
        }
        self.run_len = self.run_len.saturating_add(1);
        if self.run_len <= self.switch_after {
            return super::poisson_stream(lambda, rng);
        }
        match &self.table {
            Some(t) if t.lambda.to_bits() == lambda.to_bits() => t.sample(rng),
            _ => self.rebuild(lambda).sample(rng),
        }
    }

    /// `out.len()` Poisson(`lambda`) draws in a row, as counts: what as many calls of
    /// [`sample`](Self::sample) give (converted with `as u64`), from the same stream.
    /// Once the run uses the table, the draws are one tight loop of table reads
    /// ([`PoissonTable::count`]) that do not wait on each other's cache misses.
    pub fn fill_counts(&mut self, lambda: f64, rng: &mut StreamRng, out: &mut [u64]) {
        let mut done = 0;
        while done < out.len() && !self.tabulates(lambda) {
            out[done] = count_of(self.sample(lambda, rng));
            done += 1;
        }
        let Some(table) = &self.table else { return };
        let rest = &mut out[done..];
        // A copy of the stream, kept in registers through the loop.
        let mut local = rng.clone();
        for x in rest.iter_mut() {
            *x = table.count(rand::Rng::next_u64(&mut local));
        }
        *rng = local;
        self.run_len = self.run_len.saturating_add(rest.len() as u32);
    }

    /// Whether the next draw of `lambda` reads the table as it stands.
    fn tabulates(&self, lambda: f64) -> bool {
        lambda.to_bits() == self.run_mean.to_bits()
            && self.run_len >= self.switch_after
            && self
                .table
                .as_ref()
                .is_some_and(|t| t.lambda.to_bits() == lambda.to_bits())
    }

    /// A new run of `lambda`: from which draw on the table pays for itself.
    #[cold]
    fn start_run(&mut self, lambda: f64) {
        self.run_mean = lambda;
        self.run_len = 0;
        self.switch_after = if lambda > 0.0 && lambda <= TABLE_MAX_MEAN {
            // A quarter of the estimated entry count (mean + 10 sd + 10).
            ((lambda + 10.0 * lambda.sqrt() + 10.0) / 4.0) as u32
        } else {
            u32::MAX
        };
    }

    /// The table of `lambda`, built in place of the last one.
    #[cold]
    fn rebuild(&mut self, lambda: f64) -> &PoissonTable {
        let table = self.table.get_or_insert_with(PoissonTable::default);
        table.build(lambda);
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::special::ln_gamma;
    use crate::engine::{StreamId, stream_rng};
    use rand::{Rng, RngExt};

    /// ln p(k) of Poisson(λ), independently of the table's recurrence.
    fn ln_pmf(lambda: f64, k: f64) -> f64 {
        -lambda + k * lambda.ln() - ln_gamma(k + 1.0)
    }

    /// Filling a block gives the draws one call at a time gives, from the same stream,
    /// across the switch to the table in the middle of a block and a change of mean.
    #[test]
    fn a_filled_block_is_the_single_draws() {
        let rng = stream_rng(9, 4, StreamId(2));
        let (mut one, mut single) = (CachedPoisson::new(), rng.clone());
        let (mut block, mut filled) = (CachedPoisson::new(), rng);
        for (lambda, n) in [
            (40.0, 7),
            (40.0, 64),
            (40.0, 64),
            (3.5, 5),
            (3.5, 64),
            (40.0, 9),
        ] {
            let mut out = [0; 64];
            block.fill_counts(lambda, &mut filled, &mut out[..n]);
            for (i, &x) in out[..n].iter().enumerate() {
                let want = one.sample(lambda, &mut single);
                assert_eq!(x as f64, want, "λ = {lambda}, draw {i}");
            }
            assert_eq!(filled, single, "λ = {lambda}: the streams part");
        }
    }

    /// A draw from the word's top bits is the quantile of the uniform `random::<f64>()`
    /// makes of that word: on random words and on the words at every bucket's edges.
    #[test]
    fn count_of_a_word_is_the_quantile_of_its_uniform() {
        let mut rng = stream_rng(3, 1, StreamId(7));
        for lambda in [0.3, 3.5, 40.0, 211.7, TABLE_MAX_MEAN] {
            let t = PoissonTable::new(lambda);
            let uniform = |w: u64| (w >> 11) as f64 / (1u64 << 53) as f64;
            let mut words: Vec<u64> = (0..20_000).map(|_| rng.next_u64()).collect();
            for j in 0..t.guide.len() as u64 {
                let edge = j << t.shift;
                words.extend([
                    edge,
                    edge | ((1 << 11) - 1),
                    edge.wrapping_sub(1),
                    edge + (1 << 11),
                ]);
            }
            words.extend([0, u64::MAX]);
            for w in words {
                let want = t.quantile(uniform(w));
                assert_eq!(t.count(w) as f64, want, "λ = {lambda}, word {w:#x}");
            }
        }
    }

    #[test]
    fn the_table_is_the_poisson_cdf() {
        for lambda in [
            1e-3,
            0.5,
            2.0,
            11.9,
            12.0,
            26.0,
            220.0,
            699.0,
            TABLE_MAX_MEAN,
        ] {
            let t = PoissonTable::new(lambda);
            let mut f = 0.0;
            for (k, &tab) in t.cdf.iter().enumerate() {
                f += ln_pmf(lambda, k as f64).exp();
                assert!(
                    (tab - f).abs() <= 1e-10 * f + 1e-15,
                    "λ = {lambda}, k = {k}: {tab} vs {f}"
                );
            }
            // The mass beyond the table is negligible.
            assert!(1.0 - t.cdf[t.len() - 1] < 1e-14, "λ = {lambda}");
            assert!(t.len() < 1_000, "λ = {lambda}: {} entries", t.len());
        }
    }

    #[test]
    fn quantile_inverts_the_cdf_at_every_step() {
        for lambda in [0.3, 4.0, 26.0, 220.0] {
            let t = PoissonTable::new(lambda);
            for k in 0..t.len() {
                let f = t.cdf[k];
                let below = if k == 0 { 0.0 } else { t.cdf[k - 1] };
                if f > below {
                    // u = F(k − 1) is the first uniform that gives k, F(k)⁻ the last.
                    assert_eq!(t.quantile(below), k as f64, "λ = {lambda}, k = {k}");
                    let last = f64::from_bits(f.to_bits() - 1).max(below);
                    assert_eq!(t.quantile(last), k as f64, "λ = {lambda}, k = {k}");
                }
            }
            // Past the table: the search goes on, increasing.
            let end = t.cdf[t.len() - 1];
            if end < 1.0 {
                assert!(t.quantile(end) >= (t.len() - 1) as f64);
            }
            assert!(t.quantile(1.0 - f64::EPSILON / 2.0) >= t.quantile(0.999_999));
        }
    }

    /// The bucketed lookup against a plain linear search of the CDF: random uniforms,
    /// every bucket edge and the values either side of every CDF step.
    #[test]
    fn quantile_is_the_linear_search_of_the_cdf() {
        let linear = |t: &PoissonTable, u: f64| match t.cdf.iter().position(|&f| u < f) {
            Some(k) => k as f64,
            None => t.beyond(u),
        };
        let mut rng = stream_rng(2, 0, StreamId(1));
        for lambda in [1e-3, 0.5, 3.0, 11.99, 12.0, 30.0, 220.0, TABLE_MAX_MEAN] {
            let t = PoissonTable::new(lambda);
            let m = t.guide.len();
            assert!(m.is_power_of_two() && m >= 2 * t.len());
            let edges = (0..m).map(|j| j as f64 / m as f64);
            let steps = t.cdf.iter().flat_map(|&f| {
                [f, f64::from_bits(f.to_bits().saturating_sub(1))]
                    .into_iter()
                    .filter(|u| *u < 1.0)
            });
            let random = (0..20_000).map(|_| rng.random::<f64>());
            for u in edges.chain(steps).chain(random) {
                assert_eq!(t.quantile(u), linear(&t, u), "λ = {lambda}, u = {u}");
            }
        }
    }

    #[test]
    fn the_run_switches_to_the_table_after_a_quarter_of_its_length() {
        let mut c = CachedPoisson::new();
        let mut a = stream_rng(1, 2, StreamId(3));
        let mut b = a.clone();
        let lambda: f64 = 26.0;
        let switch = ((lambda + 10.0 * lambda.sqrt() + 10.0) / 4.0) as u32;
        for i in 0..switch + 50 {
            let x = c.sample(lambda, &mut a);
            let y = if i < switch {
                crate::dist::poisson_stream(lambda, &mut b)
            } else {
                PoissonTable::new(lambda).sample(&mut b)
            };
            assert_eq!(x, y, "draw {i}");
        }
        // A restart starts a new run: the per-draw sampler again, table kept.
        c.restart();
        let (x, y) = (
            c.sample(lambda, &mut a),
            crate::dist::poisson_stream(lambda, &mut b),
        );
        assert_eq!(x, y);
        assert!(c.table.is_some());
    }

    #[test]
    fn draws_do_not_depend_on_earlier_trials() {
        // The same trial after another with the same or another mean, or fresh.
        let trial = |c: &mut CachedPoisson, lambda: f64| {
            c.restart();
            let mut rng = stream_rng(9, 1, StreamId(4));
            (0..400)
                .map(|_| c.sample(lambda, &mut rng))
                .collect::<Vec<_>>()
        };
        let fresh = trial(&mut CachedPoisson::new(), 20.0);
        let mut c = CachedPoisson::new();
        trial(&mut c, 20.0);
        assert_eq!(trial(&mut c, 20.0), fresh);
        trial(&mut c, 7.0);
        assert_eq!(trial(&mut c, 20.0), fresh);
    }

    #[test]
    fn edges() {
        let mut c = CachedPoisson::new();
        let mut rng = stream_rng(1, 0, StreamId(0));
        for _ in 0..300 {
            assert_eq!(c.sample(0.0, &mut rng), 0.0);
            assert_eq!(c.sample(-1.0, &mut rng), 0.0);
        }
        for _ in 0..300 {
            assert!(c.sample(5_000.0, &mut rng) > 4_000.0);
        }
        assert!(c.table.is_none(), "no table beyond the largest mean");
    }
}
