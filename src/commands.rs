//! What each subcommand does at the terminal: progress, Ctrl-C, printing.

use crate::cli::{CheckArgs, Command, InitArgs, MergeArgs, RunArgs};
use anyhow::{Context, Result};
use drawdown::pipeline::{self, RunRequest};
use drawdown::runner::{Observer, Shard};
use drawdown::scenario::{STARTER_SCENARIO, describe::describe};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs one subcommand.
pub(crate) fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Init(args) => init(args),
        Command::Merge(args) => merge(args),
    }
}

fn run(args: RunArgs) -> Result<()> {
    let loaded = pipeline::load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    if let Some(path) = &args.trace {
        let n = pipeline::trace(&loaded, args.seed, args.trace_trial, path)?;
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
        step_days: args.step,
        shard,
        until_ci: args.until_ci,
        target: args.target.clone(),
    };
    let observer = Terminal::new(!args.quiet && std::io::stderr().is_terminal())?;
    let summary = pipeline::run(&loaded, &req, &observer);
    observer.finish();
    let summary = summary?;
    if args.quiet {
        return Ok(());
    }
    let mut text = summary.table.clone();
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

fn check(args: CheckArgs) -> Result<()> {
    let loaded = pipeline::load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    say(&describe(&loaded.scenario, &loaded.origin))?;
    Ok(())
}

fn init(args: InitArgs) -> Result<()> {
    if args.file.exists() && !args.force {
        return Err(drawdown::Error::Usage(format!(
            "'{}' already exists; use --force to overwrite it",
            args.file.display()
        ))
        .into());
    }
    std::fs::write(&args.file, STARTER_SCENARIO)
        .with_context(|| format!("writing '{}'", args.file.display()))?;
    eprintln!(
        "wrote {}: edit it, then `drawdown check {0}` and `drawdown run {0}`",
        args.file.display()
    );
    Ok(())
}

fn merge(args: MergeArgs) -> Result<()> {
    let summary = pipeline::merge(&args.dirs, &args.out)?;
    if !args.quiet {
        say(&summary.table)?;
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

/// Progress bar (only on a terminal) and Ctrl-C.
struct Terminal {
    bar: Option<ProgressBar>,
    stop: Arc<AtomicBool>,
}

impl Terminal {
    fn new(show: bool) -> Result<Terminal> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        // A second Ctrl-C while the first is being handled exits at once.
        ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        })
        .context("installing the Ctrl-C handler")?;
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
}
