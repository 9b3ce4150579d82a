//! Raw scenario → validated [`Scenario`]: references resolved, distributions built,
//! domains checked. Every problem is collected with its dotted path; none stops the
//! others from being found.

use super::raw::*;
use super::*;
use crate::dist::DistSpec;
use std::collections::BTreeMap;

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

/// What a sampled quantity must satisfy.
#[derive(Clone, Copy)]
enum Domain {
    /// Any finite value.
    Any,
    /// >= 0.
    NonNegative,
    /// In [0, 1].
    Share,
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
            name: name.clone().unwrap_or_else(|| id.clone()),
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
        if meta.name.trim().is_empty() || meta.name.contains(['/', '\\']) {
            self.issue(
                "scenario.name",
                "expected a non-empty name without slashes (it names the output folder)",
            );
        }
        self.check_ids();
        self.declared_stocks();
        let factories = self.factories();
        let contracts = self.contracts();
        let procurement = self.procurement();
        let demand = self.demand();
        let transfers = self.transfers();
        if self.series.is_empty() {
            self.issue("nations", "the scenario tracks no stock: declare at least one nation with a stock, factory, demand or transfer");
        }
        Scenario {
            name: meta.name.clone(),
            description: meta.description.clone().unwrap_or_default(),
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
            raw: self.raw.clone(),
        }
    }

    fn check_ids(&mut self) {
        let raw = self.raw;
        let groups: [(&str, Vec<&String>); 7] = [
            ("items", raw.items.keys().collect()),
            ("nations", raw.nations.keys().collect()),
            ("factories", raw.factories.keys().collect()),
            ("contracts", raw.contracts.keys().collect()),
            ("demand", raw.demand.keys().collect()),
            ("transfers", raw.transfers.keys().collect()),
            ("", Vec::new()),
        ];
        for (group, ids) in groups {
            for id in ids {
                if id.is_empty() || id.contains(['.', ' ', '=']) {
                    self.issue(
                        format!("{group}.{id}"),
                        "ids must be non-empty and contain no '.', '=' or spaces (they form parameter paths)",
                    );
                }
            }
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
        let (lo, hi) = (dist.min_value(), dist.max_value());
        let bad = match domain {
            Domain::Any => None,
            Domain::NonNegative if lo < 0.0 => Some(match dist.fixed_value() {
                Some(v) => format!("must not be negative, got {v}"),
                None => format!(
                    "must not be negative, but {spec} can be {lo} (add min = 0 to truncate it)"
                ),
            }),
            Domain::Share if lo < 0.0 || hi > 1.0 => Some(format!(
                "must be a share between 0 and 1, but {spec} ranges over [{lo}, {hi}]"
            )),
            _ => None,
        };
        if let Some(message) = bad {
            self.issue(path, message);
        }
        dist
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
                let initial = self.dist(
                    &format!("{path}.initial"),
                    &stock.initial,
                    Domain::NonNegative,
                );
                let floor = self.opt_dist(
                    &format!("{path}.floor"),
                    &stock.floor,
                    0.0,
                    Domain::NonNegative,
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
        let initial = self.dist(
            &format!("{path}.initial"),
            &raw.initial,
            Domain::NonNegative,
        );
        let mut milestones: Vec<Milestone> = raw
            .ramp
            .iter()
            .map(|(id, m)| {
                let p = format!("{path}.ramp.{id}");
                Milestone {
                    id: id.clone(),
                    day: self.day(m.date),
                    target: self.dist(&format!("{p}.target"), &m.target, Domain::NonNegative),
                    slip_days: self.opt_dist(
                        &format!("{p}.slip_days"),
                        &m.slip_days,
                        0.0,
                        Domain::Any,
                    ),
                    ramp_days: self.opt_dist(
                        &format!("{p}.ramp_days"),
                        &m.ramp_days,
                        0.0,
                        Domain::NonNegative,
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
                Domain::NonNegative,
            );
            let disruption = f.disruption.as_ref().map(|d| Disruption {
                every_days: self.dist(
                    &format!("{p}.disruption.every_days"),
                    &d.every_days,
                    Domain::NonNegative,
                ),
                repair_days: self.dist(
                    &format!("{p}.disruption.repair_days"),
                    &d.repair_days,
                    Domain::NonNegative,
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
                    self.dist(&format!("{path}.lead_time_days"), l, Domain::NonNegative);
                let tranches = tranches.unwrap_or(1);
                if tranches == 0 {
                    self.issue(format!("{path}.tranches"), "must be at least 1");
                }
                let default_every = DistSpec::fixed(30.0);
                let every_days = self.dist(
                    &format!("{path}.tranche_every_days"),
                    every.as_ref().unwrap_or(&default_every),
                    Domain::NonNegative,
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
            let quantity = self.dist(&format!("{p}.quantity"), &c.quantity, Domain::NonNegative);
            let award_delay_days = self.opt_dist(
                &format!("{p}.award_delay_days"),
                &c.award_delay_days,
                0.0,
                Domain::NonNegative,
            );
            let supply = self.supply(
                &p,
                item,
                &c.factory,
                &c.lead_time_days,
                c.tranches,
                &c.tranche_every_days,
            );
            if let (Some(n), Some(i), Some(supply)) = (nation, item, supply) {
                let series = self.series_of(n, i);
                out.push(Contract {
                    id: id.clone(),
                    series,
                    quantity,
                    award_day: self.day(c.award),
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
                    Domain::NonNegative,
                );
                let target = self.dist(&format!("{p}.target"), &pr.target, Domain::NonNegative);
                if reorder_point.min_value() > target.max_value() {
                    self.issue(format!("{p}.target"), "must be at least the reorder point");
                }
                if pr.review_days == 0 {
                    self.issue(format!("{p}.review_days"), "must be at least 1");
                }
                let supply = self.supply(
                    &p,
                    item,
                    &pr.factory,
                    &pr.lead_time_days,
                    pr.tranches,
                    &pr.tranche_every_days,
                );
                let first_review_day = pr.first_review.map_or(0, |d| self.day(d));
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
                && !(k.is_finite() && k > 0.0)
            {
                self.issue(
                    format!("{p}.dispersion"),
                    format!("must be > 0 (smaller is more over-dispersed), got {k}"),
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
                    from_day: self.day(per.from),
                    per_day: self.dist(
                        &format!("{p}.schedule.{pid}.per_day"),
                        &per.per_day,
                        Domain::NonNegative,
                    ),
                })
                .collect();
            periods.sort_by(|a, b| a.from_day.cmp(&b.from_day).then_with(|| a.id.cmp(&b.id)));
            let (regimes, start_regime) = self.regimes(&p, d);
            if let Some(series) = series {
                out.push(Demand {
                    id: id.clone(),
                    series,
                    dispersion: d.dispersion,
                    periods,
                    regimes,
                    start_regime,
                });
            }
        }
        out
    }

    fn regimes(&mut self, p: &str, d: &RawDemand) -> (Vec<Regime>, usize) {
        let ids: Vec<&String> = d.regimes.keys().collect();
        let mut regimes = Vec::new();
        for (rid, r) in &d.regimes {
            let rp = format!("{p}.regimes.{rid}");
            let multiplier = self.dist(
                &format!("{rp}.multiplier"),
                &r.multiplier,
                Domain::NonNegative,
            );
            let duration_days = self.dist(
                &format!("{rp}.duration_days"),
                &r.duration_days,
                Domain::NonNegative,
            );
            let mut next = Vec::new();
            let total: f64 = r.next.values().filter(|w| w.is_finite() && **w > 0.0).sum();
            for (to, &w) in &r.next {
                match ids.iter().position(|x| *x == to) {
                    None => self.issue(
                        format!("{rp}.next.{to}"),
                        format!("unknown regime '{to}' (known: {})", join(&ids)),
                    ),
                    Some(_) if !(w.is_finite() && w >= 0.0) => self.issue(
                        format!("{rp}.next.{to}"),
                        format!("weights must be >= 0, got {w}"),
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
            if t.every_days == 0 {
                self.issue(format!("{p}.every_days"), "must be at least 1");
            }
            let size = match (&t.quantity, &t.share) {
                (Some(q), None) => Some(TransferSize::Scheduled(self.dist(
                    &format!("{p}.quantity"),
                    q,
                    Domain::NonNegative,
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
                    self.issue(p.clone(), "missing the package size: give quantity (rounds per package) or share (of stock above the floor)");
                    None
                }
            };
            let transit_days = self.opt_dist(
                &format!("{p}.transit_days"),
                &t.transit_days,
                1.0,
                Domain::NonNegative,
            );
            let end_day = t.end.map_or(i64::MAX, |d| self.day(d));
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
                    start_day: self.day(t.start),
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
