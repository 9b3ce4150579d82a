//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! Every table rejects unknown keys, so a misspelt field is an error rather than a
//! silently ignored default. Entities are tables keyed by the user's ids
//! (`[factories.us_scranton]`), which makes every number addressable by a stable path
//! (`factories.us_scranton.capacity.ramp.y2024.target`). Nothing here is validated
//! beyond types: that is the `validate` module's job.

use crate::dist::DistSpec;
use crate::scenario::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Name, horizon and global options.
    pub scenario: RawMeta,
    /// Munition types, keyed by id.
    #[serde(default)]
    pub items: BTreeMap<String, RawItem>,
    /// Stockholders, keyed by id.
    #[serde(default)]
    pub nations: BTreeMap<String, RawNation>,
    /// Production lines, keyed by id.
    #[serde(default)]
    pub factories: BTreeMap<String, RawFactory>,
    /// Purchases, keyed by id.
    #[serde(default)]
    pub contracts: BTreeMap<String, RawContract>,
    /// Front-line consumption processes, keyed by id.
    #[serde(default)]
    pub demand: BTreeMap<String, RawDemand>,
    /// Aid flows, keyed by id.
    #[serde(default)]
    pub transfers: BTreeMap<String, RawTransfer>,
    /// Nation groups reported together (NATO, EU, any list), keyed by id.
    #[serde(default)]
    pub groups: BTreeMap<String, RawGroup>,
    /// Fire ratios between nations (an adversary's fire over Ukraine's), keyed by id.
    #[serde(default)]
    pub fire_ratios: BTreeMap<String, RawFireRatio>,
}

/// A `[fire_ratios.<id>]` table: rounds fired by some nations over rounds fired by
/// others, per reporting period.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFireRatio {
    /// Human name.
    #[serde(default)]
    pub name: Option<String>,
    /// Nations whose fire is summed above the line.
    pub numerator: Vec<String>,
    /// Nations whose fire is summed below the line.
    pub denominator: Vec<String>,
    /// Items counted; every item when absent.
    #[serde(default)]
    pub items: Option<Vec<String>>,
}

/// A `[groups.<id>]` table: nations reported together.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Human name.
    #[serde(default)]
    pub name: Option<String>,
    /// Member nation ids, each once.
    pub members: Vec<String>,
    /// Dates by which the terminal reports P(at least half of the members at their
    /// floor); each is also a reporting day.
    #[serde(default)]
    pub dates: Vec<Date>,
}

/// The `[scenario]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Short name; also the default output folder `results/<name>/`.
    pub name: String,
    /// Free text shown by `drawdown check`.
    #[serde(default)]
    pub description: Option<String>,
    /// First simulated day.
    pub start: Date,
    /// Last simulated day (inclusive).
    pub end: Date,
    /// Default master seed (the command line may override it).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Carry unmet demand over to the next day instead of losing it.
    #[serde(default)]
    pub backorder: Option<bool>,
}

/// An `[items.<id>]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Human name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A `[nations.<id>]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNation {
    /// Human name.
    #[serde(default)]
    pub name: Option<String>,
    /// A pass-through purchase or aid channel holding no stock of its own: its
    /// depletion is not meaningful and is not reported.
    #[serde(default)]
    pub channel: Option<bool>,
    /// The side the nation stands on (`allies` when absent); no transfer crosses sides.
    #[serde(default)]
    pub side: Option<String>,
    /// Stock and floor per item id.
    #[serde(default)]
    pub stock: BTreeMap<String, RawStock>,
    /// (s, S) re-ordering policy per item id.
    #[serde(default)]
    pub procurement: BTreeMap<String, RawProcurement>,
}

/// A `[nations.<id>.stock.<item>]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStock {
    /// Stock on the start date [rounds], drawn once per trial.
    pub initial: DistSpec,
    /// Reserve floor [rounds], drawn once per trial; 0 when absent.
    #[serde(default)]
    pub floor: Option<DistSpec>,
}

/// A `[nations.<id>.procurement.<item>]` table: an (s, S) policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProcurement {
    /// Reorder point s: order when stock + on order <= s [rounds].
    pub reorder_point: DistSpec,
    /// Order-up-to level S [rounds].
    pub target: DistSpec,
    /// Days between reviews.
    pub review_days: u32,
    /// First review; the scenario start when absent.
    #[serde(default)]
    pub first_review: Option<Date>,
    /// Factory whose backlog the order joins (first come, first served).
    #[serde(default)]
    pub factory: Option<String>,
    /// Days from order to the first delivery, drawn per order.
    #[serde(default)]
    pub lead_time_days: Option<DistSpec>,
    /// Number of equal partial deliveries (lead-time orders); 1 when absent.
    #[serde(default)]
    pub tranches: Option<u32>,
    /// Days between partial deliveries, drawn per tranche; 30 when absent.
    #[serde(default)]
    pub tranche_every_days: Option<DistSpec>,
}

/// A `[factories.<id>]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactory {
    /// Owning nation: receives the output not claimed by contracts.
    pub owner: String,
    /// Item produced.
    pub item: String,
    /// Capacity in rounds per month, with its ramp-up milestones.
    pub capacity: RawRamp,
    /// Daily output as a share of capacity, drawn every day; 1 when absent.
    #[serde(default)]
    pub output_factor: Option<DistSpec>,
    /// Random failures and repairs.
    #[serde(default)]
    pub disruption: Option<RawDisruption>,
    /// Input bottleneck (e.g. energetics) capping output, rounds per month.
    #[serde(default)]
    pub input_limit: Option<RawRamp>,
}

/// A level over time: an initial level and milestones that change it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRamp {
    /// Level at the start [rounds per month], drawn once per trial.
    pub initial: DistSpec,
    /// Milestones keyed by id; applied in date order.
    #[serde(default)]
    pub ramp: BTreeMap<String, RawMilestone>,
}

/// A `…ramp.<id>` table: a planned change of level.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMilestone {
    /// Planned date.
    pub date: Date,
    /// Level reached [rounds per month], drawn once per trial.
    pub target: DistSpec,
    /// Slip of the planned date [days], drawn once per trial; 0 when absent.
    #[serde(default)]
    pub slip_days: Option<DistSpec>,
    /// Days of linear ramp from the previous level, after the (slipped) date; 0 when absent.
    #[serde(default)]
    pub ramp_days: Option<DistSpec>,
}

/// A factory's `disruption` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisruption {
    /// Days of operation between failures, drawn per failure.
    pub every_days: DistSpec,
    /// Days to repair, drawn per failure.
    pub repair_days: DistSpec,
    /// Share of capacity lost while disrupted; 1 when absent.
    #[serde(default)]
    pub loss: Option<DistSpec>,
}

/// A `[contracts.<id>]` table: a one-off purchase.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    /// Nation receiving the deliveries.
    pub buyer: String,
    /// Item bought.
    pub item: String,
    /// Rounds bought, drawn once per trial (or give `budget` and `unit_price`).
    #[serde(default)]
    pub quantity: Option<DistSpec>,
    /// Money spent [currency units, e.g. euros], drawn once per trial: with
    /// `unit_price`, buys `floor(budget / unit_price)` rounds instead of `quantity`.
    #[serde(default)]
    pub budget: Option<DistSpec>,
    /// Price of one round [currency units per round], drawn once per trial.
    #[serde(default)]
    pub unit_price: Option<DistSpec>,
    /// Planned award date.
    pub award: Date,
    /// Delay of the award [days], drawn once per trial; 0 when absent.
    #[serde(default)]
    pub award_delay_days: Option<DistSpec>,
    /// Factory whose backlog the order joins (first come, first served).
    #[serde(default)]
    pub factory: Option<String>,
    /// Days from order to the first delivery, drawn per order.
    #[serde(default)]
    pub lead_time_days: Option<DistSpec>,
    /// Number of equal partial deliveries (lead-time orders); 1 when absent.
    #[serde(default)]
    pub tranches: Option<u32>,
    /// Days between partial deliveries, drawn per tranche; 30 when absent.
    #[serde(default)]
    pub tranche_every_days: Option<DistSpec>,
}

/// A `[demand.<id>]` table: a nation's consumption.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemand {
    /// Consuming nation.
    pub nation: String,
    /// Item consumed.
    pub item: String,
    /// Negative-binomial dispersion k of the daily count (variance = m + m²/k);
    /// Poisson when absent. With `per_raid`, the count is the day's number of raids.
    #[serde(default)]
    pub dispersion: Option<f64>,
    /// Compound demand: rounds (interceptors) one raid needs, drawn per raid. The
    /// schedule's `per_day` is then the mean number of raids per day, and a day's need
    /// is the sum of its raids' draws.
    #[serde(default)]
    pub per_raid: Option<DistSpec>,
    /// Mean daily rate by period, keyed by id; each period lasts until the next one starts.
    pub schedule: BTreeMap<String, RawPeriod>,
    /// Markov regimes multiplying the rate, keyed by id.
    #[serde(default)]
    pub regimes: BTreeMap<String, RawRegime>,
    /// Regime on the start date (required when there are regimes).
    #[serde(default)]
    pub start_regime: Option<String>,
    /// Rationing rule: fire less than the need while stock is scarce.
    #[serde(default)]
    pub rationing: Option<RawRationing>,
    /// Items of the same nation that stand in, in order, for the need this demand's
    /// own item cannot meet (each drawn down to the nation's floor of it); none when
    /// absent.
    #[serde(default)]
    pub substitutes: Option<Vec<String>>,
    /// Own use (a donor's training and defence): aid from this stock never takes the
    /// rounds this demand needs over the next `reserve_days` days [days], drawn once
    /// per trial; 0 when absent.
    #[serde(default)]
    pub reserve_days: Option<DistSpec>,
}

/// A `demand.<id>.rationing` table. Each value is drawn once per trial.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRationing {
    /// When the stock covers fewer than this many days of mean need [days], fire only
    /// `fraction` of the need.
    #[serde(default)]
    pub cover_days: Option<DistSpec>,
    /// Share of the need fired while the stock is below `cover_days` of cover.
    #[serde(default)]
    pub fraction: Option<DistSpec>,
    /// Fire only what keeps this many days of mean need in stock [days].
    #[serde(default)]
    pub keep_days: Option<DistSpec>,
}

/// A `schedule.<id>` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// First day of the period.
    pub from: Date,
    /// Mean daily demand in the period [rounds/day], drawn once per trial.
    pub per_day: DistSpec,
}

/// A `regimes.<id>` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegime {
    /// Factor on the scheduled mean rate while in this regime.
    pub multiplier: DistSpec,
    /// Days spent in the regime per visit, drawn per visit.
    pub duration_days: DistSpec,
    /// Relative weights of the next regime, keyed by regime id.
    pub next: BTreeMap<String, f64>,
}

/// A `[transfers.<id>]` table: aid from a donor to a recipient.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    /// Donor nation.
    pub from: String,
    /// Recipient nation.
    pub to: String,
    /// Item sent.
    pub item: String,
    /// First dispatch.
    pub start: Date,
    /// No dispatch after this date; the scenario end when absent.
    #[serde(default)]
    pub end: Option<Date>,
    /// Days between dispatches.
    pub every_days: u32,
    /// Rounds per package (scheduled aid), drawn per package.
    #[serde(default)]
    pub quantity: Option<DistSpec>,
    /// Share of the stock above the floor sent at each dispatch (policy aid), or with
    /// `factory`, share of the factory's new output passed on; drawn once per trial.
    #[serde(default)]
    pub share: Option<DistSpec>,
    /// Production-linked aid: pass on `share` of this factory's new output (the output
    /// its owner, the donor, keeps) made since the previous dispatch.
    #[serde(default)]
    pub factory: Option<String>,
    /// Production-linked aid shared by priority: the factory's new output goes first
    /// to its transfer with the smallest priority, then the next (1 to 1000).
    #[serde(default)]
    pub priority: Option<u32>,
    /// With `priority`: at most this many rounds of output taken per dispatch interval
    /// [rounds], drawn per interval; no cap when absent.
    #[serde(default)]
    pub up_to: Option<DistSpec>,
    /// Days in transit, drawn per package; at least 1.
    #[serde(default)]
    pub transit_days: Option<DistSpec>,
    /// May the donor go below its floor for this transfer?
    #[serde(default)]
    pub below_floor: Option<bool>,
}
