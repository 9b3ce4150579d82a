//! One-at-a-time swings (a tornado): each varied input is moved to a low and a high
//! value while every other input keeps its random draw, with common random numbers, so
//! trial t of every row sees the same daily need, breakdowns and lead times. The swing
//! of an input is the paired difference between its high and low rows; bars are ranked
//! by its size.
//!
//! Without `--vary`, every uncertain input swings between the 10 % and 90 % quantiles of
//! its own distribution (the rest stay random, so a bar is the effect of knowing that
//! input, not a deterministic what-if).

use super::select::Target;
use crate::stats::Interval;
use crate::sweep::{Compared, Outcomes, compare};

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The spec's path pattern, or the input's path.
    pub name: String,
    /// Inputs it moves.
    pub inputs: usize,
    /// How the low and high rows set them (`=12`, `+180`, `p10 = 1.2e6` …).
    pub labels: [String; 2],
    /// The metric at the low and high rows, with paired differences from the baseline.
    pub ends: [Compared; 2],
    /// High minus low, with its paired 95 % interval.
    pub swing: (f64, Interval),
}

/// The metric of `target` at `point`, with its paired difference from `base`.
pub fn measure(point: &Outcomes, base: &Outcomes, target: &Target) -> Option<Compared> {
    compare(point, base, 0, target.channel, target.consumer)
        .into_iter()
        .find(|c| c.metric == target.metric)
}

/// A bar from its rows (outcomes of the target series only, width 1).
pub fn bar(
    name: String,
    inputs: usize,
    labels: [String; 2],
    rows: [&Outcomes; 2],
    base: &Outcomes,
    target: &Target,
) -> Option<Bar> {
    let low = measure(rows[0], base, target)?;
    let high = measure(rows[1], base, target)?;
    let swing = measure(rows[1], rows[0], target)?.diff?;
    Some(Bar {
        name,
        inputs,
        labels,
        ends: [low, high],
        swing,
    })
}

/// Sorts bars by the size of their swing, largest first (ties by name).
pub fn rank(bars: &mut [Bar]) {
    bars.sort_by(|a, b| {
        b.swing
            .0
            .abs()
            .total_cmp(&a.swing.0.abs())
            .then_with(|| a.name.cmp(&b.name))
    });
}
