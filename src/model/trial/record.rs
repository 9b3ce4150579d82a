//! End of day: depletion, shortage days and episodes, stock snapshots; end of trial:
//! totals.

use super::Day;
use crate::model::outcome::SeriesOutcome;
use crate::model::trace::{TraceKind, Tracer};

impl<T: Tracer> Day<'_, T> {
    /// End-of-day recording for day `d`.
    pub(super) fn record(&mut self, d: u32) {
        let reports = self.model.report_days.len();
        let report = self.model.report_of_day[d as usize] as usize;
        let snapshot = self.model.report_days[report] == d;
        for (i, def) in self.model.scenario.series.iter().enumerate() {
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
            let newly_depleted =
                out.depletion_day.is_none() && s.stock <= out.floor && !def.channel;
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
