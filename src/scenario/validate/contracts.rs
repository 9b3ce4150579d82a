//! A contract's size: a quantity of rounds, or a budget and a unit price (a purchase
//! channel that scales with funding).

use super::{Domain, Validator};
use crate::scenario::ContractSize;
use crate::scenario::raw::RawContract;

impl Validator<'_> {
    /// `quantity`, or `budget` with `unit_price`: exactly one of the two forms. The
    /// price must be above 0 on every draw. `None` (with an issue) when neither or
    /// both are given.
    pub(super) fn contract_size(&mut self, p: &str, c: &RawContract) -> Option<ContractSize> {
        match (&c.quantity, &c.budget, &c.unit_price) {
            (Some(q), None, None) => Some(ContractSize::Quantity(self.dist(
                &format!("{p}.quantity"),
                q,
                Domain::Quantity,
            ))),
            (None, Some(b), Some(u)) => {
                let budget = self.dist(&format!("{p}.budget"), b, Domain::Money);
                let path = format!("{p}.unit_price");
                let unit_price = self.dist(&path, u, Domain::Price);
                if unit_price.min_value() <= 0.0 {
                    self.issue(
                        path,
                        format!(
                            "must be above 0 on every draw, but {u} can be {} (give min > 0)",
                            unit_price.min_value()
                        ),
                    );
                }
                Some(ContractSize::Budget { budget, unit_price })
            }
            (None, Some(_), None) => {
                self.issue(
                    p.to_string(),
                    "a budget needs a unit_price (money per round)",
                );
                None
            }
            (None, None, Some(_)) => {
                self.issue(
                    p.to_string(),
                    "a unit_price needs a budget (money to spend)",
                );
                None
            }
            (Some(_), _, _) => {
                let extra = if c.budget.is_some() {
                    "budget"
                } else {
                    "unit_price"
                };
                self.issue(
                    format!("{p}.{extra}"),
                    "give either quantity (rounds) or budget and unit_price (money), not both",
                );
                None
            }
            (None, None, None) => {
                self.issue(
                    p.to_string(),
                    "missing the size: give quantity (rounds) or budget and unit_price (money)",
                );
                None
            }
        }
    }
}
