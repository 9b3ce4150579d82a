//! The `fan_data` sheet: what the fan charts' shaded bands and floor lines need that
//! the `stock` sheet does not hold as plain columns. Row for row beside `stock` (row
//! `r` here is row `r` there): the band widths as formulas over the `stock` cells
//! (`=stock!H2-stock!G2`, with their values cached so that any reader sees numbers),
//! and the nation's reserve floor.
//!
//! A stacked area chart draws bands as heights stacked on a base: the base `p05`
//! (left unfilled), then `p25 − p05`, `p75 − p25`, `p95 − p75`.

use super::xlsx_err;
use crate::error::Result;
use crate::export::Report;
use crate::export::tables::Table;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Format, Formula, Worksheet};

/// The sheet's name.
pub(super) const SHEET: &str = "fan_data";

/// Its columns: `(header, lower quantile, upper quantile)`; a band is upper − lower,
/// the base has no lower quantile.
const BANDS: [(&str, Option<&str>, &str); 4] = [
    ("p05", None, "p05"),
    ("p25_minus_p05", Some("p05"), "p25"),
    ("p75_minus_p25", Some("p25"), "p75"),
    ("p95_minus_p75", Some("p75"), "p95"),
];

/// Column of the first band (`p05`); the floor follows the bands.
pub(super) const FIRST_BAND: u16 = 2;
/// Column of the reserve floor.
pub(super) const FLOOR: u16 = FIRST_BAND + BANDS.len() as u16;

fn column(table: &Table, name: &str) -> Option<u16> {
    table
        .header
        .iter()
        .position(|&c| c == name)
        .map(|c| c as u16)
}

/// Writes the sheet from the `stock` table (nothing when it lacks a column).
pub(super) fn sheet(sheet: &mut Worksheet, stock: &Table, report: &Report) -> Result<()> {
    sheet.set_name(SHEET).map_err(xlsx_err)?;
    let (Some(nation), Some(item)) = (column(stock, "nation"), column(stock, "item")) else {
        return Ok(());
    };
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("#,##0");
    let headers = ["nation", "item"]
        .into_iter()
        .chain(BANDS.iter().map(|b| b.0))
        .chain(["floor"]);
    for (c, h) in headers.enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(xlsx_err)?;
    }
    for (r, row) in stock.rows.iter().enumerate() {
        let at = r as u32 + 1;
        let (n, i) = (&row[nation as usize], &row[item as usize]);
        sheet.write_string(at, 0, n).map_err(xlsx_err)?;
        sheet.write_string(at, 1, i).map_err(xlsx_err)?;
        for (k, band) in BANDS.iter().enumerate() {
            if let Some(formula) = band_formula(stock, row, at, band) {
                sheet
                    .write_formula_with_format(at, FIRST_BAND + k as u16, formula, &number)
                    .map_err(xlsx_err)?;
            }
        }
        let floor = report.floor(n, i).map_or(0.0, |f| f.0);
        sheet
            .write_number_with_format(at, FLOOR, floor, &number)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    sheet.autofit();
    Ok(())
}

/// `=stock!<upper>-stock!<lower>` for one row, with its value cached.
fn band_formula(
    stock: &Table,
    row: &[String],
    at: u32,
    (_, lower, upper): &(&str, Option<&str>, &str),
) -> Option<Formula> {
    let value = |name: &str| -> Option<(String, f64)> {
        let c = column(stock, name)?;
        let v = row[c as usize].parse::<f64>().ok()?;
        Some((format!("stock!{}", row_col_to_cell(at, c)), v))
    };
    let (up_ref, up) = value(upper)?;
    let (text, result) = match lower {
        Some(lower) => {
            let (low_ref, low) = value(lower)?;
            (format!("={up_ref}-{low_ref}"), up - low)
        }
        None => (format!("={up_ref}"), up),
    };
    Some(Formula::new(text).set_result(result.to_string()))
}
