//! Command-line flags (clap derive). The only module that knows about clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Monte Carlo simulation of munitions stockpiles: when do they run dry, and how sure are we?
#[derive(Debug, Parser)]
#[command(name = "drawdown", version, about, long_about = None, after_help = EXAMPLES)]
pub(crate) struct Cli {
    /// The task.
    #[command(subcommand)]
    pub(crate) command: Command,
}

const EXAMPLES: &str = "\
Examples:
  drawdown run                                   # the embedded default scenario, 10,000 trials
  drawdown run configs/example.toml -n 2000 -o results/mine
  drawdown run --set factories.us_scranton.capacity.initial=20000 --step 30
  drawdown run --period quarter                  # report by calendar quarter (2024-Q1, …)
  drawdown run --csv-locale fr --excel-bom        # ';' and ',' for a French Excel
  drawdown run --xlsx --period month             # plus results.xlsx with charts, by month
  drawdown run --plots                           # plus SVG charts in results/default/plots/
  drawdown run --until-ci 0.02 --target ukraine.shell_155
  drawdown run --trials 1 --trace trace.csv       # one trial's full event log
  drawdown check configs/default.toml
  drawdown sweep --vary 'factories.us_scranton.capacity.ramp.*.slip_days+=0,365' -n 1000
  drawdown sweep --vary 'nations.us.stock.shell_155.initial*=0.5,1,1.5' --xlsx --tables
  drawdown check --vary 'factories.*.capacity.initial*=0.5,1,1.5'
  drawdown tornado -n 200 --xlsx                 # plus results.xlsx with the tornado chart
  drawdown init my-scenario.toml
  drawdown scenarios                             # the shipped scenarios and their questions
  drawdown run patriot -n 2000                   # a shipped scenario by name
  drawdown init my-patriot.toml --from patriot   # start your own from a shipped one
  drawdown backtest configs/default.toml -m configs/default.backtest.toml -o configs/BACKTEST.md
  drawdown run -n 100000 --shard 3/16 && drawdown merge results/default.shard-*-of-16 -o results/default";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run N trials of a scenario and write the result folder.
    Run(RunArgs),
    /// Validate a scenario and print what it contains (with --vary: what a sweep changes).
    Check(CheckArgs),
    /// Run a grid of scenario variants with common random numbers; paired differences.
    Sweep(SweepArgs),
    /// Write a commented starter scenario (or, with --from, a copy of a shipped one).
    Init(InitArgs),
    /// List the shipped scenarios with the question each answers and its horizon.
    Scenarios,
    /// Combine shard folders (written with run --shard) into one result folder.
    Merge(MergeArgs),
    /// Compare a scenario with dated public figures and write a Markdown report.
    Backtest(BacktestArgs),
    /// Rank every uncertain input by its association with an output, from one run (PRCC, SRC).
    Rank(RankArgs),
    /// One-at-a-time swings of inputs with common random numbers, ranked by effect.
    Tornado(SensitivityArgs),
    /// Variance-based global sensitivity: first-order and total Sobol indices, noise removed.
    Sobol(SobolArgs),
}

/// Flags shared by commands that read a scenario.
#[derive(Debug, Args)]
pub(crate) struct ScenarioArgs {
    /// Override a number or value in the scenario, e.g. factories.us_scranton.capacity.initial=20000 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) overrides: Vec<String>,
}

/// `drawdown run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML), or the name of a shipped scenario (`drawdown scenarios`);
    /// the embedded default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// Number of trials, 1 to 1,000,000,000 (the maximum with --until-ci).
    #[arg(short = 'n', long, default_value_t = 10_000, allow_negative_numbers = true, value_parser = whole::<1, 1_000_000_000>)]
    pub(crate) trials: u64,
    /// Master seed; the scenario's seed, else 20220224, when omitted.
    #[arg(short, long, allow_negative_numbers = true, value_parser = whole::<0, { u64::MAX }>)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 (results do not depend on it); all cores when omitted.
    /// Never more than there are units of 16 trials.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = whole_u32::<1, 1024>)]
    pub(crate) threads: Option<u32>,
    /// Result folder; results/<scenario name>/ when omitted. An existing folder is
    /// replaced only if drawdown wrote it (or is empty).
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing output folder (or --trace file) even though drawdown did not
    /// write it. Never a file as a folder, the current or home folder, or the scenario's.
    #[arg(long)]
    pub(crate) force: bool,
    /// Refuse to start if the run would need more memory than this (e.g. 4G, 500M);
    /// default: half of the physical memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_memory: Option<u64>,
    /// Days between reporting days in depletion.csv, stock.csv and shortfall.csv (1 to 36525).
    #[arg(long, value_name = "DAYS", default_value_t = 7, allow_negative_numbers = true, value_parser = whole_u32::<1, 36_525>)]
    pub(crate) step: u32,
    /// Report by calendar period: month, quarter or year (the last day of each, plus the
    /// horizon's last day; tables gain a `period` column such as 2024-01, 2024-Q1, 2024),
    /// or a number of days (the same as --step N).
    #[arg(long, value_name = "month|quarter|year|N", conflicts_with = "step", value_parser = parse_period)]
    pub(crate) period: Option<drawdown::model::Period>,
    /// Write the CSV files the way a spreadsheet in this locale reads them: fr, de, it,
    /// es, pt, nl, pl … give ';' between fields and ',' as decimal separator; en gives
    /// the default (',' and '.').
    #[arg(long, value_name = "LANG", value_parser = parse_locale)]
    pub(crate) csv_locale: Option<drawdown::export::CsvFormat>,
    /// CSV field delimiter: ',', ';', '|' or tab (overrides --csv-locale).
    #[arg(long, value_name = "CHAR", value_parser = drawdown::export::csv_format::parse_separator)]
    pub(crate) delimiter: Option<char>,
    /// CSV decimal separator: '.' or ',' (overrides --csv-locale).
    #[arg(long, value_name = "CHAR", value_parser = drawdown::export::csv_format::parse_separator)]
    pub(crate) decimal: Option<char>,
    /// Start every CSV file with the UTF-8 byte-order mark, so that Excel reads accented
    /// names right.
    #[arg(long)]
    pub(crate) excel_bom: bool,
    /// Also write results.xlsx: an overview sheet, every table as a sheet (numbers, date
    /// cells, filters), native charts (stock fan, depletion curve, fill rate) and the
    /// trials when they fit in a sheet.
    #[arg(long)]
    pub(crate) xlsx: bool,
    /// Also write inputs.csv: the value every uncertain input (`drawdown check --inputs`)
    /// took in every trial, one row per trial and input.
    #[arg(long)]
    pub(crate) inputs: bool,
    /// Also write SVG charts into plots/ (slide-sized): a stock fan chart per nation and
    /// item, the depletion curves of every nation per item, need and fire with the fill
    /// rate per consuming nation.
    #[arg(long)]
    pub(crate) plots: bool,
    /// Run only shard K of N (1-based), writing a mergeable partial result (1/1 too).
    #[arg(long, value_name = "K/N", conflicts_with = "trace")]
    pub(crate) shard: Option<String>,
    /// Keep adding trials until every depletion probability's 95% interval is narrower than W.
    #[arg(
        long,
        value_name = "W",
        conflicts_with = "trace",
        allow_negative_numbers = true
    )]
    pub(crate) until_ci: Option<f64>,
    /// With --until-ci, track only this series (nation.item).
    #[arg(long, value_name = "NATION.ITEM")]
    pub(crate) target: Option<String>,
    /// Write the full event log of one trial as CSV to FILE (- for stdout) instead of a Monte Carlo run.
    #[arg(long, value_name = "FILE")]
    pub(crate) trace: Option<PathBuf>,
    /// Which trial to trace.
    #[arg(long, value_name = "INDEX", default_value_t = 0, requires = "trace")]
    pub(crate) trace_trial: u64,
    /// No progress bar and no result table.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Scenario overrides.
    #[command(flatten)]
    pub(crate) scenario_args: ScenarioArgs,
}

/// `drawdown check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Scenario file (TOML) or shipped scenario name; the embedded default when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// Scenario overrides.
    #[command(flatten)]
    pub(crate) scenario_args: ScenarioArgs,
    /// Sweep specs: list what each matches and the values at each point.
    #[command(flatten)]
    pub(crate) grid: GridArgs,
    /// List the numbers each trial draws once (the inputs that rank, tornado and sobol
    /// vary), with their paths and distributions.
    #[arg(long)]
    pub(crate) inputs: bool,
}

/// `drawdown rank`: every uncertain input of one run, so no `--vary`.
#[derive(Debug, Args)]
pub(crate) struct RankArgs {
    /// Scenario file (TOML); the embedded default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// Trials in all, 1 to 10,000,000.
    #[arg(short = 'n', long, default_value_t = 500, allow_negative_numbers = true, value_parser = whole::<1, 10_000_000>)]
    pub(crate) trials: u64,
    /// Rows of the terminal table (all rows are in the CSV).
    #[arg(long, default_value_t = 15)]
    pub(crate) top: usize,
    /// Common flags.
    #[command(flatten)]
    pub(crate) common: DesignArgs,
}

impl From<RankArgs> for SensitivityArgs {
    fn from(a: RankArgs) -> SensitivityArgs {
        SensitivityArgs {
            scenario: a.scenario,
            vary: Vec::new(),
            trials: a.trials,
            top: a.top,
            common: a.common,
        }
    }
}

/// `drawdown tornado` (and, through [`RankArgs`], `drawdown rank`).
#[derive(Debug, Args)]
pub(crate) struct SensitivityArgs {
    /// Scenario file (TOML); the embedded default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// An input to swing, PATH=low,high | PATH+=d1,d2 | PATH*=f1,f2 (repeatable; `*` and
    /// `{a,b}` move every match together); every uncertain input between its 10 % and
    /// 90 % quantiles when omitted.
    #[arg(long, value_name = "SPEC")]
    pub(crate) vary: Vec<String>,
    /// Trials per bar end and for the baseline, 1 to 10,000,000.
    #[arg(short = 'n', long, default_value_t = 500, allow_negative_numbers = true, value_parser = whole::<1, 10_000_000>)]
    pub(crate) trials: u64,
    /// Rows of the terminal table (all rows are in the CSV).
    #[arg(long, default_value_t = 15)]
    pub(crate) top: usize,
    /// Common flags.
    #[command(flatten)]
    pub(crate) common: DesignArgs,
}

/// `drawdown sobol`.
#[derive(Debug, Args)]
pub(crate) struct SobolArgs {
    /// Scenario file (TOML); the embedded default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// A factor: PATH=lo,hi (uniform over the range) or PATH (the input's own
    /// distribution); `*` and `{a,b}` move every match together (repeatable). Every
    /// uncertain input on its own distribution when omitted.
    #[arg(long, value_name = "SPEC")]
    pub(crate) vary: Vec<String>,
    /// Base rows N of the Saltelli design, 2 to 1,000,000; the run is N × (factors + 2) ×
    /// replicates trials.
    #[arg(short = 'N', long = "base-rows", default_value_t = 256, allow_negative_numbers = true, value_parser = whole::<2, 1_000_000>)]
    pub(crate) base_rows: u64,
    /// Trials per design row, 2 to 1,000 (their spread measures the simulator's noise).
    #[arg(short = 'r', long, default_value_t = 4, allow_negative_numbers = true, value_parser = whole::<2, 1_000>)]
    pub(crate) replicates: u64,
    /// Rows of the terminal table.
    #[arg(long, default_value_t = 15)]
    pub(crate) top: usize,
    /// Common flags.
    #[command(flatten)]
    pub(crate) common: DesignArgs,
}

/// Flags shared by rank, tornado and sobol.
#[derive(Debug, Args)]
pub(crate) struct DesignArgs {
    /// The output's series, NATION.ITEM; the recipient (first series with demand that
    /// receives aid) when omitted.
    #[arg(long, value_name = "NATION.ITEM")]
    pub(crate) series: Option<String>,
    /// The output metric: fill_rate, p_depleted, unmet_mean, consumed_mean,
    /// shortage_days_mean, final_stock_mean, min_stock_mean (fill_rate for a series with
    /// demand, else p_depleted, when omitted).
    #[arg(long, value_name = "NAME")]
    pub(crate) metric: Option<String>,
    /// Master seed; the scenario's, else 20220224, when omitted.
    #[arg(short, long, allow_negative_numbers = true, value_parser = whole::<0, { u64::MAX }>)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 (results do not depend on it); all cores when omitted.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = whole_u32::<1, 1024>)]
    pub(crate) threads: Option<u32>,
    /// Result folder; results/<scenario name>-<command>/ when omitted.
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing output folder even though drawdown did not write it.
    #[arg(long)]
    pub(crate) force: bool,
    /// Refuse to start if the analysis would need more memory than this (e.g. 4G,
    /// 500M); default: half of the physical memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_memory: Option<u64>,
    /// Also write results.xlsx: an overview sheet with the ranked table, the CSV as a
    /// sheet, and (tornado, sobol) a native Excel bar chart of the first --top inputs.
    #[arg(long)]
    pub(crate) xlsx: bool,
    /// No progress bar and no result table.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Scenario overrides, applied first.
    #[command(flatten)]
    pub(crate) scenario_args: ScenarioArgs,
}

/// The grid of a sweep (`sweep`, `check --vary`).
#[derive(Debug, Args)]
pub(crate) struct GridArgs {
    /// What to vary (repeatable; the grid is their product): PATH=v1,v2 | PATH=lo..hi:steps |
    /// PATH+=d1,d2 | PATH*=f1,f2; `*` matches any one path segment, `{a,b}` any key listed.
    #[arg(long, value_name = "SPEC")]
    pub(crate) vary: Vec<String>,
    /// Pair the --vary specs' values in order instead of taking their product.
    #[arg(long)]
    pub(crate) zip: bool,
    /// The reference of the paired differences, as specs with one value each
    /// (default: the scenario as written).
    #[arg(long, value_name = "SPEC")]
    pub(crate) baseline: Vec<String>,
}

/// `drawdown sweep`.
#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// Scenario file (TOML); the embedded default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// The grid.
    #[command(flatten)]
    pub(crate) grid: GridArgs,
    /// Trials per point (and for the baseline), 1 to 1,000,000,000.
    #[arg(short = 'n', long, default_value_t = 1_000, allow_negative_numbers = true, value_parser = whole::<1, 1_000_000_000>)]
    pub(crate) trials: u64,
    /// Master seed, shared by every point; the scenario's, else 20220224, when omitted.
    #[arg(short, long, allow_negative_numbers = true, value_parser = whole::<0, { u64::MAX }>)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 (results do not depend on it); all cores when omitted.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = whole_u32::<1, 1024>)]
    pub(crate) threads: Option<u32>,
    /// Result folder; results/<scenario name>-sweep/ when omitted.
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing output folder even though drawdown did not write it.
    #[arg(long)]
    pub(crate) force: bool,
    /// The memory the sweep may use (e.g. 4G, 500M): fewer points run together below
    /// it, and a sweep that cannot fit is refused; default: half of the physical memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_memory: Option<u64>,
    /// Also write results.xlsx: an overview sheet with the fill-rate table, sweep and
    /// points as sheets, and native Excel charts of each metric against the point.
    #[arg(long)]
    pub(crate) xlsx: bool,
    /// Also write each point's per-day tables (summary, depletion, stock, shortfall …,
    /// as `run` writes them) into points/<point>/, the baseline's into points/baseline/.
    #[arg(long)]
    pub(crate) tables: bool,
    /// With --tables: days between reporting days (1 to 36525).
    #[arg(long, value_name = "DAYS", default_value_t = 7, requires = "tables", allow_negative_numbers = true, value_parser = whole_u32::<1, 36_525>)]
    pub(crate) step: u32,
    /// With --tables: report by calendar month, quarter or year, or every N days.
    #[arg(long, value_name = "month|quarter|year|N", requires = "tables", conflicts_with = "step", value_parser = parse_period)]
    pub(crate) period: Option<drawdown::model::Period>,
    /// No progress bar and no result table.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Scenario overrides, applied before the sweep (the baseline includes them).
    #[command(flatten)]
    pub(crate) scenario_args: ScenarioArgs,
}

/// `drawdown init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write the starter scenario.
    #[arg(default_value = "scenario.toml")]
    pub(crate) file: PathBuf,
    /// Start from this shipped scenario (see `drawdown scenarios`) instead of the
    /// commented starter.
    #[arg(long, value_name = "NAME")]
    pub(crate) from: Option<String>,
    /// Overwrite the file if it exists (atomically: a failure leaves it as it was).
    #[arg(short, long)]
    pub(crate) force: bool,
}

/// `drawdown merge`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Shard folders written by `drawdown run --shard K/N`.
    #[arg(required = true, num_args = 1..)]
    pub(crate) dirs: Vec<PathBuf>,
    /// Result folder to write (never one of the shard folders, nor inside or around one).
    #[arg(short, long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace an existing output folder even though drawdown did not write it.
    #[arg(long)]
    pub(crate) force: bool,
    /// Refuse to start if the merge would need more memory than this (e.g. 4G, 500M);
    /// default: half of the physical memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_memory: Option<u64>,
    /// No result table.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// `drawdown backtest`.
#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// Scenario file (TOML) or shipped scenario name; the default scenario when omitted.
    pub(crate) scenario: Option<PathBuf>,
    /// The milestones file: dated reported figures and the model measure of each.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) milestones: PathBuf,
    /// Number of trials, 1 to 1,000,000.
    #[arg(short = 'n', long, default_value_t = 1_000, allow_negative_numbers = true, value_parser = whole::<1, 1_000_000>)]
    pub(crate) trials: u64,
    /// Master seed; the scenario's seed, else 20220224, when omitted.
    #[arg(short, long, allow_negative_numbers = true, value_parser = whole::<0, { u64::MAX }>)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 (results do not depend on it); all cores when omitted.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = whole_u32::<1, 1024>)]
    pub(crate) threads: Option<u32>,
    /// The Markdown report to write (replaced only if drawdown wrote it); stdout when omitted.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Replace the report file even though drawdown did not write it.
    #[arg(long)]
    pub(crate) force: bool,
    /// Scenario overrides.
    #[command(flatten)]
    pub(crate) scenario_args: ScenarioArgs,
}

/// Parses `--period`: month, quarter, year, or a number of days.
fn parse_period(text: &str) -> Result<drawdown::model::Period, String> {
    text.parse()
}

/// Parses `--csv-locale`: a language code such as fr or de_DE.
fn parse_locale(text: &str) -> Result<drawdown::export::CsvFormat, String> {
    drawdown::export::CsvFormat::for_locale(text)
}

/// A whole number from `LO` to `HI`: a negative number, a fraction or a word is
/// refused with the range (clap's own parser says "invalid digit found in string").
fn whole<const LO: u64, const HI: u64>(text: &str) -> Result<u64, String> {
    let range = || {
        if HI == u64::MAX {
            format!("expected a whole number from {LO} to {HI} (2^64 - 1)")
        } else {
            format!("expected a whole number from {LO} to {HI}")
        }
    };
    match text.trim().parse::<u64>() {
        Ok(v) if (LO..=HI).contains(&v) => Ok(v),
        _ => Err(range()),
    }
}

/// [`whole`] for a `u32` option.
fn whole_u32<const LO: u64, const HI: u64>(text: &str) -> Result<u32, String> {
    whole::<LO, HI>(text)
        .and_then(|v| u32::try_from(v).map_err(|_| format!("expected at most {}", u32::MAX)))
}

/// Parses a memory size: bytes, or a number with K, M, G or T (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let factor: u64 = match unit.trim().to_ascii_uppercase().trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("expected a size like 500M or 4G, got '{text}'")),
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("expected a size like 500M or 4G, got '{text}'"))?;
    if !(value.is_finite() && value > 0.0 && value * factor as f64 <= 1e18) {
        return Err(format!(
            "expected a positive size up to 1e18 bytes, got '{text}'"
        ));
    }
    Ok((value * factor as f64) as u64)
}
