//! `drawdown sweep` as a library call: resolve the grid, run the baseline and every
//! point with the same seed and trial indices (common random numbers), and write
//! `sweep.csv`, `points.csv` and `manifest.json` into an atomic result folder.
//!
//! Points run one after another, each on all cores through the ordinary runner, so a
//! sweep's throughput is that of `run` (minus `trials.csv`, which a sweep does not
//! write). A point whose scenario is the baseline's (e.g. `+=0`) reuses the baseline's
//! trials.

use super::{DEFAULT_SEED, Loaded, build, placement};
use crate::error::{Error, Result};
use crate::export::{self, Manifest, OutputDir, format};
use crate::model::Model;
use crate::runner::{self, Observer, RunOptions, Shard, budget};
use crate::scenario::{Scenario, ScenarioError, inherit, overrides};
use crate::sweep::{Compared, Outcomes, Plan, Scale, TrialValues, compare};
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
    let scenario =
        build(&loaded.origin, &text, &[]).map_err(|e| Error::Usage(format!("{label}: {e}")))?;
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
        points.push((text != base_text).then_some(scenario));
    }
    let seed = req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = budget::threads_for(req.threads, req.trials, cores);
    check_memory(&base, req, threads)?;
    let target = req.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-sweep", loaded.scenario.name))
    });
    let dir = OutputDir::create(&target, &placement(loaded, &[], req.force))?;
    let runs = 1 + points.iter().filter(|p| p.is_some()).count() as u64;
    let mut progress = Progress {
        inner: observer,
        offset: 0,
        total: runs * req.trials,
    };
    observer.stage("baseline");
    let base_out = run_one(base.clone(), req, seed, threads, &progress)?;
    progress.offset += req.trials;
    let mut rows = Vec::new();
    for (p, scenario) in plan.points.iter().zip(points) {
        observer.stage(&format!("point {}/{}", p.index, plan.points.len()));
        let out = match scenario {
            Some(s) => {
                let o = run_one(s, req, seed, threads, &progress)?;
                progress.offset += req.trials;
                Some(o)
            }
            None => None,
        };
        rows.push(point_rows(
            &base,
            out.as_ref().unwrap_or(&base_out),
            &base_out,
        ));
    }
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    let mut manifest = manifest(loaded, req, seed, threads, started);
    write_files(&dir, &plan, &base, &rows, req.trials, &mut manifest)?;
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

fn run_one(
    scenario: Scenario,
    req: &SweepRequest,
    seed: u64,
    threads: usize,
    observer: &dyn Observer,
) -> Result<Outcomes> {
    // sweep.csv compares per-trial totals: one reporting period spares the per-day
    // aggregation a run's tables need.
    let days = scenario.days.max(1);
    let model = Model::with_period(scenario, crate::model::Period::Days(days));
    let opts = RunOptions {
        trials: req.trials,
        seed,
        threads: Some(threads),
        shard: Shard::ALL,
        precision: None,
    };
    let mut sink = Outcomes::new(model.series_count());
    runner::run(&model, &opts, observer, &mut sink)?;
    Ok(sink)
}

/// Refuses a sweep whose per-trial values and per-thread aggregates would exceed the
/// default memory limit.
fn check_memory(base: &Scenario, req: &SweepRequest, threads: usize) -> Result<()> {
    let Some(limit) = budget::default_limit() else {
        return Ok(());
    };
    let model = Model::with_period(base.clone(), crate::model::Period::Days(base.days.max(1)));
    let per_trial = (model.series_count() * std::mem::size_of::<TrialValues>()) as u64;
    let need = budget::estimate_bytes(&model, threads)
        .saturating_add(2u64.saturating_mul(req.trials).saturating_mul(per_trial));
    if need <= limit {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this sweep would need about {} of memory (the baseline's and one point's per-trial values: 2 × {} trials × {} series), more than the limit of {}: use fewer trials per point",
        budget::human(need),
        req.trials,
        model.series_count(),
        budget::human(limit)
    )))
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

/// `sweep.csv` and `points.csv`, then the manifest listing them.
fn write_files(
    dir: &OutputDir,
    plan: &Plan,
    base: &Scenario,
    rows: &[PointRows],
    trials: u64,
    manifest: &mut Manifest,
) -> Result<()> {
    let specs: Vec<String> = plan.specs.iter().map(|r| r.spec.path.clone()).collect();
    let mut sweep = vec![{
        let mut h = vec!["point".to_string()];
        h.extend(specs.iter().cloned());
        h.extend(
            [
                "nation",
                "item",
                "metric",
                "estimate",
                "ci_low",
                "ci_high",
                "diff",
                "diff_ci_low",
                "diff_ci_high",
                "trials",
            ]
            .map(String::from),
        );
        h
    }];
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
            sweep.push(row);
        }
    }
    let mut points = vec![{
        let mut h = vec!["point".to_string()];
        h.extend(specs.iter().cloned());
        h.extend(["path".to_string(), "value".to_string()]);
        h
    }];
    for p in &plan.points {
        for a in &p.assignments {
            let mut row = vec![p.index.to_string()];
            row.extend(p.labels.iter().cloned());
            row.extend([a.segments.join("."), a.value.to_string().trim().to_string()]);
            points.push(row);
        }
    }
    write_csvs(
        dir,
        vec![("sweep.csv", sweep), ("points.csv", points)],
        manifest,
    )
}

/// Writes each `(name, rows)` as a CSV file in `dir`, records it in `manifest`, then
/// writes the manifest.
pub(crate) fn write_csvs(
    dir: &OutputDir,
    files: Vec<(&str, Vec<Vec<String>>)>,
    manifest: &mut Manifest,
) -> Result<()> {
    for (name, table) in files {
        let record = dir.write(name, &csv_bytes(&table)?)?;
        manifest.files.insert(name.to_string(), record);
    }
    dir.write(export::manifest::FILE, &manifest.to_json()?)?;
    Ok(())
}

fn labels(s: &Scenario, i: usize) -> (String, String) {
    let series = &s.series[i];
    (
        s.nations[series.nation].id.clone(),
        s.items[series.item].id.clone(),
    )
}

fn csv_bytes(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Other(format!("formatting CSV: {e}"));
    for row in rows {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Other(format!("formatting CSV: {e}")))
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
    manifest_for(
        loaded,
        extra,
        req.trials,
        seed,
        threads,
        loaded.scenario.days,
        started,
    )
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

/// Per point, the fill rate of each consuming series with its paired difference.
fn terminal_table(plan: &Plan, base: &Scenario, rows: &[PointRows]) -> String {
    let mut text = String::from(
        "point  change  series  fill_rate [95% CI]  paired diff from baseline [95% CI]\n",
    );
    for (p, point_rows) in plan.points.iter().zip(rows) {
        for (i, c) in point_rows.iter().filter(|(_, c)| c.metric == "fill_rate") {
            let (nation, item) = labels(base, *i);
            let diff = c.diff.map_or(String::new(), |(d, iv)| {
                format!("{:+.4} [{:+.4}, {:+.4}]", d, iv.low, iv.high)
            });
            text.push_str(&format!(
                "{:>5}  {}  {nation}.{item}  {:.4} [{:.4}, {:.4}]  {diff}\n",
                p.index,
                describe(plan, p),
                c.estimate,
                c.ci.low,
                c.ci.high
            ));
        }
    }
    text
}
