//! What one trial produces: per-series totals and the stock path at reporting days.

/// Totals of one (nation, item) stock over one trial. Conservation holds exactly:
/// `initial + produced + delivered + received − sent − consumed = final_stock`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeriesOutcome {
    /// Stock on day 0.
    pub initial: u64,
    /// Reserve floor drawn for this trial.
    pub floor: u64,
    /// First day the end-of-day stock was at or below the floor.
    pub depletion_day: Option<u32>,
    /// Lowest end-of-day stock.
    pub min_stock: u64,
    /// Stock at the end of the last day.
    pub final_stock: u64,
    /// Output of the nation's own factories kept in its stock.
    pub produced: u64,
    /// Contract and procurement deliveries (from factory backlogs or lead-time orders).
    pub delivered: u64,
    /// Aid received.
    pub received: u64,
    /// Aid sent.
    pub sent: u64,
    /// Rounds consumed at the front.
    pub consumed: u64,
    /// Rounds demanded (new demand, excluding carried-over backorders).
    pub demanded: u64,
    /// Demand not met: lost fire, or with backordering the backlog left at the end.
    pub unmet: u64,
    /// Number of shortage episodes (maximal runs of days with demand not fully met).
    pub shortage_episodes: u32,
    /// Days with demand not fully met.
    pub shortage_days: u32,
    /// Longest shortage episode [days].
    pub longest_shortage: u32,
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
    /// Demand in each reporting period, same layout.
    pub demanded: Vec<u64>,
    /// Consumption in each reporting period, same layout.
    pub consumed: Vec<u64>,
}

impl TrialOutcome {
    /// Checks conservation on every series; returns a description of the first breach.
    pub fn conservation_breach(&self) -> Option<String> {
        self.series.iter().enumerate().find_map(|(i, s)| {
            let inflow = s.initial + s.produced + s.delivered + s.received;
            let outflow = s.sent + s.consumed;
            (inflow.checked_sub(outflow) != Some(s.final_stock)).then(|| {
                format!("series {i}: initial {} + produced {} + delivered {} + received {} - sent {} - consumed {} != final {}",
                    s.initial, s.produced, s.delivered, s.received, s.sent, s.consumed, s.final_stock)
            })
        })
    }
}
