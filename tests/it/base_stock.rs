//! The (s, S) policy with backorders against the exact answer of the base-stock model.
//!
//! One stock, Poisson(λ = 20) daily demand with backordering, reviewed every day with
//! s = 69, S = 70, and a lead time of L = 3 days; the opening stock is S.
//!
//! Derivation. The inventory position IP = on hand + on order − backlog drops by each
//! day's demand and is brought back to S by the review at the end of every day with any
//! demand (with s = S − 1, every day with demand orders; a day without demand leaves IP
//! at S). An order placed at the end of day t arrives at the start of day t + 3. So at
//! the end of day t ≥ 2 every order placed up to the end of day t − 3 has arrived, and
//! those of days t − 2 and t − 1 have not: the net stock (on hand − backlog) is
//! S − (D(t−2) + D(t−1) + D(t)) = S − X with X ~ Poisson(3λ = 60). (At the end of day 0
//! it is S − Poisson(20), at the end of day 1 S − Poisson(40).) Hence, for t ≥ 2:
//!
//! - end-of-day on hand: E[(S − X)⁺] = 10.394 (summed exactly below);
//! - P(the day ends with a backlog) = P(X > S) = 0.0902;
//! - the need of day t is met on the day from the net stock at the start of day t,
//!   S − Y with Y = D(t−2) + D(t−1) ~ Poisson(40), after the waiting backlog (served
//!   first): E[min(D(t), (S − Y)⁺)] of the λ = 20 rounds needed (98.03 %).

use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::scenario::Scenario;

const S: u64 = 70;
const LAMBDA: f64 = 20.0;

fn base_stock() -> Scenario {
    let text = r#"
[scenario]
name = "base_stock"
start = "2024-01-01"
end = "2024-12-30"
backorder = true
[items.x]
[nations.n.stock.x]
initial = 70
[nations.n.procurement.x]
reorder_point = 69
target = 70
review_days = 1
lead_time_days = 3
[demand.front]
nation = "n"
item = "x"
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 20
"#;
    Scenario::from_toml("<base-stock>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// The Poisson(mu) pmf for 0..=max.
fn poisson_pmf(mu: f64, max: u64) -> Vec<f64> {
    let mut p = Vec::with_capacity(max as usize + 1);
    let mut log_p = -mu;
    for k in 0..=max {
        if k > 0 {
            log_p += mu.ln() - (k as f64).ln();
        }
        p.push(log_p.exp());
    }
    p
}

/// E[(S − X)⁺] and P(X > S) for X ~ Poisson(mu).
fn on_hand_and_backlog(mu: f64) -> (f64, f64) {
    let pmf = poisson_pmf(mu, S);
    let on_hand = (0..=S).map(|k| (S - k) as f64 * pmf[k as usize]).sum();
    let at_most_s: f64 = pmf.iter().sum();
    (on_hand, 1.0 - at_most_s)
}

/// E[min(D, (S − Y)⁺)] for D ~ Poisson(λ), Y ~ Poisson(mu) independent.
fn met_on_the_day(mu: f64) -> f64 {
    let (py, pd) = (poisson_pmf(mu, S), poisson_pmf(LAMBDA, S));
    let mut total = 0.0;
    for y in 0..=S {
        let avail = S - y;
        // E[min(D, a)] = Σ_{k<a} P(D > k).
        let mut cdf = 0.0;
        let mut e_min = 0.0;
        for k in 0..avail {
            cdf += pd[k as usize];
            e_min += 1.0 - cdf; // P(D > k)
        }
        total += py[y as usize] * e_min;
    }
    total
}

/// Per-trial mean and the mean and standard error of those means across trials.
fn mean_and_se(per_trial: &[f64]) -> (f64, f64) {
    let n = per_trial.len() as f64;
    let mean = per_trial.iter().sum::<f64>() / n;
    let var = per_trial.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn exact_pmf_sums_match_the_published_figures() {
    let (on_hand, backlog) = on_hand_and_backlog(3.0 * LAMBDA);
    assert!((on_hand - 10.394).abs() < 5e-4, "{on_hand}");
    assert!((backlog - 0.0902).abs() < 5e-4, "{backlog}");
    // 98.03 % of need is met on the day once stationary.
    assert!((met_on_the_day(2.0 * LAMBDA) / LAMBDA - 0.98029).abs() < 1e-5);
}

/// End-of-day on hand averaged over days 2.. of each trial (trials are independent, so
/// the standard error comes from the spread of the per-trial means), against
/// E[(70 − Poisson(60))⁺].
#[test]
fn base_stock_on_hand_matches_the_exact_answer() {
    let model = Model::new(base_stock(), 1);
    let days = model.scenario.days as usize;
    assert_eq!(model.report_days.len(), days);
    let mut ws = Workspace::new(&model);
    let trials = 2000;
    let mut on_hand = Vec::with_capacity(trials);
    for t in 0..trials as u64 {
        let out = ws.run(&model, 14, t, &mut NoTrace);
        let path = &out.stock[2..days];
        on_hand.push(path.iter().sum::<u64>() as f64 / path.len() as f64);
    }
    let (mean, se) = mean_and_se(&on_hand);
    let (exact, _) = on_hand_and_backlog(3.0 * LAMBDA);
    eprintln!("base stock on hand: simulated {mean:.4} ± {se:.4}, exact {exact:.4}");
    assert!(
        (mean - exact).abs() <= 4.0 * se,
        "on hand {mean} vs exact {exact} (se {se})"
    );
}

/// The fill rate (need met on the day / need) against its exact expectation: the need of
/// day t is met on the day up to the net stock at its start, S − Y(t) with Y(0) = 0,
/// Y(1) ~ Poisson(20), Y(t ≥ 2) ~ Poisson(40), backlog first. The ratio's standard
/// error is the delta-method one over independent trials. Also the share of days
/// (from day 2) that end with a backlog, P(Poisson(60) > 70), which with backordering
/// are exactly the shortage days; and every unmet round is filled late or still waiting.
#[test]
fn base_stock_fill_rate_and_backlog_days_match_the_exact_answers() {
    let model = Model::new(base_stock(), 1);
    let days = model.scenario.days as usize;
    let mut ws = Workspace::new(&model);
    let trials = 2000;
    let mut fill = drawdown::stats::RatioMoments::default();
    let mut backlog_days = Vec::with_capacity(trials);
    for t in 0..trials as u64 {
        let out = ws.run(&model, 15, t, &mut NoTrace);
        let s = out.series[0];
        assert_eq!(s.late_filled + s.final_backlog, s.unmet, "trial {t}");
        fill.add(s.met_on_time(), s.demanded);
        let short = &out.short_days[2..days];
        backlog_days.push(short.iter().sum::<u64>() as f64 / short.len() as f64);
    }
    let expected_met = met_on_the_day(0.0)
        + met_on_the_day(LAMBDA)
        + (days - 2) as f64 * met_on_the_day(2.0 * LAMBDA);
    let exact_fill = expected_met / (days as f64 * LAMBDA);
    let (r, se) = (fill.ratio().unwrap(), fill.std_error().unwrap());
    eprintln!("base stock fill rate: simulated {r:.5} ± {se:.5}, exact {exact_fill:.5}");
    assert!(
        (r - exact_fill).abs() <= 4.0 * se,
        "fill {r} vs {exact_fill} (se {se})"
    );
    let (share, se) = mean_and_se(&backlog_days);
    let (_, exact) = on_hand_and_backlog(3.0 * LAMBDA);
    eprintln!("base stock backlog days: simulated {share:.5} ± {se:.5}, exact {exact:.5}");
    assert!(
        (share - exact).abs() <= 4.0 * se,
        "{share} vs {exact} (se {se})"
    );
}
