//! The classic "hold model" benchmark of a pending-event set.
//!
//! K events are pending; one *hold* operation pops the earliest and schedules a new one
//! at `now + Exp(mean)`. The engine ([`Simulation::next_event`] +
//! [`Simulation::schedule_in`]) is compared with a bare `BinaryHeap` of
//! `Reverse<(time, payload)>` doing the same work with the same random increments, for
//! K = 10, 1 000 and 100 000. Throughput is in hold operations.
//!
//! ```text
//! cargo bench --bench hold_model -- --warm-up-time 1 --measurement-time 3
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use drawdown::engine::{Simulation, StreamId, StreamRng, stream_rng};
use rand::RngExt;
use rand_distr::Exp1;

/// Mean time increment of a hold operation, in ticks.
const MEAN_INCREMENT: f64 = 1_000_000.0;
/// Hold operations per benchmark iteration.
const OPS: u64 = 10_000;
/// Queue sizes.
const SIZES: [usize; 3] = [10, 1_000, 100_000];

/// A fresh generator; both sides draw the same increments in the same order.
fn rng() -> StreamRng {
    stream_rng(2024, 0, StreamId::from_name("hold_model"))
}

/// An exponential increment with mean [`MEAN_INCREMENT`], in whole ticks.
#[inline]
fn increment(rng: &mut StreamRng) -> u64 {
    let x: f64 = rng.sample(Exp1);
    (x * MEAN_INCREMENT) as u64
}

/// Hold operations on the engine: `next_event` then `schedule_in`.
fn engine_hold(group: &mut BenchmarkGroup<'_, WallTime>, k: usize) {
    let mut rng = rng();
    let mut sim: Simulation<u32> = Simulation::with_capacity(k);
    for i in 0..k {
        sim.schedule_in(increment(&mut rng), 0, i as u32);
    }
    group.bench_function(BenchmarkId::new("engine", k), |b| {
        b.iter(|| {
            for _ in 0..OPS {
                let ev = sim.next_event().expect("the hold model never empties");
                sim.schedule_in(increment(&mut rng), 0, black_box(ev.event));
            }
        })
    });
}

/// The same hold operations on a bare `BinaryHeap` of (time, payload).
fn heap_hold(group: &mut BenchmarkGroup<'_, WallTime>, k: usize) {
    let mut rng = rng();
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::with_capacity(k);
    for i in 0..k {
        heap.push(Reverse((increment(&mut rng), i as u32)));
    }
    group.bench_function(BenchmarkId::new("binary_heap", k), |b| {
        b.iter(|| {
            for _ in 0..OPS {
                let Reverse((now, payload)) = heap.pop().expect("the hold model never empties");
                let at = now.saturating_add(increment(&mut rng));
                heap.push(Reverse((at, black_box(payload))));
            }
        })
    });
}

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("hold");
    group.throughput(Throughput::Elements(OPS));
    for k in SIZES {
        engine_hold(&mut group, k);
        heap_hold(&mut group, k);
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
