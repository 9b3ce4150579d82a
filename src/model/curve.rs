//! A level over time (factory capacity, input limit), built once per trial from a
//! [`Ramp`] whose milestone dates, slips and targets are random.
//!
//! The curve is piecewise linear through knots `(day, level)`: each milestone starts at
//! its (slipped) day from whatever level the curve has reached there and climbs linearly
//! to its target over its ramp duration (a step when the duration is 0). A milestone
//! that starts while an earlier ramp is still climbing takes over from the level reached.
//! Days only move forward in a trial, so evaluation walks a cursor: O(1) per day.

use super::limits::MAX_QUANTITY;
use crate::engine::StreamRng;
use crate::scenario::Ramp;

/// Days per month used to turn monthly rates into daily ones (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// A piecewise-linear level [rounds per day] with a forward-only cursor.
#[derive(Debug, Clone, Default)]
pub(crate) struct Curve {
    /// Knots sorted by day; the level is constant before the first and after the last.
    knots: Vec<(i64, f64)>,
    /// Slope [per day] from each knot to the next (0 after the last).
    slopes: Vec<f64>,
    cursor: usize,
    /// The segment under the cursor: its first day, level there and slope.
    segment: (i64, f64, f64),
    /// The day the next segment starts (`i64::MAX` after the last knot).
    next_day: i64,
}

impl Curve {
    /// Draws a curve from `ramp` (levels per month) with `rng`, reusing this allocation.
    /// Each draw passes through `pick(slot, drawn)`, which returns the value used: slot 0
    /// is the initial level, then slip, target and ramp days of each milestone in turn
    /// (see [`super::inputs`]).
    pub(crate) fn draw(
        &mut self,
        ramp: &Ramp,
        rng: &mut StreamRng,
        pick: &mut impl FnMut(u32, f64) -> f64,
    ) {
        self.knots.clear();
        self.cursor = 0;
        // Levels [per month] are cut to MAX_QUANTITY (NaN counts as 0).
        let level = |x: f64| x.max(0.0).min(MAX_QUANTITY as f64) / DAYS_PER_MONTH;
        let initial = level(pick(0, ramp.initial.sample(rng)));
        self.knots.push((i64::MIN, initial));
        let mut starts: Vec<(i64, f64, i64)> = ramp
            .milestones
            .iter()
            .zip((1u32..).step_by(3))
            .map(|(m, slot)| {
                let slip = pick(slot, m.slip_days.sample(rng)).round() as i64;
                let target = level(pick(slot + 1, m.target.sample(rng)));
                let ramp_days = pick(slot + 2, m.ramp_days.sample(rng)).max(0.0).round() as i64;
                (m.day.saturating_add(slip), target, ramp_days)
            })
            .collect();
        // Slips may reorder milestones: the one that actually starts first applies first.
        starts.sort_by_key(|&(start, _, _)| start);
        for (start, target, ramp_days) in starts {
            let level = self.level_at(start);
            self.knots.retain(|&(day, _)| day <= start);
            self.knots.push((start, level));
            self.knots.push((start.saturating_add(ramp_days), target));
        }
        self.slopes.clear();
        let slopes = (0..self.knots.len()).map(|i| slope(&self.knots, i));
        self.slopes.extend(slopes);
        self.enter(0);
    }

    /// Puts the cursor on segment `i`.
    fn enter(&mut self, i: usize) {
        self.cursor = i;
        let (d0, l0) = self.knots[i];
        self.segment = (d0, l0, self.slopes[i]);
        self.next_day = self.knots.get(i + 1).map_or(i64::MAX, |&(d, _)| d);
    }

    /// Level on `day`, without moving the cursor.
    pub(crate) fn level_at(&self, day: i64) -> f64 {
        let i = self
            .knots
            .partition_point(|&(d, _)| d <= day)
            .saturating_sub(1);
        interpolate(&self.knots, i, day)
    }

    /// Level on `day`; `day` must not decrease between calls (after [`Curve::draw`]).
    #[inline]
    pub(crate) fn advance(&mut self, day: i64) -> f64 {
        while day >= self.next_day {
            self.enter(self.cursor + 1);
        }
        let (d0, l0, slope) = self.segment;
        if slope == 0.0 {
            l0
        } else {
            l0 + slope * day.saturating_sub(d0) as f64
        }
    }
}

/// Slope from knot `i` to the next one; 0 when flat, a step, or the open-ended first knot.
fn slope(knots: &[(i64, f64)], i: usize) -> f64 {
    let (d0, l0) = knots[i];
    match knots.get(i + 1) {
        Some(&(d1, l1)) if d1 > d0 && d0 != i64::MIN => (l1 - l0) / d1.saturating_sub(d0) as f64,
        _ => 0.0,
    }
}

#[inline]
fn interpolate(knots: &[(i64, f64)], i: usize, day: i64) -> f64 {
    let (d0, l0) = knots[i];
    match knots.get(i + 1) {
        Some(&(d1, l1)) if d1 > d0 && d0 != i64::MIN => {
            l0 + (l1 - l0) * (day.saturating_sub(d0) as f64 / d1.saturating_sub(d0) as f64)
        }
        _ => l0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::engine::{StreamId, stream_rng};
    use crate::scenario::Milestone;

    fn milestone(day: i64, target: f64, ramp: f64, slip: f64) -> Milestone {
        Milestone {
            id: format!("m{day}"),
            day,
            target: Dist::fixed(target * DAYS_PER_MONTH),
            slip_days: Dist::fixed(slip),
            ramp_days: Dist::fixed(ramp),
        }
    }

    fn curve(initial: f64, milestones: Vec<Milestone>) -> Curve {
        let ramp = Ramp {
            initial: Dist::fixed(initial * DAYS_PER_MONTH),
            milestones,
        };
        let mut c = Curve::default();
        c.draw(&ramp, &mut stream_rng(1, 0, StreamId(0)), &mut |_, x| x);
        c
    }

    #[test]
    fn steps_and_ramps_linearly() {
        let mut c = curve(
            10.0,
            vec![milestone(5, 20.0, 0.0, 0.0), milestone(10, 40.0, 10.0, 0.0)],
        );
        let levels: Vec<f64> = (0..25).map(|d| c.advance(d)).collect();
        assert_eq!(levels[4], 10.0);
        assert_eq!(levels[5], 20.0);
        assert_eq!(levels[10], 20.0);
        assert!((levels[15] - 30.0).abs() < 1e-9);
        assert_eq!(levels[20], 40.0);
        assert_eq!(levels[24], 40.0);
    }

    #[test]
    fn slips_move_milestones_and_may_reorder_them() {
        let c = curve(
            0.0,
            vec![
                milestone(10, 50.0, 0.0, 30.0),
                milestone(20, 70.0, 0.0, 0.0),
            ],
        );
        assert_eq!(c.level_at(25), 70.0);
        assert_eq!(c.level_at(40), 50.0);
    }

    #[test]
    fn a_new_milestone_takes_over_a_ramp_in_progress() {
        let c = curve(
            0.0,
            vec![
                milestone(0, 100.0, 100.0, 0.0),
                milestone(50, 10.0, 0.0, 0.0),
            ],
        );
        assert!((c.level_at(49) - 49.0).abs() < 1e-9);
        assert_eq!(c.level_at(50), 10.0);
        assert_eq!(c.level_at(99), 10.0);
    }
}
