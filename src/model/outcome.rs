//! What one trial produces: per-series totals and the stock path at reporting days.
//!
//! # Need, fire and shortage
//!
//! Each day a front *needs* a number of rounds (its demand). With backordering, need
//! not met on an earlier day waits in a backlog and is served first, oldest need first;
//! then the day's new need is served from what stock is left. So:
//!
//! - **met on the day** (`demanded − unmet`): new need fired on the day it arose;
//! - **unmet**: need not met on the day it arose — lost fire, or with backordering
//!   need that had to wait;
//! - **late filled**: backlog fired on a later day (0 without backordering);
//! - **final backlog**: need still waiting at the end (0 without backordering), so
//!   `unmet = late_filled + final_backlog` with backordering, and all of `unmet` is lost
//!   without;
//! - **consumed**: every round fired, `demanded − unmet + late_filled`;
//! - a **shortage day** is a day that ends with unmet need: some need that arose that
//!   day was not met on the day, or backlog is still waiting; a **shortage episode** is
//!   a maximal run of consecutive shortage days;
//! - the **fill rate** is `(demanded − unmet) / demanded`, the same in both modes.
//!
//! # Ranges
//!
//! Every quantity is a count of rounds. Stocks and totals that cannot exceed the rounds
//! a trial ever creates are `u64`: under the bound checked by
//! [`crate::model::limits::check`] they stay below `2^63`. `sent` and `received` are
//! `u128`: a round can be sent back and forth between two nations many times, so these
//! totals are bounded only by `transfers × days × 2^63 < 2^93` (see the limits module).

/// Totals of one (nation, item) stock over one trial. Conservation holds exactly:
/// `initial + produced + delivered + received − sent − consumed = final_stock`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeriesOutcome {
    /// Stock on day 0.
    pub initial: u64,
    /// Reserve floor drawn for this trial.
    pub floor: u64,
    /// First day the end-of-day stock was at or below the floor; never set for a
    /// pass-through channel.
    pub depletion_day: Option<u32>,
    /// Lowest stock held: the smaller of the opening stock and every end-of-day stock.
    pub min_stock: u64,
    /// Stock at the end of the last day.
    pub final_stock: u64,
    /// Output of the nation's own factories kept in its stock.
    pub produced: u64,
    /// Contract and procurement deliveries (from factory backlogs or lead-time orders).
    pub delivered: u64,
    /// Aid received.
    pub received: u128,
    /// Aid sent.
    pub sent: u128,
    /// Rounds fired at the front, on time or late.
    pub consumed: u64,
    /// Rounds needed (new need of each day; carried-over backlog is not counted again).
    pub demanded: u64,
    /// Need not met on the day it arose (lost, or with backordering served late or
    /// still waiting).
    pub unmet: u64,
    /// Backlog fired on a later day than it arose (backordering only).
    pub late_filled: u64,
    /// New need not met on the day although stock was on hand: held back by a
    /// rationing rule (part of `unmet`).
    pub rationed: u64,
    /// Need still waiting at the end of the last day (backordering only).
    pub final_backlog: u64,
    /// Number of shortage episodes (maximal runs of shortage days).
    pub shortage_episodes: u32,
    /// Days ending with unmet need (see the module docs).
    pub shortage_days: u32,
    /// Longest shortage episode [days].
    pub longest_shortage: u32,
}

impl SeriesOutcome {
    /// Need met on the day it arose: `demanded − unmet`.
    pub fn met_on_time(&self) -> u64 {
        self.demanded - self.unmet
    }
}

/// Everything one trial reports.
#[derive(Debug, Clone, Default)]
pub struct TrialOutcome {
    /// Trial index.
    pub trial: u64,
    /// Totals per series, in scenario series order.
    pub series: Vec<SeriesOutcome>,
    /// End-of-day stock at each reporting day, `[series * reports + report]`.
    pub stock: Vec<u64>,
    /// Need arising in each reporting period, same layout. This and the next three
    /// are written for the series a front draws on ([`super::Model::consumers`]); the
    /// entries of other series are 0.
    pub demanded: Vec<u64>,
    /// Rounds fired in each reporting period (on time or late), same layout.
    pub consumed: Vec<u64>,
    /// Need met on the day it arose in each reporting period, same layout.
    pub met: Vec<u64>,
    /// Shortage days in each reporting period, same layout.
    pub short_days: Vec<u64>,
    /// The value each input took (see [`super::inputs`]), when the model records them;
    /// NaN for an input not drawn (a contract awarded after the horizon).
    pub inputs: Vec<f64>,
}

impl TrialOutcome {
    /// Checks conservation on every series; returns a description of the first breach.
    pub fn conservation_breach(&self) -> Option<String> {
        self.series.iter().enumerate().find_map(|(i, s)| {
            let inflow = u128::from(s.initial)
                + u128::from(s.produced)
                + u128::from(s.delivered)
                + s.received;
            let outflow = s.sent + u128::from(s.consumed);
            (inflow.checked_sub(outflow) != Some(u128::from(s.final_stock))).then(|| {
                format!("series {i}: initial {} + produced {} + delivered {} + received {} - sent {} - consumed {} != final {}",
                    s.initial, s.produced, s.delivered, s.received, s.sent, s.consumed, s.final_stock)
            })
        })
    }
}
