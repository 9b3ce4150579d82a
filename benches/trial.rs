//! Trials of the default, example and twin scenarios, against the random-number floor of a trial.
//!
//! Group `trial` (one trial per iteration, trial indices cycling over [`CYCLE`]):
//!
//! - `one_trial/default`: [`Workspace::run`] of one default trial (reporting every 7 days).
//! - `rng_floor/default`: the random-number floor of that trial: exactly the numbers the
//!   trial draws, from the same streams in the same order, and nothing else (see [`Floor`]).
//! - `rng_floor_output_only/default`: the factories' daily `output_factor` draws alone
//!   (in blocks of [`OUTPUT_BLOCK`] by [`Dist::fill`], as the model draws them).
//! - `rng_floor_poisson_only/default`: the daily demand draws alone (Gamma(k, 1) and
//!   Poisson(λ), with the model's own sampler [`draw_demand_cached`]), with the trial's
//!   own day-by-day means precomputed outside the timed loop.
//! - `rng_floor_poisson_normal_approx/default`: the same daily demand draws with the
//!   Poisson replaced by the normal approximation `round(λ + √λ·Z)`: how far a faster,
//!   approximate sampler would move the floor (the model does not use it).
//!
//! The same five run on the SimPy benchmark's scenario (`example`) and on the numpy
//! twin's (`twin`, `benches/twin/twin.toml`).
//!
//! Group `monte_carlo`: [`runner::run`] of [`MC_TRIALS`] default trials on 1 thread and on
//! all cores (throughput in trials), for the parallel efficiency; and `trials_only/1`, the
//! same trials run back to back by one [`Workspace`] without the runner (no aggregation),
//! for the runner's own cost per trial.
//!
//! ```text
//! cargo bench --bench trial
//! cargo bench --bench trial -- trial/          # only the trial group
//! ```
//!
//! Before timing, the floor is checked against the model: for every trial of the cycle
//! the floor's initial stocks, floors and daily demand must equal the model's, which they
//! do only if both draw the same numbers from the same streams. A mismatch is reported on
//! stderr: the model's draws have changed and [`Floor`] must follow them.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use drawdown::dist::CachedPoisson;
use drawdown::dist::Dist;
use drawdown::engine::{StreamId, StreamRng, stream_rng};
use drawdown::model::{
    DemandGamma, Model, NoTrace, TraceKind, TraceLog, Workspace, demand_gamma, draw_demand_cached,
    fill_demand_cached,
};
use drawdown::runner::{self, NoRows, RunOptions, Shard, Silent};
use drawdown::scenario::{Ramp, Scenario, Supply, TransferSize};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Master seed of every benchmark.
const SEED: u64 = 20_220_224;
/// Trial indices cycled through by the per-trial benchmarks.
const CYCLE: u64 = 128;
/// Reporting step of the model [days], as `drawdown run --step 7`.
const STEP: u32 = 7;
/// Trials per iteration of the `monte_carlo` group.
const MC_TRIALS: u64 = 1024;
/// Daily output factors drawn at once, as the model draws them ahead (its
/// `model::ahead::BLOCK`).
const OUTPUT_BLOCK: usize = 64;

/// `days` daily draws of `dist` from `rng`, in blocks of [`OUTPUT_BLOCK`] as the model
/// makes them; returns their sum.
fn output_factors(dist: &Dist, rng: &mut StreamRng, days: u32, block: &mut Vec<f64>) -> f64 {
    let mut acc = 0.0;
    let mut left = days as usize;
    while left > 0 {
        block.resize(left.min(OUTPUT_BLOCK), 0.0);
        dist.fill(rng, block);
        acc += block.iter().sum::<f64>();
        left -= block.len();
    }
    acc
}

fn default_model() -> Model {
    let scenario = Scenario::default_with(&[]).expect("the embedded default scenario is valid");
    Model::new(scenario, STEP)
}

/// The model of a scenario file shipped with drawdown (`path` from the repository's root).
fn file_model(path: &str, text: &str) -> Model {
    let scenario = Scenario::from_toml(path, text, &[])
        .unwrap_or_else(|e| panic!("{path} is a valid scenario: {e}"));
    Model::new(scenario, STEP)
}

/// The SimPy benchmark scenario (`configs/example.toml`, compared in `benches/simpy/`).
fn example_model() -> Model {
    file_model(
        "configs/example.toml",
        include_str!("../configs/example.toml"),
    )
}

/// The numpy twin's scenario (`benches/twin/twin.toml`, compared in `benches/numpy/`).
fn twin_model() -> Model {
    file_model("benches/twin/twin.toml", include_str!("twin/twin.toml"))
}

/// What a floor trial drew, for the faithfulness check and the draw counts.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    /// Random generators constructed.
    streams: u64,
    /// Draws made once per trial (stocks, floors, ramps, period means, shares …).
    setup: u64,
    /// Draws of irregular events (regime switches, breakdowns, awards, dispatches, orders).
    events: u64,
    /// Daily `output_factor` draws.
    output: u64,
    /// Daily Gamma(k, 1) draws.
    gamma: u64,
    /// Daily Poisson draws.
    poisson: u64,
    /// Per series: initial stock and floor drawn.
    stocks: Vec<(u64, u64)>,
    /// Per series: total new demand drawn.
    demanded: Vec<u64>,
}

/// The random-number floor of one trial of a [`Model`].
///
/// # What it draws
/// Every random number one trial of the model draws, from generators built by
/// [`stream_rng`] with the same stream names as the model (`stock/<series>/setup`,
/// `factory/<id>/{setup,output,failure}`, `contract/<id>/all`,
/// `procurement/<series>/all`, `demand/<id>/{setup,daily,regime}`, `transfer/<id>/all`),
/// in the same order within each stream, with the same [`Dist::sample`] /
/// `sample_count` calls and the same daily [`draw_demand_cached`]: so it draws not only as
/// many numbers as the trial but the very same ones (checked by [`verify`]).
///
/// - setup: each series' initial stock and floor; each factory's capacity and input-limit
///   ramps (initial level, then slip, target and ramp duration of every milestone); each
///   demand period's mean; each contract's award delay; each procurement policy's reorder
///   point and target; each policy transfer's share;
/// - every day: each factory's `output_factor` unless it is fixed; each demand's
///   Gamma(k, 1) (when a dispersion is set) and Poisson(mean · multiplier · Gamma/k) on
///   days whose mean is > 0;
/// - events: regime switches (a uniform, the new multiplier, the stay), breakdowns
///   (first gap, loss, repair, next gap), contract awards (quantity, then lead time and
///   tranche gaps for lead-time supply), every aid dispatch (scheduled quantity, transit),
///   and procurement orders (lead time, tranche gaps).
///
/// Regime switches and breakdowns depend only on their own streams, so the floor walks
/// their chains directly. Procurement orders are the one state-dependent draw (an order is
/// placed when stock + on order falls to the reorder point): their number per trial is
/// taken from a traced run of the model beforehand ([`Floor::new`]), so the floor draws
/// for exactly as many orders as the trial places.
///
/// # Why it is a fair floor
/// It does no simulation work: no event queue (event days are walked in plain loops),
/// no stocks, backlogs, capacity curves or recording; its only other work is the loop
/// control that decides how many numbers to draw, and one addition per draw into an
/// accumulator passed to [`black_box`] so that the draws cannot be optimised away. Any
/// simulator of this scenario with these samplers must draw at least these numbers, so
/// this is what it cannot beat (short of faster samplers: see the `poisson_*` variants).
struct Floor<'m> {
    model: &'m Model,
    series: Vec<StreamId>,
    /// Per factory: setup, output, failure.
    factories: Vec<[StreamId; 3]>,
    /// Factories whose `output_factor` is drawn daily.
    daily_output: Vec<usize>,
    contracts: Vec<StreamId>,
    procurement: Vec<StreamId>,
    /// Per demand: setup, daily, regime.
    demand: Vec<[StreamId; 3]>,
    /// Per demand: Gamma(k, 1) and k, built once as the model's workspace does.
    gammas: Vec<Option<DemandGamma>>,
    /// Per demand: the cached Poisson sampler, kept between trials and restarted at
    /// the start of each, as the model's workspace does.
    poissons: Vec<CachedPoisson>,
    transfers: Vec<StreamId>,
    /// Per transfer: dispatches within the horizon.
    dispatches: Vec<u64>,
    /// Per trial of the cycle, per policy: orders placed with a positive quantity.
    orders: Vec<Vec<u64>>,
    /// Reused buffers (the model's workspace keeps its state between trials too): per
    /// demand, period means, regime switches (day, multiplier), the daily stream; the
    /// day-by-day means of one demand; per daily-output factory, its stream.
    means: Vec<Vec<f64>>,
    switches: Vec<Vec<(u32, f64)>>,
    daily: Vec<StreamRng>,
    day_means: Vec<f64>,
    output: Vec<StreamRng>,
    /// A block of needs.
    needs: [u64; OUTPUT_BLOCK],
    /// A block of output factors.
    block: Vec<f64>,
}

impl<'m> Floor<'m> {
    fn new(model: &'m Model) -> Floor<'m> {
        let s = &model.scenario;
        let id = |name: String| StreamId::from_name(&name);
        let days = i64::from(s.days);
        let dispatches = s
            .transfers
            .iter()
            .map(|t| {
                let every = i64::from(t.every_days);
                // First dispatch on the cadence, on or after day 0 (as the model schedules it).
                let first = if t.start_day >= 0 {
                    t.start_day
                } else {
                    t.start_day + (-t.start_day + every - 1) / every * every
                };
                let last = t.end_day.min(days - 1);
                if first > last {
                    0
                } else {
                    ((last - first) / every + 1) as u64
                }
            })
            .collect();
        let mut floor = Floor {
            model,
            series: (0..s.series.len())
                .map(|i| id(format!("stock/{}/setup", s.series_label(i))))
                .collect(),
            factories: s
                .factories
                .iter()
                .map(|f| {
                    ["setup", "output", "failure"].map(|p| id(format!("factory/{}/{p}", f.id)))
                })
                .collect(),
            daily_output: (0..s.factories.len())
                .filter(|&i| s.factories[i].output_factor.fixed_value().is_none())
                .collect(),
            contracts: s
                .contracts
                .iter()
                .map(|c| id(format!("contract/{}/all", c.id)))
                .collect(),
            procurement: s
                .procurement
                .iter()
                .map(|p| id(format!("procurement/{}/all", s.series_label(p.series))))
                .collect(),
            demand: s
                .demand
                .iter()
                .map(|d| ["setup", "daily", "regime"].map(|p| id(format!("demand/{}/{p}", d.id))))
                .collect(),
            gammas: s
                .demand
                .iter()
                .map(|d| demand_gamma(d.dispersion))
                .collect(),
            poissons: s.demand.iter().map(|_| CachedPoisson::new()).collect(),
            transfers: s
                .transfers
                .iter()
                .map(|t| id(format!("transfer/{}/all", t.id)))
                .collect(),
            dispatches,
            orders: Vec::new(),
            means: s
                .demand
                .iter()
                .map(|d| Vec::with_capacity(d.periods.len()))
                .collect(),
            switches: s.demand.iter().map(|_| Vec::new()).collect(),
            daily: Vec::with_capacity(s.demand.len()),
            day_means: Vec::new(),
            needs: [0; OUTPUT_BLOCK],
            output: Vec::with_capacity(s.factories.len()),
            block: Vec::with_capacity(OUTPUT_BLOCK),
        };
        floor.orders = count_orders(model);
        floor
    }

    /// Draws the numbers of trial `trial`; returns the sum of the draws (to be black-boxed)
    /// and, when `COUNT`, what was drawn.
    #[inline(never)]
    fn trial<const COUNT: bool>(&mut self, seed: u64, trial: u64, tally: &mut Tally) -> f64 {
        let s = &self.model.scenario;
        let days = s.days;
        let mut acc = 0.0;
        macro_rules! count {
            ($field:ident, $n:expr) => {
                if COUNT {
                    tally.$field += $n as u64;
                }
            };
        }
        // Stocks.
        for (i, def) in s.series.iter().enumerate() {
            let mut rng = stream_rng(seed, trial, self.series[i]);
            let initial = def.initial.sample_count(&mut rng);
            let floor = def.floor.sample_count(&mut rng);
            acc += (initial + floor) as f64;
            count!(streams, 1);
            count!(setup, 2);
            if COUNT {
                tally.stocks.push((initial, floor));
            }
        }
        // Factories: ramps, then the failure chain (independent of everything else).
        let output = &mut self.output;
        output.clear();
        for (i, def) in s.factories.iter().enumerate() {
            let [setup_id, output_id, failure_id] = self.factories[i];
            let mut setup = stream_rng(seed, trial, setup_id);
            acc += ramp(&def.capacity, &mut setup);
            count!(setup, 1 + 3 * def.capacity.milestones.len());
            if let Some(limit) = &def.input_limit {
                acc += ramp(limit, &mut setup);
                count!(setup, 1 + 3 * limit.milestones.len());
            }
            let out = stream_rng(seed, trial, output_id);
            if def.output_factor.fixed_value().is_none() {
                output.push(out);
            }
            let mut failure = stream_rng(seed, trial, failure_id);
            count!(streams, 3);
            if let Some(d) = &def.disruption {
                let mut day = d.every_days.sample_count(&mut failure).max(1);
                count!(events, 1);
                while day < u64::from(days) {
                    // Down: loss and repair time; up again: time to the next failure.
                    acc += d.loss.sample(&mut failure);
                    day += d.repair_days.sample_count(&mut failure).max(1);
                    count!(events, 2);
                    if day >= u64::from(days) {
                        break;
                    }
                    day += d.every_days.sample_count(&mut failure).max(1);
                    count!(events, 1);
                }
                acc += day as f64;
            }
        }
        // Demand: period means, then the regime chain.
        let daily = &mut self.daily;
        daily.clear();
        for (i, def) in s.demand.iter().enumerate() {
            let [setup_id, daily_id, regime_id] = self.demand[i];
            let mut setup = stream_rng(seed, trial, setup_id);
            let means = &mut self.means[i];
            means.clear();
            means.extend(
                def.periods
                    .iter()
                    .map(|p| p.per_day.sample(&mut setup).max(0.0)),
            );
            count!(setup, def.periods.len());
            daily.push(stream_rng(seed, trial, daily_id));
            self.poissons[i].restart();
            let mut rng = stream_rng(seed, trial, regime_id);
            count!(streams, 3);
            let switches = &mut self.switches[i];
            switches.clear();
            if let Some(regime) = def.regimes.get(def.start_regime) {
                let mut current = def.start_regime;
                let mut multiplier = regime.multiplier.sample(&mut rng).max(0.0);
                let mut day = regime.duration_days.sample_count(&mut rng).max(1);
                switches.push((0, multiplier));
                count!(setup, 2);
                while day < u64::from(days) {
                    let u: f64 = rng.random();
                    current = def.regimes[current]
                        .next
                        .iter()
                        .find(|(_, c)| u < *c)
                        .map_or(current, |&(j, _)| j);
                    let regime = &def.regimes[current];
                    multiplier = regime.multiplier.sample(&mut rng).max(0.0);
                    switches.push((day as u32, multiplier));
                    day += regime.duration_days.sample_count(&mut rng).max(1);
                    count!(events, 3);
                }
            } else {
                switches.push((0, 1.0));
            }
        }
        // Contracts: award delay; at the award, size and lead-time tranches.
        for (i, def) in s.contracts.iter().enumerate() {
            let mut rng = stream_rng(seed, trial, self.contracts[i]);
            count!(streams, 1);
            let delay = def.award_delay_days.sample(&mut rng).max(0.0).round() as i64;
            count!(setup, 1);
            if (def.award_day + delay).max(0) < i64::from(days) {
                let qty = def.size.sample_rounds(&mut rng, &mut |_, x| x);
                count!(events, 1);
                if qty > 0 {
                    acc += order(
                        &def.supply,
                        &mut rng,
                        if COUNT { Some(&mut tally.events) } else { None },
                    );
                }
                acc += qty as f64;
            }
        }
        // Procurement: reorder point and target; the orders the model placed in this trial.
        let orders = &self.orders[(trial % CYCLE) as usize];
        for (i, def) in s.procurement.iter().enumerate() {
            let mut rng = stream_rng(seed, trial, self.procurement[i]);
            acc += (def.reorder_point.sample_count(&mut rng) + def.target.sample_count(&mut rng))
                as f64;
            count!(streams, 1);
            count!(setup, 2);
            for _ in 0..orders[i] {
                acc += order(
                    &def.supply,
                    &mut rng,
                    if COUNT { Some(&mut tally.events) } else { None },
                );
            }
        }
        // Aid: the share of a policy transfer; each dispatch's quantity and transit time.
        for (i, def) in s.transfers.iter().enumerate() {
            let mut rng = stream_rng(seed, trial, self.transfers[i]);
            count!(streams, 1);
            let quantity = match &def.size {
                TransferSize::Policy(d) | TransferSize::Production { share: d, .. } => {
                    acc += d.sample(&mut rng);
                    count!(setup, 1);
                    None
                }
                TransferSize::Scheduled(q) => Some(q),
            };
            for _ in 0..self.dispatches[i] {
                if let Some(q) = quantity {
                    acc += q.sample_count(&mut rng) as f64;
                    count!(events, 1);
                }
                acc += def.transit_days.sample_count(&mut rng) as f64;
                count!(events, 1);
            }
        }
        // The days: factory output, then demand (period and regime walked by a cursor).
        let mut demanded = 0;
        // Each factory's output factors: the model draws them ahead in blocks.
        for (rng, &f) in output.iter_mut().zip(&self.daily_output) {
            acc += output_factors(&s.factories[f].output_factor, rng, days, &mut self.block);
        }
        count!(output, output.len() as u64 * u64::from(days));
        // Each front's needs, as the model draws them ahead: in runs of one mean, a
        // plain Poisson front's filled by `fill_demand_cached`, as `model::ahead` does.
        for (i, def) in s.demand.iter().enumerate() {
            let day_means = &mut self.day_means;
            day_means.clear();
            let (mut p, mut r) = (0, 0);
            let switches = &self.switches[i];
            for d in 0..days {
                let day = i64::from(d);
                while p + 1 < def.periods.len() && def.periods[p + 1].from_day <= day {
                    p += 1;
                }
                while r + 1 < switches.len() && switches[r + 1].0 <= d {
                    r += 1;
                }
                let before_first = def.periods.first().is_none_or(|q| q.from_day > day);
                day_means.push(if before_first {
                    0.0
                } else {
                    self.means[i][p] * switches[r].1
                });
            }
            let mut d = 0;
            while d < day_means.len() {
                let mean = day_means[d];
                let run = day_means[d..]
                    .iter()
                    .take(OUTPUT_BLOCK)
                    .take_while(|m| m.to_bits() == mean.to_bits())
                    .count();
                let new: u64 = if self.gammas[i].is_none() {
                    let block = &mut self.needs[..run];
                    fill_demand_cached(mean, &mut self.poissons[i], &mut daily[i], block);
                    block.iter().sum()
                } else {
                    (0..run)
                        .map(|_| {
                            draw_demand_cached(
                                mean,
                                self.gammas[i].as_ref(),
                                &mut self.poissons[i],
                                &mut daily[i],
                            )
                        })
                        .sum()
                };
                if COUNT && mean > 0.0 {
                    tally.gamma += u64::from(self.gammas[i].is_some()) * run as u64;
                    tally.poisson += run as u64;
                }
                demanded += new;
                if COUNT {
                    tally.demanded.resize(s.series.len(), 0);
                    tally.demanded[def.series] += new;
                }
                d += run;
            }
        }
        acc + demanded as f64
    }

    /// The mean of each day of trial `trial` for demand `i` (0 when nothing is drawn),
    /// with the draws that decide it; for the demand-only variants.
    fn daily_means(&mut self, seed: u64, trial: u64, i: usize) -> Vec<f64> {
        let mut tally = Tally::default();
        self.trial::<false>(seed, trial, &mut tally);
        let def = &self.model.scenario.demand[i];
        let (mut p, mut r) = (0, 0);
        let switches = &self.switches[i];
        (0..self.model.scenario.days)
            .map(|d| {
                let day = i64::from(d);
                while p + 1 < def.periods.len() && def.periods[p + 1].from_day <= day {
                    p += 1;
                }
                while r + 1 < switches.len() && switches[r + 1].0 <= d {
                    r += 1;
                }
                if def.periods.first().is_none_or(|q| q.from_day > day) {
                    0.0
                } else {
                    self.means[i][p] * switches[r].1
                }
            })
            .collect()
    }
}

/// Draws a ramp as `Curve::draw` does: initial level, then slip, target, ramp per milestone.
#[inline]
fn ramp(ramp: &Ramp, rng: &mut StreamRng) -> f64 {
    let mut acc = ramp.initial.sample(rng);
    for m in &ramp.milestones {
        acc += m.slip_days.sample(rng) + m.target.sample(rng) + m.ramp_days.sample(rng);
    }
    acc
}

/// The draws of booking an order: none into a backlog; lead time and tranche gaps otherwise.
#[inline]
fn order(supply: &Supply, rng: &mut StreamRng, count: Option<&mut u64>) -> f64 {
    match supply {
        Supply::Backlog { .. } => 0.0,
        Supply::LeadTime {
            lead_days,
            tranches,
            every_days,
        } => {
            let mut at = lead_days.sample_count(rng).max(1);
            for _ in 0..*tranches {
                at += every_days.sample_count(rng).max(1);
            }
            if let Some(c) = count {
                *c += 1 + u64::from(*tranches);
            }
            at as f64
        }
    }
}

/// The same with the Poisson replaced by its normal approximation `round(λ + √λ·Z)`.
///
/// Not used by the model: it shows how far a faster sampler could move the floor. Its
/// error comes from the Poisson's skewness: the largest CDF difference (Kolmogorov
/// distance) is about 1/(6·√(2πλ)), computed exactly: 0.0066 at λ = 100, 0.0014 at
/// λ = 2 400 (total variation 0.0126 and 0.0026). A model adopting it would have to state
/// and test that error (DESIGN.md §7).
#[inline]
fn draw_count_normal(
    mean: f64,
    gamma: Option<&DemandGamma>,
    _poisson: &mut CachedPoisson,
    rng: &mut StreamRng,
) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let lambda = match gamma {
        Some(g) => g.mix(mean, rng),
        None => mean,
    };
    let z: f64 = rng.sample(StandardNormal);
    (lambda + lambda.sqrt() * z).round().max(0.0) as u64
}

/// Per trial of the cycle and per procurement policy: the orders with a positive quantity
/// the model places (from a traced run; the only state-dependent draws of a trial).
fn count_orders(model: &Model) -> Vec<Vec<u64>> {
    let s = &model.scenario;
    let mut ws = Workspace::new(model);
    (0..CYCLE)
        .map(|t| {
            let mut log = TraceLog::default();
            ws.run(model, SEED, t, &mut log);
            let mut orders = vec![0; s.procurement.len()];
            for r in log
                .records
                .iter()
                .filter(|r| r.kind == TraceKind::OrderPlaced && r.quantity > 0)
            {
                // One policy per series in practice; the first matching one otherwise.
                if let Some(p) = s.procurement.iter().position(|p| p.series == r.series) {
                    orders[p] += 1;
                }
            }
            orders
        })
        .collect()
}

/// Checks that the floor draws the model's numbers: same initial stocks and floors, same
/// daily demand, in every trial of the cycle. Returns the mean draw counts per trial.
fn verify(model: &Model, floor: &mut Floor<'_>) -> Tally {
    let mut ws = Workspace::new(model);
    let mut mean = Tally::default();
    let mut mismatches = 0;
    for t in 0..CYCLE {
        let mut tally = Tally::default();
        floor.trial::<true>(SEED, t, &mut tally);
        let out = ws.run(model, SEED, t, &mut NoTrace);
        let stocks: Vec<(u64, u64)> = out.series.iter().map(|s| (s.initial, s.floor)).collect();
        let demanded: Vec<u64> = out.series.iter().map(|s| s.demanded).collect();
        tally.demanded.resize(demanded.len(), 0);
        if tally.stocks != stocks || tally.demanded != demanded {
            mismatches += 1;
        }
        mean.streams += tally.streams;
        mean.setup += tally.setup;
        mean.events += tally.events;
        mean.output += tally.output;
        mean.gamma += tally.gamma;
        mean.poisson += tally.poisson;
    }
    if mismatches > 0 {
        eprintln!(
            "warning: the rng floor drew other numbers than the model in {mismatches} of {CYCLE} trials \
             (stream names or draw order changed?): it is no longer proved faithful"
        );
    } else {
        eprintln!("rng floor: draws the same numbers as the model in all {CYCLE} trials checked");
    }
    for v in [
        &mut mean.streams,
        &mut mean.setup,
        &mut mean.events,
        &mut mean.output,
        &mut mean.gamma,
        &mut mean.poisson,
    ] {
        *v /= CYCLE;
    }
    eprintln!(
        "rng floor: per trial {} generators; sample calls: {} setup, {} events, {} output_factor, {} gamma + {} Poisson",
        mean.streams, mean.setup, mean.events, mean.output, mean.gamma, mean.poisson
    );
    mean
}

fn trial(c: &mut Criterion) {
    let mut group = c.benchmark_group("trial");
    group.throughput(Throughput::Elements(1));
    for (name, model) in [
        ("default", default_model()),
        ("example", example_model()),
        ("twin", twin_model()),
    ] {
        trial_vs_floor(&mut group, name, &model);
    }
    group.finish();
}

/// The `trial` group's benchmarks for one scenario, named `<what>/<scenario>`.
fn trial_vs_floor(group: &mut BenchmarkGroup<'_, WallTime>, scenario: &str, model: &Model) {
    let mut floor = Floor::new(model);
    verify(model, &mut floor);

    let mut ws = Workspace::new(model);
    let mut t = 0;
    group.bench_function(BenchmarkId::new("one_trial", scenario), |b| {
        b.iter(|| {
            t = (t + 1) % CYCLE;
            let out = ws.run(model, SEED, black_box(t), &mut NoTrace);
            black_box(out.series.len())
        })
    });

    let mut tally = Tally::default();
    let mut t = 0;
    group.bench_function(BenchmarkId::new("rng_floor", scenario), |b| {
        b.iter(|| {
            t = (t + 1) % CYCLE;
            black_box(floor.trial::<false>(SEED, black_box(t), &mut tally))
        })
    });

    // The factories' daily output factors alone (their streams built per trial, as above).
    let s = &model.scenario;
    let outputs: Vec<(usize, StreamId)> = floor
        .daily_output
        .iter()
        .map(|&f| (f, floor.factories[f][1]))
        .collect();
    let mut rngs: Vec<(&Dist, StreamRng)> = Vec::with_capacity(outputs.len());
    let mut block = Vec::with_capacity(OUTPUT_BLOCK);
    let mut t = 0;
    group.bench_function(BenchmarkId::new("rng_floor_output_only", scenario), |b| {
        b.iter(|| {
            t = (t + 1) % CYCLE;
            let mut acc = 0.0;
            rngs.clear();
            rngs.extend(
                outputs
                    .iter()
                    .map(|&(f, id)| (&s.factories[f].output_factor, stream_rng(SEED, t, id))),
            );
            for (dist, rng) in &mut rngs {
                acc += output_factors(dist, rng, s.days, &mut block);
            }
            black_box(acc)
        })
    });

    // The daily demand draws alone, with each trial's day-by-day means prepared beforehand.
    let means: Vec<Vec<Vec<f64>>> = (0..CYCLE)
        .map(|t| {
            (0..s.demand.len())
                .map(|i| floor.daily_means(SEED, t, i))
                .collect()
        })
        .collect();
    let daily: Vec<StreamId> = floor.demand.iter().map(|ids| ids[1]).collect();
    let gammas = floor.gammas.clone();
    let mut poissons: Vec<CachedPoisson> = gammas.iter().map(|_| CachedPoisson::new()).collect();
    for (name, draw) in [
        (
            "rng_floor_poisson_only",
            draw_demand_cached
                as fn(f64, Option<&DemandGamma>, &mut CachedPoisson, &mut StreamRng) -> u64,
        ),
        ("rng_floor_poisson_normal_approx", draw_count_normal),
    ] {
        let mut t = 0;
        group.bench_function(BenchmarkId::new(name, scenario), |b| {
            b.iter(|| {
                t = (t + 1) % CYCLE;
                let mut sum = 0;
                for (i, days) in means[t as usize].iter().enumerate() {
                    let mut rng = stream_rng(SEED, t, daily[i]);
                    poissons[i].restart();
                    for &mean in days {
                        sum += draw(mean, gammas[i].as_ref(), &mut poissons[i], &mut rng);
                    }
                }
                black_box(sum)
            })
        });
    }
}

fn monte_carlo(c: &mut Criterion) {
    let model = default_model();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("monte_carlo");
    group.throughput(Throughput::Elements(MC_TRIALS));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    let mut threads = vec![1];
    if cores > 1 {
        threads.push(cores);
    }
    for n in threads {
        let opts = RunOptions {
            trials: MC_TRIALS,
            seed: SEED,
            threads: Some(n),
            shard: Shard::ALL,
            precision: None,
        };
        group.bench_function(BenchmarkId::new("threads", n), |b| {
            b.iter(|| {
                let result =
                    runner::run(&model, &opts, &Silent, &mut NoRows).expect("the run succeeds");
                black_box(result.aggregate.trials)
            })
        });
    }
    // Reference: the same trials on 1 thread with no runner (no aggregation, no rows), so
    // that threads/1 ÷ trials_only/1 is the runner's own overhead per trial.
    let mut ws = Workspace::new(&model);
    group.bench_function(BenchmarkId::new("trials_only", 1), |b| {
        b.iter(|| {
            let mut n = 0;
            for t in 0..MC_TRIALS {
                n += ws.run(&model, SEED, t, &mut NoTrace).series.len();
            }
            black_box(n)
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = trial, monte_carlo
}
criterion_main!(benches);
