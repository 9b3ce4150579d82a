//! The workbook of an analysis (`drawdown sweep`, `tornado`, `sobol`, `rank` with
//! `--xlsx`): an `overview` front sheet (what was run, the command's headline table,
//! how to read a paired difference or an index), one sheet per CSV table the command
//! writes (`sweep` and `points`, `tornado`, `sobol`, `rank`) with the same cell kinds
//! and formats as a run's sheets, and a `charts` sheet of native Excel charts over
//! those cells (see [`super::design_charts`]) with the data sheet they derive from.
//!
//! Like a run's workbook it is a pure function of the command's result: fixed
//! creation time, fixed zip timestamps, so equal runs give equal bytes.

use super::{design_charts, new_book, sheet_name, sheets, xlsx_err};
use crate::error::Result;
use crate::export::manifest::Manifest;
use crate::export::tables::{Row, Table, find};
use crate::scenario::Scenario;

/// What the command's front sheet quotes from its main table.
#[derive(Debug, Clone)]
pub struct Headline {
    /// The table quoted (`sweep.csv`, `tornado.csv` …).
    pub file: &'static str,
    /// Its columns, in the order shown.
    pub columns: Vec<String>,
    /// The header shown for each column (its own name where this is shorter).
    pub labels: Vec<String>,
    /// Only the rows with these `(column, value)` cells (e.g. `("metric",
    /// "fill_rate")`); every row when empty.
    pub only: Vec<(String, String)>,
    /// At most this many rows (the sheet of the table has them all).
    pub max_rows: usize,
}

/// The charts of an analysis.
#[derive(Debug, Clone)]
pub enum Charts {
    /// Per charted metric, the estimate with its 95 % interval against the sweep
    /// point, for the series `recipient` (`nation.item`, when it has the metric) and the
    /// series the sweep moves most.
    Sweep {
        /// The recipient series, charted first.
        recipient: Option<String>,
    },
    /// The change at the low and high end of each input, ranked, the first `top` bars.
    Tornado {
        /// Bars charted.
        top: usize,
    },
    /// First-order and total indices with their intervals, the first `top` inputs.
    Sobol {
        /// Inputs charted.
        top: usize,
    },
    /// No chart (`rank`).
    None,
}

/// Everything the workbook of an analysis shows.
#[derive(Debug)]
pub struct Analysis<'a> {
    /// The command (`sweep`, `tornado`, `sobol`, `rank`).
    pub command: &'a str,
    /// The scenario analysed (its name, description and horizon).
    pub scenario: &'a Scenario,
    /// The command's manifest (seed, version, options).
    pub manifest: &'a Manifest,
    /// The tables the command writes, with their file names, in sheet order.
    pub tables: &'a [(&'a str, Table)],
    /// How many trials, in words (`1000 per point, and 1000 for the baseline`).
    pub trials: String,
    /// What the front sheet quotes.
    pub headline: Headline,
    /// How to read the results, one line each.
    pub notes: Vec<String>,
    /// The charts.
    pub charts: Charts,
}

/// The workbook of `analysis` as bytes.
///
/// # Errors
/// [`crate::Error::Other`] when rust_xlsxwriter refuses a value or a table lacks a
/// column its chart needs.
pub fn to_bytes(analysis: &Analysis) -> Result<Vec<u8>> {
    let m = analysis.manifest;
    let s = analysis.scenario;
    let mut book = new_book(&m.scenario)?;
    let mut facts = vec![("command", format!("drawdown {}", analysis.command))];
    facts.extend(m.overrides.iter().map(|o| ("option", o.clone())));
    facts.extend(sheets::facts(s, m, analysis.trials.clone(), None));
    let title = format!("drawdown {}: {}", analysis.command, s.name);
    let front = book.add_worksheet();
    let row = sheets::front(front, &title, &facts)?;
    let (row, fitted) = match quoted(analysis.tables, &analysis.headline) {
        Some((table, metric)) => {
            let name = sheet_name(analysis.headline.file);
            sheets::quoted(front, row, (name, &table), metric.as_deref())?
        }
        None => (row, Vec::new()),
    };
    sheets::closing(front, row, &analysis.notes, &fitted)?;
    for (name, table) in analysis.tables {
        sheets::table(super::data_sheet(&mut book)?, sheet_name(name), table)?;
    }
    design_charts::write(&mut book, analysis.tables, &analysis.charts)?;
    book.save_to_buffer().map_err(xlsx_err)
}

/// The rows and columns of the headline's table that the front sheet shows, with the
/// metric of its first row; `None` when the command wrote no such table.
fn quoted(tables: &[(&str, Table)], h: &Headline) -> Option<(Table, Option<String>)> {
    let table = find(tables, h.file)?;
    let columns: Vec<usize> = h
        .columns
        .iter()
        .filter_map(|c| table.column(c).ok())
        .collect();
    let metric = table.column("metric").ok();
    let header = columns.iter().enumerate().map(|(k, &c)| {
        h.labels
            .get(k)
            .cloned()
            .unwrap_or_else(|| table.header[c].clone())
    });
    let mut out = Table::with_header(header.collect());
    let only: Vec<(usize, &str)> = h
        .only
        .iter()
        .filter_map(|(c, v)| Some((table.column(c).ok()?, v.as_str())))
        .collect();
    let keep = |row: &Row<'_>| only.iter().all(|&(c, v)| &row[c] == v);
    for row in table.rows.iter().filter(|r| keep(r)).take(h.max_rows) {
        out.rows.push(columns.iter().map(|&c| &row[c]));
    }
    let first = metric.and_then(|m| table.rows.first().map(|r| r[m].to_owned()));
    Some((out, first))
}
