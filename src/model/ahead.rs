//! Daily draws made ahead in blocks, for a stream that draws one day's value and
//! nothing else: a front's new need ([`NeedAhead`]); a factory's output factors are
//! drawn in the same blocks, for every factory at once, by the day's production.
//!
//! The draws do not depend on the state of the trial, so making them in blocks gives
//! the very same values, in the same order, from the same stream: outputs do not
//! change. What changes is the work: a block is one tight loop of independent draws
//! (the sampler chosen once, no call per draw; a tabulated Poisson's table reads
//! overlap instead of each waiting on a cache miss), and the day's code reads a number
//! instead of waiting for a draw.

use crate::dist::{CachedPoisson, Dist, PoissonRun};
use crate::engine::StreamRng;
use crate::model::DemandGamma;

/// The most draws made at once (days of a block).
pub(crate) const BLOCK: usize = 64;

/// What a front draws its need from, fixed for a trial: the negative-binomial
/// mixing gamma, and the raid size of a compound demand.
#[derive(Clone, Copy)]
pub(crate) struct NeedLaw<'a> {
    pub gamma: Option<&'a DemandGamma>,
    pub per_raid: Option<&'a Dist>,
}

impl NeedLaw<'_> {
    /// One day's new need at mean `mean` (raids per day `raids` for a compound
    /// demand): what the model drew day by day before blocks.
    #[inline]
    fn draw(
        &self,
        (mean, raids): (f64, f64),
        poisson: &mut CachedPoisson,
        rng: &mut StreamRng,
    ) -> u64 {
        match self.per_raid {
            None => super::draw_demand_cached(mean, self.gamma, poisson, rng),
            Some(x) => super::draw_compound(raids, self.gamma, x, rng),
        }
    }
}

/// A front's daily new need, drawn ahead in blocks from its daily stream.
///
/// A need depends only on the day's mean (fixed over a demand period and a regime),
/// the trial's law and the stream. A block is drawn for one mean, as long as the
/// caller says the mean can stay the same. Should the mean change before the block
/// runs out after all, the stream and the Poisson sampler are put back where they stood
/// before the block and the draws used are made again, so the values are always the
/// ones drawing day by day gives.
#[derive(Debug, Clone)]
pub(crate) struct NeedAhead {
    /// The stream, past the block's draws.
    rng: StreamRng,
    poisson: CachedPoisson,
    /// The stream and the sampler as they stood before the block's first draw.
    start: (StreamRng, PoissonRun),
    /// The (mean, raids) of the block, as bits.
    key: (u64, u64),
    block: Vec<u64>,
    /// The next need to hand out: `block[next]`.
    next: usize,
}

impl NeedAhead {
    /// Draws from `rng`, none made yet.
    pub(crate) fn new(rng: StreamRng) -> NeedAhead {
        let poisson = CachedPoisson::new();
        NeedAhead {
            start: (rng.clone(), poisson.run()),
            rng,
            poisson,
            key: (0, 0),
            block: Vec::with_capacity(BLOCK),
            next: 0,
        }
    }

    /// Starts a trial on stream `rng`, keeping the memory (and the Poisson table).
    pub(crate) fn restart(&mut self, rng: StreamRng) {
        self.rng = rng;
        self.poisson.restart();
        self.block.clear();
        self.next = 0;
    }

    /// The day's new need at mean `mean` and raids per day `raids`, drawn by `law`
    /// (the same on every call since the last restart). If a block must be drawn, it
    /// holds at most `days()` needs: the caller knows the mean stays the same for that
    /// many days, counting this one.
    #[inline]
    pub(crate) fn next(
        &mut self,
        law: NeedLaw<'_>,
        mean: f64,
        raids: f64,
        days: impl FnOnce() -> u32,
    ) -> u64 {
        if let Some(x) = self.buffered(mean, raids) {
            return x;
        }
        self.refill(law, (mean.to_bits(), raids.to_bits()), days());
        self.next = 1;
        self.block[0]
    }

    /// The day's new need when it is already drawn (the block's mean and raids are
    /// `mean` and `raids`, and a need is left); `None` when [`NeedAhead::next`] must
    /// draw a block.
    #[inline]
    pub(crate) fn buffered(&mut self, mean: f64, raids: f64) -> Option<u64> {
        let key = (mean.to_bits(), raids.to_bits());
        let x = *self.block.get(self.next)?;
        if key != self.key {
            return None;
        }
        self.next += 1;
        Some(x)
    }

    #[inline(never)]
    fn refill(&mut self, law: NeedLaw<'_>, key: (u64, u64), days: u32) {
        if self.next < self.block.len() {
            self.rewind(law);
        }
        self.start = (self.rng.clone(), self.poisson.run());
        self.key = key;
        let at = (f64::from_bits(key.0), f64::from_bits(key.1));
        let n = usize::try_from(days).unwrap_or(BLOCK).clamp(1, BLOCK);
        self.block.resize(n, 0);
        if law.gamma.is_none() && law.per_raid.is_none() {
            // Plain Poisson need: the sampler's own loop.
            super::fill_demand_cached(at.0, &mut self.poisson, &mut self.rng, &mut self.block);
            return;
        }
        // The stream on the stack, where the inlined samplers can keep it in registers.
        let mut rng = self.rng.clone();
        for x in &mut self.block {
            *x = law.draw(at, &mut self.poisson, &mut rng);
        }
        self.rng = rng;
    }

    /// Puts the stream where drawing the block's used needs alone leaves it.
    #[cold]
    fn rewind(&mut self, law: NeedLaw<'_>) {
        self.rng = self.start.0.clone();
        self.poisson.resume(self.start.1);
        let at = (f64::from_bits(self.key.0), f64::from_bits(self.key.1));
        for _ in 0..self.next {
            law.draw(at, &mut self.poisson, &mut self.rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::DistSpec;
    use crate::engine::{StreamId, stream_rng};

    #[derive(serde::Deserialize)]
    struct Holder {
        d: DistSpec,
    }

    fn dist(text: &str) -> Dist {
        let h: Holder = toml::from_str(&format!("d = {text}")).expect("valid test distribution");
        h.d.build().expect("valid test distribution")
    }

    /// A front's needs drawn ahead equal its needs drawn day by day, for plain
    /// Poisson needs (tabulated and not), negative-binomial and compound ones, while
    /// the mean changes: when announced, earlier than announced (the block is put back
    /// and the used needs drawn again) and later.
    #[test]
    fn needs_ahead_are_the_needs_drawn_day_by_day() {
        let raid = dist("{ dist = \"poisson\", mean = 3 }");
        let gamma = crate::model::demand_gamma(Some(2.5));
        let laws = [
            NeedLaw {
                gamma: None,
                per_raid: None,
            },
            NeedLaw {
                gamma: gamma.as_ref(),
                per_raid: None,
            },
            NeedLaw {
                gamma: None,
                per_raid: Some(&raid),
            },
            NeedLaw {
                gamma: gamma.as_ref(),
                per_raid: Some(&raid),
            },
        ];
        // (mean, days it lasts, days announced to the sampler).
        let schedule: [(f64, u32, u32); 9] = [
            (0.0, 5, 5),
            (2.0, 200, 200),
            (300.0, 90, 90),
            (300.0 * 1.5, 70, 100), // changes 30 days earlier than announced
            (2.0, 40, 20),          // lasts longer than announced
            (1_500.0, 80, 80),      // beyond the table's range
            (0.0, 10, 64),
            (2.0, 3, 64),
            (300.0, 300, 300),
        ];
        for (l, law) in laws.iter().enumerate() {
            let rng = stream_rng(5, 2, StreamId(11));
            let (mut single, mut poisson) = (rng.clone(), CachedPoisson::new());
            let mut ahead = NeedAhead::new(stream_rng(0, 0, StreamId(0)));
            ahead.restart(rng);
            let mut day = 0;
            for &(mean, lasts, announced) in &schedule {
                let raids = mean / 3.0;
                let at = if law.per_raid.is_some() {
                    (mean, raids)
                } else {
                    (mean, 0.0)
                };
                for k in 0..lasts {
                    let want = law.draw(at, &mut poisson, &mut single);
                    let got = ahead.next(*law, at.0, at.1, || announced.saturating_sub(k));
                    assert_eq!(got, want, "law {l}, day {day}, mean {mean}");
                    day += 1;
                }
            }
        }
    }
}
