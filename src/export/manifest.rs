//! `manifest.json`: what was run, how, and when.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The manifest's file name in a result folder.
pub const FILE: &str = "manifest.json";

/// The largest `manifest.json` drawdown reads as its own [bytes]; a real one is a few
/// KB, so anything larger is not a manifest drawdown wrote.
pub const MAX_BYTES: u64 = 64 << 20;

/// The record of a run. Everything but the times is a function of the inputs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always "drawdown".
    pub program: String,
    /// Program version.
    pub version: String,
    /// The command of an analysis (`sweep`, `rank`, `tornado`, `sobol`); absent for a
    /// run, whose folder this manifest describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file, or `<default scenario>`.
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// `--set` overrides, in the order given; for an analysis, followed by its own
    /// options (`--vary …`, `--series …`, `-N …`).
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Trials in these results.
    pub trials: u64,
    /// First and one-past-last trial index.
    pub trial_range: [u64; 2],
    /// Trials asked for (the maximum, with precision stopping).
    pub trials_requested: u64,
    /// Worker threads (does not affect results).
    pub threads: usize,
    /// `K/N` when this is a shard, `1/1` otherwise.
    pub shard: String,
    /// Days between reporting days.
    pub step_days: u32,
    /// Calendar reporting period (`month`, `quarter`, `year`), when not every
    /// `step_days` days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// CSV delimiter, decimal separator and byte-order mark, when not the default
    /// (`,`, `.`, none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<super::CsvFormat>,
    /// Whether the folder holds the workbook `results.xlsx` (`--xlsx`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub xlsx: bool,
    /// Whether the folder holds the SVG charts `plots/*.svg` (`--plots`); `drawdown
    /// merge` redraws them when the shards drew them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plots: bool,
    /// Precision target `--until-ci`, if any.
    pub until_ci: Option<f64>,
    /// With `--until-ci`: whether every tracked interval became narrower than it
    /// before `-n` ran out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ci_reached: Option<bool>,
    /// Start time, UTC ISO 8601.
    pub started: String,
    /// End time, UTC ISO 8601.
    pub finished: String,
    /// Wall time \[s\].
    pub wall_seconds: f64,
    /// Every other file of the folder with its SHA-256 and row count, so that a
    /// truncated or altered file is detected (`drawdown merge` verifies them).
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
}

/// The fingerprint of one file of a result folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size \[bytes\].
    pub bytes: u64,
    /// Data rows (lines after the header) of a CSV file; lines of any other file.
    pub rows: u64,
}

impl FileRecord {
    /// Reads `path` and fingerprints it.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn of(path: &Path) -> Result<FileRecord> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
        let mut print = Fingerprint::new(std::io::sink());
        std::io::copy(&mut file, &mut print).map_err(|e| Error::io("reading", path, e))?;
        Ok(print.finish(is_csv(path)).1)
    }

    /// The fingerprint of `bytes`, the content of file `name`.
    pub fn of_bytes(name: &str, bytes: &[u8]) -> FileRecord {
        let mut print = Fingerprint::new(std::io::sink());
        print.update(bytes);
        print.finish(is_csv(Path::new(name))).1
    }
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "csv")
}

/// A writer that passes bytes on to `W` and fingerprints them on the way (SHA-256,
/// size, lines), so that a file's [`FileRecord`] costs no second read.
#[derive(Debug)]
pub struct Fingerprint<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
    lines: u64,
}

impl<W: std::io::Write> Fingerprint<W> {
    /// Fingerprints what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Fingerprint {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            lines: 0,
        }
    }

    /// Counts `bytes` without writing them anywhere.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        self.lines += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    }

    /// The inner writer and the record of everything written (`csv`: rows are the
    /// lines after the header).
    pub fn finish(self, csv: bool) -> (W, FileRecord) {
        let record = FileRecord {
            sha256: self
                .hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            bytes: self.bytes,
            rows: if csv {
                self.lines.saturating_sub(1)
            } else {
                self.lines
            },
        };
        (self.inner, record)
    }
}

impl<W: std::io::Write> std::io::Write for Fingerprint<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Manifest {
    /// The CSV format the folder's files were written in.
    pub fn csv_format(&self) -> super::CsvFormat {
        self.csv.unwrap_or_default()
    }

    /// The manifest as pretty JSON, ending with a newline.
    ///
    /// # Errors
    /// [`Error::Other`] if serialisation fails.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Other(format!("formatting manifest: {e}")))?;
        Ok((json + "\n").into_bytes())
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `seconds` rounded to the millisecond, as a manifest's `wall_seconds` is written
/// (`7.815996456000001` → `7.816`).
pub fn round_seconds(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Now, as UTC ISO 8601 (`2026-11-25T04:28:00Z`).
pub fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = crate::scenario::Date::from_ymd(1970, 1, 1)
        .map(|d| d.plus_days((secs / 86_400) as i64).to_string())
        .unwrap_or_default();
    let s = secs % 86_400;
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_the_sha256_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn rounds_seconds_to_the_millisecond() {
        assert_eq!(round_seconds(7.815_996_456_000_001), 7.816);
        assert_eq!(round_seconds(0.0004), 0.0);
        assert_eq!(
            serde_json::to_string(&round_seconds(2.0 / 3.0)).unwrap(),
            "0.667"
        );
    }

    #[test]
    fn formats_utc_time() {
        let t = now_utc();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
