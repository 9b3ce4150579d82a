//! Simulated time as an integer number of ticks.
//!
//! The engine never uses floating point for time: a [`SimTime`] is a count of ticks
//! since the start of the run, and the model decides what one tick means (a day, a
//! microsecond, …). Integer time makes event ordering exact and reproducible, and
//! `f64` only appears at the statistics and export boundary.

use std::fmt;

/// A point in simulated time, in integer ticks since the start of the run.
///
/// The meaning of a tick is chosen by the model. Arithmetic saturates at
/// [`SimTime::MAX`] rather than wrapping, so "never" can be written as a huge delay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every run: tick 0.
    pub const ZERO: SimTime = SimTime(0);

    /// The last representable tick; [`SimTime::after`] saturates here.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The number of ticks since the start of the run.
    #[inline]
    pub const fn ticks(self) -> u64 {
        self.0
    }

    /// The time `delay` ticks after `self`, saturating at [`SimTime::MAX`].
    #[inline]
    pub const fn after(self, delay: u64) -> SimTime {
        SimTime(self.0.saturating_add(delay))
    }

    /// The number of ticks from `earlier` to `self`, or 0 if `earlier` is later.
    #[inline]
    pub const fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl From<u64> for SimTime {
    #[inline]
    fn from(ticks: u64) -> Self {
        SimTime(ticks)
    }
}

impl From<SimTime> for u64 {
    #[inline]
    fn from(time: SimTime) -> Self {
        time.0
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tick {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_the_default_and_has_no_ticks() {
        assert_eq!(SimTime::default(), SimTime::ZERO);
        assert_eq!(SimTime::ZERO.ticks(), 0);
    }

    #[test]
    fn after_adds_ticks_and_saturates() {
        assert_eq!(SimTime(5).after(7), SimTime(12));
        assert_eq!(SimTime(u64::MAX - 1).after(10), SimTime::MAX);
    }

    #[test]
    fn since_is_the_distance_and_never_negative() {
        assert_eq!(SimTime(12).since(SimTime(5)), 7);
        assert_eq!(SimTime(5).since(SimTime(12)), 0);
    }

    #[test]
    fn orders_by_ticks_and_displays_them() {
        assert!(SimTime(3) < SimTime(4));
        assert_eq!(u64::from(SimTime::from(9)), 9);
        assert_eq!(SimTime(42).to_string(), "tick 42");
    }
}
