//! The generic discrete-event core: a clock, a queue of pending events, cancellation
//! and random streams. It knows nothing about munitions.
//!
//! A model implements [`Model`]: it owns its state and reacts to one event at a time,
//! scheduling further events on the [`Simulation`] it is handed. The simulation owns the
//! clock ([`SimTime`], integer ticks) and the [`EventQueue`].
//!
//! # Ordering
//!
//! Events are handled in the order of the key (time, priority, scheduling order): earlier
//! first; at the same time, lower priority number first; at the same time and priority,
//! first scheduled first (see [`queue`]). The result of a run therefore never depends on
//! how the heap breaks ties. The clock only moves forward: scheduling before
//! [`Simulation::now`] is an error ([`SimError::PastEvent`]), and so is moving the clock
//! past a pending event ([`SimError::SkipsPendingEvent`]).
//!
//! # Randomness
//!
//! The engine draws no random numbers itself. Models build one generator per purpose
//! with [`stream_rng`]`(seed, trial, stream)`; see [`rng`] for the seeding scheme and its
//! stability guarantee.
//!
//! # Reuse
//!
//! [`Simulation::reset`] empties the queue and rewinds the clock while keeping the
//! queue's memory, so a Monte Carlo loop that reuses one `Simulation` for many trials
//! allocates nothing after the first.
//!
//! # Example
//!
//! ```
//! use drawdown::engine::{Model, Scheduled, Simulation, SimTime};
//!
//! /// Records when the alarm rang.
//! struct Alarm { rang_at: Option<SimTime> }
//!
//! impl Model for Alarm {
//!     type Event = &'static str;
//!     fn handle(&mut self, sim: &mut Simulation<&'static str>, ev: Scheduled<&'static str>) {
//!         if ev.event == "ring" {
//!             self.rang_at = Some(sim.now());
//!         }
//!     }
//! }
//!
//! let mut sim = Simulation::new();
//! sim.schedule_in(10, 0, "ring");
//! let mut model = Alarm { rang_at: None };
//! sim.run(&mut model);
//! assert_eq!(model.rang_at, Some(SimTime(10)));
//! ```

pub mod calendar;
pub mod queue;
pub mod rng;
pub mod time;

pub use calendar::Calendar;
pub use queue::{EventId, EventQueue, Scheduled};
pub use rng::{StreamId, StreamRng, stream_rng};
pub use time::SimTime;

/// A misuse of the simulation clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// An event was scheduled, or the clock moved, to a time before the current time.
    #[error("cannot schedule an event at tick {at} before the current time {now}")]
    PastEvent {
        /// The requested time, in ticks.
        at: u64,
        /// The current time, in ticks.
        now: u64,
    },
    /// A [`Calendar`] was asked to hold an event at or beyond its horizon.
    #[error("cannot schedule an event at tick {at}: the calendar ends before tick {horizon}")]
    BeyondHorizon {
        /// The requested time, in ticks.
        at: u64,
        /// The calendar's horizon: the first tick it does not cover.
        horizon: u64,
    },
    /// A [`Calendar`] was asked to hold an event of a priority it has no list for.
    #[error("cannot schedule an event of priority {priority}: the calendar holds priorities 0 to {}", priorities - 1)]
    Priority {
        /// The requested priority.
        priority: u8,
        /// The calendar's number of priorities.
        priorities: u8,
    },
    /// [`Simulation::advance_to`] would have jumped over a pending event.
    #[error("cannot advance the clock to tick {to}: an event is pending at tick {pending}")]
    SkipsPendingEvent {
        /// The requested time, in ticks.
        to: u64,
        /// The time of the earliest pending event, in ticks.
        pending: u64,
    },
}

/// A discrete-event model: state plus a reaction to each event.
pub trait Model {
    /// The model's event payload.
    type Event;

    /// Handles one event. `sim.now()` is already the event's time; the model may
    /// schedule and cancel events on `sim`.
    fn handle(&mut self, sim: &mut Simulation<Self::Event>, event: Scheduled<Self::Event>);
}

/// A clock and its pending events: the driver of a discrete-event run.
#[derive(Clone, Debug)]
pub struct Simulation<E> {
    now: SimTime,
    queue: EventQueue<E>,
}

impl<E> Default for Simulation<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Simulation<E> {
    /// A simulation at time 0 with no pending events.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// A simulation whose queue has room for `n` pending events before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        Simulation {
            now: SimTime::ZERO,
            queue: EventQueue::with_capacity(n),
        }
    }

    /// The current time: the time of the event being handled, or the time the clock
    /// was last moved to.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at the absolute time `time`.
    ///
    /// # Errors
    ///
    /// [`SimError::PastEvent`] if `time` is before [`now`](Self::now). An event at
    /// exactly `now` is allowed; it is handled after the current event.
    #[inline]
    pub fn schedule_at(
        &mut self,
        time: SimTime,
        priority: u8,
        event: E,
    ) -> Result<EventId, SimError> {
        if time < self.now {
            return Err(SimError::PastEvent {
                at: time.0,
                now: self.now.0,
            });
        }
        Ok(self.queue.push(time, priority, event))
    }

    /// Schedules `event` `delay` ticks from now (saturating at [`SimTime::MAX`]).
    #[inline]
    pub fn schedule_in(&mut self, delay: u64, priority: u8, event: E) -> EventId {
        self.queue.push(self.now.after(delay), priority, event)
    }

    /// Cancels a pending event. Returns `true` if it was pending, `false` if it had
    /// already been handled or cancelled. Costs `O(n)` in the pending events (see
    /// [`queue`]).
    pub fn cancel(&mut self, id: EventId) -> bool {
        self.queue.cancel(id)
    }

    /// The number of pending (not yet handled or cancelled) events.
    #[inline]
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The (time, priority) of the next event, if any, without handling it.
    #[inline]
    pub fn peek_key(&mut self) -> Option<(SimTime, u8)> {
        self.queue.peek_key()
    }

    /// Removes the earliest pending event and moves the clock to its time.
    #[inline]
    pub fn next_event(&mut self) -> Option<Scheduled<E>> {
        let event = self.queue.pop()?;
        debug_assert!(
            event.time >= self.now,
            "invariant: no pending event is in the past"
        );
        self.now = event.time;
        Some(event)
    }

    /// Like [`next_event`](Self::next_event), but only if the earliest event's
    /// (time, priority) is at or before (`time`, `priority`); otherwise leaves the queue
    /// and the clock untouched and returns `None`.
    ///
    /// A model that does regular work once per period uses this to handle the irregular
    /// events that come before that work, e.g. with `priority` = the work's priority.
    #[inline]
    pub fn next_event_before(&mut self, time: SimTime, priority: u8) -> Option<Scheduled<E>> {
        match self.queue.peek_key() {
            Some(key) if key <= (time, priority) => self.next_event(),
            _ => None,
        }
    }

    /// Moves the clock forward to `time` without handling any event.
    ///
    /// # Errors
    ///
    /// [`SimError::PastEvent`] if `time` is before [`now`](Self::now), and
    /// [`SimError::SkipsPendingEvent`] if an event is pending strictly before `time`
    /// (handle it first, e.g. with [`next_event_before`](Self::next_event_before)).
    pub fn advance_to(&mut self, time: SimTime) -> Result<(), SimError> {
        if time < self.now {
            return Err(SimError::PastEvent {
                at: time.0,
                now: self.now.0,
            });
        }
        if let Some((pending, _)) = self.queue.peek_key()
            && pending < time
        {
            return Err(SimError::SkipsPendingEvent {
                to: time.0,
                pending: pending.0,
            });
        }
        self.now = time;
        Ok(())
    }

    /// Handles the next event with `model`. Returns `false` if there was none.
    pub fn step<M: Model<Event = E>>(&mut self, model: &mut M) -> bool {
        match self.next_event() {
            Some(event) => {
                model.handle(self, event);
                true
            }
            None => false,
        }
    }

    /// Handles every event at or before `until` (including those scheduled meanwhile),
    /// then moves the clock to `until` (or leaves it if it is already later).
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, until: SimTime) {
        while let Some(event) = self.next_event_before(until, u8::MAX) {
            model.handle(self, event);
        }
        self.now = self.now.max(until);
    }

    /// Handles events until none is pending. Does not return if the model keeps
    /// scheduling events forever; use [`run_until`](Self::run_until) for such models.
    pub fn run<M: Model<Event = E>>(&mut self, model: &mut M) {
        while self.step(model) {}
    }

    /// Back to time 0 with no pending events, keeping the allocated memory.
    pub fn reset(&mut self) {
        self.now = SimTime::ZERO;
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records (time, payload) of every event; event `n > 0` schedules `n - 1` one tick
    /// later; event 100 cancels the event whose id is in `to_cancel`.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(u64, u32)>,
        to_cancel: Option<EventId>,
        cancelled: Option<bool>,
    }

    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, sim: &mut Simulation<u32>, ev: Scheduled<u32>) {
            assert_eq!(sim.now(), ev.time);
            self.seen.push((ev.time.0, ev.event));
            if ev.event == 100 {
                self.cancelled = self.to_cancel.map(|id| sim.cancel(id));
            } else if ev.event > 0 && ev.event < 100 {
                sim.schedule_in(1, 0, ev.event - 1);
            }
        }
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut sim = Simulation::new();
        sim.schedule_at(SimTime(5), 0, 0u32).unwrap();
        sim.next_event().unwrap();
        let err = sim.schedule_at(SimTime(4), 0, 0).unwrap_err();
        assert_eq!(err, SimError::PastEvent { at: 4, now: 5 });
        assert_eq!(
            err.to_string(),
            "cannot schedule an event at tick 4 before the current time 5"
        );
        assert!(
            sim.schedule_at(SimTime(5), 0, 0).is_ok(),
            "now itself is allowed"
        );
    }

    #[test]
    fn next_event_moves_the_clock_and_schedule_in_is_relative() {
        let mut sim = Simulation::new();
        sim.schedule_in(7, 0, 1u32);
        assert_eq!(sim.now(), SimTime::ZERO);
        sim.next_event().unwrap();
        assert_eq!(sim.now(), SimTime(7));
        sim.schedule_in(3, 0, 2);
        assert_eq!(sim.next_event().unwrap().time, SimTime(10));
        assert!(sim.next_event().is_none());
        assert_eq!(
            sim.now(),
            SimTime(10),
            "clock stays when the queue is empty"
        );
    }

    #[test]
    fn next_event_before_respects_time_and_priority_bounds() {
        let mut sim = Simulation::new();
        sim.schedule_at(SimTime(5), 2, 0u32).unwrap();
        assert!(sim.next_event_before(SimTime(4), u8::MAX).is_none());
        assert!(sim.next_event_before(SimTime(5), 1).is_none());
        assert_eq!(sim.now(), SimTime::ZERO, "no event, no clock move");
        let ev = sim.next_event_before(SimTime(5), 2).unwrap();
        assert_eq!((ev.time, ev.priority), (SimTime(5), 2));
        assert_eq!(sim.now(), SimTime(5));
        sim.schedule_at(SimTime(6), 0, 0).unwrap();
        assert!(
            sim.next_event_before(SimTime(7), 0).is_some(),
            "earlier time, any priority"
        );
    }

    #[test]
    fn advance_to_moves_forward_only_and_never_skips_events() {
        let mut sim = Simulation::new();
        sim.advance_to(SimTime(3)).unwrap();
        assert_eq!(sim.now(), SimTime(3));
        assert_eq!(
            sim.advance_to(SimTime(2)),
            Err(SimError::PastEvent { at: 2, now: 3 })
        );
        sim.schedule_at(SimTime(8), 0, 0u32).unwrap();
        sim.advance_to(SimTime(8)).unwrap();
        assert_eq!(
            sim.advance_to(SimTime(9)),
            Err(SimError::SkipsPendingEvent { to: 9, pending: 8 })
        );
        assert_eq!(sim.now(), SimTime(8));
    }

    #[test]
    fn run_until_handles_events_up_to_the_bound_inclusive() {
        let mut sim = Simulation::new();
        let mut model = Recorder::default();
        sim.schedule_at(SimTime(0), 0, 5u32).unwrap();
        sim.run_until(&mut model, SimTime(3));
        assert_eq!(model.seen, [(0, 5), (1, 4), (2, 3), (3, 2)]);
        assert_eq!(sim.now(), SimTime(3));
        assert_eq!(sim.pending(), 1);
        sim.run_until(&mut model, SimTime(100));
        assert_eq!(model.seen.len(), 6);
        assert_eq!(sim.now(), SimTime(100), "clock moves to the bound");
        sim.run_until(&mut model, SimTime(50));
        assert_eq!(sim.now(), SimTime(100), "never backwards");
    }

    #[test]
    fn a_model_can_cancel_a_pending_event() {
        let mut sim = Simulation::new();
        let mut model = Recorder::default();
        sim.schedule_at(SimTime(1), 0, 100u32).unwrap();
        model.to_cancel = Some(sim.schedule_at(SimTime(2), 0, 0).unwrap());
        sim.schedule_at(SimTime(3), 0, 0).unwrap();
        sim.run(&mut model);
        assert_eq!(model.cancelled, Some(true));
        assert_eq!(model.seen, [(1, 100), (3, 0)]);
        assert!(!sim.cancel(model.to_cancel.unwrap()));
    }

    #[test]
    fn same_time_events_follow_priority_then_fifo() {
        let mut sim = Simulation::new();
        for (prio, payload) in [(2, 1u32), (1, 2), (2, 3), (0, 4)] {
            sim.schedule_at(SimTime(4), prio, payload).unwrap();
        }
        let order: Vec<u32> = std::iter::from_fn(|| sim.next_event().map(|e| e.event)).collect();
        assert_eq!(order, [4, 2, 1, 3]);
    }

    #[test]
    fn reset_rewinds_the_clock_and_empties_the_queue() {
        let mut sim = Simulation::with_capacity(8);
        sim.schedule_in(5, 0, 1u32);
        sim.schedule_in(9, 0, 2);
        sim.next_event();
        sim.reset();
        assert_eq!(sim.now(), SimTime::ZERO);
        assert_eq!(sim.pending(), 0);
        assert!(sim.next_event().is_none());
        sim.schedule_at(SimTime(0), 0, 3).unwrap();
        assert_eq!(sim.next_event().map(|e| e.event), Some(3));
    }

    #[test]
    fn step_reports_whether_an_event_was_handled() {
        let mut sim = Simulation::new();
        let mut model = Recorder::default();
        sim.schedule_in(1, 0, 0u32);
        assert!(sim.step(&mut model));
        assert!(!sim.step(&mut model));
    }
}
