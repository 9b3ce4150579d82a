//! Back-testing a scenario against dated public figures.
//!
//! A milestones file ([`spec`]) lists figures reported at known dates (deliveries by a
//! date, a factory's monthly output, fire per day in a quarter, a fire ratio …), each
//! with the measure of the model that corresponds to it. [`evaluate`] simulates `n`
//! trials with a probe that sums each measure over its window in every trial, then
//! reports, per milestone, the median and the 90 % interval (5th to 95th percentile)
//! of the per-trial values beside the reported figure, and a verdict.
//!
//! Per-trial values are kept (milestones × trials numbers) and their quantiles are
//! exact (sorted order statistics, linear interpolation between the two nearest ranks,
//! Hyndman–Fan type 7), so the result is the same whatever the thread count.
//! A ratio (`ratio_to`) is per trial: numerator / denominator over the same window;
//! trials with a zero denominator are left out of its quantiles and counted.

pub mod spec;

use crate::model::{Model, TraceKind, TraceRecord, Tracer, Workspace};
use crate::runner::Observer;
use crate::stats::sorted_quantile as quantile;
use rayon::prelude::*;
use spec::{Measure, Milestone, Selector};
use std::sync::atomic::{AtomicU64, Ordering};

/// How the model compares with a reported figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The reported figure (or bracket) meets the model's 90 % interval.
    Consistent,
    /// The model's 90 % interval lies wholly below the reported figure.
    ModelLow,
    /// The model's 90 % interval lies wholly above the reported figure.
    ModelHigh,
    /// No trial defines the measure (a ratio whose denominator is always 0).
    Undefined,
}

impl Verdict {
    /// The verdict in words.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::ModelLow => "model low",
            Verdict::ModelHigh => "model high",
            Verdict::Undefined => "undefined",
        }
    }
}

/// The model's distribution of one milestone's measure.
#[derive(Debug, Clone)]
pub struct Row {
    /// The milestone.
    pub milestone: Milestone,
    /// 5th percentile, median, 95th percentile of the per-trial values.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Trials in which the measure is defined (all, except ratios with a zero denominator).
    pub defined: u64,
    /// The verdict.
    pub verdict: Verdict,
}

/// A back-test's result.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// One row per milestone, in calendar order (see [`spec::parse`]).
    pub rows: Vec<Row>,
    /// Trials simulated.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
}

/// Sums every milestone's numerator and denominator over its window, in one trial.
struct Probe<'a> {
    milestones: &'a [Milestone],
    num: Vec<f64>,
    den: Vec<f64>,
}

impl Tracer for Probe<'_> {
    const ON: bool = true;
    fn record(&mut self, r: TraceRecord) {
        for (k, m) in self.milestones.iter().enumerate() {
            if r.day < m.from_day || r.day > m.to_day {
                continue;
            }
            self.num[k] += contribution(&m.selector, &r);
            if let Some(d) = &m.ratio_to {
                self.den[k] += contribution(d, &r);
            }
        }
    }
}

/// What one event adds to a selector's sum.
fn contribution(sel: &Selector, r: &TraceRecord) -> f64 {
    if !sel.series.get(r.series).copied().unwrap_or(false) {
        return 0.0;
    }
    let q = r.quantity as f64;
    let named = |list: &Option<Vec<String>>| list.as_ref().is_none_or(|l| l.contains(&r.entity));
    let counts = match (sel.measure, r.kind) {
        (Measure::Produced, TraceKind::Produced)
        | (Measure::Delivered, TraceKind::Delivered)
        | (Measure::Needed, TraceKind::Demanded)
        | (Measure::Fired, TraceKind::Consumed)
        | (Measure::Unmet, TraceKind::Unmet)
        | (Measure::Met, TraceKind::Demanded) => true,
        (Measure::Met, TraceKind::Unmet) => return -q,
        (Measure::Sent, TraceKind::Sent) | (Measure::Received, TraceKind::Received) => {
            named(&sel.transfers)
        }
        (Measure::Received, TraceKind::Delivered) => sel.contracts.contains(&r.entity),
        (Measure::Output, TraceKind::Produced) => sel.entities.contains(&r.entity),
        (Measure::Output, TraceKind::Delivered) => {
            sel.contracts.contains(&r.entity)
                || (r.entity == "procurement" && sel.policies.get(r.series) == Some(&true))
        }
        _ => false,
    };
    if counts { q } else { 0.0 }
}

/// Sum of the end-of-day stock of the selected series on `day` (`stock` laid out
/// `[series * days + day]`, reporting every day).
fn stock_on(sel: &Selector, stock: &[u64], days: usize, day: u32) -> f64 {
    sel.series
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .map(|(i, _)| stock[i * days + day as usize] as f64)
        .sum()
}

/// Simulates trials `0..trials` of `model` (which must report every day) with master
/// seed `seed` and evaluates every milestone; the observer hears of progress and is
/// asked before each trial whether to stop.
///
/// `None` when the observer cancelled the run.
pub fn evaluate(
    model: &Model,
    milestones: &[Milestone],
    trials: u64,
    seed: u64,
    threads: usize,
    observer: &dyn Observer,
) -> Option<Backtest> {
    let done = AtomicU64::new(0);
    let days = model.report_days.len();
    debug_assert_eq!(
        days, model.scenario.days as usize,
        "the model must report every day"
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .ok()?;
    let per_trial: Vec<Option<(Vec<f64>, Vec<f64>)>> = pool.install(|| {
        (0..trials)
            .into_par_iter()
            .map_init(
                || Workspace::new(model),
                |ws, trial| {
                    if observer.cancelled() {
                        return None;
                    }
                    let mut probe = Probe {
                        milestones,
                        num: vec![0.0; milestones.len()],
                        den: vec![0.0; milestones.len()],
                    };
                    let out = ws.run(model, seed, trial, &mut probe);
                    for (k, m) in milestones.iter().enumerate() {
                        if m.selector.measure == Measure::Stock {
                            probe.num[k] = stock_on(&m.selector, &out.stock, days, m.to_day);
                        }
                        if let Some(d) = &m.ratio_to
                            && d.measure == Measure::Stock
                        {
                            probe.den[k] = stock_on(d, &out.stock, days, m.to_day);
                        }
                    }
                    observer.progress(done.fetch_add(1, Ordering::Relaxed) + 1, trials);
                    Some((probe.num, probe.den))
                },
            )
            .collect()
    });
    let per_trial: Vec<(Vec<f64>, Vec<f64>)> = per_trial.into_iter().collect::<Option<_>>()?;
    let rows = milestones
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let scale = m.scale();
            let mut values: Vec<f64> = per_trial
                .iter()
                .filter_map(|(num, den)| match m.ratio_to {
                    None => Some(num[k] * scale),
                    Some(_) => (den[k] > 0.0).then(|| num[k] / den[k]),
                })
                .collect();
            values.sort_by(f64::total_cmp);
            let (p05, p50, p95) = (
                quantile(&values, 0.05),
                quantile(&values, 0.5),
                quantile(&values, 0.95),
            );
            let verdict = if values.is_empty() {
                Verdict::Undefined
            } else {
                let (low, high) = m.reported.bounds();
                if p95 < low {
                    Verdict::ModelLow
                } else if p05 > high {
                    Verdict::ModelHigh
                } else {
                    Verdict::Consistent
                }
            };
            Row {
                milestone: m.clone(),
                p05,
                p50,
                p95,
                defined: values.len() as u64,
                verdict,
            }
        })
        .collect();
    Some(Backtest { rows, trials, seed })
}
