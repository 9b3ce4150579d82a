//! The model's ceilings, and why no stock or total of a trial can overflow.
//!
//! # Ceilings on single draws
//!
//! The model cuts every count it draws to a ceiling, whatever the distribution's tail:
//!
//! - [`MAX_QUANTITY`] `= 10^12` rounds for a quantity drawn once: an initial stock, a
//!   floor, a contract quantity, an aid package, a reorder point or order-up-to level, a
//!   front's mean need per day, and a factory capacity level (rounds per *month*);
//! - [`MAX_DAY_OUTPUT`] `= 2^37 ≈ 1.4·10^11` rounds for one factory's output of one
//!   day (over 4 times what a factory at [`MAX_QUANTITY`] per month makes at full
//!   output, 3.3·10^10 a day);
//! - [`MAX_DAY_NEED`] `= 2^41 ≈ 2.2·10^12` rounds for one front's new need of one day
//!   (over twice [`MAX_QUANTITY`]);
//! - [`MAX_DAY_RAIDS`] `= 10^6` raids in one day of a compound demand (each needing at
//!   most 10^6 rounds, `per_raid`'s range), so a day's compound need stays below
//!   10^12 and its draw takes at most 10^6 steps.
//!
//! Validation keeps quantities within 10^12, so the first cut never changes a draw of a
//! bounded distribution; the daily cuts only bind at output factors or regime
//! multipliers far beyond any plausible value. Delays (lead, transit, repair times) need
//! no ceiling: events beyond the horizon are dropped and day arithmetic saturates.
//!
//! # The bound on rounds in existence
//!
//! Let `T` be the horizon [days], `Q` = [`MAX_QUANTITY`]. Rounds are created only by
//! opening stocks, production, and contract and procurement deliveries, so every stock
//! at any moment, and every per-series total of production, deliveries, need, fire,
//! backlog and late service, is at most the rounds a trial can create:
//!
//! ```text
//! G = (stocks + contracts)·Q + T·(factories·MAX_DAY_OUTPUT + policies·Q + fronts·MAX_DAY_NEED)
//! ```
//!
//! - stocks and contracts: one draw of at most `Q` each;
//! - a factory: at most `MAX_DAY_OUTPUT` a day;
//! - fronts: need is at most `MAX_DAY_NEED` a day, so any total of need, fire, unmet
//!   need, late service or backlog of a series is at most `T·fronts·MAX_DAY_NEED`;
//! - an (s, S) policy: an order brings the inventory position IP = on hand + on order −
//!   backlog up to S ≤ Q. Between two orders IP falls only by new need and aid sent,
//!   and aid is sent only from stock on hand, which (when no backlog waits; with one,
//!   on hand is 0 after the day's fire) is at most IP; so aid sent in the window is at
//!   most S plus the other inflows of the window, and the next order, S minus IP, is
//!   at most S + the window's new need. Over at most `T` reviews the orders total at
//!   most `T·Q` plus the series' need, which the fronts' term already covers.
//!
//! [`check`] requires `G < 2^63` ([`MAX_ROUNDS`]), so every stock (`u64`), and the
//! signed inventory position (`i128`), is exact. Aid totals are the exception: a round
//! can travel back and forth, once per transit of at least a day, so the rounds sent or
//! received by one series total at most `transfers·T·G < 2^14 · 2^15.2 · 2^63 < 2^93`
//! with at most [`MAX_TRANSFERS`] transfers: they are `u128`, and the statistics are
//! exact for per-trial values below `2^96` (see [`crate::stats::moments`]).

use crate::scenario::Scenario;

/// Most rounds in one drawn quantity (and most rounds per month of a capacity level).
pub const MAX_QUANTITY: u64 = 1_000_000_000_000;
/// Most rounds one factory makes in one day.
pub const MAX_DAY_OUTPUT: u64 = 1 << 37;
/// Most rounds one front needs in one day.
pub const MAX_DAY_NEED: u64 = 1 << 41;
/// Most raids of one compound demand in one day.
pub const MAX_DAY_RAIDS: u64 = 1_000_000;
/// The bound [`check`] keeps the rounds a trial can create under: `2^63`.
pub const MAX_ROUNDS: u128 = 1 << 63;
/// Most transfers a scenario may have, for the aid totals' bound (`2^14 = 16 384`).
pub const MAX_TRANSFERS: usize = 1 << 14;

/// `G`, the most rounds a trial of `scenario` can create (see the module docs).
pub fn rounds_bound(scenario: &Scenario) -> u128 {
    let count = |n: usize| n as u128;
    let days = u128::from(scenario.days);
    let q = u128::from(MAX_QUANTITY);
    let once = count(scenario.series.len() + scenario.contracts.len()) * q;
    let daily = count(scenario.factories.len()) * u128::from(MAX_DAY_OUTPUT)
        + count(scenario.procurement.len()) * q
        + count(scenario.demand.len()) * u128::from(MAX_DAY_NEED);
    once + days * daily
}

/// Whether every stock and total of a trial of `scenario` provably fits its integer
/// type: [`rounds_bound`] below [`MAX_ROUNDS`] and at most [`MAX_TRANSFERS`] transfers.
///
/// # Errors
/// A message saying which bound the scenario exceeds and by how much.
pub fn check(scenario: &Scenario) -> Result<(), String> {
    let bound = rounds_bound(scenario);
    if bound >= MAX_ROUNDS {
        return Err(format!(
            "too large to simulate exactly: over {} days, {} stocks, {} contracts, {} factories, {} procurement policies and {} fronts could create {:.3e} rounds, more than 2^63 ({:.3e}); shorten the horizon or use fewer entities",
            scenario.days,
            scenario.series.len(),
            scenario.contracts.len(),
            scenario.factories.len(),
            scenario.procurement.len(),
            scenario.demand.len(),
            bound as f64,
            MAX_ROUNDS as f64,
        ));
    }
    if scenario.transfers.len() > MAX_TRANSFERS {
        return Err(format!(
            "too many transfers: {} (at most {MAX_TRANSFERS})",
            scenario.transfers.len()
        ));
    }
    Ok(())
}

/// A drawn quantity, cut to [`MAX_QUANTITY`].
#[inline]
pub(crate) fn quantity(drawn: u64) -> u64 {
    drawn.min(MAX_QUANTITY)
}

/// `x.ceil() as u64` (the cast saturates; NaN gives 0) for every `x` above −1, NaN
/// or infinite, without a call: `ceil` is a library call on baseline x86-64, and a
/// front with a kept cover takes one every day.
#[inline]
pub(crate) fn ceil_count(x: f64) -> u64 {
    let t = x as u64;
    t.saturating_add(u64::from((t as f64) < x))
}

#[cfg(test)]
mod tests {
    use super::ceil_count;

    #[test]
    fn ceil_count_is_the_cast_of_the_ceiling() {
        let edges = [
            -0.999,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            0.5,
            1.0 - f64::EPSILON / 2.0,
            1.0,
            1.0 + f64::EPSILON,
            4_503_599_627_370_495.5,
            9_007_199_254_740_992.0,
            9_223_372_036_854_775_808.0,
            18_446_744_073_709_549_568.0,
            18_446_744_073_709_551_616.0,
            1e30,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let random = crate::dist::test_magnitudes(7, 100_000, 0..20, false);
        for x in edges.into_iter().chain(random) {
            assert_eq!(ceil_count(x), x.ceil() as u64, "{x:e}");
            // Whole numbers are their own ceiling.
            let whole = x.floor();
            if whole >= 0.0 {
                assert_eq!(ceil_count(whole), whole as u64, "{whole:e}");
            }
        }
    }
}
