//! `results.xlsx` (`--xlsx`): the result folder's tables as one Excel workbook with
//! native charts, for analysts who brief from a spreadsheet.
//!
//! Sheets: `overview` (scenario, description, seed, trials, version, horizon, the
//! headline table and how to read an interval), one sheet per CSV table (`summary`,
//! `depletion`, `stock`, `shortfall`, and `groups`, `fire_ratio` when present) with real
//! numbers and date cells, a frozen header row, an autofilter, fitted widths and number
//! formats (probabilities as %, thousands separators), `charts` (see the `charts` module),
//! `trials` when `trials.csv` fits Excel's 1,048,576 rows (otherwise a note on the
//! overview sheet points to `trials.csv`), and `fan_data`, `need_data`: columns the
//! charts derive from `stock` and `shortfall` (the `derived` module).
//!
//! The workbook is a pure function of the run: its creation time is fixed
//! ([`CREATED`]; the run's real times are in `manifest.json`), and rust_xlsxwriter
//! writes fixed zip timestamps, so equal runs give equal bytes.

mod analysis;
mod charts;
mod derived;
mod design_charts;
mod sheets;

pub use analysis::{Analysis, Charts, Headline, to_bytes as analysis_to_bytes};
pub use design_charts::SERIES_PER_CHART;

use super::Report;
use super::manifest::Manifest;
use super::tables::Table;
use crate::error::{Error, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::Path;

/// The workbook's file name in the result folder.
pub const FILE: &str = "results.xlsx";

/// Rows of an Excel worksheet (header included).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;

/// Bytes a workbook takes while it is made, per cell of its table and trials sheets:
/// the zipped bytes, held whole before they are written, and rust_xlsxwriter's working
/// copies (see `runner::budget`, whose estimate this completes).
const CELL_BYTES: u64 = 16;
/// Cells of a column's rows (series × reporting day) across the sheets `stock`,
/// `depletion`, `shortfall`, `fan_data` and `need_data`.
const COLUMN_CELLS: u64 = 48;
/// Cells of a `trials.csv` row.
const TRIAL_CELLS: u64 = 24;

/// Estimated memory [bytes] of making the workbook of a run with `columns` columns
/// (series × reporting days) and `trial_rows` rows of `trials.csv` (left out of the
/// workbook from [`EXCEL_MAX_ROWS`] on).
pub fn memory_bytes(columns: u64, trial_rows: u64) -> u64 {
    let trial_cells = if trial_rows < EXCEL_MAX_ROWS {
        trial_rows * TRIAL_CELLS
    } else {
        0
    };
    columns
        .saturating_mul(COLUMN_CELLS)
        .saturating_add(trial_cells)
        .saturating_mul(CELL_BYTES)
}

/// The creation time written into every workbook (2000-01-01T00:00:00Z), so that the
/// file is reproducible byte for byte.
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Where the rows of `trials.csv` come from, and how many there are.
#[derive(Debug, Clone, Copy)]
pub struct TrialsSource<'a> {
    /// The file (in the folder's CSV format).
    pub path: &'a Path,
    /// Its data rows.
    pub rows: u64,
    /// Its field delimiter.
    pub delimiter: u8,
}

/// The workbook as bytes.
///
/// # Errors
/// [`Error::Other`] when rust_xlsxwriter refuses a value; [`Error::Io`] when
/// `trials.csv` cannot be read.
pub fn to_bytes(
    report: &Report,
    tables: &[(&str, Table)],
    manifest: &Manifest,
    trials: TrialsSource,
) -> Result<Vec<u8>> {
    let mut book = new_book(&manifest.scenario)?;
    let fits = trials.rows < EXCEL_MAX_ROWS;
    sheets::overview(book.add_worksheet(), report, manifest, trials.rows, fits)?;
    for (name, table) in tables {
        sheets::table(data_sheet(&mut book)?, sheet_name(name), table)?;
    }
    let has_floor = |nation: &str, item: &str| report.floor(nation, item).is_some();
    let options = charts::Options {
        has_floor: &has_floor,
        months_per_label: charts::months_per_label(report.model.scenario.days),
    };
    charts::sheet(book.add_worksheet(), tables, &options)?;
    if fits {
        sheets::trials(data_sheet(&mut book)?, trials)?;
    }
    for layout in [derived::FAN, derived::NEED] {
        let data = format!("{}.csv", layout.1);
        if let Some(table) = super::tables::find(tables, &data) {
            derived::sheet(data_sheet(&mut book)?, layout, table, report)?;
        }
    }
    book.save_to_buffer().map_err(xlsx_err)
}

/// An empty workbook titled after `scenario`, created at [`CREATED`].
fn new_book(scenario: &str) -> Result<Workbook> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2).map_err(xlsx_err)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("drawdown: {scenario}"))
            .set_author("drawdown")
            .set_creation_datetime(&created),
    );
    Ok(book)
}

/// A new worksheet for a table or the trials, written row by row in "low memory" mode:
/// rust_xlsxwriter keeps the row being written and the distinct strings in memory, and
/// the other rows in an unnamed temporary file (in the system's temporary folder,
/// removed by the system when the workbook is done or the process ends). Without it,
/// a workbook of 10 000 default trials took 1.5 GB.
fn data_sheet(book: &mut Workbook) -> Result<&mut rust_xlsxwriter::Worksheet> {
    book.add_worksheet_with_low_memory().map_err(|e| match e {
        XlsxError::TempFileError(dir, source) => Error::Other(format!(
            "writing {FILE}: its sheets go through a temporary file in '{}', which could not be created ({source}); set TMPDIR to a writable folder",
            dir.display()
        )),
        e => xlsx_err(e),
    })
}

/// The sheet of a CSV file: its name without `.csv`.
pub fn sheet_name(file: &str) -> &str {
    file.strip_suffix(".csv").unwrap_or(file)
}

fn xlsx_err(e: XlsxError) -> Error {
    Error::Other(format!("writing {FILE}: {e}"))
}
