//! The sheets of derived columns that the charts need and the data sheets do not hold
//! as plain columns, each row for row beside its data sheet (row `r` here is row `r`
//! there), as formulas over that sheet's cells with their values cached, so that any
//! reader sees numbers and a user can trace each one back:
//!
//! - `fan_data` beside `stock`: the fan's bands as a stacked area chart draws them,
//!   a base `p05` (left unfilled) and the widths `p25 − p05`, `p75 − p25`,
//!   `p95 − p75`; then the nation's reserve floor (a number from the scenario);
//! - `need_data` beside `shortfall`: need and fire per day of each reporting period
//!   (`demanded_mean / (day − from_day + 1)`), so that periods of unequal length (the
//!   first day alone, calendar months, a short last period) compare.

use super::sheets::{Kind, Streamed, number_width, text_width};
use super::xlsx_err;
use crate::error::Result;
use crate::export::Report;
use crate::export::tables::{Row, Table};
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Formula, Worksheet};

/// A derived column.
#[derive(Debug, Clone, Copy)]
pub(super) enum Derived {
    /// `=sheet!<column>`.
    Copy(&'static str),
    /// `=sheet!<first>-sheet!<second>`.
    Minus(&'static str, &'static str),
    /// `=sheet!<column>/(sheet!day-sheet!from_day+1)`.
    PerDay(&'static str),
    /// The reserve floor of the row's nation and item.
    Floor,
}

/// A sheet of derived columns: its name, its data sheet, its columns.
pub(super) type Layout = (
    &'static str,
    &'static str,
    &'static [(&'static str, Derived)],
);

/// `fan_data`: see the module docs.
pub(super) const FAN: Layout = (
    "fan_data",
    "stock",
    &[
        ("p05", Derived::Copy("p05")),
        ("p25_minus_p05", Derived::Minus("p25", "p05")),
        ("p75_minus_p25", Derived::Minus("p75", "p25")),
        ("p95_minus_p75", Derived::Minus("p95", "p75")),
        ("floor", Derived::Floor),
    ],
);

/// `need_data`: see the module docs.
pub(super) const NEED: Layout = (
    "need_data",
    "shortfall",
    &[
        ("need_per_day", Derived::PerDay("demanded_mean")),
        ("fire_per_day", Derived::PerDay("consumed_mean")),
    ],
);

/// Column of the first derived column (after `nation` and `item`).
pub(super) const FIRST: u16 = 2;

fn column(table: &Table, name: &str) -> Option<u16> {
    table.column(name).ok().map(|c| c as u16)
}

/// Writes sheet `layout` from `table` (its data sheet); a cell whose inputs are
/// missing or empty stays empty.
pub(super) fn sheet(
    sheet: &mut Worksheet,
    layout: Layout,
    table: &Table,
    report: &Report,
) -> Result<()> {
    let (name, _, columns) = layout;
    sheet.set_name(name).map_err(xlsx_err)?;
    let (Some(nation), Some(item)) = (column(table, "nation"), column(table, "item")) else {
        return Ok(());
    };
    let number = Kind::Integer.format();
    let headers: Vec<&str> = ["nation", "item"]
        .into_iter()
        .chain(columns.iter().map(|c| c.0))
        .collect();
    let mut out = Streamed::start(sheet, &headers, false)?;
    for (r, row) in table.rows.iter().enumerate() {
        let at = r as u32 + 1;
        let (n, i) = (&row[nation as usize], &row[item as usize]);
        sheet.write_string(at, 0, n).map_err(xlsx_err)?;
        sheet.write_string(at, 1, i).map_err(xlsx_err)?;
        out.widen(0, text_width(n));
        out.widen(1, text_width(i));
        for (k, (_, derived)) in columns.iter().enumerate() {
            let col = FIRST + k as u16;
            let value = if let Derived::Floor = derived {
                let floor = report.floor(n, i).map_or(0.0, |f| f.0);
                sheet
                    .write_number_with_format(at, col, floor, &number)
                    .map_err(xlsx_err)?;
                Some(floor)
            } else if let Some((formula, value)) = formula(layout.1, table, row, at, *derived) {
                sheet
                    .write_formula_with_format(at, col, formula, &number)
                    .map_err(xlsx_err)?;
                Some(value)
            } else {
                None
            };
            // As the cell shows it (`#,##0`); a formula by its cached value.
            if let Some(v) = value {
                out.widen(col, number_width(v, Kind::Integer));
            }
        }
    }
    out.finish(sheet, table.rows.len() as u32)
}

/// The formula of one derived cell over sheet `data`, with its value cached (also
/// returned).
fn formula(data: &str, table: &Table, row: Row<'_>, at: u32, d: Derived) -> Option<(Formula, f64)> {
    let cell = |name: &str| -> Option<(String, f64)> {
        let c = column(table, name)?;
        let v = row[c as usize].parse::<f64>().ok()?;
        Some((format!("{data}!{}", row_col_to_cell(at, c)), v))
    };
    let (text, value) = match d {
        Derived::Copy(a) => {
            let (ra, a) = cell(a)?;
            (format!("={ra}"), a)
        }
        Derived::Minus(a, b) => {
            let ((ra, a), (rb, b)) = (cell(a)?, cell(b)?);
            (format!("={ra}-{rb}"), a - b)
        }
        Derived::PerDay(a) => {
            let ((ra, a), (rd, day), (rf, from)) = (cell(a)?, cell("day")?, cell("from_day")?);
            (format!("={ra}/({rd}-{rf}+1)"), a / (day - from + 1.0))
        }
        Derived::Floor => return None,
    };
    Some((Formula::new(text).set_result(value.to_string()), value))
}
