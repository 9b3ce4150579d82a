//! The `charts` sheet of an analysis workbook, with native Excel charts over the table
//! sheets' cells:
//!
//! - **sweep**: one line chart per metric (`fill_rate`, `p_depleted`, `unmet_mean`,
//!   `final_stock_mean`, those the sweep has), the estimate at each point with its
//!   95 % interval as error bars, the points along x labelled by what they set. Each
//!   chart has at most [`SERIES_PER_CHART`] series: the recipient first, then the
//!   series whose paired difference from the baseline is largest at some point (a
//!   series the sweep does not move is left out, and for a count metric a series
//!   less than a twentieth of the largest's size, which would lie flat on the axis);
//!   shares on a 0–100 % axis. The chart reads `sweep_data`, one row
//!   per point, whose cells are formulas over the `sweep` sheet (estimate, and the
//!   distances to the interval's ends that error bars take).
//! - **tornado**: horizontal bars of the change from the baseline at each input's low
//!   and high value, largest swing on top, the first `--top` inputs.
//! - **sobol**: horizontal bars of the total and first-order indices with their 95 %
//!   intervals as error bars (from `sobol_data`, formulas over the `sobol` sheet), in
//!   the table's order (largest total first), the first `--top` inputs.

use super::analysis::Charts;
use super::xlsx_err;
use crate::error::{Error, Result};
use crate::export::tables::{Table, find};
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartAxisLabelPosition, ChartErrorBars, ChartErrorBarsType,
    ChartFormat, ChartLegendPosition, ChartLine, ChartMarker, ChartMarkerType, ChartRange,
    ChartSolidFill, ChartType, Format, Formula, Workbook, Worksheet,
};
use std::collections::BTreeMap;

/// Most series on one sweep chart.
pub const SERIES_PER_CHART: usize = 4;

/// The sweep's metrics that get a chart, in this order.
const SWEEP_METRICS: [&str; 4] = ["fill_rate", "p_depleted", "unmet_mean", "final_stock_mean"];

/// Okabe–Ito colours, as the SVG charts use them.
const COLOURS: [&str; 4] = ["#0072B2", "#E69F00", "#009E73", "#D55E00"];

/// Height of a sweep chart [pixels].
const SWEEP_HEIGHT: u32 = 420;

/// Writes the charts sheet (and its data sheet) of `charts` over `tables`.
pub(super) fn write(book: &mut Workbook, tables: &[(&str, Table)], charts: &Charts) -> Result<()> {
    match charts {
        Charts::None => Ok(()),
        Charts::Sweep { recipient } => match find(tables, "sweep.csv") {
            Some(t) => on("sweep", sweep(book, t, recipient.as_deref())),
            None => Ok(()),
        },
        Charts::Tornado { top } => match find(tables, "tornado.csv") {
            Some(t) => on("tornado", tornado(book, t, *top)),
            None => Ok(()),
        },
        Charts::Sobol { top } => match find(tables, "sobol.csv") {
            Some(t) => on("sobol", sobol(book, t, *top)),
            None => Ok(()),
        },
    }
}

/// `f` with the chart being built named in its error.
fn on<T>(chart: &str, f: Result<T>) -> Result<T> {
    f.map_err(|e| Error::Other(format!("writing the workbook's {chart} chart: {e}")))
}

/// A new charts sheet holding `charts` (each with its height in pixels) one below the
/// other.
fn charts_sheet(book: &mut Workbook, charts: &[(Chart, u32)]) -> Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name("charts").map_err(xlsx_err)?;
    let mut row = 0;
    for (chart, height) in charts {
        sheet.insert_chart(row, 0, chart).map_err(xlsx_err)?;
        // Rows are 20 pixels high; three rows apart.
        row += height / 20 + 3;
    }
    Ok(())
}

/// A cell of sheet `data` as a formula over `cells`' `(sheet row, column)` cells, its
/// value cached: `=data!A2`, `=data!A2-data!B2` …
struct Cells<'a> {
    sheet: &'a str,
    table: &'a Table,
}

impl Cells<'_> {
    /// The reference and value of column `col` at sheet row `at` (header at 0).
    fn get(&self, at: u32, col: usize) -> Option<(String, f64)> {
        let text = self.table.rows.get(at as usize - 1)?.get(col)?;
        let value = text.parse::<f64>().ok()?;
        Some((
            format!("{}!{}", self.sheet, row_col_to_cell(at, col as u16)),
            value,
        ))
    }

    /// `=a` (`b` None) or `=a-b`, with its value.
    fn formula(&self, at: u32, a: usize, b: Option<usize>) -> Option<Formula> {
        let (ra, va) = self.get(at, a)?;
        let (text, value) = match b {
            None => (format!("={ra}"), va),
            Some(b) => {
                let (rb, vb) = self.get(at, b)?;
                (format!("={ra}-{rb}"), va - vb)
            }
        };
        Some(Formula::new(text).set_result(value.to_string()))
    }
}

/// Writes `formula` (if any) at `(row, col)` of `sheet` in `format`.
fn put(
    sheet: &mut Worksheet,
    (row, col): (u32, u16),
    formula: Option<Formula>,
    format: &Format,
) -> Result<()> {
    if let Some(f) = formula {
        sheet
            .write_formula_with_format(row, col, f, format)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// The header row of a data sheet, bold and frozen.
fn header(sheet: &mut Worksheet, name: &str, names: &[String]) -> Result<()> {
    sheet.set_name(name).map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    for (c, h) in names.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

/// Error bars from the `plus` and `minus` columns of sheet `data`, rows 1..=`last`.
fn error_bars(data: &str, last: u32, (plus, minus): (u16, u16)) -> ChartErrorBars {
    let range = |c| ChartRange::new_from_range(data, 1, c, last, c);
    let mut bars = ChartErrorBars::new();
    bars.set_type(ChartErrorBarsType::Custom(range(plus), range(minus)))
        .set_end_cap(true)
        .set_format(ChartLine::new().set_color("#404040").set_width(1.0));
    bars
}

/// Whether a metric is a probability or share, shown as %.
fn is_share(metric: &str) -> bool {
    matches!(metric, "p_depleted" | "fill_rate")
}

/// One line of a sweep chart: its series (`nation.item`) and its `sweep` sheet row at
/// each point (`None` where that point has no row).
struct SweepLine {
    series: String,
    rows: Vec<Option<u32>>,
    /// The largest |paired difference| over the points.
    moved: f64,
    /// The largest |estimate| over the points.
    largest: f64,
}

/// The sweep table read by point: the points' labels and, per `(series, metric)`, the
/// rows.
struct SweepIndex {
    labels: Vec<String>,
    specs: Vec<String>,
    lines: BTreeMap<(String, String), SweepLine>,
    order: Vec<(String, String)>,
}

fn index_sweep(t: &Table) -> Result<SweepIndex> {
    let (point, nation, item) = (t.column("point")?, t.column("nation")?, t.column("item")?);
    let (metric, diff) = (t.column("metric")?, t.column("diff")?);
    let estimate = t.column("estimate")?;
    let specs: Vec<String> = t.header[point + 1..nation].to_vec();
    let mut ids: Vec<&str> = Vec::new();
    let mut labels = Vec::new();
    let mut lines: BTreeMap<(String, String), SweepLine> = BTreeMap::new();
    let mut order = Vec::new();
    for (r, row) in t.rows.iter().enumerate() {
        let p = match ids.iter().position(|&id| id == &row[point]) {
            Some(p) => p,
            None => {
                ids.push(row.get(point).unwrap_or_default());
                let specs: Vec<&str> = row.iter().take(nation).skip(point + 1).collect();
                labels.push(specs.join(", "));
                ids.len() - 1
            }
        };
        let key = (
            format!("{}.{}", &row[nation], &row[item]),
            row[metric].to_owned(),
        );
        let line = lines.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            SweepLine {
                series: format!("{}.{}", &row[nation], &row[item]),
                rows: Vec::new(),
                moved: 0.0,
                largest: 0.0,
            }
        });
        if line.rows.len() <= p {
            line.rows.resize(p + 1, None);
        }
        line.rows[p] = Some(r as u32 + 1);
        if let Ok(d) = row[diff].parse::<f64>() {
            line.moved = line.moved.max(d.abs());
        }
        if let Ok(e) = row[estimate].parse::<f64>() {
            line.largest = line.largest.max(e.abs());
        }
    }
    for line in lines.values_mut() {
        line.rows.resize(labels.len(), None);
    }
    Ok(SweepIndex {
        labels,
        specs,
        lines,
        order,
    })
}

/// The lines charted for `metric`: the recipient, then the series moved most.
fn chosen<'a>(index: &'a SweepIndex, metric: &str, recipient: Option<&str>) -> Vec<&'a SweepLine> {
    let of_metric: Vec<&SweepLine> = index
        .order
        .iter()
        .filter(|(_, m)| m == metric)
        .filter_map(|k| index.lines.get(k))
        .collect();
    let mut out: Vec<&SweepLine> = of_metric
        .iter()
        .filter(|l| Some(l.series.as_str()) == recipient)
        .copied()
        .collect();
    let mut others: Vec<&SweepLine> = of_metric
        .iter()
        .filter(|l| Some(l.series.as_str()) != recipient && l.moved > 0.0)
        .copied()
        .collect();
    others.sort_by(|a, b| b.moved.total_cmp(&a.moved));
    out.extend(others);
    if out.is_empty() {
        out.extend(of_metric.first());
    }
    out.truncate(SERIES_PER_CHART);
    // Counts of series far apart in size would flatten the small ones on one axis:
    // keep those within a factor of 20 of the largest.
    if !is_share(metric) {
        let top = out.iter().map(|l| l.largest).fold(0.0, f64::max);
        out.retain(|l| l.largest * 20.0 >= top);
    }
    out
}

/// The sweep's charts and their data sheet `sweep_data`.
fn sweep(book: &mut Workbook, t: &Table, recipient: Option<&str>) -> Result<()> {
    let index = index_sweep(t)?;
    let (est, lo, hi) = (
        t.column("estimate")?,
        t.column("ci_low")?,
        t.column("ci_high")?,
    );
    let n = index.labels.len() as u32;
    let cells = Cells {
        sheet: "sweep",
        table: t,
    };
    let mut names = vec!["point".to_string(), "change".to_string()];
    let mut columns: Vec<(u16, &SweepLine, &str)> = Vec::new();
    for metric in SWEEP_METRICS {
        for line in chosen(&index, metric, recipient) {
            columns.push((names.len() as u16, line, metric));
            let name = format!("{} {metric}", line.series);
            names.extend([
                name.clone(),
                format!("{name} minus"),
                format!("{name} plus"),
            ]);
        }
    }
    let mut charts = Vec::new();
    for metric in SWEEP_METRICS {
        let lines: Vec<_> = columns.iter().filter(|c| c.2 == metric).collect();
        if lines.is_empty() {
            continue;
        }
        let mut chart = Chart::new(ChartType::Line);
        chart
            .title()
            .set_name(&format!("{metric} by sweep point, with 95% intervals"));
        chart.x_axis().set_name(&index.specs.join(" × "));
        let y = chart.y_axis();
        y.set_name(metric);
        if is_share(metric) {
            y.set_num_format("0%").set_min(0).set_max(1);
        } else {
            y.set_num_format("#,##0");
        }
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(720).set_height(SWEEP_HEIGHT);
        for (k, (col, line, _)) in lines.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            chart
                .add_series()
                .set_name(line.series.as_str())
                .set_categories(("sweep_data", 1, 1, n, 1))
                .set_values(("sweep_data", 1, *col, n, *col))
                .set_format(ChartLine::new().set_color(colour).set_width(2.0))
                .set_marker(
                    ChartMarker::new()
                        .set_type(ChartMarkerType::Circle)
                        .set_size(6)
                        .set_format(
                            ChartFormat::new()
                                .set_solid_fill(ChartSolidFill::new().set_color(colour)),
                        ),
                )
                .set_y_error_bars(&error_bars("sweep_data", n, (col + 2, col + 1)));
        }
        charts.push((chart, SWEEP_HEIGHT));
    }
    charts_sheet(book, &charts)?;
    let data = book.add_worksheet();
    header(data, "sweep_data", &names)?;
    let text = Format::new();
    let share = Format::new().set_num_format("0.0%");
    let count = Format::new().set_num_format("#,##0.00");
    for (p, label) in index.labels.iter().enumerate() {
        let at = p as u32 + 1;
        data.write_number(at, 0, at as f64).map_err(xlsx_err)?;
        data.write_string_with_format(at, 1, label, &text)
            .map_err(xlsx_err)?;
        for (col, line, metric) in &columns {
            let Some(r) = line.rows[p] else { continue };
            let format = if is_share(metric) { &share } else { &count };
            put(data, (at, *col), cells.formula(r, est, None), format)?;
            put(data, (at, col + 1), cells.formula(r, est, Some(lo)), format)?;
            put(data, (at, col + 2), cells.formula(r, hi, Some(est)), format)?;
        }
    }
    data.autofit();
    Ok(())
}

/// The height of a bar chart of `bars` categories [pixels].
fn bars_height(bars: u32) -> u32 {
    140 + 30 * bars.max(2)
}

/// A horizontal bar chart of `bars` categories, largest on top, its value axis named.
fn bars_chart(title: &str, axis: &str, bars: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name(title);
    chart.x_axis().set_name(axis);
    chart
        .y_axis()
        .set_reverse()
        .set_crossing(ChartAxisCrossing::Max)
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(960).set_height(bars_height(bars));
    chart
}

/// A bar series' fill.
fn solid(colour: &str) -> ChartFormat {
    ChartFormat::new()
        .set_solid_fill(ChartSolidFill::new().set_color(colour))
        .clone()
}

/// The tornado: the change at the low and high end of each input.
fn tornado(book: &mut Workbook, t: &Table, top: usize) -> Result<()> {
    let k = t.rows.len().min(top.max(1)) as u32;
    if k == 0 {
        return charts_sheet(book, &[]);
    }
    let input = t.column("input")? as u16;
    let (series, metric) = (t.column("series")?, t.column("metric")?);
    let Some(first) = t.rows.first() else {
        return charts_sheet(book, &[]);
    };
    let (series, metric) = (&first[series], &first[metric]);
    let mut chart = bars_chart(
        &format!("What moves {metric} of {series}"),
        &format!("change in {metric} from the baseline"),
        k,
    );
    let format = if is_share(metric) { "0.0%" } else { "#,##0" };
    chart.x_axis().set_num_format(format);
    for (name, col, colour) in [
        ("input at its low value", "diff_low", COLOURS[0]),
        ("input at its high value", "diff_high", COLOURS[1]),
    ] {
        let col = t.column(col)? as u16;
        chart
            .add_series()
            .set_name(name)
            .set_categories(("tornado", 1, input, k, input))
            .set_values(("tornado", 1, col, k, col))
            .set_format(&mut solid(colour))
            .set_overlap(100)
            .set_gap(60);
    }
    charts_sheet(book, &[(chart, bars_height(k))])
}

/// The value axis' ends and the step between its labels for the first `rows` rows of
/// `t`: from the smallest to the largest cell of `columns` (each an estimate and its
/// interval's ends), 0 included, with a margin of 4 % of the span, rounded outward to
/// whole steps (the power of ten below the span, or half of it for a span of less
/// than four), so that no error bar runs past the axis (an axis of −0.15 to 0.25 cut
/// intervals reaching −0.302 and 0.396; now −0.4 to 0.5 by 0.1).
fn reach(t: &Table, rows: usize, columns: &[[usize; 3]]) -> (f64, f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for row in t.rows.iter().take(rows) {
        for &c in columns.iter().flatten() {
            if let Some(v) = row.get(c).and_then(|v| v.parse::<f64>().ok())
                && v.is_finite()
            {
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
    }
    let span = (hi - lo).max(1e-9);
    let power = 10f64.powf(span.log10().floor());
    let step = if span >= 4.0 * power {
        power
    } else {
        power / 2.0
    };
    // Padded outward (an end at 0 stays there), whole steps, without the float residue.
    let end = |v: f64, out: f64, round: fn(f64) -> f64| {
        let padded = if v == 0.0 { 0.0 } else { v + out * 0.04 * span };
        (round(padded / step) * step * 1e9).round() / 1e9
    };
    (end(lo, -1.0, f64::floor), end(hi, 1.0, f64::ceil), step)
}

/// The Sobol indices with their intervals, and their data sheet `sobol_data`.
fn sobol(book: &mut Workbook, t: &Table, top: usize) -> Result<()> {
    let k = t.rows.len().min(top.max(1)) as u32;
    let input = t.column("input")?;
    let (series, metric) = (t.column("series")?, t.column("metric")?);
    let ends = |est: &str, lo: &str, hi: &str| -> Result<[usize; 3]> {
        Ok([t.column(est)?, t.column(lo)?, t.column(hi)?])
    };
    let first = ends("first_order", "first_ci_low", "first_ci_high")?;
    let total = ends("total", "total_ci_low", "total_ci_high")?;
    let title = match t.rows.first() {
        Some(r) => format!("Sobol indices of {} of {}", &r[metric], &r[series]),
        None => "Sobol indices".to_string(),
    };
    let mut chart = bars_chart(&title, "share of the output's variance", k);
    let (lo, hi, unit) = reach(t, k as usize, &[first, total]);
    chart
        .x_axis()
        .set_num_format("0.00")
        .set_min(lo)
        .set_max(hi)
        .set_major_unit(unit);
    for (name, cols, data_col, colour) in [
        ("total (with interactions)", total, 3u16, COLOURS[0]),
        ("first order (alone)", first, 1u16, COLOURS[1]),
    ] {
        let col = cols[0] as u16;
        chart
            .add_series()
            .set_name(name)
            .set_categories(("sobol", 1, input as u16, k, input as u16))
            .set_values(("sobol", 1, col, k, col))
            .set_format(&mut solid(colour))
            .set_gap(60)
            .set_x_error_bars(&error_bars("sobol_data", k, (data_col + 1, data_col)));
    }
    charts_sheet(book, &[(chart, bars_height(k))])?;
    let data = book.add_worksheet();
    let names = [
        "input",
        "first_minus",
        "first_plus",
        "total_minus",
        "total_plus",
    ];
    header(data, "sobol_data", &names.map(String::from))?;
    let cells = Cells {
        sheet: "sobol",
        table: t,
    };
    let format = Format::new().set_num_format("0.000");
    for (r, row) in t.rows.iter().enumerate() {
        let at = r as u32 + 1;
        data.write_string(at, 0, &row[input]).map_err(xlsx_err)?;
        for (c, [est, lo, hi]) in [(1u16, first), (3u16, total)] {
            put(data, (at, c), cells.formula(at, est, Some(lo)), &format)?;
            put(data, (at, c + 1), cells.formula(at, hi, Some(est)), &format)?;
        }
    }
    data.autofit();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sobol chart's axis holds every interval with a margin: the tester's chart of
    /// −0.15 to 0.25 cut whiskers reaching −0.302 and 0.396.
    #[test]
    fn the_sobol_axis_reaches_past_every_interval_end() {
        let mut t = Table::with_header(
            [
                "first_order",
                "first_ci_low",
                "first_ci_high",
                "total",
                "total_ci_low",
                "total_ci_high",
            ]
            .map(String::from)
            .to_vec(),
        );
        t.rows
            .push(["0.169", "-0.021", "0.396", "0.22", "0.107", "0.389"]);
        t.rows
            .push(["-0.131", "-0.302", "0.014", "0.01", "-0.05", "0.066"]);
        t.rows.push(["-0.9", "-5", "5", "0", "0", "0"]);
        let (lo, hi, unit) = reach(&t, 2, &[[0, 1, 2], [3, 4, 5]]);
        assert!(lo < -0.302 && hi > 0.396, "{lo} {hi}");
        assert_eq!((lo, hi, unit), (-0.4, 0.5, 0.1));
        // Indices that are all ≥ 0 start at 0; a span under four steps gets half steps.
        assert_eq!(reach(&t, 1, &[[3, 4, 5]]), (0.0, 0.45, 0.05));
    }
}
