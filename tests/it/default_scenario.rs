//! The default scenario answers for the right reasons: the US and European ramp-up
//! reaches Ukraine's guns by the flows the scenario routes it through, a late ramp-up
//! costs fire, Q1-2024 is among the hungriest quarters, the NATO group is reported by
//! the end of 2023, and configs/BACKTEST.md is what `drawdown backtest` writes.

use drawdown::backtest::Backtest;
use drawdown::pipeline::{self, BacktestRequest, Loaded, RunRequest, RunSummary};
use drawdown::runner::Silent;
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT: &str = include_str!("../../configs/default.toml");
const TRIALS: u64 = 200;
/// The factories whose ramp-up the questions are about.
const RAMPING: [&str; 4] = ["us_scranton", "rheinmetall_de", "knds_france", "eu_other"];

/// The ramp milestones of the ramping factories, as `(path prefix, milestone table)`.
fn milestones() -> Vec<(String, toml::Table)> {
    let doc: toml::Table = DEFAULT.parse().unwrap();
    let mut out = Vec::new();
    for f in RAMPING {
        let factory = doc["factories"][f].as_table().unwrap();
        for part in ["capacity", "input_limit"] {
            let Some(ramp) = factory.get(part).and_then(|p| p.get("ramp")) else {
                continue;
            };
            for (id, m) in ramp.as_table().unwrap() {
                let prefix = format!("factories.{f}.{part}.ramp.{id}");
                out.push((prefix, m.as_table().unwrap().clone()));
            }
        }
    }
    out
}

/// A number or distribution table as TOML text, with `f` applied to its levels.
fn map_dist(v: &toml::Value, f: &dyn Fn(&str, f64) -> f64) -> String {
    match v {
        toml::Value::Integer(i) => format!("{}", f("value", *i as f64).round()),
        toml::Value::Float(x) => format!("{}", f("value", *x).round()),
        toml::Value::Table(t) => {
            let fields: Vec<String> = t
                .iter()
                .map(|(k, v)| match v {
                    toml::Value::String(s) => format!("{k} = \"{s}\""),
                    other => format!(
                        "{k} = {}",
                        f(
                            k,
                            other
                                .as_float()
                                .or(other.as_integer().map(|i| i as f64))
                                .unwrap()
                        )
                        .round()
                    ),
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        other => panic!("unexpected {other}"),
    }
}

/// Every capacity and input-limit ramp target of the ramping factories times `k`.
fn targets_times(k: f64) -> Vec<String> {
    milestones()
        .iter()
        .map(|(p, m)| format!("{p}.target={}", map_dist(&m["target"], &|_, x| x * k)))
        .collect()
}

/// Every capacity milestone of the ramping factories one year later.
fn one_year_slip() -> Vec<String> {
    milestones()
        .iter()
        .filter(|(p, _)| p.contains(".capacity."))
        .map(|(p, m)| match m.get("slip_days") {
            None => format!("{p}.slip_days=365"),
            Some(s) => {
                let shifted = map_dist(s, &|key, x| match key {
                    "sd" | "sigma" | "shape" => x,
                    _ => x + 365.0,
                });
                format!("{p}.slip_days={shifted}")
            }
        })
        .collect()
}

fn run(overrides: &[String], out: &Path, step_days: u32) -> RunSummary {
    let loaded =
        Loaded::from_text("<default>", DEFAULT, overrides).unwrap_or_else(|e| panic!("{e}"));
    let req = RunRequest {
        trials: TRIALS,
        seed: Some(11),
        out: Some(out.to_path_buf()),
        step_days,
        ..RunRequest::default()
    };
    pipeline::run(&loaded, &req, &Silent).unwrap()
}

/// Ukraine's 155 mm summary rows, metric → (estimate, ci_low, ci_high).
fn ukraine(dir: &Path) -> BTreeMap<String, (f64, f64, f64)> {
    let mut reader = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "ukraine" && &r[1] == "shell_155")
        .filter_map(|r| {
            let n = |i: usize| r[i].parse::<f64>().ok();
            Some((r[2].to_string(), (n(3)?, n(4)?, n(5)?)))
        })
        .collect()
}

/// Scaling every US and European ramp target by 0.5 versus 1.5 moves Ukraine's fill
/// rate by far more than its intervals, and by what the flows imply: the extra rounds
/// Ukraine received, divided by its need, bound the change in what it could fire from
/// above (it cannot fire rounds it did not get; what arrives late stays in stock), and
/// most of them are fired.
#[test]
fn ramp_targets_move_ukraines_fill_rate_by_what_the_flows_imply() {
    let tmp = tempfile::tempdir().unwrap();
    run(&targets_times(0.5), &tmp.path().join("low"), 365);
    run(&targets_times(1.5), &tmp.path().join("high"), 365);
    let (low, high) = (
        ukraine(&tmp.path().join("low")),
        ukraine(&tmp.path().join("high")),
    );
    let (fl, fh) = (low["fill_rate"], high["fill_rate"]);
    assert!(fh.1 > fl.2, "intervals must not overlap: {fl:?} vs {fh:?}");
    let change = fh.0 - fl.0;
    assert!(change > 0.15, "fill rate moves by {change}");
    let need = low["demanded_mean"].0;
    let extra = (high["received_mean"].0 - low["received_mean"].0) / need;
    assert!(
        change <= extra * 1.02,
        "fired more than received: {change} vs {extra}"
    );
    assert!(
        change >= 0.6 * extra,
        "most extra rounds reach the guns: {change} vs {extra}"
    );
}

/// Every capacity milestone of the US and European lines a year later lowers the fill
/// rate, by more than the intervals.
#[test]
fn a_one_year_slip_of_the_ramp_up_lowers_the_fill_rate() {
    let tmp = tempfile::tempdir().unwrap();
    run(&[], &tmp.path().join("base"), 365);
    run(&one_year_slip(), &tmp.path().join("slip"), 365);
    let base = ukraine(&tmp.path().join("base"))["fill_rate"];
    let slip = ukraine(&tmp.path().join("slip"))["fill_rate"];
    assert!(
        slip.2 < base.1,
        "a slip must cost fire: {base:?} vs {slip:?}"
    );
    assert!(base.0 - slip.0 > 0.03, "{base:?} vs {slip:?}");
}

fn backtest(milestones: &str, trials: u64, command: &str) -> (Backtest, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    std::fs::write(&file, milestones).unwrap();
    let loaded = pipeline::load(Some(Path::new("configs/default.toml")), &[]).unwrap();
    let req = BacktestRequest {
        milestones: file,
        trials,
        seed: None,
        threads: Some(2),
        out: None,
        force: false,
        command: command.into(),
    };
    pipeline::backtest(&loaded, &req, &Silent).unwrap()
}

/// Per calendar quarter from Q2-2022, Ukraine's 155 mm fill rate (need met on the day
/// over need, per trial); Q1-2024, the winter of the US funding gap, is among the three
/// lowest medians.
#[test]
fn q1_2024_is_among_the_worst_quarters_for_ukraine() {
    let mut text = String::new();
    for year in 2022..=2026 {
        for q in 0..4u32 {
            if year == 2022 && q == 0 {
                continue;
            }
            let from = format!("{year}-{:02}-01", 3 * q + 1);
            let to = match q {
                0 => format!("{year}-03-31"),
                1 => format!("{year}-06-30"),
                2 => format!("{year}-09-30"),
                _ => format!("{year}-12-31"),
            };
            text.push_str(&format!(
                "[milestones.q{year}_{}]\nlabel = \"fill\"\nmeasure = \"met\"\nnations = [\"ukraine\"]\nitem = \"shell_155\"\nfrom = {from}\nto = {to}\nratio_to = {{ measure = \"needed\", nations = [\"ukraine\"], item = \"shell_155\" }}\nreported = 0.5\nsource = \"test\"\n\n",
                q + 1
            ));
        }
    }
    let (result, _) = backtest(&text, TRIALS, "test");
    let mut medians: Vec<(f64, &str)> = result
        .rows
        .iter()
        .map(|r| (r.p50, r.milestone.id.as_str()))
        .collect();
    assert_eq!(medians.len(), 19);
    medians.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rank = medians.iter().position(|(_, id)| *id == "q2024_1").unwrap();
    assert!(rank < 3, "Q1-2024 ranks {rank}: {medians:?}");
}

/// The terminal reports P(at least half of NATO's 26 members that hold 155 mm shells at
/// their floor by 2023-12-31), and it equals the count taken trial by trial from the
/// members' depletion days in trials.csv.
#[test]
fn half_of_nato_at_its_floor_by_end_2023_is_reported_and_agrees_with_the_members() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(&[], &tmp.path().join("r"), 7);
    let line = summary
        .table
        .lines()
        .find(|l| l.starts_with("P(at least half of nato members (13 of 26) at their shell_155 floor by 2023-12-31)"))
        .unwrap_or_else(|| panic!("{}", summary.table));
    let doc: toml::Table = DEFAULT.parse().unwrap();
    let members: Vec<String> = doc["groups"]["nato"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    let day = 675; // 2023-12-31 is day 675 from 2022-02-24
    let mut reader = csv::Reader::from_path(tmp.path().join("r/trials.csv")).unwrap();
    let mut depleted: BTreeMap<u64, u32> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let trial: u64 = r[0].parse().unwrap();
        let entry = depleted.entry(trial).or_default();
        if &r[2] == "shell_155"
            && members.iter().any(|m| m == &r[1])
            && r[3].parse::<u32>().is_ok_and(|d| d <= day)
        {
            *entry += 1;
        }
    }
    assert_eq!(depleted.len() as u64, TRIALS);
    let hits = depleted.values().filter(|&&k| k >= 13).count();
    let expected = format!("{:.1}%", 100.0 * hits as f64 / TRIALS as f64);
    assert!(
        line.contains(&format!("): {expected} [")),
        "{line} vs {expected}"
    );
}

/// configs/BACKTEST.md is exactly what its regeneration command writes.
#[test]
fn the_committed_backtest_is_what_the_command_writes() {
    let command = "drawdown backtest configs/default.toml -m configs/default.backtest.toml -o configs/BACKTEST.md -n 500";
    let milestones = std::fs::read_to_string("configs/default.backtest.toml").unwrap();
    let (result, md) = backtest(&milestones, 500, command);
    assert!(result.rows.len() >= 10);
    let committed = std::fs::read_to_string("configs/BACKTEST.md").unwrap();
    assert!(
        md == committed,
        "configs/BACKTEST.md is stale: run `{command}`"
    );
}
