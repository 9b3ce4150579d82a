//! `trials.csv`, written as trials finish: one row per trial × nation × item.

use crate::error::{Error, Result};
use crate::model::Model;
use crate::runner::TrialRows;
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
];

/// A streaming writer of `trials.csv`.
pub struct TrialsWriter {
    out: csv::Writer<BufWriter<File>>,
    path: PathBuf,
    labels: Vec<(String, String)>,
    dates: Vec<String>,
}

impl TrialsWriter {
    /// Creates `path` and writes the header (with_header = false for a shard's part
    /// that will be appended to another).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn create(path: &Path, model: &Model) -> Result<TrialsWriter> {
        let file = File::create(path).map_err(|e| Error::io("creating", path, e))?;
        let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file));
        let s = &model.scenario;
        out.write_record(HEADER).map_err(|e| csv_err(path, e))?;
        Ok(TrialsWriter {
            out,
            path: path.to_path_buf(),
            labels: (0..s.series.len())
                .map(|i| {
                    let series = &s.series[i];
                    (
                        s.nations[series.nation].id.clone(),
                        s.items[series.item].id.clone(),
                    )
                })
                .collect(),
            dates: (0..s.days).map(|d| s.date_of(d).to_string()).collect(),
        })
    }

    /// Appends the rows of a block of trials.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn write(&mut self, trials: &[TrialRows]) -> Result<()> {
        let mut buf: Vec<String> = Vec::with_capacity(HEADER.len());
        for t in trials {
            for ((nation, item), o) in self.labels.iter().zip(&t.series) {
                let (day, date) = match o.depletion_day {
                    Some(d) => (
                        d.to_string(),
                        self.dates.get(d as usize).cloned().unwrap_or_default(),
                    ),
                    None => (String::new(), String::new()),
                };
                buf.clear();
                buf.push(t.trial.to_string());
                buf.push(nation.clone());
                buf.push(item.clone());
                buf.push(day);
                for v in [
                    o.min_stock,
                    o.final_stock,
                    o.produced,
                    o.received,
                    o.sent,
                    o.consumed,
                    o.unmet,
                ] {
                    buf.push(v.to_string());
                }
                buf.push(date);
                for v in [
                    o.initial,
                    o.floor,
                    o.delivered,
                    o.demanded,
                    u64::from(o.shortage_episodes),
                    u64::from(o.shortage_days),
                    u64::from(o.longest_shortage),
                ] {
                    buf.push(v.to_string());
                }
                self.out
                    .write_record(&buf)
                    .map_err(|e| csv_err(&self.path, e))?;
            }
        }
        Ok(())
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let mut inner = self
            .out
            .into_inner()
            .map_err(|e| Error::io("writing", &path, e.into_error()))?;
        inner.flush().map_err(|e| Error::io("writing", &path, e))
    }
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    Error::io("writing", path, std::io::Error::other(e.to_string()))
}
