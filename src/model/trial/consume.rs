//! Consumption at the front: the day's need served from stock, backlog first.
//!
//! The definitions (need, met on the day, unmet, late filled, shortage day) are in
//! [`crate::model::outcome`].
//!
//! # Rationing
//! A front with a rationing rule fires less than it could while stock is scarce. Its
//! cover is measured in days of today's mean need `m` (period mean × regime
//! multiplier). At each firing step (the waiting backlog, then the day's new need),
//! with `S` the stock on hand at that step and `n` the need served by the step:
//!
//! - fire at most `min(n, S)`;
//! - with `cover_days = N` and `fraction = f`: if `S < N·m`, fire at most `floor(f·n)`;
//! - with `keep_days = C`: fire at most `S − ceil(C·m)` (0 when negative).
//!
//! What the caps hold back is unmet need like any other; of the day's new need, the
//! part held back while stock was on hand is also counted as `rationed`.
//!
//! # Substitutes
//! A front with `substitutes` (other items of the same nation) is served along a chain:
//! its own stock first (down to 0, as for any front), then each substitute in order,
//! each down to its floor. The rationing rule sees the whole chain: `S` above is the
//! sum of the chain's stock (substitutes above their floors), so the front fires
//! `F` = what the rule allows of the day's need from that sum, taken from the stocks in
//! order. Each stock is offered the need beyond the stocks before it and records it
//! as `demanded`, what it fired as `consumed` and the rest as `unmet`, so a series'
//! totals keep their meaning and conservation holds; the front's need left unmet is
//! `need − F`. Substitutes need lost-need mode (no backordering).

use super::Day;
use crate::model::ahead::NeedLaw;
use crate::model::limits::ceil_count;
use crate::model::tape::Tape;
use crate::model::trace::{TraceKind, Tracer};

impl<T: Tracer> Day<'_, T> {
    /// Every front's consumption of day `d`: with backordering, first every waiting
    /// backlog (fronts in scenario order: older need before new need), then each front's
    /// new need, from the stock left.
    pub(super) fn consume(&mut self, d: u32) {
        for i in 0..self.ws.demand.len() {
            self.advance_mean(i, d);
        }
        if self.model.scenario.backorder {
            self.serve_backlogs(d);
        }
        let backorder = self.model.scenario.backorder;
        let fronts = self.ws.demand.len();
        let replayed = match self.tape {
            Tape::Replay(tape) => tape.needs_of_day(fronts, d),
            _ => &[],
        };
        for (i, def) in self.model.scenario.demand.iter().enumerate() {
            let new = if let Some(&new) = replayed.get(i) {
                new
            } else {
                let st = &mut self.ws.demand[i];
                let new = match st.need.buffered(st.mean_today, st.raids_today) {
                    Some(new) => new,
                    None => self.new_need(i, d),
                };
                if let Tape::Record(tape) = &mut self.tape {
                    tape.push_need(new);
                }
                new
            };
            let st = &mut self.ws.demand[i];
            if st.plain && !T::ON {
                // No cap and nothing traced: `ration` would fire `min(new, stock)`.
                let s = &mut self.ws.series[st.series];
                let met = new.min(s.stock);
                book::<false>(st, s, new, met, backorder);
                continue;
            }
            if !def.substitutes.is_empty() {
                self.serve_with_substitutes(d, i, new);
                continue;
            }
            if T::ON {
                self.trace(d, TraceKind::Demanded, &def.id, def.series, new);
            }
            let st = &mut self.ws.demand[i];
            let s = &mut self.ws.series[def.series];
            let met = ration(st, new, s.stock);
            let miss = book::<true>(st, s, new, met, backorder);
            if T::ON {
                self.trace(d, TraceKind::Consumed, &def.id, def.series, met);
                if miss > 0 {
                    self.trace(d, TraceKind::Unmet, &def.id, def.series, miss);
                }
            }
        }
    }

    /// Sets front `i`'s mean need of day `d`: its period's mean times its regime's
    /// multiplier (0 before its first period), times the mean raid size for a compound
    /// demand (whose period means are raids per day). Nothing is computed while the
    /// mean is the day before's: until the next period starts or the regime switches.
    #[inline]
    fn advance_mean(&mut self, i: usize, d: u32) {
        let (def, st) = (&self.model.scenario.demand[i], &mut self.ws.demand[i]);
        let day = i64::from(d);
        if day < st.mean_until {
            return;
        }
        while st.period + 1 < def.periods.len() && def.periods[st.period + 1].from_day <= day {
            st.period += 1;
        }
        let before_first = def.periods.first().is_none_or(|p| p.from_day > day);
        // The next day on which either test above can change its answer.
        let next = if before_first { 0 } else { st.period + 1 };
        st.mean_until = def.periods.get(next).map_or(i64::MAX, |p| p.from_day);
        let rate = if before_first {
            0.0
        } else {
            st.means[st.period] * st.multiplier
        };
        // `rate * 1.0` is `rate`: a plain demand's mean is as it always was.
        st.raids_today = rate;
        st.mean_today = rate * st.raid_size;
    }

    /// Front `i`'s new need of day `d`: a draw around its mean of the day, or for a
    /// compound demand the sum of the sizes of a draw of raids. Drawn ahead for as long
    /// as the mean stays the same: until the front's next period, its next regime
    /// switch or the horizon, whichever comes first.
    fn new_need(&mut self, i: usize, d: u32) -> u64 {
        let (def, st) = (&self.model.scenario.demand[i], &mut self.ws.demand[i]);
        let (horizon, period, regime_until) =
            (self.model.scenario.days, st.period, st.regime_until);
        let days = || {
            // The first period starting after today (the current one, before it starts).
            let next_period = def.periods[period.min(def.periods.len())..]
                .iter()
                .map(|p| p.from_day)
                .find(|&from| from > i64::from(d))
                .unwrap_or(i64::MAX);
            let until = i64::from(horizon)
                .min(next_period)
                .min(i64::from(regime_until));
            u32::try_from(until - i64::from(d)).unwrap_or(1)
        };
        let law = NeedLaw {
            gamma: st.gamma.as_ref(),
            per_raid: def.per_raid.as_ref(),
        };
        st.need.next(law, st.mean_today, st.raids_today, days)
    }

    /// Front `i`'s new need `new` of day `d`, served from its own stock and then from
    /// its substitutes in order (see the module docs): the front fires what the chain's
    /// stock (above the substitutes' floors) and its rationing rule allow, taken from
    /// the stocks in order. Each stock is offered the need beyond the stocks before it
    /// and records it as demanded, what it fired as consumed, the rest as unmet.
    fn serve_with_substitutes(&mut self, d: u32, i: usize, new: u64) {
        let def = &self.model.scenario.demand[i];
        let chain = || std::iter::once(def.series).chain(def.substitutes.iter().copied());
        let series = &self.ws.series;
        let avail = |k: usize, j: usize| {
            let keep = if k == 0 { 0 } else { series[j].out.floor };
            series[j].stock.saturating_sub(keep)
        };
        let total = chain()
            .enumerate()
            .fold(0u64, |a, (k, j)| a.saturating_add(avail(k, j)));
        let mut left = ration(&self.ws.demand[i], new, total);
        let mut need = new;
        for (k, j) in chain().enumerate() {
            if k > 0 && need == 0 {
                break;
            }
            if T::ON {
                // Before the fire: the record's stock is the stock after the need, as
                // for a front without substitutes.
                self.trace(d, TraceKind::Demanded, &def.id, j, need);
            }
            let s = &mut self.ws.series[j];
            let avail = s.stock.saturating_sub(if k == 0 { 0 } else { s.out.floor });
            let fire = left.min(avail).min(need);
            left -= fire;
            s.stock -= fire;
            s.out.rationed += need.min(avail) - fire;
            s.out.demanded += need;
            s.out.consumed += fire;
            s.out.unmet += need - fire;
            s.short_today |= need > fire;
            s.period.demanded += need;
            s.period.consumed += fire;
            s.period.met += fire;
            if T::ON {
                self.trace(d, TraceKind::Consumed, &def.id, j, fire);
                if need > fire {
                    self.trace(d, TraceKind::Unmet, &def.id, j, need - fire);
                }
            }
            need -= need.min(avail);
        }
    }

    /// Fires what stock allows of every front's waiting backlog (late service).
    fn serve_backlogs(&mut self, d: u32) {
        for (i, def) in self.model.scenario.demand.iter().enumerate() {
            let st = &mut self.ws.demand[i];
            let s = &mut self.ws.series[def.series];
            let late = ration(st, st.backorder, s.stock);
            if late == 0 {
                continue;
            }
            st.backorder -= late;
            s.backlog -= late;
            s.stock -= late;
            s.out.consumed += late;
            s.out.late_filled += late;
            s.period.consumed += late;
            self.trace(d, TraceKind::Consumed, &def.id, def.series, late);
        }
    }
}

/// Books a front's new need `new` of the day, of which `met` (at most `new` and the
/// stock) is fired from its own stock `s`: the stock, the series' totals and period
/// sums, the rounds rationed (with `RATIONED`: a cap may have held rounds back; without,
/// `met` is `min(new, stock)` and none were), the backlog (with `backorder`) and the
/// shortage flag. Returns the need missed.
#[inline(always)]
fn book<const RATIONED: bool>(
    st: &mut super::DemandState,
    s: &mut super::SeriesState,
    new: u64,
    met: u64,
    backorder: bool,
) -> u64 {
    let miss = new - met;
    if RATIONED {
        s.out.rationed += new.min(s.stock) - met;
    }
    s.stock -= met;
    // Each total is at most the series' need over the trial, below 2^63 (see
    // `limits`), so these adds cannot overflow.
    s.out.demanded += new;
    s.out.consumed += met;
    s.out.unmet += miss;
    if backorder {
        st.backorder += miss;
        s.backlog += miss;
    }
    // The day ends with unmet need: new need missed, or backlog still waiting.
    s.short_today |= miss > 0 || st.backorder > 0;
    s.period.demanded += new;
    s.period.consumed += met;
    s.period.met += met;
    miss
}

/// What a front with state `st` fires of `need` from `stock` (see the module docs).
fn ration(st: &super::DemandState, need: u64, stock: u64) -> u64 {
    let mut fire = need.min(stock);
    let m = st.mean_today;
    if st.cover_days > 0.0 && (stock as f64) < st.cover_days * m {
        // Not negative (or NaN, which gives 0): the cast truncates like floor().
        fire = fire.min((st.fraction * need as f64) as u64);
    }
    if st.keep_days > 0.0 {
        // `as` saturates: a cover too large to count keeps everything.
        let keep = ceil_count(st.keep_days * m);
        fire = fire.min(stock.saturating_sub(keep));
    }
    fire
}
