//! `drawdown rank`, `drawdown tornado` and `drawdown sobol` as library calls: build the
//! design of pinned inputs (see [`crate::model::inputs`]), run all of its rows and
//! trials in one parallel run, analyse one output, and write `rank.csv`, `tornado.csv`
//! or `sobol.csv` with a manifest into an atomic result folder.

use super::sweep::{manifest_for, record, write_tables};
use super::{DEFAULT_SEED, Loaded, placement};
use crate::error::{Error, Result};
use crate::export::plots::tornado::TornadoBar;
use crate::export::tables::Table;
use crate::export::xlsx::{self, Analysis, Charts, Headline};
use crate::export::{OutputDir, format};
use crate::model::{Design, InputTable, Model, Period, Pin};
use crate::runner::{self, Observer, RowSink, RunOptions, Shard, UnitRows, budget};
use crate::sensitivity::select::{self, Quantiles, Target};
use crate::sensitivity::{rank, sobol, tornado};
use crate::stats::Interval;
use crate::sweep::{Op, Outcomes, Spec, TrialValues};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What a sensitivity command needs besides the scenario.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    /// `--vary` specs (tornado: two values each; sobol: `PATH=lo,hi` or `PATH`).
    pub vary: Vec<String>,
    /// Trials: per row (tornado), in all (rank), per design row (sobol: replicates).
    pub trials: u64,
    /// Sobol: base rows N.
    pub base_rows: usize,
    /// Master seed; the scenario's, else [`DEFAULT_SEED`], when `None`.
    pub seed: Option<u64>,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Result folder; `results/<scenario name>-<command>` when `None`.
    pub out: Option<PathBuf>,
    /// Replace an output folder that drawdown did not write.
    pub force: bool,
    /// `--series NATION.ITEM`.
    pub series: Option<String>,
    /// `--metric NAME`.
    pub metric: Option<String>,
    /// Rows of the terminal table (and bars of the charts).
    pub top: usize,
    /// Also write `results.xlsx`: the front sheet, the table, the chart.
    pub xlsx: bool,
    /// Refuse to start above this estimated peak memory [bytes]; half the physical
    /// memory when `None` (see [`crate::runner::budget`]).
    pub max_memory: Option<u64>,
}

impl Default for SensitivityRequest {
    fn default() -> Self {
        SensitivityRequest {
            vary: Vec::new(),
            trials: 500,
            base_rows: 256,
            seed: None,
            threads: None,
            out: None,
            force: false,
            series: None,
            metric: None,
            top: 15,
            xlsx: false,
            max_memory: None,
        }
    }
}

/// What a finished analysis reports back.
#[derive(Debug)]
pub struct SensitivitySummary {
    /// Where the results are.
    pub dir: PathBuf,
    /// The terminal table.
    pub table: String,
    /// Trials simulated.
    pub trials_run: u64,
    /// Wall time [s].
    pub wall_seconds: f64,
    /// Leftovers of killed runs that were cleaned up first.
    pub notes: Vec<String>,
}

/// The most trials one design may run.
const MAX_DESIGN_TRIALS: u64 = 100_000_000;

/// Keeps, per trial, the target series' values and the chosen inputs' values.
struct Collect {
    series: usize,
    width: usize,
    inputs: usize,
    keep: Vec<usize>,
    values: Vec<TrialValues>,
    /// The kept inputs' values, one column per input in `keep` (column-major, so that
    /// ranking uses them without a transposed copy).
    drawn: Vec<Vec<f64>>,
}

impl RowSink for Collect {
    type Rendered = (Vec<TrialValues>, Vec<f64>);
    fn render(&self, rows: &UnitRows) -> Self::Rendered {
        let values = rows
            .outcomes
            .chunks(self.width.max(1))
            .map(|c| TrialValues::from(&c[self.series]))
            .collect();
        let mut drawn = Vec::new();
        if !self.keep.is_empty() {
            for trial in rows.inputs.chunks(self.inputs.max(1)) {
                drawn.extend(self.keep.iter().map(|&i| trial[i]));
            }
        }
        (values, drawn)
    }
    fn write(&mut self, r: Self::Rendered) -> Result<()> {
        self.values.extend(r.0);
        let k = self.drawn.len();
        for (i, v) in r.1.into_iter().enumerate() {
            self.drawn[i % k].push(v);
        }
        Ok(())
    }
}

/// A prepared analysis: the model, the output and the run's settings.
struct Setup {
    model: Model,
    target: Target,
    seed: u64,
    threads: usize,
}

fn setup(loaded: &Loaded, req: &SensitivityRequest, trials: u64) -> Result<Setup> {
    if trials > MAX_DESIGN_TRIALS {
        return Err(Error::Usage(format!(
            "this design would run {trials} trials, more than {MAX_DESIGN_TRIALS}: use fewer trials or inputs"
        )));
    }
    let s = &loaded.scenario;
    let target =
        Target::resolve(s, req.series.as_deref(), req.metric.as_deref()).map_err(Error::Usage)?;
    // One reporting period: only per-trial totals are analysed.
    let model = Model::with_period(s.clone(), Period::Days(s.days.max(1)));
    let seed = req.seed.or(s.seed).unwrap_or(DEFAULT_SEED);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = budget::threads_for(req.threads, trials, cores);
    Ok(Setup {
        model,
        target,
        seed,
        threads,
    })
}

/// Bytes a design keeps per trial: the target's values while the trials run, and a
/// copy of them split into the design's rows (tornado) or one row's outputs (sobol).
const DESIGN_TRIAL_BYTES: u64 = 2 * std::mem::size_of::<TrialValues>() as u64;

/// Refuses an analysis of `trials` trials that keeps `per_trial` bytes a trial (see
/// [`DESIGN_TRIAL_BYTES`] and [`rank_trial_bytes`]) and `held` bytes besides (its
/// design, or `rank`'s jackknife) when its estimated peak memory, the run's own ([`budget::estimate_bytes`])
/// and what it keeps, is above the limit.
fn check_memory(
    setup: &Setup,
    req: &SensitivityRequest,
    command: &str,
    trials: u64,
    per_trial: u64,
    held: u64,
) -> Result<()> {
    let Some(limit) = super::memory_limit(req.max_memory) else {
        return Ok(());
    };
    let shape = budget::RunShape {
        trials,
        threads: setup.threads,
        tables_kept: false,
    };
    let need = budget::estimate_bytes(&setup.model, shape)
        .saturating_add(trials.saturating_mul(per_trial))
        .saturating_add(held);
    if need <= limit {
        return Ok(());
    }
    let (what, fewer, kept) = match command {
        "rank" => ("ranking", "use fewer trials (-n)", "its jackknife"),
        "sobol" => (
            "Sobol design",
            "use fewer base rows (--base-rows), replicates or factors (--vary)",
            "the design",
        ),
        _ => (
            "tornado",
            "use fewer trials per bar end (-n) or fewer factors (--vary)",
            "the design",
        ),
    };
    let design = if held > 0 {
        format!(", {kept} {}", budget::human(held))
    } else {
        String::new()
    };
    Err(super::over_memory(
        what,
        need,
        &format!("{trials} trials, {per_trial} bytes kept a trial{design}"),
        limit,
        fewer,
    ))
}

/// Bytes `drawdown rank` keeps per trial with `k` uncertain inputs: their values and,
/// while ranking, their ranks (and the output's), the output's values while the
/// trials run, the output column and the ranking's index and rank of one column.
/// (The PRCC jackknife's ranks among the trials kept, 8 bytes a column, and its
/// tallies, 16 bytes, come after the values are dropped, within the same bytes.)
fn rank_trial_bytes(k: u64) -> u64 {
    let value = std::mem::size_of::<TrialValues>() as u64;
    2 * 8 * (k + 1) + value + 8 + 16
}

/// Bytes `drawdown rank` holds whatever its trials with `k` uncertain inputs: the
/// jackknife's sums of columns and of their products per group and its 2k Fisher z
/// values per group ([`crate::sensitivity::jackknife`]), and three correlation
/// matrices.
fn rank_held_bytes(k: u64) -> u64 {
    let w = k + 1;
    let groups = crate::sensitivity::jackknife::GROUPS as u64;
    8 * (groups * (w * w + w + 2 * k) + 3 * w * w)
}

/// Runs `trials` trials of `setup.model`, keeping the target and the inputs `keep`.
fn collect(
    setup: &Setup,
    trials: u64,
    keep: Vec<usize>,
    observer: &dyn Observer,
) -> Result<Collect> {
    let opts = RunOptions {
        trials,
        seed: setup.seed,
        threads: Some(setup.threads),
        shard: Shard::ALL,
        precision: None,
    };
    let mut sink = Collect {
        series: setup.target.series,
        width: setup.model.series_count(),
        inputs: setup.model.inputs.len(),
        drawn: (0..keep.len())
            .map(|_| Vec::with_capacity(trials as usize))
            .collect(),
        keep,
        values: Vec::with_capacity(trials as usize),
    };
    runner::run(&setup.model, &opts, observer, &mut sink)?;
    if observer.cancelled() {
        return Err(Error::Interrupted);
    }
    Ok(sink)
}

fn out_dir(loaded: &Loaded, req: &SensitivityRequest, command: &str) -> Result<OutputDir> {
    let target = req.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-{command}", loaded.scenario.name))
    });
    OutputDir::create(&target, &placement(loaded, &[], req.force))
}

fn options(req: &SensitivityRequest, setup: &Setup) -> Vec<String> {
    let mut o: Vec<String> = req.vary.iter().map(|v| format!("--vary {v}")).collect();
    o.push(format!("--series {}", setup.target.label));
    o.push(format!("--metric {}", setup.target.metric));
    o
}

/// What an analysis writes: its command, CSV tables `(name, rows with the header
/// first)`, other files `(name, bytes)` (a chart), and the terminal table.
struct Written<'a> {
    command: &'a str,
    files: Vec<(&'a str, Vec<Vec<String>>)>,
    others: Vec<(&'a str, Vec<u8>)>,
    table: String,
}

/// Writes the files, the workbook when asked for, and the manifest; commits the folder.
fn finish(
    loaded: &Loaded,
    req: &SensitivityRequest,
    setup: &Setup,
    dir: OutputDir,
    written: Written,
    (trials, started): (u64, (String, Instant)),
) -> Result<SensitivitySummary> {
    let mut options = options(req, setup);
    if written.command == "sobol" {
        options.push(format!("-N {} -r {}", req.base_rows, req.trials));
    }
    if req.xlsx {
        options.push("--xlsx".into());
    }
    let mut manifest = manifest_for(
        loaded,
        options,
        trials,
        setup.seed,
        setup.threads,
        setup.model.scenario.days,
        started,
    );
    manifest.xlsx = req.xlsx;
    manifest.command = Some(written.command.into());
    for (name, bytes) in &written.others {
        record(&dir, name, bytes, &mut manifest)?;
    }
    let tables: Vec<(&str, Table)> = written
        .files
        .into_iter()
        .map(|(name, rows)| (name, Table::from_rows(rows)))
        .collect();
    write_tables(&dir, &tables, &mut manifest)?;
    if req.xlsx {
        let analysis = design_book(written.command, loaded, req, &manifest, &tables);
        record(
            &dir,
            xlsx::FILE,
            &xlsx::analysis_to_bytes(&analysis)?,
            &mut manifest,
        )?;
    }
    dir.write(crate::export::manifest::FILE, &manifest.to_json()?)?;
    let notes = dir.swept().to_vec();
    let dir = dir.commit()?;
    Ok(SensitivitySummary {
        dir,
        table: written.table,
        trials_run: trials,
        wall_seconds: manifest.wall_seconds,
        notes,
    })
}

/// The workbook of `drawdown rank`, `tornado` or `sobol`.
fn design_book<'a>(
    command: &'a str,
    loaded: &'a Loaded,
    req: &SensitivityRequest,
    manifest: &'a crate::export::Manifest,
    tables: &'a [(&'a str, Table)],
) -> Analysis<'a> {
    let interval = "Every interval is a 95% interval of the estimate given the number of trials, not a range of outcomes.".to_string();
    let (file, columns, trials, mut notes, charts): (_, &[&str], _, _, _) = match command {
        "tornado" => (
            "tornado.csv",
            &["rank", "swing", "swing_ci_low", "swing_ci_high", "estimate_low", "estimate_high", "low", "high", "input"],
            format!("{} per bar end and for the baseline", req.trials),
            vec![
                "How to read a bar: the input is pinned at its low, then at its high value, while every other draw of each trial stays as in the baseline (common random numbers).".to_string(),
                "diff_low and diff_high are the changes of the output from the baseline and swing = high − low, all paired trial by trial, so their intervals carry almost none of the trial-to-trial noise.".to_string(),
                format!("Bars are ranked by |swing|; the chart shows the first {} (the tornado sheet has them all).", req.top.max(1)),
            ],
            Charts::Tornado { top: req.top },
        ),
        "sobol" => (
            "sobol.csv",
            &["total", "total_ci_low", "total_ci_high", "first_order", "first_ci_low", "first_ci_high", "input"],
            format!("{} base rows, {} trials per design row", req.base_rows, req.trials),
            vec![
                "How to read an index: first_order is the share of the output's variance the input explains alone; total adds all its interactions. A total near 0 means the input does not matter over its range.".to_string(),
                "The simulator's own noise is measured within each design row and removed from every index; intervals are 95% percentile-bootstrap intervals over the base rows.".to_string(),
                format!("The chart shows the first {} inputs by total index, with their intervals (sobol_data holds the error bars' lengths).", req.top.max(1)),
            ],
            Charts::Sobol { top: req.top },
        ),
        _ => (
            "rank.csv",
            &["rank", "prcc", "prcc_ci_low", "prcc_ci_high", "src", "src_ci_low", "src_ci_high", "input"],
            format!("{} in one run", req.trials),
            vec![
                "How to read a coefficient: prcc is the partial rank correlation of the input with the output, src the standardised regression coefficient; the sign says in which direction the output moves, the size how strongly.".to_string(),
            ],
            Charts::None,
        ),
    };
    notes.insert(0, String::new());
    notes.push(interval);
    Analysis {
        command,
        scenario: &loaded.scenario,
        manifest,
        tables,
        trials,
        headline: Headline {
            file,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            labels: Vec::new(),
            only: Vec::new(),
            max_rows: req.top.max(1),
        },
        notes,
        charts,
    }
}

fn num(x: f64) -> String {
    format::decimal(x, 6)
}

fn iv(x: (f64, Interval)) -> [String; 3] {
    [num(x.0), num(x.1.low), num(x.1.high)]
}

/// The uncertain inputs of a model.
fn uncertain(inputs: &InputTable) -> Vec<usize> {
    (0..inputs.len())
        .filter(|&i| inputs.defs[i].uncertain())
        .collect()
}

/// `drawdown rank`: one ordinary run recording every uncertain input; inputs ranked by
/// their association with the output (`rank.csv`).
///
/// # Errors
/// Usage errors for a bad series or metric or too few trials; I/O errors naming the path.
pub fn rank(
    loaded: &Loaded,
    req: &SensitivityRequest,
    observer: &dyn Observer,
) -> Result<SensitivitySummary> {
    let started = (crate::export::manifest::now_utc(), Instant::now());
    let mut setup = setup(loaded, req, req.trials)?;
    setup.model.record_inputs = true;
    let ids = uncertain(&setup.model.inputs);
    let k = ids.len();
    if (req.trials as usize) < k + 4 {
        return Err(Error::Usage(format!(
            "-n: ranking {k} uncertain inputs needs at least {} trials, got {}",
            k + 4,
            req.trials
        )));
    }
    check_memory(
        &setup,
        req,
        "rank",
        req.trials,
        rank_trial_bytes(k as u64),
        rank_held_bytes(k as u64),
    )?;
    let dir = out_dir(loaded, req, "rank")?;
    let got = collect(&setup, req.trials, ids.clone(), observer)?;
    let n = got.values.len();
    let y: Vec<f64> = got.values.iter().map(|v| setup.target.value(v)).collect();
    drop(got.values);
    // Inputs never drawn in some trial (a contract awarded after the horizon) or that
    // never varied are left out and listed.
    let mut cols = Vec::new();
    let mut used = Vec::new();
    let mut left_out = Vec::new();
    for (col, &id) in got.drawn.into_iter().zip(&ids) {
        let varies = col.iter().any(|v| *v != col[0]);
        if col.iter().all(|v| v.is_finite()) && varies {
            cols.push(col);
            used.push(id);
        } else {
            left_out.push(setup.model.inputs.defs[id].path.clone());
        }
    }
    let ranking = rank::rank(cols, &y).map_err(|m| Error::Usage(format!("drawdown rank: {m}")))?;
    let mut rows = vec![
        [
            "rank",
            "input",
            "prcc",
            "prcc_ci_low",
            "prcc_ci_high",
            "src",
            "src_ci_low",
            "src_ci_high",
            "spearman",
            "spearman_ci_low",
            "spearman_ci_high",
            "series",
            "metric",
            "trials",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut table = format!(
        "inputs ranked by association with {} of {} over {n} trials (R² linear {:.3}, on ranks {:.3}: the rest is interaction, non-monotone effects and the simulator's own noise)\nrank  PRCC [95% CI]  SRC [95% CI]  input\n",
        setup.target.per_trial_name(),
        setup.target.label,
        ranking.r2,
        ranking.rank_r2
    );
    for (r, c) in ranking.coefficients.iter().enumerate() {
        let path = &setup.model.inputs.defs[used[c.input]].path;
        let mut row = vec![(r + 1).to_string(), path.clone()];
        row.extend(iv(c.prcc));
        row.extend(iv(c.src));
        row.extend(iv(c.spearman));
        row.extend([
            setup.target.label.clone(),
            setup.target.metric.to_string(),
            n.to_string(),
        ]);
        rows.push(row);
        if r < req.top {
            table.push_str(&format!(
                "{:>4}  {:+.3} [{:+.3}, {:+.3}]  {:+.3} [{:+.3}, {:+.3}]  {path}\n",
                r + 1,
                c.prcc.0,
                c.prcc.1.low,
                c.prcc.1.high,
                c.src.0,
                c.src.1.low,
                c.src.1.high
            ));
        }
    }
    if !left_out.is_empty() {
        table.push_str(&format!(
            "left out ({}: not drawn in every trial, or constant): {}\n",
            left_out.len(),
            left_out.join(", ")
        ));
    }
    let written = Written {
        command: "rank",
        files: vec![("rank.csv", rows)],
        others: Vec::new(),
        table,
    };
    finish(loaded, req, &setup, dir, written, (req.trials, started))
}

/// A varied factor: its name, the inputs it moves and how.
struct Factor {
    name: String,
    ids: Vec<usize>,
    /// Tornado: the low and high pins with their labels.
    ends: Vec<(Pin, String)>,
    /// Sobol: a uniform range, or (None) each input's own distribution.
    range: Option<(f64, f64)>,
}

fn parse_number(v: &str, spec: &str) -> Result<f64> {
    v.trim()
        .replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| Error::Usage(format!("--vary '{spec}': '{v}' is not a finite number")))
}

/// Resolves tornado specs (two values each), validating every end as a scenario.
fn tornado_factors(loaded: &Loaded, inputs: &InputTable, vary: &[String]) -> Result<Vec<Factor>> {
    let mut factors = Vec::new();
    for text in vary {
        let spec = Spec::parse(text, "--vary")?;
        if spec.values.len() != 2 {
            return Err(Error::Usage(format!(
                "--vary '{text}': a tornado bar needs exactly two values, low and high (got {})",
                spec.values.len()
            )));
        }
        let ids = select::matching(inputs, &spec.path);
        if ids.is_empty() {
            return Err(Error::Usage(select::no_input(inputs, &spec.path, "--vary")));
        }
        // Each end must be a valid scenario, as in a sweep.
        validate_values(loaded, text)?;
        let mut ends = Vec::new();
        for (i, v) in spec.values.iter().enumerate() {
            let x = parse_number(v, text)?;
            let pin = match spec.op {
                Op::Set => Pin::Set(x),
                Op::Add => Pin::Add(x),
                Op::Mul => Pin::Mul(x),
            };
            ends.push((pin, spec.label(i)));
        }
        factors.push(Factor {
            name: spec.path.clone(),
            ids,
            ends,
            range: None,
        });
    }
    Ok(factors)
}

/// Every uncertain input between the 10 % and 90 % quantiles of its distribution.
fn quantile_factors(inputs: &InputTable) -> Vec<Factor> {
    uncertain(inputs)
        .into_iter()
        .map(|id| {
            let q = Quantiles::of(&inputs.defs[id].dist);
            let end = |p: f64, name: &str| {
                let v = q.at(p);
                let decimals = if v.abs() >= 1000.0 { 0 } else { 3 };
                (
                    Pin::Set(v),
                    format!("{name}={}", format::decimal(v, decimals)),
                )
            };
            Factor {
                name: inputs.defs[id].path.clone(),
                ids: vec![id],
                ends: vec![end(0.1, "p10"), end(0.9, "p90")],
                range: None,
            }
        })
        .collect()
}

/// Runs every row of `design` in one parallel run of `setup` (prepared and checked for
/// memory with [`setup`] and [`check_memory`] for `design.trials()` trials), into
/// `results/<name>-<command>`.
fn run_design(
    loaded: &Loaded,
    req: &SensitivityRequest,
    mut setup: Setup,
    design: Design,
    command: &str,
    observer: &dyn Observer,
) -> Result<(Setup, OutputDir, Collect, u64)> {
    let total = design.trials();
    setup.model.design = Some(Arc::new(design));
    let dir = out_dir(loaded, req, command)?;
    let got = collect(&setup, total, Vec::new(), observer)?;
    Ok((setup, dir, got, total))
}

/// Bytes of a design of `rows` rows pinning `pins` inputs each (see [`Design`]).
fn design_bytes(rows: u64, pins: u64) -> u64 {
    let pin = std::mem::size_of::<(u32, Pin)>() as u64;
    let row = std::mem::size_of::<Vec<(u32, Pin)>>() as u64;
    rows.saturating_mul(row.saturating_add(pins.saturating_mul(pin)))
}

/// Checks that setting `text`'s values gives valid scenarios, as a sweep would.
fn validate_values(loaded: &Loaded, text: &str) -> Result<()> {
    let plan = super::sweep::plan(loaded, &[text.to_string()], false, &[])?;
    for p in &plan.points {
        let label = format!("--vary '{text}' value {}", p.labels.join(", "));
        super::sweep::point_scenario(loaded, &plan, &p.assignments, &label)?;
    }
    Ok(())
}

/// Splits a design's collected values into its rows (`block` trials each, width 1).
fn rows_of(values: Vec<TrialValues>, block: usize) -> Vec<Outcomes> {
    values
        .chunks(block.max(1))
        .map(|c| Outcomes {
            width: 1,
            values: c.to_vec(),
        })
        .collect()
}

/// `drawdown tornado`: the baseline and, per factor, a low and a high row, all with the
/// same trial indices (`tornado.csv`, bars ranked by swing).
///
/// # Errors
/// Usage errors naming the spec; I/O errors naming the path.
pub fn tornado(
    loaded: &Loaded,
    req: &SensitivityRequest,
    observer: &dyn Observer,
) -> Result<SensitivitySummary> {
    let started = (crate::export::manifest::now_utc(), Instant::now());
    let inputs = InputTable::new(&loaded.scenario);
    let factors = if req.vary.is_empty() {
        quantile_factors(&inputs)
    } else {
        tornado_factors(loaded, &inputs, &req.vary)?
    };
    if factors.is_empty() {
        return Err(Error::Usage(
            "drawdown tornado: the scenario has no uncertain input; name one with --vary PATH=low,high".into(),
        ));
    }
    let row_count = 1 + 2 * factors.len() as u64;
    let total = row_count.saturating_mul(req.trials);
    let setup = setup(loaded, req, total)?;
    // A row pins one factor's inputs: counted at the largest factor's.
    let row_pins: u64 = factors
        .iter()
        .map(|f| f.ids.len() as u64)
        .max()
        .unwrap_or(0);
    let held = design_bytes(row_count, row_pins);
    check_memory(&setup, req, "tornado", total, DESIGN_TRIAL_BYTES, held)?;
    let mut rows: Vec<Vec<(u32, Pin)>> = vec![Vec::new()];
    for f in &factors {
        for (pin, _) in &f.ends {
            rows.push(f.ids.iter().map(|&id| (id as u32, *pin)).collect());
        }
    }
    let design = Design {
        block: req.trials,
        common: true,
        rows,
    };
    let (setup, dir, got, total) = run_design(loaded, req, setup, design, "tornado", observer)?;
    let rows = rows_of(got.values, req.trials as usize);
    let base = &rows[0];
    let mut bars: Vec<tornado::Bar> = factors
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let labels = [f.ends[0].1.clone(), f.ends[1].1.clone()];
            let ends = [&rows[1 + 2 * i], &rows[2 + 2 * i]];
            tornado::bar(
                f.name.clone(),
                f.ids.len(),
                labels,
                ends,
                base,
                &setup.target,
            )
        })
        .collect();
    tornado::rank(&mut bars);
    let baseline = tornado::measure(base, base, &setup.target);
    let mut table = match &baseline {
        Some(b) => format!(
            "{} of {}: baseline {:.d$} [{:.d$}, {:.d$}], {} trials per bar end (common random numbers)\n",
            setup.target.metric,
            setup.target.label,
            b.estimate,
            b.ci.low,
            b.ci.high,
            req.trials,
            d = setup.target.decimals()
        ),
        None => String::new(),
    };
    table.push_str("rank  swing high−low [95% CI]  low → high  input\n");
    let mut csv = vec![
        [
            "rank",
            "input",
            "inputs_moved",
            "low",
            "high",
            "series",
            "metric",
            "baseline",
            "baseline_ci_low",
            "baseline_ci_high",
            "estimate_low",
            "estimate_high",
            "diff_low",
            "diff_low_ci_low",
            "diff_low_ci_high",
            "diff_high",
            "diff_high_ci_low",
            "diff_high_ci_high",
            "swing",
            "swing_ci_low",
            "swing_ci_high",
            "trials",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (r, b) in bars.iter().enumerate() {
        let mut row = vec![
            (r + 1).to_string(),
            b.name.clone(),
            b.inputs.to_string(),
            b.labels[0].clone(),
            b.labels[1].clone(),
            setup.target.label.clone(),
            setup.target.metric.to_string(),
        ];
        match &baseline {
            Some(m) => row.extend(iv((m.estimate, m.ci))),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
        row.extend([num(b.ends[0].estimate), num(b.ends[1].estimate)]);
        for end in &b.ends {
            match end.diff {
                Some(d) => row.extend(iv(d)),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        row.extend(iv(b.swing));
        row.push(req.trials.to_string());
        csv.push(row);
        if r < req.top {
            table.push_str(&format!(
                "{:>4}  {:+.d$} [{:+.d$}, {:+.d$}]  {} → {}  {} ({} → {})\n",
                r + 1,
                b.swing.0,
                b.swing.1.low,
                b.swing.1.high,
                format_end(b.ends[0].estimate),
                format_end(b.ends[1].estimate),
                b.name,
                b.labels[0],
                b.labels[1],
                d = setup.target.decimals()
            ));
        }
    }
    if bars.len() > req.top {
        table.push_str(&format!("… {} more in tornado.csv\n", bars.len() - req.top));
    }
    let chart: Vec<TornadoBar> = bars
        .iter()
        .take(req.top.max(1))
        .filter_map(|b| {
            Some(TornadoBar {
                name: b.name.clone(),
                values: format!("{} → {}", b.labels[0], b.labels[1]),
                low: b.ends[0].diff?.0,
                high: b.ends[1].diff?.0,
            })
        })
        .collect();
    let base_value = baseline.as_ref().map_or(String::new(), |b| {
        format!(" {:.d$}", b.estimate, d = setup.target.decimals())
    });
    let svg = crate::export::plots::tornado::svg(
        &chart,
        &format!(
            "What moves {} of {}",
            setup.target.metric, setup.target.label
        ),
        &format!("change from the baseline{base_value}"),
        &format!(
            "drawdown tornado · scenario '{}' · {} trials per bar end · common random numbers",
            loaded.scenario.name, req.trials
        ),
    )?;
    let written = Written {
        command: "tornado",
        files: vec![("tornado.csv", csv)],
        others: vec![("tornado.svg", svg.into_bytes())],
        table,
    };
    finish(loaded, req, &setup, dir, written, (total, started))
}

fn format_end(x: f64) -> String {
    if x.abs() < 10.0 {
        format!("{x:.4}")
    } else {
        format!("{x:.0}")
    }
}

/// Resolves Sobol factors: `PATH=lo,hi` (uniform range) or `PATH` (each matched input's
/// own distribution, all at the same quantile).
fn sobol_factors(loaded: &Loaded, inputs: &InputTable, vary: &[String]) -> Result<Vec<Factor>> {
    if vary.is_empty() {
        return Ok(uncertain(inputs)
            .into_iter()
            .map(|id| Factor {
                name: inputs.defs[id].path.clone(),
                ids: vec![id],
                ends: Vec::new(),
                range: None,
            })
            .collect());
    }
    let mut factors = Vec::new();
    for text in vary {
        let (pattern, range) = match text.split_once('=') {
            None => (text.trim().to_string(), None),
            Some(_) => {
                let spec = Spec::parse(text, "--vary")?;
                if spec.op != Op::Set || spec.values.len() != 2 {
                    return Err(Error::Usage(format!(
                        "--vary '{text}': a Sobol factor is PATH=lo,hi (a uniform range) or PATH alone (its own distribution)"
                    )));
                }
                let lo = parse_number(&spec.values[0], text)?;
                let hi = parse_number(&spec.values[1], text)?;
                if lo >= hi {
                    return Err(Error::Usage(format!(
                        "--vary '{text}': lo must be below hi"
                    )));
                }
                validate_values(loaded, text)?;
                (spec.path, Some((lo, hi)))
            }
        };
        let ids = select::matching(inputs, &pattern);
        if ids.is_empty() {
            return Err(Error::Usage(select::no_input(inputs, &pattern, "--vary")));
        }
        if range.is_none() && ids.iter().all(|&i| !inputs.defs[i].uncertain()) {
            return Err(Error::Usage(format!(
                "--vary '{text}': every input it matches is a fixed number; give a range, PATH=lo,hi"
            )));
        }
        factors.push(Factor {
            name: pattern,
            ids,
            ends: Vec::new(),
            range,
        });
    }
    Ok(factors)
}

/// `drawdown sobol`: first-order and total indices of each factor on the output, with
/// the simulator's noise removed (`sobol.csv`; see [`crate::sensitivity::sobol`]).
///
/// # Errors
/// Usage errors naming the spec or a design too large; I/O errors naming the path.
pub fn sobol(
    loaded: &Loaded,
    req: &SensitivityRequest,
    observer: &dyn Observer,
) -> Result<SensitivitySummary> {
    let started = (crate::export::manifest::now_utc(), Instant::now());
    let inputs = InputTable::new(&loaded.scenario);
    let factors = sobol_factors(loaded, &inputs, &req.vary)?;
    if factors.is_empty() {
        return Err(Error::Usage(
            "drawdown sobol: the scenario has no uncertain input; name factors with --vary PATH=lo,hi".into(),
        ));
    }
    if req.trials < 2 {
        return Err(Error::Usage(
            "--replicates: at least 2 trials per design row (their spread measures the simulator's noise)".into(),
        ));
    }
    // Everything below grows with the design: check it fits before building any of it.
    let k = factors.len() as u64;
    let row_count = (req.base_rows as u64).saturating_mul(k + 2);
    let total = row_count.saturating_mul(req.trials);
    let setup = setup(loaded, req, total)?;
    let row_pins: u64 = factors.iter().map(|f| f.ids.len() as u64).sum();
    let own_laws: u64 = factors
        .iter()
        .filter(|f| f.range.is_none())
        .map(|f| f.ids.len() as u64)
        .sum();
    let plan_row = std::mem::size_of::<Vec<f64>>() as u64 + 8 * k;
    let held = design_bytes(row_count, row_pins)
        // The plan's A and B, and its rows while the design's pins are made from them.
        .saturating_add((2 * 8 * k).saturating_mul(req.base_rows as u64))
        .saturating_add(row_count.saturating_mul(plan_row))
        // The quantile function of each input moved on its own law.
        .saturating_add(own_laws.saturating_mul(8 * select::QUANTILE_DRAWS as u64));
    check_memory(&setup, req, "sobol", total, DESIGN_TRIAL_BYTES, held)?;
    let seed = req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let plan = sobol::Plan::new(factors.len(), req.base_rows, seed ^ 0x0050_b01d);
    let quantiles: Vec<Vec<Quantiles>> = factors
        .iter()
        .map(|f| match f.range {
            Some(_) => Vec::new(),
            None => f
                .ids
                .iter()
                .map(|&id| Quantiles::of(&inputs.defs[id].dist))
                .collect(),
        })
        .collect();
    let rows: Vec<Vec<(u32, Pin)>> = plan
        .rows()
        .into_iter()
        .map(|u| {
            let mut pins = Vec::with_capacity(row_pins as usize);
            for ((f, q), x) in factors.iter().zip(&quantiles).zip(u) {
                for (j, &id) in f.ids.iter().enumerate() {
                    let v = match f.range {
                        Some((lo, hi)) => lo + x * (hi - lo),
                        None => q[j].at(x),
                    };
                    pins.push((id as u32, Pin::Set(v)));
                }
            }
            pins
        })
        .collect();
    let design = Design {
        block: req.trials,
        common: false,
        rows,
    };
    let (setup, dir, got, total) = run_design(loaded, req, setup, design, "sobol", observer)?;
    let stats: Vec<sobol::RowStats> = got
        .values
        .chunks(req.trials as usize)
        .map(|c| {
            let y: Vec<f64> = c.iter().map(|v| setup.target.value(v)).collect();
            sobol::RowStats::of(&y)
        })
        .collect();
    let a = sobol::analyse(&plan, req.trials as usize, &stats, seed ^ 0xb007);
    let mut csv = vec![
        [
            "input",
            "inputs_moved",
            "range",
            "series",
            "metric",
            "first_order",
            "first_ci_low",
            "first_ci_high",
            "total",
            "total_ci_low",
            "total_ci_high",
            "base_rows",
            "replicates",
            "trials",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut order: Vec<usize> = (0..factors.len()).collect();
    order.sort_by(|&x, &y| {
        a.indices[y]
            .total
            .0
            .total_cmp(&a.indices[x].total.0)
            .then(x.cmp(&y))
    });
    let mut table = format!(
        "Sobol indices of {} of {}: {} base rows × {} design points × {} trials = {total} trials\nmean over trials {:.4}; variance the inputs explain {:.4e}; the simulator's own noise is {:.1} % of one trial's variance (removed from every index)\n  total [95% CI]      first order [95% CI]  input\n",
        setup.target.per_trial_name(),
        setup.target.label,
        req.base_rows,
        plan.per_base(),
        req.trials,
        a.mean,
        a.variance,
        100.0 * a.noise_share
    );
    let mut widest: f64 = 0.0;
    for &i in &order {
        let (f, x) = (&factors[i], a.indices[i]);
        let range = match f.range {
            Some((lo, hi)) => format!("uniform {lo}..{hi}"),
            None => "own distribution".to_string(),
        };
        let mut row = vec![
            f.name.clone(),
            f.ids.len().to_string(),
            range,
            setup.target.label.clone(),
            setup.target.metric.to_string(),
        ];
        row.extend(iv(x.first));
        row.extend(iv(x.total));
        row.extend([
            req.base_rows.to_string(),
            req.trials.to_string(),
            total.to_string(),
        ]);
        csv.push(row);
        widest = widest.max(x.total.1.width() / 2.0);
        if table.lines().count() < req.top + 3 {
            table.push_str(&format!(
                "  {:.3} [{:.3}, {:.3}]  {:.3} [{:.3}, {:.3}]  {}\n",
                x.total.0,
                x.total.1.low,
                x.total.1.high,
                x.first.0,
                x.first.1.low,
                x.first.1.high,
                f.name
            ));
        }
    }
    table.push_str(&format!(
        "widest half-width of a total index: {widest:.3}{}\n",
        if widest > 0.05 {
            " (above 0.05: raise -N, the base rows, about ×(half-width/0.05)²)"
        } else {
            ""
        }
    ));
    let written = Written {
        command: "sobol",
        files: vec![("sobol.csv", csv)],
        others: Vec::new(),
        table,
    };
    finish(loaded, req, &setup, dir, written, (total, started))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: a value of the output is 56 bytes (a bool, a u32 and six u64, padded);
    /// with 151 inputs `rank` keeps their values and ranks and the output's (2 × 8 ×
    /// 152 = 2 432), the output's values (56), its column (8) and one column's index and
    /// ranks while ranking (16): 2 512 bytes a trial, as the refusal says.
    #[test]
    fn rank_keeps_what_the_hand_count_says() {
        assert_eq!(std::mem::size_of::<TrialValues>(), 56);
        assert_eq!(rank_trial_bytes(151), 2_512);
        assert_eq!(DESIGN_TRIAL_BYTES, 112);
        // And whatever the trials: 20 groups' sums of 152 columns and 152² products,
        // 20 × (23 104 + 152) × 8 = 3 720 960, their 302 z values, 20 × 302 × 8 =
        // 48 320, and three 152² matrices, 554 496.
        assert_eq!(rank_held_bytes(151), 3_720_960 + 48_320 + 554_496);
    }

    /// A pin is an input index and a value with its kind (4 + 16, padded to 24 bytes),
    /// a row a vector's 24: 10 rows of 3 pins are 10 × (24 + 72) = 960 bytes.
    #[test]
    fn a_design_takes_its_rows_and_pins() {
        assert_eq!(design_bytes(10, 3), 960);
        assert_eq!(design_bytes(0, 151), 0);
        assert_eq!(design_bytes(u64::MAX, 2), u64::MAX, "saturates");
    }
}
