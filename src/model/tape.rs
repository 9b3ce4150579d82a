//! A trial's daily needs, recorded by one model and replayed by others that draw them
//! alike: the sweep's way of drawing the fronts' needs once per trial for all its points.
//!
//! A front's daily need depends only on its own definition, the horizon and the trial's
//! demand streams (its means, regimes and daily draws come from streams no other
//! process touches). Two models whose fronts are defined alike ([`Model::same_needs`])
//! therefore draw the very same needs in the same trial, whatever their factories,
//! stocks or aid. A sweep over anything but demand runs trial `t` of every point in
//! turn: the first records the needs on a [`NeedTape`], the others read them back
//! instead of drawing them. Everything else of a trial (setup draws included) runs as
//! before, so each point's outcome is identical to an untaped run's.

use super::Model;

/// What a trial does with a [`NeedTape`].
#[derive(Debug)]
pub enum Tape<'a> {
    /// Draw the needs; no tape.
    Off,
    /// Draw the needs and write them on the tape.
    Record(&'a mut NeedTape),
    /// Read the needs from a tape recorded by a model with the same needs in the same
    /// trial (same seed and trial index).
    Replay(&'a NeedTape),
}

/// The new needs of every front on every day of one trial, day after day.
#[derive(Debug, Clone, Default)]
pub struct NeedTape {
    needs: Vec<u64>,
}

impl NeedTape {
    /// An empty tape.
    pub fn new() -> NeedTape {
        NeedTape::default()
    }

    /// Starts a recording.
    pub(super) fn clear(&mut self) {
        self.needs.clear();
    }

    /// Records the next need (front after front, day after day).
    #[inline]
    pub(super) fn push(&mut self, need: u64) {
        self.needs.push(need);
    }

    /// Front `front`'s need on day `day`, with `fronts` fronts.
    #[inline]
    pub(super) fn get(&self, fronts: usize, day: u32, front: usize) -> u64 {
        self.needs[day as usize * fronts + front]
    }

    /// Needs held.
    pub fn len(&self) -> usize {
        self.needs.len()
    }

    /// Whether the tape holds no need.
    pub fn is_empty(&self) -> bool {
        self.needs.is_empty()
    }
}

impl Model {
    /// Whether a trial of `self` and the same trial of `other` (same seed) draw the
    /// same daily needs, so that one's [`NeedTape`] can stand for the other's draws:
    /// the same horizon, fronts defined alike with the same random streams, and no
    /// design pinning inputs in either.
    pub fn same_needs(&self, other: &Model) -> bool {
        self.design.is_none()
            && other.design.is_none()
            && self.scenario.days == other.scenario.days
            && self.scenario.demand == other.scenario.demand
            && self.streams.demand_setup == other.streams.demand_setup
            && self.streams.demand_daily == other.streams.demand_daily
            && self.streams.demand_regime == other.streams.demand_regime
    }
}
