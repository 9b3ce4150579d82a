//! A calendar of events on whole ticks within a known horizon: one list per tick.
//!
//! Models that step a fixed period at a time (a day) and keep the queue for irregular
//! events (arrivals, breakdowns, reviews) only ever ask "what is due today, up to this
//! phase?". A [`Calendar`] answers that in O(1): scheduling links the event into the
//! list of its tick, and the events of a tick are taken in order from the front of its
//! list. It keeps the ordering contract of the heap-based [`crate::engine::EventQueue`],
//! key (time, priority, scheduling order), so a model gets the same run from either; the
//! test `same_order_as_the_heap` checks that on random schedules.
//!
//! Storage: one 4-byte list head per tick, and the events themselves in one pool of
//! nodes (a singly linked list per tick through the pool, taken nodes reused through a
//! free list). Scheduling writes a recently freed node and one head, so the working
//! set stays small and hot in cache, and nothing is allocated once the pool has reached
//! the largest number of events pending at once. Ticks must lie in `[0, horizon)`, and
//! the calendar is read forward only: taking an event of tick `t` closes every earlier
//! tick.

use super::{SimError, SimTime};

/// No node: the end of a list.
const NONE: u32 = u32::MAX;

/// One pending event (or a free node).
#[derive(Clone, Debug)]
struct Node<E> {
    priority: u8,
    /// The next node of the same tick (or of the free list).
    next: u32,
    event: E,
}

/// Pending events listed by tick, for ticks `0..horizon`.
#[derive(Clone, Debug)]
pub struct Calendar<E> {
    /// First node of each tick's list, in (priority, scheduling order) order.
    heads: Vec<u32>,
    nodes: Vec<Node<E>>,
    /// First free node.
    free: u32,
    /// The tick being read: every earlier list is empty.
    now: u64,
    /// Pending (scheduled, not yet taken) events.
    pending: usize,
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Calendar {
            heads: Vec::new(),
            nodes: Vec::new(),
            free: NONE,
            now: 0,
            pending: 0,
        }
    }
}

impl<E> Calendar<E> {
    /// An empty calendar for ticks `0..horizon`.
    pub fn new(horizon: u64) -> Self {
        let mut calendar = Calendar::default();
        calendar.reset(horizon);
        calendar
    }

    /// Empties the calendar and rewinds it to tick 0 for ticks `0..horizon`, keeping the
    /// memory.
    pub fn reset(&mut self, horizon: u64) {
        let horizon = usize::try_from(horizon).unwrap_or(usize::MAX);
        self.heads.clear();
        self.heads.resize(horizon, NONE);
        self.nodes.clear();
        self.free = NONE;
        self.now = 0;
        self.pending = 0;
    }

    /// The number of ticks the calendar covers.
    pub fn horizon(&self) -> u64 {
        self.heads.len() as u64
    }

    /// Events scheduled and not yet taken.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Schedules `event` at tick `time` with `priority`: after the events of that tick
    /// with a lower or equal priority, before those with a higher one. At the tick being
    /// read, an event whose key sorts before the events already taken comes next.
    ///
    /// # Errors
    /// [`SimError::PastEvent`] if `time` is before the tick being read, and
    /// [`SimError::BeyondHorizon`] if it is not below the horizon.
    #[inline]
    pub fn schedule_at(&mut self, time: SimTime, priority: u8, event: E) -> Result<(), SimError> {
        if time.0 < self.now {
            return Err(SimError::PastEvent {
                at: time.0,
                now: self.now,
            });
        }
        let tick = match usize::try_from(time.0) {
            Ok(t) if t < self.heads.len() => t,
            _ => {
                return Err(SimError::BeyondHorizon {
                    at: time.0,
                    horizon: self.heads.len() as u64,
                });
            }
        };
        // Usually the tick has no event, or only events of lower or equal priority.
        let mut before = NONE;
        let mut at = self.heads[tick];
        while at != NONE && self.nodes[at as usize].priority <= priority {
            before = at;
            at = self.nodes[at as usize].next;
        }
        let node = self.allocate(Node {
            priority,
            next: at,
            event,
        });
        match before {
            NONE => self.heads[tick] = node,
            b => self.nodes[b as usize].next = node,
        }
        self.pending += 1;
        Ok(())
    }

    /// Stores `node` in a free slot; returns its index.
    #[inline]
    fn allocate(&mut self, node: Node<E>) -> u32 {
        if self.free != NONE {
            let index = self.free;
            let slot = &mut self.nodes[index as usize];
            self.free = slot.next;
            *slot = node;
            index
        } else {
            // Indices stay below NONE: a calendar never holds 2³² − 1 events at once
            // (that would take over 100 GB).
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    /// Takes the next event of tick `time` whose priority is at most `priority`, in key
    /// order; `None` when there is none (or `time` is beyond the horizon). Taking an
    /// event at `time` closes every earlier tick: their remaining events are dropped.
    #[inline]
    pub fn next_before(&mut self, time: SimTime, priority: u8) -> Option<E>
    where
        E: Copy,
    {
        if time.0 != self.now {
            // The usual step: to the next tick, the current one fully taken.
            let done = usize::try_from(self.now)
                .ok()
                .and_then(|t| self.heads.get(t))
                .is_none_or(|&h| h == NONE);
            if done && time.0 == self.now + 1 {
                self.now = time.0;
            } else {
                self.advance(time.0);
            }
        }
        let head = self.heads.get_mut(usize::try_from(time.0).ok()?)?;
        let node = self.nodes.get(*head as usize)?;
        if node.priority > priority {
            return None;
        }
        let (taken, event) = (*head, node.event);
        *head = node.next;
        self.release(taken);
        Some(event)
    }

    /// Returns node `index` (taken or dropped) to the free list.
    #[inline]
    fn release(&mut self, index: u32) {
        self.nodes[index as usize].next = self.free;
        self.free = index;
        self.pending -= 1;
    }

    /// Moves the reading position to `time`, dropping what earlier ticks left pending.
    #[cold]
    fn advance(&mut self, time: u64) {
        let (from, to) = (self.now as usize, (time as usize).min(self.heads.len()));
        for tick in from..to {
            let mut at = std::mem::replace(&mut self.heads[tick], NONE);
            while at != NONE {
                let next = self.nodes[at as usize].next;
                self.release(at);
                at = next;
            }
        }
        self.now = self.now.max(time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventQueue;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn within_a_tick_priority_then_scheduling_order() {
        let mut c = Calendar::new(10);
        for (p, e) in [(2, 'a'), (0, 'b'), (2, 'c'), (1, 'd'), (0, 'e')] {
            c.schedule_at(SimTime(3), p, e).expect("in range");
        }
        assert_eq!(c.next_before(SimTime(2), u8::MAX), None);
        assert_eq!(c.next_before(SimTime(3), 0), Some('b'));
        assert_eq!(c.next_before(SimTime(3), 0), Some('e'));
        assert_eq!(c.next_before(SimTime(3), 0), None);
        // Scheduled at the tick being read, before what was taken: comes next.
        c.schedule_at(SimTime(3), 0, 'f').expect("at now");
        let rest: Vec<char> = std::iter::from_fn(|| c.next_before(SimTime(3), 9)).collect();
        assert_eq!(rest, ['f', 'd', 'a', 'c']);
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn rejects_the_past_and_beyond_the_horizon() {
        let mut c = Calendar::new(5);
        c.schedule_at(SimTime(4), 0, 1).expect("last tick");
        assert_eq!(
            c.schedule_at(SimTime(5), 0, 2),
            Err(SimError::BeyondHorizon { at: 5, horizon: 5 })
        );
        assert_eq!(c.next_before(SimTime(4), 0), Some(1));
        assert_eq!(
            c.schedule_at(SimTime(3), 0, 3),
            Err(SimError::PastEvent { at: 3, now: 4 })
        );
    }

    #[test]
    fn reset_forgets_everything_and_can_change_the_horizon() {
        let mut c = Calendar::new(8);
        for t in 0..8 {
            c.schedule_at(SimTime(t), 1, t).expect("in range");
        }
        assert_eq!(c.next_before(SimTime(2), 1), Some(2));
        assert_eq!(c.pending(), 5, "ticks 0 and 1 were closed unread");
        c.reset(4);
        assert_eq!((c.pending(), c.horizon()), (0, 4));
        for t in 0..4 {
            assert_eq!(c.next_before(SimTime(t), u8::MAX), None);
        }
        c.reset(4);
        c.schedule_at(SimTime(0), 0, 9).expect("in range");
        assert_eq!(c.next_before(SimTime(0), 0), Some(9));
    }

    /// Random schedules, including events scheduled while reading: the calendar hands
    /// out events in the heap's (time, priority, scheduling order).
    #[test]
    fn same_order_as_the_heap() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let horizon = 200;
        let mut calendar = Calendar::new(horizon);
        for round in 0..50 {
            calendar.reset(horizon);
            let mut heap = EventQueue::new();
            let mut id = 0u32;
            for _ in 0..rng.random_range(0..100) {
                let (t, p) = (rng.random_range(0..horizon), rng.random_range(0..4u8));
                calendar.schedule_at(SimTime(t), p, id).expect("in range");
                heap.push(SimTime(t), p, id);
                id += 1;
            }
            let mut taken = Vec::new();
            for t in 0..horizon {
                for phase in 0..4u8 {
                    while let Some(e) = calendar.next_before(SimTime(t), phase) {
                        taken.push(e);
                        // Sometimes schedule more, at this tick or later, as models do.
                        if rng.random::<f64>() < 0.3 {
                            let at = (t + rng.random_range(0..3)).min(horizon - 1);
                            let p = rng.random_range(phase..4);
                            calendar.schedule_at(SimTime(at), p, id).expect("not past");
                            heap.push(SimTime(at), p, id);
                            id += 1;
                        }
                    }
                }
            }
            let from_heap: Vec<u32> = std::iter::from_fn(|| heap.pop().map(|s| s.event)).collect();
            assert_eq!(taken, from_heap, "round {round}");
            assert_eq!(calendar.pending(), 0);
        }
    }
}
