//! The commands as library calls: load a scenario, run it into an atomic result
//! folder, merge shards, trace one trial. The binary only parses flags and prints.

use crate::error::{Error, Result};
use crate::export::{self, Manifest, OutputDir, Report, tables, trials::TrialsWriter};
use crate::model::{Model, TraceLog, Workspace};
use crate::runner::{self, Aggregate, Observer, Precision, RunOptions, Shard};
use crate::scenario::{DEFAULT_SCENARIO, Scenario};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Seed used when neither the command line nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 20_220_224;

/// A scenario with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// File path, or `<default scenario>`.
    pub origin: String,
    /// The file's text as read (before overrides).
    pub text: String,
    /// Overrides applied.
    pub overrides: Vec<String>,
}

/// Reads and validates the scenario at `path` (the embedded default when `None`).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Scenario`] when it is invalid.
pub fn load(path: Option<&Path>, overrides: &[String]) -> Result<Loaded> {
    let (origin, text) = match path {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).map_err(|e| Error::io("reading scenario", p, e))?,
        ),
        None => (
            "<default scenario>".to_string(),
            DEFAULT_SCENARIO.to_string(),
        ),
    };
    let scenario = Scenario::from_toml(&origin, &text, overrides)?;
    Ok(Loaded {
        scenario,
        origin,
        text,
        overrides: overrides.to_vec(),
    })
}

/// Everything `drawdown run` needs besides the scenario.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Trials (the maximum with `until_ci`).
    pub trials: u64,
    /// Master seed; the scenario's, else [`DEFAULT_SEED`], when `None`.
    pub seed: Option<u64>,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Result folder; `results/<scenario name>` when `None`.
    pub out: Option<PathBuf>,
    /// Days between reporting days.
    pub step_days: u32,
    /// This process's share of the trials.
    pub shard: Shard,
    /// Stop when every depletion probability's 95 % interval is narrower than this.
    pub until_ci: Option<f64>,
    /// With `until_ci`: track only this `nation.item`.
    pub target: Option<String>,
}

/// What a finished run reports back.
#[derive(Debug)]
pub struct RunSummary {
    /// Where the results are.
    pub dir: PathBuf,
    /// The terminal table.
    pub table: String,
    /// Trials run.
    pub trials: u64,
    /// Wall time [s].
    pub wall_seconds: f64,
    /// With `until_ci`: whether every tracked interval became narrow enough.
    pub precision_reached: Option<bool>,
}

/// The shard file: a partial aggregate that `drawdown merge` combines exactly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    /// The manifest of the shard run.
    pub manifest: Manifest,
    /// The scenario file's text (before overrides).
    pub scenario_text: String,
    /// The shard's aggregate.
    pub aggregate: Aggregate,
}

/// Name of the shard file in a shard's result folder.
pub const PARTIAL_FILE: &str = "partial.json";

/// Runs `loaded` as `req` says, writing the result folder atomically.
///
/// # Errors
/// Usage errors for impossible requests, I/O errors naming the path,
/// [`Error::Interrupted`] when the observer cancels (nothing is written then).
pub fn run(loaded: &Loaded, req: &RunRequest, observer: &dyn Observer) -> Result<RunSummary> {
    let started = (export::manifest::now_utc(), Instant::now());
    let model = Model::new(loaded.scenario.clone(), req.step_days);
    let precision = precision(&model, req)?;
    let opts = RunOptions {
        trials: req.trials,
        seed: req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED),
        threads: req.threads,
        shard: req.shard,
        precision,
    };
    let target = req
        .out
        .clone()
        .unwrap_or_else(|| default_out(&loaded.scenario.name, req.shard));
    let dir = OutputDir::create(&target)?;
    let mut writer = TrialsWriter::create(&dir.file("trials.csv"), &model)?;
    let result = runner::run(&model, &opts, observer, &mut writer)?;
    writer.finish()?;
    let manifest = manifest(loaded, req, &opts, &result, started);
    let report = Report {
        model: &model,
        aggregate: &result.aggregate,
    };
    write_tables(&dir, &report, &manifest)?;
    if req.shard != Shard::ALL {
        write_partial(&dir, loaded, &manifest, &result.aggregate)?;
    }
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    let table = export::terminal::table(&report);
    let precision_reached = precision.map(|p| runner::precision_reached(&result.aggregate, &p));
    let dir = dir.commit()?;
    Ok(RunSummary {
        dir,
        table,
        trials: result.aggregate.trials,
        wall_seconds: manifest.wall_seconds,
        precision_reached,
    })
}

fn precision(model: &Model, req: &RunRequest) -> Result<Option<Precision>> {
    let Some(width) = req.until_ci else {
        return match req.target {
            Some(_) => Err(Error::Usage("--target only applies with --until-ci".into())),
            None => Ok(None),
        };
    };
    if !(width > 0.0 && width < 1.0) {
        return Err(Error::Usage(format!(
            "--until-ci: expected a width between 0 and 1 (e.g. 0.02), got {width}"
        )));
    }
    if req.shard != Shard::ALL {
        return Err(Error::Usage(
            "--until-ci cannot be combined with --shard: the stopping point needs every trial"
                .into(),
        ));
    }
    let target = match &req.target {
        None => None,
        Some(t) => {
            let s = &model.scenario;
            let found = (0..s.series.len()).find(|&i| s.series_label(i) == *t);
            let known: Vec<String> = (0..s.series.len()).map(|i| s.series_label(i)).collect();
            Some(found.ok_or_else(|| {
                Error::Usage(format!(
                    "--target: no series '{t}' (known: {})",
                    known.join(", ")
                ))
            })?)
        }
    };
    Ok(Some(Precision {
        width,
        target,
        max_trials: req.trials,
    }))
}

/// `results/<name>`, or `results/<name>.shard-K-of-N` for a shard.
pub fn default_out(name: &str, shard: Shard) -> PathBuf {
    let base = Path::new("results");
    if shard == Shard::ALL {
        base.join(name)
    } else {
        base.join(format!(
            "{name}.shard-{}-of-{}",
            shard.index + 1,
            shard.count
        ))
    }
}

fn manifest(
    loaded: &Loaded,
    req: &RunRequest,
    opts: &RunOptions,
    result: &runner::RunResult,
    started: (String, Instant),
) -> Manifest {
    Manifest {
        program: "drawdown".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: loaded.scenario.name.clone(),
        scenario_file: loaded.origin.clone(),
        scenario_sha256: export::manifest::sha256_hex(loaded.text.as_bytes()),
        overrides: loaded.overrides.clone(),
        seed: opts.seed,
        trials: result.aggregate.trials,
        trial_range: [result.trials.start, result.trials.end],
        trials_requested: opts.trials,
        threads: result.threads,
        shard: format!("{}/{}", opts.shard.index + 1, opts.shard.count),
        step_days: req.step_days.max(1),
        until_ci: req.until_ci,
        started: started.0,
        finished: export::manifest::now_utc(),
        wall_seconds: (started.1.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    }
}

fn write_tables(dir: &OutputDir, report: &Report, manifest: &Manifest) -> Result<()> {
    for (name, table) in tables::all(report) {
        table.write(&dir.file(name))?;
    }
    manifest.write(&dir.file("manifest.json"))
}

fn write_partial(
    dir: &OutputDir,
    loaded: &Loaded,
    manifest: &Manifest,
    aggregate: &Aggregate,
) -> Result<()> {
    let partial = Partial {
        manifest: manifest.clone(),
        scenario_text: loaded.text.clone(),
        aggregate: aggregate.clone(),
    };
    let path = dir.file(PARTIAL_FILE);
    let json = serde_json::to_vec(&partial)
        .map_err(|e| Error::Other(format!("formatting {}: {e}", path.display())))?;
    std::fs::write(&path, json).map_err(|e| Error::io("writing", &path, e))
}

/// Simulates trial `trial` of `loaded` with its full event log, written as CSV to `path`.
///
/// # Errors
/// I/O errors naming the file.
pub fn trace(loaded: &Loaded, seed: Option<u64>, trial: u64, path: &Path) -> Result<usize> {
    let model = Model::new(loaded.scenario.clone(), 1);
    let seed = seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let mut log = TraceLog::default();
    let mut ws = Workspace::new(&model);
    let outcome = ws.run(&model, seed, trial, &mut log);
    if let Some(breach) = outcome.conservation_breach() {
        return Err(Error::Other(format!(
            "internal error, conservation broken: {breach}"
        )));
    }
    export::trace::write(path, &model, &log.records)?;
    Ok(log.records.len())
}

mod merge;
pub use merge::merge;
