//! One trial of the munitions model: the per-thread [`Workspace`], its setup from the
//! scenario, and the day loop (see the phase order in [`crate::model`]).

use super::Model;
use super::ahead::{BLOCK, NeedAhead};
use super::curve::Curve;
use super::inputs::InputState;
use super::limits::{MAX_QUANTITY, quantity};
use super::outcome::{SeriesOutcome, TrialOutcome};
use super::tape::Tape;
use super::trace::{TraceKind, TraceRecord, Tracer};
use crate::dist::count;
use crate::engine::{Calendar, SimTime, StreamRng, stream_rng};
use crate::scenario::TransferSize;
use std::collections::VecDeque;

/// Event priorities: the phases of a day that go through the queue.
pub(super) mod phase {
    /// Shipments and deliveries entering stock.
    pub(crate) const ARRIVAL: u8 = 0;
    /// Awards, breakdowns, repairs, regime switches.
    pub(crate) const STATE: u8 = 1;
    /// Aid leaving donors.
    pub(crate) const DISPATCH: u8 = 2;
    /// Procurement reviews.
    pub(crate) const REVIEW: u8 = 3;
    /// The number of phases: the calendar's priorities.
    pub(crate) const COUNT: u8 = 4;
}

/// An irregular event of the munitions model.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    /// `qty` rounds enter `series`, from `origin`.
    Arrival {
        series: u32,
        qty: u64,
        origin: Origin,
    },
    /// A contract is awarded.
    Award { contract: u32 },
    /// A factory breaks down.
    Down { factory: u32 },
    /// A factory is repaired.
    Up { factory: u32 },
    /// A demand process leaves its regime.
    Regime { demand: u32 },
    /// An aid package is due.
    Dispatch { transfer: u32 },
    /// A procurement review is due.
    Review { policy: u32 },
}

/// Where rounds entering a stock come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// An aid transfer (index).
    Transfer(u32),
    /// A contract (index).
    Contract(u32),
    /// A procurement policy's order (index).
    Policy(u32),
}

/// An order in a factory backlog.
#[derive(Debug, Clone, Copy)]
struct Order {
    series: usize,
    remaining: u64,
    origin: Origin,
}

#[derive(Debug, Clone)]
struct FactoryState {
    capacity: Curve,
    limit: Option<Curve>,
    /// The factory's output stream (its daily output factors, drawn a block of days
    /// at a time into `Workspace::factors`).
    output: StreamRng,
    /// The output factor when it is fixed (no daily draw).
    fixed_factor: Option<f64>,
    failure_rng: StreamRng,
    down: bool,
    loss: f64,
    carry: f64,
    backlog: VecDeque<Order>,
    /// The series it makes (its owner's stock of its item): the scenario's, copied
    /// here so that the day's production reads this state alone.
    series: usize,
    /// A transfer takes a share of its output (production-linked aid).
    linked: bool,
}

#[derive(Debug, Clone)]
struct DemandState {
    /// The series the front draws on first (its own stock): the scenario's, copied
    /// here so that a plain front's day reads this state alone.
    series: usize,
    /// This trial, the front fires `min(need, stock)` from its own stock: no
    /// substitutes and no rationing cap (see `consume`).
    plain: bool,
    /// The daily new needs, drawn ahead from the front's daily stream.
    need: NeedAhead,
    regime_rng: StreamRng,
    /// The day of the next regime switch (`u32::MAX`: none before the horizon).
    regime_until: u32,
    means: Vec<f64>,
    period: usize,
    regime: usize,
    multiplier: f64,
    /// Gamma(k, 1) and k, for negative-binomial demand.
    gamma: Option<super::DemandGamma>,
    /// This front's need still waiting (backordering only).
    backorder: u64,
    /// Today's mean need [rounds/day]: period mean × regime multiplier (× mean
    /// rounds per raid for a compound demand).
    mean_today: f64,
    /// The first day on which `mean_today` may differ from the day before's: the next
    /// period's start (0 when the multiplier has changed: a regime switch, the start
    /// of a trial).
    mean_until: i64,
    /// Today's mean number of raids [raids/day] of a compound demand: period mean ×
    /// regime multiplier (unused by a plain demand).
    raids_today: f64,
    /// Mean rounds per raid, `E[per_raid]` (exact for the count laws validation
    /// allows); 1 for a plain demand. Computed once, not per day.
    raid_size: f64,
    /// Rationing drawn for this trial: cover threshold [days], fraction fired below
    /// it, cover kept [days] (0 days: that cap is off).
    cover_days: f64,
    fraction: f64,
    keep_days: f64,
    /// Days of mean need that aid must leave in stock (own use).
    reserve_days: f64,
}

/// A transfer's per-trial state.
#[derive(Debug, Clone)]
struct TransferState {
    rng: StreamRng,
    /// Policy or production share drawn for this trial.
    share: f64,
    /// Production-linked: first day whose output counts (the window of the first dispatch).
    accrue_from: i64,
    /// Production-linked: the factory's output kept by the donor since `accrue_from`.
    accrued: u64,
    /// Production-linked: rounds due so far, `floor(share × accrued)` at the last dispatch
    /// (shared by priority: `accrued` at the last dispatch).
    due: u64,
    /// Shared by priority: the most output this dispatch interval may take (`up_to`).
    cap: u64,
    /// Shared by priority: the fraction of a round claimed but not yet taken.
    carry: f64,
    /// Shared by priority: no dispatch is left, so the output goes to the next ones.
    done: bool,
}

#[derive(Debug, Clone, Default)]
struct SeriesState {
    /// Stock on hand: below `2^63` (see [`super::limits`]).
    stock: u64,
    /// Need of this series' fronts still waiting (backordering only); at most the
    /// series' total need, below `2^63`.
    backlog: u64,
    out: SeriesOutcome,
    /// Today ends with unmet need (a shortage day).
    short_today: bool,
    /// Length of the shortage episode in progress (0 when none).
    episode: u32,
    /// The sums of the reporting period in progress, written to the outcome on its
    /// last day (a reporting day) and started again from 0.
    period: PeriodSums,
}

/// A series' need, fire and shortage days over the reporting period in progress.
#[derive(Debug, Clone, Copy, Default)]
struct PeriodSums {
    demanded: u64,
    consumed: u64,
    met: u64,
    short_days: u64,
}

#[derive(Debug, Clone)]
struct PolicyState {
    rng: StreamRng,
    reorder_point: u64,
    target: u64,
    /// Ordered, not yet delivered: at most the policy's orders, below `2^63`.
    on_order: u64,
}

/// Reusable state for simulating trials of one [`Model`] on one thread.
///
/// Buffers are kept between trials, so a trial allocates nothing once the first one
/// has sized them.
pub struct Workspace {
    events: Calendar<Ev>,
    series: Vec<SeriesState>,
    factories: Vec<FactoryState>,
    demand: Vec<DemandState>,
    policies: Vec<PolicyState>,
    contract_rngs: Vec<StreamRng>,
    transfers: Vec<TransferState>,
    /// For each factory, its production-linked transfers, in the order they are
    /// offered its output.
    links: Vec<Vec<usize>>,
    /// The factories' output factors of days `factors_from..factors_to`: factory
    /// `i`'s of day `factors_from + k` at `i * BLOCK + k`.
    factors: Vec<f64>,
    factors_from: u32,
    factors_to: u32,
    /// The day's output of the factories that do not keep it all (see `produce`).
    delivering: Vec<(usize, u64)>,
    /// The series a front draws on ([`Model::consumers`]), ascending: recorded every day.
    watched: Vec<usize>,
    /// The other series whose stock fell today (aid sent): recorded tonight.
    lowered: Vec<usize>,
    /// The inputs' pins and values this trial.
    inputs: InputState,
    outcome: TrialOutcome,
}

impl Workspace {
    /// A workspace sized for `model`.
    pub fn new(model: &Model) -> Workspace {
        let s = &model.scenario;
        let rng = || stream_rng(0, 0, crate::engine::StreamId(0));
        let links = production_links(s);
        Workspace {
            events: Calendar::new(u64::from(s.days), phase::COUNT),
            series: vec![SeriesState::default(); s.series.len()],
            factories: s
                .factories
                .iter()
                .enumerate()
                .map(|(i, f)| FactoryState {
                    capacity: Curve::default(),
                    limit: f.input_limit.as_ref().map(|_| Curve::default()),
                    output: rng(),
                    fixed_factor: f.output_factor.fixed_value(),
                    failure_rng: rng(),
                    down: false,
                    loss: 0.0,
                    carry: 0.0,
                    backlog: VecDeque::new(),
                    series: f.series,
                    linked: !links[i].is_empty(),
                })
                .collect(),
            demand: s
                .demand
                .iter()
                .map(|d| DemandState {
                    series: d.series,
                    plain: false,
                    need: NeedAhead::new(rng()),
                    regime_rng: rng(),
                    regime_until: u32::MAX,
                    means: vec![0.0; d.periods.len()],
                    period: 0,
                    regime: 0,
                    multiplier: 1.0,
                    gamma: super::demand_gamma(d.dispersion),
                    backorder: 0,
                    mean_today: 0.0,
                    mean_until: 0,
                    raids_today: 0.0,
                    raid_size: d
                        .per_raid
                        .as_ref()
                        .map_or(1.0, |x| x.mean().unwrap_or(0.0).max(0.0)),
                    cover_days: 0.0,
                    fraction: 1.0,
                    keep_days: 0.0,
                    reserve_days: 0.0,
                })
                .collect(),
            policies: s
                .procurement
                .iter()
                .map(|_| PolicyState {
                    rng: rng(),
                    reorder_point: 0,
                    target: 0,
                    on_order: 0,
                })
                .collect(),
            contract_rngs: s.contracts.iter().map(|_| rng()).collect(),
            transfers: s
                .transfers
                .iter()
                .map(|_| TransferState {
                    rng: rng(),
                    share: 0.0,
                    accrue_from: 0,
                    accrued: 0,
                    due: 0,
                    cap: u64::MAX,
                    carry: 0.0,
                    done: false,
                })
                .collect(),
            links,
            factors: vec![0.0; s.factories.len() * BLOCK],
            factors_from: 0,
            factors_to: 0,
            delivering: Vec::new(),
            watched: (0..s.series.len())
                .filter(|&i| model.consumers[i])
                .collect(),
            lowered: Vec::new(),
            inputs: InputState::new(model.inputs.len()),
            outcome: TrialOutcome::default(),
        }
    }

    /// Simulates trial `trial` of `model` with master seed `seed`, reporting events to
    /// `tracer`; returns the trial's outcome (valid until the next call). With a
    /// [`super::Design`], `trial` is the design's global index: its row's pins apply and
    /// the random streams are those of the trial the design maps it to.
    pub fn run<T: Tracer>(
        &mut self,
        model: &Model,
        seed: u64,
        trial: u64,
        tracer: &mut T,
    ) -> &TrialOutcome {
        self.run_taped(model, seed, trial, tracer, Tape::Off)
    }

    /// [`Workspace::run`], with the fronts' daily needs and the factories' output
    /// factors drawn, drawn and recorded, or read from a tape (see [`super::tape`]):
    /// the outcome is the same in every case.
    /// A replayed tape must have been recorded in the same trial (same seed and
    /// `trial`) by a model with [`Model::same_draws`] as `model`.
    pub fn run_taped<T: Tracer>(
        &mut self,
        model: &Model,
        seed: u64,
        trial: u64,
        tracer: &mut T,
        mut tape: Tape<'_>,
    ) -> &TrialOutcome {
        if let Tape::Record(t) = &mut tape {
            t.start(model.scenario.factories.len(), model.scenario.days);
        }
        let mut day = Day {
            today: 0,
            ws: self,
            model,
            tracer,
            tape,
        };
        let (row, streams) = model
            .design
            .as_deref()
            .map_or((0, trial), |d| d.locate(trial));
        day.ws.inputs.start(model.design.as_deref(), row);
        day.setup(seed, streams);
        for d in 0..model.scenario.days {
            day.run_day(d);
        }
        day.finish(trial);
        self.outcome.inputs.clear();
        if model.record_inputs {
            self.outcome.inputs.extend_from_slice(&self.inputs.values);
        }
        &self.outcome
    }
}

/// For each factory, its production-linked transfers: in scenario order, or for a
/// factory shared by priority, in priority order (ties in scenario order).
fn production_links(s: &crate::scenario::Scenario) -> Vec<Vec<usize>> {
    let mut links: Vec<(u32, usize, usize)> = s
        .transfers
        .iter()
        .enumerate()
        .filter_map(|(t, def)| match def.size {
            TransferSize::Production {
                factory, priority, ..
            } => Some((priority.unwrap_or(0), factory, t)),
            _ => None,
        })
        .collect();
    // Stable: links without a priority keep their scenario order.
    links.sort_by_key(|&(priority, _, _)| priority);
    let mut of = vec![Vec::new(); s.factories.len()];
    for (_, f, t) in links {
        of[f].push(t);
    }
    of
}

/// A workspace bound to its model and tracer for the length of a trial.
struct Day<'a, T: Tracer> {
    ws: &'a mut Workspace,
    model: &'a Model,
    tracer: &'a mut T,
    /// Where the daily needs and output factors come from (see [`super::tape`]).
    tape: Tape<'a>,
    /// The day being simulated; events are scheduled relative to it.
    today: u64,
}

impl<T: Tracer> Day<'_, T> {
    fn trace(&mut self, day: u32, kind: TraceKind, entity: &str, series: usize, quantity: u64) {
        if T::ON {
            let stock_after = self.ws.series[series].stock;
            self.tracer.record(TraceRecord {
                day,
                kind,
                entity: entity.to_string(),
                series,
                quantity,
                stock_after,
            });
        }
    }

    /// Schedules `ev` `delay` days from the current day; returns that day, or
    /// `u32::MAX` when it falls at or after the horizon (the event is then not queued:
    /// it would never be handled).
    fn schedule(&mut self, delay: u64, ev: Ev) -> u32 {
        let priority = match ev {
            Ev::Arrival { .. } => phase::ARRIVAL,
            Ev::Award { .. } | Ev::Down { .. } | Ev::Up { .. } | Ev::Regime { .. } => phase::STATE,
            Ev::Dispatch { .. } => phase::DISPATCH,
            Ev::Review { .. } => phase::REVIEW,
        };
        let at = self.today.saturating_add(delay);
        // Events after the horizon would never be handled: don't queue them.
        if at >= u64::from(self.model.scenario.days) {
            return u32::MAX;
        }
        let queued = self.ws.events.schedule_at(SimTime(at), priority, ev);
        debug_assert!(
            queued.is_ok(),
            "invariant: the clock never passes today: {queued:?}"
        );
        at as u32
    }

    fn setup(&mut self, seed: u64, trial: u64) {
        let (s, st) = (&self.model.scenario, &self.model.streams);
        self.ws.events.reset(u64::from(s.days));
        self.ws.lowered.clear();
        // No output factor drawn yet: day 0 draws the first block.
        (self.ws.factors_from, self.ws.factors_to) = (0, 0);
        let reports = self.model.report_days.len();
        let out = &mut self.ws.outcome;
        // Every stock entry is written on its reporting day, and every period sum of a
        // series a front draws on at the end of its period (the others stay 0).
        for v in [
            &mut out.stock,
            &mut out.demanded,
            &mut out.consumed,
            &mut out.met,
            &mut out.short_days,
        ] {
            v.resize(reports * s.series.len(), 0);
        }
        for (i, def) in s.series.iter().enumerate() {
            let mut rng = stream_rng(seed, trial, st.series[i]);
            let id = self.model.inputs.series[i];
            let inputs = &mut self.ws.inputs;
            let initial = quantity(count(inputs.pick(id, def.initial.sample(&mut rng))));
            let floor = quantity(count(inputs.pick(id + 1, def.floor.sample(&mut rng))));
            self.ws.series[i] = SeriesState {
                stock: initial,
                backlog: 0,
                out: SeriesOutcome {
                    initial,
                    floor,
                    min_stock: initial,
                    // Depletion is the first moment at or below the floor: the opening
                    // stock is the first moment of day 0.
                    depletion_day: (initial <= floor && !def.channel).then_some(0),
                    ..SeriesOutcome::default()
                },
                short_today: false,
                episode: 0,
                period: PeriodSums::default(),
            };
            self.trace(0, TraceKind::InitialStock, "", i, initial);
            if initial <= floor && !def.channel {
                self.trace(0, TraceKind::Depleted, "", i, 0);
            }
        }
        self.setup_factories(seed, trial);
        self.setup_demand(seed, trial);
        self.setup_orders(seed, trial);
        self.setup_transfers(seed, trial);
    }

    fn setup_factories(&mut self, seed: u64, trial: u64) {
        let (s, st) = (&self.model.scenario, &self.model.streams);
        for (i, def) in s.factories.iter().enumerate() {
            let f = &mut self.ws.factories[i];
            let inputs = &mut self.ws.inputs;
            let mut setup = stream_rng(seed, trial, st.factory_setup[i]);
            let base = self.model.inputs.capacity[i];
            f.capacity.draw(&def.capacity, &mut setup, &mut |k, x| {
                inputs.pick(base + k, x)
            });
            if let (Some(limit), Some(curve), Some(base)) = (
                &def.input_limit,
                f.limit.as_mut(),
                self.model.inputs.limit[i],
            ) {
                curve.draw(limit, &mut setup, &mut |k, x| inputs.pick(base + k, x));
            }
            f.output = stream_rng(seed, trial, st.factory_output[i]);
            f.failure_rng = stream_rng(seed, trial, st.factory_failure[i]);
            f.down = false;
            f.carry = 0.0;
            f.backlog.clear();
            if let Some(d) = &def.disruption {
                let first = d.every_days.sample_count(&mut f.failure_rng).max(1);
                self.schedule(first, Ev::Down { factory: i as u32 });
            }
        }
    }

    fn setup_demand(&mut self, seed: u64, trial: u64) {
        let (s, st) = (&self.model.scenario, &self.model.streams);
        for (i, def) in s.demand.iter().enumerate() {
            let d = &mut self.ws.demand[i];
            let inputs = &mut self.ws.inputs;
            let mut id = self.model.inputs.demand[i];
            let mut draw = |dist: &crate::dist::Dist, rng: &mut StreamRng| {
                id += 1;
                inputs.pick(id - 1, dist.sample(rng))
            };
            let mut setup = stream_rng(seed, trial, st.demand_setup[i]);
            for (mean, period) in d.means.iter_mut().zip(&def.periods) {
                *mean = draw(&period.per_day, &mut setup)
                    .max(0.0)
                    .min(MAX_QUANTITY as f64);
            }
            // Drawn after the means, so scenarios without them draw exactly as before.
            if let Some(r) = &def.rationing {
                d.cover_days = draw(&r.cover_days, &mut setup).max(0.0);
                d.fraction = draw(&r.fraction, &mut setup).clamp(0.0, 1.0);
                d.keep_days = draw(&r.keep_days, &mut setup).max(0.0);
            }
            d.reserve_days = draw(&def.reserve_days, &mut setup).max(0.0);
            // `ration` applies a cap only when its days are above 0 (they are never
            // NaN: `max(0.0)` above turns NaN into 0).
            d.plain = def.substitutes.is_empty() && d.cover_days <= 0.0 && d.keep_days <= 0.0;
            d.mean_today = 0.0;
            d.mean_until = 0;
            d.raids_today = 0.0;
            d.need.restart(stream_rng(seed, trial, st.demand_daily[i]));
            d.regime_rng = stream_rng(seed, trial, st.demand_regime[i]);
            d.period = 0;
            d.backorder = 0;
            d.regime = def.start_regime;
            d.multiplier = 1.0;
            d.regime_until = u32::MAX;
            if let Some(regime) = def.regimes.get(def.start_regime) {
                d.multiplier = regime.multiplier.sample(&mut d.regime_rng).max(0.0);
                let stay = regime.duration_days.sample_count(&mut d.regime_rng).max(1);
                let until = self.schedule(stay, Ev::Regime { demand: i as u32 });
                self.ws.demand[i].regime_until = until;
            }
        }
    }

    fn setup_orders(&mut self, seed: u64, trial: u64) {
        let (s, st) = (&self.model.scenario, &self.model.streams);
        for (i, def) in s.contracts.iter().enumerate() {
            let rng = &mut self.ws.contract_rngs[i];
            *rng = stream_rng(seed, trial, st.contract[i]);
            let id = self.model.inputs.contract[i];
            let delay = self
                .ws
                .inputs
                .pick(id, def.award_delay_days.sample(rng))
                .max(0.0)
                .round() as i64;
            let day = def.award_day.saturating_add(delay).max(0);
            self.schedule(day as u64, Ev::Award { contract: i as u32 });
        }
        for (i, def) in s.procurement.iter().enumerate() {
            let p = &mut self.ws.policies[i];
            p.rng = stream_rng(seed, trial, st.procurement[i]);
            let (id, inputs) = (self.model.inputs.procurement[i], &mut self.ws.inputs);
            p.reorder_point =
                quantity(count(inputs.pick(id, def.reorder_point.sample(&mut p.rng))));
            p.target = quantity(count(inputs.pick(id + 1, def.target.sample(&mut p.rng))))
                .max(p.reorder_point);
            p.on_order = 0;
            let first = def.first_review_day.max(0) as u64;
            self.schedule(first, Ev::Review { policy: i as u32 });
        }
    }

    fn setup_transfers(&mut self, seed: u64, trial: u64) {
        let (s, st) = (&self.model.scenario, &self.model.streams);
        for (i, def) in s.transfers.iter().enumerate() {
            let t = &mut self.ws.transfers[i];
            t.rng = stream_rng(seed, trial, st.transfer[i]);
            t.share = match (&def.size, self.model.inputs.transfer[i]) {
                (TransferSize::Policy(d) | TransferSize::Production { share: d, .. }, Some(id)) => {
                    self.ws
                        .inputs
                        .pick(id, d.sample(&mut t.rng))
                        .clamp(0.0, 1.0)
                }
                _ => 0.0,
            };
            t.accrued = 0;
            t.due = 0;
            t.carry = 0.0;
            t.done = false;
            // Drawn after the share, so transfers without a cap draw as before.
            t.cap = match &def.size {
                TransferSize::Production {
                    up_to: Some(cap), ..
                } => quantity(cap.sample_count(&mut t.rng)),
                _ => u64::MAX,
            };
            // First dispatch on the transfer's cadence, on or after day 0.
            let every = i64::from(def.every_days);
            let first = if def.start_day >= 0 {
                def.start_day
            } else {
                def.start_day + (-def.start_day + every - 1) / every * every
            };
            // The first dispatch passes on the output of the `every_days` days ending on it.
            self.ws.transfers[i].accrue_from = first - every + 1;
            if first <= def.end_day {
                self.schedule(first as u64, Ev::Dispatch { transfer: i as u32 });
            }
        }
    }

    fn run_day(&mut self, d: u32) {
        self.today = u64::from(d);
        let today = SimTime(self.today);
        while let Some(ev) = self.ws.events.next_before(today, phase::STATE) {
            self.handle(d, ev);
        }
        self.produce(d);
        self.consume(d);
        while let Some(ev) = self.ws.events.next_before(today, phase::REVIEW) {
            self.handle(d, ev);
        }
        self.record(d);
    }

    fn handle(&mut self, d: u32, ev: Ev) {
        match ev {
            Ev::Arrival {
                series,
                qty,
                origin,
            } => self.arrive(d, series as usize, qty, origin),
            Ev::Award { contract } => self.award(d, contract as usize),
            Ev::Down { factory } => self.breakdown(d, factory as usize),
            Ev::Up { factory } => self.repair(d, factory as usize),
            Ev::Regime { demand } => self.switch_regime(d, demand as usize),
            Ev::Dispatch { transfer } => self.dispatch(d, transfer as usize),
            Ev::Review { policy } => self.review(d, policy as usize),
        }
    }
}

mod consume;
mod flows;
mod record;
