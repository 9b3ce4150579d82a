//! `[groups.<id>]`: member ids resolved to nations, each listed once, and the dates
//! (within the horizon) by which the group is reported.

use super::Validator;
use crate::scenario::limits;
use crate::scenario::{Group, Named};
use std::collections::BTreeSet;

impl Validator<'_> {
    /// Every group with its members resolved; unknown or repeated members and lists
    /// longer than [`limits::MAX_ENTRIES`] are issues.
    pub(super) fn groups(&mut self) -> Vec<Group> {
        let raw = self.raw;
        let mut groups = Vec::with_capacity(raw.groups.len());
        for (id, g) in &raw.groups {
            let path = format!("groups.{id}.members");
            if g.members.len() > limits::MAX_ENTRIES {
                let n = g.members.len();
                self.issue(
                    path,
                    format!("at most {} members, got {n}", limits::MAX_ENTRIES),
                );
                continue;
            }
            if g.members.is_empty() {
                self.issue(path.clone(), "list at least one member nation");
            }
            let mut seen = BTreeSet::new();
            let mut members = Vec::with_capacity(g.members.len());
            for member in &g.members {
                if !seen.insert(member.as_str()) {
                    self.issue(
                        path.clone(),
                        format!("nation '{member}' is listed more than once"),
                    );
                } else if let Some(n) = self.nation(&path, member) {
                    members.push(n);
                }
            }
            let mut days = Vec::with_capacity(g.dates.len());
            let last = raw.scenario.end.days_since(raw.scenario.start);
            for date in &g.dates {
                let day = self.day(*date);
                if (0..=last).contains(&day) {
                    days.push(day as u32);
                } else {
                    self.issue(
                        format!("groups.{id}.dates"),
                        format!(
                            "{date} is outside the scenario's horizon (day {day}; days 0 to {last})"
                        ),
                    );
                }
            }
            let name = g
                .name
                .as_deref()
                .map_or_else(|| id.clone(), |n| limits::clean_text(n, false));
            groups.push(Group {
                named: Named {
                    id: id.clone(),
                    name,
                },
                members,
                days,
            });
        }
        groups
    }
}
