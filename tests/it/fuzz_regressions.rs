//! Regression tests from fuzzing the scenario loader (`fuzz/`, see README "Fuzzing"):
//! every input that crashed the fuzz target, or that probing around it showed to be
//! mishandled, loads here to a clean error or a clean trial.

use drawdown::scenario::Scenario;

/// A one-nation scenario around `stock` (the `[nations.a.stock.shell]` body) and `rest`.
fn scenario(stock: &str, rest: &str) -> String {
    format!(
        "[scenario]\nname = \"fuzz\"\nstart = \"2024-01-01\"\nend = \"2024-03-31\"\n\
         [items.shell]\n[nations.a.stock.shell]\n{stock}\n{rest}"
    )
}

/// Loads `text`, expecting it to be rejected with an issue at `path`.
fn assert_rejected_at(text: &str, path: &str) {
    match Scenario::from_toml("<fuzz>", text, &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => assert!(
            e.issues.iter().any(|i| i.path == path),
            "no issue at {path}: {e}"
        ),
    }
}

/// Found by probing the empirical catalogue: weights whose sum overflows to infinity
/// validated, and every draw then took the last value.
#[test]
fn empirical_weights_with_an_infinite_sum_are_rejected() {
    let text = scenario(
        "initial = { dist = \"empirical\", values = [1, 2], weights = [1e308, 1.7e308] }",
        "",
    );
    assert_rejected_at(&text, "nations.a.stock.shell.initial.weights");
    let text = scenario(
        "initial = { dist = \"empirical\", values = [1, 2], weights = [1e307, 1.7e307] }",
        "",
    );
    assert!(Scenario::from_toml("<fuzz>", &text, &[]).is_ok());
}

/// Found by probing the model: a demand of 10^12 rounds a day times a regime multiplier
/// of 10^12 drew more than a `u64` holds, and the day totals overflowed. Multipliers are
/// now at most 1 000 (README "Supported ranges"), and a front's day is capped at 2^41
/// rounds, so the product is refused and anything allowed fits.
#[test]
fn a_demand_rate_times_its_multiplier_beyond_u64_is_rejected() {
    let rest = "[demand.front]\nnation = \"a\"\nitem = \"shell\"\nstart_regime = \"hot\"\n\
                [demand.front.schedule.all]\nfrom = \"2024-01-01\"\nper_day = 1e12\n\
                [demand.front.regimes.hot]\nmultiplier = 1e12\nduration_days = 10\n\
                next = { hot = 1 }\n";
    let text = scenario("initial = 1000", rest);
    assert!(Scenario::from_toml("<fuzz>", &text, &[]).is_err());
}
