//! The munitions model: nations' stocks, factories, contracts, procurement, front-line
//! demand and aid, simulated on the generic [`crate::engine`].
//!
//! # A day in the model
//! Time is counted in whole days from the scenario start. Regular daily work (every
//! factory's output, every front's consumption) is done in one pass per day; the event
//! queue holds only irregular events. Within a day the order is fixed, so results never
//! depend on how the queue breaks ties:
//!
//! 1. **arrivals**: aid shipments and order deliveries enter stock;
//! 2. **state changes**: contract awards, factory breakdowns and repairs, demand regime
//!    switches;
//! 3. **production**: each factory's output fills its backlog first come, first served,
//!    the rest goes to its owner;
//! 4. **consumption**: with backordering, every front's waiting backlog is served
//!    first (fronts in scenario order); then each front fires the day's new need, up
//!    to the stock left and to its rationing rule, if any; the rest is unmet (lost, or
//!    carried over with backordering); see [`outcome`] for need, fire, shortage and
//!    fill rate. A donor's own use is a front like any other, so it is served before
//!    the day's aid leaves;
//! 5. **dispatches**: aid leaves donors (never below their floor unless allowed, and
//!    never into the days of own use that a demand's `reserve_days` keeps);
//!    production-linked transfers pass on their share of the output kept since the
//!    previous dispatch;
//! 6. **reviews**: (s, S) procurement policies place orders;
//! 7. **recording**: end-of-day stock, depletion (stock at or below the floor; never for
//!    a pass-through channel), shortage (the day ends with unmet need).
//!
//! Events of the same phase on the same day run in the order they were scheduled. An
//! arrival is never on the day it was scheduled (transit and lead times are at least one
//! day), so stock only rises before it falls within a day and the end-of-day stock is
//! the day's minimum.
//!
//! # Randomness
//! Each stochastic process draws from its own stream, keyed by the process's id (for
//! example `factory/us_scranton/output`), the master seed and the trial index. Adding a
//! factory or changing one parameter does not shift the random numbers of the others
//! (common random numbers). Quantities drawn "once per trial" (initial stocks, floors,
//! milestone dates and levels, period means, policy shares) use a setup stream per entity.
//! A factory's output stream draws its output factor once a day and nothing else, and a
//! front's daily stream its new need, so both are drawn ahead in blocks (`ahead`): the
//! same values, with less work (a front's block lasts while its mean does: until its
//! next period, regime switch or the horizon).

mod ahead;
mod curve;
mod demand;
pub mod inputs;
pub mod limits;
pub mod outcome;
pub mod period;
pub mod tape;
pub mod trace;
mod trial;

pub use curve::DAYS_PER_MONTH;
pub use demand::{
    DemandGamma, demand_gamma, draw_compound, draw_demand, draw_demand_cached, fill_demand_cached,
};
pub use inputs::{Design, InputDef, InputTable, Pin};
pub use outcome::{SeriesOutcome, TrialOutcome};
pub use period::Period;
pub use tape::{DrawTape, Tape};
pub use trace::{NoTrace, TraceKind, TraceLog, TraceRecord, Tracer};
pub use trial::Workspace;

use crate::engine::StreamId;
use crate::scenario::Scenario;

/// A scenario prepared for simulation: stream ids and the reporting calendar.
///
/// Immutable and shared by every worker thread; each thread owns a [`Workspace`].
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario simulated.
    pub scenario: Scenario,
    /// Days on which the end-of-day stock is reported (always includes the first and last day).
    pub report_days: Vec<u32>,
    /// For each day, the reporting period it belongs to: the first report day on or after it.
    pub report_of_day: Vec<u32>,
    /// How the reporting days are spaced.
    pub period: Period,
    /// The numbers each trial draws once (see [`inputs`]).
    pub inputs: InputTable,
    /// Inputs pinned per block of trials (sensitivity designs); `None` for a plain run.
    pub design: Option<std::sync::Arc<Design>>,
    /// Whether each trial's outcome carries its inputs' values.
    pub record_inputs: bool,
    /// Whether each series is drawn on by a front, as its own stock or as a substitute
    /// ([`Scenario::draws_on`]): the series with per-period sums of need, fire and
    /// shortage days in a [`TrialOutcome`].
    pub consumers: Vec<bool>,
    /// For each series, the fronts that draw on it as their own stock, in scenario
    /// order (the own-use reserve of aid sent from it).
    pub(crate) fronts_of: Vec<Vec<usize>>,
    streams: Streams,
}

/// Stream ids of every process, derived from entity ids.
#[derive(Debug, Clone)]
struct Streams {
    series: Vec<StreamId>,
    factory_setup: Vec<StreamId>,
    factory_output: Vec<StreamId>,
    factory_failure: Vec<StreamId>,
    contract: Vec<StreamId>,
    procurement: Vec<StreamId>,
    demand_setup: Vec<StreamId>,
    demand_daily: Vec<StreamId>,
    demand_regime: Vec<StreamId>,
    transfer: Vec<StreamId>,
}

impl Model {
    /// Prepares `scenario`, reporting every `step_days` days (at least 1), on the last
    /// day, and on every date a nation group is reported by.
    pub fn new(scenario: Scenario, step_days: u32) -> Model {
        Model::with_period(scenario, Period::Days(step_days.max(1)))
    }

    /// Prepares `scenario`, reporting at the end of every `period` (see [`period`]), on
    /// the last day, and on every date a nation group is reported by.
    pub fn with_period(scenario: Scenario, period: Period) -> Model {
        let last = scenario.days.saturating_sub(1);
        let mut report_days = period.report_days(scenario.start, scenario.days);
        report_days.extend(scenario.groups.iter().flat_map(|g| g.days.iter().copied()));
        report_days.retain(|&d| d <= last);
        report_days.sort_unstable();
        report_days.dedup();
        let streams = Streams::new(&scenario);
        let inputs = InputTable::new(&scenario);
        let mut report_of_day = Vec::with_capacity(scenario.days as usize);
        for (k, &r) in report_days.iter().enumerate() {
            report_of_day.resize(r as usize + 1, k as u32);
        }
        let consumers = (0..scenario.series.len())
            .map(|i| scenario.draws_on(i))
            .collect();
        let fronts_of = (0..scenario.series.len())
            .map(|i| {
                (0..scenario.demand.len())
                    .filter(|&k| scenario.demand[k].series == i)
                    .collect()
            })
            .collect();
        Model {
            consumers,
            fronts_of,
            scenario,
            report_days,
            report_of_day,
            period,
            inputs,
            design: None,
            record_inputs: false,
            streams,
        }
    }

    /// The label of the calendar period that reporting day `day` closes (`2024-02`,
    /// `2024-Q1`, `2024`); `None` when reporting every N days.
    pub fn period_label(&self, day: u32) -> Option<String> {
        self.period.label(self.scenario.date_of(day))
    }

    /// Number of (nation, item) series.
    pub fn series_count(&self) -> usize {
        self.scenario.series.len()
    }
}

impl Streams {
    fn new(s: &Scenario) -> Streams {
        let ids = |prefix: &str, names: Vec<String>, purpose: &str| -> Vec<StreamId> {
            names
                .iter()
                .map(|n| StreamId::from_name(&format!("{prefix}/{n}/{purpose}")))
                .collect()
        };
        let series_names: Vec<String> = (0..s.series.len()).map(|i| s.series_label(i)).collect();
        let factories: Vec<String> = s.factories.iter().map(|f| f.id.clone()).collect();
        let demand: Vec<String> = s.demand.iter().map(|d| d.id.clone()).collect();
        let procurement: Vec<String> = s
            .procurement
            .iter()
            .map(|p| s.series_label(p.series))
            .collect();
        Streams {
            series: ids("stock", series_names, "setup"),
            factory_setup: ids("factory", factories.clone(), "setup"),
            factory_output: ids("factory", factories.clone(), "output"),
            factory_failure: ids("factory", factories, "failure"),
            contract: ids(
                "contract",
                s.contracts.iter().map(|c| c.id.clone()).collect(),
                "all",
            ),
            procurement: ids("procurement", procurement, "all"),
            demand_setup: ids("demand", demand.clone(), "setup"),
            demand_daily: ids("demand", demand.clone(), "daily"),
            demand_regime: ids("demand", demand, "regime"),
            transfer: ids(
                "transfer",
                s.transfers.iter().map(|t| t.id.clone()).collect(),
                "all",
            ),
        }
    }
}
