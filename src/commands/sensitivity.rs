//! `drawdown rank`, `drawdown tornado`, `drawdown sobol` and `drawdown check --inputs` at
//! the terminal.

use super::{Terminal, say};
use crate::cli::{DesignArgs, SensitivityArgs, SobolArgs};
use anyhow::Result;
use drawdown::model::InputTable;
use drawdown::pipeline::{self, Loaded, SensitivityRequest, SensitivitySummary};
use drawdown::runner::Observer;
use indicatif::ProgressStyle;
use std::io::IsTerminal;

type Analysis =
    fn(&Loaded, &SensitivityRequest, &dyn Observer) -> drawdown::Result<SensitivitySummary>;

/// `drawdown rank` or `drawdown tornado`.
pub(super) fn rank_or_tornado(args: SensitivityArgs, tornado: bool) -> Result<()> {
    let req = SensitivityRequest {
        vary: args.vary.clone(),
        trials: args.trials,
        top: args.top,
        ..request(&args.common)
    };
    let f: Analysis = if tornado {
        pipeline::sensitivity::tornado
    } else {
        pipeline::sensitivity::rank
    };
    analyse(args.scenario.as_deref(), &args.common, &req, f)
}

/// `drawdown sobol`.
pub(super) fn sobol(args: SobolArgs) -> Result<()> {
    let req = SensitivityRequest {
        vary: args.vary.clone(),
        trials: args.replicates,
        base_rows: args.base_rows as usize,
        top: args.top,
        ..request(&args.common)
    };
    analyse(
        args.scenario.as_deref(),
        &args.common,
        &req,
        pipeline::sensitivity::sobol,
    )
}

fn request(c: &DesignArgs) -> SensitivityRequest {
    SensitivityRequest {
        series: c.series.clone(),
        metric: c.metric.clone(),
        seed: c.seed,
        threads: c.threads.map(|t| t as usize),
        out: c.out.clone(),
        force: c.force,
        xlsx: c.xlsx,
        max_memory: c.max_memory,
        ..SensitivityRequest::default()
    }
}

fn analyse(
    scenario: Option<&std::path::Path>,
    common: &DesignArgs,
    req: &SensitivityRequest,
    f: Analysis,
) -> Result<()> {
    let loaded = super::load(scenario, &common.scenario_args.overrides)?;
    let observer = Terminal::new(!common.quiet && std::io::stderr().is_terminal())?;
    if let Some(bar) = &observer.bar {
        let style = ProgressStyle::with_template(
            "{msg:>12} {bar:30.cyan/blue} {pos}/{len} trials  eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
    }
    let summary = f(&loaded, req, &observer);
    observer.finish();
    let summary = summary.map_err(|e| observer.explain(e))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    if common.quiet {
        return Ok(());
    }
    let mut text = summary.table.clone();
    text.push_str(&format!(
        "{} trials in {:.1} s ({:.0} trials/s); results in {}\n",
        summary.trials_run,
        summary.wall_seconds,
        summary.trials_run as f64 / summary.wall_seconds.max(1e-9),
        summary.dir.display()
    ));
    say(&text)
}

/// `drawdown check --inputs`: every number a trial draws once.
pub(super) fn list_inputs(loaded: &Loaded) -> Result<()> {
    let inputs = InputTable::new(&loaded.scenario);
    let uncertain = inputs.defs.iter().filter(|d| d.uncertain()).count();
    let mut text = format!(
        "{} inputs drawn once per trial, {uncertain} of them uncertain (* marks those):\n",
        inputs.len()
    );
    for d in &inputs.defs {
        let mark = if d.uncertain() { '*' } else { ' ' };
        let law = match d.dist.fixed_value() {
            Some(v) => v.to_string(),
            None => format!(
                "{} (mean {})",
                d.dist.kind(),
                drawdown::export::format::decimal(d.dist.mean().unwrap_or(f64::NAN), 4)
            ),
        };
        text.push_str(&format!("{mark} {}  {law}\n", d.path));
    }
    say(&text)
}
