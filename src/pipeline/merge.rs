//! `drawdown merge`: shard folders → exactly the folder one machine would have written.
//!
//! Memory stays bounded whatever the number of shards: a first pass reads only each
//! shard's manifest (the aggregate in its `partial.json` is skipped while parsing), and
//! the aggregates are then read and merged one at a time, in trial order; `trials.csv`
//! is streamed line by line.

mod check;

use super::{Loaded, PARTIAL_FILE, Partial, RunSummary, placement, write_outputs};
use crate::error::{Error, Result};
use crate::export::Manifest;
use crate::export::manifest::{FileRecord, Fingerprint};
use crate::export::{self, OutputDir, Report};
use crate::model::{Model, Period};
use crate::runner::budget;
use check::check_complete;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Merges the shard folders `dirs` (any order) into `out`, refusing to start when its
/// estimated memory is above `max_memory` (half the physical memory when `None`).
///
/// # Errors
/// [`Error::Usage`] when the shards do not belong together or some are missing, or the
/// merge would not fit in memory; I/O errors naming the file.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    force: bool,
    max_memory: Option<u64>,
) -> Result<RunSummary> {
    let clock = Instant::now();
    let mut parts: Vec<(PathBuf, Head)> = dirs
        .iter()
        .map(|d| read_head(d).map(|p| (d.clone(), p)))
        .collect::<Result<_>>()?;
    parts.sort_by_key(|(_, p)| p.manifest.trial_range[0]);
    check_complete(&parts)?;
    for (dir, p) in &parts {
        verify_files(dir, p)?;
    }
    let (first_dir, _) = &parts[0];
    let first = read_partial(first_dir)?;
    let loaded = Loaded::from_text(
        &first.manifest.scenario_file,
        &first.scenario_text,
        &first.manifest.overrides,
    )?;
    let model = Model::with_period(loaded.scenario.clone(), manifest_period(&first.manifest)?);
    check_memory(&model, &parts, max_memory)?;
    let mut aggregate = first.aggregate;
    for (dir, head) in &parts[1..] {
        let part = read_partial(dir)?;
        if part.manifest != head.manifest {
            return Err(Error::Usage(format!(
                "shard '{}' changed while it was being merged; merge again",
                dir.display()
            )));
        }
        aggregate.merge(&part.aggregate);
    }
    let dir = OutputDir::create(out, &placement(&loaded, dirs, force))?;
    let trials_record = concat_trials(&parts, &dir.file("trials.csv"))?;
    let mut manifest = first.manifest.clone();
    manifest.trials = aggregate.trials;
    manifest.trial_range = [0, aggregate.trials];
    manifest.shard = "1/1".into();
    // The merged folder writes the workbook and redraws the charts when the shards did
    // (`manifest.xlsx`, `manifest.plots`), and lists only the files it holds.
    manifest.files = Default::default();
    manifest.threads = parts
        .iter()
        .map(|(_, p)| p.manifest.threads)
        .max()
        .unwrap_or(1);
    manifest.started = parts
        .iter()
        .map(|(_, p)| p.manifest.started.clone())
        .min()
        .unwrap_or_default();
    manifest.finished = export::manifest::now_utc();
    manifest.wall_seconds = parts
        .iter()
        .map(|(_, p)| p.manifest.wall_seconds)
        .sum::<f64>()
        + clock.elapsed().as_secs_f64();
    let report = Report {
        model: &model,
        aggregate: &aggregate,
    };
    write_outputs(&dir, &report, &mut manifest, trials_record)?;
    let table = export::terminal::table(&report);
    let dir_notes = dir.swept().to_vec();
    let dir = dir.commit()?;
    Ok(RunSummary {
        dir,
        table,
        trials: aggregate.trials,
        wall_seconds: manifest.wall_seconds,
        precision_reached: None,
        notes: dir_notes,
    })
}

/// Refuses a merge of `parts` whose estimated peak memory
/// ([`budget::merge_bytes`], and the workbook when the shards wrote one) is above the
/// limit.
fn check_memory(model: &Model, parts: &[(PathBuf, Head)], max_memory: Option<u64>) -> Result<()> {
    let Some(limit) = super::memory_limit(max_memory) else {
        return Ok(());
    };
    let shard_trials = |p: &Head| p.manifest.trial_range[1] - p.manifest.trial_range[0];
    let trials: u64 = parts.iter().map(|(_, p)| shard_trials(p)).sum();
    let largest = parts
        .iter()
        .map(|(_, p)| shard_trials(p))
        .max()
        .unwrap_or(0);
    let m = &parts[0].1.manifest;
    let workbook = super::workbook_bytes(model, trials, m.xlsx);
    let need =
        budget::merge_bytes(model, trials, largest, m.xlsx || m.plots).saturating_add(workbook);
    if need <= limit {
        return Ok(());
    }
    Err(super::over_memory(
        "merge",
        need,
        &format!(
            "{} shards, {trials} trials, {} series × {} reporting days{}",
            parts.len(),
            model.scenario.series.len(),
            model.report_days.len(),
            if m.xlsx { ", the workbook" } else { "" }
        ),
        limit,
        "merge on a machine with more memory",
    ))
}

/// The reporting period a shard was run with (every `step_days` when none is named).
fn manifest_period(m: &export::Manifest) -> Result<Period> {
    match &m.period {
        None => Ok(Period::Days(m.step_days.max(1))),
        Some(p) => p
            .parse()
            .map_err(|e| Error::Usage(format!("shard manifest: period: {e}"))),
    }
}

/// A shard file's manifest, without its aggregate (see [`read_head`]).
struct Head {
    manifest: Manifest,
}

/// Opens a shard folder's `partial.json`, with a usage error when `dir` is not a shard
/// folder.
fn open_partial(dir: &Path) -> Result<(PathBuf, BufReader<File>)> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "'{}' is not a shard folder: {} (give the folders written by drawdown run --shard K/N)",
            dir.display(),
            if dir.exists() {
                "it is a file"
            } else {
                "no such folder"
            }
        )));
    }
    let path = dir.join(PARTIAL_FILE);
    let file = File::open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Usage(format!(
            "'{}' is not a shard folder: it has no {PARTIAL_FILE} (write shards with drawdown run --shard K/N)",
            dir.display()
        )),
        _ => Error::io("reading", &path, e),
    })?;
    Ok((path, BufReader::new(file)))
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!(
        "'{}' is not a valid shard file: {e}",
        path.display()
    ))
}

/// Reads a shard folder's whole `partial.json`.
fn read_partial(dir: &Path) -> Result<Partial> {
    let (path, reader) = open_partial(dir)?;
    serde_json::from_reader(reader).map_err(|e| invalid(&path, e))
}

/// Reads the manifest of a shard folder's `partial.json`, its first field, and stops
/// there: the rest (the scenario and the aggregate, nearly all of the file) is not even
/// lexed. A file whose manifest comes later is read up to it.
fn read_head(dir: &Path) -> Result<Head> {
    use serde::de::{IgnoredAny, MapAccess, Visitor};
    /// Takes the `manifest` entry of the top-level object and returns at once.
    struct First(Option<Manifest>);
    impl<'de> Visitor<'de> for &mut First {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a shard file: an object with a manifest")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "manifest" {
                    self.0 = Some(map.next_value()?);
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let (path, reader) = open_partial(dir)?;
    let mut first = First(None);
    let mut de = serde_json::Deserializer::from_reader(reader);
    // Returning before the object's end makes the parser report what follows the
    // manifest as an error: with the manifest in hand, that error is expected.
    let read = serde::Deserializer::deserialize_map(&mut de, &mut first);
    match (first.0, read) {
        (Some(manifest), _) => Ok(Head { manifest }),
        (None, Err(e)) => Err(invalid(&path, e)),
        (None, Ok(())) => Err(invalid(&path, "missing field `manifest`")),
    }
}

/// Checks every file a shard's manifest lists against its SHA-256, size and row count,
/// so that a truncated, extended or edited shard is refused rather than merged.
/// `trials.csv`, the large one, is checked while it is concatenated
/// ([`concat_trials`]), so that it is read once.
fn verify_files(dir: &Path, p: &Head) -> Result<()> {
    let listed = &p.manifest.files;
    if !listed.contains_key("trials.csv") {
        return Err(Error::Usage(format!(
            "'{}' lists no file fingerprints: it was written by an older drawdown; re-run that shard",
            dir.display()
        )));
    }
    for (name, expected) in listed.iter().filter(|(n, _)| *n != "trials.csv") {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "shard '{}': {name} is missing",
                dir.display()
            )));
        }
        let got = FileRecord::of(&path)?;
        if got != *expected {
            return Err(damaged(dir, name, &got, expected));
        }
    }
    Ok(())
}

fn damaged(dir: &Path, name: &str, got: &FileRecord, expected: &FileRecord) -> Error {
    Error::Usage(format!(
        "shard '{}': {name} is not the file the shard wrote ({} rows and {} bytes, expected {} rows and {} bytes; SHA-256 differs): it was truncated or edited; re-run that shard",
        dir.display(),
        got.rows,
        got.bytes,
        expected.rows,
        expected.bytes
    ))
}

/// Concatenates the shards' `trials.csv` in trial order, keeping one header, and
/// returns the merged file's fingerprint. Each shard's file is checked against the
/// fingerprint its manifest lists as it is read (a damaged one is refused).
fn concat_trials(parts: &[(PathBuf, Head)], out: &Path) -> Result<FileRecord> {
    let file = File::create(out).map_err(|e| Error::io("creating", out, e))?;
    let mut w = BufWriter::new(Fingerprint::new(file));
    let mut line = Vec::new();
    for (k, (dir, p)) in parts.iter().enumerate() {
        let path = dir.join("trials.csv");
        let file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::Usage(format!("shard '{}': trials.csv is missing", dir.display()))
            }
            _ => Error::io("reading", &path, e),
        })?;
        let mut reader = BufReader::new(file);
        let mut shard = Fingerprint::new(std::io::sink());
        let mut first = true;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io("reading", &path, e))?;
            if n == 0 {
                break;
            }
            shard.update(&line);
            if !first || k == 0 {
                w.write_all(&line)
                    .map_err(|e| Error::io("writing", out, e))?;
            }
            first = false;
        }
        let (_, got) = shard.finish(true);
        let expected = &p.manifest.files["trials.csv"];
        if got != *expected {
            return Err(damaged(dir, "trials.csv", &got, expected));
        }
    }
    let print = w
        .into_inner()
        .map_err(|e| Error::io("writing", out, e.into_error()))?;
    Ok(print.finish(true).1)
}
