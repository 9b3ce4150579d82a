//! The charts' data, read from the exported tables: the rows of one `(nation, item)`
//! as numbers, keyed by simulation day. A table without a column a chart needs is an
//! error naming the file and the column; an empty cell (no estimate) is `NaN` and
//! left out of the drawing.

use crate::error::{Error, Result};
use crate::export::Report;
use crate::export::tables::{Row, Table};

/// `(nation id, item id)`.
pub(super) type Id = (String, String);

/// One stock fan: the quantiles of end-of-day stock on each reporting day.
#[derive(Debug, Clone)]
pub(super) struct Fan {
    pub(super) id: Id,
    pub(super) day: Vec<f64>,
    pub(super) p05: Vec<f64>,
    pub(super) p25: Vec<f64>,
    pub(super) p50: Vec<f64>,
    pub(super) p75: Vec<f64>,
    pub(super) p95: Vec<f64>,
    /// The reserve floor [rounds] (its mean when drawn per trial), `None` when zero.
    pub(super) floor: Option<Floor>,
}

/// A reserve floor and whether it is drawn per trial (then the line is its mean).
#[derive(Debug, Clone, Copy)]
pub(super) struct Floor {
    pub(super) rounds: f64,
    pub(super) mean_of_draws: bool,
}

/// One nation's depletion curve: P(depleted by day) with its 95 % interval.
#[derive(Debug, Clone)]
pub(super) struct Curve {
    pub(super) nation: String,
    pub(super) day: Vec<f64>,
    pub(super) p: Vec<f64>,
    pub(super) low: Vec<f64>,
    pub(super) high: Vec<f64>,
}

/// Every nation's depletion curve of one item.
#[derive(Debug, Clone)]
pub(super) struct ItemCurves {
    pub(super) item: String,
    pub(super) curves: Vec<Curve>,
}

/// One consuming series: per reporting period (`from_day..=day`), mean need and fire
/// per day and the fill rate with its interval.
#[derive(Debug, Clone)]
pub(super) struct Need {
    pub(super) id: Id,
    pub(super) from_day: Vec<f64>,
    pub(super) day: Vec<f64>,
    /// Mean need [rounds/day] over the period.
    pub(super) need: Vec<f64>,
    /// Mean fire [rounds/day] over the period.
    pub(super) fire: Vec<f64>,
    pub(super) fill: Vec<f64>,
    pub(super) fill_low: Vec<f64>,
    pub(super) fill_high: Vec<f64>,
}

/// The rows of one `(nation, item)`.
type Rows<'a> = (Id, Vec<Row<'a>>);

/// A table's columns by name.
struct Columns<'a> {
    file: &'a str,
    table: &'a Table,
}

impl<'a> Columns<'a> {
    fn index(&self, name: &str) -> Result<usize> {
        self.table
            .column(name)
            .map_err(|e| Error::Other(format!("drawing charts: {}: {e}", self.file)))
    }

    /// The rows of each `(nation, item)`, in table order.
    fn groups(&self) -> Result<Vec<Rows<'a>>> {
        let (n, i) = (self.index("nation")?, self.index("item")?);
        let mut out: Vec<Rows<'a>> = Vec::new();
        for row in &self.table.rows {
            let id = (row[n].to_owned(), row[i].to_owned());
            match out.last_mut() {
                Some((last, rows)) if *last == id => rows.push(row),
                _ => out.push((id, vec![row])),
            }
        }
        Ok(out)
    }

    /// Column `name` of `rows` as numbers (`NaN` where empty or not a number).
    fn numbers(&self, rows: &[Row<'_>], name: &str) -> Result<Vec<f64>> {
        let c = self.index(name)?;
        Ok(rows
            .iter()
            .map(|r| r[c].parse().unwrap_or(f64::NAN))
            .collect())
    }
}

/// The fan of every series in `stock.csv`, with the scenario's floors.
pub(super) fn fans(stock: &Table, report: &Report) -> Result<Vec<Fan>> {
    let cols = Columns {
        file: "stock.csv",
        table: stock,
    };
    let mut out = Vec::new();
    for (id, rows) in cols.groups()? {
        out.push(Fan {
            day: cols.numbers(&rows, "day")?,
            p05: cols.numbers(&rows, "p05")?,
            p25: cols.numbers(&rows, "p25")?,
            p50: cols.numbers(&rows, "p50")?,
            p75: cols.numbers(&rows, "p75")?,
            p95: cols.numbers(&rows, "p95")?,
            floor: floor_of(report, &id),
            id,
        });
    }
    Ok(out)
}

/// The reserve floor of `(nation, item)` in the scenario, `None` when it is zero.
fn floor_of(report: &Report, id: &Id) -> Option<Floor> {
    report
        .floor(&id.0, &id.1)
        .map(|(rounds, mean_of_draws)| Floor {
            rounds,
            mean_of_draws,
        })
}

/// The depletion curves of `depletion.csv`, grouped by item (in order of first
/// appearance), each item's nations in table order.
pub(super) fn depletion_by_item(depletion: &Table) -> Result<Vec<ItemCurves>> {
    let cols = Columns {
        file: "depletion.csv",
        table: depletion,
    };
    let mut out: Vec<ItemCurves> = Vec::new();
    for ((nation, item), rows) in cols.groups()? {
        let curve = Curve {
            nation,
            day: cols.numbers(&rows, "day")?,
            p: cols.numbers(&rows, "p_depleted")?,
            low: cols.numbers(&rows, "ci_low")?,
            high: cols.numbers(&rows, "ci_high")?,
        };
        match out.iter_mut().find(|c| c.item == item) {
            Some(c) => c.curves.push(curve),
            None => out.push(ItemCurves {
                item,
                curves: vec![curve],
            }),
        }
    }
    Ok(out)
}

/// Need, fire and fill rate of every consuming series in `shortfall.csv`.
pub(super) fn needs(shortfall: &Table) -> Result<Vec<Need>> {
    let cols = Columns {
        file: "shortfall.csv",
        table: shortfall,
    };
    let mut out = Vec::new();
    for (id, rows) in cols.groups()? {
        let from_day = cols.numbers(&rows, "from_day")?;
        let day = cols.numbers(&rows, "day")?;
        let per_day = |totals: Vec<f64>| -> Vec<f64> {
            let lengths = from_day.iter().zip(&day).map(|(a, b)| b - a + 1.0);
            totals.iter().zip(lengths).map(|(t, n)| t / n).collect()
        };
        out.push(Need {
            need: per_day(cols.numbers(&rows, "demanded_mean")?),
            fire: per_day(cols.numbers(&rows, "consumed_mean")?),
            fill: cols.numbers(&rows, "fill_rate")?,
            fill_low: cols.numbers(&rows, "fill_ci_low")?,
            fill_high: cols.numbers(&rows, "fill_ci_high")?,
            from_day,
            day,
            id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&'static str], rows: &[&[&str]]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<String>>())
                .collect(),
        }
    }

    #[test]
    fn need_and_fire_are_per_day_over_each_period() {
        let t = table(
            &[
                "nation",
                "item",
                "day",
                "from_day",
                "demanded_mean",
                "consumed_mean",
                "fill_rate",
                "fill_ci_low",
                "fill_ci_high",
            ],
            &[
                &["r", "x", "0", "0", "100", "100", "1", "1", "1"],
                &["r", "x", "7", "1", "700", "350", "0.5", "0.4", "0.6"],
                &["s", "x", "7", "1", "70", "", "", "", ""],
            ],
        );
        let n = needs(&t).unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].need, vec![100.0, 100.0]);
        assert_eq!(n[0].fire, vec![100.0, 50.0]);
        assert!(n[1].fire[0].is_nan());
    }

    #[test]
    fn a_missing_column_is_named() {
        let t = table(&["nation", "item", "day"], &[&["r", "x", "0"]]);
        let e = depletion_by_item(&t).unwrap_err().to_string();
        assert!(
            e.contains("depletion.csv") && e.contains("p_depleted"),
            "{e}"
        );
    }
}
