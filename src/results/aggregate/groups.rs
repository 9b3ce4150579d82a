//! Nation groups: per group and item, how many members have depleted by each
//! reporting day.
//!
//! A member counts towards a group's `n` for an item only when it holds a stock series
//! of that item that is not a pass-through channel; a group with no such member for an
//! item has no entry for it. Each trial adds, for every reporting day, one count to the
//! bucket `k` = the number of members whose depletion day (the same
//! [`SeriesOutcome::depletion_day`] that `trials.csv` and `depletion.csv` report) is on
//! or before that day, so the group counts equal the per-member results trial by trial.
//! Buckets are integers (≤ trials), so merging is exact in any order.

use crate::model::SeriesOutcome;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The distribution of the number of depleted members of one group, for one item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAggregate {
    /// The group (index into the scenario's groups).
    pub group: usize,
    /// The item (index into the scenario's items).
    pub item: usize,
    /// The members' series of this item, in the group's member order.
    pub series: Vec<usize>,
    /// `counts[r * (n + 1) + k]`: trials in which exactly `k` of the `n` members had
    /// depleted by reporting day `r` (each ≤ trials).
    pub counts: Vec<u64>,
}

/// The (group, item, member series) of every group entry, groups in scenario order and
/// items in item order; items no member holds are left out.
pub fn layout(s: &Scenario) -> Vec<(usize, usize, Vec<usize>)> {
    let index: BTreeMap<(usize, usize), usize> = s
        .series
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.channel)
        .map(|(i, x)| ((x.nation, x.item), i))
        .collect();
    let mut out = Vec::new();
    for (g, group) in s.groups.iter().enumerate() {
        for item in 0..s.items.len() {
            let series: Vec<usize> = group
                .members
                .iter()
                .filter_map(|&nation| index.get(&(nation, item)).copied())
                .collect();
            if !series.is_empty() {
                out.push((g, item, series));
            }
        }
    }
    out
}

impl GroupAggregate {
    /// An empty entry for `series` reporting on `reports` days.
    pub fn new(group: usize, item: usize, series: Vec<usize>, reports: usize) -> GroupAggregate {
        let counts = vec![0; reports * (series.len() + 1)];
        GroupAggregate {
            group,
            item,
            series,
            counts,
        }
    }

    /// Number of members counted (`n`).
    pub fn members(&self) -> usize {
        self.series.len()
    }

    /// Adds one trial whose series outcomes are `outcome`.
    pub fn add(&mut self, outcome: &[SeriesOutcome], report_days: &[u32]) {
        let mut days: Vec<u32> = self
            .series
            .iter()
            .filter_map(|&s| outcome.get(s).and_then(|o| o.depletion_day))
            .collect();
        days.sort_unstable();
        let width = self.members() + 1;
        let mut k = 0;
        for (r, &day) in report_days.iter().enumerate() {
            while k < days.len() && days[k] <= day {
                k += 1;
            }
            self.counts[r * width + k] += 1;
        }
    }

    /// Trials in which at least `k` members had depleted by reporting day `r`.
    pub fn at_least(&self, r: usize, k: usize) -> u64 {
        let width = self.members() + 1;
        self.counts[r * width..(r + 1) * width][k.min(width)..]
            .iter()
            .sum()
    }

    /// Merges `other` (exact).
    ///
    /// # Panics
    /// If the two describe different groups, items, members or reporting days.
    pub fn merge(&mut self, other: &GroupAggregate) {
        assert!(
            self.group == other.group
                && self.item == other.item
                && self.series == other.series
                && self.counts.len() == other.counts.len(),
            "group aggregates of different scenarios"
        );
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depleting(day: Option<u32>) -> SeriesOutcome {
        SeriesOutcome {
            depletion_day: day,
            ..SeriesOutcome::default()
        }
    }

    #[test]
    fn counts_members_depleted_by_each_reporting_day() {
        let mut g = GroupAggregate::new(0, 0, vec![0, 1, 2], 3);
        let outcome = [depleting(Some(10)), depleting(Some(20)), depleting(None)];
        g.add(&outcome, &[5, 15, 20]);
        assert_eq!(g.counts, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
        assert_eq!(g.at_least(1, 1), 1);
        assert_eq!(g.at_least(1, 2), 0);
        assert_eq!(g.at_least(2, 2), 1);
        assert_eq!(g.at_least(2, 3), 0);
        let copy = g.clone();
        g.merge(&copy);
        assert_eq!(g.at_least(2, 2), 2);
    }
}
