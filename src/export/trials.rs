//! `trials.csv`, written as trials finish: one row per trial × nation × item.

use super::csv_format::CsvFormat;
use super::manifest::{FileRecord, Fingerprint};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::results::{RowSink, UnitRows};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Columns of `trials.csv`.
/// The output contract's columns come first, in its order; extra columns follow.
pub const HEADER: &[&str] = &[
    "trial",
    "nation",
    "item",
    "depletion_day",
    "min_stock",
    "final_stock",
    "produced",
    "received",
    "sent",
    "consumed",
    "unmet",
    "depletion_date",
    "initial_stock",
    "floor",
    "delivered",
    "demanded",
    "shortage_episodes",
    "shortage_days",
    "longest_shortage",
    "late_filled",
    "final_backlog",
    "rationed",
];

/// A streaming writer of `trials.csv`: the rows of each work unit are rendered to CSV
/// text on the worker thread that ran it ([`RowSink::render`]) and appended in trial
/// order.
pub struct TrialsWriter {
    out: BufWriter<Fingerprint<File>>,
    path: PathBuf,
    /// `nation,item` of each series, CSV-escaped, without separators around them.
    labels: Vec<Vec<u8>>,
    /// ISO date of each day.
    dates: Vec<String>,
    /// The field delimiter.
    delimiter: u8,
}

impl TrialsWriter {
    /// Creates `path` and writes the header.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn create(path: &Path, model: &Model) -> Result<TrialsWriter> {
        TrialsWriter::create_as(path, model, &CsvFormat::default())
    }

    /// Creates `path` and writes the header, in `format` (every value is an integer or
    /// a date, so only the delimiter and the byte-order mark apply).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn create_as(path: &Path, model: &Model, format: &CsvFormat) -> Result<TrialsWriter> {
        let file = File::create(path).map_err(|e| Error::io("creating", path, e))?;
        let mut out = BufWriter::with_capacity(1 << 16, Fingerprint::new(file));
        let s = &model.scenario;
        let delimiter = format.delimiter_byte();
        let header = HEADER.join(&format.delimiter.to_string()) + "\n";
        out.write_all(format.preamble())
            .and_then(|()| out.write_all(header.as_bytes()))
            .map_err(|e| Error::io("writing", path, e))?;
        let labels = (0..s.series.len())
            .map(|i| {
                let series = &s.series[i];
                let (nation, item) = (&s.nations[series.nation].id, &s.items[series.item].id);
                csv_fields(&[nation, item], delimiter).map_err(|e| csv_err(path, e))
            })
            .collect::<Result<_>>()?;
        Ok(TrialsWriter {
            out,
            path: path.to_path_buf(),
            labels,
            dates: (0..s.days).map(|d| s.date_of(d).to_string()).collect(),
            delimiter,
        })
    }

    /// Appends the rows of a unit to `text` as CSV lines.
    fn render_into(&self, rows: &UnitRows, text: &mut Vec<u8>) {
        let sep = self.delimiter;
        let number = |text: &mut Vec<u8>, v: u128| {
            text.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        };
        let field = |text: &mut Vec<u8>, v: u128| {
            text.push(sep);
            number(text, v);
        };
        for (trial, series) in rows.trials() {
            for (label, o) in self.labels.iter().zip(series) {
                number(text, u128::from(trial));
                text.push(sep);
                text.extend_from_slice(label);
                text.push(sep);
                if let Some(d) = o.depletion_day {
                    number(text, u128::from(d));
                }
                for v in [
                    o.min_stock.into(),
                    o.final_stock.into(),
                    o.produced.into(),
                    o.received,
                    o.sent,
                    o.consumed.into(),
                    o.unmet.into(),
                ] {
                    field(text, v);
                }
                text.push(sep);
                if let Some(date) = o.depletion_day.and_then(|d| self.dates.get(d as usize)) {
                    text.extend_from_slice(date.as_bytes());
                }
                for v in [
                    o.initial.into(),
                    o.floor.into(),
                    o.delivered.into(),
                    o.demanded.into(),
                    o.shortage_episodes.into(),
                    o.shortage_days.into(),
                    o.longest_shortage.into(),
                    o.late_filled.into(),
                    o.final_backlog.into(),
                    o.rationed.into(),
                ] {
                    field(text, v);
                }
                text.push(b'\n');
            }
        }
    }

    /// Flushes and closes the file, returning its fingerprint.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn finish(self) -> Result<FileRecord> {
        let print = self
            .out
            .into_inner()
            .map_err(|e| Error::io("writing", &self.path, e.into_error()))?;
        Ok(print.finish(true).1)
    }
}

impl RowSink for TrialsWriter {
    type Rendered = Vec<u8>;

    fn render(&self, rows: &UnitRows) -> Vec<u8> {
        let mut text = Vec::with_capacity(rows.outcomes.len() * 96);
        self.render_into(rows, &mut text);
        text
    }

    fn write(&mut self, rendered: Vec<u8>) -> Result<()> {
        self.out
            .write_all(&rendered)
            .map_err(|e| Error::io("writing", &self.path, e))
    }
}

/// `fields` as one CSV record without its line end, quoted where the csv crate quotes.
fn csv_fields(fields: &[&str], delimiter: u8) -> std::result::Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields)?;
    let mut bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    bytes.pop();
    Ok(bytes)
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    Error::io("writing", path, std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SeriesOutcome;
    use crate::scenario::Scenario;

    /// Two series with ids using every kind of character an id may hold.
    const SCENARIO: &str = r#"
[scenario]
name = "rows"
start = "2024-01-01"
end = "2024-01-31"

[items.shell-155]
name = "shell"

[nations.donor_A]
[nations.donor_A.stock.shell-155]
initial = 10

[nations.plain]
[nations.plain.stock.shell-155]
initial = 5
"#;

    /// The rendered rows read back by the csv crate give every value of every outcome,
    /// in the header's column order.
    #[test]
    fn rendered_rows_parse_back_to_the_outcomes() {
        let scenario = Scenario::from_toml("quoting.toml", SCENARIO, &[]).expect("valid");
        let model = Model::new(scenario, 7);
        let dir = tempfile::tempdir().expect("temp dir");
        let writer = TrialsWriter::create(&dir.path().join("trials.csv"), &model).expect("created");
        let outcome = |k: u64| SeriesOutcome {
            initial: 1000 + k,
            floor: 10 + k,
            depletion_day: k.is_multiple_of(2).then_some(k as u32),
            min_stock: 20 + k,
            final_stock: 30 + k,
            produced: 40 + k,
            delivered: 50 + k,
            received: u128::from(60 + k) << 70,
            sent: u128::from(70 + k) << 80,
            consumed: 80 + k,
            demanded: 90 + k,
            unmet: 80 + k,
            late_filled: 30 + k,
            rationed: 5 + k,
            final_backlog: 20 + k,
            shortage_episodes: 1 + k as u32,
            shortage_days: 2 + k as u32,
            longest_shortage: 3 + k as u32,
        };
        let rows = UnitRows {
            first: 17,
            width: 2,
            outcomes: (0..6).map(outcome).collect(),
            inputs: Vec::new(),
        };
        let text = writer.render(&rows);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv")).collect();
        assert_eq!(records.len(), 6);
        let labels: Vec<(&str, &str)> = (0..2)
            .map(|i| {
                let s = &model.scenario.series[i];
                (
                    model.scenario.nations[s.nation].id.as_str(),
                    model.scenario.items[s.item].id.as_str(),
                )
            })
            .collect();
        for (k, record) in records.iter().enumerate() {
            let o = outcome(k as u64);
            let field = |name: &str| {
                let i = HEADER.iter().position(|h| *h == name).expect("column");
                record[i].to_string()
            };
            assert_eq!(record.len(), HEADER.len());
            assert_eq!(field("trial"), (17 + k / 2).to_string());
            assert_eq!((&*field("nation"), &*field("item")), labels[k % 2]);
            let day = o.depletion_day.map(|d| d.to_string()).unwrap_or_default();
            assert_eq!(field("depletion_day"), day);
            let date = o
                .depletion_day
                .map(|d| model.scenario.date_of(d).to_string())
                .unwrap_or_default();
            assert_eq!(field("depletion_date"), date);
            for (name, value) in [
                ("min_stock", o.min_stock.into()),
                ("final_stock", o.final_stock.into()),
                ("produced", o.produced.into()),
                ("received", o.received),
                ("sent", o.sent),
                ("consumed", o.consumed.into()),
                ("unmet", o.unmet.into()),
                ("initial_stock", o.initial.into()),
                ("floor", o.floor.into()),
                ("delivered", o.delivered.into()),
                ("demanded", o.demanded.into()),
                ("shortage_episodes", o.shortage_episodes.into()),
                ("shortage_days", o.shortage_days.into()),
                ("longest_shortage", o.longest_shortage.into()),
                ("late_filled", o.late_filled.into()),
                ("final_backlog", o.final_backlog.into()),
                ("rationed", o.rationed.into()),
            ] {
                let value: u128 = value;
                assert_eq!(field(name), value.to_string(), "{name}");
            }
        }
    }
}
