//! `drawdown merge`: shard folders → exactly the folder one machine would have written.
//!
//! Memory stays bounded whatever the number of shards: a first pass reads only each
//! shard's manifests (the aggregate in its `partial.json` is skipped while parsing), and
//! the aggregates are then read and merged one at a time, in trial order; `trials.csv`
//! and `inputs.csv` are streamed line by line. Every file of a shard, `partial.json`
//! included, is checked against the fingerprint its `manifest.json` lists (see
//! [`verify`]); the large ones as they are read, so that each is read once.

mod check;
mod verify;

use super::{Loaded, PARTIAL_FILE, Partial, RunSummary, placement, write_outputs};
use crate::error::{Error, Result};
use crate::export::Manifest;
use crate::export::manifest::{FileRecord, Fingerprint};
use crate::export::{self, OutputDir, Report};
use crate::model::{Model, Period};
use crate::runner::{Observer, Silent, budget};
use check::check_complete;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use verify::{Fingerprinted, damaged, verify_files};

/// Merges the shard folders `dirs` (any order) into `out`, refusing to start when its
/// estimated memory is above `max_memory` (half the physical memory when `None`).
///
/// # Errors
/// [`Error::Usage`] when the shards do not belong together, some are missing, a shard
/// holds a file that is not the one it wrote, or the merge would not fit in memory;
/// I/O errors naming the file.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    force: bool,
    max_memory: Option<u64>,
) -> Result<RunSummary> {
    merge_observed(dirs, out, force, max_memory, &Silent)
}

/// [`merge`], stopping when `observer` cancels (a stop signal): nothing is written then
/// and an earlier folder at `out` stays as it was.
///
/// # Errors
/// As [`merge`]; [`Error::Interrupted`] when the observer cancels.
pub fn merge_observed(
    dirs: &[PathBuf],
    out: &Path,
    force: bool,
    max_memory: Option<u64>,
    observer: &dyn Observer,
) -> Result<RunSummary> {
    let clock = Instant::now();
    let stop = || {
        if observer.cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    };
    let mut parts: Vec<(PathBuf, Head)> = dirs
        .iter()
        .map(|d| read_head(d).map(|p| (d.clone(), p)))
        .collect::<Result<_>>()?;
    parts.sort_by_key(|(_, p)| p.manifest.trial_range[0]);
    check_complete(&parts)?;
    for (dir, p) in &parts {
        verify_files(dir, p)?;
        stop()?;
    }
    let (first_dir, first_head) = &parts[0];
    let first = read_partial(first_dir, first_head)?;
    let loaded = Loaded::from_text(
        &first.manifest.scenario_file,
        &first.scenario_text,
        &first.manifest.overrides,
    )?;
    let model = Model::with_period(loaded.scenario.clone(), manifest_period(&first.manifest)?);
    check_memory(&model, &parts, max_memory)?;
    let mut aggregate = first.aggregate;
    for (dir, head) in &parts[1..] {
        stop()?;
        aggregate.merge(&read_partial(dir, head)?.aggregate);
    }
    stop()?;
    let dir = OutputDir::create(out, &placement(&loaded, dirs, force))?;
    let mut manifest = merged_manifest(&first.manifest, &parts, aggregate.trials);
    let trials_record = concat(&parts, "trials.csv", &dir.file("trials.csv"), &stop)?;
    if has_inputs(&first.manifest) {
        let name = export::inputs::FILE;
        let record = concat(&parts, name, &dir.file(name), &stop)?;
        manifest.files.insert(name.to_string(), record);
    }
    manifest.wall_seconds =
        export::manifest::round_seconds(manifest.wall_seconds + clock.elapsed().as_secs_f64());
    let report = Report {
        model: &model,
        aggregate: &aggregate,
    };
    write_outputs(&dir, &report, &mut manifest, trials_record)?;
    stop()?;
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

/// Whether a shard was run with `--inputs` (its manifest lists `inputs.csv`).
fn has_inputs(m: &Manifest) -> bool {
    m.files.contains_key(export::inputs::FILE)
}

/// The manifest of the merged folder, from the first shard's: every trial, the most
/// threads and the earliest start of any shard, the shards' wall times added up (the
/// merge's own is added when it is done), and no files yet. The merged folder writes
/// the workbook and redraws the charts when the shards did (`xlsx`, `plots`).
fn merged_manifest(first: &Manifest, parts: &[(PathBuf, Head)], trials: u64) -> Manifest {
    let mut manifest = first.clone();
    manifest.trials = trials;
    manifest.trial_range = [0, trials];
    manifest.shard = "1/1".into();
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
    manifest.wall_seconds = parts.iter().map(|(_, p)| p.manifest.wall_seconds).sum();
    manifest
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

/// What the first pass learns of a shard (see [`read_head`]).
struct Head {
    /// The shard's manifest: the one `partial.json` holds, which `manifest.json` repeats
    /// with `partial.json`'s own fingerprint added.
    manifest: Manifest,
    /// The fingerprint `partial.json` must have, from `manifest.json`.
    partial: FileRecord,
}

/// Opens a shard folder's `partial.json`, with a usage error when `dir` is not a shard
/// folder.
fn open_partial(dir: &Path) -> Result<(PathBuf, File)> {
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
    Ok((path, file))
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!(
        "'{}' is not a valid shard file: {e}",
        path.display()
    ))
}

/// Reads a shard folder's whole `partial.json`, checking it against the fingerprint
/// in `head` as it is read (a damaged file is refused as such, even when it still
/// parses) and its manifest against `head`'s.
fn read_partial(dir: &Path, head: &Head) -> Result<Partial> {
    let (path, file) = open_partial(dir)?;
    let mut reader = BufReader::new(Fingerprinted::new(file));
    let parsed: std::result::Result<Partial, _> = serde_json::from_reader(&mut reader);
    // The rest of the file, after a parse error, is fingerprinted too.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| Error::io("reading", &path, e))?;
    let got = reader.into_inner().finish(false);
    if got != head.partial {
        return Err(damaged(dir, PARTIAL_FILE, &got, &head.partial));
    }
    let part = parsed.map_err(|e| invalid(&path, e))?;
    if part.manifest != head.manifest {
        return Err(Error::Usage(format!(
            "shard '{}' changed while it was being merged; merge again",
            dir.display()
        )));
    }
    Ok(part)
}

/// Reads the manifest of a shard folder's `partial.json`, its first field, and stops
/// there: the rest (the scenario and the aggregate, nearly all of the file) is not even
/// lexed. A file whose manifest comes later is read up to it. The shard's
/// `manifest.json` must then describe the same shard and list `partial.json`.
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
    let (path, file) = open_partial(dir)?;
    let mut first = First(None);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(file));
    // Returning before the object's end makes the parser report what follows the
    // manifest as an error: with the manifest in hand, that error is expected.
    let read = serde::Deserializer::deserialize_map(&mut de, &mut first);
    match (first.0, read) {
        (Some(manifest), _) => verify::head(dir, manifest),
        (None, Err(e)) => Err(verify::damaged_partial(dir).unwrap_or_else(|| invalid(&path, e))),
        (None, Ok(())) => Err(invalid(&path, "missing field `manifest`")),
    }
}

/// Concatenates the shards' file `name` (`trials.csv`, `inputs.csv`) in trial order,
/// keeping one header, into `out`, and returns the merged file's fingerprint. Each
/// shard's file is checked against the fingerprint its manifest lists as it is read (a
/// damaged one is refused); `stop` is asked every few thousand lines.
fn concat(
    parts: &[(PathBuf, Head)],
    name: &str,
    out: &Path,
    stop: &dyn Fn() -> Result<()>,
) -> Result<FileRecord> {
    let file = File::create(out).map_err(|e| Error::io("creating", out, e))?;
    let mut w = BufWriter::new(Fingerprint::new(file));
    let mut line = Vec::new();
    for (k, (dir, p)) in parts.iter().enumerate() {
        let Some(expected) = p.manifest.files.get(name) else {
            return Err(Error::Usage(format!(
                "shard '{}': its manifest lists no {name}; re-run that shard",
                dir.display()
            )));
        };
        let path = dir.join(name);
        let file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::Usage(format!("shard '{}': {name} is missing", dir.display()))
            }
            _ => Error::io("reading", &path, e),
        })?;
        let mut reader = BufReader::new(file);
        let mut shard = Fingerprint::new(std::io::sink());
        for n in 0_u64.. {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io("reading", &path, e))?;
            if read == 0 {
                break;
            }
            shard.update(&line);
            if n > 0 || k == 0 {
                w.write_all(&line)
                    .map_err(|e| Error::io("writing", out, e))?;
            }
            if n % 4096 == 4095 {
                stop()?;
            }
        }
        let (_, got) = shard.finish(true);
        if got != *expected {
            return Err(damaged(dir, name, &got, expected));
        }
    }
    let print = w
        .into_inner()
        .map_err(|e| Error::io("writing", out, e.into_error()))?;
    Ok(print.finish(true).1)
}
