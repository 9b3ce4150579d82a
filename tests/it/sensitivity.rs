//! `drawdown rank`, `tornado`, `sobol` and `run --inputs`, on scenarios whose answers are
//! known by hand: a nation with no flows ends with its opening stock, so its final stock
//! depends on that one input and on nothing else.

use assert_cmd::Command;
use drawdown::pipeline::{self, Loaded, SensitivityRequest};
use drawdown::runner::Silent;
use std::collections::BTreeMap;
use std::path::Path;

/// Two nations with random stocks and floors and nothing else: a's final stock is a's
/// opening stock (uniform 1000..2000).
const STILL: &str = r#"
[scenario]
name = "still"
start = "2024-01-01"
end = "2024-01-31"
[items.x]
[nations.a.stock.x]
initial = { dist = "uniform", min = 1000, max = 2000 }
floor = { dist = "uniform", min = 0, max = 500 }
[nations.b.stock.x]
initial = { dist = "uniform", min = 1000, max = 2000 }
"#;

/// The example: a donor with a ramping factory supplies a recipient with random need.
const EXAMPLE: &str = include_str!("../../configs/example.toml");

fn loaded(text: &str) -> Loaded {
    Loaded::from_text("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn request(out: &Path, vary: &[&str], trials: u64) -> SensitivityRequest {
    SensitivityRequest {
        vary: vary.iter().map(|s| s.to_string()).collect(),
        trials,
        seed: Some(3),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        ..SensitivityRequest::default()
    }
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
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = '{}'", row[col]))
}

fn by_input<'a>(rows: &'a [BTreeMap<String, String>], input: &str) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["input"] == input)
        .unwrap_or_else(|| panic!("no row for {input}"))
}

#[test]
fn rank_singles_out_the_only_input_that_matters() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SensitivityRequest {
        series: Some("a.x".into()),
        metric: Some("final_stock_mean".into()),
        ..request(&tmp.path().join("r"), &[], 2000)
    };
    let s = pipeline::sensitivity::rank(&loaded(STILL), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("rank.csv"));
    assert_eq!(r.len(), 3, "three uncertain inputs");
    assert_eq!(r[0]["input"], "nations.a.stock.x.initial");
    // The final stock is the rounded opening stock: rank correlation 1.
    assert!(num(&r[0], "prcc") > 0.999, "{:?}", r[0]);
    assert!(num(&r[0], "src") > 0.999, "{:?}", r[0]);
    for other in &r[1..] {
        assert!(
            num(other, "prcc_ci_low") <= 0.0 && 0.0 <= num(other, "prcc_ci_high"),
            "{other:?}"
        );
    }
}

#[test]
fn a_tornado_swing_is_the_hand_computed_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SensitivityRequest {
        series: Some("a.x".into()),
        metric: Some("final_stock_mean".into()),
        ..request(
            &tmp.path().join("t"),
            &[
                "nations.a.stock.x.initial=1000,3000",
                "nations.b.stock.x.initial+=0,500",
            ],
            200,
        )
    };
    let s = pipeline::sensitivity::tornado(&loaded(STILL), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("tornado.csv"));
    // a's stock pinned to 1000 and to 3000: a swing of exactly 2000 in every trial.
    let a = by_input(&r, "nations.a.stock.x.initial");
    assert_eq!(a["rank"], "1");
    assert_eq!(num(a, "swing"), 2000.0);
    assert_eq!(num(a, "swing_ci_low"), 2000.0);
    assert_eq!(num(a, "swing_ci_high"), 2000.0);
    // The baseline mean is that of a uniform 1000..2000 (1500 ± 2·289/√200 ≈ ±41):
    // pinned at 1000, the paired difference is 1000 − mean.
    let diff_low = num(a, "diff_low");
    assert!((diff_low + 500.0).abs() < 45.0, "{diff_low}");
    // The baseline is written on every row: pinned at 1000, a's stock is 1000 in every
    // trial, so the baseline is 1000 − diff_low, and its interval holds the 1500 of
    // the uniform.
    for row in &r {
        assert_eq!(row["baseline"], a["baseline"]);
    }
    let baseline = num(a, "baseline");
    assert!((baseline - (1000.0 - diff_low)).abs() < 1e-6, "{baseline}");
    assert!(num(a, "baseline_ci_low") <= 1500.0 && 1500.0 <= num(a, "baseline_ci_high"));
    // The manifest names the command; a run's has no such field.
    let manifest = std::fs::read_to_string(s.dir.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["command"], "tornado");
    // b's stock does not touch a's: swing exactly 0.
    let b = by_input(&r, "nations.b.stock.x.initial");
    assert_eq!(num(b, "swing"), 0.0);
    assert_eq!(b["low"], "+0");
    assert_eq!(b["high"], "+500");
}

#[test]
fn automatic_tornado_swings_inputs_between_their_deciles() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SensitivityRequest {
        series: Some("a.x".into()),
        metric: Some("final_stock_mean".into()),
        ..request(&tmp.path().join("t"), &[], 100)
    };
    let s = pipeline::sensitivity::tornado(&loaded(STILL), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("tornado.csv"));
    assert_eq!(r.len(), 3);
    // Uniform 1000..2000: the 10 % and 90 % quantiles are 1100 and 1900, estimated from
    // 65 536 draws (standard error 1000·√(0.09/65536) ≈ 1.2); rounding to whole rounds
    // adds at most 1.
    let a = by_input(&r, "nations.a.stock.x.initial");
    assert!((num(a, "swing") - 800.0).abs() < 6.0, "{a:?}");
    for other in ["nations.a.stock.x.floor", "nations.b.stock.x.initial"] {
        assert_eq!(num(by_input(&r, other), "swing"), 0.0, "{other}");
    }
}

#[test]
fn pinning_an_input_to_its_own_draw_changes_nothing_else() {
    // `*=1` pins the need of the first half-year to exactly what was drawn: every other
    // random number must be the same, so each row equals the baseline trial by trial.
    let tmp = tempfile::tempdir().unwrap();
    let req = request(
        &tmp.path().join("t"),
        &["demand.front.schedule.h1.per_day*=1,1.2"],
        300,
    );
    let s = pipeline::sensitivity::tornado(&loaded(EXAMPLE), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("tornado.csv"));
    let row = by_input(&r, "demand.front.schedule.h1.per_day");
    assert_eq!(row["metric"], "fill_rate");
    assert_eq!(num(row, "diff_low"), 0.0);
    assert_eq!(num(row, "diff_low_ci_low"), 0.0);
    assert_eq!(num(row, "diff_low_ci_high"), 0.0);
    // 20 % more need in the first half lowers the fill rate.
    assert!(num(row, "swing_ci_high") < 0.0, "{row:?}");
}

#[test]
fn tornado_results_do_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: usize, name: &str| {
        let req = SensitivityRequest {
            threads: Some(threads),
            ..request(&tmp.path().join(name), &[], 64)
        };
        let s = pipeline::sensitivity::tornado(&loaded(EXAMPLE), &req, &Silent).unwrap();
        std::fs::read(s.dir.join("tornado.csv")).unwrap()
    };
    assert_eq!(run(1, "one"), run(2, "two"));
}

#[test]
fn sobol_gives_all_the_variance_to_the_one_input_that_matters() {
    let tmp = tempfile::tempdir().unwrap();
    let req = SensitivityRequest {
        series: Some("a.x".into()),
        metric: Some("final_stock_mean".into()),
        base_rows: 200,
        trials: 2,
        ..request(
            &tmp.path().join("s"),
            &[
                "nations.a.stock.x.initial=1000,2000",
                "nations.b.stock.x.initial",
            ],
            2,
        )
    };
    let s = pipeline::sensitivity::sobol(&loaded(STILL), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("sobol.csv"));
    let a = by_input(&r, "nations.a.stock.x.initial");
    let b = by_input(&r, "nations.b.stock.x.initial");
    // No noise and one input: S = S_T = 1 for a, 0 for b (exactly: b never moves a).
    assert!((num(a, "total") - 1.0).abs() < 0.01, "{a:?}");
    assert!((num(a, "first_order") - 1.0).abs() < 0.1, "{a:?}");
    assert!(
        num(a, "first_ci_low") <= 1.0 && 1.0 <= num(a, "first_ci_high"),
        "{a:?}"
    );
    assert_eq!(num(b, "total"), 0.0);
    assert_eq!(num(b, "first_order"), 0.0);
    assert_eq!(a["range"], "uniform 1000..2000");
    assert_eq!(b["range"], "own distribution");
    assert_eq!(num(a, "trials"), 200.0 * 4.0 * 2.0);
}

#[test]
fn run_inputs_records_what_each_trial_drew() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), STILL).unwrap();
    Command::cargo_bin("drawdown")
        .unwrap()
        .current_dir(tmp.path())
        .args(["run", "s.toml", "-n", "50", "-o", "out", "-q", "--inputs"])
        .assert()
        .success();
    let inputs = rows(&tmp.path().join("out/inputs.csv"));
    let trials = rows(&tmp.path().join("out/trials.csv"));
    assert_eq!(inputs.len(), 50 * 3);
    // Each trial's recorded opening stock rounds to the stock trials.csv reports.
    for t in trials.iter().filter(|t| t["nation"] == "a") {
        let drawn = inputs
            .iter()
            .find(|i| i["trial"] == t["trial"] && i["input"] == "nations.a.stock.x.initial")
            .unwrap();
        assert_eq!(
            num(drawn, "value").round(),
            num(t, "initial_stock"),
            "{t:?}"
        );
    }
    let manifest = std::fs::read_to_string(tmp.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"inputs.csv\""));
}

fn drawdown(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("drawdown")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .assert()
}

#[test]
fn bad_requests_are_usage_errors_that_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), STILL).unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "tornado",
                "s.toml",
                "--vary",
                "nations.a.stock.x.intial=1,2",
            ],
            "did you mean nations.a.stock.x.initial",
        ),
        (
            &[
                "tornado",
                "s.toml",
                "--vary",
                "nations.a.stock.x.initial=1,2,3",
            ],
            "exactly two values",
        ),
        (
            &[
                "tornado",
                "s.toml",
                "--vary",
                "nations.a.stock.x.initial=-5,2",
            ],
            "nations.a.stock.x.initial",
        ),
        (
            &["sobol", "s.toml", "--vary", "nations.a.stock.x.initial=2,1"],
            "lo must be below hi",
        ),
        (
            &["rank", "s.toml", "--metric", "fill"],
            "expected one of fill_rate",
        ),
        (&["rank", "s.toml", "--series", "c.x"], "a.x, b.x"),
        (
            &["rank", "s.toml", "--metric", "fill_rate"],
            "has no demand",
        ),
    ];
    for (args, want) in cases {
        let out = drawdown(tmp.path(), args).code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.contains(want),
            "{args:?}: wanted '{want}' in {stderr}"
        );
    }
    assert!(!tmp.path().join("results").exists(), "nothing written");
}

#[test]
fn check_inputs_lists_every_input_with_its_path() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), STILL).unwrap();
    let out = drawdown(tmp.path(), &["check", "s.toml", "--inputs"]).success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.starts_with("4 inputs drawn once per trial, 3 of them uncertain"),
        "{text}"
    );
    assert!(
        text.contains("* nations.a.stock.x.initial  uniform (mean 1500)"),
        "{text}"
    );
    assert!(text.contains("  nations.b.stock.x.floor  0"), "{text}");
}

#[test]
fn the_tornado_chart_holds_one_bar_pair_per_input_in_rank_order() {
    let tmp = tempfile::tempdir().unwrap();
    let req = request(&tmp.path().join("t"), &[], 100);
    let s = pipeline::sensitivity::tornado(&loaded(EXAMPLE), &req, &Silent).unwrap();
    let r = rows(&s.dir.join("tornado.csv"));
    let svg = std::fs::read_to_string(s.dir.join("tornado.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    // Every input of tornado.csv is labelled, in the CSV's rank order.
    let labelled: Vec<&String> = texts.iter().filter(|t| t.contains('.')).collect();
    let names: Vec<&str> = r.iter().map(|row| row["input"].as_str()).collect();
    let order: Vec<usize> = names
        .iter()
        .map(|n| {
            labelled
                .iter()
                .position(|t| t == n)
                .unwrap_or_else(|| panic!("{n} not drawn"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Two bars per input (low and high end) plus the legend's two swatches.
    let filled_rects = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill").is_some_and(|f| f != "#FFFFFF"))
        .count();
    assert!(
        filled_rects >= 2 * r.len() + 2,
        "{filled_rects} rects for {} inputs",
        r.len()
    );
    let manifest = std::fs::read_to_string(s.dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"tornado.svg\""));
}
