//! What a sensitivity command varies and what it measures: the inputs a path pattern
//! names, the quantiles of an input's distribution, and the output (a metric of one
//! series).

use crate::dist::Dist;
use crate::model::InputTable;
use crate::scenario::Scenario;
use crate::stats::sorted_quantile;
use crate::sweep::pair::COUNT_METRICS;
use crate::sweep::{TrialValues, paths};
use rand::SeedableRng;

/// The per-trial metrics a sensitivity command can analyse, as named in `sweep.csv` and
/// `summary.csv`: the fill rate, the depletion probability, then the count metrics of
/// [`COUNT_METRICS`].
pub fn metrics() -> Vec<&'static str> {
    let mut names = vec!["fill_rate", "p_depleted"];
    names.extend(COUNT_METRICS.iter().map(|m| m.0));
    names
}

/// The output analysed: one metric of one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Series index.
    pub series: usize,
    /// Metric name, one of [`metrics`].
    pub metric: &'static str,
    /// `nation.item`.
    pub label: String,
    /// Whether the series is a pass-through channel.
    pub channel: bool,
    /// Whether the series has demand.
    pub consumer: bool,
}

impl Target {
    /// Resolves `--series NATION.ITEM` and `--metric NAME`; the defaults are the fill
    /// rate of the first series with demand that receives aid (the recipient), else of
    /// the first series with demand, else the depletion probability of the first series.
    ///
    /// # Errors
    /// A message naming the valid series or metrics.
    pub fn resolve(
        s: &Scenario,
        series: Option<&str>,
        metric: Option<&str>,
    ) -> Result<Target, String> {
        let labels: Vec<String> = (0..s.series.len()).map(|i| label(s, i)).collect();
        let consumer = |i: usize| s.draws_on(i);
        let index = match series {
            Some(name) => labels.iter().position(|l| l == name).ok_or_else(|| {
                format!(
                    "--series '{name}': no such nation.item series (the scenario has {})",
                    labels.join(", ")
                )
            })?,
            None => {
                let receives = |i: usize| s.transfers.iter().any(|t| t.to == i);
                (0..labels.len())
                    .find(|&i| consumer(i) && receives(i))
                    .or_else(|| (0..labels.len()).find(|&i| consumer(i)))
                    .unwrap_or(0)
            }
        };
        let names = metrics();
        let metric =
            match metric {
                Some(m) => names.iter().copied().find(|x| *x == m).ok_or_else(|| {
                    format!("--metric '{m}': expected one of {}", names.join(", "))
                })?,
                None if consumer(index) => "fill_rate",
                None => "p_depleted",
            };
        let demand_metric = metric == "fill_rate"
            || COUNT_METRICS
                .iter()
                .any(|&(name, needs_demand, _)| name == metric && needs_demand);
        if demand_metric && !consumer(index) {
            return Err(format!(
                "--metric {metric}: series {} has no demand; use p_depleted, final_stock_mean or min_stock_mean, or a series with demand",
                labels[index]
            ));
        }
        if metric == "p_depleted" && s.series.get(index).is_some_and(|x| x.channel) {
            return Err(format!(
                "--metric p_depleted: {} is a pass-through channel, which never depletes",
                labels[index]
            ));
        }
        Ok(Target {
            series: index,
            metric,
            label: labels.get(index).cloned().unwrap_or_default(),
            channel: s.series.get(index).is_some_and(|x| x.channel),
            consumer: consumer(index),
        })
    }

    /// The metric as the per-trial analyses (rank, sobol) use it, for their tables:
    /// `fill_rate` is each trial's own met ÷ need, whose mean weighs every trial alike
    /// and so differs from `summary.csv`'s ratio of totals (need-weighted).
    pub fn per_trial_name(&self) -> &'static str {
        match self.metric {
            "fill_rate" => "fill_rate (each trial's met ÷ need, not summary.csv's ratio of totals)",
            name => name,
        }
    }

    /// Decimals to show the metric with: 4 for a share (`fill_rate`, `p_depleted`), 1
    /// for a mean count (rounds, days).
    pub fn decimals(&self) -> usize {
        if matches!(self.metric, "fill_rate" | "p_depleted") {
            4
        } else {
            1
        }
    }

    /// One trial's value of the metric (the per-trial fill rate is met/need, 1 with no
    /// need; the depletion probability's is 0 or 1).
    pub fn value(&self, v: &TrialValues) -> f64 {
        match self.metric {
            "fill_rate" if v.demanded == 0 => 1.0,
            "fill_rate" => v.met as f64 / v.demanded as f64,
            "p_depleted" => f64::from(u8::from(v.depleted)),
            name => COUNT_METRICS
                .iter()
                .find(|m| m.0 == name)
                .map_or(f64::NAN, |m| (m.2)(v) as f64),
        }
    }
}

/// `nation.item` of series `i`.
pub fn label(s: &Scenario, i: usize) -> String {
    let x = &s.series[i];
    format!("{}.{}", s.nations[x.nation].id, s.items[x.item].id)
}

/// The ids of the inputs whose path matches the dotted `pattern` (`*` for any one
/// segment, `{a,b}` for either key).
pub fn matching(inputs: &InputTable, pattern: &str) -> Vec<usize> {
    let want: Vec<&str> = pattern.split('.').collect();
    inputs
        .defs
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            let have: Vec<&str> = d.path.split('.').collect();
            have.len() == want.len()
                && want
                    .iter()
                    .zip(&have)
                    .all(|(p, k)| paths::segment_matches(p, k))
        })
        .map(|(i, _)| i)
        .collect()
}

/// "matches no input" with the nearest input paths.
pub fn no_input(inputs: &InputTable, pattern: &str, flag: &str) -> String {
    let mut near: Vec<(usize, &str)> = inputs
        .defs
        .iter()
        .map(|d| (paths::distance(pattern, &d.path), d.path.as_str()))
        .collect();
    near.sort();
    let list: Vec<&str> = near.iter().take(3).map(|x| x.1).collect();
    format!(
        "{flag} '{pattern}' matches no number drawn once per trial (did you mean {}?); `drawdown check --inputs` lists them, and `drawdown sweep` varies other fields (dates, cadences)",
        list.join(", ")
    )
}

/// Draws used for an input's quantiles.
pub const QUANTILE_DRAWS: usize = 1 << 16;

/// A distribution's quantile function, estimated from [`QUANTILE_DRAWS`] draws of a
/// fixed stream (type-7 interpolation; the error in probability is about
/// √(q(1 − q)/65 536) ≤ 0.002).
#[derive(Debug, Clone)]
pub struct Quantiles {
    sorted: Vec<f64>,
}

impl Quantiles {
    /// The quantile function of `dist` (exact for a fixed value).
    pub fn of(dist: &Dist) -> Quantiles {
        if let Some(v) = dist.fixed_value() {
            return Quantiles { sorted: vec![v] };
        }
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x005e_ed0f_d157);
        let mut sorted: Vec<f64> = (0..QUANTILE_DRAWS).map(|_| dist.sample(&mut rng)).collect();
        sorted.sort_by(f64::total_cmp);
        Quantiles { sorted }
    }

    /// The value at probability `q` ∈ [0, 1].
    pub fn at(&self, q: f64) -> f64 {
        sorted_quantile(&self.sorted, q.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::DistSpec;

    #[test]
    fn quantiles_of_a_uniform_are_linear() {
        let d = DistSpec::uniform(10.0, 20.0).build().expect("valid");
        let q = Quantiles::of(&d);
        for p in [0.1, 0.5, 0.9] {
            // Standard error of the empirical quantile: 10·√(p(1 − p)/65536) ≤ 0.02.
            assert!(
                (q.at(p) - (10.0 + 10.0 * p)).abs() < 0.08,
                "{p}: {}",
                q.at(p)
            );
        }
    }
}
