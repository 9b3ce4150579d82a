//! How much memory a run will need, estimated before it starts, and how many worker
//! threads are worth starting.
//!
//! The estimate follows the run's own layout (see [`crate::runner`] and
//! [`crate::results::SharedAggregate`]): one aggregate for the whole run, whose
//! largest part is a stock histogram per column (series × reporting day); one stage
//! of stock paths and one budget of dense histogram counts, shared by the workers; per
//! worker a trial's workspace; and the CSV tables while they are built (the workbook
//! of `--xlsx` is [`crate::export::xlsx::memory_bytes`], added by the pipeline). With
//! the workbook's part, measured against the peak RSS of 17 runs of the shipped
//! scenarios (`benches/memory_estimate.py --full`; `.ci/run` runs its quick cases), it
//! is 1.5 to 3.9 times the peak: an upper bound, not far above. It is compared with a
//! limit (half the physical memory by default) before any thread starts, so a run that
//! cannot fit is refused with what to change instead of being killed an hour later.
//! `merge` has its own estimate ([`merge_bytes`]); `rank`, `tornado` and `sobol` add
//! what they keep per trial and their design to a run's.
//!
//! What it assumes: a stock histogram's window (from the bucket of the smallest stock
//! any trial had that day to the bucket of the largest) spans at most
//! [`WINDOW_BUCKETS`]; a stock that ranges over more than that (say from 0 to 10⁹
//! rounds across trials on one day) takes more.

use super::UNIT;
use super::stage::STAGE_BYTES;
use crate::model::Model;
use crate::results::DENSE_STOCK_BYTES;

/// Fixed cost of the process (binary, scenario, model, thread stacks) [bytes].
pub const BASE_BYTES: u64 = 16 << 20;
/// Buckets a stock histogram's window is assumed to span at most: a stock from 0 to
/// about 16 million rounds at the histograms' 0.1 % resolution (1 024 exact buckets,
/// then 14 octaves of 512).
pub const WINDOW_BUCKETS: u64 = 8_192;
/// A histogram's own fields and the bookkeeping of its allocation [bytes].
const HISTOGRAM_HEADER: u64 = 96;
/// The other accumulators of a column: the stock's exact moments (64 bytes), the
/// stage's bounds (16), a consuming series' period sums (fill-rate moments, fire,
/// shortage: about 200) [bytes].
const COLUMN_BYTES: u64 = 280;
/// A column's row of the largest CSV table (`stock.csv`) while the table is built
/// (compact: its text and 4 bytes a cell) [bytes].
const TABLE_ROW_BYTES: u64 = 256;
/// A column's rows of every table, held together for `--xlsx` and `--plots` [bytes].
const ALL_TABLES_ROW_BYTES: u64 = 768;
/// A worker's outcome vectors per column (stock, need, fire, met, shortage days: 8
/// bytes each) [bytes].
const WORKER_COLUMN_BYTES: u64 = 40;
/// A worker's calendar and day-indexed buffers per simulated day [bytes].
const WORKER_DAY_BYTES: u64 = 64;
/// A worker's other buffers (rendered `trials.csv` rows, draws ahead) [bytes].
const WORKER_BYTES: u64 = 2 << 20;
/// What of a run, beyond its model, its memory depends on.
#[derive(Debug, Clone, Copy)]
pub struct RunShape {
    /// Trials the run (or shard) simulates.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// Whether every CSV table is held at once (for `--xlsx` and `--plots`) rather
    /// than built and written one at a time.
    pub tables_kept: bool,
}

/// Bytes of one stock histogram holding `trials` values over [`WINDOW_BUCKETS`]
/// buckets, in the smaller of its two forms (see `stats::counts`): a dense array of
/// the narrowest width that holds `trials`, or a Rice code of `k + 1` bits a bucket
/// plus one a `2^k` values, for the best `k`.
pub fn histogram_bytes(trials: u64) -> u64 {
    let w = WINDOW_BUCKETS;
    let width = match trials {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFFFF_FFFF => 4,
        _ => 8,
    };
    let dense = w * width;
    let rice_bits = (0..40u32)
        .map(|k| w * u64::from(k + 1) + trials.div_ceil(1 << k))
        .min()
        .unwrap_or(u64::MAX);
    HISTOGRAM_HEADER + dense.min(rice_bits.div_ceil(8))
}

/// What the estimate counts in: `model`'s series, reporting days, simulated days, and
/// columns (series × reporting days).
fn sizes(model: &Model) -> (u64, u64, u64, u64) {
    let series = model.scenario.series.len() as u64;
    let reports = model.report_days.len() as u64;
    (
        series,
        reports,
        u64::from(model.scenario.days),
        series.saturating_mul(reports),
    )
}

/// Bytes of the aggregate of `trials` trials of `model` (see
/// [`crate::results::SharedAggregate`]): a stock histogram per column (series ×
/// reporting day) and per fire ratio and period, the columns' other accumulators, the
/// groups' counts and the depletion days.
pub fn aggregate_bytes(model: &Model, trials: u64) -> u64 {
    let s = &model.scenario;
    let (series, reports, days, columns) = sizes(model);
    // Fire ratios keep a histogram of the per-trial ratio per reporting period and
    // over the horizon; groups a count per member and reporting day.
    let ratio_columns = (s.fire_ratios.len() as u64).saturating_mul(reports + 1);
    let groups: u64 = crate::results::aggregate::group_layout(s)
        .iter()
        .map(|(_, _, members)| (members.len() as u64 + 1).saturating_mul(reports * 8))
        .fold(0, u64::saturating_add);
    let histograms = (columns + ratio_columns).saturating_mul(histogram_bytes(trials));
    // Per series and simulated day: the trials that depleted on that day.
    let depleted = series.saturating_mul(days).saturating_mul(8);
    histograms
        .saturating_add(columns.saturating_mul(COLUMN_BYTES))
        .saturating_add(groups)
        .saturating_add(depleted)
}

/// Bytes of `model`'s CSV tables while they are written: the largest one at a time,
/// or all at once when `kept` (for `--xlsx` and `--plots`).
pub fn tables_bytes(model: &Model, kept: bool) -> u64 {
    let columns =
        (model.scenario.series.len() as u64).saturating_mul(model.report_days.len() as u64);
    columns.saturating_mul(if kept {
        ALL_TABLES_ROW_BYTES
    } else {
        TABLE_ROW_BYTES
    })
}

/// Estimated peak memory [bytes] of `drawdown merge` of shards of `model` holding
/// `trials` trials in all, the largest `largest` (its workbook not counted): the
/// merged aggregate, one shard's at a time, and the tables.
pub fn merge_bytes(model: &Model, trials: u64, largest: u64, tables_kept: bool) -> u64 {
    BASE_BYTES
        .saturating_add(aggregate_bytes(model, trials))
        .saturating_add(aggregate_bytes(model, largest))
        .saturating_add(tables_bytes(model, tables_kept))
}

/// Estimated peak memory [bytes] of a run of `model` with `shape`.
pub fn estimate_bytes(model: &Model, shape: RunShape) -> u64 {
    let (_, _, days, columns) = sizes(model);
    let aggregate = aggregate_bytes(model, shape.trials);
    // The stage never holds more trials than the run has.
    let stage = (STAGE_BYTES as u64).min(
        columns
            .saturating_mul(shape.trials)
            .saturating_mul(3)
            .saturating_add(columns * 16),
    );
    let dense = DENSE_STOCK_BYTES;
    let per_worker = columns
        .saturating_mul(WORKER_COLUMN_BYTES)
        .saturating_add(days.saturating_mul(WORKER_DAY_BYTES))
        .saturating_add(WORKER_BYTES);
    let tables = tables_bytes(model, shape.tables_kept);
    BASE_BYTES
        .saturating_add(aggregate)
        .saturating_add(stage)
        .saturating_add(dense)
        .saturating_add(per_worker.saturating_mul(shape.threads as u64))
        .saturating_add(tables)
}

/// Worker threads to start for `trials` trials: the request (all cores when `None`),
/// never more than there are units of work, and at least one.
pub fn threads_for(requested: Option<usize>, trials: u64, cores: usize) -> usize {
    let units = trials.div_ceil(UNIT).max(1);
    let want = requested.unwrap_or(cores).max(1);
    usize::try_from(units).map_or(want, |u| want.min(u))
}

/// The memory a run may use by default: half of the physical memory, or of the
/// container's limit when that is smaller. `None` when neither can be read.
pub fn default_limit() -> Option<u64> {
    let physical = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb.saturating_mul(1024));
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    let total = match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    };
    total.map(|t| t / 2)
}

/// `bytes` for people, in the binary units `--max-memory` reads (`4G` is 4 GiB):
/// `1.2 GiB`, `350 MiB`, `1.5 MiB`, `64 KiB`, `512 bytes`: a limit set in any unit
/// prints as it was read, to the digit that tells it from its neighbours.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    let (kib, mib, gib) = (1024.0, (1u64 << 20) as f64, (1u64 << 30) as f64);
    if b >= gib {
        format!("{:.1} GiB", b / gib)
    } else if b >= 10.0 * mib {
        format!("{:.0} MiB", b / mib)
    } else if b >= mib {
        format!("{:.1} MiB", b / mib)
    } else if b >= kib {
        format!("{:.0} KiB", b / kib)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_threads_than_units_of_work() {
        assert_eq!(threads_for(Some(4096), 20, 2), 2, "20 trials = 2 units");
        assert_eq!(threads_for(None, 1_000_000, 8), 8);
        assert_eq!(threads_for(Some(16), 1_000_000, 2), 16, "asked explicitly");
        assert_eq!(threads_for(Some(3), 1, 2), 1);
    }

    #[test]
    fn formats_sizes() {
        // 350·10⁶ / 2²⁰ = 333.8; 12.345·10⁹ / 2³⁰ = 11.497; 64 GiB prints as it was read.
        assert_eq!(human(350_000_000), "334 MiB");
        assert_eq!(human(12_345_000_000), "11.5 GiB");
        assert_eq!(human(64 << 30), "64.0 GiB");
        // --max-memory 1K, 1500K and 1M: each as it was given.
        assert_eq!(human(1024), "1 KiB");
        assert_eq!(human(1500 << 10), "1.5 MiB");
        assert_eq!(human(1 << 20), "1.0 MiB");
        assert_eq!(human(10 << 20), "10 MiB");
        assert_eq!(human(1000), "1000 bytes");
    }

    /// Hand-computed from the Rice code's size, `W(k + 1) + ⌈T / 2^k⌉` bits, with
    /// W = 8 192 buckets.
    #[test]
    fn a_histogram_takes_the_smaller_form() {
        // 16 values: k = 0, 8 192 + 16 bits = 1 026 bytes (dense: 8 192).
        assert_eq!(histogram_bytes(16), HISTOGRAM_HEADER + 1_026);
        // 10 000 values: k = 0 gives 18 192 bits, k = 1 gives 16 384 + 5 000 = 21 384:
        // 2 274 bytes (dense, 2-byte counts: 16 384).
        assert_eq!(histogram_bytes(10_000), HISTOGRAM_HEADER + 2_274);
        // 10⁹ values: k = 16 gives 8 192 · 17 + 15 259 = 154 523 bits = 19 316 bytes;
        // k = 17: 147 456 + 7 630 = 155 086 bits. Dense (4-byte counts): 32 768.
        assert_eq!(histogram_bytes(1_000_000_000), HISTOGRAM_HEADER + 19_316);
        // 10⁶ values: k = 6 gives 57 344 + 15 625 = 72 969 bits = 9 122 bytes (k = 5:
        // 80 402 bits, k = 7: 73 349). A hundred times the trials, four times the bytes.
        assert_eq!(histogram_bytes(1_000_000), HISTOGRAM_HEADER + 9_122);
    }
}
