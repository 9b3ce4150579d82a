//! Nation groups: the count of members at their floor, against the per-member results.

use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::Silent;
use drawdown::scenario::Scenario;
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/groups.toml";

fn loaded(origin: &str, text: &str) -> Loaded {
    Loaded {
        scenario: Scenario::from_toml(origin, text, &[]).unwrap(),
        origin: origin.into(),
        text: text.into(),
        overrides: Vec::new(),
        path: None,
    }
}

fn run(loaded: &Loaded, out: &Path, trials: u64, step_days: u32) {
    let req = RunRequest {
        trials,
        threads: Some(2),
        out: Some(out.to_path_buf()),
        step_days,
        ..RunRequest::default()
    };
    pipeline::run(loaded, &req, &Silent).unwrap();
}

/// The rows of a CSV file as maps from column name to cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `(trial, nation, item)` → depletion day, from `trials.csv`.
fn depletion_days(dir: &Path) -> BTreeMap<(u64, String, String), Option<u32>> {
    rows(&dir.join("trials.csv"))
        .into_iter()
        .map(|r| {
            let day = r["depletion_day"].parse().ok();
            (
                (
                    r["trial"].parse().unwrap(),
                    r["nation"].clone(),
                    r["item"].clone(),
                ),
                day,
            )
        })
        .collect()
}

#[test]
fn group_counts_equal_the_per_member_results_trial_by_trial() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let loaded = loaded(FIXTURE, &text);
    let tmp = tempfile::tempdir().unwrap();
    let trials = 300;
    run(&loaded, tmp.path(), trials, 7);
    let days = depletion_days(tmp.path());
    let members: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("alliance", vec!["a", "b", "c", "d"]),
        ("pair", vec!["d", "b"]),
    ]);
    let groups = rows(&tmp.path().join("groups.csv"));
    // alliance: 4 shell holders and 2 rocket holders; pair: 2 and 1 (d has no rockets).
    let expected_rows = 27 * (4 + 2 + 2 + 1);
    assert_eq!(groups.len(), expected_rows);
    for row in &groups {
        let (group, item) = (row["group"].as_str(), row["item"].as_str());
        let day: u32 = row["day"].parse().unwrap();
        let k: usize = row["k"].parse().unwrap();
        let holders: Vec<&str> = members[group]
            .iter()
            .copied()
            .filter(|m| days.contains_key(&(0, m.to_string(), item.to_string())))
            .collect();
        assert_eq!(row["members"], holders.len().to_string(), "{row:?}");
        let hits = (0..trials)
            .filter(|&t| {
                let depleted = holders
                    .iter()
                    .filter(|m| {
                        days[&(t, m.to_string(), item.to_string())].is_some_and(|d| d <= day)
                    })
                    .count();
                depleted >= k
            })
            .count() as u64;
        assert_eq!(row["at_least"], hits.to_string(), "{row:?}");
        assert_eq!(row["trials"], trials.to_string());
        let p: f64 = row["p_at_least"].parse().unwrap();
        assert!((p - hits as f64 / trials as f64).abs() < 5e-7, "{row:?}");
        let (lo, hi): (f64, f64) = (
            row["ci_low"].parse().unwrap(),
            row["ci_high"].parse().unwrap(),
        );
        assert!(lo <= p && p <= hi, "{row:?}");
    }
    // Some rows are neither 0 nor 1, so the comparison is not vacuous.
    assert!(
        groups
            .iter()
            .any(|r| r["p_at_least"] != "0" && r["p_at_least"] != "1")
    );
}

/// Three donors give away 10 rounds a day from 100, 200 and a million: they reach their
/// floor (0) on days 9 and 19 and never.
const KNOWN: &str = r#"
[scenario]
name = "known"
start = "2024-01-01"
end = "2024-02-29"
[items.shell]
[nations.a.stock.shell]
initial = 100
[nations.b.stock.shell]
initial = 200
[nations.c.stock.shell]
initial = 1000000
[nations.r.stock.shell]
initial = 1000000
[transfers.from_a]
from = "a"
to = "r"
item = "shell"
start = "2024-01-01"
every_days = 1
quantity = 10
[transfers.from_b]
from = "b"
to = "r"
item = "shell"
start = "2024-01-01"
every_days = 1
quantity = 10
[transfers.from_c]
from = "c"
to = "r"
item = "shell"
start = "2024-01-01"
every_days = 1
quantity = 10
[groups.trio]
members = ["a", "b", "c"]
"#;

#[test]
fn members_depleting_on_known_days_give_known_group_curves() {
    let tmp = tempfile::tempdir().unwrap();
    run(&loaded("known.toml", KNOWN), tmp.path(), 64, 1);
    let days = depletion_days(tmp.path());
    for t in 0..64 {
        assert_eq!(days[&(t, "a".into(), "shell".into())], Some(9));
        assert_eq!(days[&(t, "b".into(), "shell".into())], Some(19));
        assert_eq!(days[&(t, "c".into(), "shell".into())], None);
    }
    let p: BTreeMap<(u32, usize), String> = rows(&tmp.path().join("groups.csv"))
        .into_iter()
        .map(|r| {
            assert_eq!(r["members"], "3");
            (
                (r["day"].parse().unwrap(), r["k"].parse().unwrap()),
                r["p_at_least"].clone(),
            )
        })
        .collect();
    assert_eq!(p.len(), 60 * 3);
    for (day, k, want) in [
        (8, 1, "0"),
        (9, 1, "1"),
        (15, 2, "0"),
        (18, 2, "0"),
        (19, 2, "1"),
        (59, 2, "1"),
        (59, 3, "0"),
    ] {
        assert_eq!(p[&(day, k)], want, "P(at least {k} by day {day})");
    }
}

fn invalid(groups: &str) -> String {
    let text =
        format!("{KNOWN}{groups}").replace("[groups.trio]\nmembers = [\"a\", \"b\", \"c\"]\n", "");
    Scenario::from_toml("bad.toml", &text, &[])
        .unwrap_err()
        .to_string()
}

#[test]
fn rejects_unknown_repeated_and_missing_members_and_bad_group_ids() {
    let e = invalid("[groups.g]\nmembers = [\"a\", \"x\"]\n");
    assert!(
        e.contains("groups.g.members") && e.contains("unknown nation 'x'"),
        "{e}"
    );
    let e = invalid("[groups.g]\nmembers = [\"a\", \"b\", \"a\"]\n");
    assert!(
        e.contains("groups.g.members") && e.contains("'a' is listed more than once"),
        "{e}"
    );
    let e = invalid("[groups.g]\nmembers = []\n");
    assert!(
        e.contains("groups.g.members") && e.contains("at least one member"),
        "{e}"
    );
    let e = invalid("[groups.\"=bad\"]\nmembers = [\"a\"]\n");
    assert!(e.contains("groups.=bad"), "{e}");
    let e = invalid("[groups.g]\nmember = [\"a\"]\n");
    assert!(e.contains("member"), "{e}");
}

#[test]
fn check_lists_groups_and_their_members() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let s = Scenario::from_toml(FIXTURE, &text, &[]).unwrap();
    let shown = drawdown::scenario::describe::describe(&s, FIXTURE);
    assert!(shown.contains("groups (2):"), "{shown}");
    assert!(shown.contains("alliance: 4 members: a, b, c, d"), "{shown}");
    assert!(shown.contains("pair: 2 members: d, b"), "{shown}");
}
