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

/// The new need of every front (day after day) and the output factor of every factory
/// (factory after factory, each day after day) of one trial.
#[derive(Debug, Clone, Default)]
pub struct DrawTape {
    needs: Vec<u64>,
    /// Factory `i`'s factor of day `d` at `i * days + d`.
    factors: Vec<f64>,
    days: usize,
}

impl DrawTape {
    /// An empty tape.
    pub fn new() -> DrawTape {
        DrawTape::default()
    }

    /// Starts a recording of `factories` factories over `days` days.
    pub(super) fn start(&mut self, factories: usize, days: u32) {
        self.needs.clear();
        self.days = days as usize;
        self.factors.clear();
        self.factors.resize(factories * self.days, f64::NAN);
    }

    /// Records the next need (front after front, day after day).
    #[inline]
    pub(super) fn push_need(&mut self, need: u64) {
        self.needs.push(need);
    }

    /// Records factory `factory`'s output factors of the days from `day` on (a block
    /// of days: every factory's block is recorded before the next block's).
    #[inline]
    pub(super) fn record_factors(&mut self, factory: usize, day: u32, factors: &[f64]) {
        let at = factory * self.days + day as usize;
        self.factors[at..at + factors.len()].copy_from_slice(factors);
    }

    /// Every front's need on day `day`, with `fronts` fronts.
    #[inline]
    pub(super) fn needs_of_day(&self, fronts: usize, day: u32) -> &[u64] {
        let first = day as usize * fronts;
        &self.needs[first..first + fronts]
    }

    /// Factory `factory`'s output factors of the `n` days from `day` on.
    #[inline]
    pub(super) fn factors(&self, factory: usize, day: u32, n: usize) -> &[f64] {
        let at = factory * self.days + day as usize;
        &self.factors[at..at + n]
    }

    /// Needs held.
    pub fn needs(&self) -> usize {
        self.needs.len()
    }

    /// Output factors recorded (a slot not yet recorded holds NaN, which no
    /// recorded factor is: factors are draws of a valid law or its fixed value).
    pub fn factors_held(&self) -> usize {
        self.factors.iter().filter(|x| !x.is_nan()).count()
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
