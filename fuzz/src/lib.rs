//! What the fuzz targets share: load a scenario the way the binary does, and simulate
//! one trial of it when it is cheap and within the supported ranges. Any panic is a
//! finding; so is a trial that breaks conservation.

use drawdown::dist::Dist;
use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::scenario::{ContractSize, Ramp, Scenario, Supply, TransferSize, describe};

/// Longest horizon simulated [days]: longer ones are only parsed and validated, so a
/// run never times out on a trial of centuries.
const MAX_DAYS: u32 = 2_000;
/// Largest magnitude of any quantity, duration or rate simulated: the supported range
/// the validator is getting (quantities <= 10^12). Beyond it, stocks of 10^300 rounds
/// would saturate and overflow `u64` sums, findings that would mask the others.
const MAX_VALUE: f64 = 1e12;
/// Largest factor on a rate simulated (factory output factor, demand regime
/// multiplier). A rate of 10^12 rounds a day times a factor of 10^12 overflows the day's
/// `u64` totals in the model: a known range issue (the supported ranges must bound the
/// product), filtered out so that it does not mask other findings.
const MAX_FACTOR: f64 = 1e3;
/// Most tranches per order simulated (the supported range is <= 10^5).
const MAX_TRANCHES: u32 = 100_000;
/// Most entities of one kind simulated.
const MAX_ENTITIES: usize = 64;

/// Loads `text` with `overrides`: formats the error (which locates every issue in the
/// text), or describes the scenario as `drawdown check` does and simulates one trial of
/// it when it is cheap.
pub fn load_and_run(text: &str, overrides: &[String]) {
    if let Some(scenario) = load(text, overrides) {
        let _ = describe::describe(&scenario, "<fuzz>");
        if cheap(&scenario) {
            run_one_trial(scenario);
        }
    }
}

/// Loads `text` with `overrides`; on error, formats it (which locates every issue).
pub fn load(text: &str, overrides: &[String]) -> Option<Scenario> {
    Scenario::from_toml("<fuzz>", text, overrides)
        .map_err(|e| e.to_string())
        .ok()
}

fn run_one_trial(scenario: Scenario) {
    let seed = scenario.seed.unwrap_or(1);
    let model = Model::new(scenario, 7);
    let mut ws = Workspace::new(&model);
    let outcome = ws.run(&model, seed, 0, &mut NoTrace);
    if let Some(breach) = outcome.conservation_breach() {
        panic!("conservation broken: {breach}");
    }
}

/// Within the supported ranges and small enough to simulate in a few milliseconds.
fn cheap(s: &Scenario) -> bool {
    let counts = [
        s.series.len(),
        s.factories.len(),
        s.contracts.len(),
        s.procurement.len(),
        s.demand.len(),
        s.transfers.len(),
    ];
    s.days <= MAX_DAYS
        && counts.iter().all(|&n| n <= MAX_ENTITIES)
        && s.demand
            .iter()
            .all(|d| d.periods.len() + d.regimes.len() <= MAX_ENTITIES)
        && dists(s).into_iter().all(|d| within(d, MAX_VALUE))
        && factors(s).all(|d| within(d, MAX_FACTOR))
        && supplies(s).all(|supply| match supply {
            Supply::LeadTime { tranches, .. } => *tranches <= MAX_TRANCHES,
            Supply::Backlog { .. } => true,
        })
}

/// Whether `d`'s mean and finite bounds lie within `±limit`.
fn within(d: &Dist, limit: f64) -> bool {
    let small = |v: f64| v.is_finite() && v.abs() <= limit;
    let bound = |v: f64| v.is_infinite() || small(v);
    d.mean().is_some_and(small) && bound(d.min_value()) && bound(d.max_value())
}

/// The factors applied to rates.
fn factors(s: &Scenario) -> impl Iterator<Item = &Dist> {
    let output = s.factories.iter().map(|f| &f.output_factor);
    let regimes = s
        .demand
        .iter()
        .flat_map(|d| d.regimes.iter().map(|r| &r.multiplier));
    output.chain(regimes)
}

fn supplies(s: &Scenario) -> impl Iterator<Item = &Supply> {
    let contracts = s.contracts.iter().map(|c| &c.supply);
    contracts.chain(s.procurement.iter().map(|p| &p.supply))
}

/// Every distribution the model samples.
fn dists(s: &Scenario) -> Vec<&Dist> {
    let mut all: Vec<&Dist> = Vec::new();
    for series in &s.series {
        all.extend([&series.initial, &series.floor]);
    }
    for f in &s.factories {
        ramp(&mut all, &f.capacity);
        if let Some(limit) = &f.input_limit {
            ramp(&mut all, limit);
        }
        all.push(&f.output_factor);
        if let Some(d) = &f.disruption {
            all.extend([&d.every_days, &d.repair_days, &d.loss]);
        }
    }
    for c in &s.contracts {
        match &c.size {
            ContractSize::Quantity(q) => all.push(q),
            ContractSize::Budget { budget, unit_price } => all.extend([budget, unit_price]),
        }
        all.push(&c.award_delay_days);
    }
    for p in &s.procurement {
        all.extend([&p.reorder_point, &p.target]);
    }
    for supply in supplies(s) {
        if let Supply::LeadTime {
            lead_days,
            every_days,
            ..
        } = supply
        {
            all.extend([lead_days, every_days]);
        }
    }
    for d in &s.demand {
        all.extend(d.periods.iter().map(|p| &p.per_day));
        for r in &d.regimes {
            all.extend([&r.multiplier, &r.duration_days]);
        }
        all.push(&d.reserve_days);
        if let Some(r) = &d.rationing {
            all.extend([&r.cover_days, &r.fraction, &r.keep_days]);
        }
    }
    for t in &s.transfers {
        all.push(&t.transit_days);
        match &t.size {
            TransferSize::Scheduled(q) | TransferSize::Policy(q) => all.push(q),
            TransferSize::Production { share, .. } => all.push(share),
        }
    }
    all
}

fn ramp<'a>(all: &mut Vec<&'a Dist>, r: &'a Ramp) {
    all.push(&r.initial);
    for m in &r.milestones {
        all.extend([&m.target, &m.slip_days, &m.ramp_days]);
    }
}
