//! Purchase channels that scale with funding: a contract given `budget` and
//! `unit_price` buys `floor(budget / unit_price)` rounds, checked against answers
//! derived by hand (and, for a random price, by quadrature).

use assert_cmd::Command;
use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::scenario::Scenario;
use std::fs;

/// A buyer with no stock and one contract: 1.5e9 at 5000 a round, awarded on day 9,
/// delivered after 10 days in 3 tranches 5 days apart (all within the 91 days).
const CHANNEL: &str = r#"
[scenario]
name = "channel"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.buyer.stock.x]
initial = 0
[contracts.channel]
buyer = "buyer"
item = "x"
budget = 1.5e9
unit_price = 5000
award = "2024-01-10"
lead_time_days = 10
tranches = 3
tranche_every_days = 5
"#;

fn load(text: &str) -> Scenario {
    Scenario::from_toml("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// The issues (path: message) of an invalid scenario.
fn issues(text: &str) -> Vec<String> {
    match Scenario::from_toml("<test>", text, &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e
            .issues
            .iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect(),
    }
}

/// Rounds delivered to the buyer in each of `trials` trials (seed 3).
fn delivered(text: &str, trials: u64) -> Vec<u64> {
    let model = Model::new(load(text), 1);
    let mut ws = Workspace::new(&model);
    (0..trials)
        .map(|t| {
            let out = ws.run(&model, 3, t, &mut NoTrace);
            assert!(out.conservation_breach().is_none());
            out.series[0].delivered
        })
        .collect()
}

/// The `delivered` column of `trials.csv`, from `drawdown run`.
fn delivered_in_trials_csv(text: &str) -> Vec<u64> {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("c.toml"), text).expect("writing");
    Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir.path())
        .args(["run", "c.toml", "-n", "5", "-o", "out", "--quiet"])
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(dir.path().join("out/trials.csv")).expect("csv");
    let column = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "delivered")
        .expect("a delivered column");
    reader
        .records()
        .map(|r| r.expect("row")[column].parse().expect("a count"))
        .collect()
}

/// 1.5e9 / 5000 = 300 000 rounds exactly, in every trial.
#[test]
fn a_budget_at_a_fixed_price_buys_budget_over_price_rounds() {
    assert_eq!(delivered_in_trials_csv(CHANNEL), [300_000; 5]);
}

/// 3e9 / 5000 = 600 000 = 2 · 300 000; and floor(1e9 / 3000) = floor(333 333.3) =
/// 333 333 rounds: the fraction of a round the money cannot buy is not delivered.
#[test]
fn doubling_the_budget_doubles_deliveries_and_part_rounds_are_not_bought() {
    let doubled = CHANNEL.replace("budget = 1.5e9", "budget = 3e9");
    assert_eq!(delivered(&doubled, 3), [600_000; 3]);
    let odd = CHANNEL
        .replace("budget = 1.5e9", "budget = 1e9")
        .replace("unit_price = 5000", "unit_price = 3000");
    assert_eq!(delivered(&odd, 3), [333_333; 3]);
}

/// 1e13 at 1 a round would be 1e13 rounds: cut to the quantity ceiling of 1e12.
#[test]
fn a_budget_never_buys_more_than_the_quantity_ceiling() {
    let huge = CHANNEL
        .replace("budget = 1.5e9", "budget = 1e13")
        .replace("unit_price = 5000", "unit_price = 1")
        .replace("tranches = 3", "tranches = 1");
    assert_eq!(delivered(&huge, 1), [1_000_000_000_000]);
}

/// Simpson's rule for `f` on [0, 1] with `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, n: usize) -> f64 {
    let h = 1.0 / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(0.0) + f(1.0) + inner) * h / 3.0
}

/// Price P ~ PERT(4000, 5000, 8000) = 4000 + 4000·X with X ~ Beta(α, β), α = 1 + 4 ·
/// (5000 − 4000)/4000 = 2, β = 1 + 4 · (8000 − 5000)/4000 = 4: density 20 x (1 − x)³.
/// With B = 1e9, the rounds bought are floor(B/P). E[B/P] and E[(B/P)²] come from
/// quadrature; floor(Y) = Y − frac(Y) with 0 ≤ frac < 1, so E[floor(B/P)] lies in
/// (E[B/P] − 1, E[B/P]]. The mean of n trials must lie within 4 standard errors
/// (sd(B/P)/√n) of that interval.
#[test]
fn a_random_price_buys_the_expected_floor_of_budget_over_price() {
    let text = CHANNEL.replace("budget = 1.5e9", "budget = 1e9").replace(
        "unit_price = 5000",
        "unit_price = { dist = \"pert\", min = 4000, mode = 5000, max = 8000 }",
    );
    let density = |x: f64| 20.0 * x * (1.0 - x).powi(3);
    let rounds = |x: f64| 1e9 / (4000.0 + 4000.0 * x);
    let n_steps = 20_000;
    assert!((simpson(density, n_steps) - 1.0).abs() < 1e-12);
    let mean = simpson(|x| density(x) * rounds(x), n_steps);
    let second = simpson(|x| density(x) * rounds(x).powi(2), n_steps);
    let sd = (second - mean * mean).sqrt();
    let trials = 4_000;
    let got = delivered(&text, trials);
    let got_mean = got.iter().sum::<u64>() as f64 / trials as f64;
    let tolerance = 4.0 * sd / (trials as f64).sqrt();
    assert!(
        got_mean > mean - 1.0 - tolerance && got_mean <= mean + tolerance,
        "mean delivered {got_mean}, expected in ({} , {}] ± {tolerance}",
        mean - 1.0,
        mean
    );
    // Every draw is a whole number of rounds within [1e9/8000, 1e9/4000].
    assert!(got.iter().all(|&q| (125_000..=250_000).contains(&q)));
}

#[test]
fn a_contract_gives_either_a_quantity_or_a_budget_and_a_price() {
    let both = CHANNEL.replace("budget = 1.5e9", "budget = 1.5e9\nquantity = 5");
    assert_eq!(
        issues(&both),
        [
            "contracts.channel.budget: give either quantity (rounds) or budget and unit_price (money), not both"
        ]
    );
    let no_price = CHANNEL.replace("unit_price = 5000\n", "");
    assert_eq!(
        issues(&no_price),
        ["contracts.channel: a budget needs a unit_price (money per round)"]
    );
    let neither = no_price.replace("budget = 1.5e9\n", "");
    assert_eq!(
        issues(&neither),
        [
            "contracts.channel: missing the size: give quantity (rounds) or budget and unit_price (money)"
        ]
    );
}

#[test]
fn budgets_and_prices_outside_their_ranges_are_refused() {
    let free = CHANNEL.replace("unit_price = 5000", "unit_price = 0");
    assert_eq!(
        issues(&free),
        [
            "contracts.channel.unit_price: must be above 0 on every draw, but 0 can be 0 (give min > 0)"
        ]
    );
    let dear = CHANNEL.replace("unit_price = 5000", "unit_price = 2e9");
    assert_eq!(
        issues(&dear),
        ["contracts.channel.unit_price: must be a price between 0 and 1e9, got 2000000000"]
    );
    let rich = CHANNEL.replace("budget = 1.5e9", "budget = 2e13");
    assert_eq!(
        issues(&rich),
        ["contracts.channel.budget: must be money between 0 and 1e13, got 20000000000000"]
    );
}
