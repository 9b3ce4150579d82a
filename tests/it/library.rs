//! The shipped scenario library: `drawdown scenarios`, `run NAME`, `init --from NAME`;
//! each shipped scenario's back-test report is what its regeneration command writes;
//! each runs a few hundred trials and meets the output contract; compound demand is
//! validated and simulated as documented.

use drawdown::pipeline::{self, BacktestRequest};
use drawdown::runner::Silent;
use drawdown::scenario::library::{SHIPPED, question};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The scenarios of the library beside the default (which has its own tests).
const NEW: [&str; 4] = ["gmlrs", "javelin", "patriot", "stinger"];

pub(crate) fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drawdown"));
    cmd.current_dir(dir);
    cmd
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name)
}

/// The shipped list and `configs/` agree: every scenario file there (not a back-test
/// file, not the illustrative `example.toml` and `starter.toml`) is shipped under its
/// name, and every shipped name has its file.
#[test]
fn the_shipped_scenarios_are_exactly_the_scenario_files_in_configs() {
    use std::collections::BTreeSet;
    let files: BTreeSet<String> = fs::read_dir(config(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".toml")
                && !n.ends_with(".backtest.toml")
                && n != "example.toml"
                && n != "starter.toml"
        })
        .map(|n| n.trim_end_matches(".toml").to_string())
        .collect();
    let shipped: BTreeSet<String> = SHIPPED.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(files, shipped, "configs/*.toml against the shipped list");
    for name in NEW {
        assert!(shipped.contains(name), "{name} is shipped");
    }
}

#[test]
fn scenarios_lists_every_shipped_scenario_with_its_question_and_horizon() {
    let tmp = tempfile::tempdir().unwrap();
    let out = drawdown(tmp.path()).arg("scenarios").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let flat = listing.split_whitespace().collect::<Vec<_>>().join(" ");
    for s in SHIPPED {
        assert!(
            listing.contains(&format!("{:<8} 2022-02-24 to 2026-12-31", s.name)),
            "{listing}"
        );
        let q = question(s.text);
        assert!(flat.contains(&q), "{} question missing: {q}", s.name);
    }
}

#[test]
fn run_name_runs_a_shipped_scenario_and_an_unknown_name_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = drawdown(tmp.path())
        .args(["run", "javelin", "-n", "40", "-o", "jav", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(tmp.path().join("jav/summary.csv").exists());
    let out = drawdown(tmp.path())
        .args(["run", "hellfire", "-n", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("'hellfire': no such file, and no shipped scenario is called that")
            && err.contains("default, gmlrs, javelin, patriot, stinger"),
        "{err}"
    );
    // A file of that name wins over the shipped scenario.
    fs::write(tmp.path().join("gmlrs"), "not toml [").unwrap();
    let out = drawdown(tmp.path())
        .args(["check", "gmlrs"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the file is read, and is invalid"
    );
    // A path (a '/' or a '.toml' ending) is only ever a file, never a shipped name.
    for path in ["gmlrs.toml", "./javelin", "sub/javelin"] {
        let out = drawdown(tmp.path()).args(["check", path]).output().unwrap();
        let err = text(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{path} is no file: {err}");
        assert!(!err.contains("no shipped scenario"), "{path}: {err}");
    }
}

#[test]
fn init_from_copies_a_shipped_scenario_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = drawdown(tmp.path())
        .args(["init", "mine.toml", "--from", "patriot"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = fs::read_to_string(tmp.path().join("mine.toml")).unwrap();
    assert_eq!(written, fs::read_to_string(config("patriot.toml")).unwrap());
    let out = drawdown(tmp.path())
        .args(["init", "mine.toml", "--from", "gmlrs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("mine.toml")).unwrap(),
        written
    );
    let out = drawdown(tmp.path())
        .args(["init", "other.toml", "--from", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--from: no shipped scenario is called 'nope'"),
        "{err}"
    );
    assert!(err.contains("patriot"), "{err}");
    assert!(!tmp.path().join("other.toml").exists());
}

/// Each configs/<name>.BACKTEST.md is exactly what its regeneration command writes.
#[test]
fn the_committed_library_backtests_are_what_the_command_writes() {
    for name in NEW {
        let command = format!(
            "drawdown backtest configs/{name}.toml -m configs/{name}.backtest.toml -o configs/{name}.BACKTEST.md -n 500"
        );
        let loaded = pipeline::load(Some(&config(&format!("{name}.toml"))), &[]).unwrap();
        let req = BacktestRequest {
            milestones: config(&format!("{name}.backtest.toml")),
            trials: 500,
            seed: None,
            threads: Some(2),
            out: None,
            force: false,
            command: command.clone(),
        };
        let (result, md) = pipeline::backtest(&loaded, &req, &Silent).unwrap();
        assert!(result.rows.len() >= 5, "{name}: at least five milestones");
        let committed = fs::read_to_string(config(&format!("{name}.BACKTEST.md"))).unwrap();
        assert!(
            md == committed,
            "configs/{name}.BACKTEST.md is stale: run `{command}`"
        );
    }
}

/// Every shipped scenario runs 300 trials and its folder meets the output contract.
#[test]
fn every_shipped_scenario_meets_the_output_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let python = Command::new("python3").arg("--version").output().is_ok();
    for name in NEW {
        let out = drawdown(tmp.path())
            .args(["run", name, "-n", "300", "-o", name, "-q"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let dir = tmp.path().join(name);
        for f in ["summary.csv", "depletion.csv", "stock.csv", "trials.csv"] {
            assert!(dir.join(f).exists(), "{name}: {f}");
        }
        if !python {
            continue; // CI installs python3; the files are checked above
        }
        let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/check-outputs.py");
        let out = Command::new("python3")
            .arg(&checker)
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

/// A compound demand with fixed raids: need = 3 raids/day (Poisson) × 5 rounds each
/// over 366 days: the mean total need is 5490, with sd sqrt(366 · 3 · 25) = 165.7 per
/// trial; over 400 trials the mean is within 4 standard errors (33.1).
const COMPOUND: &str = r#"
[scenario]
name = "compound"
start = "2024-01-01"
end = "2024-12-31"
[items.x]
[nations.ua.stock.x]
initial = 100000000
[demand.raids]
nation = "ua"
item = "x"
per_raid = 5
schedule.all = { from = "2024-01-01", per_day = 3 }
"#;

#[test]
fn compound_demand_needs_raids_times_the_raid_size() {
    let trials = super::compound::run_trials(COMPOUND, 400);
    let needs: Vec<f64> = super::compound::column(&trials, "demanded", "ua", "x")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(needs.len(), 400);
    assert!(
        needs.iter().all(|n| (*n as u64).is_multiple_of(5)),
        "whole raids of 5"
    );
    let mean = needs.iter().sum::<f64>() / 400.0;
    let se = (366.0f64 * 3.0 * 25.0).sqrt() / 20.0;
    assert!((mean - 5490.0).abs() < 4.0 * se, "mean need {mean}");
}

#[test]
fn a_bad_raid_size_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = COMPOUND.replace("per_raid = 5", "per_raid = -2");
    fs::write(tmp.path().join("c.toml"), bad).unwrap();
    let out = drawdown(tmp.path())
        .args(["check", "c.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("demand.raids.per_raid: must not be negative, got -2") && err.contains("line"),
        "{err}"
    );
    let big = COMPOUND.replace("per_raid = 5", "per_raid = 2e6");
    fs::write(tmp.path().join("c.toml"), big).unwrap();
    let out = drawdown(tmp.path())
        .args(["check", "c.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("between 0 and 1e6 rounds per raid"),
        "{}",
        text(&out.stderr)
    );
}

/// configs/README.md quotes each missile report's count of consistent figures; the
/// quote must match the report.
#[test]
fn the_readme_quotes_each_backtest_count_as_reported() {
    let readme = fs::read_to_string(config("README.md")).unwrap();
    for name in NEW {
        let report = fs::read_to_string(config(&format!("{name}.BACKTEST.md"))).unwrap();
        let end = report.find(" milestones are consistent").unwrap();
        let words: Vec<&str> = report[..end].split_whitespace().collect();
        let (k, n) = (words[words.len() - 3], words[words.len() - 1]);
        let para = readme
            .split(&format!("**`{name}`** ([{name}.BACKTEST.md]"))
            .nth(1)
            .unwrap_or_else(|| panic!("README has no paragraph for {name}"));
        let para = para.split("\n\n").next().unwrap();
        assert!(
            para.contains(&format!("{k} of {n}")),
            "{name}: README should say {k} of {n}"
        );
    }
}

/// The summary table of configs/README.md (written by tools/library-summary.py from
/// 10,000 trials) agrees with a 400-trial run of each scenario: every quoted
/// probability and fill rate lies within 4 standard errors of the short run's estimate
/// (the standard error from its 95 % interval, at least half a percentage point).
#[test]
fn the_readme_summary_table_agrees_with_a_short_run() {
    let readme = fs::read_to_string(config("README.md")).unwrap();
    let block = readme
        .split("<!-- begin library summary")
        .nth(1)
        .and_then(|b| b.split("<!-- end library summary").next())
        .expect("configs/README.md has the generated summary table");
    let tmp = tempfile::tempdir().unwrap();
    let mut runs: std::collections::BTreeMap<String, String> = Default::default();
    let mut checked = 0;
    for line in block.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (name, nation, item) = (cells[1].trim_matches('`'), cells[2], cells[3]);
        let csv = runs.entry(name.to_string()).or_insert_with(|| {
            let out = drawdown(tmp.path())
                .args(["run", name, "-n", "400", "-o", name, "-q"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{name}: {}", text(&out.stderr));
            fs::read_to_string(tmp.path().join(name).join("summary.csv")).unwrap()
        });
        for (metric, quoted) in [("p_depleted", cells[4]), ("fill_rate", cells[6])] {
            if quoted.is_empty() {
                continue;
            }
            let q: f64 = quoted.trim_end_matches(" %").parse::<f64>().unwrap() / 100.0;
            let row: Vec<f64> = csv
                .lines()
                .map(|l| l.split(',').collect::<Vec<_>>())
                .find(|r| r[0] == nation && r[1] == item && r[2] == metric)
                .unwrap_or_else(|| panic!("{name}: no {metric} for {nation} {item}"))[3..6]
                .iter()
                .map(|v| v.parse().unwrap())
                .collect();
            let se = ((row[2] - row[1]) / (2.0 * 1.96)).max(0.005);
            assert!(
                (q - row[0]).abs() <= 4.0 * se,
                "{name} {nation} {item} {metric}: README {q}, 400 trials {} (se {se})",
                row[0]
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} figures checked");
}

/// The benchmark scenarios of `benches/` load, and have the shapes their benchmarks
/// describe: the issue-14 twin (9 nations, 6 factories, 1 400 days, 8 (s, S) policies)
/// and the NATO-wide scenario (32 allies, EU industry as a channel, Ukraine, Russia;
/// 4 items; 2022–2030).
#[test]
fn the_benchmark_scenarios_load_with_the_shapes_their_benchmarks_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    let twin = pipeline::load(Some(&root.join("twin/twin.toml")), &[]).unwrap();
    let s = &twin.scenario;
    assert_eq!((s.nations.len(), s.factories.len(), s.days), (9, 6, 1400));
    assert_eq!(s.procurement.len(), 8);
    let nato = pipeline::load(Some(&root.join("nato.toml")), &[]).unwrap();
    let s = &nato.scenario;
    assert_eq!((s.nations.len(), s.items.len()), (35, 4));
    assert_eq!(
        (s.start.to_string(), s.end.to_string()),
        ("2022-02-24".to_string(), "2030-12-31".to_string())
    );
}
