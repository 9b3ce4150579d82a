//! An M/M/1 queue as a [`Model`] on the drawdown engine: the textbook check of the core,
//! shared by `examples/mm1` and the test suite (`tests/it/mm1.rs` includes this file).
//!
//! One tick is 10⁻⁶ time units; exponential times are rounded to whole ticks. Arrivals
//! and services draw from separate streams, so changing μ leaves the arrival times as
//! they were (common random numbers).

// Each of the two crates including this file uses a different subset of it.
#![allow(dead_code)]

use std::collections::VecDeque;

use drawdown::engine::{Model, Scheduled, SimTime, Simulation, StreamId, StreamRng, stream_rng};
use rand_distr::{Distribution, Exp, ExpError};

/// Ticks per model time unit.
pub(crate) const TICKS_PER_UNIT: f64 = 1e6;
/// Priorities: at the same tick a departure frees the server before an arrival looks.
pub(crate) const DEPARTURE: u8 = 0;
/// See [`DEPARTURE`].
pub(crate) const ARRIVAL: u8 = 1;

const ARRIVALS: StreamId = StreamId::from_name("mm1.arrivals");
const SERVICES: StreamId = StreamId::from_name("mm1.services");

/// The two kinds of event of an M/M/1 queue.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mm1Event {
    /// A customer arrives.
    Arrival,
    /// The customer in service leaves.
    Departure,
}

/// The queue's state and its measurement counters.
pub(crate) struct Mm1 {
    pub(crate) arrivals: StreamRng,
    services: StreamRng,
    pub(crate) interarrival: Exp<f64>,
    service: Exp<f64>,
    /// Arrival times of the customers waiting for the server.
    waiting: VecDeque<SimTime>,
    /// When the current service began, if the server is busy.
    busy_since: Option<SimTime>,
    /// Start of the measurement window (end of the warm-up).
    measure_from: SimTime,
    busy_ticks: u64,
    wait_ticks: u128,
    served: u64,
}

/// An exponential duration rounded to whole ticks.
pub(crate) fn draw_ticks(dist: &Exp<f64>, rng: &mut StreamRng) -> u64 {
    (dist.sample(rng) * TICKS_PER_UNIT).round() as u64
}

impl Mm1 {
    /// A queue with rates λ and μ, drawing from trial `trial` of `seed`, measuring from
    /// `measure_from`.
    pub(crate) fn new(
        (lambda, mu): (f64, f64),
        seed: u64,
        trial: u64,
        measure_from: SimTime,
    ) -> Result<Self, ExpError> {
        Ok(Mm1 {
            arrivals: stream_rng(seed, trial, ARRIVALS),
            services: stream_rng(seed, trial, SERVICES),
            interarrival: Exp::new(lambda)?,
            service: Exp::new(mu)?,
            waiting: VecDeque::new(),
            busy_since: None,
            measure_from,
            busy_ticks: 0,
            wait_ticks: 0,
            served: 0,
        })
    }

    fn start_service(&mut self, sim: &mut Simulation<Mm1Event>, arrived: SimTime) {
        let now = sim.now();
        if now >= self.measure_from {
            self.wait_ticks += u128::from(now.since(arrived));
            self.served += 1;
        }
        self.busy_since = Some(now);
        let service = draw_ticks(&self.service, &mut self.services);
        sim.schedule_in(service, DEPARTURE, Mm1Event::Departure);
    }

    /// Adds the part of the current busy period up to `now` that lies in the window.
    fn close_busy_period(&mut self, now: SimTime) {
        if let Some(since) = self.busy_since.take() {
            self.busy_ticks += now.since(since.max(self.measure_from));
        }
    }
}

impl Model for Mm1 {
    type Event = Mm1Event;

    fn handle(&mut self, sim: &mut Simulation<Mm1Event>, ev: Scheduled<Mm1Event>) {
        assert_eq!(
            sim.now(),
            ev.time,
            "the clock is at the event being handled"
        );
        match ev.event {
            Mm1Event::Arrival => {
                let gap = draw_ticks(&self.interarrival, &mut self.arrivals);
                sim.schedule_in(gap, ARRIVAL, Mm1Event::Arrival);
                if self.busy_since.is_some() {
                    self.waiting.push_back(sim.now());
                } else {
                    self.start_service(sim, sim.now());
                }
            }
            Mm1Event::Departure => {
                self.close_busy_period(sim.now());
                if let Some(arrived) = self.waiting.pop_front() {
                    self.start_service(sim, arrived);
                }
            }
        }
    }
}

/// One replication's estimates.
#[derive(Debug, PartialEq)]
pub(crate) struct Replication {
    /// Share of the measured time the server was busy.
    pub(crate) utilisation: f64,
    /// Mean wait in queue of the customers served in the window [time units].
    pub(crate) mean_wait: f64,
    /// Customers served in the window.
    pub(crate) served: u64,
}

/// Warm-up of many relaxation times, 20 / (μ (1 − √ρ)²).
pub(crate) fn warmup(lambda: f64, mu: f64) -> f64 {
    20.0 / (mu * (1.0 - (lambda / mu).sqrt()).powi(2))
}

/// Runs replication `trial` of `seed`: `warmup` time units discarded, then `length`
/// measured; `sim` is reset first, so one simulation serves every replication.
pub(crate) fn replicate(
    sim: &mut Simulation<Mm1Event>,
    rates: (f64, f64),
    seed: u64,
    trial: u64,
    (warmup, length): (f64, f64),
) -> Result<Replication, ExpError> {
    let start = SimTime((warmup * TICKS_PER_UNIT) as u64);
    let end = start.after((length * TICKS_PER_UNIT) as u64);
    let mut model = Mm1::new(rates, seed, trial, start)?;
    sim.reset();
    let first = draw_ticks(&model.interarrival, &mut model.arrivals);
    sim.schedule_in(first, ARRIVAL, Mm1Event::Arrival);
    sim.run_until(&mut model, end);
    assert_eq!(sim.now(), end, "run_until stops at its end time");
    model.close_busy_period(end);
    Ok(Replication {
        utilisation: model.busy_ticks as f64 / end.since(start) as f64,
        mean_wait: model.wait_ticks as f64 / TICKS_PER_UNIT / model.served.max(1) as f64,
        served: model.served,
    })
}

/// Mean and standard error of independent replication estimates.
pub(crate) fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}
