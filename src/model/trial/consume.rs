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

use super::Day;
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
        let idx_of = self.period_index(d);
        for (i, def) in self.model.scenario.demand.iter().enumerate() {
            let new = self.new_need(i);
            if T::ON {
                self.trace(d, TraceKind::Demanded, &def.id, def.series, new);
            }
            let st = &mut self.ws.demand[i];
            let s = &mut self.ws.series[def.series];
            let met = ration(st, new, s.stock);
            let miss = new - met;
            s.out.rationed += new.min(s.stock) - met;
            s.stock -= met;
            // Each total is at most the series' need over the trial, below 2^63
            // (see `limits`), so these adds cannot overflow.
            s.out.demanded += new;
            s.out.consumed += met;
            s.out.unmet += miss;
            if backorder {
                st.backorder += miss;
                s.backlog += miss;
            }
            // The day ends with unmet need: new need missed, or backlog still waiting.
            s.short_today |= miss > 0 || st.backorder > 0;
            let idx = idx_of(def.series);
            let out = &mut self.ws.outcome;
            out.demanded[idx] += new;
            out.consumed[idx] += met;
            out.met[idx] += met;
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
    /// demand (whose period means are raids per day).
    fn advance_mean(&mut self, i: usize, d: u32) {
        let (def, st) = (&self.model.scenario.demand[i], &mut self.ws.demand[i]);
        let day = i64::from(d);
        while st.period + 1 < def.periods.len() && def.periods[st.period + 1].from_day <= day {
            st.period += 1;
        }
        let before_first = def.periods.first().is_none_or(|p| p.from_day > day);
        st.mean_today = if before_first {
            0.0
        } else {
            st.means[st.period] * st.multiplier * raid_mean(def)
        };
    }

    /// Front `i`'s new need of the day: a draw around its mean of the day, or for a
    /// compound demand the sum of the sizes of a draw of raids.
    fn new_need(&mut self, i: usize) -> u64 {
        let (def, st) = (&self.model.scenario.demand[i], &mut self.ws.demand[i]);
        match &def.per_raid {
            None => crate::model::draw_demand(st.mean_today, st.gamma.as_ref(), &mut st.rng),
            Some(x) => {
                let size = raid_mean(def);
                let raids = if size > 0.0 {
                    st.mean_today / size
                } else {
                    0.0
                };
                crate::model::draw_compound(raids, st.gamma.as_ref(), x, &mut st.rng)
            }
        }
    }

    /// Fires what stock allows of every front's waiting backlog (late service).
    fn serve_backlogs(&mut self, d: u32) {
        let idx_of = self.period_index(d);
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
            self.ws.outcome.consumed[idx_of(def.series)] += late;
            self.trace(d, TraceKind::Consumed, &def.id, def.series, late);
        }
    }

    /// The index of day `d`'s reporting period of a series in the period vectors.
    fn period_index(&self, d: u32) -> impl Fn(usize) -> usize + use<T> {
        let reports = self.model.report_days.len();
        let report = self.model.report_of_day[d as usize] as usize;
        move |series| series * reports + report
    }
}

/// Mean rounds per raid of a compound demand; 1 for a plain one.
fn raid_mean(def: &crate::scenario::Demand) -> f64 {
    def.per_raid
        .as_ref()
        .map_or(1.0, |x| x.mean().unwrap_or(0.0).max(0.0))
}

/// What a front with state `st` fires of `need` from `stock` (see the module docs).
fn ration(st: &super::DemandState, need: u64, stock: u64) -> u64 {
    let mut fire = need.min(stock);
    let m = st.mean_today;
    if st.cover_days > 0.0 && (stock as f64) < st.cover_days * m {
        fire = fire.min((st.fraction * need as f64).floor() as u64);
    }
    if st.keep_days > 0.0 {
        // `as` saturates: a cover too large to count keeps everything.
        let keep = (st.keep_days * m).ceil() as u64;
        fire = fire.min(stock.saturating_sub(keep));
    }
    fire
}
