//! End of day: depletion, shortage days and episodes, stock snapshots; end of trial:
//! totals.

use super::Day;
use crate::model::outcome::SeriesOutcome;
use crate::model::trace::{TraceKind, Tracer};

impl<T: Tracer> Day<'_, T> {
    /// End-of-day recording for day `d`.
    ///
    /// A day's record of a series changes nothing unless its stock fell that day or it
    /// is a stock a front draws on (shortage days): the stock is then at least the
    /// lowest one seen, and above the floor if it was before. So except on reporting
    /// days (every stock is written) and when tracing (depletions are traced in series
    /// order), only the fronts' stocks and those aid was sent from today are visited.
    pub(super) fn record(&mut self, d: u32) {
        let report = self.model.report_of_day[d as usize] as usize;
        let snapshot = self.model.report_days[report] == d;
        if T::ON || snapshot {
            for i in 0..self.ws.series.len() {
                self.record_series(i, d, report, snapshot);
            }
        } else {
            for k in 0..self.ws.watched.len() {
                let i = self.ws.watched[k];
                self.record_series(i, d, report, false);
            }
            // A donor listed twice (two transfers sent from it today) is recorded
            // twice: for a stock no front draws on, a record is idempotent.
            for k in 0..self.ws.lowered.len() {
                let i = self.ws.lowered[k];
                self.record_series(i, d, report, false);
            }
        }
        self.ws.lowered.clear();
    }

    /// Series `i`'s end of day `d`: lowest stock, shortage day and episode, depletion;
    /// on a reporting day (`snapshot`), its stock and period sums.
    #[inline]
    fn record_series(&mut self, i: usize, d: u32, report: usize, snapshot: bool) {
        let reports = self.model.report_days.len();
        let def = &self.model.scenario.series[i];
        let s = &mut self.ws.series[i];
        let out = &mut s.out;
        out.min_stock = out.min_stock.min(s.stock);
        if s.short_today {
            s.period.short_days += 1;
            out.shortage_days += 1;
            if s.episode == 0 {
                out.shortage_episodes += 1;
            }
            s.episode += 1;
            out.longest_shortage = out.longest_shortage.max(s.episode);
            s.short_today = false;
        } else {
            s.episode = 0;
        }
        // A pass-through channel has no depletion to report.
        let newly_depleted = out.depletion_day.is_none() && s.stock <= out.floor && !def.channel;
        if newly_depleted {
            out.depletion_day = Some(d);
        }
        if snapshot {
            let (at, out) = (i * reports + report, &mut self.ws.outcome);
            out.stock[at] = s.stock;
            // The period ends today: its sums go to the outcome.
            if self.model.consumers[i] {
                let p = std::mem::take(&mut s.period);
                out.demanded[at] = p.demanded;
                out.consumed[at] = p.consumed;
                out.met[at] = p.met;
                out.short_days[at] = p.short_days;
            }
        }
        if newly_depleted {
            self.trace(d, TraceKind::Depleted, "", i, 0);
        }
    }

    /// Copies the totals into the outcome.
    pub(super) fn finish(&mut self, trial: u64) {
        let out = &mut self.ws.outcome;
        out.trial = trial;
        out.series.clear();
        for s in &self.ws.series {
            out.series.push(SeriesOutcome {
                final_stock: s.stock,
                ..s.out
            });
        }
        for (def, st) in self.model.scenario.demand.iter().zip(&self.ws.demand) {
            out.series[def.series].final_backlog += st.backorder;
        }
    }
}
