//! Precision stopping: when a run has enough trials.
//!
//! With [`Precision`], waves are added until the 95 % Wilson interval of every tracked
//! depletion probability is narrower than the requested width: the probability of
//! depletion by *each reporting day* (every row of `depletion.csv`, the horizon's
//! `p_depleted` included) of the target series, or of every series but pass-through
//! channels. The check happens after whole waves, whose size is fixed, so the number of
//! trials is reproducible too.

use super::{Aggregate, SharedAggregate};
use crate::model::Model;
use crate::stats::wilson;

/// Stop when every tracked depletion probability (each reporting day of each tracked
/// series) is known to within `width`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// Largest acceptable width of the 95 % interval (e.g. 0.02).
    pub width: f64,
    /// Track only this series; every series but pass-through channels when `None`.
    pub target: Option<usize>,
    /// Never run more trials than this.
    pub max_trials: u64,
}

/// Whether every tracked depletion probability's interval is narrower than required,
/// or the trial budget is spent, judging from the run's aggregate so far.
pub(super) fn precise_enough(shared: &SharedAggregate, p: &Precision, model: &Model) -> bool {
    let trials = shared.trials();
    let series = &model.scenario.series;
    let tracked = (0..series.len())
        .filter(|&i| tracks(p, i, series[i].channel))
        .map(|i| shared.cumulative_depleted(i));
    trials >= p.max_trials || narrow_enough(tracked, &model.report_days, trials, p.width)
}

/// Whether the finished `aggregate` meets the precision target `p`: the 95 % interval of
/// every tracked depletion probability, on every reporting day, is narrower than
/// `p.width`.
pub fn precision_reached(aggregate: &Aggregate, p: &Precision) -> bool {
    let tracked = aggregate
        .series
        .iter()
        .enumerate()
        .filter(|&(i, s)| tracks(p, i, s.channel))
        .map(|(_, s)| s.cumulative_depleted());
    narrow_enough(tracked, &aggregate.report_days, aggregate.trials, p.width)
}

/// Whether precision stopping tracks series `i`: the target, or any series but a
/// pass-through channel (whose depletion is not reported).
fn tracks(p: &Precision, i: usize, channel: bool) -> bool {
    p.target.map_or(!channel, |t| t == i)
}

/// Whether, for every series' cumulative depletion counts (trials depleted on or
/// before each day), the Wilson interval of P(depleted by day) among `trials` is
/// narrower than `width` on every day of `report_days`.
fn narrow_enough(
    depleted_by_day: impl Iterator<Item = Vec<u64>>,
    report_days: &[u32],
    trials: u64,
    width: f64,
) -> bool {
    depleted_by_day.into_iter().all(|by_day| {
        report_days.iter().all(|&day| {
            let k = by_day
                .get(day as usize)
                .or(by_day.last())
                .copied()
                .unwrap_or(0);
            wilson(k, trials).width() < width
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half the trials deplete on day 1 and the rest on day 3: the interval is narrow on
    /// days 0 and 3 (p = 0 and 1) and widest on days 1–2 (p = 1/2), so the target is
    /// met only if no reporting day falls there.
    #[test]
    fn precision_checks_every_reporting_day_not_only_the_horizon() {
        let by_day = crate::results::aggregate::cumulative(&[0, 50, 0, 50]);
        let narrow = |days: &[u32]| narrow_enough([by_day.clone()].into_iter(), days, 100, 0.1);
        assert!(narrow(&[0, 3]));
        assert!(!narrow(&[0, 1, 3]));
        assert!(!narrow(&[0, 2, 3]));
        assert!(wilson(50, 100).width() > 0.1 && wilson(100, 100).width() < 0.1);
    }
}
