//! `--plots`: the result tables drawn as SVG charts in `<out>/plots/`, sized for a
//! slide (1280 × 720) and meant to be dropped into a briefing as they are.
//!
//! | file | one per | what it shows |
//! |---|---|---|
//! | `fan-<nation>.<item>.svg` | nation × item | end-of-day stock: p05–p95 and p25–p75 bands, the median, the floor |
//! | `depletion-<item>.svg` | item | P(depleted by date) of every nation holding it, with 95 % bands |
//! | `need-<nation>.<item>.svg` | consuming nation × item | need and fire [rounds/day] per reporting period, and the fill rate |
//! | `tornado.svg` (`drawdown tornado`) | analysis | one bar per input, from its low to its high end, as changes from the baseline |
//!
//! Like the workbook, the charts read the exported tables (`stock.csv`,
//! `depletion.csv`, `shortfall.csv` as [`Table`]s), never the runner; the scenario gives
//! only names, the start date and the floors. The x axis is the simulation day, labelled
//! with calendar dates at month, quarter or year starts.
//!
//! The SVG is a pure function of the tables: coordinates are whole pixels and the text
//! is written as `<text>` elements (no font is read: the viewer picks a sans-serif
//! face), so equal runs give equal bytes.

mod axis;
mod data;
mod depletion;
mod draw;
mod fan;
mod need;
pub mod tornado;

pub(crate) use depletion::split_by_risk;
pub(crate) use draw::PALETTE;

use super::manifest::FileRecord;
use super::tables::{Table, find};
use super::{OutputDir, Report};
use crate::error::Result;

/// The folder of the charts inside the result folder.
pub const DIR: &str = "plots";

/// One chart: its path inside the result folder (`plots/…svg`) and its SVG text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plot {
    /// Path relative to the result folder, `/`-separated (`plots/fan-us.shell_155.svg`).
    pub name: String,
    /// The SVG document.
    pub svg: String,
}

/// Every chart of a run, in a fixed order: the fan charts (in `stock.csv` order), the
/// depletion charts (one per item), the need charts (in `shortfall.csv` order).
///
/// # Errors
/// [`crate::error::Error::Other`] naming the chart when a table lacks a column the
/// chart needs or the drawing fails.
pub fn render(report: &Report, tables: &[(&str, Table)]) -> Result<Vec<Plot>> {
    let ctx = draw::Context::new(report);
    let mut plots = Vec::new();
    if let Some(stock) = find(tables, "stock.csv") {
        for series in data::fans(stock, report)? {
            let name = format!("{DIR}/fan-{}.{}.svg", series.id.0, series.id.1);
            let svg = fan::svg(&series, &ctx).map_err(|e| e.on(&name))?;
            plots.push(Plot { name, svg });
        }
    }
    if let Some(depletion) = find(tables, "depletion.csv") {
        for item in data::depletion_by_item(depletion)? {
            let name = format!("{DIR}/depletion-{}.svg", item.item);
            let svg = depletion::svg(&item, &ctx).map_err(|e| e.on(&name))?;
            plots.push(Plot { name, svg });
        }
    }
    if let Some(shortfall) = find(tables, "shortfall.csv") {
        for series in data::needs(shortfall)? {
            let name = format!("{DIR}/need-{}.{}.svg", series.id.0, series.id.1);
            let svg = need::svg(&series, &ctx).map_err(|e| e.on(&name))?;
            plots.push(Plot { name, svg });
        }
    }
    Ok(plots)
}

/// Renders every chart of `report` into the working result folder `dir` (`plots/`,
/// created here), returning each file's name and fingerprint for the manifest. The
/// folder appears at its target only when the whole result folder is committed.
///
/// # Errors
/// As [`render`]; [`crate::error::Error::Io`] naming the file or folder that cannot be written.
pub fn write_into(
    dir: &OutputDir,
    report: &Report,
    tables: &[(&str, Table)],
) -> Result<Vec<(String, FileRecord)>> {
    render(report, tables)?
        .into_iter()
        .map(|plot| {
            let record = dir.write(&plot.name, plot.svg.as_bytes())?;
            Ok((plot.name, record))
        })
        .collect()
}
