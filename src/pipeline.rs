//! The commands as library calls: load a scenario, run it into an atomic result
//! folder, merge shards, trace one trial. The binary only parses flags and prints.

use crate::error::{Error, Result};
use crate::export::guard::{self, Guard, Protected};
use crate::export::{
    self, CsvFormat, Manifest, OutputDir, Placement, Report, tables, trials::TrialsWriter,
};
use crate::model::{Model, Period, TraceLog, Workspace};
use crate::runner::{self, Aggregate, Observer, Precision, RunOptions, Shard, budget};
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
    /// The scenario file, when it came from one.
    pub path: Option<PathBuf>,
}

/// The largest scenario file drawdown reads [bytes].
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

impl Loaded {
    /// A scenario given as text (no file): validated as [`load`] does.
    ///
    /// # Errors
    /// [`Error::Scenario`] or [`Error::Usage`] when it is invalid.
    pub fn from_text(origin: &str, text: &str, overrides: &[String]) -> Result<Loaded> {
        Ok(Loaded {
            scenario: build(origin, text, overrides)?,
            origin: origin.to_string(),
            text: text.to_string(),
            overrides: overrides.to_vec(),
            path: None,
        })
    }
}

/// Reads and validates the scenario at `path` (the embedded default when `None`).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Scenario`] when it is invalid.
pub fn load(path: Option<&Path>, overrides: &[String]) -> Result<Loaded> {
    let (origin, text) = match path {
        Some(p) => (p.display().to_string(), read_scenario(p)?),
        None => (
            "<default scenario>".to_string(),
            DEFAULT_SCENARIO.to_string(),
        ),
    };
    let scenario = build(&origin, &text, overrides)?;
    Ok(Loaded {
        scenario,
        origin,
        text,
        overrides: overrides.to_vec(),
        path: path.map(Path::to_path_buf),
    })
}

/// Validates a scenario's text, then checks that the model can simulate it exactly
/// (no stock or total can overflow: [`crate::model::limits::check`]).
pub(crate) fn build(origin: &str, text: &str, overrides: &[String]) -> Result<Scenario> {
    let scenario = Scenario::from_toml(origin, text, overrides)?;
    crate::model::limits::check(&scenario)
        .map_err(|m| Error::Usage(format!("invalid scenario '{origin}': {m}")))?;
    Ok(scenario)
}

/// Reads a scenario file as UTF-8 text (a leading byte-order mark is dropped).
/// Everything about the file itself that makes it unusable is the user's to fix: a
/// usage error naming the file (exit 2), not a runtime failure.
fn read_scenario(p: &Path) -> Result<String> {
    read_text(p, "scenario")
}

/// Reads a TOML input file (`kind` names it in messages) as UTF-8 text; see
/// [`read_scenario`].
fn read_text(p: &Path, kind: &str) -> Result<String> {
    let bad = |what: String| Error::Usage(format!("{kind} '{}': {what}", p.display()));
    let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad("no such file".into()),
        std::io::ErrorKind::PermissionDenied => bad("permission denied".into()),
        _ => Error::io("reading scenario", p, e),
    })?;
    if meta.is_dir() {
        return Err(bad(
            "is a folder; give a scenario file (.toml), e.g. configs/default.toml".into(),
        ));
    }
    if meta.len() > MAX_SCENARIO_BYTES {
        return Err(bad(format!(
            "is {} bytes; a scenario is a text file of at most {MAX_SCENARIO_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes = std::fs::read(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => bad("permission denied".into()),
        _ => Error::io("reading scenario", p, e),
    })?;
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if utf16 {
        return Err(bad(
            "is UTF-16 text; save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)".into(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "is not UTF-8 text (byte {} is invalid): is it a TOML scenario? save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.contains('\0') {
        return Err(bad(
            "contains NUL bytes: it is a binary file, not a TOML scenario".into(),
        ));
    }
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
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
    /// Days between reporting days (when `period` is `None`).
    pub step_days: u32,
    /// Reporting period: calendar months, quarters or years, or every N days; `None`
    /// reports every `step_days` days.
    pub period: Option<Period>,
    /// CSV delimiter, decimal separator and byte-order mark (default `,` `.`, none).
    pub csv: CsvFormat,
    /// Also write the workbook `results.xlsx`.
    pub xlsx: bool,
    /// Also write `inputs.csv`: every uncertain input's value in every trial.
    pub inputs: bool,
    /// Also write the SVG charts `plots/*.svg`.
    pub plots: bool,
    /// This process's share of the trials.
    pub shard: Shard,
    /// Stop when every depletion probability's 95 % interval is narrower than this.
    pub until_ci: Option<f64>,
    /// With `until_ci`: track only this `nation.item`.
    pub target: Option<String>,
    /// Write a mergeable shard (`partial.json`) even for the whole run (`--shard 1/1`).
    pub mergeable: bool,
    /// Replace an output folder that drawdown did not write.
    pub force: bool,
    /// Refuse to start when the run's estimated memory exceeds this [bytes]; the
    /// default limit ([`budget::default_limit`]) when `None`.
    pub max_memory: Option<u64>,
}

impl Default for RunRequest {
    /// 10 000 trials of the whole run into `results/<name>`, weekly reporting, all
    /// cores, the scenario's seed: what `drawdown run` does without flags.
    fn default() -> Self {
        RunRequest {
            trials: 10_000,
            seed: None,
            threads: None,
            out: None,
            step_days: 7,
            period: None,
            csv: CsvFormat::default(),
            xlsx: false,
            inputs: false,
            plots: false,
            shard: Shard::ALL,
            until_ci: None,
            target: None,
            mergeable: false,
            force: false,
            max_memory: None,
        }
    }
}

impl RunRequest {
    /// The reporting period this request asks for: `period`, else every `step_days`.
    pub fn report_period(&self) -> Period {
        self.period.unwrap_or(Period::Days(self.step_days.max(1)))
    }
}

/// The most trials one run may have: every accumulator is proven not to overflow up to
/// this count.
pub const MAX_TRIALS: u64 = 1_000_000_000;

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
    /// Leftovers of killed runs that were cleaned up first, one line each.
    pub notes: Vec<String>,
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
    if req.trials > MAX_TRIALS {
        return Err(Error::Usage(format!(
            "--trials: at most {MAX_TRIALS} trials per run, got {} (split a larger run into shards with --shard and drawdown merge)",
            req.trials
        )));
    }
    req.csv.validate().map_err(Error::Usage)?;
    let mut model = Model::with_period(loaded.scenario.clone(), req.report_period());
    model.record_inputs = req.inputs;
    let precision = precision(&model, req)?;
    let shard_trials = {
        let r = req.shard.trial_range(req.trials);
        r.end - r.start
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = budget::threads_for(req.threads, shard_trials, cores);
    check_memory(&model, threads, shard_trials, req)?;
    let opts = RunOptions {
        trials: req.trials,
        seed: req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED),
        threads: Some(threads),
        shard: req.shard,
        precision,
    };
    let target = req
        .out
        .clone()
        .unwrap_or_else(|| default_out(&loaded.scenario.name, req.shard));
    let dir = OutputDir::create(&target, &placement(loaded, &[], req.force))?;
    let mut writer = TrialsWriter::create_as(&dir.file("trials.csv"), &model, &req.csv)?;
    let (result, trials_record, inputs_record) = if req.inputs {
        let path = dir.file(export::inputs::FILE);
        let inputs = export::inputs::InputsWriter::create(&path, &model, &req.csv)?;
        let mut both = (writer, inputs);
        let result = runner::run(&model, &opts, observer, &mut both)?;
        (result, both.0.finish()?, Some(both.1.finish()?))
    } else {
        let result = runner::run(&model, &opts, observer, &mut writer)?;
        (result, writer.finish()?, None)
    };
    let mut manifest = manifest(loaded, req, &opts, &result, started);
    if let Some(record) = inputs_record {
        manifest
            .files
            .insert(export::inputs::FILE.to_string(), record);
    }
    let report = Report {
        model: &model,
        aggregate: &result.aggregate,
    };
    let precision_reached = precision.map(|p| runner::precision_reached(&result.aggregate, &p));
    manifest.until_ci_reached = precision_reached;
    write_tables(&dir, &report, &mut manifest, trials_record)?;
    if req.shard != Shard::ALL || req.mergeable {
        // The shard file holds the manifest as it is now (every other file listed);
        // `manifest.json` then lists the shard file too, so that `merge` can verify it.
        let record = write_partial(&dir, loaded, &manifest, &result.aggregate)?;
        manifest.files.insert(PARTIAL_FILE.to_string(), record);
    }
    dir.write(export::manifest::FILE, &manifest.to_json()?)?;
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    let table = export::terminal::table(&report);
    let notes = dir.swept().to_vec();
    let dir = dir.commit()?;
    Ok(RunSummary {
        dir,
        table,
        trials: result.aggregate.trials,
        wall_seconds: manifest.wall_seconds,
        precision_reached,
        notes,
    })
}

/// Where a result folder may go: never over the current or home folder, the folder
/// holding the scenario, or (`Apart`) any of `inputs`.
pub(crate) fn placement(loaded: &Loaded, inputs: &[PathBuf], force: bool) -> Placement {
    let mut protected = Protected::standard();
    if let Some(p) = &loaded.path {
        protected.add_folder_of(p, "the folder holding the scenario");
        protected.add(p, Guard::NotOverOrAt, "the scenario file being read");
    }
    for input in inputs {
        protected.add(input, Guard::Apart, "an input folder");
    }
    Placement {
        force,
        protected,
        flag: "-o",
    }
}

/// Refuses a run whose estimated memory exceeds the limit, saying what to change.
fn check_memory(model: &Model, threads: usize, trials: u64, req: &RunRequest) -> Result<()> {
    let Some(limit) = memory_limit(req.max_memory) else {
        return Ok(());
    };
    let workbook = workbook_bytes(model, trials, req.xlsx);
    let estimate = |threads| {
        let shape = budget::RunShape {
            trials,
            threads,
            tables_kept: req.xlsx || req.plots,
        };
        budget::estimate_bytes(model, shape).saturating_add(workbook)
    };
    let need = estimate(threads);
    if need <= limit {
        return Ok(());
    }
    let one = estimate(1);
    let hint = if threads > 1 && one <= limit {
        format!(
            " or fewer threads (-j 1 needs about {})",
            budget::human(one)
        )
    } else {
        String::new()
    };
    Err(over_memory(
        "run",
        need,
        &format!(
            "{} series × {} reporting days, {trials} trials, {threads} thread{}{}",
            model.scenario.series.len(),
            model.report_days.len(),
            if threads == 1 { "" } else { "s" },
            if req.xlsx { ", the workbook" } else { "" },
        ),
        limit,
        &format!(
            "report less often (--step 30 or more){hint}, shorten the horizon, run fewer trials per shard (--shard)"
        ),
    ))
}

/// Bytes of the workbook of `trials` trials of `model` when `xlsx` (one definition for
/// `run` and `merge`; see [`export::xlsx::memory_bytes`]), else 0.
pub(crate) fn workbook_bytes(model: &Model, trials: u64, xlsx: bool) -> u64 {
    if !xlsx {
        return 0;
    }
    let series = model.scenario.series.len() as u64;
    let columns = series.saturating_mul(model.report_days.len() as u64);
    export::xlsx::memory_bytes(columns, trials.saturating_mul(series))
}

/// The memory limit for work asked to stay within `requested` (`--max-memory`): that,
/// else the default ([`budget::default_limit`]); `None` when neither is known.
pub(crate) fn memory_limit(requested: Option<u64>) -> Option<u64> {
    requested.or_else(budget::default_limit)
}

/// The refusal of work (`what`: a run, a merge, a rank …) whose estimated peak memory
/// `need` is above `limit`: what it was estimated from (`detail`) and what to change
/// (`remedies`, before raising the limit).
pub(crate) fn over_memory(
    what: &str,
    need: u64,
    detail: &str,
    limit: u64,
    remedies: &str,
) -> Error {
    // The default limit says where it comes from (a limit the user set was read as such).
    let default = if budget::default_limit() == Some(limit) {
        " (half of this machine's memory)"
    } else {
        ""
    };
    Error::Usage(format!(
        "this {what} would need about {} of memory ({detail}), more than the limit of {}{default}: {remedies}, or raise the limit with --max-memory",
        budget::human(need),
        budget::human(limit)
    ))
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
        command: None,
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
        step_days: match req.report_period() {
            Period::Days(n) => n,
            _ => req.step_days.max(1),
        },
        period: req
            .report_period()
            .is_calendar()
            .then(|| req.report_period().to_string()),
        csv: (!req.csv.is_default()).then_some(req.csv),
        xlsx: req.xlsx,
        plots: req.plots,
        until_ci: req.until_ci,
        until_ci_reached: None,
        started: started.0,
        finished: export::manifest::now_utc(),
        wall_seconds: export::manifest::round_seconds(started.1.elapsed().as_secs_f64()),
        files: Default::default(),
    }
}

/// Writes every table (see [`write_tables`]), then the manifest listing every file
/// written with its SHA-256 and row count, so that `merge` can verify a shard and a
/// later run can recognise the folder as drawdown's own.
fn write_outputs(
    dir: &OutputDir,
    report: &Report,
    manifest: &mut Manifest,
    trials: export::manifest::FileRecord,
) -> Result<()> {
    write_tables(dir, report, manifest, trials)?;
    dir.write(export::manifest::FILE, &manifest.to_json()?)?;
    Ok(())
}

/// Writes every table (and the workbook when the manifest asks for it, the charts when
/// it asks for them) and lists each in `manifest.files` with its fingerprint, as it
/// lists `trials.csv` (written before, with `trials`).
fn write_tables(
    dir: &OutputDir,
    report: &Report,
    manifest: &mut Manifest,
    trials: export::manifest::FileRecord,
) -> Result<()> {
    let trial_rows = trials.rows;
    manifest.files.insert("trials.csv".to_string(), trials);
    let format = manifest.csv_format();
    // The workbook and the charts need every table at once; CSV alone is written table
    // by table, so that only one is in memory (the tables of a daily report are the
    // largest thing a run holds after the Monte Carlo result).
    let keep = manifest.xlsx || manifest.plots;
    let mut tables = Vec::new();
    for (name, table) in tables::each(report) {
        let record = dir.write(name, &table.to_csv_as(&format)?)?;
        manifest.files.insert(name.to_string(), record);
        if keep {
            tables.push((name, table));
        }
    }
    if manifest.xlsx {
        let source = export::xlsx::TrialsSource {
            path: &dir.file("trials.csv"),
            rows: trial_rows,
            delimiter: format.delimiter_byte(),
        };
        let bytes = export::xlsx::to_bytes(report, &tables, manifest, source)?;
        let record = dir.write(export::xlsx::FILE, &bytes)?;
        manifest
            .files
            .insert(export::xlsx::FILE.to_string(), record);
    }
    if manifest.plots {
        manifest
            .files
            .extend(export::plots::write_into(dir, report, &tables)?);
    }
    Ok(())
}

/// Writes the shard file [`PARTIAL_FILE`] (`manifest` as it stands, the scenario's text
/// and the aggregate) and returns its fingerprint, for `manifest.json` to list.
fn write_partial(
    dir: &OutputDir,
    loaded: &Loaded,
    manifest: &Manifest,
    aggregate: &Aggregate,
) -> Result<export::manifest::FileRecord> {
    /// [`Partial`] by reference: the same JSON, without a copy of the aggregate.
    #[derive(Serialize)]
    struct PartialRef<'a> {
        manifest: &'a Manifest,
        scenario_text: &'a str,
        aggregate: &'a Aggregate,
    }
    let partial = PartialRef {
        manifest,
        scenario_text: &loaded.text,
        aggregate,
    };
    // Streamed to the file: the JSON of a daily run's aggregate is hundreds of MB.
    let path = dir.file(PARTIAL_FILE);
    let file = std::fs::File::create(&path).map_err(|e| Error::io("writing", &path, e))?;
    let mut out = std::io::BufWriter::new(export::manifest::Fingerprint::new(file));
    serde_json::to_writer(&mut out, &partial).map_err(|e| match e.io_error_kind() {
        Some(kind) => Error::io("writing", &path, kind.into()),
        None => Error::Other(format!("formatting {PARTIAL_FILE}: {e}")),
    })?;
    let print = out
        .into_inner()
        .map_err(|e| Error::io("writing", &path, e.into_error()))?;
    Ok(print.finish(false).1)
}

/// Where a trace goes and what may be replaced there.
#[derive(Debug, Clone)]
pub struct TraceRequest {
    /// Master seed; the scenario's, else [`DEFAULT_SEED`], when `None`.
    pub seed: Option<u64>,
    /// Which trial.
    pub trial: u64,
    /// The CSV file, or `-` for stdout.
    pub path: PathBuf,
    /// Replace an existing file that drawdown did not write.
    pub force: bool,
}

/// Simulates one trial of `loaded` with its full event log, written as CSV to the
/// request's path atomically (never over the scenario, a folder or a file drawdown did
/// not write, unless forced). Returns the number of events.
///
/// # Errors
/// Usage errors for a target that may not be replaced; I/O errors naming the file;
/// [`Error::Interrupted`] when the observer cancels (the target is then unchanged).
pub fn trace(loaded: &Loaded, req: &TraceRequest, observer: &dyn Observer) -> Result<usize> {
    let to_stdout = req.path.as_os_str() == "-";
    if !to_stdout {
        let mut protected = Protected::default();
        if let Some(p) = &loaded.path {
            protected.add(p, Guard::NotOverOrAt, "the scenario being read");
        }
        protected.check(&req.path, "--trace")?;
        let header = export::trace::HEADER.join(",");
        guard::check_file(&req.path, Some(&header), req.force, "--trace")?;
    }
    let model = Model::new(loaded.scenario.clone(), 1);
    let seed = req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let mut log = TraceLog::default();
    let mut ws = Workspace::new(&model);
    let outcome = ws.run(&model, seed, req.trial, &mut log);
    if let Some(breach) = outcome.conservation_breach() {
        return Err(Error::Other(format!(
            "internal error, conservation broken: {breach}"
        )));
    }
    let bytes = export::trace::to_csv(&model, &log.records)?;
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    if to_stdout {
        use std::io::Write;
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Error::io("writing", "<stdout>", e))?;
    } else {
        export::atomic::write_stamped(&req.path, &bytes)?;
    }
    Ok(log.records.len())
}

mod backtest;
mod merge;
pub mod sensitivity;
pub mod sweep;
pub use backtest::{BacktestRequest, backtest};
pub use merge::{merge, merge_observed};
pub use sensitivity::{SensitivityRequest, SensitivitySummary};
pub use sweep::{SweepRequest, SweepSummary, sweep};
