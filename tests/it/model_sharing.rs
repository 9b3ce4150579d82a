//! Substitutes drawn down after a demand's own stock, and a factory's output shared
//! between customers by priority: known answers computed by hand, checked on every
//! trial.

use super::compound::{check, column, run_trials as run};

fn numbers(csv: &str, name: &str, nation: &str, item: &str) -> Vec<u64> {
    column(csv, name, nation, item)
        .iter()
        .map(|v| v.parse().unwrap())
        .collect()
}

/// Ukraine needs 10 missiles a day (Poisson) for 30 days and holds 100 Soviet-type
/// missiles, then 50 Stinger (floor 10) as the substitute.
const SUBSTITUTE: &str = r#"
[scenario]
name = "substitute"
start = "2024-01-01"
end = "2024-01-30"
[items.sov]
[items.stinger]
[nations.ua.stock.sov]
initial = 100
[nations.ua.stock.stinger]
initial = 50
floor = 10
[demand.manpads]
nation = "ua"
item = "sov"
substitutes = ["stinger"]
schedule.all = { from = "2024-01-01", per_day = 10 }
"#;

/// By hand, with N the trial's total need (about 300): the Soviet stock fires
/// min(N, 100); the need beyond it, P = N − min(N, 100), is offered to the Stinger
/// stock, which fires min(P, 50 − 10) and leaves the rest unmet; the Stinger stock is
/// first at its floor no earlier than the Soviet one is empty.
#[test]
fn a_substitute_is_drawn_down_after_the_own_stock_to_its_floor() {
    let csv = run(SUBSTITUTE, 200);
    let need = numbers(&csv, "demanded", "ua", "sov");
    let sov_fired = numbers(&csv, "consumed", "ua", "sov");
    let sov_unmet = numbers(&csv, "unmet", "ua", "sov");
    let offered = numbers(&csv, "demanded", "ua", "stinger");
    let fired = numbers(&csv, "consumed", "ua", "stinger");
    let unmet = numbers(&csv, "unmet", "ua", "stinger");
    let last = numbers(&csv, "final_stock", "ua", "stinger");
    let sov_day = column(&csv, "depletion_day", "ua", "sov");
    let day = column(&csv, "depletion_day", "ua", "stinger");
    assert_eq!(need.len(), 200);
    for t in 0..200 {
        let n = need[t];
        let p = n - n.min(100);
        assert_eq!(sov_fired[t], n.min(100), "trial {t}");
        assert_eq!(sov_unmet[t], p, "trial {t}");
        assert_eq!(offered[t], p, "trial {t}");
        assert_eq!(fired[t], p.min(40), "trial {t}");
        assert_eq!(unmet[t], p - p.min(40), "trial {t}");
        assert_eq!(last[t], 50 - p.min(40), "trial {t}");
        if p >= 40 {
            let (a, b): (u64, u64) = (sov_day[t].parse().unwrap(), day[t].parse().unwrap());
            assert!(
                a <= b,
                "trial {t}: Stinger at its floor on day {b}, before day {a}"
            );
        }
    }
    // With 300 needed on average, most trials run through both stocks.
    let short = (0..200).filter(|&t| unmet[t] > 0).count();
    assert!(short > 190, "{short} of 200 trials short");
}

/// Output 30 a day (913.125 a month), dispatched daily with a day in transit, for 10
/// days. Customer `a` (priority 1) takes up to 20 a day, `b` (priority 2) the rest.
const SHARED: &str = r#"
[scenario]
name = "shared"
start = "2024-01-01"
end = "2024-01-10"
[items.x]
[nations.maker]
channel = true
stock.x.initial = 0
[nations.a.stock.x]
initial = 0
[nations.b.stock.x]
initial = 0
[factories.line]
owner = "maker"
item = "x"
capacity.initial = 913.125
[transfers.to_a]
from = "maker"
to = "a"
item = "x"
factory = "line"
share = 1.0
priority = 1
up_to = 20
start = "2024-01-01"
every_days = 1
[transfers.to_b]
from = "maker"
to = "b"
item = "x"
factory = "line"
share = 1.0
priority = 2
start = "2024-01-01"
every_days = 1
"#;

/// Made, sent, received by `a` and by `b`, the same in every trial.
fn shares(toml: &str) -> (u64, u64, u64, u64) {
    let csv = run(toml, 20);
    let sent = numbers(&csv, "sent", "maker", "x");
    let made = numbers(&csv, "produced", "maker", "x");
    let a = numbers(&csv, "received", "a", "x");
    let b = numbers(&csv, "received", "b", "x");
    let same = |v: &[u64]| v.iter().all(|x| *x == v[0]);
    assert!(same(&sent) && same(&made) && same(&a) && same(&b), "{csv}");
    (made[0], sent[0], a[0], b[0])
}

/// By hand: 10 days × 30 = 300 made; `a` is sent 20 a day (200), `b` the remaining 10
/// (100); what is sent on days 0-8 arrives on days 1-9 (9 days: 180 and 90), the last
/// day's dispatch is still in transit at the end.
#[test]
fn output_shared_by_priority_serves_the_first_customer_up_to_its_cap() {
    assert_eq!(shares(SHARED), (300, 300, 180, 90));
    // A cap above the output: `a` takes all 30 a day, `b` nothing.
    assert_eq!(
        shares(&SHARED.replace("up_to = 20", "up_to = 40")),
        (300, 300, 270, 0)
    );
    // No cap and half the output: 15 a day each.
    let half = SHARED
        .replace("up_to = 20\n", "")
        .replacen("share = 1.0", "share = 0.5", 1);
    assert_eq!(shares(&half), (300, 300, 135, 135));
    // A cap of 50 every 2 days (dispatch every other day): `a` takes 50 of each 60.
    let two = SHARED
        .replace("up_to = 20", "up_to = 50")
        .replace("every_days = 1", "every_days = 2");
    // Dispatches on days 0, 2, 4, 6, 8, arriving on days 1-9: the first window is day
    // 0 alone (30: all to a), then days 1-2, 3-4, 5-6, 7-8 (60 each: a 50, b 10); day
    // 9's output waits for a dispatch after the horizon.
    assert_eq!(shares(&two), (300, 270, 30 + 4 * 50, 4 * 10));
}

#[test]
fn priorities_are_checked_naming_the_field() {
    let (code, err) = check(&SHARED.replace("priority = 2\n", ""));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("transfers.to_b.priority: missing") && err.contains("line"),
        "{err}"
    );
    let (code, err) = check(&SHARED.replace("priority = 1", "priority = 0"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("transfers.to_a.priority: must be a whole number from 1 to 1000"),
        "{err}"
    );
    let (code, err) = check(
        &SHARED
            .replace("priority = 1\n", "")
            .replace("priority = 2\n", ""),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("transfers.to_a.up_to: applies only with priority"),
        "{err}"
    );
    let policy = SHARED.replace(
        "factory = \"line\"\nshare = 1.0\npriority = 2",
        "share = 1.0\npriority = 2",
    );
    let (code, err) = check(&policy);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("transfers.to_b.priority: applies only to a production-linked transfer"),
        "{err}"
    );
}

#[test]
fn substitutes_are_checked_naming_the_field() {
    let (code, err) = check(&SUBSTITUTE.replace("[\"stinger\"]", "[\"stinger\", \"sov\"]"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("demand.manpads.substitutes: 'sov' is listed twice"),
        "{err}"
    );
    let (code, err) = check(&SUBSTITUTE.replace("[\"stinger\"]", "[\"igla\"]"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("demand.manpads.substitutes: unknown item 'igla'"),
        "{err}"
    );
    let (code, err) = check(&SUBSTITUTE.replace(
        "end = \"2024-01-30\"",
        "end = \"2024-01-30\"\nbackorder = true",
    ));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("demand.manpads.substitutes: not supported with scenario.backorder"),
        "{err}"
    );
}
