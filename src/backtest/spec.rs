//! The milestones file of a back-test: dated public figures, each with the measure of
//! the model that corresponds to it, parsed and checked against a scenario.
//!
//! ```toml
//! [milestones.eu_aug23]
//! label = "EU 1M track: rounds delivered to Ukraine"
//! measure = "sent"                  # see Measure
//! nations = ["germany", "france"]   # whose flows are summed (and/or groups = ["eu"])
//! item = "shell_155"                # optional: every item when absent
//! from = "2023-03-01"               # window start (optional: the scenario start)
//! to = "2023-08-31"                 # window end, inclusive; the date of a stock
//! per = "total"                     # total | day | month | year
//! reported = 224_000                # or { min, max }, { at_least }, { at_most }
//! source = "Borrell, Aug-23 (munitions.md §3)"
//! miss = "why the model may differ" # shown when the figure is outside the interval
//! ```
//!
//! A milestone may divide by another measure over the same window
//! (`ratio_to = { measure = "fired", nations = ["ukraine"] }`): a fire ratio, a fill
//! rate, a share.

use crate::scenario::date::Date;
use crate::scenario::{Issue, Scenario, Supply};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a milestone measures, per trial, over its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// End-of-day stock on the window's last day (summed over the nations).
    Stock,
    /// Factory output kept by its owner (`produced` in trials.csv).
    Produced,
    /// Output of the named `factories`, whoever received it (kept by the owner or
    /// delivered against a contract or order from the factory's backlog).
    Output,
    /// Contract and procurement deliveries received.
    Delivered,
    /// Aid received (optionally only from the named `transfers`, or from the transfers
    /// of `senders` / `sender_groups`), plus deliveries of the named `contracts`.
    Received,
    /// Aid sent (optionally only by the named `transfers`).
    Sent,
    /// Need arising (`demanded`).
    Needed,
    /// Rounds fired, on time or late (`consumed`).
    Fired,
    /// Need not met on the day it arose.
    Unmet,
    /// Need met on the day it arose (`needed − unmet`).
    Met,
}

impl Measure {
    /// The name used in the milestones file.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Stock => "stock",
            Measure::Produced => "produced",
            Measure::Output => "output",
            Measure::Delivered => "delivered",
            Measure::Received => "received",
            Measure::Sent => "sent",
            Measure::Needed => "needed",
            Measure::Fired => "fired",
            Measure::Unmet => "unmet",
            Measure::Met => "met",
        }
    }
}

/// How a flow total is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// The total over the window.
    #[default]
    Total,
    /// Per day: total / days in the window.
    Day,
    /// Per month of 365.25/12 days.
    Month,
    /// Per year of 365.25 days.
    Year,
}

/// The reported figure.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(
    untagged,
    expecting = "a number, or a table: { min = …, max = … }, { at_least = … } or { at_most = … }"
)]
pub enum Reported {
    /// A single figure.
    Value(f64),
    /// A bracket: `{ min, max }`, `{ at_least }` or `{ at_most }`.
    Range(RawRange),
}

/// A reported bracket as written.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    /// Lower end.
    #[serde(default, alias = "at_least")]
    pub min: Option<f64>,
    /// Upper end.
    #[serde(default, alias = "at_most")]
    pub max: Option<f64>,
}

impl Reported {
    /// What is wrong with the figure as written: an end that is not a finite number
    /// at least 0 (every measure is a count, a stock or a ratio of counts), or a
    /// bracket whose `min` is above its `max`.
    fn problem(&self) -> Option<String> {
        let ends = match *self {
            Reported::Value(v) => [Some(v), None],
            Reported::Range(r) => [r.min, r.max],
        };
        if let Some(v) = ends
            .into_iter()
            .flatten()
            .find(|v| !(v.is_finite() && *v >= 0.0))
        {
            return Some(format!("must be a finite number >= 0, got {v}"));
        }
        let (low, high) = self.bounds();
        (low > high).then(|| format!("min {low} is above max {high}"))
    }

    /// The reported bracket `[low, high]` (infinite when open).
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Reported::Value(v) => (v, v),
            Reported::Range(r) => (
                r.min.unwrap_or(f64::NEG_INFINITY),
                r.max.unwrap_or(f64::INFINITY),
            ),
        }
    }
}

/// A `[milestones.<id>]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    label: String,
    #[serde(flatten)]
    selector: RawSelector,
    #[serde(default)]
    from: Option<Date>,
    to: Date,
    #[serde(default)]
    per: Per,
    #[serde(default)]
    ratio_to: Option<RawSelector>,
    reported: Reported,
    source: String,
    #[serde(default)]
    miss: Option<String>,
}

/// Which flows a measure sums.
#[derive(Debug, Clone, Deserialize)]
struct RawSelector {
    measure: Measure,
    #[serde(default)]
    nations: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    factories: Vec<String>,
    #[serde(default)]
    transfers: Vec<String>,
    #[serde(default)]
    senders: Vec<String>,
    #[serde(default)]
    sender_groups: Vec<String>,
    #[serde(default)]
    contracts: Vec<String>,
    #[serde(default)]
    item: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    milestones: BTreeMap<String, RawMilestone>,
}

/// A measure resolved against a scenario: which series (and entities) it sums.
#[derive(Debug, Clone)]
pub struct Selector {
    /// The measure.
    pub measure: Measure,
    /// `series[i]`: whether series `i` counts.
    pub series: Vec<bool>,
    /// For `output`: the factories counted.
    pub entities: Vec<String>,
    /// For `sent` and `received`: only these transfers count (all when `None`).
    pub transfers: Option<Vec<String>>,
    /// For `output`: ids of the contracts filled from those factories' backlogs; for
    /// `received`: contracts whose deliveries count as received.
    pub contracts: Vec<String>,
    /// For `output`: `policies[i]`: series `i` re-orders from one of those factories
    /// (its procurement deliveries count).
    pub policies: Vec<bool>,
}

/// One milestone, resolved.
#[derive(Debug, Clone)]
pub struct Milestone {
    /// Its id in the file.
    pub id: String,
    /// What it is, in words.
    pub label: String,
    /// Numerator.
    pub selector: Selector,
    /// Denominator, if a ratio.
    pub ratio_to: Option<Selector>,
    /// First day of the window (simulation day).
    pub from_day: u32,
    /// Last day of the window, inclusive.
    pub to_day: u32,
    /// Calendar window, as written.
    pub from: Date,
    /// Calendar end of the window.
    pub to: Date,
    /// Scaling of a flow total.
    pub per: Per,
    /// The reported figure.
    pub reported: Reported,
    /// Where it was reported.
    pub source: String,
    /// The reason given for a miss.
    pub miss: Option<String>,
}

impl Milestone {
    /// The factor a window total is multiplied by (`per`); 1 for stocks and ratios.
    pub fn scale(&self) -> f64 {
        if self.ratio_to.is_some() || self.selector.measure == Measure::Stock {
            return 1.0;
        }
        let days = f64::from(self.to_day - self.from_day + 1);
        match self.per {
            Per::Total => 1.0,
            Per::Day => 1.0 / days,
            Per::Month => crate::model::DAYS_PER_MONTH / days,
            Per::Year => 365.25 / days,
        }
    }
}

/// Parses a milestones file and resolves it against `scenario`, in calendar order
/// (window end, then start, then id); every problem is an [`Issue`] located in `text`.
///
/// # Errors
/// The list of problems (unknown nation, window outside the horizon, …).
pub fn parse(text: &str, scenario: &Scenario) -> Result<Vec<Milestone>, Vec<Issue>> {
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| vec![crate::scenario::locate::issue_from_toml_error(text, &e)])?;
    let mut issues = Vec::new();
    let mut out = Vec::new();
    for (id, m) in raw.milestones {
        let path = format!("milestones.{id}");
        let mut bad = |field: &str, message: String| {
            issues.push(Issue::at(format!("{path}.{field}"), message).located_in(text));
        };
        let from = m.from.unwrap_or(scenario.start);
        let day = |d: Date| d.days_since(scenario.start);
        let last = i64::from(scenario.days) - 1;
        let (from_day, to_day) = (day(from), day(m.to));
        if !(0..=last).contains(&from_day) {
            bad(
                "from",
                format!(
                    "{} is outside the scenario's horizon {} to {}",
                    from, scenario.start, scenario.end
                ),
            );
            continue;
        }
        if !(0..=last).contains(&to_day) || to_day < from_day {
            bad(
                "to",
                format!(
                    "{} must be within the horizon ({} to {}) and not before `from`",
                    m.to, scenario.start, scenario.end
                ),
            );
            continue;
        }
        if let Reported::Range(r) = m.reported
            && r.min.is_none()
            && r.max.is_none()
        {
            bad(
                "reported",
                "give a value, { min, max }, { at_least } or { at_most }".into(),
            );
            continue;
        }
        if let Some(problem) = m.reported.problem() {
            bad("reported", problem);
            continue;
        }
        let selector = match resolve(&m.selector, scenario, &path) {
            Ok(s) => s,
            Err(e) => {
                issues.extend(e.into_iter().map(|i| i.located_in(text)));
                continue;
            }
        };
        let ratio_to = match &m.ratio_to {
            None => None,
            Some(r) => match resolve(r, scenario, &format!("{path}.ratio_to")) {
                Ok(s) => Some(s),
                Err(e) => {
                    issues.extend(e.into_iter().map(|i| i.located_in(text)));
                    continue;
                }
            },
        };
        out.push(Milestone {
            id,
            label: m.label,
            selector,
            ratio_to,
            from_day: from_day as u32,
            to_day: to_day as u32,
            from,
            to: m.to,
            per: m.per,
            reported: m.reported,
            source: m.source,
            miss: m.miss,
        });
    }
    out.sort_by(|a, b| (a.to, a.from, &a.id).cmp(&(b.to, b.from, &b.id)));
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues)
    }
}

/// Resolves the ids of a selector against the scenario.
fn resolve(raw: &RawSelector, s: &Scenario, path: &str) -> Result<Selector, Vec<Issue>> {
    let mut issues = Vec::new();
    let known = |list: &mut dyn Iterator<Item = &str>| {
        let names = list.collect::<Vec<_>>().join(", ");
        if names.is_empty() {
            "none: the scenario has none".to_string()
        } else {
            names
        }
    };
    let item = match &raw.item {
        None => None,
        Some(id) => match s.items.iter().position(|i| &i.id == id) {
            Some(i) => Some(i),
            None => {
                issues.push(Issue::at(
                    format!("{path}.item"),
                    format!(
                        "unknown item '{id}' (known: {})",
                        known(&mut s.items.iter().map(|i| i.id.as_str()))
                    ),
                ));
                None
            }
        },
    };
    let mut nations = Vec::new();
    for id in &raw.nations {
        match s.nations.iter().position(|n| &n.id == id) {
            Some(n) => nations.push(n),
            None => issues.push(Issue::at(
                format!("{path}.nations"),
                format!(
                    "unknown nation '{id}' (known: {})",
                    known(&mut s.nations.iter().map(|n| n.id.as_str()))
                ),
            )),
        }
    }
    for id in &raw.groups {
        match s.groups.iter().find(|g| &g.named.id == id) {
            Some(g) => nations.extend(g.members.iter().copied()),
            None => issues.push(Issue::at(
                format!("{path}.groups"),
                format!(
                    "unknown group '{id}' (known: {})",
                    known(&mut s.groups.iter().map(|g| g.named.id.as_str()))
                ),
            )),
        }
    }
    let mut factories = Vec::new();
    for id in &raw.factories {
        match s.factories.iter().position(|f| &f.id == id) {
            Some(f) => factories.push(f),
            None => issues.push(Issue::at(
                format!("{path}.factories"),
                format!(
                    "unknown factory '{id}' (known: {})",
                    known(&mut s.factories.iter().map(|f| f.id.as_str()))
                ),
            )),
        }
    }
    for id in &raw.transfers {
        if !s.transfers.iter().any(|t| &t.id == id) {
            issues.push(Issue::at(
                format!("{path}.transfers"),
                format!(
                    "unknown transfer '{id}' (known: {})",
                    known(&mut s.transfers.iter().map(|t| t.id.as_str()))
                ),
            ));
        }
    }
    let mut senders = Vec::new();
    for id in &raw.senders {
        match s.nations.iter().position(|n| &n.id == id) {
            Some(n) => senders.push(n),
            None => issues.push(Issue::at(
                format!("{path}.senders"),
                format!(
                    "unknown nation '{id}' (known: {})",
                    known(&mut s.nations.iter().map(|n| n.id.as_str()))
                ),
            )),
        }
    }
    for id in &raw.sender_groups {
        match s.groups.iter().find(|g| &g.named.id == id) {
            Some(g) => senders.extend(g.members.iter().copied()),
            None => issues.push(Issue::at(
                format!("{path}.sender_groups"),
                format!(
                    "unknown group '{id}' (known: {})",
                    known(&mut s.groups.iter().map(|g| g.named.id.as_str()))
                ),
            )),
        }
    }
    for id in &raw.contracts {
        if !s.contracts.iter().any(|c| &c.id == id) {
            issues.push(Issue::at(
                format!("{path}.contracts"),
                format!(
                    "unknown contract '{id}' (known: {})",
                    known(&mut s.contracts.iter().map(|c| c.id.as_str()))
                ),
            ));
        }
    }
    let by_sender =
        !raw.senders.is_empty() || !raw.sender_groups.is_empty() || !raw.contracts.is_empty();
    if by_sender && raw.measure != Measure::Received {
        issues.push(Issue::at(
            format!("{path}.senders"),
            "`senders`, `sender_groups` and `contracts` go with measure \"received\" only",
        ));
    }
    let wants_factories = raw.measure == Measure::Output;
    let by_nation = !raw.nations.is_empty() || !raw.groups.is_empty();
    if wants_factories && (raw.factories.is_empty() || by_nation) {
        issues.push(Issue::at(
            format!("{path}.factories"),
            "measure \"output\" sums the named `factories` (and takes no `nations` or `groups`)",
        ));
    }
    if !wants_factories && !by_nation {
        issues.push(Issue::at(
            format!("{path}.nations"),
            format!(
                "measure \"{}\" needs `nations` or `groups` (non-empty)",
                raw.measure.name()
            ),
        ));
    }
    if !wants_factories && !raw.factories.is_empty() {
        issues.push(Issue::at(
            format!("{path}.factories"),
            "`factories` go with measure \"output\" only",
        ));
    }
    if !raw.transfers.is_empty() && raw.measure != Measure::Sent && raw.measure != Measure::Received
    {
        issues.push(Issue::at(
            format!("{path}.transfers"),
            "`transfers` go with measure \"sent\" or \"received\" only",
        ));
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let from_factory = |supply: &Supply| matches!(supply, Supply::Backlog { factory } if factories.contains(factory));
    let item_ok = |i: usize| item.is_none_or(|it| it == s.series[i].item);
    let series = (0..s.series.len())
        .map(|i| {
            if wants_factories {
                item_ok(i)
                    && (s
                        .factories
                        .iter()
                        .enumerate()
                        .any(|(f, d)| factories.contains(&f) && d.series == i)
                        || s.contracts
                            .iter()
                            .any(|c| c.series == i && from_factory(&c.supply))
                        || s.procurement
                            .iter()
                            .any(|p| p.series == i && from_factory(&p.supply)))
            } else {
                item_ok(i) && nations.contains(&s.series[i].nation)
            }
        })
        .collect();
    let policies = (0..s.series.len())
        .map(|i| {
            wants_factories
                && s.procurement
                    .iter()
                    .any(|p| p.series == i && from_factory(&p.supply))
        })
        .collect();
    let contracts = if wants_factories {
        s.contracts
            .iter()
            .filter(|c| from_factory(&c.supply))
            .map(|c| c.id.clone())
            .collect()
    } else {
        raw.contracts.clone()
    };
    let transfers = (!raw.transfers.is_empty() || by_sender).then(|| {
        let mut ids = raw.transfers.clone();
        ids.extend(
            s.transfers
                .iter()
                .filter(|t| senders.contains(&s.series[t.from].nation))
                .map(|t| t.id.clone()),
        );
        ids
    });
    let entities = if wants_factories {
        factories
            .iter()
            .map(|&f| s.factories[f].id.clone())
            .collect()
    } else {
        raw.transfers.clone()
    };
    Ok(Selector {
        measure: raw.measure,
        series,
        entities,
        transfers,
        contracts,
        policies,
    })
}
