//! The human summary printed by `drawdown check`.

use super::Scenario;
use std::fmt::Write;

/// What the scenario holds, entity by entity, and the checks it passed.
pub fn describe(s: &Scenario, origin: &str) -> String {
    let raw = &s.raw;
    let mut o = String::new();
    let _ = writeln!(o, "scenario '{}' ({origin})", s.name);
    if !s.description.is_empty() {
        let _ = writeln!(o, "  {}", s.description.trim());
    }
    let _ = writeln!(o, "horizon: {} to {} ({} days)", s.start, s.end, s.days);
    let _ = writeln!(
        o,
        "unmet demand: {}",
        if s.backorder {
            "backordered (carried to the next day)"
        } else {
            "lost"
        }
    );
    let _ = writeln!(o, "\nitems ({}):", s.items.len());
    for i in &s.items {
        let _ = writeln!(o, "  {:<20} {}", i.id, i.name);
    }
    let _ = writeln!(o, "\nstocks ({} nation × item series):", s.series.len());
    for (i, series) in s.series.iter().enumerate() {
        let (n, it) = (&s.nations[series.nation].id, &s.items[series.item].id);
        let stock = raw.nations.get(n).and_then(|x| x.stock.get(it));
        let (initial, floor) = match stock {
            Some(st) => (
                st.initial.to_string(),
                st.floor.as_ref().map_or("0".into(), |f| f.to_string()),
            ),
            None => ("0 (not declared)".into(), "0".into()),
        };
        let channel = if series.channel {
            " (channel: no depletion reported)"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "  {:<28} initial {initial}; floor {floor}{channel}",
            s.series_label(i)
        );
    }
    let _ = writeln!(o, "\nfactories ({}):", raw.factories.len());
    for (id, f) in &raw.factories {
        let _ = writeln!(
            o,
            "  {id}: {} for {}, capacity {} /month",
            f.item, f.owner, f.capacity.initial
        );
        for (mid, m) in &f.capacity.ramp {
            let slip = m
                .slip_days
                .as_ref()
                .map_or(String::new(), |x| format!(", slip {x} days"));
            let ramp = m
                .ramp_days
                .as_ref()
                .map_or(String::new(), |x| format!(", ramp {x} days"));
            let _ = writeln!(
                o,
                "    {mid}: {} -> {} /month{slip}{ramp}",
                m.date, m.target
            );
        }
        if let Some(d) = &f.disruption {
            let loss = d.loss.as_ref().map_or("1".into(), |l| l.to_string());
            let _ = writeln!(
                o,
                "    disruptions: every {} days, repair {} days, loss {loss}",
                d.every_days, d.repair_days
            );
        }
        if let Some(l) = &f.input_limit {
            let _ = writeln!(
                o,
                "    input limit: {} /month with {} milestones",
                l.initial,
                l.ramp.len()
            );
        }
    }
    let _ = writeln!(o, "\ncontracts ({}):", raw.contracts.len());
    for (id, c) in &raw.contracts {
        let how = supply(
            c.factory.as_deref(),
            c.lead_time_days.as_ref(),
            c.tranches,
            c.tranche_every_days.as_ref(),
        );
        let delay = c
            .award_delay_days
            .as_ref()
            .map_or(String::new(), |d| format!(" + {d} days' delay"));
        let _ = writeln!(
            o,
            "  {id}: {} {} for {}, awarded {}{delay}, {how}",
            contract_size(c),
            c.item,
            c.buyer,
            c.award
        );
    }
    let _ = writeln!(o, "\nprocurement policies ({}):", s.procurement.len());
    for (n, nation) in &raw.nations {
        for (it, p) in &nation.procurement {
            let first = p
                .first_review
                .map_or(String::new(), |d| format!(" from {d}"));
            let how = supply(
                p.factory.as_deref(),
                p.lead_time_days.as_ref(),
                p.tranches,
                p.tranche_every_days.as_ref(),
            );
            let _ = writeln!(
                o,
                "  {n}.{it}: reorder at {} up to {}, review every {} days{first}, {how}",
                p.reorder_point, p.target, p.review_days
            );
        }
    }
    let _ = writeln!(o, "\ndemand ({}):", raw.demand.len());
    for (id, d) in &raw.demand {
        let disp = d
            .dispersion
            .map_or("Poisson".into(), |k| format!("negative binomial k = {k}"));
        let _ = writeln!(o, "  {id}: {} fires {} ({disp})", d.nation, d.item);
        let unit = match &d.per_raid {
            Some(x) => {
                let _ = writeln!(o, "    compound: each raid needs {x}");
                "raids/day"
            }
            None => "/day",
        };
        for (pid, p) in &d.schedule {
            let _ = writeln!(o, "    {pid}: from {}: {} {unit}", p.from, p.per_day);
        }
        for (rid, r) in &d.regimes {
            let _ = writeln!(
                o,
                "    regime {rid}: multiplier {}, lasts {} days",
                r.multiplier, r.duration_days
            );
        }
        if let Some(r) = &d.rationing {
            let mut rules = Vec::new();
            if let (Some(c), Some(f)) = (&r.cover_days, &r.fraction) {
                rules.push(format!("below {c} days of cover fire {f} of need"));
            }
            if let Some(k) = &r.keep_days {
                rules.push(format!("keep {k} days of cover"));
            }
            let _ = writeln!(o, "    rationing: {}", rules.join("; "));
        }
        if let Some(n) = &d.reserve_days {
            let _ = writeln!(o, "    own use: aid leaves {n} days of its need");
        }
        if let Some(list) = d.substitutes.as_ref().filter(|l| !l.is_empty()) {
            let _ = writeln!(o, "    then, in order: {}", list.join(", "));
        }
    }
    let _ = writeln!(o, "\ntransfers ({}):", raw.transfers.len());
    for (id, t) in &raw.transfers {
        let size = match (&t.quantity, &t.share) {
            (Some(q), _) => format!("{q} per package"),
            (_, Some(sh)) if t.factory.is_some() => format!(
                "share {sh} of new output of factory {}{}",
                t.factory.as_deref().unwrap_or_default(),
                t.priority.map_or(String::new(), |r| {
                    let cap = t
                        .up_to
                        .as_ref()
                        .map_or(String::new(), |u| format!(", up to {u} per dispatch"));
                    format!(" (priority {r}{cap})")
                })
            ),
            (_, Some(sh)) => format!("share {sh} of stock above floor"),
            _ => "?".into(),
        };
        let end = t.end.map_or(s.end.to_string(), |e| e.to_string());
        let _ = writeln!(
            o,
            "  {id}: {} -> {} {}, every {} days {} to {end}: {size}",
            t.from, t.to, t.item, t.every_days, t.start
        );
    }
    if !s.groups.is_empty() {
        let _ = writeln!(o, "\ngroups ({}):", s.groups.len());
        for g in &s.groups {
            let members: Vec<&str> = g
                .members
                .iter()
                .map(|&n| s.nations[n].id.as_str())
                .collect();
            let _ = writeln!(
                o,
                "  {}: {} members: {}",
                g.named.id,
                members.len(),
                members.join(", ")
            );
            if !g.days.is_empty() {
                let dates: Vec<String> = g.days.iter().map(|&d| s.date_of(d).to_string()).collect();
                let _ = writeln!(o, "    reported by {} and the horizon", dates.join(", "));
            }
        }
    }
    sides_and_ratios(s, &mut o);
    let dists = count_dists(s);
    let _ = writeln!(
        o,
        "\nchecks passed: TOML syntax and types; no unknown fields; {} references resolved; {dists} distributions valid; non-empty horizon",
        s.factories.len() * 2
            + s.contracts.len() * 2
            + s.demand.len() * 2
            + s.transfers.len() * 3
            + s.procurement.len()
            + s.groups.iter().map(|g| g.members.len()).sum::<usize>(),
    );
    o
}

/// The sides, when some nation is not on the default one, and the fire ratios.
fn sides_and_ratios(s: &Scenario, o: &mut String) {
    let ids = |nations: &[usize]| -> String {
        let ids: Vec<&str> = nations.iter().map(|&n| s.nations[n].id.as_str()).collect();
        ids.join(", ")
    };
    if s.sides.iter().any(|side| side != super::DEFAULT_SIDE) {
        let mut sides: Vec<&str> = s.sides.iter().map(String::as_str).collect();
        sides.sort_unstable();
        sides.dedup();
        let _ = writeln!(o, "\nsides ({}; no transfers cross sides):", sides.len());
        for side in sides {
            let members: Vec<usize> = (0..s.nations.len())
                .filter(|&n| s.sides[n] == side)
                .collect();
            let _ = writeln!(o, "  {side}: {}", ids(&members));
        }
    }
    if !s.fire_ratios.is_empty() {
        let _ = writeln!(o, "\nfire ratios ({}):", s.fire_ratios.len());
        for r in &s.fire_ratios {
            let items: Vec<&str> = r.items.iter().map(|&i| s.items[i].id.as_str()).collect();
            let _ = writeln!(
                o,
                "  {}: fire of {} over fire of {}, items {}",
                r.named.id,
                ids(&r.numerator),
                ids(&r.denominator),
                items.join(", ")
            );
        }
    }
}

fn count_dists(s: &Scenario) -> usize {
    let ramps = |r: &super::Ramp| 1 + 3 * r.milestones.len();
    2 * s.series.len()
        + s.factories
            .iter()
            .map(|f| {
                ramps(&f.capacity)
                    + 1
                    + f.input_limit.as_ref().map_or(0, ramps)
                    + f.disruption.as_ref().map_or(0, |_| 3)
            })
            .sum::<usize>()
        + s.contracts.len() * 2
        + s.procurement.len() * 2
        + s.demand
            .iter()
            .map(|d| d.periods.len() + 2 * d.regimes.len())
            .sum::<usize>()
        + s.transfers.len() * 2
}

/// A contract's size as written: its quantity, or `budget / unit_price`.
fn contract_size(c: &super::raw::RawContract) -> String {
    match (&c.quantity, &c.budget, &c.unit_price) {
        (Some(q), _, _) => q.to_string(),
        (None, Some(b), Some(u)) => format!("floor(budget {b} / unit_price {u})"),
        _ => "?".into(),
    }
}

/// How an order is supplied: a factory's backlog, or a lead time with its tranches.
fn supply(
    factory: Option<&str>,
    lead: Option<&crate::dist::DistSpec>,
    tranches: Option<u32>,
    every: Option<&crate::dist::DistSpec>,
) -> String {
    if let Some(f) = factory {
        return format!("backlog of {f}");
    }
    let lead = lead.map_or("?".into(), |l| l.to_string());
    match tranches.filter(|&t| t > 1) {
        Some(t) => {
            let every = every.map_or("30".into(), |e| e.to_string());
            format!("lead time {lead} days, in {t} tranches every {every} days")
        }
        None => format!("lead time {lead} days"),
    }
}
