//! The `charts` sheet: native Excel charts over the data sheets, one row of charts per
//! nation and item: the stock fan chart (from `stock`), the depletion curve (from
//! `depletion`) and, for a series with need, the fill rate per reporting period (from
//! `shortfall`). Every chart reads its sheet's cells, so a user can restyle or extend it.
//!
//! The fan is drawn as five lines (p05, p25, p50, p75, p95; outer pair thin and dashed,
//! inner pair thin, median thick) rather than shaded bands: bands would need stacked
//! areas over helper columns of differences, which a reader could not trace back to the
//! `stock` sheet's cells.

use super::{sheet_name, xlsx_err};
use crate::error::Result;
use crate::export::tables::Table;
use rust_xlsxwriter::{Chart, ChartLine, ChartLineDashType, ChartType, Worksheet};

/// Chart size [pixels] and the rows each row of charts takes.
const WIDTH: u32 = 520;
const HEIGHT: u32 = 300;
const ROWS_PER_CHART: u32 = 16;
const COLS_PER_CHART: u16 = 9;

/// A series' `(nation, item)` with its first and last sheet rows.
type SeriesRows = ((String, String), u32, u32);

/// The rows (1-based sheet rows, header at 0) of each `(nation, item)` in `table`.
pub(crate) fn series_rows(table: &Table, key: &str) -> Vec<SeriesRows> {
    let col = |name: &str| table.header.iter().position(|&c| c == name);
    let (Some(a), Some(b)) = (col(key), col("item")) else {
        return Vec::new();
    };
    let mut out: Vec<SeriesRows> = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let id = (row[a].clone(), row[b].clone());
        let sheet_row = r as u32 + 1;
        match out.last_mut() {
            Some((last, _, end)) if *last == id => *end = sheet_row,
            _ => out.push((id, sheet_row, sheet_row)),
        }
    }
    out
}

fn find<'a>(tables: &'a [(&str, Table)], file: &str) -> Option<&'a Table> {
    tables.iter().find(|(n, _)| *n == file).map(|(_, t)| t)
}

/// Writes the charts sheet.
pub(super) fn sheet(sheet: &mut Worksheet, tables: &[(&str, Table)]) -> Result<()> {
    sheet.set_name("charts").map_err(xlsx_err)?;
    let Some(stock) = find(tables, "stock.csv") else {
        return Ok(());
    };
    let depletion = find(tables, "depletion.csv").map(|t| series_rows(t, "nation"));
    let shortfall = find(tables, "shortfall.csv").map(|t| series_rows(t, "nation"));
    let mut charts = Vec::new();
    for (k, (id, first, last)) in series_rows(stock, "nation").into_iter().enumerate() {
        let row = k as u32 * ROWS_PER_CHART;
        charts.push((row, 0, fan(stock, &id, first, last)));
        let lookup = |rows: &Option<Vec<SeriesRows>>| {
            rows.as_ref()
                .and_then(|v| v.iter().find(|(x, _, _)| *x == id).map(|&(_, a, b)| (a, b)))
        };
        if let (Some((a, b)), Some(t)) = (lookup(&depletion), find(tables, "depletion.csv")) {
            let title = format!("{} {}: P(depleted by date)", id.0, id.1);
            charts.push((
                row,
                COLS_PER_CHART,
                curve(t, "depletion", "p_depleted", &title, a, b),
            ));
        }
        if let (Some((a, b)), Some(t)) = (lookup(&shortfall), find(tables, "shortfall.csv")) {
            let title = format!("{} {}: fill rate per period", id.0, id.1);
            charts.push((
                row,
                2 * COLS_PER_CHART,
                curve(t, "shortfall", "fill_rate", &title, a, b),
            ));
        }
    }
    for (row, col, chart) in &charts {
        sheet.insert_chart(*row, *col, chart).map_err(xlsx_err)?;
    }
    Ok(())
}

fn column(table: &Table, name: &str) -> u16 {
    table.header.iter().position(|&c| c == name).unwrap_or(0) as u16
}

fn base(title: &str, y_name: &str) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    chart.title().set_name(title);
    chart.x_axis().set_date_axis(true).set_num_format("yyyy-mm");
    chart.y_axis().set_name(y_name);
    chart.set_width(WIDTH).set_height(HEIGHT);
    chart
}

/// The stock fan chart of one series: p05–p95 over the reporting dates.
fn fan(stock: &Table, id: &(String, String), first: u32, last: u32) -> Chart {
    let sheet = sheet_name("stock.csv");
    let mut chart = base(&format!("{} {}: end-of-day stock", id.0, id.1), "rounds");
    let date = column(stock, "date");
    for (name, width, dash) in [
        ("p05", 0.75, true),
        ("p25", 1.25, false),
        ("p50", 2.5, false),
        ("p75", 1.25, false),
        ("p95", 0.75, true),
    ] {
        let col = column(stock, name);
        let mut line = ChartLine::new();
        line.set_width(width).set_color("#1F4E79");
        if dash {
            line.set_dash_type(ChartLineDashType::Dash);
        }
        chart
            .add_series()
            .set_name(name)
            .set_categories((sheet, first, date, last, date))
            .set_values((sheet, first, col, last, col))
            .set_format(&mut line);
    }
    chart
}

/// A probability over the reporting dates, 0–100 %.
fn curve(table: &Table, sheet: &str, value: &str, title: &str, first: u32, last: u32) -> Chart {
    let mut chart = base(title, "probability");
    chart.y_axis().set_min(0).set_max(1).set_num_format("0%");
    let (date, col) = (column(table, "date"), column(table, value));
    chart
        .add_series()
        .set_name(value)
        .set_categories((sheet, first, date, last, date))
        .set_values((sheet, first, col, last, col));
    chart.legend().set_hidden();
    chart
}
