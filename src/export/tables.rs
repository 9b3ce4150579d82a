//! The CSV tables of a result folder, as pure functions of a [`Report`].
//!
//! | file | one row per |
//! |---|---|
//! | `summary.csv` | nation × item × metric |
//! | `depletion.csv` | nation × item × reporting day |
//! | `stock.csv` | nation × item × reporting day |
//! | `shortfall.csv` | consuming nation × item × reporting period |
//! | `groups.csv` | nation group × item × reporting day × k (only with groups) |
//! | `fire_ratio.csv` | fire ratio × reporting period (only with fire ratios) |
//!
//! With a calendar reporting period (`--period month|quarter|year`) every table with a
//! reporting `day` gains a `period` column after `date`, labelling the calendar period
//! that the day closes (`2024-02`, `2024-Q1`, `2024`); with N-day steps the tables are
//! unchanged.

mod ratios;
pub mod rows;

pub use ratios::fire_ratio;

use super::Report;
use super::csv_format::CsvFormat;
use super::format::{mean, prob};
use crate::error::{Error, Result};
use crate::results::SeriesAggregate;
use crate::stats::{Interval, Moments, quantile_rank, quantile_rank_interval, wilson};
pub use rows::{Row, Rows};

/// A table: a header and rows of already formatted cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names (snake_case; a sweep's spec columns are path patterns).
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Rows,
}

impl Table {
    fn new(header: &[&str]) -> Table {
        Table::with_header(header.iter().map(|h| h.to_string()).collect())
    }

    /// An empty table with these column names.
    pub fn with_header(header: Vec<String>) -> Table {
        Table {
            header,
            rows: Rows::new(),
        }
    }

    /// A table from rows of cells, the first being the header (an empty table when
    /// there are no rows).
    pub fn from_rows(rows: Vec<Vec<String>>) -> Table {
        let mut rows = rows.into_iter();
        let mut table = Table::with_header(rows.next().unwrap_or_default());
        table.rows.extend(rows);
        table
    }

    /// The index of column `name`.
    ///
    /// # Errors
    /// [`Error::Other`] naming the column when the table has none of that name.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Other(format!("no column '{name}'")))
    }

    /// The table as CSV bytes in the default format (`,` and `.`).
    ///
    /// # Errors
    /// Only if the CSV writer fails in memory.
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        self.to_csv_as(&CsvFormat::default())
    }

    /// The table as CSV bytes in `format` (delimiter, decimal separator, byte-order
    /// mark); a cell holding the delimiter is quoted.
    ///
    /// # Errors
    /// Only if the CSV writer fails in memory.
    pub fn to_csv_as(&self, format: &CsvFormat) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(format.delimiter_byte())
            .from_writer(format.preamble().to_vec());
        let fail = |e: csv::Error| Error::Other(format!("formatting CSV: {e}"));
        w.write_record(&self.header).map_err(fail)?;
        for row in &self.rows {
            for c in row.iter() {
                w.write_field(format.cell(c).as_bytes()).map_err(fail)?;
            }
            w.write_record(None::<&[u8]>).map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| Error::Other(format!("formatting CSV: {e}")))
    }
}

/// The table written as `file` (`stock.csv` …) among `tables`, if there is one.
pub fn find<'a>(tables: &'a [(&str, Table)], file: &str) -> Option<&'a Table> {
    tables.iter().find(|(n, _)| *n == file).map(|(_, t)| t)
}

/// Builds one table of a report.
pub type Builder = fn(&Report) -> Table;

/// Every table of the folder, with its file name, built (as `build` does) one at a
/// time as the iterator is advanced, so that a caller writing each as it comes holds
/// only one in memory.
pub fn each<'r>(report: &'r Report<'_>) -> impl Iterator<Item = (&'static str, Table)> + 'r {
    let mut builders: Vec<(&'static str, Builder)> = vec![
        ("summary.csv", summary),
        ("depletion.csv", depletion),
        ("stock.csv", stock),
        ("shortfall.csv", shortfall),
    ];
    if !report.model.scenario.groups.is_empty() {
        builders.push(("groups.csv", groups));
    }
    if !report.model.scenario.fire_ratios.is_empty() {
        builders.push(("fire_ratio.csv", fire_ratio));
    }
    builders
        .into_iter()
        .map(|(name, builder)| (name, build(report, builder)))
}

/// Every table of the folder, with its file name.
pub fn all(report: &Report) -> Vec<(&'static str, Table)> {
    each(report).collect()
}

/// The table `builder` makes of `report`, with calendar period labels when the report
/// has calendar periods.
fn build(report: &Report, builder: Builder) -> Table {
    let mut table = builder(report);
    if report.model.period.is_calendar() {
        add_period_labels(&mut table, report);
    }
    table
}

/// With a calendar period, inserts a `period` column (`2024-02`, `2024-Q1`, `2024`)
/// after the `date` of every table with a reporting `day`; others are left as they are.
fn add_period_labels(table: &mut Table, report: &Report) {
    let (Ok(day), Ok(date)) = (table.column("day"), table.column("date")) else {
        return;
    };
    table.header.insert(date + 1, "period".into());
    let mut rows = Rows::new();
    for row in &table.rows {
        let label = row[day]
            .parse()
            .ok()
            .and_then(|d| report.model.period_label(d))
            .unwrap_or_default();
        let cells = row.iter();
        rows.push(
            cells
                .clone()
                .take(date + 1)
                .chain([label.as_str()])
                .chain(cells.skip(date + 1)),
        );
    }
    table.rows = rows;
}

/// `groups.csv`: per nation group, item and reporting day, P(at least k of the group's
/// n members have depleted by that day) for k = 1..=n, with its Wilson interval.
pub fn groups(report: &Report) -> Table {
    let mut t = Table::new(&[
        "group",
        "item",
        "day",
        "date",
        "members",
        "k",
        "p_at_least",
        "ci_low",
        "ci_high",
        "at_least",
        "trials",
    ]);
    let n = report.aggregate.trials;
    let s = &report.model.scenario;
    for g in &report.aggregate.groups {
        let (group, item) = (&s.groups[g.group].named.id, &s.items[g.item].id);
        let members = g.members();
        for (r, &day) in report.model.report_days.iter().enumerate() {
            for k in 1..=members {
                let hits = g.at_least(r, k);
                let ci = wilson(hits, n);
                t.rows.push(vec![
                    group.clone(),
                    item.clone(),
                    day.to_string(),
                    report.date(day),
                    members.to_string(),
                    k.to_string(),
                    prob(ratio(hits, n)),
                    prob(ci.low),
                    prob(ci.high),
                    hits.to_string(),
                    n.to_string(),
                ]);
            }
        }
    }
    t
}

/// `depletion.csv`: P(depleted by day) with its Wilson interval, per reporting day.
pub fn depletion(report: &Report) -> Table {
    let mut t = Table::new(&[
        "nation",
        "item",
        "day",
        "date",
        "p_depleted",
        "ci_low",
        "ci_high",
        "depleted",
        "trials",
    ]);
    let n = report.aggregate.trials;
    for (i, s) in report.aggregate.series.iter().enumerate() {
        if report.is_channel(i) {
            continue;
        }
        let (nation, item) = report.labels(i);
        let cumulative = s.cumulative_depleted();
        for &day in &report.model.report_days {
            let k = cumulative.get(day as usize).copied().unwrap_or(0);
            let ci = wilson(k, n);
            t.rows.push(vec![
                nation.into(),
                item.into(),
                day.to_string(),
                report.date(day),
                prob(ratio(k, n)),
                prob(ci.low),
                prob(ci.high),
                k.to_string(),
                n.to_string(),
            ]);
        }
    }
    t
}

/// `stock.csv`: the end-of-day stock distribution per reporting day (a fan chart).
pub fn stock(report: &Report) -> Table {
    let mut t = Table::new(&[
        "nation",
        "item",
        "day",
        "date",
        "mean",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
        "mean_ci_low",
        "mean_ci_high",
        "min",
        "max",
    ]);
    for (i, s) in report.aggregate.series.iter().enumerate() {
        let (nation, item) = report.labels(i);
        for (k, &day) in report.model.report_days.iter().enumerate() {
            let (h, m) = (&s.stock[k], &s.stock_moments[k]);
            let text = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
            let [p05, p25, p50, p75, p95, min, max] = h
                .quantiles([0.05, 0.25, 0.5, 0.75, 0.95, 0.0, 1.0])
                .map(text);
            let ci = m.ci95();
            let mut row = vec![
                nation.into(),
                item.into(),
                day.to_string(),
                report.date(day),
                mean(m.mean()),
            ];
            row.extend([p05, p25, p50, p75, p95]);
            row.extend([mean(ci.low.max(0.0)), mean(ci.high), min, max]);
            t.rows.push(row);
        }
    }
    t
}

/// `shortfall.csv`: need, fire, fill rate and shortage per reporting period, for every
/// series with demand (definitions in [`crate::model::outcome`]): `unmet_mean` is need
/// not met on the day it arose, `fill_rate` the share met on the day, `p_short` the
/// probability of at least one shortage day in the period, `late_filled_mean` backlog
/// fired in the period, `shortage_days_mean` the mean number of shortage days.
pub fn shortfall(report: &Report) -> Table {
    let mut t = Table::new(&[
        "nation",
        "item",
        "day",
        "date",
        "from_day",
        "from_date",
        "demanded_mean",
        "consumed_mean",
        "unmet_mean",
        "fill_rate",
        "fill_ci_low",
        "fill_ci_high",
        "p_short",
        "p_short_ci_low",
        "p_short_ci_high",
        "late_filled_mean",
        "shortage_days_mean",
    ]);
    let n = report.aggregate.trials;
    let per_trial = |sum: u128| sum as f64 / n.max(1) as f64;
    for (i, s) in report
        .aggregate
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.has_demand())
    {
        let (nation, item) = report.labels(i);
        let mut from = 0;
        for (k, &day) in report.model.report_days.iter().enumerate() {
            let fill = &s.period_fill[k];
            let consumed = s.period_consumed[k];
            let ci = fill.ci95_proportion();
            let short = &s.period_short[k];
            let sci = wilson(short.successes, short.n);
            t.rows.push(vec![
                nation.into(),
                item.into(),
                day.to_string(),
                report.date(day),
                from.to_string(),
                report.date(from),
                mean(per_trial(fill.sum_y)),
                mean(per_trial(consumed)),
                mean(per_trial(fill.sum_y - fill.sum_x)),
                opt(fill.ratio().map(|r| r.min(1.0)), prob),
                opt(ci.map(|c| c.low), prob),
                opt(ci.map(|c| c.high), prob),
                prob(ratio(short.successes, short.n)),
                prob(sci.low),
                prob(sci.high),
                mean(per_trial(consumed - fill.sum_x)),
                mean(per_trial(s.period_short_days[k].into())),
            ]);
            from = day + 1;
        }
    }
    t
}

/// `summary.csv`: one row per series and metric.
pub fn summary(report: &Report) -> Table {
    let mut t = Table::new(&[
        "nation",
        "item",
        "metric",
        "estimate",
        "ci_low",
        "ci_high",
        "trials",
        "estimate_date",
        "ci_low_date",
        "ci_high_date",
    ]);
    let n = report.aggregate.trials;
    for (i, s) in report.aggregate.series.iter().enumerate() {
        let (nation, item) = report.labels(i);
        let mut push = |metric: &str, cells: [String; 3], dates: [String; 3]| {
            let mut row = vec![nation.to_string(), item.to_string(), metric.to_string()];
            row.extend(cells);
            row.push(n.to_string());
            row.extend(dates);
            t.rows.push(row);
        };
        let p = wilson(s.depleted, n);
        let depletion_metrics = !report.is_channel(i);
        if depletion_metrics {
            push(
                "p_depleted",
                [prob(ratio(s.depleted, n)), prob(p.low), prob(p.high)],
                Default::default(),
            );
            for (metric, q) in [
                ("depletion_day_p10", 0.1),
                ("depletion_day_p50", 0.5),
                ("depletion_day_p90", 0.9),
            ] {
                let days = depletion_quantile(s, n, q);
                push(
                    metric,
                    days.map(|d| d.map(|d| d.to_string()).unwrap_or_default()),
                    days.map(|d| d.map(|d| report.date(d)).unwrap_or_default()),
                );
            }
        }
        for (metric, q) in [
            ("final_stock_p05", 0.05),
            ("final_stock_p50", 0.5),
            ("final_stock_p95", 0.95),
        ] {
            let h = &s.final_stock;
            let (lo, hi) = h.quantile_interval(q).unwrap_or((0, 0));
            let cells = [
                h.quantile(q).unwrap_or(0).to_string(),
                lo.to_string(),
                hi.to_string(),
            ];
            push(metric, cells, Default::default());
        }
        let tot = &s.totals;
        let mut means: Vec<(&str, &Moments)> = vec![
            ("initial_stock_mean", &tot.initial),
            ("final_stock_mean", &tot.final_stock),
            ("min_stock_mean", &tot.min_stock),
            ("produced_mean", &tot.produced),
            ("delivered_mean", &tot.delivered),
            ("received_mean", &tot.received),
            ("sent_mean", &tot.sent),
        ];
        if s.has_demand() {
            means.extend([
                ("demanded_mean", &tot.demanded),
                ("consumed_mean", &tot.consumed),
                ("unmet_mean", &tot.unmet),
                ("rationed_mean", &tot.rationed),
                ("late_filled_mean", &tot.late_filled),
                ("final_backlog_mean", &tot.final_backlog),
                ("shortage_episodes_mean", &tot.shortage_episodes),
                ("shortage_days_mean", &tot.shortage_days),
                ("longest_shortage_mean", &tot.longest_shortage),
            ]);
        }
        for (metric, m) in means {
            push(metric, moment_cells(m), Default::default());
        }
        if s.has_demand() {
            let ci = tot.fill.ci95_proportion();
            push(
                "fill_rate",
                [
                    opt(tot.fill.ratio().map(|r| r.min(1.0)), prob),
                    opt(ci.map(|c| c.low), prob),
                    opt(ci.map(|c| c.high), prob),
                ],
                Default::default(),
            );
        }
    }
    t
}

/// The q-quantile of the depletion day over all trials (never-depleted trials count as
/// after the horizon) with its order-statistic interval; `None` means "after the horizon".
pub fn depletion_quantile(s: &SeriesAggregate, n: u64, q: f64) -> [Option<u32>; 3] {
    if n == 0 {
        return [None; 3];
    }
    let (lo, hi) = quantile_rank_interval(n, q);
    [quantile_rank(n, q), lo, hi].map(|rank| s.depletion_day_at_rank(rank))
}

fn moment_cells(m: &Moments) -> [String; 3] {
    let ci: Interval = m.ci95();
    [mean(m.mean()), mean(ci.low.max(0.0)), mean(ci.high)]
}

fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map(f).unwrap_or_default()
}
