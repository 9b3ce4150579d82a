//! A calendar of events on whole ticks within a known horizon: one list per tick and
//! priority.
//!
//! Models that step a fixed period at a time (a day) and keep the queue for irregular
//! events (arrivals, breakdowns, reviews) only ever ask "what is due today, up to this
//! phase?". A [`Calendar`] answers that in O(1), and schedules in O(1) however many
//! events are already due that day: each (tick, priority) pair has its own first-in
//! first-out list, a new event is linked at the tail of its list, and a bit mask per
//! tick says which priorities hold events, so taking the next event is one mask lookup.
//! It keeps the ordering contract of the heap-based [`crate::engine::EventQueue`], key
//! (time, priority, scheduling order), so a model gets the same run from either; the test
//! `same_order_as_the_heap` checks that on random schedules.
//!
//! Priorities are the few phases of a model's step: a calendar is made for priorities
//! `0..priorities` (at most [`Calendar::MAX_PRIORITIES`]).
//!
//! Storage: a head and a tail (4 bytes each) per tick and priority, a 2-byte mask per
//! tick, and the events themselves in one pool of nodes (taken nodes reused through a
//! free list), so nothing is allocated once the pool has reached the largest number of
//! events pending at once. Ticks must lie in `[0, horizon)`, and the calendar is read
//! forward only: taking an event of tick `t` closes every earlier tick.

use super::{SimError, SimTime};

/// No node: the end of a list.
const NONE: u32 = u32::MAX;

/// One pending event (or a free node).
#[derive(Clone, Debug)]
struct Node<E> {
    /// The next node of the same list (or of the free list).
    next: u32,
    event: E,
}

/// The events of one tick and priority, in scheduling order.
#[derive(Clone, Copy, Debug)]
struct List {
    head: u32,
    tail: u32,
}

const EMPTY: List = List {
    head: NONE,
    tail: NONE,
};

/// Pending events listed by tick and priority, for ticks `0..horizon`.
#[derive(Clone, Debug)]
pub struct Calendar<E> {
    /// The list of (tick, priority) at `tick * priorities + priority`.
    lists: Vec<List>,
    /// Per tick, bit `p` set when priority `p`'s list holds an event.
    masks: Vec<u16>,
    priorities: u8,
    nodes: Vec<Node<E>>,
    /// First free node.
    free: u32,
    /// The tick being read: every earlier list is empty.
    now: u64,
    /// Pending (scheduled, not yet taken) events.
    pending: usize,
}

impl<E> Calendar<E> {
    /// The most priorities a calendar holds.
    pub const MAX_PRIORITIES: u8 = 16;

    /// An empty calendar for ticks `0..horizon` and priorities `0..priorities`
    /// (`priorities` is clamped to `1..=MAX_PRIORITIES`).
    pub fn new(horizon: u64, priorities: u8) -> Self {
        let mut calendar = Calendar {
            lists: Vec::new(),
            masks: Vec::new(),
            priorities: priorities.clamp(1, Self::MAX_PRIORITIES),
            nodes: Vec::new(),
            free: NONE,
            now: 0,
            pending: 0,
        };
        calendar.reset(horizon);
        calendar
    }

    /// Empties the calendar and rewinds it to tick 0 for ticks `0..horizon`, keeping the
    /// memory.
    pub fn reset(&mut self, horizon: u64) {
        let horizon = usize::try_from(horizon).unwrap_or(usize::MAX);
        let width = usize::from(self.priorities);
        if horizon == self.masks.len() {
            // Ticks before `now` are empty already: clear only the lists still holding events.
            let from = usize::try_from(self.now).unwrap_or(usize::MAX).min(horizon);
            for tick in from..horizon {
                if std::mem::take(&mut self.masks[tick]) != 0 {
                    self.lists[tick * width..(tick + 1) * width].fill(EMPTY);
                }
            }
        } else {
            self.masks.clear();
            self.masks.resize(horizon, 0);
            self.lists.clear();
            self.lists.resize(horizon.saturating_mul(width), EMPTY);
        }
        self.nodes.clear();
        self.free = NONE;
        self.now = 0;
        self.pending = 0;
    }

    /// The number of ticks the calendar covers.
    pub fn horizon(&self) -> u64 {
        self.masks.len() as u64
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
    /// [`SimError::PastEvent`] if `time` is before the tick being read,
    /// [`SimError::BeyondHorizon`] if it is not below the horizon, and
    /// [`SimError::Priority`] if `priority` is not below the calendar's priorities.
    #[inline]
    pub fn schedule_at(&mut self, time: SimTime, priority: u8, event: E) -> Result<(), SimError> {
        if time.0 < self.now {
            return Err(SimError::PastEvent {
                at: time.0,
                now: self.now,
            });
        }
        let tick = match usize::try_from(time.0) {
            Ok(t) if t < self.masks.len() => t,
            _ => {
                return Err(SimError::BeyondHorizon {
                    at: time.0,
                    horizon: self.masks.len() as u64,
                });
            }
        };
        if priority >= self.priorities {
            return Err(SimError::Priority {
                priority,
                priorities: self.priorities,
            });
        }
        let node = self.allocate(Node { next: NONE, event });
        let list = &mut self.lists[tick * usize::from(self.priorities) + usize::from(priority)];
        match list.tail {
            NONE => list.head = node,
            tail => self.nodes[tail as usize].next = node,
        }
        list.tail = node;
        self.masks[tick] |= 1 << priority;
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
                .and_then(|t| self.masks.get(t))
                .is_none_or(|&m| m == 0);
            if done && time.0 == self.now + 1 {
                self.now = time.0;
            } else {
                self.advance(time.0);
            }
        }
        let tick = usize::try_from(time.0).ok()?;
        let mask = self.masks.get_mut(tick)?;
        let allowed = if priority >= 15 {
            u16::MAX
        } else {
            (2u16 << priority) - 1
        };
        let due = *mask & allowed;
        if due == 0 {
            return None;
        }
        let p = due.trailing_zeros() as usize;
        let list = &mut self.lists[tick * usize::from(self.priorities) + p];
        let taken = list.head;
        let node = &self.nodes[taken as usize];
        let event = node.event;
        list.head = node.next;
        if list.head == NONE {
            list.tail = NONE;
            *mask &= !(1 << p);
        }
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
        let (from, to) = (self.now as usize, (time as usize).min(self.masks.len()));
        let width = usize::from(self.priorities);
        for tick in from..to {
            if std::mem::take(&mut self.masks[tick]) == 0 {
                continue;
            }
            for p in 0..width {
                let list = std::mem::replace(&mut self.lists[tick * width + p], EMPTY);
                let mut at = list.head;
                while at != NONE {
                    let next = self.nodes[at as usize].next;
                    self.release(at);
                    at = next;
                }
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
        let mut c = Calendar::new(10, 3);
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
        let mut c = Calendar::new(5, 1);
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
    fn rejects_a_priority_it_has_no_list_for() {
        let mut c = Calendar::new(5, 2);
        assert_eq!(
            c.schedule_at(SimTime(1), 2, 'x'),
            Err(SimError::Priority {
                priority: 2,
                priorities: 2
            })
        );
        assert_eq!(c.pending(), 0);
        // Reading up to any priority is fine, even beyond the calendar's.
        c.schedule_at(SimTime(1), 1, 'y').expect("in range");
        assert_eq!(c.next_before(SimTime(1), u8::MAX), Some('y'));
    }

    /// Thousands of events on one tick, scheduled in an interleaved priority order: taken
    /// in priority order, each priority first in, first out.
    #[test]
    fn many_same_tick_events_keep_the_order_contract() {
        let mut c = Calendar::new(3, 4);
        let n = 5_000u32;
        for i in 0..n {
            let p = [3u8, 0, 2, 1, 0, 3, 1][i as usize % 7];
            c.schedule_at(SimTime(1), p, (p, i)).expect("in range");
        }
        let taken: Vec<(u8, u32)> = std::iter::from_fn(|| c.next_before(SimTime(1), 3)).collect();
        assert_eq!(taken.len(), n as usize);
        let mut expected = taken.clone();
        expected.sort(); // by priority, then scheduling index
        assert_eq!(taken, expected);
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn reset_forgets_everything_and_can_change_the_horizon() {
        let mut c = Calendar::new(8, 2);
        for t in 0..8 {
            c.schedule_at(SimTime(t), 1, t).expect("in range");
        }
        assert_eq!(c.next_before(SimTime(2), 1), Some(2));
        assert_eq!(c.pending(), 5, "ticks 0 and 1 were closed unread");
        // Same horizon: only the ticks from the reading position on are cleared, which
        // must be enough.
        c.reset(8);
        assert_eq!(c.pending(), 0);
        for t in 0..8 {
            assert_eq!(c.next_before(SimTime(t), u8::MAX), None, "tick {t}");
        }
        // Left pending at the reading position when the calendar is reset.
        c.schedule_at(SimTime(7), 0, 70)
            .expect("at the reading position");
        c.reset(8);
        c.schedule_at(SimTime(5), 1, 5).expect("in range");
        assert_eq!(c.next_before(SimTime(5), 1), Some(5));
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
        let mut calendar = Calendar::new(horizon, 4);
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
