//! How much memory a run will need, estimated before it starts, and how many worker
//! threads are worth starting.
//!
//! The estimate is an upper bound built from the runner's own sizes: each worker holds
//! one trial's workspace (a few words per simulated day and series), a staging buffer
//! for stock paths (at most [`STAGE_BYTES`]) and an aggregate (per series and reporting
//! day, a log-linear histogram whose window is at most [`HISTOGRAM_BYTES`] in practice,
//! plus exact moments); the merged result holds one more aggregate. The estimate is
//! compared with a limit (half the physical memory by default) before any thread
//! starts, so a run that cannot fit is refused with what to change instead of being
//! killed an hour later.

use super::UNIT;
use crate::model::Model;

/// Upper bound of the stock-path staging buffer of one worker [bytes].
pub const STAGE_BYTES: u64 = 16 << 20;
/// Bytes per series and reporting day of an aggregate: a histogram window of about
/// 5 500 buckets (a stock spanning 0 to ~10^6 at 0.1 % resolution) plus moments.
/// Wider stocks take more, narrow ones far less; measured at 20–45 KB per series-day
/// on the shipped scenarios.
pub const HISTOGRAM_BYTES: u64 = 45 << 10;
/// Bytes per simulated day and series of one trial's workspace (stock, need and fire
/// paths, calendar slots).
pub const WORKSPACE_DAY_BYTES: u64 = 64;
/// Fixed cost of the process (binary, scenario, buffers) [bytes].
pub const BASE_BYTES: u64 = 32 << 20;

/// Estimated peak memory [bytes] of a run of `model` on `threads` workers.
pub fn estimate_bytes(model: &Model, threads: usize) -> u64 {
    let series = model.scenario.series.len() as u64;
    let reports = model.report_days.len() as u64;
    let days = u64::from(model.scenario.days);
    let aggregate = series
        .saturating_mul(reports)
        .saturating_mul(HISTOGRAM_BYTES);
    let workspace = days
        .saturating_mul(series.max(1))
        .saturating_mul(WORKSPACE_DAY_BYTES);
    let groups: u64 = super::aggregate::group_layout(&model.scenario)
        .iter()
        .map(|(_, _, members)| (members.len() as u64 + 1).saturating_mul(reports * 8))
        .fold(0, u64::saturating_add);
    // Fire ratios: per ratio and reporting period (and the horizon), a histogram of the
    // per-trial ratio in thousandths (bounded like a stock histogram) and its sums.
    let ratios = (model.scenario.fire_ratios.len() as u64)
        .saturating_mul(reports + 1)
        .saturating_mul(HISTOGRAM_BYTES);
    let aggregate = aggregate.saturating_add(groups).saturating_add(ratios);
    let per_worker = aggregate
        .saturating_add(workspace)
        .saturating_add(STAGE_BYTES);
    BASE_BYTES
        .saturating_add(per_worker.saturating_mul(threads as u64))
        .saturating_add(aggregate)
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

/// `bytes` for people: `1.2 GB`, `350 MB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
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
        assert_eq!(human(350_000_000), "350 MB");
        assert_eq!(human(12_345_000_000), "12.3 GB");
    }
}
