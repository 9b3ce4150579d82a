//! The parallel Monte Carlo driver.
//!
//! # Blocks, waves and shards
//! Trial indices `0..N` are cut into fixed blocks of [`BLOCK`] trials whose boundaries
//! do not depend on the thread count (the unit of shards), and blocks into units of
//! [`UNIT`] trials, the unit of parallel work: units run in parallel on a rayon pool, small
//! enough that the threads finish a wave at nearly the same time. Each worker thread
//! owns a model [`Workspace`] and a stage of stock paths as histogram bucket indices.
//! It adds each trial's flows and totals straight into the run's **one shared
//! aggregate** ([`SharedAggregate`], a lock per series), the stock moments once per few
//! trials, and records its stage into it column by column when the stage is full (a
//! few times per thousand trials; see [`SharedAggregate::add_stock_buckets`]). So the
//! aggregate, the bulk of a run's memory, is held once per run, not once per thread,
//! and the stages share one memory budget (`stage::STAGE_BYTES`): a second thread adds
//! a workspace, not a second aggregate or stage. Blocks are grouped in waves of
//! [`WAVE_BLOCKS`]. The per-trial rows of a unit are rendered on the worker that ran it
//! (for `trials.csv`: CSV text, so the formatting runs in parallel), and after each wave
//! the rendered units are handed to the caller's [`RowSink`] in trial order, so memory
//! holds at most one wave of rows and the serial part of a run is a plain write. At the
//! end the stages are recorded into the shared aggregate; every accumulator is an
//! integer count or sum, so the result is the same whatever the number of threads. A
//! shard `k/n` runs a contiguous range of blocks, and merging shard aggregates gives
//! exactly the single-machine aggregate.
//!
//! # Several models
//! [`run_many`] runs the same trials of several models (a sweep's points): each worker
//! holds a workspace and a stage per model, each model its own shared aggregate, and a
//! unit runs trial `t` of every model in turn, so models that draw alike share one
//! trial's draws through a tape ([`crate::model::tape`]). [`run`] is its one-model case.
//!
//! # Randomness
//! Trial `t` draws only from streams seeded by `(seed, t, process)` (see
//! [`crate::model`]), never from a thread's state, so the outcome of a trial is the same
//! wherever it runs.
//!
//! # Precision stopping
//! See [`precision`]: whole waves are added until every tracked interval is narrow
//! enough.

pub mod budget;
pub mod precision;
mod stage;

pub use crate::results::aggregate;
pub use crate::results::{
    Aggregate, GroupAggregate, NoRows, RatioAggregate, RowSink, SeriesAggregate, SharedAggregate,
    UnitRows,
};
pub use precision::{Precision, precision_reached};

use crate::error::{Error, Result};
use crate::model::{DrawTape, Model, NoTrace, Tape, Workspace};
use rayon::prelude::*;
use stage::StockStage;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Trials per block: the unit of shard boundaries.
pub const BLOCK: u64 = 64;
/// Trials per unit of parallel work (a quarter of a block).
pub const UNIT: u64 = 16;
/// Blocks per wave: the unit of row output and of precision checks (2,048 trials).
pub const WAVE_BLOCKS: u64 = 32;

/// Which share of the trials this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// The whole run.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `K/N` (1-based K, as in a Slurm array `--shard 3/16`) into a shard.
    ///
    /// # Errors
    /// A message saying what was expected.
    pub fn parse(text: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (for example 3/16), got '{text}'");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n) = (
            k.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }

    /// The trial indices of this shard among `trials`: a contiguous range of whole blocks.
    pub fn trial_range(&self, trials: u64) -> std::ops::Range<u64> {
        let blocks = trials.div_ceil(BLOCK);
        let first = blocks * self.index / self.count;
        let last = blocks * (self.index + 1) / self.count;
        (first * BLOCK).min(trials)..(last * BLOCK).min(trials)
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Number of trials (the maximum when [`RunOptions::precision`] is set).
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// This process's share of the trials.
    pub shard: Shard,
    /// Precision stopping, if wanted.
    pub precision: Option<Precision>,
}

/// Hooks for the caller: progress, cancellation and per-trial rows.
pub trait Observer: Sync {
    /// `done` trials of (at most) `total` have finished. Called from worker threads.
    fn progress(&self, _done: u64, _total: u64) {}
    /// Whether the run should stop (Ctrl-C); checked before each block.
    fn cancelled(&self) -> bool {
        false
    }
    /// A new stage of a longer task has started (e.g. "point 3/10" of a sweep).
    fn stage(&self, _label: &str) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;
impl Observer for Silent {}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The merged summary.
    pub aggregate: Aggregate,
    /// Trial indices run (a contiguous range).
    pub trials: std::ops::Range<u64>,
    /// Threads used.
    pub threads: usize,
}

/// One worker thread's state: for each model of the run, a workspace and a stage.
struct Worker {
    lanes: Vec<Lane>,
    /// The draws of the trial in progress, recorded by the models that share theirs
    /// (indexed by model; see [`Role`]).
    tapes: Vec<DrawTape>,
}

/// One model's share of a worker.
struct Lane {
    workspace: Workspace,
    /// Stock paths not yet in the model's shared aggregate's histograms.
    stage: StockStage,
}

/// Where a model's trials take the daily needs and output factors from (see
/// [`crate::model::tape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Drawn, as in a run of this model alone.
    Draw,
    /// Drawn, and recorded for the later models with the same draws.
    Record,
    /// Read from the tape of this earlier model (which runs the trial first).
    Replay(usize),
}

/// Each model's [`Role`]: a model replays the tape of the first model with the same
/// draws, which records it if any later model replays it.
fn roles(models: &[&Model]) -> Vec<Role> {
    let first: Vec<usize> = (0..models.len())
        .map(|p| {
            (0..p)
                .find(|&q| models[q].same_draws(models[p]))
                .unwrap_or(p)
        })
        .collect();
    (0..models.len())
        .map(|p| {
            if first[p] < p {
                Role::Replay(first[p])
            } else if first[p + 1..].contains(&p) {
                Role::Record
            } else {
                Role::Draw
            }
        })
        .collect()
}

/// Runs the trials of `opts` on `model`, handing per-trial rows to `rows` in trial order.
///
/// # Errors
/// [`Error::Interrupted`] when the observer cancels; any error returned by `rows`.
pub fn run<S: RowSink>(
    model: &Model,
    opts: &RunOptions,
    observer: &dyn Observer,
    rows: &mut S,
) -> Result<RunResult> {
    let mut results = run_many(&[model], opts, observer, std::slice::from_mut(rows))?;
    results
        .pop()
        .ok_or_else(|| Error::Other("a run produced no result".into()))
}

/// Runs the trials of `opts` on each of `models` (the points of a sweep), handing
/// model `p`'s per-trial rows to `sinks[p]` in trial order; returns each model's
/// result, as [`run`] would give it for that model alone.
///
/// Trial `t` of every model runs on the same worker, one model after the other, so
/// models that draw the same daily needs and output factors ([`Model::same_draws`])
/// draw them once: the first records them and the others replay them
/// ([`crate::model::tape`]). The progress counts trials of all models. With precision
/// stopping, waves are added until every model is precise enough.
///
/// # Errors
/// [`Error::Interrupted`] when the observer cancels; any error returned by a sink.
pub fn run_many<S: RowSink>(
    models: &[&Model],
    opts: &RunOptions,
    observer: &dyn Observer,
    sinks: &mut [S],
) -> Result<Vec<RunResult>> {
    if sinks.len() != models.len() {
        return Err(Error::Other(format!(
            "{} models but {} row sinks",
            models.len(),
            sinks.len()
        )));
    }
    let threads = opts
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;
    let workers: Vec<Mutex<Option<Worker>>> = (0..threads).map(|_| Mutex::new(None)).collect();
    let shared: Vec<SharedAggregate> = models
        .iter()
        .map(|m| SharedAggregate::new(Aggregate::for_model(m)))
        .collect();
    let roles = roles(models);
    let range = opts.shard.trial_range(opts.trials);
    let done = AtomicU64::new(0);
    let count = models.len() as u64;
    let total = (range.end - range.start) * count;
    let stage_bytes = stage::STAGE_BYTES / threads / models.len().max(1);
    let mut next = range.start;
    while next < range.end {
        let wave_end = (next + WAVE_BLOCKS * BLOCK).min(range.end);
        let starts: Vec<u64> = (next..wave_end).step_by(UNIT as usize).collect();
        let views: &[S] = sinks;
        let wave: Vec<Result<Vec<S::Rendered>>> = pool.install(|| {
            starts
                .par_iter()
                .map(|&first| {
                    if observer.cancelled() {
                        return Err(Error::Interrupted);
                    }
                    let slot = &workers[rayon::current_thread_index().unwrap_or(0) % threads];
                    let mut guard = slot
                        .lock()
                        .map_err(|_| Error::Other("a worker thread panicked".into()))?;
                    let worker = guard.get_or_insert_with(|| Worker {
                        lanes: models
                            .iter()
                            .map(|m| Lane {
                                workspace: Workspace::new(m),
                                stage: StockStage::new(
                                    m.report_days.len() * m.series_count(),
                                    m.report_days.len(),
                                    stage_bytes,
                                ),
                            })
                            .collect(),
                        tapes: models.iter().map(|_| DrawTape::new()).collect(),
                    });
                    let last = (first + UNIT).min(wave_end);
                    let units = run_unit(models, &roles, opts.seed, first..last, worker, &shared);
                    drop(guard);
                    let rendered = views
                        .iter()
                        .zip(&units)
                        .map(|(sink, unit)| sink.render(unit))
                        .collect();
                    let n = (last - first) * count;
                    let finished = done.fetch_add(n, Ordering::Relaxed) + n;
                    observer.progress(finished, total);
                    Ok(rendered)
                })
                .collect()
        });
        for unit in wave {
            for (sink, rendered) in sinks.iter_mut().zip(unit?) {
                sink.write(rendered)?;
            }
        }
        next = wave_end;
        if let Some(p) = &opts.precision
            && shared
                .iter()
                .zip(models)
                .all(|(s, m)| precision::precise_enough(s, p, m))
        {
            break;
        }
    }
    let mut parts = Vec::with_capacity(workers.len());
    for slot in workers {
        let worker = slot
            .into_inner()
            .map_err(|_| Error::Other("a worker thread panicked".into()))?;
        parts.extend(worker);
    }
    for part in &mut parts {
        for (lane, shared) in part.lanes.iter_mut().zip(&shared) {
            lane.stage.flush(shared);
        }
    }
    Ok(shared
        .into_iter()
        .map(|shared| {
            let aggregate = shared.into_inner();
            let trials = range.start..range.start + aggregate.trials;
            RunResult {
                aggregate,
                trials,
                threads,
            }
        })
        .collect())
}

/// Runs the trials of one unit on every model (trial after trial, model after model,
/// so a recorded tape is replayed in the same trial), adding them to the models'
/// `shared` aggregates and their stock paths to the worker's stages (recorded into
/// `shared` when full), and returns each model's rows.
fn run_unit(
    models: &[&Model],
    roles: &[Role],
    seed: u64,
    trials: std::ops::Range<u64>,
    worker: &mut Worker,
    shared: &[SharedAggregate],
) -> Vec<UnitRows> {
    let n = (trials.end - trials.start) as usize;
    let mut rows: Vec<UnitRows> = models
        .iter()
        .map(|m| UnitRows {
            first: trials.start,
            width: m.series_count(),
            outcomes: Vec::with_capacity(n * m.series_count()),
            inputs: Vec::new(),
        })
        .collect();
    let Worker { lanes, tapes } = worker;
    for t in trials {
        for p in 0..models.len() {
            let (lane, shared, rows) = (&mut lanes[p], &shared[p], &mut rows[p]);
            let (recorded, rest) = tapes.split_at_mut(p);
            let tape = match roles[p] {
                Role::Draw => Tape::Off,
                Role::Record => Tape::Record(&mut rest[0]),
                Role::Replay(q) => Tape::Replay(&recorded[q]),
            };
            let outcome = lane
                .workspace
                .run_taped(models[p], seed, t, &mut NoTrace, tape);
            shared.add_trial(outcome);
            lane.stage.push(&outcome.stock, shared);
            rows.outcomes.extend_from_slice(&outcome.series);
            rows.inputs.extend_from_slice(&outcome.inputs);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_trials_in_whole_blocks() {
        for trials in [1, 63, 64, 65, 1000, 10_000] {
            for count in 1..=7 {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.trial_range(trials);
                    assert_eq!(r.start, next);
                    assert!(r.start.is_multiple_of(BLOCK) || r.start == trials);
                    next = r.end;
                }
                assert_eq!(next, trials);
            }
        }
    }

    #[test]
    fn parses_one_based_shards() {
        assert_eq!(
            Shard::parse("3/16"),
            Ok(Shard {
                index: 2,
                count: 16
            })
        );
        for bad in ["0/4", "5/4", "x", "1/0", "1-4"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
