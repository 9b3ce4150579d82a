//! `inputs.csv` (`drawdown run --inputs`): the value every uncertain input took in every
//! trial, one row per trial and input (`trial,input,value`), for users who fit their own
//! models of output on inputs. Inputs are the numbers a trial draws once (see
//! [`crate::model::inputs`]); a value is empty when the trial never drew it (a contract
//! awarded after the horizon). Values are written with up to 6 decimals, in the CSV
//! format of the run (`--csv-locale`).

use super::csv_format::CsvFormat;
use super::format;
use super::manifest::{FileRecord, Fingerprint};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::results::{RowSink, UnitRows};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The file name.
pub const FILE: &str = "inputs.csv";

/// Streams `inputs.csv` as units of trials finish, in trial order.
pub struct InputsWriter {
    out: BufWriter<Fingerprint<File>>,
    path: PathBuf,
    /// Per input id: its path, CSV-escaped, when it is written (uncertain).
    paths: Vec<Option<String>>,
    format: CsvFormat,
}

impl InputsWriter {
    /// Creates `path` and writes the header.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn create(path: &Path, model: &Model, format: &CsvFormat) -> Result<InputsWriter> {
        let file = File::create(path).map_err(|e| Error::io("creating", path, e))?;
        let mut out = BufWriter::with_capacity(1 << 16, Fingerprint::new(file));
        let sep = format.delimiter;
        let header = format!("trial{sep}input{sep}value\n");
        out.write_all(format.preamble())
            .and_then(|()| out.write_all(header.as_bytes()))
            .map_err(|e| Error::io("writing", path, e))?;
        let paths = model
            .inputs
            .defs
            .iter()
            // Paths are dotted ids (letters, digits, `_`, `-`): never quoted.
            .map(|d| d.uncertain().then(|| d.path.clone()))
            .collect();
        Ok(InputsWriter {
            out,
            path: path.to_path_buf(),
            paths,
            format: *format,
        })
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

impl RowSink for InputsWriter {
    type Rendered = Vec<u8>;

    fn render(&self, rows: &UnitRows) -> Vec<u8> {
        let mut text = Vec::new();
        let width = self.paths.len().max(1);
        let sep = self.format.delimiter;
        for (t, values) in (rows.first..).zip(rows.inputs.chunks(width)) {
            for (path, v) in self.paths.iter().zip(values) {
                if let Some(path) = path {
                    let value = self.format.cell(&format::decimal(*v, 6)).into_owned();
                    text.extend_from_slice(format!("{t}{sep}{path}{sep}{value}\n").as_bytes());
                }
            }
        }
        text
    }

    fn write(&mut self, rendered: Vec<u8>) -> Result<()> {
        self.out
            .write_all(&rendered)
            .map_err(|e| Error::io("writing", &self.path, e))
    }
}
