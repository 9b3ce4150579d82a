//! `drawdown sweep` and `drawdown check --vary` at the terminal.

use super::{Terminal, say};
use crate::cli::{GridArgs, SweepArgs};
use anyhow::Result;
use drawdown::pipeline::{self, Loaded, SweepRequest};
use drawdown::sweep::Plan;
use indicatif::ProgressStyle;
use std::io::IsTerminal;

/// Runs a sweep: progress bar on a terminal, the fill-rate table on stdout.
pub(super) fn sweep(args: SweepArgs) -> Result<()> {
    let loaded = super::load(args.scenario.as_deref(), &args.scenario_args.overrides)?;
    let observer = Terminal::new(!args.quiet && std::io::stderr().is_terminal())?;
    if let Some(bar) = &observer.bar {
        let style = ProgressStyle::with_template(
            "{msg:>12} {bar:30.cyan/blue} {pos}/{len} trials  eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
    }
    let req = SweepRequest {
        vary: args.grid.vary.clone(),
        zip: args.grid.zip,
        baseline: args.grid.baseline.clone(),
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
        out: args.out.clone(),
        force: args.force,
        xlsx: args.xlsx,
        tables: args.tables,
        period: args
            .period
            .unwrap_or(drawdown::model::Period::Days(args.step)),
        max_memory: args.max_memory,
    };
    let summary = pipeline::sweep(&loaded, &req, &observer);
    observer.finish();
    let summary = summary.map_err(|e| observer.explain(e))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    if args.quiet {
        return Ok(());
    }
    let mut text = summary.table.clone();
    text.push_str(&format!(
        "{} points × {} trials (+ baseline): {} trials simulated in {:.1} s ({:.0} trials/s); results in {}\n",
        summary.points,
        args.trials,
        summary.trials_run,
        summary.wall_seconds,
        summary.trials_run as f64 / summary.wall_seconds.max(1e-9),
        summary.dir.display()
    ));
    say(&text)
}

/// Lists what each spec matches and what every point writes, then validates every
/// point's scenario.
pub(super) fn check(loaded: &Loaded, grid: &GridArgs) -> Result<()> {
    if grid.vary.is_empty() {
        return Err(drawdown::Error::Usage(
            "--baseline needs --vary: it is the reference of a sweep".into(),
        )
        .into());
    }
    let plan = pipeline::sweep::plan(loaded, &grid.vary, grid.zip, &grid.baseline)?;
    say(&listing(&plan))?;
    pipeline::sweep::point_scenario(loaded, &plan, &plan.baseline, "--baseline")?;
    for p in &plan.points {
        let label = format!("--vary point {} ({})", p.index, p.labels.join(", "));
        pipeline::sweep::point_scenario(loaded, &plan, &p.assignments, &label)?;
    }
    say(&format!(
        "{} points (+ baseline): every one is a valid scenario\n",
        plan.points.len()
    ))
}

/// The text of `check --vary`.
fn listing(plan: &Plan) -> String {
    let mut text = String::new();
    for (flag, specs) in [
        ("--vary", &plan.specs),
        ("--baseline", &plan.baseline_specs),
    ] {
        for r in specs {
            text.push_str(&format!(
                "{flag} '{}' matches {} field(s):\n",
                r.spec.text,
                r.found.len()
            ));
            for f in &r.found {
                let now = f
                    .value
                    .as_ref()
                    .map_or("(absent)".to_string(), |v| v.to_string().trim().to_string());
                text.push_str(&format!("  {} = {now}\n", f.path()));
            }
        }
    }
    if plan.baseline.is_empty() {
        text.push_str("baseline: the scenario as written\n");
    }
    for p in &plan.points {
        text.push_str(&format!("point {} ({}):\n", p.index, p.labels.join(", ")));
        for a in &p.assignments {
            text.push_str(&format!("  {}\n", a.to_text()));
        }
    }
    text
}
