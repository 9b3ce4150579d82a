//! Calendar reporting periods (`--period month|quarter|year`): the reporting days land
//! on the calendar's period ends (leap February included), the horizon's partial first
//! and last periods are kept, every period table is labelled, per-period shortfall adds
//! up to the horizon totals, and shards merge to the same bytes.

use assert_cmd::Command;
use drawdown::model::Period;
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// 2023-11-15 (day 0) to 2025-02-10 (day 453): a stock with Poisson need and a
/// contract arriving mid-run, so that there are shortages before and none after.
const SCENARIO: &str = r#"
[scenario]
name = "periods"
start = "2023-11-15"
end = "2025-02-10"
[items.x]
[nations.r.stock.x]
initial = 3000
[contracts.c]
buyer = "r"
item = "x"
quantity = 1000000
award = "2024-01-01"
lead_time_days = 60
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2023-11-15"
per_day = 100
"#;

/// Month ends from 2023-11-30 (day 15): +31 Dec, +31 Jan, +29 Feb (2024 is leap), +31,
/// +30, +31, +30, +31, +31, +30, +31, +30, +31, +31 Jan 2025; then the last day.
const MONTH_DAYS: [u32; 16] = [
    15, 46, 77, 106, 137, 167, 198, 228, 259, 290, 320, 351, 381, 412, 443, 453,
];

fn loaded() -> Loaded {
    Loaded::from_text("<test>", SCENARIO, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn run(out: &Path, period: Option<Period>, step_days: u32, shard: Shard) -> PathBuf {
    let req = RunRequest {
        trials: 300,
        seed: Some(3),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        step_days,
        period,
        shard,
        ..RunRequest::default()
    };
    pipeline::run(&loaded(), &req, &Silent).unwrap().dir
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.into(), v.into()))
                .collect()
        })
        .collect()
}

fn column(rows: &[BTreeMap<String, String>], name: &str) -> Vec<String> {
    rows.iter().map(|r| r[name].clone()).collect()
}

#[test]
fn months_end_on_the_calendar_across_a_leap_february() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("m"), Some(Period::Month), 7, Shard::ALL);
    let stock = rows(&dir.join("stock.csv"));
    let days: Vec<u32> = column(&stock, "day")
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    assert_eq!(days, MONTH_DAYS);
    let dates = column(&stock, "date");
    assert_eq!(dates[3], "2024-02-29");
    assert_eq!(dates[0], "2023-11-30", "partial first month");
    assert_eq!(dates[15], "2025-02-10", "partial last month");
    let labels = column(&stock, "period");
    assert_eq!(labels[0], "2023-11");
    assert_eq!(labels[3], "2024-02");
    assert_eq!(labels[15], "2025-02");
    for table in ["depletion.csv", "shortfall.csv"] {
        let r = rows(&dir.join(table));
        assert_eq!(column(&r, "period"), labels, "{table}");
    }
    let shortfall = rows(&dir.join("shortfall.csv"));
    assert_eq!(column(&shortfall, "from_day")[..3], ["0", "16", "47"]);
    let summary = rows(&dir.join("summary.csv"));
    assert!(
        !summary[0].contains_key("period"),
        "summary has no reporting day"
    );
}

#[test]
fn quarters_and_years_keep_the_partial_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let q = run(&tmp.path().join("q"), Some(Period::Quarter), 7, Shard::ALL);
    let r = rows(&q.join("depletion.csv"));
    assert_eq!(column(&r, "day"), ["46", "137", "228", "320", "412", "453"]);
    assert_eq!(
        column(&r, "period"),
        [
            "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"
        ]
    );
    let y = run(&tmp.path().join("y"), Some(Period::Year), 7, Shard::ALL);
    let r = rows(&y.join("shortfall.csv"));
    assert_eq!(column(&r, "day"), ["46", "412", "453"]);
    assert_eq!(column(&r, "period"), ["2023", "2024", "2025"]);
    assert_eq!(
        column(&r, "from_date"),
        ["2023-11-15", "2024-01-01", "2025-01-01"]
    );
}

#[test]
fn monthly_shortfall_adds_up_to_the_horizon_totals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run(&tmp.path().join("m"), Some(Period::Month), 7, Shard::ALL);
    let periods = rows(&dir.join("shortfall.csv"));
    let summary: BTreeMap<String, f64> = rows(&dir.join("summary.csv"))
        .into_iter()
        .map(|r| (r["metric"].clone(), r["estimate"].parse().unwrap()))
        .collect();
    for (period_col, metric) in [
        ("demanded_mean", "demanded_mean"),
        ("consumed_mean", "consumed_mean"),
        ("unmet_mean", "unmet_mean"),
        ("shortage_days_mean", "shortage_days_mean"),
    ] {
        let sum: f64 = column(&periods, period_col)
            .iter()
            .map(|v| v.parse::<f64>().unwrap())
            .sum();
        // Each of the 16 periods and the total are rounded to 0.01.
        let tolerance = 0.005 * 17.0;
        assert!(
            (sum - summary[metric]).abs() <= tolerance,
            "{metric}: periods add to {sum}, horizon {}",
            summary[metric]
        );
        assert!(summary[metric] > 0.0, "{metric} is exercised");
    }
}

#[test]
fn calendar_shards_merge_to_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = run(
        &tmp.path().join("whole"),
        Some(Period::Quarter),
        7,
        Shard::ALL,
    );
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let shard = Shard::parse(&format!("{k}/2")).unwrap();
            run(
                &tmp.path().join(format!("s{k}")),
                Some(Period::Quarter),
                7,
                shard,
            )
        })
        .collect();
    let merged = tmp.path().join("merged");
    pipeline::merge(&shards, &merged, false, None).unwrap();
    for name in ["stock.csv", "depletion.csv", "shortfall.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(merged.join(name)).unwrap(),
            "{name}"
        );
    }
    let manifest = std::fs::read_to_string(merged.join("manifest.json")).unwrap();
    assert!(manifest.contains(r#""period": "quarter""#), "{manifest}");
}

#[test]
fn period_n_is_step_n_and_conflicts_with_step() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let go = |extra: &[&str], out: &str| {
        Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(tmp.path())
            .arg("run")
            .arg(&scenario)
            .args(["-n", "50", "-q", "-o", out])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(go(&["--period", "30"], "a").status.success());
    assert!(go(&["--step", "30"], "b").status.success());
    for name in ["stock.csv", "shortfall.csv", "trials.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("a").join(name)).unwrap(),
            std::fs::read(tmp.path().join("b").join(name)).unwrap()
        );
    }
    let both = go(&["--period", "month", "--step", "7"], "c");
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("--step"));
    let bad = go(&["--period", "week"], "d");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected month, quarter, year"));
}
