//! Substitutes and shared output: a demand's `substitutes` (other items of the same
//! nation, drawn in order when its own stock falls short) and production-linked
//! transfers that share a factory's output by `priority`, each `up_to` a cap.

use super::{Domain, Validator};
use crate::dist::{Dist, DistSpec};
use crate::scenario::raw::{RawDemand, RawTransfer};
use crate::scenario::{Transfer, TransferSize};
use std::collections::BTreeMap;

/// The most substitutes a demand may list.
pub(crate) const MAX_SUBSTITUTES: usize = 16;
/// The largest priority rank.
pub(crate) const MAX_PRIORITY: u32 = 1000;

impl Validator<'_> {
    /// The substitute series of demand `p` (of nation `d.nation`): known items, not the
    /// demand's own, each once, at most [`MAX_SUBSTITUTES`], and not with backordering.
    pub(super) fn substitutes(&mut self, p: &str, d: &RawDemand) -> Vec<usize> {
        let Some(list) = &d.substitutes else {
            return Vec::new();
        };
        let path = format!("{p}.substitutes");
        if list.len() > MAX_SUBSTITUTES {
            let n = list.len();
            self.issue(path, format!("at most {MAX_SUBSTITUTES} items, got {n}"));
            return Vec::new();
        }
        if self.raw.scenario.backorder == Some(true) && !list.is_empty() {
            self.issue(
                path.clone(),
                "not supported with scenario.backorder = true (need left waiting would belong to no one stock): remove substitutes or backorder",
            );
        }
        // An unknown nation is already an issue of the demand's own `nation`.
        let nation = self.nations.iter().position(|n| n.id == d.nation);
        let mut out = Vec::with_capacity(list.len());
        for (k, item) in list.iter().enumerate() {
            if *item == d.item || list[..k].contains(item) {
                self.issue(
                    path.clone(),
                    format!("'{item}' is listed twice (or is the demand's own item): list each other item once"),
                );
                continue;
            }
            if let (Some(n), Some(i)) = (nation, self.item(&path, item)) {
                out.push(self.series_of(n, i));
            }
        }
        out
    }

    /// `priority` and `up_to` of a production-linked transfer: a rank from 1 to
    /// [`MAX_PRIORITY`], and a cap only with a rank.
    pub(super) fn priority(&mut self, p: &str, t: &RawTransfer) -> (Option<u32>, Option<Dist>) {
        if let Some(r) = t.priority
            && !(1..=MAX_PRIORITY).contains(&r)
        {
            self.issue(
                format!("{p}.priority"),
                format!("must be a whole number from 1 to {MAX_PRIORITY} (smaller is served first), got {r}"),
            );
        }
        let up_to = t
            .up_to
            .as_ref()
            .map(|u| self.cap(p, u, t.priority.is_some()));
        (t.priority, up_to)
    }

    fn cap(&mut self, p: &str, u: &DistSpec, ranked: bool) -> Dist {
        let path = format!("{p}.up_to");
        if !ranked {
            self.issue(
                path.clone(),
                "applies only with priority: give the transfer's rank in the factory's queue, e.g. priority = 1",
            );
        }
        self.dist(&path, u, Domain::Quantity)
    }

    /// `priority` or `up_to` on a transfer that is not production-linked.
    pub(super) fn no_priority(&mut self, p: &str, t: &RawTransfer) {
        for (key, given) in [
            ("priority", t.priority.is_some()),
            ("up_to", t.up_to.is_some()),
        ] {
            if given {
                self.issue(
                    format!("{p}.{key}"),
                    "applies only to a production-linked transfer (factory = ...), which shares that factory's output by priority",
                );
            }
        }
    }

    /// A factory's output is shared by priority or not at all: when one of its
    /// production-linked transfers has a priority, all must.
    pub(super) fn check_priorities(&mut self, transfers: &[Transfer]) {
        let mut by_factory: BTreeMap<usize, Vec<(&str, bool)>> = BTreeMap::new();
        for t in transfers {
            if let TransferSize::Production {
                factory, priority, ..
            } = &t.size
            {
                by_factory
                    .entry(*factory)
                    .or_default()
                    .push((&t.id, priority.is_some()));
            }
        }
        for links in by_factory.values() {
            let Some((ranked, _)) = links.iter().find(|(_, r)| *r) else {
                continue;
            };
            for (id, r) in links {
                if !r {
                    self.issue(
                        format!("transfers.{id}.priority"),
                        format!("missing: this factory's output is shared by priority (transfers.{ranked} has one), so every production-linked transfer from it needs a priority"),
                    );
                }
            }
        }
    }
}
