//! A trial's daily draws, recorded by one model and replayed by others that draw them
//! alike: the sweep's way of drawing the fronts' needs and the factories' output
//! factors once per trial for all its points.
//!
//! A front's daily need depends only on its own definition, the horizon and the trial's
//! demand streams (its means, regimes and daily draws come from streams no other
//! process touches); a factory's daily output factor only on its `output_factor`, the
//! horizon and its output stream. Two models that define these alike
//! ([`Model::same_draws`]) therefore draw the very same needs and factors in the same
//! trial, whatever their capacities, ramps, stocks, orders or aid. A sweep over
//! anything else runs trial `t` of every point in turn: the first records the draws on
//! a [`DrawTape`], the others read them back instead of drawing them. Everything else
//! of a trial (setup draws included) runs as before, so each point's outcome is
//! identical to an untaped run's.

use super::Model;

/// What a trial does with a [`DrawTape`].
#[derive(Debug)]
pub enum Tape<'a> {
    /// Draw; no tape.
    Off,
    /// Draw, and write the draws on the tape.
    Record(&'a mut DrawTape),
    /// Read the draws from a tape recorded by a model with [`Model::same_draws`] in the
    /// same trial (same seed and trial index).
    Replay(&'a DrawTape),
}

/// The new need of every front and the output factor of every factory, on every day
/// of one trial, day after day.
#[derive(Debug, Clone, Default)]
pub struct DrawTape {
    needs: Vec<u64>,
    factors: Vec<f64>,
}

impl DrawTape {
    /// An empty tape.
    pub fn new() -> DrawTape {
        DrawTape::default()
    }

    /// Starts a recording.
    pub(super) fn clear(&mut self) {
        self.needs.clear();
        self.factors.clear();
    }

    /// Records the next need (front after front, day after day).
    #[inline]
    pub(super) fn push_need(&mut self, need: u64) {
        self.needs.push(need);
    }

    /// Records the next output factor (factory after factory, day after day).
    #[inline]
    pub(super) fn push_factor(&mut self, factor: f64) {
        self.factors.push(factor);
    }

    /// Every front's need on day `day`, with `fronts` fronts.
    #[inline]
    pub(super) fn needs_of_day(&self, fronts: usize, day: u32) -> &[u64] {
        let first = day as usize * fronts;
        &self.needs[first..first + fronts]
    }

    /// Factory `factory`'s output factor on day `day`, with `factories` factories.
    #[inline]
    pub(super) fn factor(&self, factories: usize, day: u32, factory: usize) -> f64 {
        self.factors[day as usize * factories + factory]
    }

    /// Needs held.
    pub fn needs(&self) -> usize {
        self.needs.len()
    }

    /// Output factors held.
    pub fn factors(&self) -> usize {
        self.factors.len()
    }
}

impl Model {
    /// Whether a trial of `self` and the same trial of `other` (same seed) draw the
    /// same daily needs and output factors, so that one's [`DrawTape`] can stand for
    /// the other's draws: the same horizon; fronts, and factories' output factors,
    /// defined alike with the same random streams; no design pinning inputs in either.
    pub fn same_draws(&self, other: &Model) -> bool {
        let (a, b) = (&self.scenario, &other.scenario);
        self.design.is_none()
            && other.design.is_none()
            && a.days == b.days
            && a.demand == b.demand
            && self.streams.demand_setup == other.streams.demand_setup
            && self.streams.demand_daily == other.streams.demand_daily
            && self.streams.demand_regime == other.streams.demand_regime
            && a.factories.len() == b.factories.len()
            && a.factories
                .iter()
                .zip(&b.factories)
                .all(|(x, y)| x.output_factor == y.output_factor)
            && self.streams.factory_output == other.streams.factory_output
    }
}
