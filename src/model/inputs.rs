//! The numbers a trial draws once (its *inputs*): every stock and floor, ramp level,
//! milestone slip, target and ramp time, demand level, rationing parameter, award delay,
//! contract size, procurement level and aid share. Each gets an id, in the order the
//! trial draws them, and the path that names it in the scenario
//! (`factories.us_scranton.capacity.ramp.y2025.slip_days`).
//!
//! Inputs are what sensitivity analysis varies and records:
//! - a trial records the value each input took (`drawdown run --inputs`, `drawdown rank`);
//! - a [`Design`] pins inputs per block of trials, to a value, a shift or a factor of
//!   the draw (`drawdown tornado`, `drawdown sobol`). The draw is made either way, so a
//!   pinned input never moves the random numbers of the others (common random numbers).
//!
//! Per-event draws (daily need, output noise, lead times, transit, breakdowns, regime
//! lengths) are the simulator's own noise, not inputs.

use crate::dist::Dist;
use crate::scenario::{ContractSize, Ramp, Scenario, TransferSize};

/// One input: the path naming it and the distribution it is drawn from.
#[derive(Debug, Clone)]
pub struct InputDef {
    /// Dotted path in the scenario, as `--vary` and `--set` name it.
    pub path: String,
    /// The distribution of its draw.
    pub dist: Dist,
}

impl InputDef {
    /// Whether the draw varies (not a fixed number).
    pub fn uncertain(&self) -> bool {
        self.dist.fixed_value().is_none()
    }
}

/// The inputs of a scenario and the id of each entity's first one.
#[derive(Debug, Clone, Default)]
pub struct InputTable {
    /// Every input, by id.
    pub defs: Vec<InputDef>,
    /// Per series: initial, floor.
    pub(crate) series: Vec<u32>,
    /// Per factory: the capacity ramp (initial, then slip, target, ramp days per milestone).
    pub(crate) capacity: Vec<u32>,
    /// Per factory: the input-limit ramp, laid out as `capacity`.
    pub(crate) limit: Vec<Option<u32>>,
    /// Per demand: the period means, then cover, fraction, keep (with rationing), then
    /// reserve days.
    pub(crate) demand: Vec<u32>,
    /// Per contract: award delay, then quantity or budget and unit price.
    pub(crate) contract: Vec<u32>,
    /// Per procurement policy: reorder point, target.
    pub(crate) procurement: Vec<u32>,
    /// Per transfer: its share, when it has one.
    pub(crate) transfer: Vec<Option<u32>>,
}

impl InputTable {
    /// The inputs of `s`, in the order a trial draws them.
    pub fn new(s: &Scenario) -> InputTable {
        let mut t = InputTable::default();
        for (i, def) in s.series.iter().enumerate() {
            let base = format!(
                "nations.{}.stock.{}",
                s.nations[def.nation].id, s.items[def.item].id
            );
            t.series.push(t.next());
            t.add(format!("{base}.initial"), &def.initial);
            t.add(format!("{base}.floor"), &def.floor);
            debug_assert_eq!(t.series[i] as usize + 2, t.defs.len());
        }
        for f in &s.factories {
            t.capacity.push(t.next());
            t.add_ramp(&format!("factories.{}.capacity", f.id), &f.capacity);
            let limit = f.input_limit.as_ref().map(|r| {
                let id = t.next();
                t.add_ramp(&format!("factories.{}.input_limit", f.id), r);
                id
            });
            t.limit.push(limit);
        }
        for d in &s.demand {
            t.demand.push(t.next());
            for p in &d.periods {
                t.add(
                    format!("demand.{}.schedule.{}.per_day", d.id, p.id),
                    &p.per_day,
                );
            }
            if let Some(r) = &d.rationing {
                let base = format!("demand.{}.rationing", d.id);
                t.add(format!("{base}.cover_days"), &r.cover_days);
                t.add(format!("{base}.fraction"), &r.fraction);
                t.add(format!("{base}.keep_days"), &r.keep_days);
            }
            t.add(format!("demand.{}.reserve_days", d.id), &d.reserve_days);
        }
        for c in &s.contracts {
            t.contract.push(t.next());
            let base = format!("contracts.{}", c.id);
            t.add(format!("{base}.award_delay_days"), &c.award_delay_days);
            match &c.size {
                ContractSize::Quantity(q) => t.add(format!("{base}.quantity"), q),
                ContractSize::Budget { budget, unit_price } => {
                    t.add(format!("{base}.budget"), budget);
                    t.add(format!("{base}.unit_price"), unit_price);
                }
            }
        }
        for p in &s.procurement {
            t.procurement.push(t.next());
            let series = &s.series[p.series];
            let base = format!(
                "nations.{}.procurement.{}",
                s.nations[series.nation].id, s.items[series.item].id
            );
            t.add(format!("{base}.reorder_point"), &p.reorder_point);
            t.add(format!("{base}.target"), &p.target);
        }
        for tr in &s.transfers {
            let share = match &tr.size {
                TransferSize::Policy(d) | TransferSize::Production { share: d, .. } => Some(d),
                TransferSize::Scheduled(_) => None,
            };
            let id = share.map(|d| {
                let id = t.next();
                t.add(format!("transfers.{}.share", tr.id), d);
                id
            });
            t.transfer.push(id);
        }
        t
    }

    fn next(&self) -> u32 {
        self.defs.len() as u32
    }

    fn add(&mut self, path: String, dist: &Dist) {
        self.defs.push(InputDef {
            path,
            dist: dist.clone(),
        });
    }

    fn add_ramp(&mut self, base: &str, ramp: &Ramp) {
        self.add(format!("{base}.initial"), &ramp.initial);
        for m in &ramp.milestones {
            let at = format!("{base}.ramp.{}", m.id);
            self.add(format!("{at}.slip_days"), &m.slip_days);
            self.add(format!("{at}.target"), &m.target);
            self.add(format!("{at}.ramp_days"), &m.ramp_days);
        }
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether the scenario has no inputs.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The id of the input at `path`.
    pub fn find(&self, path: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.path == path)
    }
}

/// What a design does to an input's draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pin {
    /// Use this value instead of the draw.
    Set(f64),
    /// Add this to the draw (shift the distribution).
    Add(f64),
    /// Multiply the draw by this (scale the distribution).
    Mul(f64),
}

impl Pin {
    /// The value an input takes when `drawn` was drawn.
    #[inline]
    pub fn apply(self, drawn: f64) -> f64 {
        match self {
            Pin::Set(v) => v,
            Pin::Add(d) => drawn + d,
            Pin::Mul(f) => drawn * f,
        }
    }
}

/// Rows of pinned inputs, each run on a block of trials: global trial `g` runs row
/// `g / block` on the random streams of trial `g mod block` (common random numbers:
/// every row sees the same streams) or of trial `g` itself (independent rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Trials per row.
    pub block: u64,
    /// Whether every row reuses the streams of trials `0..block`.
    pub common: bool,
    /// Per row, the pinned inputs.
    pub rows: Vec<Vec<(u32, Pin)>>,
}

impl Design {
    /// Trials the design runs: rows × block.
    pub fn trials(&self) -> u64 {
        self.rows.len() as u64 * self.block
    }

    /// The row of global trial `g` and the trial whose streams it uses.
    #[inline]
    pub fn locate(&self, g: u64) -> (usize, u64) {
        let block = self.block.max(1);
        let row = (g / block) as usize;
        (row, if self.common { g % block } else { g })
    }
}

/// A trial's inputs: the pins in force and the values taken.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputState {
    pins: Vec<Option<Pin>>,
    /// The row whose pins are set.
    row: Option<usize>,
    /// The value each input took this trial (NaN when not drawn, e.g. a contract
    /// awarded after the horizon).
    pub(crate) values: Vec<f64>,
}

impl InputState {
    /// State for `n` inputs.
    pub(crate) fn new(n: usize) -> InputState {
        InputState {
            pins: vec![None; n],
            row: None,
            values: vec![f64::NAN; n],
        }
    }

    /// Starts a trial: sets the pins of `row` of `design` (none without a design).
    pub(crate) fn start(&mut self, design: Option<&Design>, row: usize) {
        self.values.fill(f64::NAN);
        let wanted = design.map(|_| row);
        if self.row == wanted {
            return;
        }
        self.pins.fill(None);
        if let Some(d) = design
            && let Some(pins) = d.rows.get(row)
        {
            for &(id, pin) in pins {
                if let Some(slot) = self.pins.get_mut(id as usize) {
                    *slot = Some(pin);
                }
            }
        }
        self.row = wanted;
    }

    /// The value input `id` takes when `drawn` was drawn: the draw, or the pin applied
    /// to it; recorded.
    #[inline]
    pub(crate) fn pick(&mut self, id: u32, drawn: f64) -> f64 {
        let i = id as usize;
        let v = match self.pins.get(i).copied().flatten() {
            Some(pin) => pin.apply(drawn),
            None => drawn,
        };
        if let Some(slot) = self.values.get_mut(i) {
            *slot = v;
        }
        v
    }
}
