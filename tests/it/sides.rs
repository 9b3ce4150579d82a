//! Sides and fire ratios: no transfer crosses sides, and `fire_ratio.csv` against
//! answers computed by hand.
//!
//! Demand is Poisson, so a front's fire is made exact by starving it: each side starts
//! with a fixed stock and has one factory of fixed capacity (output factor 1, no
//! disruption) while its front needs a Poisson(10^6) count a day, which never falls
//! below a few thousand. Production comes before consumption on each day, so a front
//! fires exactly its stock on day 0 plus its factory's output of each day. A capacity
//! of `c × 365.25 / 12` rounds a month is exactly `c` rounds a day.

use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// 29 days (day 0 to 28): with a 7-day step the reporting days are 0, 7, 14, 21 and 28,
/// so the periods are day 0, days 1–7, 8–14, 15–21 and 22–28. Russia (side `russia`)
/// fires 3000 a day; Ukraine (side `allies`, the default) 1000 a day, both from day 0.
const STARVED: &str = r#"
[scenario]
name = "starved"
start = "2024-01-01"
end = "2024-01-29"

[items.shell]
[items.rocket]

[nations.ukraine.stock.shell]
initial = 0
[nations.russia]
side = "russia"
[nations.russia.stock.shell]
initial = 0

[factories.ru_plant]
owner = "russia"
item = "shell"
capacity.initial = 91312.5

[factories.ua_plant]
owner = "ukraine"
item = "shell"
capacity.initial = 30437.5

[demand.ru_front]
nation = "russia"
item = "shell"
schedule.all = { from = "2024-01-01", per_day = 1000000 }

[demand.ua_front]
nation = "ukraine"
item = "shell"
schedule.all = { from = "2024-01-01", per_day = 1000000 }

[fire_ratios.ru_ua]
name = "Russia : Ukraine"
numerator = ["russia"]
denominator = ["ukraine"]
"#;

/// A stochastic scenario with a fire ratio, a donor on Ukraine's side and a second
/// item, for the reproducibility checks.
const NOISY: &str = r#"
[scenario]
name = "noisy"
start = "2024-01-01"
end = "2024-06-30"

[items.shell]
[items.rocket]

[nations.us.stock.shell]
initial = { dist = "uniform", min = 200000, max = 400000 }
[nations.ukraine.stock.shell]
initial = { dist = "uniform", min = 20000, max = 60000 }
[nations.ukraine.stock.rocket]
initial = 5000
[nations.russia]
side = "russia"
[nations.russia.stock.shell]
initial = { dist = "uniform", min = 300000, max = 900000 }
[nations.belarus]
side = "russia"
[nations.belarus.stock.shell]
initial = 50000

[transfers.us_aid]
from = "us"
to = "ukraine"
item = "shell"
start = "2024-01-15"
every_days = 30
quantity = { dist = "uniform", min = 10000, max = 40000 }

[transfers.by_ru]
from = "belarus"
to = "russia"
item = "shell"
start = "2024-02-01"
every_days = 60
quantity = 20000

[demand.ru_front]
nation = "russia"
item = "shell"
dispersion = 4
schedule.all = { from = "2024-01-01", per_day = 6000 }

[demand.ua_front]
nation = "ukraine"
item = "shell"
dispersion = 4
schedule.all = { from = "2024-01-01", per_day = 1800 }

[demand.ua_rockets]
nation = "ukraine"
item = "rocket"
schedule.all = { from = "2024-01-01", per_day = 40 }

[fire_ratios.shells]
numerator = ["russia"]
denominator = ["ukraine"]
items = ["shell"]

[fire_ratios.all]
numerator = ["russia"]
denominator = ["ukraine", "us"]
"#;

fn loaded(text: &str, overrides: &[String]) -> Loaded {
    Loaded::from_text("<test>", text, overrides).unwrap_or_else(|e| panic!("{e}"))
}

fn request(out: &Path, trials: u64, threads: usize) -> RunRequest {
    RunRequest {
        trials,
        seed: Some(11),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        step_days: 7,
        ..RunRequest::default()
    }
}

fn run(loaded: &Loaded, out: &Path, trials: u64, threads: usize) -> (PathBuf, String) {
    let summary = pipeline::run(loaded, &request(out, trials, threads), &Silent).unwrap();
    (summary.dir, summary.table)
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

/// The quantile error stated in `runner::aggregate::ratios`: within half a thousandth
/// plus 1/1024 of the value.
fn within_stated_error(reported: &str, exact: f64) -> bool {
    let v: f64 = reported.parse().unwrap();
    (v - exact).abs() <= 0.0005 + (exact + 0.0005) / 1024.0
}

/// One expected row: (day, from_day, numerator_mean, denominator_mean, ratio_of_means,
/// exact per-trial ratio, trials_defined) with `None` for an undefined ratio.
type Expected = (
    u32,
    u32,
    &'static str,
    &'static str,
    Option<(&'static str, f64)>,
);

fn check_rows(dir: &Path, trials: u64, expected: &[Expected]) {
    let got = rows(&dir.join("fire_ratio.csv"));
    assert_eq!(got.len(), expected.len());
    for (row, &(day, from, num, den, ratio)) in got.iter().zip(expected) {
        assert_eq!(row["ratio"], "ru_ua");
        assert_eq!(row["day"], day.to_string(), "{row:?}");
        assert_eq!(row["from_day"], from.to_string(), "{row:?}");
        assert_eq!(row["numerator_mean"], num, "{row:?}");
        assert_eq!(row["denominator_mean"], den, "{row:?}");
        assert_eq!(row["trials"], trials.to_string());
        match ratio {
            Some((text, exact)) => {
                // Every trial is the same: the interval has no width.
                assert_eq!(row["ratio_of_means"], text, "{row:?}");
                assert_eq!(row["ci_low"], text, "{row:?}");
                assert_eq!(row["ci_high"], text, "{row:?}");
                for q in ["p05", "p50", "p95"] {
                    assert!(within_stated_error(&row[q], exact), "{q} in {row:?}");
                }
                assert_eq!(row["trials_defined"], trials.to_string());
            }
            None => {
                for c in ["ratio_of_means", "ci_low", "ci_high", "p05", "p50", "p95"] {
                    assert_eq!(row[c], "", "{c} in {row:?}");
                }
                assert_eq!(row["trials_defined"], "0");
            }
        }
    }
}

#[test]
fn three_thousand_against_one_thousand_a_day_is_a_ratio_of_three_in_every_period() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, table) = run(&loaded(STARVED, &[]), &tmp.path().join("out"), 60, 2);
    let three = Some(("3", 3.0));
    check_rows(
        &dir,
        60,
        &[
            (0, 0, "3000", "1000", three),
            (7, 1, "21000", "7000", three),
            (14, 8, "21000", "7000", three),
            (21, 15, "21000", "7000", three),
            (28, 22, "21000", "7000", three),
        ],
    );
    // Every trial has the same ratio, so the histogram's exact minimum and maximum
    // give it exactly.
    let first = &rows(&dir.join("fire_ratio.csv"))[0];
    assert_eq!(first["p50"], "3");
    assert!(
        table.contains(
            "Fire ratio russia : ukraine over the horizon: 3.00 (95 % CI 3.00–3.00); per trial p05–p95 3.00–3.00"
        ),
        "{table}"
    );
    // The fire counted is the `consumed` of shortfall.csv.
    let fired: Vec<String> = rows(&dir.join("shortfall.csv"))
        .into_iter()
        .filter(|r| r["nation"] == "russia")
        .map(|r| r["consumed_mean"].clone())
        .collect();
    assert_eq!(fired, ["3000", "21000", "21000", "21000", "21000"]);
}

#[test]
fn the_ratio_follows_the_denominator_running_dry() {
    // Ukraine starts with 2500 rounds and its plant stops on day 10 (2024-01-11): it
    // fires 2500 + 1000 on day 0, 1000 a day on days 1–9, nothing from day 10 on.
    let text = format!(
        "{STARVED}\n[factories.ua_plant.capacity.ramp.stop]\ndate = \"2024-01-11\"\ntarget = 0\n"
    );
    let overrides = ["nations.ukraine.stock.shell.initial=2500".to_string()];
    let tmp = tempfile::tempdir().unwrap();
    let (dir, table) = run(&loaded(&text, &overrides), &tmp.path().join("out"), 50, 2);
    check_rows(
        &dir,
        50,
        &[
            // 3000 / 3500 = 0.857142…; the per-trial ratio is recorded as 857/1000.
            (0, 0, "3000", "3500", Some(("0.857143", 3000.0 / 3500.0))),
            // Days 1–7: 21000 / 7000.
            (7, 1, "21000", "7000", Some(("3", 3.0))),
            // Days 8–14: Ukraine fires on days 8 and 9 only: 21000 / 2000.
            (14, 8, "21000", "2000", Some(("10.5", 10.5))),
            // Nothing fired below the line: no ratio, no trial with one.
            (21, 15, "21000", "0", None),
            (28, 22, "21000", "0", None),
        ],
    );
    let first = &rows(&dir.join("fire_ratio.csv"))[0];
    assert_eq!(first["p50"], "0.857");
    // Over the horizon: 29 × 3000 = 87000 against 2500 + 10 × 1000 = 12500.
    assert!(
        table.contains("over the horizon: 6.96 (95 % CI 6.96–6.96); per trial p05–p95 6.96–6.96"),
        "{table}"
    );
}

#[test]
fn a_transfer_across_sides_is_refused_naming_it() {
    let text = format!(
        "{STARVED}\n[transfers.arms]\nfrom = \"ukraine\"\nto = \"russia\"\nitem = \"shell\"\nstart = \"2024-01-05\"\nevery_days = 7\nquantity = 10\n"
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cross.toml");
    std::fs::write(&path, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(tmp.path())
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .position(|l| l.starts_with("to = \"russia\""))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "line {line}, column 6: transfers.arms.to: no transfers cross sides: transfer 'arms' goes from 'ukraine' (side 'allies') to 'russia' (side 'russia')"
        )),
        "{stderr}"
    );
}

#[test]
fn check_shows_the_sides_and_the_fire_ratios() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("starved.toml");
    std::fs::write(&path, STARVED).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "sides (2; no transfers cross sides):\n  allies: ukraine\n  russia: russia\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  ru_ua: fire of russia over fire of ukraine, items rocket, shell"),
        "{stdout}"
    );
}

#[test]
fn bad_sides_and_fire_ratios_are_named() {
    let cases: [(&str, &str); 6] = [
        (
            "nations.russia.side=\"1st\"",
            "nations.russia.side: a side is an id",
        ),
        (
            "fire_ratios.ru_ua.denominator=[\"ukraine\",\"russia\"]",
            "nation 'russia' is in both the numerator and the denominator",
        ),
        (
            "fire_ratios.ru_ua.numerator=[]",
            "fire_ratios.ru_ua.numerator: list at least one nation",
        ),
        (
            "fire_ratios.ru_ua.numerator=[\"narnia\"]",
            "fire_ratios.ru_ua.numerator: unknown nation 'narnia'",
        ),
        (
            "fire_ratios.ru_ua.items=[\"rocket\"]",
            "fire_ratios.ru_ua.numerator: none of these nations has a [demand] on the items counted",
        ),
        (
            "fire_ratios.ru_ua.items=[\"shell\",\"shell\"]",
            "fire_ratios.ru_ua.items: item 'shell' is listed more than once",
        ),
    ];
    for (set, message) in cases {
        let err = Loaded::from_text("<test>", STARVED, &[set.to_string()]).unwrap_err();
        assert!(err.to_string().contains(message), "{set}: {err}");
    }
}

/// Every file of a result folder but the manifest and the shard file, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !["manifest.json", "partial.json"].contains(&&*p.file_name().unwrap().to_string_lossy())
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn fire_ratios_do_not_depend_on_threads_or_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let noisy = loaded(NOISY, &[]);
    let (one, _) = run(&noisy, &tmp.path().join("one"), 700, 1);
    let (three, table) = run(&noisy, &tmp.path().join("three"), 700, 3);
    let ratios = std::fs::read(one.join("fire_ratio.csv")).unwrap();
    assert_eq!(ratios, std::fs::read(three.join("fire_ratio.csv")).unwrap());
    assert_eq!(files(&one), files(&three));
    let mut shards = Vec::new();
    for k in [2_u64, 3, 1] {
        let dir = tmp.path().join(format!("shard{k}"));
        let mut req = request(&dir, 700, 1);
        req.shard = Shard::parse(&format!("{k}/3")).unwrap();
        pipeline::run(&noisy, &req, &Silent).unwrap();
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    let summary = pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_eq!(
        ratios,
        std::fs::read(merged.join("fire_ratio.csv")).unwrap()
    );
    assert_eq!(files(&one), files(&merged));
    assert_eq!(summary.table, table);
    // The table is in the manifest like every other, and has a row per ratio × period.
    let manifest = std::fs::read_to_string(merged.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"fire_ratio.csv\""), "{manifest}");
    let got = rows(&merged.join("fire_ratio.csv"));
    let periods = rows(&merged.join("shortfall.csv"))
        .iter()
        .filter(|r| r["nation"] == "russia")
        .count();
    assert_eq!(got.len(), 2 * periods);
    // Sanity of the stochastic rows: the interval holds the estimate and the per-trial
    // quantiles are ordered; every trial fires below the line in the first week.
    for r in got.iter().filter(|r| r["trials_defined"] != "0") {
        let f = |c: &str| r[c].parse::<f64>().unwrap();
        assert!(
            f("ci_low") <= f("ratio_of_means") && f("ratio_of_means") <= f("ci_high"),
            "{r:?}"
        );
        assert!(f("p05") <= f("p50") && f("p50") <= f("p95"), "{r:?}");
        assert!(f("trials_defined") <= 700.0, "{r:?}");
    }
    assert_eq!(got[0]["trials_defined"], "700");
}
