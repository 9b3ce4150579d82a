//! The engine validated on textbook models: an M/M/1 queue against queueing theory,
//! and a race between a completion and a timeout that exercises cancellation.
//!
//! Statistical checks use fixed seeds and a tolerance of 4 standard errors, where the
//! standard error comes from the spread of independent replications (each its own trial
//! index, warm-up discarded): the method of independent replications (Law, *Simulation
//! Modeling and Analysis*, §9.4). The tolerance is derived, never tuned to the output.

use drawdown::engine::{
    EventId, Model, Scheduled, SimTime, Simulation, StreamId, StreamRng, stream_rng,
};
use rand_distr::Exp;

#[path = "../../examples/mm1/model.rs"]
mod model;
use model::{
    Mm1, Mm1Event, Replication, TICKS_PER_UNIT, draw_ticks, mean_and_se, replicate, warmup,
};

const SEED: u64 = 7_777;

/// Asserts `|estimate − theory| < 4 SE`, and that the SE is small enough for the check
/// to mean something (`max_rel_se` of the theoretical value).
fn assert_within_4_se(name: &str, samples: &[f64], theory: f64, max_rel_se: f64) {
    let (est, se) = mean_and_se(samples);
    assert!(
        se < max_rel_se * theory,
        "{name}: standard error {se} too large for a meaningful check"
    );
    assert!(
        (est - theory).abs() < 4.0 * se,
        "{name}: estimate {est} vs theory {theory}, standard error {se}"
    );
}

// ---------------------------------------------------------------------------------
// M/M/1
// ---------------------------------------------------------------------------------

/// Measured window of each replication [time units].
const MEASURED: f64 = 20_000.0;

fn replication(sim: &mut Simulation<Mm1Event>, lambda: f64, mu: f64, trial: u64) -> Replication {
    let window = (warmup(lambda, mu), MEASURED);
    replicate(sim, (lambda, mu), SEED, trial, window).expect("the test rates are positive")
}

/// Runs `replications` independent replications and checks ρ and Wq against theory.
fn check_mm1(lambda: f64, mu: f64, replications: u64) {
    let mut sim = Simulation::new();
    let reps: Vec<Replication> = (0..replications)
        .map(|trial| replication(&mut sim, lambda, mu, trial))
        .collect();
    let rho = lambda / mu;
    let wq = rho / (mu - lambda);
    let util: Vec<f64> = reps.iter().map(|r| r.utilisation).collect();
    let wait: Vec<f64> = reps.iter().map(|r| r.mean_wait).collect();
    assert_within_4_se("utilisation", &util, rho, 0.01);
    assert_within_4_se("mean wait in queue", &wait, wq, 0.05);
}

#[test]
fn mm1_at_rho_0_8_matches_theory() {
    check_mm1(0.8, 1.0, 32);
}

#[test]
fn mm1_at_rho_0_5_matches_theory() {
    check_mm1(0.5, 1.0, 32);
}

#[test]
fn mm1_with_the_same_seed_and_trial_is_identical() {
    let mut sim = Simulation::new();
    let a = replication(&mut sim, 0.8, 1.0, 3);
    let b = replication(&mut Simulation::new(), 0.8, 1.0, 3);
    let c = replication(&mut sim, 0.8, 1.0, 3);
    assert_eq!(a, b, "fresh simulation");
    assert_eq!(a, c, "reused simulation after reset");
    assert!(a.served > 1000);
    assert_ne!(a, replication(&mut sim, 0.8, 1.0, 4), "another trial");
}

#[test]
fn changing_the_service_rate_keeps_the_arrival_stream() {
    // Separate streams: the arrival times do not depend on μ (common random numbers).
    let mut a = Mm1::new((0.8, 1.0), SEED, 5, SimTime::ZERO).unwrap();
    let mut b = Mm1::new((0.8, 2.0), SEED, 5, SimTime::ZERO).unwrap();
    for _ in 0..100 {
        assert_eq!(
            draw_ticks(&a.interarrival, &mut a.arrivals),
            draw_ticks(&b.interarrival, &mut b.arrivals)
        );
    }
}

// ---------------------------------------------------------------------------------
// Cancellation: each job races a service completion against a timeout; whichever
// comes first cancels the other.
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Job {
    Start(usize),
    Done(usize),
    Timeout(usize),
}

struct Race {
    rng: StreamRng,
    service: Exp<f64>,
    timeout: u64,
    gap: u64,
    jobs: usize,
    /// For each job in progress, the ids of its completion and its timeout.
    racing: Vec<Option<(EventId, EventId)>>,
    completed: u64,
    timed_out: u64,
}

impl Model for Race {
    type Event = Job;

    fn handle(&mut self, sim: &mut Simulation<Job>, ev: Scheduled<Job>) {
        match ev.event {
            Job::Start(j) => {
                if j + 1 < self.jobs {
                    sim.schedule_in(self.gap, 0, Job::Start(j + 1));
                }
                let done =
                    sim.schedule_in(draw_ticks(&self.service, &mut self.rng), 1, Job::Done(j));
                let timeout = sim.schedule_in(self.timeout, 2, Job::Timeout(j));
                self.racing[j] = Some((done, timeout));
            }
            Job::Done(j) => {
                let (_, timeout) = self.racing[j].take().expect("a cancelled event fired");
                assert!(sim.cancel(timeout), "the timeout was pending");
                assert!(!sim.cancel(timeout), "cancelling twice");
                self.completed += 1;
            }
            Job::Timeout(j) => {
                let (done, _) = self.racing[j].take().expect("a cancelled event fired");
                assert!(sim.cancel(done), "the completion was pending");
                self.timed_out += 1;
            }
        }
    }
}

#[test]
fn a_timeout_cancelled_by_its_completion_never_fires() {
    // μ = 1 and a timeout of 1 time unit: P(completion first) = 1 − e^(−1).
    let jobs = 20_000;
    let mut model = Race {
        rng: stream_rng(SEED, 0, StreamId::from_name("race.service")),
        service: Exp::new(1.0).unwrap(),
        timeout: TICKS_PER_UNIT as u64,
        gap: (0.5 * TICKS_PER_UNIT) as u64,
        jobs,
        racing: vec![None; jobs],
        completed: 0,
        timed_out: 0,
    };
    let mut sim = Simulation::new();
    sim.schedule_in(0, 0, Job::Start(0));
    sim.run(&mut model);

    assert_eq!(sim.pending(), 0, "every cancelled event is gone");
    assert!(
        model.racing.iter().all(Option::is_none),
        "every race was decided"
    );
    assert_eq!(model.completed + model.timed_out, jobs as u64);
    let p = 1.0 - (-1.0f64).exp();
    let se = (p * (1.0 - p) / jobs as f64).sqrt();
    let share = model.completed as f64 / jobs as f64;
    assert!(
        (share - p).abs() < 4.0 * se,
        "completed share {share} vs {p} (se {se})"
    );
}
