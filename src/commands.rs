//! What each subcommand does at the terminal: progress, signals, printing.

use crate::cli::{BacktestArgs, CheckArgs, Command, InitArgs, MergeArgs, RunArgs};
use anyhow::{Context, Result};
use drawdown::export::guard::{self, Guard, Protected};
use drawdown::pipeline::{self, RunRequest, TraceRequest};
use drawdown::runner::{Observer, Shard};
use drawdown::scenario::{STARTER_SCENARIO, describe::describe, library};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

mod sensitivity;
mod sweep;

/// The exit code of the signal that stopped the run (128 + its number), 0 if none.
static STOPPED_BY: AtomicUsize = AtomicUsize::new(0);

/// The exit code for an interrupted run: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).
pub(crate) fn interrupt_code() -> u8 {
    match STOPPED_BY.load(Ordering::SeqCst) {
        0 => 130,
        code => u8::try_from(code).unwrap_or(130),
    }
}

/// Runs one subcommand.
pub(crate) fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Init(args) => init(args),
        Command::Scenarios => say(&drawdown::scenario::library::listing()),
        Command::Merge(args) => merge(args),
        Command::Backtest(args) => backtest(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Rank(args) => sensitivity::rank_or_tornado(args.into(), false),
        Command::Tornado(args) => sensitivity::rank_or_tornado(args, true),
        Command::Sobol(args) => sensitivity::sobol(args),
    }
}

/// Loads the scenario a command names: a file, or when no file has that name, the
/// shipped scenario of that name (`drawdown run patriot`); the default when `None`.
pub(super) fn load(path: Option<&Path>, overrides: &[String]) -> Result<pipeline::Loaded> {
    let Some(p) = path else {
        return Ok(pipeline::load(None, overrides)?);
    };
    let name = p.to_string_lossy();
    // A name (no '/', no '.toml') may be a shipped scenario; a path is always a file.
    let shipped = !name.contains('/') && !name.ends_with(".toml");
    if !shipped || std::fs::symlink_metadata(p).is_ok() {
        return Ok(pipeline::load(Some(p), overrides)?);
    }
    match library::find(&name) {
        Some(s) => Ok(pipeline::Loaded::from_text(&s.origin(), s.text, overrides)?),
        None => Err(drawdown::Error::Usage(format!(
            "scenario '{name}': no such file, and no shipped scenario is called that (shipped: {}; `drawdown scenarios` lists them)",
            library::names()
        ))
        .into()),
    }
}

fn backtest(args: BacktestArgs) -> Result<()> {
    let loaded = load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    let observer = Terminal::new(std::io::stderr().is_terminal())?;
    let mut command = String::from("drawdown backtest");
    if let Some(p) = &args.scenario {
        command.push_str(&format!(" {}", p.display()));
    }
    command.push_str(&format!(" -m {}", args.milestones.display()));
    if let Some(o) = &args.out {
        command.push_str(&format!(" -o {}", o.display()));
    }
    if args.trials != 1_000 {
        command.push_str(&format!(" -n {}", args.trials));
    }
    if let Some(s) = args.seed {
        command.push_str(&format!(" --seed {s}"));
    }
    for o in &args.scenario_args.overrides {
        command.push_str(&format!(" --set {o}"));
    }
    let req = pipeline::BacktestRequest {
        milestones: args.milestones.clone(),
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
        out: args.out.clone(),
        force: args.force,
        command,
    };
    let result = pipeline::backtest(&loaded, &req, &observer);
    observer.finish();
    let (result, md) = result.map_err(|e| observer.explain(e))?;
    match &args.out {
        None => say(&md)?,
        Some(path) => {
            let consistent = result
                .rows
                .iter()
                .filter(|r| r.verdict == drawdown::backtest::Verdict::Consistent)
                .count();
            eprintln!(
                "{consistent} of {} milestones consistent; wrote {}",
                result.rows.len(),
                path.display()
            );
        }
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
    let loaded = load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let observer = Terminal::new(show_bar && args.trace.is_none())?;
    if let Some(path) = &args.trace {
        let req = TraceRequest {
            seed: args.seed,
            trial: args.trace_trial,
            path: path.clone(),
            force: args.force,
        };
        let n = pipeline::trace(&loaded, &req, &observer).map_err(|e| observer.explain(e))?;
        if !args.quiet && path.as_os_str() != "-" {
            eprintln!(
                "wrote {n} events of trial {} to {}",
                args.trace_trial,
                path.display()
            );
        }
        return Ok(());
    }
    let shard = match &args.shard {
        Some(s) => Shard::parse(s).map_err(|e| drawdown::Error::Usage(format!("--shard: {e}")))?,
        None => Shard::ALL,
    };
    let req = RunRequest {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
        out: args.out.clone(),
        step_days: match args.period {
            Some(drawdown::model::Period::Days(n)) => n,
            _ => args.step,
        },
        period: args.period.filter(|p| p.is_calendar()),
        csv: csv_format(&args),
        xlsx: args.xlsx,
        inputs: args.inputs,
        plots: args.plots,
        shard,
        until_ci: args.until_ci,
        target: args.target.clone(),
        mergeable: args.shard.is_some(),
        force: args.force,
        max_memory: args.max_memory,
    };
    let summary = pipeline::run(&loaded, &req, &observer);
    observer.finish();
    let summary = summary.map_err(|e| observer.explain(e))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    if args.quiet {
        return Ok(());
    }
    let mut text = summary.table.clone();
    text.push_str(&drawdown::export::terminal::files_line(&summary.dir));
    match (summary.precision_reached, args.until_ci) {
        (Some(true), Some(w)) => text.push_str(&format!(
            "precision reached after {} trials: every tracked 95% interval is narrower than {w}\n",
            summary.trials
        )),
        (Some(false), Some(w)) => text.push_str(&format!(
            "precision NOT reached: the intervals are still wider than {w} after the maximum of {} trials (raise -n)\n",
            summary.trials
        )),
        _ => {}
    }
    text.push_str(&format!(
        "{} trials in {:.1} s ({:.0} trials/s); results in {}\n",
        summary.trials,
        summary.wall_seconds,
        summary.trials as f64 / summary.wall_seconds.max(1e-9),
        summary.dir.display()
    ));
    say(&text)
}

/// The CSV format the flags ask for: the locale's, then the explicit separators.
fn csv_format(args: &RunArgs) -> drawdown::export::CsvFormat {
    let mut format = args.csv_locale.unwrap_or_default();
    if let Some(d) = args.delimiter {
        format.delimiter = d;
    }
    if let Some(d) = args.decimal {
        format.decimal = d;
    }
    format.bom = args.excel_bom;
    format
}

fn check(args: CheckArgs) -> Result<()> {
    let loaded = load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    if args.inputs {
        return sensitivity::list_inputs(&loaded);
    }
    if !args.grid.vary.is_empty() || !args.grid.baseline.is_empty() {
        return sweep::check(&loaded, &args.grid);
    }
    say(&describe(&loaded.scenario, &loaded.origin))?;
    Ok(())
}

fn init(args: InitArgs) -> Result<()> {
    let text = match &args.from {
        None => STARTER_SCENARIO,
        Some(name) => match library::find(name) {
            Some(s) => s.text,
            None => {
                return Err(drawdown::Error::Usage(format!(
                    "--from: no shipped scenario is called '{name}' (shipped: {}; `drawdown scenarios` lists them)",
                    library::names()
                ))
                .into());
            }
        },
    };
    check_init_target(&args.file, args.force)?;
    write_scenario(&args.file, text, args.force)?;
    eprintln!(
        "wrote {}: edit it, then `drawdown check {0}` and `drawdown run {0}`",
        args.file.display()
    );
    Ok(())
}

/// Refuses an `init` target that is not a file name: a folder (said at once, with or
/// without `force`, suggesting a file inside it), the current folder, a link or a
/// device; and, without `force`, an existing file.
fn check_init_target(file: &Path, force: bool) -> Result<()> {
    let cwd = std::env::current_dir().ok();
    if std::fs::symlink_metadata(file).is_ok_and(|m| m.is_dir()) {
        let here = cwd.as_deref().map(guard::resolve) == Some(guard::resolve(file));
        return Err(drawdown::Error::Usage(format!(
            "init '{}' is a folder{}: init writes a scenario file; give its name, e.g. drawdown init {}",
            file.display(),
            if here { " (the current folder)" } else { "" },
            file.join("my.toml").display()
        ))
        .into());
    }
    let mut protected = Protected::default();
    if let Some(cwd) = &cwd {
        protected.add(cwd, Guard::NotOverOrAt, "the current folder");
    }
    protected.check(file, "init")?;
    guard::check_file(file, None, true, "init")?;
    if std::fs::symlink_metadata(file).is_ok() && !force {
        return Err(drawdown::Error::Usage(format!(
            "'{}' already exists; use --force to overwrite it",
            file.display()
        ))
        .into());
    }
    Ok(())
}

/// Writes a starter scenario: over an existing file only with `force`; without it,
/// never over a file that appeared since the check above.
fn write_scenario(file: &Path, text: &str, force: bool) -> Result<()> {
    use drawdown::export::atomic;
    let written = if force {
        atomic::write(file, text.as_bytes())
    } else {
        atomic::write_new(file, text.as_bytes())
    };
    match written {
        Err(drawdown::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            Err(drawdown::Error::Usage(format!(
                "'{}' already exists; use --force to overwrite it",
                file.display()
            ))
            .into())
        }
        other => other.with_context(|| format!("writing '{}'", file.display())),
    }
}

fn merge(args: MergeArgs) -> Result<()> {
    // A stop signal is handled as in `run`: nothing is written, the note names it.
    let observer = Terminal::new(false)?;
    let summary = pipeline::merge_observed(
        &args.dirs,
        &args.out,
        args.force,
        args.max_memory,
        &observer,
    )
    .map_err(|e| observer.explain(e))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    if !args.quiet {
        say(&summary.table)?;
        say(&drawdown::export::terminal::files_line(&summary.dir))?;
        say(&format!(
            "merged {} trials into {}\n",
            summary.trials,
            summary.dir.display()
        ))?;
    }
    Ok(())
}

/// Writes results to stdout; a closed pipe comes back as an error (which `main` treats
/// as the reader's choice) instead of a panic, as `print!` would.
fn say(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")
}

/// Progress bar (only on a terminal) and the stop signals.
///
/// SIGINT, SIGTERM and SIGHUP ask the run to stop: workers finish the trials in hand,
/// nothing is written, the previous results stay, and the process exits with 128 + the
/// signal's number (130, 143, 129). A second signal while stopping exits at once (the
/// hidden working folder it may leave is removed by the next run).
struct Terminal {
    bar: Option<ProgressBar>,
    stop: Arc<AtomicBool>,
}

impl Terminal {
    fn new(show: bool) -> Result<Terminal> {
        let stop = Arc::new(AtomicBool::new(false));
        register_stop_signals(&stop)?;
        let bar = show.then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{bar:40.cyan/blue} {pos}/{len} trials  {rate}  eta {eta}",
            )
            .map(|s| {
                s.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} trials/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Ok(Terminal { bar, stop })
    }

    /// Says which signal stopped the run, on stderr, when `err` is an interruption.
    fn explain(&self, err: drawdown::Error) -> drawdown::Error {
        if matches!(err, drawdown::Error::Interrupted) {
            let name = match interrupt_code() {
                143 => "SIGTERM",
                129 => "SIGHUP",
                _ => "SIGINT (Ctrl-C)",
            };
            eprintln!("note: stopped by {name}; the previous results, if any, are untouched");
        }
        err
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Terminal {
    fn progress(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn stage(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }
}

/// Installs the handlers: the first stop signal sets `stop` and records its exit code;
/// a second one exits at once.
fn register_stop_signals(stop: &Arc<AtomicBool>) -> Result<()> {
    use signal_hook::consts::SIGINT;
    #[cfg(unix)]
    let signals = [
        (SIGINT, 130),
        (signal_hook::consts::SIGTERM, 143),
        (signal_hook::consts::SIGHUP, 129),
    ];
    #[cfg(not(unix))]
    let signals = [(SIGINT, 130)];
    for (signal, exit) in signals {
        let install = || -> std::io::Result<()> {
            signal_hook::flag::register_conditional_shutdown(signal, exit, Arc::clone(stop))?;
            signal_hook::flag::register_usize(signal, &STOPPED_BY, exit as usize)?;
            signal_hook::flag::register(signal, Arc::clone(stop))?;
            Ok(())
        };
        install().context("installing the signal handlers")?;
    }
    Ok(())
}
