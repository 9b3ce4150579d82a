//! `drawdown backtest`: load the milestones, simulate, write the Markdown report.

use super::{DEFAULT_SEED, Loaded, read_text};
use crate::backtest::{self, Backtest};
use crate::error::{Error, Result};
use crate::export::guard::{Guard, Protected};
use crate::export::{self, guard};
use crate::model::Model;
use crate::runner::Observer;
use std::path::PathBuf;

/// What `drawdown backtest` is asked to do.
#[derive(Debug, Clone)]
pub struct BacktestRequest {
    /// The milestones file.
    pub milestones: PathBuf,
    /// Trials.
    pub trials: u64,
    /// Master seed; the scenario's, else [`DEFAULT_SEED`], when `None`.
    pub seed: Option<u64>,
    /// Worker threads (all cores when `None`).
    pub threads: Option<usize>,
    /// The report file; `None` returns the report without writing it.
    pub out: Option<PathBuf>,
    /// Replace a report file drawdown did not write.
    pub force: bool,
    /// The command line quoted in the report as the way to regenerate it.
    pub command: String,
}

/// Runs the back-test of `loaded` and returns the result and its Markdown report,
/// written atomically to the request's file when there is one.
///
/// # Errors
/// Usage errors for an unreadable or invalid milestones file (every problem with its
/// line) or a report file that may not be replaced; [`Error::Interrupted`] when the
/// observer cancels (nothing is written).
pub fn backtest(
    loaded: &Loaded,
    req: &BacktestRequest,
    observer: &dyn Observer,
) -> Result<(Backtest, String)> {
    let text = read_text(&req.milestones, "milestones file")?;
    let milestones = backtest::spec::parse(&text, &loaded.scenario).map_err(|issues| {
        let shown = req.milestones.display();
        let mut msg = format!("invalid milestones file '{shown}'");
        for i in issues {
            msg.push_str(&format!("\n  {}", i.in_file(&shown.to_string())));
        }
        Error::Usage(msg)
    })?;
    if let Some(out) = &req.out {
        let mut protected = Protected::default();
        if let Some(p) = &loaded.path {
            protected.add(p, Guard::NotOverOrAt, "the scenario being read");
        }
        protected.add(&req.milestones, Guard::NotOverOrAt, "the milestones file");
        protected.check(out, "--out")?;
        // A report committed to git comes back without its stamp: its header vouches.
        let unstamped = guard::Unstamped::ByHeader;
        guard::check_file_as(
            out,
            Some(export::backtest::HEADER),
            unstamped,
            req.force,
            "--out",
        )?;
    }
    let model = Model::new(loaded.scenario.clone(), 1);
    let seed = req.seed.or(loaded.scenario.seed).unwrap_or(DEFAULT_SEED);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = req.threads.unwrap_or(cores);
    let result = backtest::evaluate(&model, &milestones, req.trials, seed, threads, observer)
        .ok_or(Error::Interrupted)?;
    let md = export::backtest::to_markdown(&result, &loaded.scenario.name, &req.command);
    if let Some(out) = &req.out {
        export::atomic::write_stamped(out, md.as_bytes())?;
    }
    Ok((result, md))
}
