//! Per-trial values of a run, and the estimates and paired differences of `sweep.csv`.
//!
//! Every point of a sweep runs the same trial indices with the same seed, so trial `t`
//! of a point and trial `t` of the baseline share every random stream that the change
//! did not touch (common random numbers). The paired difference of a metric is then
//! the mean of the per-trial differences `dₜ = xₜ − bₜ`, with the interval
//! `d̄ ± z·s_d/√n` from their standard deviation; for the depletion probability `xₜ`
//! is the 0/1 indicator. For the fill rate, a ratio of sums `R = Σmetₜ/Σneedₜ`, the
//! difference `R_x − R_b` gets a delta-method interval (Cochran 1977, §6.4) from the
//! paired linearised values `zₜ = (metₜˣ − R_x·needₜˣ)/need̄ˣ − (metₜᵇ − R_b·needₜᵇ)/need̄ᵇ`,
//! which carries the covariance of the pairs.
//!
//! Memory: the baseline's values and those of one group of runs are held at a time
//! (see [`crate::pipeline::sweep`]), up to `17 × trials × series ×
//! size_of::<TrialValues>()` (56 bytes): 333 MB for 10 000 trials of 35 series.

use crate::error::Result;
use crate::model::SeriesOutcome;
use crate::runner::{RowSink, UnitRows};
use crate::stats::{Interval, Moments, RatioMoments, Z95, wilson};

/// What a sweep keeps of one series in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrialValues {
    /// Depleted by the horizon.
    pub depleted: bool,
    /// Days ending with unmet need.
    pub shortage_days: u32,
    /// Need met on the day it arose.
    pub met: u64,
    /// Need.
    pub demanded: u64,
    /// Unmet need.
    pub unmet: u64,
    /// Rounds fired.
    pub consumed: u64,
    /// Stock at the end.
    pub final_stock: u64,
    /// Lowest stock.
    pub min_stock: u64,
}

impl From<&SeriesOutcome> for TrialValues {
    fn from(o: &SeriesOutcome) -> Self {
        TrialValues {
            depleted: o.depletion_day.is_some(),
            shortage_days: o.shortage_days,
            met: o.met_on_time(),
            demanded: o.demanded,
            unmet: o.unmet,
            consumed: o.consumed,
            final_stock: o.final_stock,
            min_stock: o.min_stock,
        }
    }
}

/// The per-trial values of a run, trial after trial, `width` series per trial.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// Series per trial.
    pub width: usize,
    /// The values, trial-major.
    pub values: Vec<TrialValues>,
}

impl Outcomes {
    /// An empty collection for `width` series.
    pub fn new(width: usize) -> Self {
        Outcomes {
            width,
            values: Vec::new(),
        }
    }

    /// An empty collection for `width` series with room for `trials` trials (as many
    /// as fit in memory: the values are added as they come).
    pub fn with_capacity(width: usize, trials: u64) -> Self {
        let values = usize::try_from(trials)
            .ok()
            .and_then(|n| n.checked_mul(width))
            .map_or_else(Vec::new, |n| {
                let mut v = Vec::new();
                // A failed reservation leaves the vector to grow as it goes.
                let _ = v.try_reserve_exact(n);
                v
            });
        Outcomes { width, values }
    }

    /// Trials held.
    pub fn trials(&self) -> usize {
        self.values.len() / self.width.max(1)
    }

    fn series(&self, s: usize) -> impl Iterator<Item = &TrialValues> {
        self.values.iter().skip(s).step_by(self.width.max(1))
    }
}

impl RowSink for Outcomes {
    type Rendered = Vec<TrialValues>;
    fn render(&self, rows: &UnitRows) -> Vec<TrialValues> {
        rows.outcomes.iter().map(TrialValues::from).collect()
    }
    fn write(&mut self, rendered: Vec<TrialValues>) -> Result<()> {
        self.values.extend(rendered);
        Ok(())
    }
}

/// Whether a metric is a probability or share (6 decimals) or a mean of rounds or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A probability or a share.
    Share,
    /// A mean count.
    Count,
}

/// One metric of one series at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// Metric name as in `summary.csv`.
    pub metric: &'static str,
    /// How to format it.
    pub scale: Scale,
    /// The point's estimate.
    pub estimate: f64,
    /// Its 95 % interval.
    pub ci: Interval,
    /// Paired difference from the baseline and its 95 % interval (`None` when not
    /// defined, e.g. a fill rate with no need).
    pub diff: Option<(f64, Interval)>,
}

/// One trial's value of a count metric.
pub type Field = fn(&TrialValues) -> u64;

/// The mean-of-counts metrics of `sweep.csv` (as named in `summary.csv`), whether each
/// needs demand on the series, and its per-trial value.
pub const COUNT_METRICS: [(&str, bool, Field); 5] = [
    ("final_stock_mean", false, |v| v.final_stock),
    ("min_stock_mean", false, |v| v.min_stock),
    ("consumed_mean", true, |v| v.consumed),
    ("unmet_mean", true, |v| v.unmet),
    ("shortage_days_mean", true, |v| u64::from(v.shortage_days)),
];

/// The metrics of series `s`: the point's estimates and paired differences from `base`.
/// `channel` drops the depletion probability; `consumer` adds the demand metrics.
pub fn compare(
    point: &Outcomes,
    base: &Outcomes,
    s: usize,
    channel: bool,
    consumer: bool,
) -> Vec<Compared> {
    let mut out = Vec::new();
    if !channel {
        let depleted = point.series(s).filter(|v| v.depleted).count() as u64;
        let n = point.trials() as u64;
        out.push(Compared {
            metric: "p_depleted",
            scale: Scale::Share,
            estimate: if n == 0 {
                0.0
            } else {
                depleted as f64 / n as f64
            },
            ci: wilson(depleted, n),
            diff: Some(paired_mean(point, base, s, |v| u64::from(v.depleted))),
        });
    }
    for &(metric, needs_demand, f) in &COUNT_METRICS {
        if needs_demand && !consumer {
            continue;
        }
        let mut m = Moments::default();
        point.series(s).for_each(|v| m.add(f(v)));
        out.push(Compared {
            metric,
            scale: Scale::Count,
            estimate: m.mean(),
            ci: m.ci95(),
            diff: Some(paired_mean(point, base, s, f)),
        });
    }
    if consumer {
        out.push(fill_rate(point, base, s));
    }
    out
}

/// Mean of the per-trial differences with its normal 95 % interval.
fn paired_mean(point: &Outcomes, base: &Outcomes, s: usize, f: Field) -> (f64, Interval) {
    let d: Vec<f64> = point
        .series(s)
        .zip(base.series(s))
        .map(|(x, b)| f(x) as f64 - f(b) as f64)
        .collect();
    mean_interval(&d)
}

/// `(mean, mean ± Z95·sd/√n)` of `d` (two passes; a zero-width interval when n < 2).
pub fn mean_interval(d: &[f64]) -> (f64, Interval) {
    let n = d.len() as f64;
    if d.is_empty() {
        return (
            0.0,
            Interval {
                low: 0.0,
                high: 0.0,
            },
        );
    }
    let mean = d.iter().sum::<f64>() / n;
    let se = if d.len() < 2 {
        0.0
    } else {
        (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
    };
    (
        mean,
        Interval {
            low: mean - Z95 * se,
            high: mean + Z95 * se,
        },
    )
}

/// The fill rate `Σmet/Σneed` and the delta-method paired difference (module docs).
fn fill_rate(point: &Outcomes, base: &Outcomes, s: usize) -> Compared {
    let mut r = RatioMoments::default();
    point.series(s).for_each(|v| r.add(v.met, v.demanded));
    let ci = r.ci95_proportion().unwrap_or(Interval {
        low: 0.0,
        high: 1.0,
    });
    let ratio = |o: &Outcomes| {
        let (met, need) = o.series(s).fold((0f64, 0f64), |(a, c), v| {
            (a + v.met as f64, c + v.demanded as f64)
        });
        (need > 0.0).then(|| (met / need, need / o.trials().max(1) as f64))
    };
    let diff = match (ratio(point), ratio(base)) {
        (Some((rx, cx)), Some((rb, cb))) => {
            let z: Vec<f64> = point
                .series(s)
                .zip(base.series(s))
                .map(|(x, b)| {
                    (x.met as f64 - rx * x.demanded as f64) / cx
                        - (b.met as f64 - rb * b.demanded as f64) / cb
                })
                .collect();
            let (_, iv) = mean_interval(&z);
            let half = (iv.high - iv.low) / 2.0;
            let d = rx.min(1.0) - rb.min(1.0);
            Some((
                d,
                Interval {
                    low: d - half,
                    high: d + half,
                },
            ))
        }
        _ => None,
    };
    Compared {
        metric: "fill_rate",
        scale: Scale::Share,
        estimate: r.ratio().map_or(0.0, |x| x.min(1.0)),
        ci,
        diff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(values: &[(u64, u64)]) -> Outcomes {
        Outcomes {
            width: 1,
            values: values
                .iter()
                .map(|&(met, demanded)| TrialValues {
                    met,
                    demanded,
                    unmet: demanded - met,
                    final_stock: met,
                    ..TrialValues::default()
                })
                .collect(),
        }
    }

    #[test]
    fn a_constant_shift_has_a_zero_width_paired_interval() {
        let base = outcomes(&[(10, 20), (30, 40), (5, 50), (7, 9)]);
        let point = outcomes(&[(11, 20), (31, 40), (6, 50), (8, 9)]);
        let rows = compare(&point, &base, 0, false, true);
        let stock = rows
            .iter()
            .find(|r| r.metric == "final_stock_mean")
            .unwrap();
        let (d, iv) = stock.diff.unwrap();
        assert_eq!(d, 1.0);
        assert!(iv.width() < 1e-12, "{iv:?}");
        assert!(stock.ci.width() > 10.0, "{:?}", stock.ci);
    }

    #[test]
    fn the_fill_rate_difference_is_the_difference_of_ratios() {
        let base = outcomes(&[(10, 20), (30, 40), (5, 50)]);
        let point = outcomes(&[(20, 20), (35, 40), (10, 50)]);
        let rows = compare(&point, &base, 0, false, true);
        let fill = rows.iter().find(|r| r.metric == "fill_rate").unwrap();
        let (d, iv) = fill.diff.unwrap();
        assert!((d - (65.0 / 110.0 - 45.0 / 110.0)).abs() < 1e-12);
        assert!(iv.contains(d) && iv.width() > 0.0);
    }

    #[test]
    fn a_point_equal_to_the_baseline_differs_by_exactly_zero() {
        let base = outcomes(&[(10, 20), (30, 40), (5, 50)]);
        for row in compare(&base, &base, 0, false, true) {
            let (d, iv) = row.diff.unwrap();
            assert_eq!((d, iv.low, iv.high), (0.0, 0.0, 0.0), "{}", row.metric);
        }
    }
}
