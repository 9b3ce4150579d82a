//! `fire_ratio.csv`: per fire ratio and reporting period, the numerator nations' fire
//! over the denominator nations' (semantics and quantile error in
//! [`crate::results::RatioAggregate`]).

use super::{Table, opt};
use crate::export::Report;
use crate::export::format::{decimal, mean, prob};
use crate::results::aggregate::unscaled;
use crate::stats::{LogHistogram, RatioMoments};

/// `fire_ratio.csv`: one row per fire ratio × reporting period. `numerator_mean` and
/// `denominator_mean` are the rounds fired per trial on each side of the line,
/// `ratio_of_means` their ratio (empty when the denominator never fired) with its
/// delta-method 95 % interval, `p05`/`p50`/`p95` quantiles of the per-trial ratio
/// among the `trials_defined` trials whose denominator fired.
pub fn fire_ratio(report: &Report) -> Table {
    let mut t = Table::new(&[
        "ratio",
        "day",
        "date",
        "from_day",
        "from_date",
        "numerator_mean",
        "denominator_mean",
        "ratio_of_means",
        "ci_low",
        "ci_high",
        "p05",
        "p50",
        "p95",
        "trials_defined",
        "trials",
    ]);
    let n = report.aggregate.trials;
    let s = &report.model.scenario;
    for r in &report.aggregate.ratios {
        let id = &s.fire_ratios[r.ratio].named.id;
        let mut from = 0;
        for (k, &day) in report.model.report_days.iter().enumerate() {
            let mut row = vec![
                id.clone(),
                day.to_string(),
                report.date(day),
                from.to_string(),
                report.date(from),
            ];
            row.extend(cells(&r.periods[k], &r.per_trial[k], n));
            t.rows.push(row);
            from = day + 1;
        }
    }
    t
}

/// The cells from `numerator_mean` to `trials` of one period.
fn cells(m: &RatioMoments, h: &LogHistogram, trials: u64) -> [String; 10] {
    let per_trial = |sum: u128| mean(sum as f64 / trials.max(1) as f64);
    let ci = m.ci95();
    let q = |p: f64| {
        h.quantile(p)
            .map(|v| decimal(unscaled(v), 3))
            .unwrap_or_default()
    };
    [
        per_trial(m.sum_x),
        per_trial(m.sum_y),
        opt(m.ratio(), prob),
        opt(ci.map(|c| c.low), prob),
        opt(ci.map(|c| c.high), prob),
        q(0.05),
        q(0.5),
        q(0.95),
        h.count().to_string(),
        trials.to_string(),
    ]
}
