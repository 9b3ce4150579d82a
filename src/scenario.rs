//! Scenarios: what the user describes, validated and ready to simulate.
//!
//! A scenario is a TOML file (see `configs/default.toml` and the README). Loading runs
//! four steps, each of which reports errors with the file, line, column and the field's
//! path (`factories.us_scranton.capacity.initial: …`):
//!
//! 1. parse the TOML ([`locate`] keeps the spans);
//! 2. apply `--set path=value` overrides ([`overrides`]), then templates ([`inherit`]);
//! 3. deserialize into the raw mirror of the file ([`raw`]), rejecting unknown keys;
//! 4. validate into a [`Scenario`] (the `validate` module): references resolved, distributions
//!    built, domains checked. All problems are reported at once, not only the first.
//!
//! A [`Scenario`] is immutable and holds no runtime state; entities refer to each other
//! by index. Days are counted from the start date (day 0) to the end date (day
//! `days − 1`).

pub mod date;
pub mod describe;
pub mod inherit;
pub mod library;
pub mod limits;
pub mod locate;
pub mod overrides;
pub mod raw;
mod validate;

use crate::dist::Dist;
pub use date::Date;
use std::borrow::Cow;
use std::fmt;

/// The embedded default scenario: 155 mm shells, Western donors and Ukraine, 2022–2026.
pub const DEFAULT_SCENARIO: &str = include_str!("../configs/default.toml");
/// The commented starter scenario written by `drawdown init`.
pub const STARTER_SCENARIO: &str = include_str!("../configs/starter.toml");

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name (also the default output folder).
    pub name: String,
    /// Free text.
    pub description: String,
    /// Day 0.
    pub start: Date,
    /// Last simulated day.
    pub end: Date,
    /// Number of simulated days (`end − start + 1`).
    pub days: u32,
    /// Master seed from the file (the command line may override it).
    pub seed: Option<u64>,
    /// Unmet demand is carried to the next day instead of lost.
    pub backorder: bool,
    /// Munition types.
    pub items: Vec<Named>,
    /// Stockholders.
    pub nations: Vec<Named>,
    /// Every (nation, item) stock the model tracks.
    pub series: Vec<Series>,
    /// Production lines.
    pub factories: Vec<Factory>,
    /// One-off purchases.
    pub contracts: Vec<Contract>,
    /// (s, S) re-ordering policies.
    pub procurement: Vec<Procurement>,
    /// Consumption processes.
    pub demand: Vec<Demand>,
    /// Aid flows.
    pub transfers: Vec<Transfer>,
    /// Nation groups, in id order.
    pub groups: Vec<Group>,
    /// The side of each nation (parallel to [`Scenario::nations`]; [`DEFAULT_SIDE`]
    /// unless the scenario says otherwise).
    pub sides: Vec<String>,
    /// Fire ratios between nations, in id order.
    pub fire_ratios: Vec<FireRatio>,
    /// The scenario as written (after overrides), for display.
    pub raw: raw::RawScenario,
}

/// An entity's id and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The key the user gave (`us`, `shell_155`).
    pub id: String,
    /// Human name (the id when none was given).
    pub name: String,
}

/// Nations reported together: per item, the group's count of members at their floor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The key the user gave (`nato`) and its display name.
    pub named: Named,
    /// Member nations (indices into [`Scenario::nations`]), in the order listed.
    pub members: Vec<usize>,
    /// Simulation days by which the terminal reports P(at least half of the members
    /// at their floor), besides the horizon; each is also a reporting day.
    pub days: Vec<u32>,
}

/// The side of a nation whose `[nations.<id>]` table gives none.
pub const DEFAULT_SIDE: &str = "allies";

/// Rounds fired by the `numerator` nations over rounds fired by the `denominator`
/// nations, counting the items listed (see `crate::runner::aggregate` for the outputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FireRatio {
    /// The key the user gave (`russia_ukraine`) and its display name.
    pub named: Named,
    /// Nations above the line (indices into [`Scenario::nations`]), in the order listed.
    pub numerator: Vec<usize>,
    /// Nations below the line, in the order listed; none is also in `numerator`.
    pub denominator: Vec<usize>,
    /// Items counted (indices into [`Scenario::items`]), in item order.
    pub items: Vec<usize>,
}

/// One nation's stock of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Index into [`Scenario::nations`].
    pub nation: usize,
    /// Index into [`Scenario::items`].
    pub item: usize,
    /// Stock on day 0 [rounds], drawn once per trial.
    pub initial: Dist,
    /// Reserve floor [rounds], drawn once per trial.
    pub floor: Dist,
    /// The nation is a pass-through channel: depletion is not reported for it.
    pub channel: bool,
}

/// A level over time [rounds per day]: initial level and milestones.
#[derive(Debug, Clone, PartialEq)]
pub struct Ramp {
    /// Level on day 0 [rounds per month], drawn once per trial.
    pub initial: Dist,
    /// Milestones in planned-date order.
    pub milestones: Vec<Milestone>,
}

/// A planned change of a [`Ramp`]'s level.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// Id the user gave.
    pub id: String,
    /// Planned day (may be negative: before the start).
    pub day: i64,
    /// Level reached [rounds per month].
    pub target: Dist,
    /// Slip of the planned day [days].
    pub slip_days: Dist,
    /// Linear ramp duration from the previous level [days].
    pub ramp_days: Dist,
}

/// A production line.
#[derive(Debug, Clone, PartialEq)]
pub struct Factory {
    /// Id the user gave.
    pub id: String,
    /// Series (owner × item) receiving output not claimed by contracts.
    pub series: usize,
    /// Capacity [rounds per month].
    pub capacity: Ramp,
    /// Daily output as a share of capacity, drawn daily.
    pub output_factor: Dist,
    /// Random failures, if any.
    pub disruption: Option<Disruption>,
    /// Input bottleneck capping output [rounds per month], if any.
    pub input_limit: Option<Ramp>,
}

/// Random failures of a factory.
#[derive(Debug, Clone, PartialEq)]
pub struct Disruption {
    /// Days of operation between failures.
    pub every_days: Dist,
    /// Days to repair.
    pub repair_days: Dist,
    /// Share of capacity lost while down.
    pub loss: Dist,
}

/// How an order is filled.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // a handful per scenario, never on a hot path
pub enum Supply {
    /// Joins the factory's backlog; filled first come, first served from its output.
    Backlog {
        /// Index into [`Scenario::factories`].
        factory: usize,
    },
    /// Delivered after a lead time, in equal tranches.
    LeadTime {
        /// Days from order to first delivery.
        lead_days: Dist,
        /// Number of partial deliveries.
        tranches: u32,
        /// Days between partial deliveries.
        every_days: Dist,
    },
}

/// A one-off purchase.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Id the user gave.
    pub id: String,
    /// Buyer series (receives deliveries).
    pub series: usize,
    /// Rounds bought, or how they follow from money.
    pub size: ContractSize,
    /// Planned award day (may be negative).
    pub award_day: i64,
    /// Award delay [days].
    pub award_delay_days: Dist,
    /// How it is filled.
    pub supply: Supply,
}

/// How many rounds a contract buys.
#[derive(Debug, Clone, PartialEq)]
pub enum ContractSize {
    /// A number of rounds [rounds], drawn once per trial.
    Quantity(Dist),
    /// A purchase channel that scales with funding: `floor(budget / unit_price)`
    /// rounds, cut to the quantity ceiling; both drawn once per trial, budget first.
    Budget {
        /// Money spent [currency units].
        budget: Dist,
        /// Price of one round [currency units per round], always above 0.
        unit_price: Dist,
    },
}

impl ContractSize {
    /// One trial's draw of the rounds bought (before the model's quantity ceiling):
    /// the quantity, or `floor(budget / unit_price)` with the budget drawn first. Each
    /// draw passes through `pick(k, drawn)` (k = 0 for the quantity or the budget, 1 for
    /// the price), which returns the value used.
    pub fn sample_rounds<R: rand::Rng + ?Sized>(
        &self,
        rng: &mut R,
        pick: &mut impl FnMut(u32, f64) -> f64,
    ) -> u64 {
        match self {
            ContractSize::Quantity(q) => crate::dist::count(pick(0, q.sample(rng))),
            ContractSize::Budget { budget, unit_price } => {
                let money = pick(0, budget.sample(rng));
                // A pinned price stays above 0.
                let price = pick(1, unit_price.sample(rng)).max(f64::MIN_POSITIVE);
                // Validation keeps the price above 0; the cast saturates.
                (money / price).floor().max(0.0) as u64
            }
        }
    }
}

/// An (s, S) re-ordering policy with periodic review.
#[derive(Debug, Clone, PartialEq)]
pub struct Procurement {
    /// Series reviewed and replenished.
    pub series: usize,
    /// Reorder point s [rounds], drawn once per trial.
    pub reorder_point: Dist,
    /// Order-up-to level S [rounds], drawn once per trial.
    pub target: Dist,
    /// Days between reviews (at least 1).
    pub review_days: u32,
    /// Day of the first review.
    pub first_review_day: i64,
    /// How orders are filled.
    pub supply: Supply,
}

/// A consumption process.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// Id the user gave.
    pub id: String,
    /// Consuming series.
    pub series: usize,
    /// Negative-binomial dispersion k; `None` means Poisson.
    pub dispersion: Option<f64>,
    /// Compound demand: rounds one raid needs, drawn per raid (0 to
    /// [`limits::MAX_PER_RAID`]); the periods' rates are then raids per day.
    pub per_raid: Option<Dist>,
    /// Mean-rate periods in start order.
    pub periods: Vec<Period>,
    /// Markov regimes (empty: a constant multiplier of 1).
    pub regimes: Vec<Regime>,
    /// Index of the regime on day 0.
    pub start_regime: usize,
    /// Substitute series (same nation, other items), drawn in order, each down to its
    /// floor, for the need the demand's own stock cannot meet (empty: none).
    pub substitutes: Vec<usize>,
    /// Rationing rule, if any.
    pub rationing: Option<Rationing>,
    /// Days of this demand's mean need that aid from its stock must leave [days],
    /// drawn once per trial (0: none).
    pub reserve_days: Dist,
}

/// A rationing rule: caps what a front fires while stock is scarce. "Days of cover"
/// are measured with the front's mean need of the day (period mean × regime
/// multiplier). Both caps may be given; the smaller applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Rationing {
    /// Below this cover [days] only `fraction` of the need is fired (0: never).
    pub cover_days: Dist,
    /// Share of the need fired while cover is short.
    pub fraction: Dist,
    /// Fire only what keeps this cover [days] in stock (0: no such cap).
    pub keep_days: Dist,
}

/// A period of the demand schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// Id the user gave.
    pub id: String,
    /// First day (may be negative).
    pub from_day: i64,
    /// Mean daily demand [rounds/day], drawn once per trial.
    pub per_day: Dist,
}

/// A demand regime.
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    /// Id the user gave.
    pub id: String,
    /// Factor on the scheduled rate, drawn per visit.
    pub multiplier: Dist,
    /// Days per visit.
    pub duration_days: Dist,
    /// Next-regime choice: (regime index, cumulative probability), last entry is 1.
    pub next: Vec<(usize, f64)>,
}

/// What decides the size of an aid package.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferSize {
    /// A pledged quantity per package, drawn per package.
    Scheduled(Dist),
    /// A share of the donor's stock above its floor, drawn once per trial.
    Policy(Dist),
    /// A share of a factory's new output kept by the donor since the previous
    /// dispatch, drawn once per trial.
    Production {
        /// Index into [`Scenario::factories`] (owned by the donor).
        factory: usize,
        /// Share passed on (with `priority`: of the output offered to this transfer).
        share: Dist,
        /// Rank in the factory's queue of customers, smallest first (`None`: every
        /// transfer takes its share of all the output kept).
        priority: Option<u32>,
        /// With `priority`: the most output taken per dispatch interval [rounds],
        /// drawn per interval (`None`: no cap).
        up_to: Option<Dist>,
    },
}

/// An aid flow from a donor to a recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// Id the user gave.
    pub id: String,
    /// Donor series.
    pub from: usize,
    /// Recipient series.
    pub to: usize,
    /// First dispatch day (may be negative).
    pub start_day: i64,
    /// Last day a dispatch may happen.
    pub end_day: i64,
    /// Days between dispatches (at least 1).
    pub every_days: u32,
    /// Package size rule.
    pub size: TransferSize,
    /// Days in transit (at least 1 is enforced when simulating).
    pub transit_days: Dist,
    /// May the donor go below its floor?
    pub below_floor: bool,
}

impl Scenario {
    /// Whether a demand draws on series `i`: as its own stock or as a substitute. Such a
    /// series is a consumer: its need, fire and fill rate are reported.
    pub fn draws_on(&self, i: usize) -> bool {
        self.demand
            .iter()
            .any(|d| d.series == i || d.substitutes.contains(&i))
    }

    /// Loads a scenario from TOML text, applying `overrides` (`path=value`).
    ///
    /// `origin` names the source in messages (a file path, or `<default>`).
    ///
    /// # Errors
    /// [`ScenarioError`] listing every problem with its line, column and path.
    pub fn from_toml(
        origin: &str,
        text: &str,
        overrides: &[String],
    ) -> Result<Scenario, ScenarioError> {
        let fail = |issues| ScenarioError::new(origin, issues);
        let edited = overrides::apply(text, overrides).map_err(fail)?;
        let issues = match inherit::expand(&edited) {
            Err(issues) => issues,
            Ok(expanded) => match toml::from_str::<raw::RawScenario>(&expanded) {
                Err(e) => {
                    let issue = locate::issue_from_toml_error(&expanded, &e);
                    if let Cow::Owned(_) = expanded {
                        // The position is in the expanded text: locate the path instead.
                        vec![Issue::at(issue.path, issue.message)]
                    } else {
                        vec![issue]
                    }
                }
                Ok(raw) => match validate::validate(&raw) {
                    Ok(scenario) => return Ok(scenario),
                    Err(issues) => issues,
                },
            },
        };
        let located = issues
            .into_iter()
            .map(|issue| attribute(issue, text, &edited, overrides))
            .collect();
        Err(fail(located))
    }

    /// Loads the embedded default scenario with `overrides`.
    ///
    /// # Errors
    /// Only when an override is invalid.
    pub fn default_with(overrides: &[String]) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml("<default scenario>", DEFAULT_SCENARIO, overrides)
    }

    /// The calendar date of simulation day `day`.
    pub fn date_of(&self, day: u32) -> Date {
        self.start.plus_days(i64::from(day))
    }

    /// `nation.item` label of a series.
    pub fn series_label(&self, series: usize) -> String {
        let s = &self.series[series];
        format!("{}.{}", self.nations[s.nation].id, self.items[s.item].id)
    }
}

/// Locates `issue` in the user's file; an issue about a value an override wrote (the
/// overridden field or a field inside it) is attributed to that `--set` instead: the
/// line in the file holds another value, or none.
fn attribute(issue: Issue, original: &str, edited: &str, overrides: &[String]) -> Issue {
    let set = overrides
        .iter()
        .filter_map(|o| overrides::split(o).ok())
        .map(|(path, _)| path);
    if let Some(issue) = issue.attributed("--set", set) {
        return issue;
    }
    if issue.path.is_empty() || overrides.is_empty() {
        // Syntax errors, or positions already measured in the user's own text.
        return if issue.line.is_some() {
            issue
        } else {
            issue.located_in(edited)
        };
    }
    // Overrides may have shifted lines: measure the position in the user's file.
    issue.unlocated().located_in(original)
}

/// Re-locates the problems of a scenario text derived from the user's `original` (by
/// `--set`, a sweep's `--vary`, templates expanded), whose positions mean nothing to
/// the user: a problem with a value an edit wrote is attributed to that edit's flag
/// (`edits`: flag and dotted path), every other is located in `original`.
pub fn relocate<'a>(
    err: ScenarioError,
    original: &str,
    edits: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> ScenarioError {
    let issues = err
        .issues
        .into_iter()
        .map(|issue| {
            let mut by_flag = edits.clone().into_iter();
            let attributed =
                by_flag.find_map(|(flag, path)| issue.attributed(flag, std::iter::once(path)));
            attributed.unwrap_or_else(|| issue.unlocated().located_in(original))
        })
        .collect();
    ScenarioError::new(&err.origin, issues)
}

/// One problem in a scenario, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Dotted path of the field (`factories.us.capacity.initial`), empty for syntax errors.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Issue {
    /// An issue at `path` whose position is still to be located.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// The issue as a line of a message about file `origin`:
    /// `my.toml, line 14, column 17: path: message`, or `my.toml: path: message` when
    /// it has no position (a `--set`, a `--vary`).
    pub fn in_file(&self, origin: &str) -> String {
        let sep = if self.line.is_some() { ", " } else { ": " };
        format!("{origin}{sep}{self}")
    }

    /// The issue without its position.
    fn unlocated(mut self) -> Issue {
        self.line = None;
        self.column = None;
        self
    }

    /// The issue attributed to `flag` (`--set`, `--vary`), without a position, when
    /// its field is one of `paths` or inside one; `None` otherwise.
    fn attributed<'p>(
        &self,
        flag: &str,
        mut paths: impl Iterator<Item = &'p str>,
    ) -> Option<Issue> {
        let inside = |path: &str| {
            self.path == path
                || self
                    .path
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        if self.path.is_empty() || !paths.any(inside) {
            return None;
        }
        let mut issue = self.clone().unlocated();
        issue.path = format!("{flag} {}", self.path);
        Some(issue)
    }

    /// Fills in line and column by finding the path in the TOML `text`.
    /// A field an entity takes from a template is located in the template, and the
    /// message says so.
    pub fn located_in(mut self, text: &str) -> Issue {
        if let Some(((line, column), template)) = locate::field_position(text, &self.path) {
            self.line = Some(line);
            self.column = Some(column);
            if let Some(name) = template {
                self.message
                    .push_str(&format!(" (the value comes from template '{name}')"));
            }
        }
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl Scenario {
    /// Whether `self` and `other` simulate alike: every field the model reads is
    /// equal (the scenario as written, [`Scenario::raw`], is not compared: two texts
    /// can say the same thing, e.g. a sweep's `+=0` on a distribution rewrites it). A
    /// run of either then gives the other's results, trial for trial. Conservative: a
    /// NaN anywhere makes two scenarios differ.
    pub fn simulates_like(&self, other: &Scenario) -> bool {
        let Scenario {
            name,
            description,
            start,
            end,
            days,
            seed,
            backorder,
            items,
            nations,
            series,
            factories,
            contracts,
            procurement,
            demand,
            transfers,
            groups,
            sides,
            fire_ratios,
            raw: _,
        } = self;
        *name == other.name
            && *description == other.description
            && *start == other.start
            && *end == other.end
            && *days == other.days
            && *seed == other.seed
            && *backorder == other.backorder
            && *items == other.items
            && *nations == other.nations
            && *series == other.series
            && *factories == other.factories
            && *contracts == other.contracts
            && *procurement == other.procurement
            && *demand == other.demand
            && *transfers == other.transfers
            && *groups == other.groups
            && *sides == other.sides
            && *fire_ratios == other.fire_ratios
    }
}

/// A scenario that cannot be used, with every problem found.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioError {
    /// The file (or `<default scenario>`).
    pub origin: String,
    /// The problems, in file order where known.
    pub issues: Vec<Issue>,
}

impl ScenarioError {
    /// Builds the error, sorting issues by position.
    pub fn new(origin: &str, mut issues: Vec<Issue>) -> ScenarioError {
        issues.sort_by_key(|i| (i.line.unwrap_or(usize::MAX), i.column.unwrap_or(0)));
        ScenarioError {
            origin: origin.to_string(),
            issues,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        write!(f, "invalid scenario '{}'", self.origin)?;
        if n > 1 {
            write!(f, " ({n} problems)")?;
        }
        for issue in &self.issues {
            write!(f, "\n  {}", issue.in_file(&self.origin))?;
        }
        Ok(())
    }
}
