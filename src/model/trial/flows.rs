//! The stock movements of a day: arrivals, orders, production, consumption, aid.

use super::{BLOCK, Day, Ev, Order, Origin};
use crate::model::limits::{MAX_DAY_OUTPUT, ceil_count, quantity};
use crate::model::tape::Tape;
use crate::model::trace::{TraceKind, Tracer};
use crate::scenario::{Supply, TransferSize};
use rand::RngExt;

impl<T: Tracer> Day<'_, T> {
    pub(super) fn arrive(&mut self, d: u32, series: usize, qty: u64, origin: Origin) {
        // Stocks and deliveries stay below 2^63 (see `limits`): the saturating adds
        // never saturate; they only rule out a wrapped stock.
        let s = &mut self.ws.series[series];
        s.stock = s.stock.saturating_add(qty);
        match origin {
            Origin::Transfer(_) => s.out.received += u128::from(qty),
            Origin::Contract(_) => s.out.delivered = s.out.delivered.saturating_add(qty),
            Origin::Policy(p) => {
                s.out.delivered = s.out.delivered.saturating_add(qty);
                let p = &mut self.ws.policies[p as usize];
                p.on_order = p.on_order.saturating_sub(qty);
            }
        }
        if T::ON {
            let sc = &self.model.scenario;
            let (kind, entity) = match origin {
                Origin::Transfer(t) => (TraceKind::Received, sc.transfers[t as usize].id.as_str()),
                Origin::Contract(c) => (TraceKind::Delivered, sc.contracts[c as usize].id.as_str()),
                Origin::Policy(_) => (TraceKind::Delivered, "procurement"),
            };
            self.trace(d, kind, entity, series, qty);
        }
    }

    pub(super) fn award(&mut self, d: u32, contract: usize) {
        let def = &self.model.scenario.contracts[contract];
        // The cut keeps a budget's order within the quantity ceiling whatever the ratio.
        let id = self.model.inputs.contract[contract] + 1;
        let (rng, inputs) = (&mut self.ws.contract_rngs[contract], &mut self.ws.inputs);
        let qty = quantity(
            def.size
                .sample_rounds(rng, &mut |k, x| inputs.pick(id + k, x)),
        );
        self.trace(d, TraceKind::ContractAwarded, &def.id, def.series, qty);
        self.place_order(
            def.series,
            qty,
            &def.supply,
            Origin::Contract(contract as u32),
        );
    }

    /// An (s, S) review: when the inventory position (on hand + on order − backlog
    /// waiting) is at or below s, order up to S.
    pub(super) fn review(&mut self, d: u32, policy: usize) {
        let def = &self.model.scenario.procurement[policy];
        let p = &self.ws.policies[policy];
        let series = &self.ws.series[def.series];
        // Each term is below 2^63 (see `limits`), so i128 is exact.
        let position =
            i128::from(series.stock) + i128::from(p.on_order) - i128::from(series.backlog);
        if position <= i128::from(p.reorder_point) {
            // S − position ≤ S + backlog < 2^64.
            let qty = u64::try_from(i128::from(p.target) - position).unwrap_or(u64::MAX);
            self.ws.policies[policy].on_order += qty;
            self.trace(d, TraceKind::OrderPlaced, "procurement", def.series, qty);
            self.place_order(def.series, qty, &def.supply, Origin::Policy(policy as u32));
        }
        self.schedule(
            u64::from(def.review_days),
            Ev::Review {
                policy: policy as u32,
            },
        );
    }

    /// Books an order: into a factory backlog, or as lead-time tranches on the queue.
    fn place_order(&mut self, series: usize, qty: u64, supply: &Supply, origin: Origin) {
        if qty == 0 {
            return;
        }
        match supply {
            Supply::Backlog { factory } => {
                self.ws.factories[*factory].backlog.push_back(Order {
                    series,
                    remaining: qty,
                    origin,
                });
            }
            Supply::LeadTime {
                lead_days,
                tranches,
                every_days,
            } => {
                // Work on a copy of the stream so the queue can be borrowed; write it back after.
                let mut rng = self.order_rng(origin).clone();
                let n = u64::from(*tranches);
                let mut at = lead_days.sample_count(&mut rng).max(1);
                for k in 0..n {
                    // Equal tranches; the first ones carry the remainder.
                    let part = qty / n + u64::from(k < qty % n);
                    self.schedule(
                        at,
                        Ev::Arrival {
                            series: series as u32,
                            qty: part,
                            origin,
                        },
                    );
                    at = at.saturating_add(every_days.sample_count(&mut rng).max(1));
                }
                *self.order_rng(origin) = rng;
            }
        }
    }

    /// The random stream of the contract or policy behind an order.
    fn order_rng(&mut self, origin: Origin) -> &mut crate::engine::StreamRng {
        match origin {
            Origin::Policy(i) => &mut self.ws.policies[i as usize].rng,
            Origin::Contract(i) | Origin::Transfer(i) => &mut self.ws.contract_rngs[i as usize],
        }
    }

    pub(super) fn breakdown(&mut self, d: u32, factory: usize) {
        let def = &self.model.scenario.factories[factory];
        let Some(dis) = &def.disruption else { return };
        let f = &mut self.ws.factories[factory];
        f.down = true;
        f.loss = dis.loss.sample(&mut f.failure_rng).clamp(0.0, 1.0);
        let repair = dis.repair_days.sample_count(&mut f.failure_rng).max(1);
        self.trace(d, TraceKind::FactoryDown, &def.id, def.series, repair);
        self.schedule(
            repair,
            Ev::Up {
                factory: factory as u32,
            },
        );
    }

    pub(super) fn repair(&mut self, d: u32, factory: usize) {
        let def = &self.model.scenario.factories[factory];
        let Some(dis) = &def.disruption else { return };
        let f = &mut self.ws.factories[factory];
        f.down = false;
        let next = dis.every_days.sample_count(&mut f.failure_rng).max(1);
        self.trace(d, TraceKind::FactoryUp, &def.id, def.series, 0);
        self.schedule(
            next,
            Ev::Down {
                factory: factory as u32,
            },
        );
    }

    pub(super) fn switch_regime(&mut self, d: u32, demand: usize) {
        let def = &self.model.scenario.demand[demand];
        let st = &mut self.ws.demand[demand];
        let u: f64 = st.regime_rng.random();
        let current = &def.regimes[st.regime];
        st.regime = current
            .next
            .iter()
            .find(|(_, c)| u < *c)
            .map_or(st.regime, |&(j, _)| j);
        let regime = &def.regimes[st.regime];
        st.multiplier = regime.multiplier.sample(&mut st.regime_rng).max(0.0);
        st.mean_until = 0;
        let stay = regime.duration_days.sample_count(&mut st.regime_rng).max(1);
        self.trace(d, TraceKind::RegimeChange, &regime.id, def.series, stay);
        let until = self.schedule(
            stay,
            Ev::Regime {
                demand: demand as u32,
            },
        );
        self.ws.demand[demand].regime_until = until;
    }

    pub(super) fn dispatch(&mut self, d: u32, transfer: usize) {
        let def = &self.model.scenario.transfers[transfer];
        let reserve = self.own_use_reserve(def.from);
        let t = &mut self.ws.transfers[transfer];
        let donor = &self.ws.series[def.from];
        let keep = if def.below_floor { 0 } else { donor.out.floor };
        let available = donor.stock.saturating_sub(keep.saturating_add(reserve));
        let qty = match &def.size {
            TransferSize::Scheduled(q) => quantity(q.sample_count(&mut t.rng)).min(available),
            // Above 2^53 rounds `available as f64` may round up: cap at what is there.
            TransferSize::Policy(_) => ((t.share * available as f64).floor() as u64).min(available),
            TransferSize::Production {
                priority: Some(_),
                up_to,
                ..
            } => {
                // Shared by priority: the output taken since the last dispatch (the
                // share was applied as it was taken); then the next interval's cap.
                let due = t.accrued - t.due;
                t.due = t.accrued;
                if let Some(cap) = up_to {
                    t.cap = quantity(cap.sample_count(&mut t.rng));
                }
                due.min(available)
            }
            TransferSize::Production { .. } => {
                // Due: the share of all output accrued so far, less what fell due
                // before; a fraction of a round waits for the next dispatch, a cut
                // by `available` is not made up later.
                let total = ((t.share * t.accrued as f64).floor() as u64).max(t.due);
                let due = total - t.due;
                t.due = total;
                due.min(available)
            }
        };
        let transit = def.transit_days.sample_count(&mut t.rng).max(1);
        if qty > 0 {
            let donor = &mut self.ws.series[def.from];
            donor.stock -= qty;
            donor.out.sent += u128::from(qty);
            if !self.model.consumers[def.from] {
                self.ws.lowered.push(def.from);
            }
            self.trace(d, TraceKind::Sent, &def.id, def.from, qty);
            self.schedule(
                transit,
                Ev::Arrival {
                    series: def.to as u32,
                    qty,
                    origin: Origin::Transfer(transfer as u32),
                },
            );
        }
        let next = i64::from(d) + i64::from(def.every_days);
        // A transfer with no dispatch left stops taking output shared by priority.
        self.ws.transfers[transfer].done = next > def.end_day;
        if next <= def.end_day {
            self.schedule(
                u64::from(def.every_days),
                Ev::Dispatch {
                    transfer: transfer as u32,
                },
            );
        }
    }

    /// Rounds of `series` that aid must leave for its own use: for each demand on it
    /// with `reserve_days`, that many days of today's mean need, rounded up.
    fn own_use_reserve(&self, series: usize) -> u64 {
        let mut reserve: u64 = 0;
        for &k in &self.model.fronts_of[series] {
            let st = &self.ws.demand[k];
            if st.reserve_days > 0.0 {
                // `as` saturates: a huge reserve simply blocks all aid.
                let days = ceil_count(st.reserve_days * st.mean_today);
                reserve = reserve.saturating_add(days);
            }
        }
        reserve
    }

    /// Every factory's output of day `d`: backlog first, then the owner.
    ///
    /// The output factors are drawn for every factory at once, a block of days at a
    /// time (see [`Day::draw_factors`]); a factory that keeps its output (no backlog,
    /// no production-linked transfer, nothing traced) adds it to its owner's stock
    /// at once, and the others' output goes through [`Day::deliver`] after.
    pub(super) fn produce(&mut self, d: u32) {
        if d >= self.ws.factors_to {
            self.draw_factors(d);
        }
        let day = i64::from(d);
        let k = (d - self.ws.factors_from) as usize;
        let ws = &mut *self.ws;
        for (i, f) in ws.factories.iter_mut().enumerate() {
            let mut rate = f.capacity.advance(day);
            if let Some(limit) = f.limit.as_mut() {
                rate = rate.min(limit.advance(day));
            }
            if f.down {
                rate *= 1.0 - f.loss;
            }
            let factor = ws.factors[i * BLOCK + k];
            // Whole rounds per day; the fraction carries over, so no output is lost to
            // rounding. `carry` is never negative, so the cast truncates like floor().
            // (Through i64: one instruction each way, where u64 needs several.) A day's
            // output is cut to MAX_DAY_OUTPUT (NaN counts as 0), so `carry` stays
            // below 2^37 + 1.
            f.carry += (rate * factor).max(0.0).min(MAX_DAY_OUTPUT as f64);
            let out = f.carry as i64;
            f.carry -= out as f64;
            if out <= 0 {
                continue;
            }
            let out = out as u64;
            if !T::ON && !f.linked && f.backlog.is_empty() {
                let s = &mut ws.series[f.series];
                s.stock = s.stock.saturating_add(out);
                s.out.produced = s.out.produced.saturating_add(out);
            } else {
                ws.delivering.push((i, out));
            }
        }
        // The other factories' output, in factory order. Nothing in production reads a
        // stock, and each factory's output goes to its own orders, owner and linked
        // transfers, so delivering it after the others' is delivering it in turn.
        for k in 0..self.ws.delivering.len() {
            let (i, out) = self.ws.delivering[k];
            self.deliver(i, d, out);
        }
        self.ws.delivering.clear();
    }

    /// Factory `i`'s day-`d` output `out`: its backlog first, then its owner.
    fn deliver(&mut self, i: usize, d: u32, out: u64) {
        let def = &self.model.scenario.factories[i];
        let mut left = out;
        while left > 0 {
            let Some(order) = self.ws.factories[i].backlog.front_mut() else {
                break;
            };
            let take = left.min(order.remaining);
            order.remaining -= take;
            left -= take;
            let (series, origin, done) = (order.series, order.origin, order.remaining == 0);
            if done {
                self.ws.factories[i].backlog.pop_front();
            }
            self.arrive(d, series, take, origin);
        }
        if left > 0 {
            let s = &mut self.ws.series[def.series];
            s.stock = s.stock.saturating_add(left);
            s.out.produced = s.out.produced.saturating_add(left);
            self.trace(d, TraceKind::Produced, &def.id, def.series, left);
            self.accrue(i, d, left);
        }
    }

    /// Every factory's output factors of the days from `d` on, for a block of at most
    /// [`BLOCK`] days (no further than the horizon): drawn from each factory's output
    /// stream (the same values, in the same order, as one draw a day), its fixed
    /// value, or read from the tape; recorded on the tape when recording.
    #[inline(never)]
    fn draw_factors(&mut self, d: u32) {
        let days = self.model.scenario.days;
        let n = (days.saturating_sub(d) as usize).clamp(1, BLOCK);
        self.ws.factors_from = d;
        self.ws.factors_to = d.saturating_add(n as u32);
        let ws = &mut *self.ws;
        for (i, (f, def)) in ws
            .factories
            .iter_mut()
            .zip(&self.model.scenario.factories)
            .enumerate()
        {
            let block = &mut ws.factors[i * BLOCK..i * BLOCK + n];
            match (&mut self.tape, f.fixed_factor) {
                (Tape::Replay(tape), _) => block.copy_from_slice(tape.factors(i, d, n)),
                (tape, fixed) => {
                    match fixed {
                        Some(v) => block.fill(v),
                        None => def.output_factor.fill(&mut f.output, block),
                    }
                    if let Tape::Record(tape) = tape {
                        tape.record_factors(i, d, block);
                    }
                }
            }
        }
    }

    /// Counts `kept` rounds of factory `factory`'s day-`d` output (what its owner
    /// keeps) towards every production-linked transfer from it. Shared by priority,
    /// the output is offered to the transfers in priority order: each takes its share
    /// of what is offered to it (a fraction of a round carries to the next day), up to
    /// what its cap leaves this interval, and the rest is offered to the next.
    fn accrue(&mut self, factory: usize, d: u32, kept: u64) {
        let mut offered = kept;
        let ws = &mut *self.ws;
        for &t in &ws.links[factory] {
            let st = &mut ws.transfers[t];
            if i64::from(d) < st.accrue_from {
                continue;
            }
            let ranked = matches!(
                self.model.scenario.transfers[t].size,
                crate::scenario::TransferSize::Production {
                    priority: Some(_),
                    ..
                }
            );
            if !ranked {
                st.accrued = st.accrued.saturating_add(kept);
                continue;
            }
            if st.done {
                continue;
            }
            let room = st.cap.saturating_sub(st.accrued - st.due);
            // share ≤ 1 and carry < 1: the claim is below offered + 1.
            let claim = st.share * offered as f64 + st.carry;
            let take = (claim as u64).min(room).min(offered);
            st.carry = if take < room {
                claim - take as f64
            } else {
                0.0
            };
            st.accrued += take;
            offered -= take;
        }
    }
}
