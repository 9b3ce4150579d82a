//! The `charts` sheet: native Excel charts over the data sheets, one row of charts per
//! nation and item: the stock fan chart (from `stock` and `fan_data`), the depletion
//! curve (from `depletion`) and, for a series with need, need and fire per day (from
//! `need_data`) with the fill rate (from `shortfall`); see [`derived`](super::derived).
//! Below them, one chart per item holds the depletion curves of every nation holding it:
//! ranked as on the SVG chart ([`split_by_risk`]), the seven nations most likely to
//! deplete by the horizon in colour, most likely first, and any others as thin grey
//! lines with one legend entry for all of them.
//! Every chart reads cells of the workbook, so a user can restyle or extend it.
//!
//! The fan is a stacked area chart of the band widths in `fan_data` (formulas over the
//! `stock` cells): p05–p95 shaded light, p25–p75 darker, combined with the median
//! (`stock`'s p50) as a thick line and the reserve floor (`fan_data`) as a dashed red
//! line when the nation keeps one.

use super::derived::{self, FIRST};
use super::sheets::Kind;
use super::{sheet_name, xlsx_err};
use crate::error::{Error, Result};
use crate::export::plots::{PALETTE, split_by_risk};
use crate::export::tables::{Table, find};
use rust_xlsxwriter::{
    Chart, ChartAxisDateUnitType, ChartFormat, ChartLegendPosition, ChartLine, ChartLineDashType,
    ChartSolidFill, ChartType, Worksheet,
};

/// Chart size [pixels] and the rows each row of charts takes.
const WIDTH: u32 = 600;
const HEIGHT: u32 = 360;
const ROWS_PER_CHART: u32 = 19;
const COLS_PER_CHART: u16 = 10;

/// What the charts need besides the tables.
pub(super) struct Options<'a> {
    /// Whether `(nation, item)` keeps a reserve floor.
    pub(super) has_floor: &'a dyn Fn(&str, &str) -> bool,
    /// Months between date labels (1, 2, 3, 6, 12 …), so that a label never repeats.
    pub(super) months_per_label: u16,
}

/// Months between date labels for a horizon of `days`: at most six labels per chart.
pub(super) fn months_per_label(days: u32) -> u16 {
    let months = f64::from(days) / 30.44;
    [1, 2, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|&m| months / f64::from(m) <= 6.0)
        .unwrap_or(120)
}

/// A series' `(nation, item)` with its first and last sheet rows.
type SeriesRows = ((String, String), u32, u32);

/// The rows (1-based sheet rows, header at 0) of each `(nation, item)` in `table`.
///
/// # Errors
/// [`Error::Other`] when the table has no `key` or `item` column.
pub(crate) fn series_rows(table: &Table, key: &str) -> Result<Vec<SeriesRows>> {
    let (a, b) = (table.column(key)?, table.column("item")?);
    let mut out: Vec<SeriesRows> = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let id = (row[a].to_owned(), row[b].to_owned());
        let sheet_row = r as u32 + 1;
        match out.last_mut() {
            Some((last, _, end)) if *last == id => *end = sheet_row,
            _ => out.push((id, sheet_row, sheet_row)),
        }
    }
    Ok(out)
}

/// `f` with the chart being built named in its error.
fn on<T>(chart: &str, f: Result<T>) -> Result<T> {
    f.map_err(|e| Error::Other(format!("writing the workbook's {chart} chart: {e}")))
}

/// Writes the charts sheet.
pub(super) fn sheet(sheet: &mut Worksheet, tables: &[(&str, Table)], opts: &Options) -> Result<()> {
    sheet.set_name("charts").map_err(xlsx_err)?;
    let Some(stock) = find(tables, "stock.csv") else {
        return Ok(());
    };
    let rows_of = |file: &str| -> Result<Option<(&Table, Vec<SeriesRows>)>> {
        find(tables, file)
            .map(|t| on(file, series_rows(t, "nation")).map(|r| (t, r)))
            .transpose()
    };
    let depletion = rows_of("depletion.csv")?;
    let shortfall = rows_of("shortfall.csv")?;
    let months = opts.months_per_label;
    let mut charts = Vec::new();
    let stock_rows = on("stock", series_rows(stock, "nation"))?;
    for (k, (id, first, last)) in stock_rows.iter().enumerate() {
        let row = k as u32 * ROWS_PER_CHART;
        let floor = (opts.has_floor)(&id.0, &id.1);
        charts.push((
            row,
            0,
            on("fan", fan(stock, id, (*first, *last), floor, months))?,
        ));
        let lookup = |rows: &Option<(&Table, Vec<SeriesRows>)>| {
            rows.as_ref()
                .and_then(|(_, v)| v.iter().find(|(x, _, _)| x == id).map(|&(_, a, b)| (a, b)))
        };
        if let (Some(rows), Some((t, _))) = (lookup(&depletion), &depletion) {
            let title = format!("{} {}: P(depleted by date)", id.0, id.1);
            let chart = curve(t, &title, &[(id.0.clone(), rows)], 1, months);
            charts.push((row, COLS_PER_CHART, on("depletion", chart)?));
        }
        if let (Some(rows), Some((t, _))) = (lookup(&shortfall), &shortfall) {
            let title = format!("{} {}: need, fire and fill rate", id.0, id.1);
            let chart = need(t, &title, rows, months);
            charts.push((row, 2 * COLS_PER_CHART, on("need", chart)?));
        }
    }
    if let Some((t, rows)) = &depletion {
        let below = stock_rows.len() as u32 * ROWS_PER_CHART;
        for (k, (item, nations)) in by_item(rows).into_iter().enumerate() {
            let title = format!("{item}: P(depleted by date), every nation");
            let (nations, coloured) = on("depletion", most_likely_first(t, nations))?;
            let chart = on("depletion", curve(t, &title, &nations, coloured, months))?;
            let at = (
                below + (k as u32 / 3) * ROWS_PER_CHART,
                (k as u16 % 3) * COLS_PER_CHART,
            );
            charts.push((at.0, at.1, chart));
        }
    }
    for (row, col, chart) in &charts {
        sheet.insert_chart(*row, *col, chart).map_err(xlsx_err)?;
    }
    Ok(())
}

/// One line of a chart: its name and the first and last sheet rows of its values.
type Line = (String, (u32, u32));

/// The series of `rows` grouped by item (in order of first appearance), each with its
/// nations' sheet rows.
fn by_item(rows: &[SeriesRows]) -> Vec<(String, Vec<Line>)> {
    let mut out: Vec<(String, Vec<Line>)> = Vec::new();
    for ((nation, item), first, last) in rows {
        let entry = (nation.clone(), (*first, *last));
        match out.iter_mut().find(|(i, _)| i == item) {
            Some((_, v)) => v.push(entry),
            None => out.push((item.clone(), vec![entry])),
        }
    }
    out
}

/// `lines` of the depletion table `table` in the SVG chart's order ([`split_by_risk`]):
/// those in colour first, most likely to deplete first, then the others; with how
/// many get a colour.
fn most_likely_first(table: &Table, lines: Vec<Line>) -> Result<(Vec<Line>, usize)> {
    let col = table.column("p_depleted")?;
    let p: Vec<Vec<f64>> = lines
        .iter()
        .map(|(_, (first, last))| {
            (*first..=*last)
                .map(|sheet_row| {
                    table
                        .rows
                        .get(sheet_row as usize - 1)
                        .and_then(|row| row.get(col))
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect();
    let p: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
    let (coloured, grey) = split_by_risk(&p);
    let mut lines: Vec<Option<Line>> = lines.into_iter().map(Some).collect();
    let ordered = coloured
        .iter()
        .chain(&grey)
        .filter_map(|&k| lines[k].take())
        .collect();
    Ok((ordered, coloured.len()))
}

/// The sheet column of `name` in `table`.
fn column(table: &Table, name: &str) -> Result<u16> {
    Ok(table.column(name)? as u16)
}

/// A chart of `kind` with a title, dates labelled every `months` months along x, the
/// value axis named, and the legend below the plot.
fn base(kind: ChartType, title: &str, y_name: &str, months: u16) -> Chart {
    let mut chart = Chart::new(kind);
    chart.title().set_name(title);
    chart
        .x_axis()
        .set_date_axis(true)
        .set_num_format("mmm yyyy")
        .set_major_unit(months)
        .set_major_unit_date_type(ChartAxisDateUnitType::Months);
    chart.y_axis().set_name(y_name);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(WIDTH).set_height(HEIGHT);
    chart
}

/// The stock fan chart of one series (sheet rows `first..=last`): p05–p95 and p25–p75
/// as shaded bands, the median, and the floor when `floor`.
fn fan(
    stock: &Table,
    id: &(String, String),
    (first, last): (u32, u32),
    floor: bool,
    months: u16,
) -> Result<Chart> {
    let sheet = sheet_name("stock.csv");
    let data = derived::FAN.0;
    let title = format!("{} {}: end-of-day stock", id.0, id.1);
    let mut chart = base(ChartType::AreaStacked, &title, "rounds", months);
    chart.y_axis().set_num_format("#,##0");
    let date = column(stock, "date")?;
    let outer = || fill(38);
    for (k, (name, mut format)) in [
        (
            "p05",
            ChartFormat::new().set_no_fill().set_no_line().clone(),
        ),
        ("90% of trials (p05-p95)", outer()),
        ("50% of trials (p25-p75)", fill(0)),
        ("p75-p95", outer()),
    ]
    .into_iter()
    .enumerate()
    {
        let col = FIRST + k as u16;
        chart
            .add_series()
            .set_name(name)
            .set_categories((sheet, first, date, last, date))
            .set_values((data, first, col, last, col))
            .set_format(&mut format);
    }
    let mut lines = Chart::new(ChartType::Line);
    let p50 = column(stock, "p50")?;
    lines
        .add_series()
        .set_name("median (p50)")
        .set_categories((sheet, first, date, last, date))
        .set_values((sheet, first, p50, last, p50))
        .set_format(ChartLine::new().set_width(2.5).set_color("#1F4E79"));
    if floor {
        lines
            .add_series()
            .set_name("reserve floor")
            .set_categories((sheet, first, date, last, date))
            .set_values((data, first, FIRST + 4, last, FIRST + 4))
            .set_format(
                ChartLine::new()
                    .set_width(2.0)
                    .set_color("#D55E00")
                    .set_dash_type(ChartLineDashType::Dash),
            );
    }
    chart.combine(&lines);
    // The unfilled base and the second half of the outer band need no legend entry.
    chart.legend().delete_entries(&[0, 3]);
    Ok(chart)
}

/// A band's fill: the fan's blue, `transparency` % see-through.
fn fill(transparency: u8) -> ChartFormat {
    let mut solid = ChartSolidFill::new();
    solid.set_color("#9DC3E6").set_transparency(transparency);
    ChartFormat::new()
        .set_solid_fill(&solid)
        .set_no_line()
        .clone()
}

/// Need and fire per day of each reporting period (from `need_data`) with the fill rate
/// on a second axis.
fn need(table: &Table, title: &str, (first, last): (u32, u32), months: u16) -> Result<Chart> {
    let sheet = "shortfall";
    let data = derived::NEED.0;
    let mut chart = base(ChartType::Line, title, "rounds per day", months);
    // From 0, as on the SVG: Excel and LibreOffice scale a line chart's axis to the
    // data, so a flat 218–221 rounds a day would fill the chart with its noise.
    let scale = Scale::of(per_day_max(table, (first, last))?);
    chart
        .y_axis()
        .set_min(0)
        .set_max(scale.top)
        .set_major_unit(scale.unit)
        .set_num_format(scale.code());
    let date = column(table, "date")?;
    let lines = [
        ("need (mean)", "#000000", 1.5),
        ("fire (mean)", "#0072B2", 2.25),
    ];
    for (k, (name, color, width)) in lines.into_iter().enumerate() {
        let col = FIRST + k as u16;
        chart
            .add_series()
            .set_name(name)
            .set_categories((sheet, first, date, last, date))
            .set_values((data, first, col, last, col))
            .set_format(ChartLine::new().set_width(width).set_color(color));
    }
    let mut rate = Chart::new(ChartType::Line);
    let col = column(table, "fill_rate")?;
    rate.add_series()
        .set_name("fill rate (right axis)")
        .set_categories((sheet, first, date, last, date))
        .set_values((sheet, first, col, last, col))
        .set_secondary_axis(true)
        .set_format(ChartLine::new().set_width(2.0).set_color("#009E73"));
    chart.combine(&rate);
    chart
        .y2_axis()
        .set_name("fill rate")
        .set_min(0)
        .set_max(1)
        .set_num_format("0%");
    Ok(chart)
}

/// The largest need or fire per day of the `shortfall` rows `first..=last` (as
/// `need_data` computes them; 0 when there is none).
fn per_day_max(table: &Table, (first, last): (u32, u32)) -> Result<f64> {
    let (day, from) = (table.column("day")?, table.column("from_day")?);
    let totals = [
        table.column("demanded_mean")?,
        table.column("consumed_mean")?,
    ];
    let mut max = 0.0f64;
    for row in (first..=last).filter_map(|r| table.rows.get(r as usize - 1)) {
        let number = |c: usize| row.get(c).and_then(|v| v.parse::<f64>().ok());
        let (Some(d), Some(f)) = (number(day), number(from)) else {
            continue;
        };
        for v in totals.into_iter().filter_map(number) {
            let v = v / (d - f + 1.0);
            if v.is_finite() {
                max = max.max(v);
            }
        }
    }
    Ok(max)
}

/// A value axis from 0: its top and the step between labels, a round number (1, 2
/// or 5 times a power of ten) giving about five labels, shown with as many decimals
/// as the step needs, so that no two labels read alike (`#,##0` showed an axis of 3.5
/// to 4.5 as `4, 4, 4`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    /// The axis' top [its unit].
    pub(super) top: f64,
    /// The step between labels.
    pub(super) unit: f64,
    /// Decimals shown.
    pub(super) decimals: usize,
}

impl Scale {
    /// The scale of an axis holding values up to `max` (and a little headroom).
    pub(super) fn of(max: f64) -> Scale {
        let target = if max.is_finite() && max > 0.0 {
            max * 1.08
        } else {
            1.0
        };
        let raw = target / 5.0;
        let power = raw.log10().floor() as i32;
        let magnitude = 10f64.powi(power);
        let mantissa = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .find(|m| m * magnitude >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0);
        let unit_power = if mantissa == 10.0 { power + 1 } else { power };
        let decimals = usize::try_from(-unit_power).unwrap_or(0);
        let round = |v: f64| {
            let k = 10f64.powi(decimals as i32);
            (v * k).round() / k
        };
        let unit = round(mantissa * magnitude);
        Scale {
            top: round((target / unit).ceil() * unit),
            unit,
            decimals,
        }
    }

    /// The labels' number format: [`Kind::Integer`]'s, with the decimals.
    pub(super) fn code(&self) -> String {
        let integer = Kind::Integer.code().unwrap_or("#,##0");
        match self.decimals {
            0 => integer.to_string(),
            d => format!("{integer}.{}", "0".repeat(d)),
        }
    }
}

/// P(depleted by date) from the `depletion` sheet, 0–100 %: one line per
/// `(name, sheet rows)`, with a legend when there is more than one. Lines from the
/// `coloured`-th on are thin and grey, with one legend entry for all of them.
fn curve(
    table: &Table,
    title: &str,
    lines: &[Line],
    coloured: usize,
    months: u16,
) -> Result<Chart> {
    let sheet = sheet_name("depletion.csv");
    let mut chart = base(ChartType::Line, title, "probability", months);
    chart.y_axis().set_min(0).set_max(1).set_num_format("0%");
    let (date, col) = (column(table, "date")?, column(table, "p_depleted")?);
    let grey = lines.len().saturating_sub(coloured);
    for (k, (name, (first, last))) in lines.iter().enumerate() {
        let series = chart
            .add_series()
            .set_categories((sheet, *first, date, *last, date))
            .set_values((sheet, *first, col, *last, col));
        if k < coloured {
            // The SVG charts' colours, in the same order (Excel's own repeat shades).
            let c = PALETTE[k % PALETTE.len()];
            let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
            series
                .set_name(name.as_str())
                .set_format(ChartLine::new().set_width(2.25).set_color(hex.as_str()));
        } else {
            // The first grey line names them all in the legend.
            let name = if k == coloured {
                format!("{grey} other nations")
            } else {
                name.clone()
            };
            series
                .set_name(name.as_str())
                .set_format(ChartLine::new().set_width(1.0).set_color("#969696"));
        }
    }
    if grey > 1 {
        let hidden: Vec<usize> = (coloured + 1..lines.len()).collect();
        chart.legend().delete_entries(&hidden);
    }
    if lines.len() < 2 {
        chart.legend().set_hidden();
    }
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::xlsx::sheets::shown;

    /// Over maxima from a thousandth to ten million, the axis reaches past the largest
    /// value, has three to six steps, and no two labels read alike as its format shows
    /// them (`#,##0` showed 3.5 to 4.5 rounds a day as `4, 4, 4`).
    #[test]
    fn an_axis_from_zero_has_distinct_labels_at_any_size() {
        let mut max = 0.001;
        while max < 1e7 {
            let s = Scale::of(max);
            let steps = (s.top / s.unit).round() as usize;
            assert!(s.top >= max && (3..=6).contains(&steps), "{max}: {s:?}");
            let code = s.code();
            let labels: Vec<String> = (0..=steps)
                .map(|k| shown(k as f64 * s.unit, Some(&code)))
                .collect();
            let mut distinct = labels.clone();
            distinct.dedup();
            assert_eq!(distinct, labels, "{max}: {s:?}");
            max *= 1.13;
        }
        // By hand: Belgium's 4 rounds a day, the US's 221, a trickle of 0.3.
        assert_eq!((Scale::of(4.1).top, Scale::of(4.1).unit), (5.0, 1.0));
        assert_eq!(Scale::of(221.0).top, 250.0);
        assert_eq!(Scale::of(0.3).code(), "#,##0.0");
        assert_eq!(Scale::of(0.0).top, 1.0);
    }
}
