//! An M/M/1 queue on the drawdown engine, checked against queueing theory.
//!
//! Customers arrive as a Poisson process of rate λ and are served one at a time, first
//! come first served, with exponential service times of rate μ. For λ < μ the server's
//! utilisation is ρ = λ/μ and the mean wait in queue is Wq = ρ / (μ − λ).
//!
//! The model runs on [`Simulation`] with one tick = 10⁻⁶ time units (exponential times
//! are rounded to whole ticks). Arrivals and services draw from separate random streams,
//! so changing μ leaves the arrival times untouched. Each replication is its own trial
//! index; a warm-up is discarded, and the standard error comes from the spread of the
//! replication means (the method of independent replications).
//!
//! ```text
//! cargo run --release --example mm1 -- [lambda] [mu] [replications]
//! ```
//!
//! It ends by asserting that both estimates are within 4 standard errors of theory.

use std::collections::VecDeque;
use std::error::Error;

use drawdown::engine::{Model, Scheduled, SimTime, Simulation, StreamId, StreamRng, stream_rng};
use rand_distr::{Distribution, Exp};

/// Ticks per model time unit.
const TICKS_PER_UNIT: f64 = 1e6;
/// Master seed of the run.
const SEED: u64 = 20_240_224;
/// Priorities: at the same tick a departure frees the server before an arrival looks.
const DEPARTURE: u8 = 0;
const ARRIVAL: u8 = 1;

const ARRIVALS: StreamId = StreamId::from_name("mm1.arrivals");
const SERVICES: StreamId = StreamId::from_name("mm1.services");

/// The two kinds of event of an M/M/1 queue.
#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival,
    Departure,
}

/// The queue's state and its measurement counters.
struct Mm1 {
    arrivals: StreamRng,
    services: StreamRng,
    interarrival: Exp<f64>,
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
fn draw_ticks(dist: &Exp<f64>, rng: &mut StreamRng) -> u64 {
    (dist.sample(rng) * TICKS_PER_UNIT).round() as u64
}

impl Mm1 {
    fn new(
        lambda: f64,
        mu: f64,
        trial: u64,
        measure_from: SimTime,
    ) -> Result<Self, Box<dyn Error>> {
        Ok(Mm1 {
            arrivals: stream_rng(SEED, trial, ARRIVALS),
            services: stream_rng(SEED, trial, SERVICES),
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

    fn start_service(&mut self, sim: &mut Simulation<Event>, arrived: SimTime) {
        let now = sim.now();
        if now >= self.measure_from {
            self.wait_ticks += u128::from(now.since(arrived));
            self.served += 1;
        }
        self.busy_since = Some(now);
        sim.schedule_in(
            draw_ticks(&self.service, &mut self.services),
            DEPARTURE,
            Event::Departure,
        );
    }

    /// Adds the part of the current busy period up to `now` that lies in the window.
    fn close_busy_period(&mut self, now: SimTime) {
        if let Some(since) = self.busy_since.take() {
            self.busy_ticks += now.since(since.max(self.measure_from));
        }
    }
}

impl Model for Mm1 {
    type Event = Event;

    fn handle(&mut self, sim: &mut Simulation<Event>, ev: Scheduled<Event>) {
        match ev.event {
            Event::Arrival => {
                let gap = draw_ticks(&self.interarrival, &mut self.arrivals);
                sim.schedule_in(gap, ARRIVAL, Event::Arrival);
                if self.busy_since.is_some() {
                    self.waiting.push_back(sim.now());
                } else {
                    self.start_service(sim, sim.now());
                }
            }
            Event::Departure => {
                self.close_busy_period(sim.now());
                if let Some(arrived) = self.waiting.pop_front() {
                    self.start_service(sim, arrived);
                }
            }
        }
    }
}

/// One replication's estimates.
struct Replication {
    utilisation: f64,
    mean_wait: f64,
}

/// Runs replication `trial`: `warmup` time units discarded, then `length` measured.
fn replicate(
    sim: &mut Simulation<Event>,
    (lambda, mu): (f64, f64),
    trial: u64,
    (warmup, length): (f64, f64),
) -> Result<Replication, Box<dyn Error>> {
    let start = SimTime((warmup * TICKS_PER_UNIT) as u64);
    let end = start.after((length * TICKS_PER_UNIT) as u64);
    let mut model = Mm1::new(lambda, mu, trial, start)?;
    sim.reset();
    let first = draw_ticks(&model.interarrival, &mut model.arrivals);
    sim.schedule_in(first, ARRIVAL, Event::Arrival);
    sim.run_until(&mut model, end);
    model.close_busy_period(end);
    Ok(Replication {
        utilisation: model.busy_ticks as f64 / end.since(start) as f64,
        mean_wait: model.wait_ticks as f64 / TICKS_PER_UNIT / model.served.max(1) as f64,
    })
}

/// Mean and standard error of independent replication estimates.
fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn arg(n: usize, default: f64) -> Result<f64, Box<dyn Error>> {
    match std::env::args().nth(n) {
        Some(s) => Ok(s.parse().map_err(|e| format!("argument {n} '{s}': {e}"))?),
        None => Ok(default),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let (lambda, mu) = (arg(1, 0.8)?, arg(2, 1.0)?);
    let replications = arg(3, 20.0)? as u64;
    if !(lambda > 0.0 && lambda < mu) || replications < 2 {
        return Err("need 0 < lambda < mu and at least 2 replications".into());
    }
    let rho = lambda / mu;
    let wq = rho / (mu - lambda);
    // Warm up for many relaxation times, 1 / (μ (1 − √ρ)²), then measure 20× longer.
    let warmup = 20.0 / (mu * (1.0 - rho.sqrt()).powi(2));
    let length = 20.0 * warmup;

    let mut sim = Simulation::new();
    let (mut util, mut wait) = (Vec::new(), Vec::new());
    for trial in 0..replications {
        let r = replicate(&mut sim, (lambda, mu), trial, (warmup, length))?;
        util.push(r.utilisation);
        wait.push(r.mean_wait);
    }
    let (u, u_se) = mean_and_se(&util);
    let (w, w_se) = mean_and_se(&wait);

    println!(
        "M/M/1, lambda = {lambda}, mu = {mu}: {replications} replications of {length:.0} time units after a warm-up of {warmup:.0}"
    );
    println!(
        "{:<22}{:>10}{:>10}{:>10}{:>8}",
        "metric", "theory", "estimate", "std err", "z"
    );
    for (name, theory, est, se) in [
        ("utilisation (rho)", rho, u, u_se),
        ("mean wait in queue", wq, w, w_se),
    ] {
        println!(
            "{name:<22}{theory:>10.4}{est:>10.4}{se:>10.4}{:>8.2}",
            (est - theory) / se
        );
    }

    assert!(
        (u - rho).abs() < 4.0 * u_se,
        "utilisation {u} vs {rho} (se {u_se})"
    );
    assert!(
        (w - wq).abs() < 4.0 * w_se,
        "mean wait {w} vs {wq} (se {w_se})"
    );
    Ok(())
}
