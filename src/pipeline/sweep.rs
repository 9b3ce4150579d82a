//! `drawdown sweep` as a library call: resolve the grid, run the baseline and every
//! point with the same seed and trial indices (common random numbers), and write
//! `sweep.csv`, `points.csv` and `manifest.json` into an atomic result folder.
//!
//! Runs go in groups of up to [`GROUP`] (the baseline first, then the points whose
//! scenario differs from it), each group on all cores through the ordinary runner
//! ([`runner::run_many`]): trial `t` of every run of a group runs in turn on one worker.
//! Runs whose fronts and factories' output factors are defined alike (a sweep of
//! capacities, ramps, stocks, orders or aid) draw the fronts' daily needs and the
//! factories' output factors once per trial: the first records them, the others
//! replay them ([`crate::model::tape`]); every outcome is the one a run of that point alone gives.
//! So a sweep's throughput is at least that of `run` (minus `trials.csv`, which a sweep
//! does not write). A point whose scenario simulates like the baseline's
//! ([`Scenario::simulates_like`]; e.g. `+=0`, even where it rewrites a distribution's
//! text) reuses the baseline's trials.
//!
//! `sweep.csv` compares per-trial totals, so without `--tables` each point runs with one
//! reporting period (no per-day aggregation). With `--tables` each point runs with the
//! requested reporting period and its per-day tables (`summary.csv`, `depletion.csv`,
//! `stock.csv`, `shortfall.csv` …, exactly as `run` writes them) go into
//! `points/<k>/`, the baseline's into `points/baseline/`; the per-trial totals, and so
//! `sweep.csv`, are the same either way. `--xlsx` adds `results.xlsx`
//! ([`crate::export::xlsx::Analysis`]).

use super::{DEFAULT_SEED, Loaded, build, placement};
use crate::error::{Error, Result};
use crate::export::manifest::FileRecord;
use crate::export::tables::{self, Table};
use crate::export::xlsx::{self, Analysis, Charts, Headline};
use crate::export::{self, Manifest, OutputDir, Report, format};
use crate::model::{Model, Period};
use crate::results::Aggregate;
use crate::runner::{self, Observer, RunOptions, Shard, budget};
use crate::scenario::{Scenario, ScenarioError, inherit, overrides};
use crate::sensitivity::select::Target;
use crate::sweep::{Compared, Outcomes, Plan, Scale, TrialValues, compare};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Everything `drawdown sweep` needs besides the scenario.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// `--vary` specs.
    pub vary: Vec<String>,
    /// Pair the specs' values instead of a full grid.
    pub zip: bool,
    /// `--baseline` specs (one value each); the scenario as written when empty.
    pub baseline: Vec<String>,
    /// Trials per point.
    pub trials: u64,
    /// Master seed; the scenario's, else [`DEFAULT_SEED`], when `None`.
    pub seed: Option<u64>,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Result folder; `results/<scenario name>-sweep` when `None`.
    pub out: Option<PathBuf>,
    /// Replace an output folder that drawdown did not write.
    pub force: bool,
    /// Also write `results.xlsx` (`sweep`, `points`, charts).
    pub xlsx: bool,
    /// Also write each point's per-day tables into `points/<k>/` (the baseline's into
    /// `points/baseline/`), reported every `period`.
    pub tables: bool,
    /// The reporting period of the per-point tables (with `tables`).
    pub period: Period,
    /// The memory the sweep may use [bytes]: fewer runs go together below it, and a
    /// sweep that does not fit one run at a time is refused; half the physical memory
    /// when `None`.
    pub max_memory: Option<u64>,
}

impl Default for SweepRequest {
    fn default() -> Self {
        SweepRequest {
            vary: Vec::new(),
            zip: false,
            baseline: Vec::new(),
            trials: 1_000,
            seed: None,
            threads: None,
            out: None,
            force: false,
            xlsx: false,
            tables: false,
            period: Period::Days(7),
            max_memory: None,
        }
    }
}

/// What a finished sweep reports back.
#[derive(Debug)]
pub struct SweepSummary {
    /// Where the results are.
    pub dir: PathBuf,
    /// The terminal table (fill rates and their paired differences).
    pub table: String,
    /// Grid points.
    pub points: usize,
    /// Trials simulated (baseline and points; reused baselines not counted).
    pub trials_run: u64,
    /// Wall time [s].
    pub wall_seconds: f64,
    /// Leftovers of killed runs that were cleaned up first.
    pub notes: Vec<String>,
}

/// The scenario text as the simulator reads it: `--set` applied, templates expanded.
///
/// # Errors
/// [`Error::Scenario`] when the overrides or templates are invalid.
pub fn expanded_text(loaded: &Loaded) -> Result<String> {
    let fail = |issues| Error::Scenario(ScenarioError::new(&loaded.origin, issues));
    let edited = overrides::apply(&loaded.text, &loaded.overrides).map_err(fail)?;
    let expanded = inherit::expand(&edited).map_err(fail)?;
    Ok(expanded.into_owned())
}

/// Resolves the sweep's specs against `loaded`.
///
/// # Errors
/// See [`Plan::new`].
pub fn plan(loaded: &Loaded, vary: &[String], zip: bool, baseline: &[String]) -> Result<Plan> {
    Plan::new(&expanded_text(loaded)?, vary, zip, baseline)
}

/// The validated scenario of one point (`label` names it in errors).
///
/// # Errors
/// [`Error::Usage`] naming the point when its scenario is invalid.
pub fn point_scenario(
    loaded: &Loaded,
    plan: &Plan,
    assignments: &[crate::sweep::Assignment],
    label: &str,
) -> Result<(String, Scenario)> {
    let text = plan.text(assignments)?;
    // The point's text has templates expanded: its lines are not the user's file's.
    let paths: Vec<String> = assignments.iter().map(|a| a.segments.join(".")).collect();
    let set: Vec<&str> = loaded
        .overrides
        .iter()
        .filter_map(|o| overrides::split(o).ok().map(|(path, _)| path))
        .collect();
    let edits = paths
        .iter()
        .map(|p| ("--vary", p.as_str()))
        .chain(set.iter().map(|&p| ("--set", p)));
    let scenario = build(&loaded.origin, &text, &[]).map_err(|e| match e {
        Error::Scenario(e) => Error::Scenario(crate::scenario::relocate(e, &loaded.text, edits)),
        e => e,
    });
    let scenario = scenario.map_err(|e| Error::Usage(format!("{label}: {e}")))?;
    Ok((text, scenario))
}

/// Runs the sweep `req` on `loaded`.
///
/// # Errors
/// Usage errors for bad specs or invalid points (nothing runs then), I/O errors naming
/// the path, [`Error::Interrupted`] when the observer cancels (nothing is written).
pub fn sweep(loaded: &Loaded, req: &SweepRequest, observer: &dyn Observer) -> Result<SweepSummary> {
    let started = (export::manifest::now_utc(), Instant::now());
    if req.trials > super::MAX_TRIALS {
        return Err(Error::Usage(format!(
            "-n: at most {} trials",
            super::MAX_TRIALS
        )));
    }
    let plan = plan(loaded, &req.vary, req.zip, &req.baseline)?;
    let (base_text, base) = point_scenario(loaded, &plan, &plan.baseline, "--baseline")?;
    let mut points = Vec::with_capacity(plan.points.len());
    for p in &plan.points {
        let label = format!("--vary point {} ({})", p.index, describe(&plan, p));
        let (text, scenario) = point_scenario(loaded, &plan, &p.assignments, &label)?;
        let labels = |s: &Scenario| {
            (0..s.series.len())
                .map(|i| s.series_label(i))
                .collect::<Vec<_>>()
        };
        if labels(&scenario) != labels(&base) {
            return Err(Error::Usage(format!(
                "{label}: the point has other nation × item series than the baseline; a sweep compares like with like"
            )));
        }
        // A point that simulates like the baseline (its text may differ: `+=0` on a
        // distribution rewrites it) reuses the baseline's trials. The same text is
        // tested first: it is cheaper, and it also covers a scenario holding a NaN,
        // which `simulates_like` conservatively calls different from itself.
        points.push((text != base_text && !scenario.simulates_like(&base)).then_some(scenario));
    }
    let seed = req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = budget::threads_for(req.threads, req.trials, cores);
    let group = group_size(&base, req, threads)?;
    let target = req.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-sweep", loaded.scenario.name))
    });
    let dir = OutputDir::create(&target, &placement(loaded, &[], req.force))?;
    // The runs: the baseline, then every point whose scenario differs from it.
    let mut jobs = vec![(None, base.clone())];
    jobs.extend(
        points
            .into_iter()
            .enumerate()
            .filter_map(|(k, s)| Some((Some(k), s?))),
    );
    let runs = jobs.len() as u64;
    let mut progress = Progress {
        inner: observer,
        offset: 0,
        total: runs * req.trials,
    };
    let mut files = BTreeMap::new();
    let mut base_run: Option<(Outcomes, Option<TableBytes>)> = None;
    let mut point_rows_of: Vec<Option<PointRows>> = vec![None; plan.points.len()];
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        let chunk: Vec<(Option<usize>, Scenario)> = jobs.by_ref().take(group).collect();
        observer.stage(&group_label(&plan, &chunk));
        let which: Vec<Option<usize>> = chunk.iter().map(|(k, _)| *k).collect();
        let scenarios = chunk.into_iter().map(|(_, s)| s).collect();
        let results = run_group(scenarios, req, (seed, threads), &progress)?;
        progress.offset += which.len() as u64 * req.trials;
        for (k, (out, run)) in which.into_iter().zip(results) {
            let folder = k.map_or("baseline".to_string(), |k| plan.points[k].index.to_string());
            let bytes = match run {
                Some(run) => Some(write_point(&dir, &folder, &run.table_bytes()?, &mut files)?),
                None => None,
            };
            match (k, &base_run) {
                (None, _) => base_run = Some((out, bytes)),
                (Some(k), Some((base_out, _))) => {
                    point_rows_of[k] = Some(point_rows(&base, &out, base_out));
                }
                (Some(_), None) => {
                    return Err(Error::Other("a sweep point ran before its baseline".into()));
                }
            }
        }
    }
    let Some((base_out, base_tables)) = base_run else {
        return Err(Error::Other("a sweep ran without its baseline".into()));
    };
    // Points whose scenario is the baseline's reuse its trials.
    let mut rows = Vec::with_capacity(plan.points.len());
    for (p, done) in plan.points.iter().zip(point_rows_of) {
        let point = match done {
            Some(rows) => rows,
            None => {
                if let Some(bytes) = &base_tables {
                    write_point(&dir, &p.index.to_string(), bytes, &mut files)?;
                }
                point_rows(&base, &base_out, &base_out)
            }
        };
        rows.push(point);
    }
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    let mut manifest = manifest(loaded, req, seed, threads, started);
    manifest.files = files;
    let tables = sweep_tables(&plan, &base, &rows, req.trials);
    write_tables(&dir, &tables, &mut manifest)?;
    if req.xlsx {
        let book = sweep_book(&tables, &base, &manifest, req)?;
        record(&dir, xlsx::FILE, &book, &mut manifest)?;
    }
    dir.write(export::manifest::FILE, &manifest.to_json()?)?;
    let table = terminal_table(&plan, &base, &rows);
    let notes = dir.swept().to_vec();
    let dir = dir.commit()?;
    Ok(SweepSummary {
        dir,
        table,
        points: plan.points.len(),
        trials_run: runs * req.trials,
        wall_seconds: manifest.wall_seconds,
        notes,
    })
}

/// `path=label, …` of a point.
fn describe(plan: &Plan, p: &crate::sweep::Point) -> String {
    plan.specs
        .iter()
        .zip(&p.labels)
        .map(|(r, l)| format!("{}={l}", r.spec.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Progress of one run mapped into the whole sweep's.
struct Progress<'a> {
    inner: &'a dyn Observer,
    offset: u64,
    total: u64,
}

impl Observer for Progress<'_> {
    fn progress(&self, done: u64, _total: u64) {
        self.inner.progress(self.offset + done, self.total);
    }
    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
}

/// A point's run with per-day reporting (`--tables`): the model and its aggregate.
struct PointRun {
    model: Model,
    aggregate: Aggregate,
}

impl PointRun {
    /// The point's tables as `run` writes them, as CSV bytes.
    fn table_bytes(&self) -> Result<Vec<(&'static str, Vec<u8>)>> {
        let report = Report {
            model: &self.model,
            aggregate: &self.aggregate,
        };
        tables::all(&report)
            .into_iter()
            .map(|(name, t)| Ok((name, t.to_csv()?)))
            .collect()
    }
}

/// The model a point runs: one reporting period (per-trial totals only) unless the
/// request asks for the per-point tables.
fn point_model(scenario: Scenario, req: &SweepRequest) -> Model {
    let period = if req.tables {
        req.period
    } else {
        Period::Days(scenario.days.max(1))
    };
    Model::with_period(scenario, period)
}

/// Runs the scenarios of one group of points together (see the module docs); returns
/// each one's per-trial values and, with `--tables`, its model and aggregate.
fn run_group(
    scenarios: Vec<Scenario>,
    req: &SweepRequest,
    (seed, threads): (u64, usize),
    observer: &dyn Observer,
) -> Result<Vec<(Outcomes, Option<PointRun>)>> {
    let models: Vec<Model> = scenarios.into_iter().map(|s| point_model(s, req)).collect();
    let opts = RunOptions {
        trials: req.trials,
        seed,
        threads: Some(threads),
        shard: Shard::ALL,
        precision: None,
    };
    // Sized once: a growing vector would hold up to twice its values.
    let mut sinks: Vec<Outcomes> = models
        .iter()
        .map(|m| Outcomes::with_capacity(m.series_count(), req.trials))
        .collect();
    let refs: Vec<&Model> = models.iter().collect();
    let results = runner::run_many(&refs, &opts, observer, &mut sinks)?;
    Ok(models
        .into_iter()
        .zip(results)
        .zip(sinks)
        .map(|((model, result), sink)| {
            let run = req.tables.then_some(PointRun {
                model,
                aggregate: result.aggregate,
            });
            (sink, run)
        })
        .collect())
}

/// The progress stage of a group: "baseline and points 1–7 of 100".
fn group_label(plan: &Plan, chunk: &[(Option<usize>, Scenario)]) -> String {
    let index = |k: &Option<usize>| k.map(|k| plan.points[k].index);
    let mut points = chunk.iter().filter_map(|(k, _)| index(k));
    let with_base = chunk.iter().any(|(k, _)| k.is_none());
    let n = plan.points.len();
    match (points.next(), points.next_back(), with_base) {
        (None, _, _) => "baseline".to_string(),
        (Some(a), None, true) => format!("baseline and point {a}/{n}"),
        (Some(a), None, false) => format!("point {a}/{n}"),
        (Some(a), Some(b), true) => format!("baseline and points {a}–{b} of {n}"),
        (Some(a), Some(b), false) => format!("points {a}–{b} of {n}"),
    }
}

/// Writes a point's tables into `points/<folder>/`, recording them in `files`; returns
/// the bytes (kept for points that reuse the baseline's trials).
fn write_point(
    dir: &OutputDir,
    folder: &str,
    bytes: &[(&'static str, Vec<u8>)],
    files: &mut BTreeMap<String, FileRecord>,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    for (name, b) in bytes {
        let path = format!("{POINTS}/{folder}/{name}");
        let record = dir.write(&path, b)?;
        files.insert(path, record);
    }
    Ok(bytes.to_vec())
}

/// The folder of the per-point tables.
pub const POINTS: &str = "points";

/// Runs of a sweep that go together at most (the baseline counts as one): trial `t` of
/// each runs in turn on one worker, so the daily needs and output factors are drawn
/// once for the group (see the module docs). A run that replays them costs about 0.55
/// of one that draws them (the default scenario), so a group of 16 runs at 0.58 of its
/// runs' cost, against 0.61 for 8; each run of a group holds its per-trial values and
/// aggregate until the group ends.
pub const GROUP: usize = 16;

/// How many runs go together ([`GROUP`], fewer when memory is short): the most whose
/// aggregates and per-trial values, with the baseline's values held throughout, fit in
/// the memory limit (`--max-memory`, else the default). Refuses a sweep that does not
/// fit with one run at a time.
fn group_size(base: &Scenario, req: &SweepRequest, threads: usize) -> Result<usize> {
    let Some(limit) = super::memory_limit(req.max_memory) else {
        return Ok(GROUP);
    };
    let model = point_model(base.clone(), req);
    let per_trial = (model.series_count() * std::mem::size_of::<TrialValues>()) as u64;
    let values = req.trials.saturating_mul(per_trial);
    let shape = budget::RunShape {
        trials: req.trials,
        threads,
        tables_kept: false,
    };
    let run = budget::estimate_bytes(&model, shape).saturating_sub(budget::BASE_BYTES);
    let need = |k: u64| {
        budget::BASE_BYTES
            .saturating_add(k.saturating_mul(run))
            .saturating_add((k + 1).saturating_mul(values))
    };
    if let Some(k) = (1..=GROUP as u64).rev().find(|&k| need(k) <= limit) {
        return Ok(k as usize);
    }
    Err(super::over_memory(
        "sweep",
        need(1),
        &format!(
            "one run at a time, and the baseline's and one point's per-trial values: 2 × {} trials × {} series",
            req.trials,
            model.series_count()
        ),
        limit,
        "use fewer trials per point (-n)",
    ))
}

/// The compared metrics of every series at one point.
fn point_rows(base: &Scenario, point: &Outcomes, base_out: &Outcomes) -> Vec<(usize, Compared)> {
    let mut rows = Vec::new();
    for (i, series) in base.series.iter().enumerate() {
        let consumer = base.draws_on(i);
        for c in compare(point, base_out, i, series.channel, consumer) {
            rows.push((i, c));
        }
    }
    rows
}

fn fmt(scale: Scale, x: f64) -> String {
    match scale {
        Scale::Share => format::prob(x),
        Scale::Count => format::mean(x),
    }
}

type PointRows = Vec<(usize, Compared)>;

/// A run's per-day tables as CSV bytes, by file name.
type TableBytes = Vec<(&'static str, Vec<u8>)>;

/// The columns of `sweep.csv` after the point's: the series, the metric, the estimate
/// and the paired difference (then `trials`).
const SWEEP_COLUMNS: [&str; 9] = [
    "nation",
    "item",
    "metric",
    "estimate",
    "ci_low",
    "ci_high",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
];

/// `sweep.csv` and `points.csv`.
fn sweep_tables(
    plan: &Plan,
    base: &Scenario,
    rows: &[PointRows],
    trials: u64,
) -> Vec<(&'static str, Table)> {
    let specs: Vec<String> = plan.specs.iter().map(|r| r.spec.path.clone()).collect();
    let mut sweep = Table::with_header({
        let mut h = vec!["point".to_string()];
        h.extend(specs.iter().cloned());
        h.extend(SWEEP_COLUMNS.map(String::from));
        h.push("trials".into());
        h
    });
    for (p, point_rows) in plan.points.iter().zip(rows) {
        for (i, c) in point_rows {
            let (nation, item) = labels(base, *i);
            let mut row = vec![p.index.to_string()];
            row.extend(p.labels.iter().cloned());
            row.extend([nation, item, c.metric.to_string()]);
            row.extend([c.estimate, c.ci.low, c.ci.high].map(|x| fmt(c.scale, x)));
            match c.diff {
                Some((d, iv)) => row.extend([d, iv.low, iv.high].map(|x| fmt(c.scale, x))),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
            row.push(trials.to_string());
            sweep.rows.push(row);
        }
    }
    let mut points = Table::with_header({
        let mut h = vec!["point".to_string()];
        h.extend(specs.iter().cloned());
        h.extend(["path".to_string(), "value".to_string()]);
        h
    });
    for p in &plan.points {
        for a in &p.assignments {
            let mut row = vec![p.index.to_string()];
            row.extend(p.labels.iter().cloned());
            row.extend([a.segments.join("."), a.value.to_string().trim().to_string()]);
            points.rows.push(row);
        }
    }
    vec![("sweep.csv", sweep), ("points.csv", points)]
}

/// Most rows of `sweep.csv` the workbook's front sheet quotes.
const HEADLINE_ROWS: usize = 60;

/// The sweep's workbook.
fn sweep_book(
    tables: &[(&str, Table)],
    base: &Scenario,
    manifest: &Manifest,
    req: &SweepRequest,
) -> Result<Vec<u8>> {
    let sweep = tables::find(tables, "sweep.csv");
    let target = Target::resolve(base, None, None).ok();
    let metric = target.as_ref().map_or("p_depleted", |t| t.metric);
    let (nation, item) = labels(base, target.as_ref().map_or(0, |t| t.series));
    let specs = sweep.map_or_else(Vec::new, |t| {
        let nation = t.column("nation").unwrap_or(1);
        t.header[1..nation].to_vec()
    });
    let mut columns = vec!["point".to_string()];
    columns.extend(specs.iter().cloned());
    let mut labels = columns.clone();
    for (k, label) in labels.iter_mut().skip(1).enumerate() {
        *label = match specs.len() {
            1 => "change".to_string(),
            _ => format!("change {}", k + 1),
        };
    }
    columns.extend(SWEEP_COLUMNS.map(String::from));
    let mut notes = vec![
        String::new(),
        "How to read a paired difference: diff is the point's estimate minus the baseline's, computed trial by trial. Trial k of every point is trial k of the baseline with the same random draws (common random numbers); only what the point sets differs.".to_string(),
        "So diff carries almost none of the trial-to-trial noise: its 95% interval is far narrower than the two estimates' intervals suggest, and a diff whose interval excludes 0 is a real effect even where the estimates' intervals overlap.".to_string(),
        "The estimate's 95% interval (Wilson for p_depleted, normal for means, delta method for the fill rate) is where the true value lies given the number of trials, not a range of outcomes.".to_string(),
        format!("charts: per metric, the estimate at each point with its 95% interval as error bars, for the recipient and the series the sweep moves most (at most {} per chart); sweep_data holds the charted cells as formulas over the sweep sheet.", xlsx::SERIES_PER_CHART),
    ];
    notes.insert(1, format!("Above: {metric} of {nation}.{item} at each point; the sweep sheet has every series and metric{}.", if plan_points(sweep) > HEADLINE_ROWS { format!(", and every point (the first {HEADLINE_ROWS} are quoted)") } else { String::new() }));
    if req.tables {
        notes.push(format!("Each point's per-day tables (as drawdown run writes them) are in {POINTS}/<point>/ beside this workbook, the baseline's in {POINTS}/baseline/."));
    }
    let analysis = Analysis {
        command: "sweep",
        scenario: base,
        manifest,
        tables,
        trials: format!("{} per point and for the baseline", req.trials),
        headline: Headline {
            file: "sweep.csv",
            columns,
            labels,
            only: vec![
                ("nation".into(), nation),
                ("item".into(), item),
                ("metric".into(), metric.to_string()),
            ],
            max_rows: HEADLINE_ROWS,
        },
        notes,
        charts: Charts::Sweep {
            recipient: target.map(|t| t.label),
        },
    };
    xlsx::analysis_to_bytes(&analysis)
}

/// The points of a sweep table (the last row's `point`).
fn plan_points(sweep: Option<&Table>) -> usize {
    let last = sweep.and_then(|t| {
        t.rows
            .get(t.rows.len().checked_sub(1)?)?
            .get(0)?
            .parse()
            .ok()
    });
    last.unwrap_or(0)
}

/// Writes each table as a CSV file in `dir` and records it in `manifest`.
pub(crate) fn write_tables(
    dir: &OutputDir,
    tables: &[(&str, Table)],
    manifest: &mut Manifest,
) -> Result<()> {
    for (name, table) in tables {
        record(dir, name, &table.to_csv()?, manifest)?;
    }
    Ok(())
}

/// Writes `bytes` as `name` in `dir` and records it in `manifest`.
pub(crate) fn record(
    dir: &OutputDir,
    name: &str,
    bytes: &[u8],
    manifest: &mut Manifest,
) -> Result<()> {
    let record = dir.write(name, bytes)?;
    manifest.files.insert(name.to_string(), record);
    Ok(())
}

fn labels(s: &Scenario, i: usize) -> (String, String) {
    let series = &s.series[i];
    (
        s.nations[series.nation].id.clone(),
        s.items[series.item].id.clone(),
    )
}

fn manifest(
    loaded: &Loaded,
    req: &SweepRequest,
    seed: u64,
    threads: usize,
    started: (String, Instant),
) -> Manifest {
    let mut extra: Vec<String> = req.vary.iter().map(|v| format!("--vary {v}")).collect();
    if req.zip {
        extra.push("--zip".into());
    }
    extra.extend(req.baseline.iter().map(|v| format!("--baseline {v}")));
    let mut step_days = loaded.scenario.days;
    if req.tables {
        extra.push(format!("--tables --period {}", req.period));
        if let Period::Days(n) = req.period {
            step_days = n;
        }
    }
    if req.xlsx {
        extra.push("--xlsx".into());
    }
    let mut m = manifest_for(loaded, extra, req.trials, seed, threads, step_days, started);
    m.command = Some("sweep".into());
    m.xlsx = req.xlsx;
    if req.tables && req.period.is_calendar() {
        m.period = Some(req.period.to_string());
    }
    m
}

/// The manifest of a command that runs several designs of `loaded` (sweep, tornado,
/// rank, sobol): `extra` lists its own options after the scenario's overrides.
pub(crate) fn manifest_for(
    loaded: &Loaded,
    extra: Vec<String>,
    trials: u64,
    seed: u64,
    threads: usize,
    step_days: u32,
    started: (String, Instant),
) -> Manifest {
    let mut overrides = loaded.overrides.clone();
    overrides.extend(extra);
    Manifest {
        program: "drawdown".into(),
        command: None,
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: loaded.scenario.name.clone(),
        scenario_file: loaded.origin.clone(),
        scenario_sha256: export::manifest::sha256_hex(loaded.text.as_bytes()),
        overrides,
        seed,
        trials,
        trial_range: [0, trials],
        trials_requested: trials,
        threads,
        shard: "1/1".into(),
        step_days: step_days.max(1),
        until_ci: None,
        until_ci_reached: None,
        started: started.0,
        finished: export::manifest::now_utc(),
        wall_seconds: (started.1.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        period: None,
        csv: None,
        xlsx: false,
        plots: false,
        files: Default::default(),
    }
}

/// Per point, the fill rate of each consuming series with its paired difference: the
/// `--vary` paths once above the table (`change 1: PATH`), each point's values in
/// columns of their own, every column aligned.
fn terminal_table(plan: &Plan, base: &Scenario, rows: &[PointRows]) -> String {
    let many = plan.specs.len() > 1;
    let name = |k: usize| {
        if many {
            format!("change {}", k + 1)
        } else {
            "change".to_string()
        }
    };
    let mut text = String::new();
    for (k, r) in plan.specs.iter().enumerate() {
        text.push_str(&format!("{}: {}\n", name(k), r.spec.path));
    }
    let mut header = vec!["point".to_string()];
    header.extend((0..plan.specs.len()).map(name));
    header.extend(
        [
            "series",
            "fill_rate [95% CI]",
            "paired diff from baseline [95% CI]",
        ]
        .map(String::from),
    );
    let mut table = vec![header];
    for (p, point_rows) in plan.points.iter().zip(rows) {
        for (i, c) in point_rows.iter().filter(|(_, c)| c.metric == "fill_rate") {
            let (nation, item) = labels(base, *i);
            let mut row = vec![p.index.to_string()];
            row.extend(p.labels.iter().cloned());
            row.push(format!("{nation}.{item}"));
            row.push(format!(
                "{:.4} [{:.4}, {:.4}]",
                c.estimate, c.ci.low, c.ci.high
            ));
            row.push(c.diff.map_or(String::new(), |(d, iv)| {
                format!("{:+.4} [{:+.4}, {:+.4}]", d, iv.low, iv.high)
            }));
            table.push(row);
        }
    }
    // The point number right-aligned, the rest left-aligned.
    text.push_str(&export::terminal::aligned(&table, |c| c == 0));
    text
}
