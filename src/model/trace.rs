//! One trial's full event log, for reading a single trajectory (`drawdown run --trace`).
//!
//! The model reports every stock movement and state change to a [`Tracer`]. Monte Carlo
//! runs use [`NoTrace`], whose `ON = false` lets the compiler remove every call.

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// Stock on day 0.
    InitialStock,
    /// Factory output kept by its owner.
    Produced,
    /// Factory output or lead-time tranche delivered against an order.
    Delivered,
    /// Aid shipment left the donor.
    Sent,
    /// Aid shipment arrived at the recipient.
    Received,
    /// Demand of the day (quantity demanded).
    Demanded,
    /// Rounds fired.
    Consumed,
    /// Demand not met that day.
    Unmet,
    /// A factory went down (quantity: repair days).
    FactoryDown,
    /// A factory came back.
    FactoryUp,
    /// A demand process changed regime (entity: the new regime).
    RegimeChange,
    /// A contract was awarded (quantity: rounds).
    ContractAwarded,
    /// A procurement review placed an order (quantity: rounds).
    OrderPlaced,
    /// Stock reached the floor (or zero) for the first time.
    Depleted,
}

impl TraceKind {
    /// snake_case name used in the trace CSV.
    pub fn name(self) -> &'static str {
        match self {
            TraceKind::InitialStock => "initial_stock",
            TraceKind::Produced => "produced",
            TraceKind::Delivered => "delivered",
            TraceKind::Sent => "sent",
            TraceKind::Received => "received",
            TraceKind::Demanded => "demanded",
            TraceKind::Consumed => "consumed",
            TraceKind::Unmet => "unmet",
            TraceKind::FactoryDown => "factory_down",
            TraceKind::FactoryUp => "factory_up",
            TraceKind::RegimeChange => "regime_change",
            TraceKind::ContractAwarded => "contract_awarded",
            TraceKind::OrderPlaced => "order_placed",
            TraceKind::Depleted => "depleted",
        }
    }
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRecord {
    /// Simulation day.
    pub day: u32,
    /// What happened.
    pub kind: TraceKind,
    /// The entity involved (factory, transfer, demand, contract id …).
    pub entity: String,
    /// Series whose stock it concerns.
    pub series: usize,
    /// Rounds (or days, for a breakdown).
    pub quantity: u64,
    /// Stock of the series after the event.
    pub stock_after: u64,
}

/// Receives the events of a trial.
pub trait Tracer {
    /// Whether tracing is on; when `false` the model skips building records entirely.
    const ON: bool;
    /// Called for every event when [`Tracer::ON`].
    fn record(&mut self, record: TraceRecord);
}

/// The tracer of Monte Carlo runs: records nothing, costs nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    fn record(&mut self, _record: TraceRecord) {}
}

/// Collects every record in memory (one trial only).
#[derive(Debug, Clone, Default)]
pub struct TraceLog {
    /// Records in the order they happened.
    pub records: Vec<TraceRecord>,
}

impl Tracer for TraceLog {
    const ON: bool = true;
    fn record(&mut self, record: TraceRecord) {
        self.records.push(record);
    }
}
