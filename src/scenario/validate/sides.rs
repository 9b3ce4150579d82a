//! Sides and fire ratios: `[nations.<id>] side`, no transfer across sides, and
//! `[fire_ratios.<id>]` with its nation and item lists resolved.

use super::Validator;
use crate::scenario::limits;
use crate::scenario::{DEFAULT_SIDE, FireRatio, Named};
use std::collections::BTreeSet;

impl Validator<'_> {
    /// The side of every nation, in nation order; a side that is not a safe id is an
    /// issue. A transfer between nations on different sides is an issue too.
    pub(super) fn sides(&mut self) -> Vec<String> {
        let raw = self.raw;
        let mut sides = Vec::with_capacity(raw.nations.len());
        for (id, n) in &raw.nations {
            let side = n.side.as_deref().unwrap_or(DEFAULT_SIDE);
            if let Some(problem) = limits::id_problem(side) {
                self.issue(
                    format!("nations.{id}.side"),
                    format!("a side is an id like '{DEFAULT_SIDE}': {problem}"),
                );
            }
            sides.push(side.to_string());
        }
        for (id, t) in &raw.transfers {
            let side_of = |n: &str| {
                raw.nations
                    .get(n)
                    .map(|x| x.side.as_deref().unwrap_or(DEFAULT_SIDE))
            };
            if let (Some(from), Some(to)) = (side_of(&t.from), side_of(&t.to))
                && from != to
            {
                self.issue(
                    format!("transfers.{id}.to"),
                    format!(
                        "no transfers cross sides: transfer '{id}' goes from '{}' (side '{from}') to '{}' (side '{to}')",
                        t.from, t.to
                    ),
                );
            }
        }
        sides
    }

    /// Every fire ratio with its nations and items resolved. Empty lists, repeated or
    /// unknown ids, a nation on both sides of the line, and a side of the line whose
    /// nations have no demand on the items counted are issues.
    pub(super) fn fire_ratios(&mut self) -> Vec<FireRatio> {
        let raw = self.raw;
        let mut out = Vec::with_capacity(raw.fire_ratios.len());
        for (id, r) in &raw.fire_ratios {
            let p = format!("fire_ratios.{id}");
            if let Some(n) = &r.name
                && let Some(problem) = limits::length_problem(n, limits::MAX_NAME_CHARS)
            {
                self.issue(format!("{p}.name"), problem);
            }
            let numerator = self.nation_list(&format!("{p}.numerator"), &r.numerator);
            let denominator = self.nation_list(&format!("{p}.denominator"), &r.denominator);
            for n in r.numerator.iter().filter(|n| r.denominator.contains(n)) {
                self.issue(
                    format!("{p}.denominator"),
                    format!("nation '{n}' is in both the numerator and the denominator"),
                );
            }
            let items = self.ratio_items(&p, r.items.as_deref());
            let (Some(numerator), Some(denominator), Some(items)) = (numerator, denominator, items)
            else {
                continue;
            };
            for (side, list) in [("numerator", &numerator), ("denominator", &denominator)] {
                self.check_fires(&format!("{p}.{side}"), list, &items);
            }
            let name = r
                .name
                .as_deref()
                .map_or_else(|| id.clone(), |n| limits::clean_text(n, false));
            out.push(FireRatio {
                named: Named {
                    id: id.clone(),
                    name,
                },
                numerator,
                denominator,
                items,
            });
        }
        out
    }

    /// A non-empty list of known nations, each once; `None` after any issue.
    fn nation_list(&mut self, path: &str, ids: &[String]) -> Option<Vec<usize>> {
        if ids.is_empty() {
            self.issue(path, "list at least one nation");
            return None;
        }
        if ids.len() > limits::MAX_ENTRIES {
            let n = ids.len();
            self.issue(
                path,
                format!("at most {} nations, got {n}", limits::MAX_ENTRIES),
            );
            return None;
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(ids.len());
        let mut ok = true;
        for id in ids {
            if !seen.insert(id.as_str()) {
                self.issue(path, format!("nation '{id}' is listed more than once"));
                ok = false;
            } else if let Some(n) = self.nation(path, id) {
                out.push(n);
            } else {
                ok = false;
            }
        }
        ok.then_some(out)
    }

    /// The items of a ratio in item order: every item when `items` is absent.
    fn ratio_items(&mut self, p: &str, items: Option<&[String]>) -> Option<Vec<usize>> {
        let Some(ids) = items else {
            return Some((0..self.items.len()).collect());
        };
        let path = format!("{p}.items");
        if ids.is_empty() {
            self.issue(
                path,
                "list at least one item, or leave items out to count every item",
            );
            return None;
        }
        let mut out = BTreeSet::new();
        let mut ok = true;
        for id in ids {
            match self.item(&path, id) {
                Some(i) if !out.insert(i) => {
                    self.issue(
                        path.clone(),
                        format!("item '{id}' is listed more than once"),
                    );
                    ok = false;
                }
                Some(_) => {}
                None => ok = false,
            }
        }
        ok.then(|| out.into_iter().collect())
    }

    /// At least one of `nations` must have a demand on one of `items`: otherwise that
    /// side of the ratio fires nothing in any trial.
    fn check_fires(&mut self, path: &str, nations: &[usize], items: &[usize]) {
        let fires = self.raw.demand.values().any(|d| {
            let nation = self.nations.iter().position(|n| n.id == d.nation);
            let item = self.items.iter().position(|i| i.id == d.item);
            matches!((nation, item), (Some(n), Some(i)) if nations.contains(&n) && items.contains(&i))
        });
        if !fires {
            self.issue(
                path,
                "none of these nations has a [demand] on the items counted: they never fire, so the ratio would be meaningless",
            );
        }
    }
}
