//! One definition of a shortage day, unmet need and the fill rate, in every output and
//! in both modes (lost demand and backordering), checked against exact answers.

use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::Silent;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Stock 0 on day 0; Poisson(100) need from day 1; a contract of 10^6 rounds awarded on
/// day 0 with a 2-day lead time arrives on day 2 and covers every later need (27 days
/// of about 100 rounds).
const DAY_ONE: &str = r#"
[scenario]
name = "day_one"
start = "2024-01-01"
end = "2024-01-28"
[items.x]
[nations.r.stock.x]
initial = 0
[contracts.c]
buyer = "r"
item = "x"
quantity = 1000000
award = "2024-01-01"
lead_time_days = 2
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-02"
per_day = 100
"#;

const TRIALS: u64 = 400;

fn loaded(text: &str, overrides: &[String]) -> Loaded {
    Loaded::from_text("<test>", text, overrides).unwrap_or_else(|e| panic!("{e}"))
}

fn run(loaded: &Loaded, out: &Path, trials: u64, step_days: u32) -> PathBuf {
    let req = RunRequest {
        trials,
        seed: Some(5),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        step_days,
        ..RunRequest::default()
    };
    pipeline::run(loaded, &req, &Silent).unwrap().dir
}

/// A CSV file as rows of column → value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} in {row:?}"))
}

/// The summary rows of series `nation` as metric → row.
fn summary(dir: &Path, nation: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    rows(&dir.join("summary.csv"))
        .into_iter()
        .filter(|r| r["nation"] == nation)
        .map(|r| (r["metric"].clone(), r))
        .collect()
}

/// Every trial is short on day 1 and on no other day, in both modes: need arises on
/// day 1 with nothing in stock, and from day 2 on the delivery covers everything (with
/// backordering, day 1's need first). So, exactly: P(short) = 1 in the period holding
/// day 1 and 0 in every other; 1 shortage day, 1 episode of 1 day per trial; with
/// backordering the unmet need of day 1 is all filled late (none waits at the end).
/// The fill rate, need met on the day over need, is Σ(days 2..27) / Σ(days 1..27), whose
/// ratio of expectations is 26/27, within 4 of its reported standard errors.
#[test]
fn a_day_one_shortage_is_reported_in_both_modes() {
    let tmp = tempfile::tempdir().unwrap();
    for backorder in [false, true] {
        let set = [format!("scenario.backorder={backorder}")];
        let dir = run(
            &loaded(DAY_ONE, &set),
            &tmp.path().join(format!("{backorder}")),
            TRIALS,
            7,
        );
        let periods = rows(&dir.join("shortfall.csv"));
        let p_short: Vec<(f64, f64)> = periods
            .iter()
            .map(|r| (num(r, "from_day"), num(r, "p_short")))
            .collect();
        assert_eq!(
            p_short,
            [(0.0, 0.0), (1.0, 1.0), (8.0, 0.0), (15.0, 0.0), (22.0, 0.0)],
            "backorder = {backorder}"
        );
        assert_eq!(num(&periods[1], "shortage_days_mean"), 1.0);
        let s = summary(&dir, "r");
        for (metric, exact) in [
            ("shortage_days_mean", 1.0),
            ("shortage_episodes_mean", 1.0),
            ("longest_shortage_mean", 1.0),
            ("final_backlog_mean", 0.0),
        ] {
            assert_eq!(num(&s[metric], "estimate"), exact, "{metric}, {backorder}");
        }
        let (unmet, late) = (
            num(&s["unmet_mean"], "estimate"),
            num(&s["late_filled_mean"], "estimate"),
        );
        assert_eq!(late, if backorder { unmet } else { 0.0 }, "{backorder}");
        let fill = &s["fill_rate"];
        let (r, lo, hi) = (
            num(fill, "estimate"),
            num(fill, "ci_low"),
            num(fill, "ci_high"),
        );
        let se = (hi - lo) / 2.0 / 1.96;
        let exact = 26.0 / 27.0;
        assert!(
            (r - exact).abs() <= 4.0 * se,
            "fill {r} vs {exact} (se {se}), backorder = {backorder}"
        );
        check_trials_agree(&dir, backorder);
    }
}

/// trials.csv: one shortage day per trial, unmet = day 1's need = demanded − met, and
/// with backordering all of it filled late.
fn check_trials_agree(dir: &Path, backorder: bool) {
    let trials = rows(&dir.join("trials.csv"));
    assert_eq!(trials.len() as u64, TRIALS);
    for t in &trials {
        let (unmet, late) = (num(t, "unmet"), num(t, "late_filled"));
        assert_eq!(num(t, "shortage_days"), 1.0, "{t:?}");
        assert!(unmet > 0.0, "{t:?}");
        assert_eq!(late, if backorder { unmet } else { 0.0 }, "{t:?}");
        assert_eq!(
            num(t, "consumed"),
            num(t, "demanded") - unmet + late,
            "{t:?}"
        );
    }
}

/// With a reporting period of one day, P(short) of each day times the trials is the
/// number of trials short that day, so summed over the days it equals the total of the
/// shortage days in trials.csv, exactly; and each day's mean shortage days equals its
/// P(short). Checked with backordering (the kitchen-sink fixture) and lost demand (the
/// example scenario).
#[test]
fn daily_shortage_probabilities_sum_to_the_shortage_days() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (i, file) in ["tests/fixtures/kitchen_sink.toml", "configs/example.toml"]
        .iter()
        .enumerate()
    {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let trials = 300;
        let dir = run(
            &loaded(&text, &[]),
            &tmp.path().join(i.to_string()),
            trials,
            1,
        );
        let mut from_days: BTreeMap<(String, String), u64> = BTreeMap::new();
        for r in rows(&dir.join("shortfall.csv")) {
            let p = num(&r, "p_short");
            assert_eq!(num(&r, "shortage_days_mean"), (p * 100.0).round() / 100.0);
            let short = (p * trials as f64).round();
            assert!((short - p * trials as f64).abs() < 1e-3, "{r:?}");
            *from_days
                .entry((r["nation"].clone(), r["item"].clone()))
                .or_default() += short as u64;
        }
        let mut from_trials: BTreeMap<(String, String), u64> = BTreeMap::new();
        for r in rows(&dir.join("trials.csv")) {
            if num(&r, "demanded") > 0.0
                || from_days.contains_key(&(r["nation"].clone(), r["item"].clone()))
            {
                *from_trials
                    .entry((r["nation"].clone(), r["item"].clone()))
                    .or_default() += num(&r, "shortage_days") as u64;
            }
        }
        assert!(
            from_days.values().any(|&d| d > 0),
            "{file}: no shortage at all"
        );
        assert_eq!(from_days, from_trials, "{file}");
    }
}
