//! The pending-event set: a min-heap with FIFO ties and cancellation.
//!
//! # Ordering
//!
//! Events leave the queue in a total, deterministic order:
//!
//! 1. earlier [`SimTime`] first;
//! 2. at the same time, lower `priority` first (0 is the most urgent), so a model can
//!    fix the order of same-time events by kind (for example arrivals before
//!    production before consumption);
//! 3. at the same time and priority, in the order they were scheduled (FIFO).
//!
//! The third rule uses an insertion counter, so the order never depends on how the heap
//! happens to break ties, on the payload, or on the platform.
//!
//! # Cost
//!
//! Each entry stores its key as two machine words — the time, and the priority packed
//! above a 56-bit insertion counter — compared as one 128-bit integer, next to the event
//! payload. The heap is 4-ary: half the depth of a binary heap, with a node's children
//! side by side in memory, which matters once the queue outgrows the CPU caches.
//! [`EventQueue::push`] and [`EventQueue::pop`] are `O(log n)` and allocate nothing once
//! the heap has grown to its working size. `benches/hold_model.rs` measures them
//! against a bare `std::collections::BinaryHeap`.
//!
//! Cancellation leaves a *tombstone*: the cancelled entry stays in the heap and is
//! skipped when it reaches the top. While nothing is cancelled, `pop` pays a single
//! emptiness check for this. [`EventQueue::cancel`] itself scans the pending entries to
//! tell whether the event is still pending, so it costs `O(n)`; it is meant for
//! occasional use (a timeout beaten by a completion, a repair made moot), not for every
//! event. When tombstones outnumber live events the heap is compacted, so they never
//! dominate memory.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use super::time::SimTime;

/// Bits of the tie-break word used by the insertion counter; the priority sits above.
const SEQ_BITS: u32 = 56;
/// Mask selecting the insertion counter in the tie-break word.
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;
/// Compaction is not worth it below this many tombstones.
const MIN_TOMBSTONES_TO_COMPACT: usize = 64;

/// The identity of one scheduled event, used to cancel it.
///
/// Ids are unique among the events scheduled on one queue since it was created or last
/// [cleared](EventQueue::clear); an id kept across a clear may name a newer event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

/// An event taken from the queue, with the key it was scheduled under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled<E> {
    /// When the event happens.
    pub time: SimTime,
    /// Its priority among events at the same time (lower first).
    pub priority: u8,
    /// The id returned when it was scheduled.
    pub id: EventId,
    /// The model's payload.
    pub event: E,
}

/// One heap entry: the packed key and the payload.
#[derive(Clone, Debug)]
struct Entry<E> {
    time: u64,
    /// `priority << SEQ_BITS | seq`.
    tie: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline(always)]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.tie)
    }

    #[inline(always)]
    fn seq(&self) -> u64 {
        self.tie & SEQ_MASK
    }

    #[inline]
    fn into_scheduled(self) -> Scheduled<E> {
        Scheduled {
            time: SimTime(self.time),
            priority: (self.tie >> SEQ_BITS) as u8,
            id: EventId(self.tie & SEQ_MASK),
            event: self.event,
        }
    }
}

/// A 4-ary min-heap of entries, smallest key at index 0.
///
/// Four children per node halve the depth of a binary heap, so a pop touches half as
/// many levels of a large heap; the children of a node sit side by side in memory.
#[derive(Clone, Debug)]
struct QuadHeap<E> {
    data: Vec<Entry<E>>,
}

impl<E> QuadHeap<E> {
    fn with_capacity(n: usize) -> Self {
        QuadHeap {
            data: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn push(&mut self, entry: Entry<E>) {
        self.data.push(entry);
        self.sift_up(self.data.len() - 1);
    }

    /// Removes the smallest entry.
    ///
    /// The last entry must replace it. As it usually belongs near the bottom, the
    /// smallest-children path is followed down to a leaf comparing children only, then
    /// back up to where the last entry fits; the entries above that point shift up one
    /// level. Each entry moves once (safe code, no swaps).
    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.data.pop()?;
        if self.data.is_empty() {
            return Some(last);
        }
        let mut pos = 0;
        while let Some(child) = self.smallest_child(pos) {
            pos = child;
        }
        let key = last.key();
        while pos > 0 && self.data[pos].key() > key {
            pos = parent(pos);
        }
        let mut carry = std::mem::replace(&mut self.data[pos], last);
        while pos > 0 {
            pos = parent(pos);
            carry = std::mem::replace(&mut self.data[pos], carry);
        }
        Some(carry)
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.data.first()
    }

    #[inline]
    fn len(&self) -> usize {
        self.data.len()
    }

    fn clear(&mut self) {
        self.data.clear();
    }

    /// Keeps the entries for which `keep` is true, then restores the heap order.
    fn retain(&mut self, keep: impl FnMut(&Entry<E>) -> bool) {
        self.data.retain(keep);
        for pos in (0..self.data.len().div_ceil(4)).rev() {
            self.sift_down(pos);
        }
    }

    /// Moves the entry at `pos` up until its parent is not larger.
    #[inline]
    fn sift_up(&mut self, mut pos: usize) {
        let key = self.data[pos].key();
        while pos > 0 {
            let up = parent(pos);
            if self.data[up].key() <= key {
                break;
            }
            self.data.swap(pos, up);
            pos = up;
        }
    }

    /// Index of the smallest child of `pos`, if it has children.
    #[inline(always)]
    fn smallest_child(&self, pos: usize) -> Option<usize> {
        let first = 4 * pos + 1;
        let children = self.data.get(first..)?;
        if let [c0, c1, c2, c3, ..] = children {
            // A branch-free tournament over the four keys.
            let (k0, k1, k2, k3) = (c0.key(), c1.key(), c2.key(), c3.key());
            let (a, ka) = if k1 < k0 { (1, k1) } else { (0, k0) };
            let (b, kb) = if k3 < k2 { (3, k3) } else { (2, k2) };
            Some(first + if kb < ka { b } else { a })
        } else {
            let mut best = 0;
            for (i, c) in children.iter().enumerate().skip(1) {
                if c.key() < children[best].key() {
                    best = i;
                }
            }
            (!children.is_empty()).then_some(first + best)
        }
    }

    /// Moves the entry at `pos` down until its children are not smaller.
    fn sift_down(&mut self, mut pos: usize) {
        while let Some(child) = self.smallest_child(pos) {
            if self.data[pos].key() <= self.data[child].key() {
                break;
            }
            self.data.swap(pos, child);
            pos = child;
        }
    }
}

/// The parent of node `pos > 0` in a 4-ary heap.
#[inline(always)]
fn parent(pos: usize) -> usize {
    (pos - 1) / 4
}

/// A hasher for insertion counters: one multiply, as they are distinct integers.
#[derive(Default, Clone, Copy)]
struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The set of pending events of a simulation, ordered by (time, priority, scheduling
/// order); see the [module documentation](self) for the rules and costs.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: QuadHeap<E>,
    /// Insertion counters of cancelled entries that are still in `heap`.
    cancelled: HashSet<u64, BuildHasherDefault<SeqHasher>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `n` pending events before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: QuadHeap::with_capacity(n),
            cancelled: HashSet::default(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time` with `priority` (lower first among same-time events)
    /// and returns its id.
    ///
    /// The queue accepts any time; it is [`Simulation`](super::Simulation) that rejects
    /// events in the past.
    ///
    /// # Panics
    ///
    /// If more than 2^56 events are pushed without a [`clear`](Self::clear).
    #[inline]
    pub fn push(&mut self, time: SimTime, priority: u8, event: E) -> EventId {
        let seq = self.next_seq;
        assert!(
            seq <= SEQ_MASK,
            "event queue: 2^56 events since the last clear"
        );
        self.next_seq = seq + 1;
        self.heap.push(Entry {
            time: time.0,
            tie: (u64::from(priority) << SEQ_BITS) | seq,
            event,
        });
        EventId(seq)
    }

    /// Removes and returns the earliest live event, skipping cancelled ones.
    #[inline]
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        loop {
            let entry = self.heap.pop()?;
            if self.cancelled.is_empty() || !self.cancelled.remove(&entry.seq()) {
                return Some(entry.into_scheduled());
            }
        }
    }

    /// The (time, priority) of the earliest live event, without removing it.
    ///
    /// Takes `&mut self` because it drops the tombstones of cancelled events that sit at
    /// the top of the heap.
    #[inline]
    pub fn peek_key(&mut self) -> Option<(SimTime, u8)> {
        self.drop_top_tombstones();
        self.heap
            .peek()
            .map(|e| (SimTime(e.time), (e.tie >> SEQ_BITS) as u8))
    }

    /// Cancels the event `id`. Returns `true` if it was pending, and `false` if it had
    /// already been popped or cancelled (or was never scheduled on this queue).
    ///
    /// Costs `O(n)` in the number of entries; see the [module documentation](self).
    pub fn cancel(&mut self, id: EventId) -> bool {
        let seq = id.0;
        if seq >= self.next_seq || self.cancelled.contains(&seq) {
            return false;
        }
        if !self.heap.data.iter().any(|e| e.seq() == seq) {
            return false;
        }
        self.cancelled.insert(seq);
        self.compact_if_mostly_tombstones();
        true
    }

    /// The number of live (scheduled, not yet popped or cancelled) events.
    #[inline]
    pub fn len(&self) -> usize {
        self.heap.len() - self.cancelled.len()
    }

    /// Whether no live event is pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every event and restarts the insertion counter, keeping the allocated
    /// capacity so that a reused queue allocates nothing.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.cancelled.clear();
        self.next_seq = 0;
    }

    /// Pops tombstones until the top of the heap is a live event (or the heap is empty).
    #[inline]
    fn drop_top_tombstones(&mut self) {
        if self.cancelled.is_empty() {
            return;
        }
        while let Some(top) = self.heap.peek() {
            if !self.cancelled.remove(&top.seq()) {
                break;
            }
            self.heap.pop();
        }
    }

    /// Rebuilds the heap without tombstones once they outnumber the live events.
    fn compact_if_mostly_tombstones(&mut self) {
        let dead = self.cancelled.len();
        if dead < MIN_TOMBSTONES_TO_COMPACT || dead * 2 <= self.heap.len() {
            return;
        }
        let cancelled = &self.cancelled;
        self.heap.retain(|e| !cancelled.contains(&e.seq()));
        self.cancelled.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn drain(q: &mut EventQueue<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| q.pop().map(|s| s.event)).collect()
    }

    #[test]
    fn same_time_and_priority_leave_in_scheduling_order() {
        let mut q = EventQueue::new();
        for name in ["a", "b", "c", "d"] {
            q.push(SimTime(5), 1, name);
        }
        assert_eq!(drain(&mut q), ["a", "b", "c", "d"]);
    }

    #[test]
    fn orders_by_time_then_priority_then_fifo() {
        let mut q = EventQueue::new();
        q.push(SimTime(2), 0, "late");
        q.push(SimTime(1), 9, "low");
        q.push(SimTime(1), 0, "urgent");
        q.push(SimTime(1), 9, "low2");
        q.push(SimTime(1), 3, "mid");
        assert_eq!(drain(&mut q), ["urgent", "mid", "low", "low2", "late"]);
    }

    #[test]
    fn scheduled_carries_its_key_and_id() {
        let mut q = EventQueue::new();
        let id = q.push(SimTime(7), 200, 'x');
        let s = q.pop().unwrap();
        assert_eq!(
            (s.time, s.priority, s.id, s.event),
            (SimTime(7), 200, id, 'x')
        );
        assert!(q.pop().is_none());
    }

    #[test]
    fn extreme_times_and_priorities_keep_their_order() {
        let mut q = EventQueue::new();
        q.push(SimTime::MAX, u8::MAX, "last");
        q.push(SimTime::MAX, 0, "max-time");
        q.push(SimTime::ZERO, u8::MAX, "zero-time");
        assert_eq!(drain(&mut q), ["zero-time", "max-time", "last"]);
    }

    #[test]
    fn a_large_queue_pops_in_sorted_order() {
        let mut q = EventQueue::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut times = Vec::new();
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            times.push(x % 1_000_000);
            q.push(SimTime(x % 1_000_000), 0, ());
        }
        times.sort_unstable();
        let popped: Vec<u64> = std::iter::from_fn(|| q.pop().map(|s| s.time.0)).collect();
        assert_eq!(popped, times);
    }

    #[test]
    fn cancelled_events_are_skipped_and_not_counted() {
        let mut q = EventQueue::new();
        q.push(SimTime(1), 0, "a");
        let b = q.push(SimTime(2), 0, "b");
        q.push(SimTime(3), 0, "c");
        assert!(q.cancel(b));
        assert_eq!(q.len(), 2);
        assert_eq!(drain(&mut q), ["a", "c"]);
        assert!(q.is_empty());
    }

    #[test]
    fn cancelling_twice_or_after_pop_returns_false() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(1), 0, "a");
        let b = q.push(SimTime(2), 0, "b");
        assert!(q.cancel(b));
        assert!(!q.cancel(b), "second cancel");
        assert_eq!(q.pop().map(|s| s.id), Some(a));
        assert!(!q.cancel(a), "cancel after pop");
        assert!(!q.cancel(EventId(99)), "never scheduled");
        assert!(q.pop().is_none());
        assert!(!q.cancel(b), "cancel after its tombstone was dropped");
    }

    #[test]
    fn peek_key_skips_tombstones_at_the_top() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime(1), 0, "a");
        q.push(SimTime(1), 4, "b");
        assert_eq!(q.peek_key(), Some((SimTime(1), 0)));
        q.cancel(a);
        assert_eq!(q.peek_key(), Some((SimTime(1), 4)));
        assert_eq!(q.len(), 1);
        q.pop();
        assert_eq!(q.peek_key(), None);
    }

    #[test]
    fn many_cancellations_compact_the_heap() {
        let mut q = EventQueue::new();
        let ids: Vec<_> = (0..1000u64).map(|i| q.push(SimTime(i), 0, i)).collect();
        for id in &ids[..900] {
            assert!(q.cancel(*id));
        }
        assert_eq!(q.len(), 100);
        assert!(q.heap.len() < 1000, "tombstones were compacted");
        let left: Vec<u64> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(left, (900..1000).collect::<Vec<_>>());
        assert!(!q.cancel(ids[0]));
    }

    #[test]
    fn clear_empties_restarts_ids_and_keeps_capacity() {
        let mut q = EventQueue::with_capacity(16);
        let first = q.push(SimTime(3), 0, "a");
        let b = q.push(SimTime(4), 0, "b");
        q.cancel(b);
        let cap = q.heap.data.capacity();
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.peek_key(), None);
        assert_eq!(q.heap.data.capacity(), cap);
        assert_eq!(q.push(SimTime(1), 0, "c"), first);
        assert_eq!(drain(&mut q), ["c"]);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Push(u64, u8),
        Pop,
        Peek,
        Cancel(usize),
        Clear,
    }

    /// Operations with the given weights of (push, pop, peek, cancel, clear).
    fn ops(w: [u32; 5], max_len: usize) -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![
            w[0] => (0..20u64, 0..4u8).prop_map(|(t, p)| Op::Push(t, p)),
            w[1] => Just(Op::Pop),
            w[2] => Just(Op::Peek),
            w[3] => any::<prop::sample::Index>().prop_map(|i| Op::Cancel(i.index(usize::MAX))),
            w[4] => Just(Op::Clear),
        ];
        prop::collection::vec(op, 0..max_len)
    }

    /// Runs `ops` on an `EventQueue` and on a `BTreeMap` keyed by (time, priority,
    /// scheduling order), checking that they agree after every step.
    fn agrees_with_ordered_map(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut q = EventQueue::new();
        let mut model: BTreeMap<(u64, u8, u64), u32> = BTreeMap::new();
        let mut ids: Vec<(EventId, (u64, u8, u64))> = Vec::new();
        let mut seq = 0u64;
        let mut payload = 0u32;
        for op in ops {
            match op {
                Op::Push(t, p) => {
                    let id = q.push(SimTime(t), p, payload);
                    model.insert((t, p, seq), payload);
                    ids.push((id, (t, p, seq)));
                    seq += 1;
                    payload += 1;
                }
                Op::Pop => {
                    let got = q.pop().map(|s| (s.time.0, s.priority, s.event));
                    let want = model.pop_first().map(|((t, p, _), e)| (t, p, e));
                    prop_assert_eq!(got, want);
                }
                Op::Peek => {
                    let want = model.keys().next().map(|&(t, p, _)| (SimTime(t), p));
                    prop_assert_eq!(q.peek_key(), want);
                }
                Op::Cancel(i) if !ids.is_empty() => {
                    let (id, key) = ids[i % ids.len()];
                    prop_assert_eq!(q.cancel(id), model.remove(&key).is_some());
                }
                Op::Cancel(_) => {}
                Op::Clear => {
                    q.clear();
                    model.clear();
                    ids.clear();
                    seq = 0;
                }
            }
            prop_assert_eq!(q.len(), model.len());
            prop_assert_eq!(q.is_empty(), model.is_empty());
        }
        let rest: Vec<u32> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        prop_assert_eq!(rest, model.into_values().collect::<Vec<_>>());
        Ok(())
    }

    proptest! {
        #[test]
        fn behaves_like_an_ordered_map(ops in ops([6, 3, 1, 3, 1], 200)) {
            agrees_with_ordered_map(ops)?;
        }
    }

    proptest! {
        // Long runs with many cancellations reach heap compaction.
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn behaves_like_an_ordered_map_under_heavy_cancellation(
            ops in ops([6, 1, 1, 10, 0], 800)
        ) {
            agrees_with_ordered_map(ops)?;
        }
    }
}
