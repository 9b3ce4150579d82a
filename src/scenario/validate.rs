//! Raw scenario → validated [`Scenario`]: references resolved, distributions built,
//! domains checked. Every problem is collected with its dotted path; none stops the
//! others from being found.

use super::limits::{self, MAX_DAYS, MAX_FACTOR, MAX_QUANTITY};
use super::raw::*;
use super::*;
use crate::dist::DistSpec;
use std::collections::BTreeMap;

mod contracts;
mod groups;
mod sharing;
mod sides;

/// Validates `raw`, returning every issue found (unlocated: paths only).
pub(super) fn validate(raw: &RawScenario) -> Result<Scenario, Vec<Issue>> {
    let mut v = Validator::new(raw);
    let scenario = v.scenario();
    if v.issues.is_empty() {
        Ok(scenario)
    } else {
        Err(v.issues)
    }
}

/// What a sampled quantity must satisfy (see [`limits`] for the ranges).
#[derive(Clone, Copy)]
enum Domain {
    /// A number of days that may be negative (a slip): within ±[`MAX_DAYS`].
    SignedDays,
    /// Rounds (or rounds per day or month): 0 to [`MAX_QUANTITY`].
    Quantity,
    /// A duration: 0 to [`MAX_DAYS`] days.
    Days,
    /// A duration of at least one day (transit, lead time): 1 to [`MAX_DAYS`] days.
    /// Draws that round below 1 count as 1 (documented); a fixed value below 1 is an
    /// error, since it cannot be honoured.
    AtLeastOneDay,
    /// A multiplier: 0 to [`MAX_FACTOR`].
    Factor,
    /// In [0, 1].
    Share,
    /// Money: 0 to [`limits::MAX_BUDGET`].
    Money,
    /// A price per round: 0 to [`limits::MAX_UNIT_PRICE`] (above 0: checked apart).
    Price,
    /// Rounds one raid needs: 0 to [`limits::MAX_PER_RAID`].
    PerRaid,
}

impl Domain {
    /// The range `[lo, hi]` and its description.
    fn range(self) -> (f64, f64, &'static str) {
        match self {
            Domain::SignedDays => (-MAX_DAYS, MAX_DAYS, "days between -36525 and 36525"),
            Domain::Quantity => (0.0, MAX_QUANTITY, "between 0 and 1e12 rounds"),
            Domain::Days => (0.0, MAX_DAYS, "days between 0 and 36525 (100 years)"),
            Domain::AtLeastOneDay => (0.0, MAX_DAYS, "days between 1 and 36525 (100 years)"),
            Domain::Factor => (0.0, MAX_FACTOR, "a factor between 0 and 1000"),
            Domain::Share => (0.0, 1.0, "a share between 0 and 1"),
            Domain::Money => (0.0, limits::MAX_BUDGET, "money between 0 and 1e13"),
            Domain::Price => (0.0, limits::MAX_UNIT_PRICE, "a price between 0 and 1e9"),
            Domain::PerRaid => (
                0.0,
                limits::MAX_PER_RAID,
                "between 0 and 1e6 rounds per raid",
            ),
        }
    }
}

struct Validator<'a> {
    raw: &'a RawScenario,
    start: Date,
    issues: Vec<Issue>,
    items: Vec<Named>,
    nations: Vec<Named>,
    /// (nation, item) -> series index.
    series_index: BTreeMap<(usize, usize), usize>,
    series: Vec<Series>,
}

impl<'a> Validator<'a> {
    fn new(raw: &'a RawScenario) -> Self {
        let named = |id: &String, name: &Option<String>| Named {
            id: id.clone(),
            name: name
                .as_deref()
                .map_or_else(|| id.clone(), |n| limits::clean_text(n, false)),
        };
        Validator {
            raw,
            start: raw.scenario.start,
            issues: Vec::new(),
            items: raw.items.iter().map(|(id, i)| named(id, &i.name)).collect(),
            nations: raw
                .nations
                .iter()
                .map(|(id, n)| named(id, &n.name))
                .collect(),
            series_index: BTreeMap::new(),
            series: Vec::new(),
        }
    }

    fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue::at(path, message));
    }

    fn scenario(&mut self) -> Scenario {
        let meta = &self.raw.scenario;
        let days = meta.end.days_since(meta.start) + 1;
        if days < 1 {
            self.issue(
                "scenario.end",
                format!(
                    "the horizon is empty: end ({}) must be on or after start ({})",
                    meta.end, meta.start
                ),
            );
        }
        if days > MAX_DAYS as i64 {
            self.issue(
                "scenario.end",
                format!("the horizon is {days} days; at most 36525 (100 years) are supported"),
            );
        }
        if let Some(problem) = limits::name_problem(&meta.name) {
            self.issue("scenario.name", problem);
        }
        self.check_ids();
        self.check_texts();
        self.declared_stocks();
        let factories = self.factories();
        let contracts = self.contracts();
        let procurement = self.procurement();
        let demand = self.demand();
        let transfers = self.transfers();
        self.check_priorities(&transfers);
        let groups = self.groups();
        let sides = self.sides();
        let fire_ratios = self.fire_ratios();
        if self.series.is_empty() {
            self.issue("nations", "the scenario tracks no stock: declare at least one nation with a stock, factory, demand or transfer");
        }
        Scenario {
            name: meta.name.clone(),
            description: limits::clean_text(meta.description.as_deref().unwrap_or(""), true),
            start: meta.start,
            end: meta.end,
            days: u32::try_from(days.max(1)).unwrap_or(u32::MAX),
            seed: meta.seed,
            backorder: meta.backorder.unwrap_or(false),
            items: self.items.clone(),
            nations: self.nations.clone(),
            series: std::mem::take(&mut self.series),
            factories,
            contracts,
            procurement,
            demand,
            transfers,
            groups,
            sides,
            fire_ratios,
            raw: self.raw.clone(),
        }
    }

    /// Every key the user chose (entity, milestone, period and regime ids) must be a
    /// safe id ([`limits::id_problem`]); no table may exceed [`limits::MAX_ENTRIES`].
    fn check_ids(&mut self) {
        let raw = self.raw;
        let mut keys: Vec<(String, Vec<&String>)> = vec![
            ("items".into(), raw.items.keys().collect()),
            ("nations".into(), raw.nations.keys().collect()),
            ("factories".into(), raw.factories.keys().collect()),
            ("contracts".into(), raw.contracts.keys().collect()),
            ("demand".into(), raw.demand.keys().collect()),
            ("transfers".into(), raw.transfers.keys().collect()),
            ("groups".into(), raw.groups.keys().collect()),
            ("fire_ratios".into(), raw.fire_ratios.keys().collect()),
        ];
        for (id, f) in &raw.factories {
            keys.push((
                format!("factories.{id}.capacity.ramp"),
                f.capacity.ramp.keys().collect(),
            ));
            if let Some(limit) = &f.input_limit {
                keys.push((
                    format!("factories.{id}.input_limit.ramp"),
                    limit.ramp.keys().collect(),
                ));
            }
        }
        for (id, d) in &raw.demand {
            keys.push((format!("demand.{id}.schedule"), d.schedule.keys().collect()));
            keys.push((format!("demand.{id}.regimes"), d.regimes.keys().collect()));
        }
        for (group, ids) in keys {
            if ids.len() > limits::MAX_ENTRIES {
                self.issue(
                    group.clone(),
                    format!("at most {} entries, got {}", limits::MAX_ENTRIES, ids.len()),
                );
            }
            for id in ids {
                if let Some(problem) = limits::id_problem(id) {
                    self.issue(format!("{group}.{id}"), problem);
                }
            }
        }
    }

    /// Display names and the description: bounded length (control characters are
    /// removed when the scenario is built).
    fn check_texts(&mut self) {
        let raw = self.raw;
        let mut texts: Vec<(String, &String, usize)> = Vec::new();
        if let Some(d) = &raw.scenario.description {
            texts.push((
                "scenario.description".into(),
                d,
                limits::MAX_DESCRIPTION_CHARS,
            ));
        }
        for (id, i) in &raw.items {
            if let Some(n) = &i.name {
                texts.push((format!("items.{id}.name"), n, limits::MAX_NAME_CHARS));
            }
        }
        for (id, n) in &raw.nations {
            if let Some(n) = &n.name {
                texts.push((format!("nations.{id}.name"), n, limits::MAX_NAME_CHARS));
            }
        }
        for (id, g) in &raw.groups {
            if let Some(n) = &g.name {
                texts.push((format!("groups.{id}.name"), n, limits::MAX_NAME_CHARS));
            }
        }
        for (path, text, max) in texts {
            if let Some(problem) = limits::length_problem(text, max) {
                self.issue(path, problem);
            }
        }
    }

    /// The day of `date`, which must lie within [`limits::MAX_DATE_OFFSET`] days of the
    /// start.
    fn dated(&mut self, path: &str, date: Date) -> i64 {
        let offset = self.day(date);
        if offset.abs() > limits::MAX_DATE_OFFSET {
            self.issue(
                path,
                format!(
                    "must lie within {} days (about 300 years) of the start date {}, got {date}",
                    limits::MAX_DATE_OFFSET,
                    self.start
                ),
            );
        }
        offset
    }

    /// A whole number of days from the file (`every_days`, `review_days`): 1 to 36525.
    fn check_whole_days(&mut self, path: &str, days: u32) {
        if days == 0 {
            self.issue(path, "must be at least 1");
        } else if f64::from(days) > MAX_DAYS {
            self.issue(
                path,
                format!("must be at most 36525 days (100 years), got {days}"),
            );
        }
    }

    /// Builds `spec`, checking its values lie in `domain`.
    fn dist(&mut self, path: &str, spec: &DistSpec, domain: Domain) -> Dist {
        let dist = match spec.build() {
            Ok(d) => d,
            Err(e) => {
                let full = if e.field.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}.{}", e.field)
                };
                self.issue(full, e.message);
                return Dist::fixed(0.0);
            }
        };
        if let Some(message) = out_of_range(spec, &dist, domain) {
            self.issue(path, message);
        }
        let (lo, hi, _) = domain.range();
        dist.clamped(lo, hi)
    }

    fn opt_dist(
        &mut self,
        path: &str,
        spec: &Option<DistSpec>,
        default: f64,
        domain: Domain,
    ) -> Dist {
        match spec {
            Some(s) => self.dist(path, s, domain),
            None => Dist::fixed(default),
        }
    }

    fn day(&self, date: Date) -> i64 {
        date.days_since(self.start)
    }

    fn item(&mut self, path: &str, id: &str) -> Option<usize> {
        self.lookup(path, id, true)
    }

    fn nation(&mut self, path: &str, id: &str) -> Option<usize> {
        self.lookup(path, id, false)
    }

    fn lookup(&mut self, path: &str, id: &str, item: bool) -> Option<usize> {
        let (list, what, table) = if item {
            (&self.items, "item", "items")
        } else {
            (&self.nations, "nation", "nations")
        };
        if let Some(i) = list.iter().position(|n| n.id == id) {
            return Some(i);
        }
        let known: Vec<&str> = list.iter().map(|n| n.id.as_str()).collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        self.issue(
            path,
            format!("unknown {what} '{id}': declare it in [{table}.{id}] (known: {known})"),
        );
        None
    }

    /// The series of (nation, item), created with zero stock when first referenced.
    fn series_of(&mut self, nation: usize, item: usize) -> usize {
        if let Some(&s) = self.series_index.get(&(nation, item)) {
            return s;
        }
        let channel = self
            .raw
            .nations
            .get(&self.nations[nation].id)
            .and_then(|n| n.channel)
            .unwrap_or(false);
        self.series.push(Series {
            nation,
            item,
            initial: Dist::fixed(0.0),
            floor: Dist::fixed(0.0),
            channel,
        });
        let s = self.series.len() - 1;
        self.series_index.insert((nation, item), s);
        s
    }

    /// The series of (nation id, item id) given at `nation_path` / `item_path`.
    fn series_ref(
        &mut self,
        nation_path: &str,
        nation: &str,
        item_path: &str,
        item: &str,
    ) -> Option<usize> {
        let n = self.nation(nation_path, nation);
        let i = self.item(item_path, item);
        Some(self.series_of(n?, i?))
    }

    fn declared_stocks(&mut self) {
        let raw = self.raw;
        for (nid, nation) in &raw.nations {
            for (iid, stock) in &nation.stock {
                let path = format!("nations.{nid}.stock.{iid}");
                let Some(item) = self.item(&path, iid) else {
                    continue;
                };
                let initial =
                    self.dist(&format!("{path}.initial"), &stock.initial, Domain::Quantity);
                let floor = self.opt_dist(
                    &format!("{path}.floor"),
                    &stock.floor,
                    0.0,
                    Domain::Quantity,
                );
                let Some(n) = self.nations.iter().position(|x| &x.id == nid) else {
                    continue;
                };
                let s = self.series_of(n, item);
                self.series[s].initial = initial;
                self.series[s].floor = floor;
            }
        }
    }

    fn ramp(&mut self, path: &str, raw: &RawRamp) -> Ramp {
        let initial = self.dist(&format!("{path}.initial"), &raw.initial, Domain::Quantity);
        let mut milestones: Vec<Milestone> = raw
            .ramp
            .iter()
            .map(|(id, m)| {
                let p = format!("{path}.ramp.{id}");
                Milestone {
                    id: id.clone(),
                    day: self.dated(&format!("{p}.date"), m.date),
                    target: self.dist(&format!("{p}.target"), &m.target, Domain::Quantity),
                    slip_days: self.opt_dist(
                        &format!("{p}.slip_days"),
                        &m.slip_days,
                        0.0,
                        Domain::SignedDays,
                    ),
                    ramp_days: self.opt_dist(
                        &format!("{p}.ramp_days"),
                        &m.ramp_days,
                        0.0,
                        Domain::Days,
                    ),
                }
            })
            .collect();
        milestones.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.id.cmp(&b.id)));
        Ramp {
            initial,
            milestones,
        }
    }

    fn factories(&mut self) -> Vec<Factory> {
        let raw = self.raw;
        let mut out = Vec::new();
        for (id, f) in &raw.factories {
            let p = format!("factories.{id}");
            let series = self.series_ref(
                &format!("{p}.owner"),
                &f.owner,
                &format!("{p}.item"),
                &f.item,
            );
            let capacity = self.ramp(&format!("{p}.capacity"), &f.capacity);
            let output_factor = self.opt_dist(
                &format!("{p}.output_factor"),
                &f.output_factor,
                1.0,
                Domain::Factor,
            );
            let disruption = f.disruption.as_ref().map(|d| Disruption {
                every_days: self.dist(
                    &format!("{p}.disruption.every_days"),
                    &d.every_days,
                    Domain::Days,
                ),
                repair_days: self.dist(
                    &format!("{p}.disruption.repair_days"),
                    &d.repair_days,
                    Domain::Days,
                ),
                loss: self.opt_dist(&format!("{p}.disruption.loss"), &d.loss, 1.0, Domain::Share),
            });
            let input_limit = f
                .input_limit
                .as_ref()
                .map(|r| self.ramp(&format!("{p}.input_limit"), r));
            if let Some(series) = series {
                out.push(Factory {
                    id: id.clone(),
                    series,
                    capacity,
                    output_factor,
                    disruption,
                    input_limit,
                });
            }
        }
        out
    }

    /// Validates how an order at `path` is filled, for item `item`.
    #[allow(clippy::too_many_arguments)]
    fn supply(
        &mut self,
        path: &str,
        item: Option<usize>,
        factory: &Option<String>,
        lead: &Option<DistSpec>,
        tranches: Option<u32>,
        every: &Option<DistSpec>,
    ) -> Option<Supply> {
        match (factory, lead) {
            (Some(_), Some(_)) => {
                self.issue(
                    format!("{path}.lead_time_days"),
                    "give either factory (backlog) or lead_time_days, not both",
                );
                None
            }
            (None, None) => {
                self.issue(path, "missing how it is filled: give factory = \"<id>\" (joins its backlog) or lead_time_days");
                None
            }
            (Some(f), None) => {
                let Some(idx) = self.raw.factories.keys().position(|k| k == f) else {
                    let known: Vec<&str> = self.raw.factories.keys().map(String::as_str).collect();
                    self.issue(
                        format!("{path}.factory"),
                        format!("unknown factory '{f}' (known: {})", known.join(", ")),
                    );
                    return None;
                };
                let made = self
                    .raw
                    .factories
                    .get(f)
                    .map(|x| x.item.clone())
                    .unwrap_or_default();
                if let Some(i) = item
                    && self.items[i].id != made
                {
                    self.issue(
                        format!("{path}.factory"),
                        format!("factory '{f}' makes '{made}', not '{}'", self.items[i].id),
                    );
                }
                if tranches.is_some() || every.is_some() {
                    self.issue(format!("{path}.tranches"), "tranches apply to lead-time orders only; a backlog order is delivered as the factory produces");
                }
                Some(Supply::Backlog { factory: idx })
            }
            (None, Some(l)) => {
                let lead_days =
                    self.dist(&format!("{path}.lead_time_days"), l, Domain::AtLeastOneDay);
                let tranches = tranches.unwrap_or(1);
                if tranches == 0 || tranches > limits::MAX_TRANCHES {
                    self.issue(
                        format!("{path}.tranches"),
                        format!(
                            "must be between 1 and {}, got {tranches}",
                            limits::MAX_TRANCHES
                        ),
                    );
                }
                let default_every = DistSpec::fixed(30.0);
                let every_days = self.dist(
                    &format!("{path}.tranche_every_days"),
                    every.as_ref().unwrap_or(&default_every),
                    Domain::Days,
                );
                Some(Supply::LeadTime {
                    lead_days,
                    tranches: tranches.max(1),
                    every_days,
                })
            }
        }
    }

    fn contracts(&mut self) -> Vec<Contract> {
        let raw = self.raw;
        let mut out = Vec::new();
        for (id, c) in &raw.contracts {
            let p = format!("contracts.{id}");
            let item = self.item(&format!("{p}.item"), &c.item);
            let nation = self.nation(&format!("{p}.buyer"), &c.buyer);
            let size = self.contract_size(&p, c);
            let award_delay_days = self.opt_dist(
                &format!("{p}.award_delay_days"),
                &c.award_delay_days,
                0.0,
                Domain::Days,
            );
            let supply = self.supply(
                &p,
                item,
                &c.factory,
                &c.lead_time_days,
                c.tranches,
                &c.tranche_every_days,
            );
            if let (Some(n), Some(i), Some(supply), Some(size)) = (nation, item, supply, size) {
                let series = self.series_of(n, i);
                out.push(Contract {
                    id: id.clone(),
                    series,
                    size,
                    award_day: self.dated(&format!("{p}.award"), c.award),
                    award_delay_days,
                    supply,
                });
            }
        }
        out
    }

    fn procurement(&mut self) -> Vec<Procurement> {
        let raw = self.raw;
        let mut out = Vec::new();
        for (nid, nation) in &raw.nations {
            for (iid, pr) in &nation.procurement {
                let p = format!("nations.{nid}.procurement.{iid}");
                let item = self.item(&p, iid);
                let reorder_point = self.dist(
                    &format!("{p}.reorder_point"),
                    &pr.reorder_point,
                    Domain::Quantity,
                );
                let target = self.dist(&format!("{p}.target"), &pr.target, Domain::Quantity);
                if reorder_point.min_value() > target.max_value() {
                    self.issue(format!("{p}.target"), "must be at least the reorder point");
                }
                self.check_whole_days(&format!("{p}.review_days"), pr.review_days);
                let supply = self.supply(
                    &p,
                    item,
                    &pr.factory,
                    &pr.lead_time_days,
                    pr.tranches,
                    &pr.tranche_every_days,
                );
                let first_review_day = pr
                    .first_review
                    .map_or(0, |d| self.dated(&format!("{p}.first_review"), d));
                let n = self.nations.iter().position(|x| &x.id == nid);
                if let (Some(n), Some(i), Some(supply)) = (n, item, supply) {
                    let series = self.series_of(n, i);
                    out.push(Procurement {
                        series,
                        reorder_point,
                        target,
                        review_days: pr.review_days.max(1),
                        first_review_day,
                        supply,
                    });
                }
            }
        }
        out
    }

    fn demand(&mut self) -> Vec<Demand> {
        let raw = self.raw;
        let mut out = Vec::new();
        for (id, d) in &raw.demand {
            let p = format!("demand.{id}");
            let series = self.series_ref(
                &format!("{p}.nation"),
                &d.nation,
                &format!("{p}.item"),
                &d.item,
            );
            if let Some(k) = d.dispersion
                && !(k > 0.0 && k <= limits::MAX_DISPERSION)
            {
                self.issue(
                    format!("{p}.dispersion"),
                    format!(
                        "must be > 0 and at most 1e9 (smaller is more over-dispersed), got {k}"
                    ),
                );
            }
            if d.schedule.is_empty() {
                self.issue(format!("{p}.schedule"), "needs at least one period: [demand.<id>.schedule.<period>] with from and per_day");
            }
            let mut periods: Vec<Period> = d
                .schedule
                .iter()
                .map(|(pid, per)| Period {
                    id: pid.clone(),
                    from_day: self.dated(&format!("{p}.schedule.{pid}.from"), per.from),
                    per_day: self.dist(
                        &format!("{p}.schedule.{pid}.per_day"),
                        &per.per_day,
                        Domain::Quantity,
                    ),
                })
                .collect();
            periods.sort_by(|a, b| a.from_day.cmp(&b.from_day).then_with(|| a.id.cmp(&b.id)));
            let (regimes, start_regime) = self.regimes(&p, d);
            let per_raid = d.per_raid.as_ref().map(|r| self.per_raid(&p, r));
            let rationing = d
                .rationing
                .as_ref()
                .map(|r| self.rationing(&format!("{p}.rationing"), r));
            let substitutes = self.substitutes(&p, d);
            let reserve_days = self.opt_dist(
                &format!("{p}.reserve_days"),
                &d.reserve_days,
                0.0,
                Domain::Days,
            );
            if let Some(series) = series {
                out.push(Demand {
                    id: id.clone(),
                    series,
                    dispersion: d.dispersion,
                    per_raid,
                    substitutes,
                    periods,
                    regimes,
                    start_regime,
                    rationing,
                    reserve_days,
                });
            }
        }
        out
    }

    /// A compound demand's rounds per raid: a count law (see [`Dist::is_count`]), so
    /// that the mean the model uses for cover and reserves, `E[X]`, is exactly the mean
    /// of the whole rounds drawn, `E[round X]` (a continuous law would be off: for
    /// uniform(0, 1.5), `E[X]` = 0.75 but `E[round X]` = 2/3).
    fn per_raid(&mut self, p: &str, spec: &DistSpec) -> Dist {
        let path = format!("{p}.per_raid");
        let dist = self.dist(&path, spec, Domain::PerRaid);
        if !dist.is_count() {
            self.issue(
                path,
                format!(
                    "must be a count of rounds per raid: a whole number, poisson, negbin, or empirical with whole values, got {spec}"
                ),
            );
        }
        dist
    }

    /// A rationing rule: `cover_days` and `fraction` go together; `keep_days` may be
    /// given alone or with them; at least one rule.
    fn rationing(&mut self, p: &str, r: &RawRationing) -> Rationing {
        match (&r.cover_days, &r.fraction) {
            (Some(_), None) => self.issue(
                format!("{p}.fraction"),
                "missing: with cover_days, give the share of need fired while cover is short, e.g. fraction = 0.5",
            ),
            (None, Some(_)) => self.issue(
                format!("{p}.cover_days"),
                "missing: with fraction, give the cover (days of mean need) below which it applies, e.g. cover_days = 30",
            ),
            (None, None) if r.keep_days.is_none() => self.issue(
                p.to_string(),
                "empty: give cover_days and fraction, or keep_days, or all three",
            ),
            _ => {}
        }
        Rationing {
            cover_days: self.opt_dist(&format!("{p}.cover_days"), &r.cover_days, 0.0, Domain::Days),
            fraction: self.opt_dist(&format!("{p}.fraction"), &r.fraction, 1.0, Domain::Share),
            keep_days: self.opt_dist(&format!("{p}.keep_days"), &r.keep_days, 0.0, Domain::Days),
        }
    }

    fn regimes(&mut self, p: &str, d: &RawDemand) -> (Vec<Regime>, usize) {
        let ids: Vec<&String> = d.regimes.keys().collect();
        let mut regimes = Vec::new();
        for (rid, r) in &d.regimes {
            let rp = format!("{p}.regimes.{rid}");
            let multiplier = self.dist(&format!("{rp}.multiplier"), &r.multiplier, Domain::Factor);
            let duration_days = self.dist(
                &format!("{rp}.duration_days"),
                &r.duration_days,
                Domain::Days,
            );
            let mut next = Vec::new();
            let total: f64 = r.next.values().filter(|w| w.is_finite() && **w > 0.0).sum();
            for (to, &w) in &r.next {
                match ids.iter().position(|x| *x == to) {
                    None => self.issue(
                        format!("{rp}.next.{to}"),
                        format!("unknown regime '{to}' (known: {})", join(&ids)),
                    ),
                    Some(_) if !(0.0..=MAX_QUANTITY).contains(&w) => self.issue(
                        format!("{rp}.next.{to}"),
                        format!("weights must be between 0 and 1e12, got {w}"),
                    ),
                    Some(j) if w > 0.0 => next.push((j, w)),
                    Some(_) => {}
                }
            }
            if total <= 0.0 {
                self.issue(
                    format!("{rp}.next"),
                    "needs at least one positive weight, e.g. next = { quiet = 1 }",
                );
            }
            let mut cumulative = 0.0;
            let next = next
                .into_iter()
                .map(|(j, w)| {
                    cumulative += w / total;
                    (j, cumulative)
                })
                .collect::<Vec<_>>();
            regimes.push(Regime {
                id: rid.clone(),
                multiplier,
                duration_days,
                next: close_cumulative(next),
            });
        }
        let start = match (&d.start_regime, regimes.is_empty()) {
            (None, true) => 0,
            (None, false) => {
                self.issue(
                    format!("{p}.start_regime"),
                    format!(
                        "missing: which regime holds on the start date? (one of {})",
                        join(&ids)
                    ),
                );
                0
            }
            (Some(s), _) => ids.iter().position(|x| *x == s).unwrap_or_else(|| {
                self.issue(
                    format!("{p}.start_regime"),
                    format!("unknown regime '{s}' (known: {})", join(&ids)),
                );
                0
            }),
        };
        (regimes, start)
    }

    fn transfers(&mut self) -> Vec<Transfer> {
        let raw = self.raw;
        let mut out = Vec::new();
        for (id, t) in &raw.transfers {
            let p = format!("transfers.{id}");
            let from =
                self.series_ref(&format!("{p}.from"), &t.from, &format!("{p}.item"), &t.item);
            let to = self.nation(&format!("{p}.to"), &t.to);
            if t.from == t.to {
                self.issue(format!("{p}.to"), "a nation cannot send aid to itself");
            }
            self.check_whole_days(&format!("{p}.every_days"), t.every_days);
            let size = match (&t.factory, &t.quantity, &t.share) {
                (Some(f), q, share) => self.production_share(&p, t, f, q.is_some(), share),
                (None, q, share) => {
                    self.no_priority(&p, t);
                    self.transfer_size(&p, q, share)
                }
            };
            let transit_days = self.opt_dist(
                &format!("{p}.transit_days"),
                &t.transit_days,
                1.0,
                Domain::AtLeastOneDay,
            );
            let end_day = t
                .end
                .map_or(i64::MAX, |d| self.dated(&format!("{p}.end"), d));
            if t.end.is_some_and(|e| e < t.start) {
                self.issue(
                    format!("{p}.end"),
                    format!("must not be before start ({})", t.start),
                );
            }
            let item = from.map(|s| self.series[s].item);
            if let (Some(from), Some(to), Some(item), Some(size)) = (from, to, item, size) {
                let to = self.series_of(to, item);
                out.push(Transfer {
                    id: id.clone(),
                    from,
                    to,
                    start_day: self.dated(&format!("{p}.start"), t.start),
                    end_day,
                    every_days: t.every_days.max(1),
                    size,
                    transit_days,
                    below_floor: t.below_floor.unwrap_or(false),
                });
            }
        }
        out
    }

    /// The size rule of a transfer without `factory`: `quantity` or `share`.
    fn transfer_size(
        &mut self,
        p: &str,
        quantity: &Option<DistSpec>,
        share: &Option<DistSpec>,
    ) -> Option<TransferSize> {
        match (quantity, share) {
            (Some(q), None) => Some(TransferSize::Scheduled(self.dist(
                &format!("{p}.quantity"),
                q,
                Domain::Quantity,
            ))),
            (None, Some(s)) => Some(TransferSize::Policy(self.dist(
                &format!("{p}.share"),
                s,
                Domain::Share,
            ))),
            (Some(_), Some(_)) => {
                self.issue(
                    format!("{p}.share"),
                    "give either quantity (scheduled packages) or share (policy), not both",
                );
                None
            }
            (None, None) => {
                self.issue(p.to_string(), "missing the package size: give quantity (rounds per package) or share (of stock above the floor)");
                None
            }
        }
    }

    /// A production-linked transfer: `factory` must be the donor's and make the item;
    /// `share` (of its new output) is required, `quantity` is not allowed.
    fn production_share(
        &mut self,
        p: &str,
        t: &RawTransfer,
        factory: &str,
        has_quantity: bool,
        share: &Option<DistSpec>,
    ) -> Option<TransferSize> {
        if has_quantity {
            self.issue(
                format!("{p}.quantity"),
                "a production-linked transfer (factory = ...) sends a share of new output: give share, not quantity",
            );
        }
        let Some(idx) = self.raw.factories.keys().position(|k| k == factory) else {
            let known: Vec<&str> = self.raw.factories.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            };
            self.issue(
                format!("{p}.factory"),
                format!("unknown factory '{factory}' (known: {known})"),
            );
            return None;
        };
        let f = &self.raw.factories[factory];
        if f.owner != t.from || f.item != t.item {
            self.issue(
                format!("{p}.factory"),
                format!(
                    "factory '{factory}' is {}'s and makes '{}': a production-linked transfer passes on its owner's output of the transferred item, so from and item must be '{}' and '{}'",
                    f.owner, f.item, f.owner, f.item
                ),
            );
        }
        let Some(share) = share else {
            self.issue(
                format!("{p}.share"),
                "missing: the share of the factory's new output passed on, e.g. share = { dist = \"triangular\", min = 0.3, mode = 0.5, max = 0.7 }",
            );
            return None;
        };
        let share = self.dist(&format!("{p}.share"), share, Domain::Share);
        let (priority, up_to) = self.priority(p, t);
        (!has_quantity).then_some(TransferSize::Production {
            factory: idx,
            share,
            priority,
            up_to,
        })
    }
}

/// Why `dist` (written as `spec`) does not fit `domain`, or `None`.
fn out_of_range(spec: &DistSpec, dist: &Dist, domain: Domain) -> Option<String> {
    let (lo, hi) = (dist.min_value(), dist.max_value());
    let (min, max, what) = domain.range();
    if let Some(v) = dist.fixed_value() {
        if matches!(domain, Domain::AtLeastOneDay) && v < 0.5 {
            return Some(format!(
                "must be at least 1 day (an arrival is usable the day after dispatch at the earliest), got {}",
                show(v)
            ));
        }
        if v < 0.0 && min == 0.0 {
            return Some(format!("must not be negative, got {}", show(v)));
        }
        return (!(min..=max).contains(&v)).then(|| format!("must be {what}, got {}", show(v)));
    }
    if lo == f64::NEG_INFINITY && min < 0.0 {
        // Unbounded below where negative values make sense (a slip): the mean must
        // fit; rare draws beyond the range are clamped.
        let mean = dist.mean().unwrap_or(f64::NEG_INFINITY);
        if mean.is_nan() || mean < min {
            return Some(format!(
                "must be {what}, but {spec} has mean {}",
                show(mean)
            ));
        }
    } else if lo < min {
        return Some(if min == 0.0 {
            format!(
                "must not be negative, but {spec} can be {} (add min = 0 to truncate it)",
                show(lo)
            )
        } else {
            format!("must be {what}, but {spec} can be {}", show(lo))
        });
    }
    if hi.is_finite() {
        return (hi > max).then(|| format!("must be {what}, but {spec} can be {}", show(hi)));
    }
    // Unbounded above: the mean must fit; rare draws beyond the range are clamped.
    let mean = dist.mean().unwrap_or(f64::INFINITY);
    (mean.is_nan() || mean > max).then(|| {
        format!(
            "must be {what}, but {spec} has mean {} (add max = … to truncate it)",
            show(mean)
        )
    })
}

/// `v` as a user wrote it, or in scientific notation when huge or tiny.
fn show(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn join(ids: &[&String]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Makes the last cumulative probability exactly 1 (rounding).
fn close_cumulative(mut next: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    if let Some(last) = next.last_mut() {
        last.1 = 1.0;
    }
    next
}
