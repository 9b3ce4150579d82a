//! Compound demand's raid sizes: only count laws, so that the mean need the model uses
//! (cover, reserves) is exactly the mean of the whole rounds drawn.

use super::library::{drawdown, text};
use std::fs;

/// Runs scenario `toml` for `n` trials in a fresh folder; returns its trials.csv.
pub(crate) fn run_trials(toml: &str, n: u32) -> String {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("s.toml"), toml).unwrap();
    let out = drawdown(tmp.path())
        .args(["run", "s.toml", "-n", &n.to_string(), "-o", "out", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    fs::read_to_string(tmp.path().join("out/trials.csv")).unwrap()
}

/// `drawdown check` on scenario `toml`: its exit code and stderr.
pub(crate) fn check(toml: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("s.toml"), toml).unwrap();
    let out = drawdown(tmp.path())
        .args(["check", "s.toml"])
        .output()
        .unwrap();
    (out.status.code(), text(&out.stderr))
}

/// Column `name` of a trials.csv text, for the rows of `nation` and `item`.
pub(crate) fn column(csv: &str, name: &str, nation: &str, item: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |h: &str| header.iter().position(|c| *c == h).unwrap();
    let (n, i, c) = (at("nation"), at("item"), at(name));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[n] == nation && r[i] == item)
        .map(|r| r[c].to_string())
        .collect()
}

/// One day; a donor of 1000 rounds with a compound own use of 10 raids a day whose
/// sizes are 1 (70 %) or 2 (30 %), E[X] = 1.3, and `reserve_days = 10.5`; on the same
/// day it gives everything above its reserve. By hand: the reserve is
/// ceil(10.5 days × 10 raids × 1.3 rounds) = ceil(136.5) = 137 rounds, so the donor
/// ends the day with exactly 137 in every trial (its own use that day, at most a few
/// dozen rounds, comes first).
const RESERVE: &str = r#"
[scenario]
name = "reserve"
start = "2024-01-01"
end = "2024-01-01"
[items.x]
[nations.donor.stock.x]
initial = 1000
[nations.ua.stock.x]
initial = 0
[demand.own]
nation = "donor"
item = "x"
per_raid = { dist = "empirical", values = [1, 2], weights = [0.7, 0.3] }
reserve_days = 10.5
schedule.all = { from = "2024-01-01", per_day = 10 }
[transfers.aid]
from = "donor"
to = "ua"
item = "x"
start = "2024-01-01"
every_days = 30
share = 1.0
"#;

#[test]
fn a_count_raid_size_gives_the_exact_mean_need() {
    let trials = run_trials(RESERVE, 200);
    let finals = column(&trials, "final_stock", "donor", "x");
    assert_eq!(finals.len(), 200);
    assert!(finals.iter().all(|f| f == "137"), "{finals:?}");
}

/// A continuous raid size is refused: its rounded draws have another mean. By hand, for
/// uniform(0, 1.5): E[X] = 0.75, but round(X) is 0 below 0.5 and 1 above, so
/// E[round X] = P(X >= 0.5) = 2/3, 11 % less. Count laws pass; a fractional number
/// does not.
#[test]
fn a_continuous_raid_size_is_refused_naming_the_field() {
    let with = |law: &str| {
        RESERVE.replace(
            r#"per_raid = { dist = "empirical", values = [1, 2], weights = [0.7, 0.3] }"#,
            law,
        )
    };
    let (code, err) = check(&with(
        r#"per_raid = { dist = "uniform", min = 0, max = 1.5 }"#,
    ));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("demand.own.per_raid: must be a count of rounds per raid")
            && err.contains("uniform")
            && err.contains("line"),
        "{err}"
    );
    for ok in [
        "per_raid = 3",
        r#"per_raid = { dist = "poisson", mean = 2.5 }"#,
        r#"per_raid = { dist = "negbin", mean = 2.5, dispersion = 3, max = 50 }"#,
    ] {
        let (code, err) = check(&with(ok));
        assert_eq!(code, Some(0), "{ok}: {err}");
    }
    let (code, err) = check(&with("per_raid = 2.5"));
    assert_eq!(code, Some(2), "{err}");
}
