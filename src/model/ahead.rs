//! Daily draws made ahead in blocks, for a stream that draws one value of one
//! distribution per day and nothing else (a factory's output factor).
//!
//! The draws do not depend on the state of the trial, so making them in blocks gives
//! the very same values, in the same order, from the same stream: outputs do not
//! change. What changes is the work: a block is one tight loop of independent draws
//! (the sampler chosen once, no call per draw), and the day's code reads a number
//! instead of waiting for a draw.

use crate::dist::Dist;
use crate::engine::StreamRng;

/// The most draws made at once.
pub(crate) const BLOCK: usize = 64;

/// One distribution's daily draws from a stream that only it uses.
#[derive(Debug, Clone)]
pub(crate) struct DrawAhead {
    rng: StreamRng,
    block: Vec<f64>,
    /// The next draw to hand out: `block[next]`.
    next: usize,
}

impl DrawAhead {
    /// Draws from `rng`, none made yet.
    pub(crate) fn new(rng: StreamRng) -> DrawAhead {
        DrawAhead {
            rng,
            block: Vec::with_capacity(BLOCK),
            next: 0,
        }
    }

    /// Starts over on stream `rng`, keeping the memory.
    pub(crate) fn restart(&mut self, rng: StreamRng) {
        self.rng = rng;
        self.block.clear();
        self.next = 0;
    }

    /// The next draw of `dist`, which must be the same distribution on every call
    /// since the last restart. When a block runs out, the next one holds at most
    /// `left` draws (the days still to come, counting this one), so a trial draws no
    /// more than it uses.
    #[inline]
    pub(crate) fn next(&mut self, dist: &Dist, left: u32) -> f64 {
        if self.next == self.block.len() {
            self.refill(dist, left);
        }
        let x = self.block[self.next];
        self.next += 1;
        x
    }

    #[inline(never)]
    fn refill(&mut self, dist: &Dist, left: u32) {
        let n = usize::try_from(left).unwrap_or(BLOCK).clamp(1, BLOCK);
        self.block.resize(n, 0.0);
        dist.fill(&mut self.rng, &mut self.block);
        self.next = 0;
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

    /// Drawn ahead or one at a time, the same values in the same order, whatever the
    /// number of days left announced along the way.
    #[test]
    fn draws_ahead_exactly_what_single_draws_give() {
        for spec in [
            "{ dist = \"normal\", mean = 1.0, sd = 0.15, min = 0 }",
            "{ dist = \"normal\", mean = 1.0, sd = 0.5, min = 0.2, max = 1.1 }",
            "{ dist = \"lognormal\", median = 1.0, p90 = 1.5 }",
            "{ dist = \"uniform\", min = 0.5, max = 1.5 }",
            "{ dist = \"gamma\", shape = 2, scale = 0.5, max = 3 }",
        ] {
            let d = dist(spec);
            let rng = stream_rng(3, 9, StreamId(17));
            let mut single = rng.clone();
            let mut ahead = DrawAhead::new(rng);
            for day in 0..1000u32 {
                let left = 1000 - day;
                let a = ahead.next(&d, left);
                let b = d.sample(&mut single);
                assert_eq!(a.to_bits(), b.to_bits(), "{spec}, day {day}");
            }
            // Every draw made was used: the stream stands where single draws leave it.
            assert_eq!(ahead.rng, single, "{spec}");
        }
    }

    /// A restart drops the draws made ahead and starts on the new stream.
    #[test]
    fn restart_starts_on_the_new_stream() {
        let d = dist("{ dist = \"normal\", mean = 1.0, sd = 0.15, min = 0 }");
        let mut ahead = DrawAhead::new(stream_rng(1, 0, StreamId(1)));
        ahead.next(&d, 100);
        let mut single = stream_rng(2, 0, StreamId(1));
        ahead.restart(single.clone());
        for _ in 0..100 {
            assert_eq!(
                ahead.next(&d, 100).to_bits(),
                d.sample(&mut single).to_bits()
            );
        }
    }
}
