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

use std::error::Error;

use drawdown::engine::Simulation;

mod model;
use model::{mean_and_se, replicate, warmup};

/// Master seed of the run.
const SEED: u64 = 20_240_224;

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
    // Warm up for many relaxation times, then measure 20× longer.
    let warmup = warmup(lambda, mu);
    let length = 20.0 * warmup;

    let mut sim = Simulation::new();
    let (mut util, mut wait) = (Vec::new(), Vec::new());
    for trial in 0..replications {
        let r = replicate(&mut sim, (lambda, mu), SEED, trial, (warmup, length))?;
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
