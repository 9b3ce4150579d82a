//! The trace of one trial as CSV: every event with the stock after it.

use crate::error::{Error, Result};
use crate::model::{Model, TraceRecord};

/// Columns of a trace file.
pub const HEADER: &[&str] = &[
    "day",
    "date",
    "event",
    "entity",
    "nation",
    "item",
    "quantity",
    "stock_after",
];

/// The trace as CSV bytes.
///
/// # Errors
/// Only if the CSV writer fails in memory.
pub fn to_csv(model: &Model, records: &[TraceRecord]) -> Result<Vec<u8>> {
    let s = &model.scenario;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Other(format!("formatting trace: {e}"));
    w.write_record(HEADER).map_err(fail)?;
    for r in records {
        let series = &s.series[r.series];
        w.write_record([
            r.day.to_string(),
            s.date_of(r.day).to_string(),
            r.kind.name().to_string(),
            r.entity.clone(),
            s.nations[series.nation].id.clone(),
            s.items[series.item].id.clone(),
            r.quantity.to_string(),
            r.stock_after.to_string(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Other(format!("formatting trace: {e}")))
}
