//! How a trial's cost grows with the scenario: k copies of one donor block.
//!
//! A block is a donor nation with a stock and a floor, its own factory, an (s, S)
//! procurement policy reviewed quarterly with lognormal lead times, and monthly aid to
//! one recipient whose front fires more as blocks are added (800 rounds a day per block).
//! Every block dispatches on the same days and reviews on the same days, so same-day
//! events grow with k: the case where a scheduler that walks a day's list turns
//! quadratic.
//!
//! For k = 1, 2, 4 … 64 it times [`Workspace::run`] on one thread (the minimum over
//! rounds of the mean time per trial, the k interleaved within each round so that they
//! share the machine's noise) and prints the time per trial, per block, and the fitted
//! exponent `a` of `time ∝ series^a` (least squares on logs, over all k and from 16 to
//! 64). Target (issue 12): a ≤ 1.05.
//!
//! ```text
//! cargo bench --bench scaling               # 64 trials a round, 7 rounds
//! cargo bench --bench scaling -- 256 9      # trials a round, rounds
//! ```

use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::scenario::Scenario;
use std::hint::black_box;
use std::time::Instant;

/// Block counts measured.
const COPIES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];
/// Master seed.
const SEED: u64 = 20_220_224;

/// The scenario with `k` donor blocks, as TOML (templates keep the text short, as a
/// user would write it).
fn scenario(k: usize) -> String {
    let mut toml = format!(
        r#"
[scenario]
name = "scaling-{k}"
start = "2024-01-01"
end = "2027-12-31"
seed = 1

[items.shell]
name = "shell"

[templates.nations.donor]
stock.shell.initial = {{ dist = "pert", min = 100_000, mode = 200_000, max = 400_000 }}
stock.shell.floor = {{ dist = "triangular", min = 30_000, mode = 50_000, max = 80_000 }}
procurement.shell.reorder_point = 150_000
procurement.shell.target = 250_000
procurement.shell.review_days = 91
procurement.shell.first_review = "2024-03-01"
procurement.shell.lead_time_days = {{ dist = "lognormal", median = 180, p90 = 365 }}

[templates.factories.plant]
item = "shell"
capacity.initial = 10_000
output_factor = {{ dist = "normal", mean = 1.0, sd = 0.15, min = 0 }}

[templates.transfers.aid]
to = "recipient"
item = "shell"
start = "2024-01-15"
every_days = 30
quantity = {{ dist = "triangular", min = 10_000, mode = 20_000, max = 30_000 }}
transit_days = {{ dist = "triangular", min = 7, mode = 14, max = 30 }}

[nations.recipient]
name = "Recipient"
stock.shell.initial = 50_000

[demand.front]
nation = "recipient"
item = "shell"
dispersion = 10
schedule.all.from = "2024-01-01"
schedule.all.per_day = {{ dist = "lognormal", median = {median}, p90 = {p90} }}
"#,
        median = 800 * k,
        p90 = 1_200 * k,
    );
    for i in 0..k {
        toml.push_str(&format!(
            r#"
[nations.d{i}]
template = "donor"
name = "Donor {i}"

[factories.f{i}]
template = "plant"
owner = "d{i}"

[transfers.t{i}]
template = "aid"
from = "d{i}"
"#
        ));
    }
    toml
}

/// Least-squares slope of `ln y` on `ln x`.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + x.ln() / n, b + y.ln() / n)
    });
    let (sxy, sxx) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        let dx = x.ln() - mx;
        (a + dx * (y.ln() - my), b + dx * dx)
    });
    sxy / sxx
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let trials = args.first().copied().unwrap_or(64);
    let rounds = args.get(1).copied().unwrap_or(7);
    let models: Vec<(usize, Model)> = COPIES
        .iter()
        .map(|&k| {
            let text = scenario(k);
            let s = Scenario::from_toml("<scaling>", &text, &[])
                .unwrap_or_else(|e| panic!("generated scenario {k} is invalid: {e}"));
            (k, Model::new(s, 7))
        })
        .collect();
    let mut best = vec![f64::INFINITY; models.len()];
    let mut sink = 0u64;
    for _ in 0..rounds {
        for (i, (_, model)) in models.iter().enumerate() {
            let mut ws = Workspace::new(model);
            let started = Instant::now();
            for t in 0..trials {
                let out = ws.run(model, SEED, t, &mut NoTrace);
                sink = sink.wrapping_add(black_box(out.stock.len() as u64));
            }
            let per_trial = started.elapsed().as_secs_f64() / trials as f64;
            best[i] = best[i].min(per_trial);
        }
    }
    println!("copies  series  us/trial  us/series");
    let mut points = Vec::new();
    for ((k, model), t) in models.iter().zip(&best) {
        let series = model.series_count() as f64;
        println!(
            "{k:>6}  {series:>6}  {:>8.1}  {:>9.2}",
            t * 1e6,
            t * 1e6 / series
        );
        points.push((series, *t));
    }
    let all = slope(&points);
    let large = slope(&points[points.len() - 3..]);
    println!(
        "exponent a (time ∝ series^a): {all:.3} over 1-64 copies, {large:.3} over 16-64 (target ≤ 1.05)"
    );
    black_box(sink);
}
