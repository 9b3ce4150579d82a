//! `drawdown sweep` and `check --vary`: common random numbers make a capacity sweep
//! monotone and paired intervals narrow; wildcard and relative specs change exactly
//! what `check --vary` lists; scaling a distribution scales what is drawn; bad specs are
//! exit 2 naming the spec with a suggestion.

use assert_cmd::Command;
use drawdown::pipeline::{self, Loaded, SweepRequest};
use drawdown::runner::Silent;
use drawdown::stats::Z95;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A recipient with a random stock, its own factory (noisy daily output, one ramp
/// milestone) and over-dispersed fire: it runs dry in some trials, not in others.
const CAPACITY: &str = r#"
[scenario]
name = "capacity"
start = "2024-01-01"
end = "2024-12-31"
[items.x]
[nations.r.stock.x]
initial = { dist = "uniform", min = 20000, max = 60000 }
[factories.plant]
owner = "r"
item = "x"
capacity.initial = 3000
output_factor = { dist = "uniform", min = 0.5, max = 1.5 }
capacity.ramp.m1 = { date = "2024-06-01", target = 6000, ramp_days = 30 }
[demand.front]
nation = "r"
item = "x"
dispersion = 5
[demand.front.schedule.all]
from = "2024-01-02"
per_day = { dist = "lognormal", median = 250, p90 = 350 }
"#;

/// Two factories, one taking its ramp from a template, and a stock drawn from an
/// empirical list; nothing is consumed, so the final stock is the initial one.
const TEMPLATED: &str = r#"
[scenario]
name = "templated"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.r.stock.x]
initial = { dist = "empirical", values = [1000, 2000, 3000] }
[templates.factories.line]
capacity.initial = 100
capacity.ramp.m1 = { date = "2024-02-01", target = 200 }
capacity.ramp.m2 = { date = "2024-03-01", target = 300, slip_days = 10 }
[factories.a]
template = "line"
owner = "r"
item = "x"
[factories.b]
owner = "r"
item = "x"
capacity.initial = 50
capacity.ramp.m1 = { date = "2024-02-15", target = 80 }
"#;

fn loaded(text: &str) -> Loaded {
    Loaded::from_text("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn sweep(text: &str, vary: &[&str], trials: u64, out: &Path) -> Vec<BTreeMap<String, String>> {
    let req = SweepRequest {
        vary: vary.iter().map(|s| s.to_string()).collect(),
        trials,
        seed: Some(11),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        ..SweepRequest::default()
    };
    let summary = pipeline::sweep(&loaded(text), &req, &Silent).unwrap_or_else(|e| panic!("{e}"));
    rows(&summary.dir.join("sweep.csv"))
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

fn metric<'a>(
    rows: &'a [BTreeMap<String, String>],
    metric: &str,
) -> Vec<&'a BTreeMap<String, String>> {
    rows.iter().filter(|r| r["metric"] == metric).collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = '{}'", row[col]))
}

#[test]
fn depletion_never_rises_as_capacity_rises() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = sweep(
        CAPACITY,
        &["factories.plant.capacity.initial=0..9000:7"],
        300,
        &tmp.path().join("s"),
    );
    let p: Vec<f64> = metric(&rows, "p_depleted")
        .iter()
        .map(|r| num(r, "estimate"))
        .collect();
    let fill: Vec<f64> = metric(&rows, "fill_rate")
        .iter()
        .map(|r| num(r, "estimate"))
        .collect();
    assert_eq!(p.len(), 7);
    for w in p.windows(2) {
        assert!(w[1] <= w[0], "p_depleted rose with capacity: {p:?}");
    }
    for w in fill.windows(2) {
        assert!(w[1] >= w[0], "fill rate fell with capacity: {fill:?}");
    }
    assert!(p[0] - p[6] > 0.2, "the sweep should matter: {p:?}");
    let values: Vec<&str> = metric(&rows, "p_depleted")
        .iter()
        .map(|r| r["factories.plant.capacity.initial"].as_str())
        .collect();
    assert_eq!(
        values,
        ["0", "1500", "3000", "4500", "6000", "7500", "9000"]
    );
}

#[test]
fn paired_intervals_are_at_least_three_times_narrower_than_unpaired_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = sweep(
        CAPACITY,
        &["factories.plant.capacity.initial*=1,1.2"],
        400,
        &tmp.path().join("s"),
    );
    for name in ["unmet_mean", "final_stock_mean", "consumed_mean"] {
        let m = metric(&rows, name);
        let (base, point) = (m[0], m[1]);
        // Point 1 (*1) is the baseline: its difference is exactly zero.
        assert_eq!(
            (
                num(base, "diff"),
                num(base, "diff_ci_low"),
                num(base, "diff_ci_high")
            ),
            (0.0, 0.0, 0.0)
        );
        let se =
            |r: &BTreeMap<String, String>| (num(r, "ci_high") - num(r, "ci_low")) / (2.0 * Z95);
        let unpaired = 2.0 * Z95 * (se(base).powi(2) + se(point).powi(2)).sqrt();
        let paired = num(point, "diff_ci_high") - num(point, "diff_ci_low");
        let diff = num(point, "diff");
        assert!(
            (diff - (num(point, "estimate") - num(base, "estimate"))).abs() < 0.02,
            "{name}: {diff}"
        );
        assert!(
            paired > 0.0 && unpaired >= 3.0 * paired,
            "{name}: paired {paired}, unpaired {unpaired}"
        );
        assert!(num(point, "diff_ci_low") <= diff && diff <= num(point, "diff_ci_high"));
    }
    let fill = metric(&rows, "fill_rate");
    let paired = num(fill[1], "diff_ci_high") - num(fill[1], "diff_ci_low");
    let se = |r: &BTreeMap<String, String>| (num(r, "ci_high") - num(r, "ci_low")) / (2.0 * Z95);
    let unpaired = 2.0 * Z95 * (se(fill[0]).powi(2) + se(fill[1]).powi(2)).sqrt();
    assert!(
        num(fill[1], "diff") > 0.0 && unpaired >= 3.0 * paired,
        "fill: paired {paired}, unpaired {unpaired}"
    );
}

#[test]
fn scaling_a_distribution_scales_what_is_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = sweep(
        TEMPLATED,
        &["nations.r.stock.x.initial*=1,2.5"],
        200,
        &tmp.path().join("s"),
    );
    let initial: Vec<&BTreeMap<String, String>> = metric(&rows, "min_stock_mean")
        .into_iter()
        .filter(|r| r["nation"] == "r")
        .collect();
    let (base, scaled) = (num(initial[0], "estimate"), num(initial[1], "estimate"));
    // The empirical draw picks the same entry in each trial; every entry is 2.5 × as big.
    assert!((scaled - 2.5 * base).abs() < 0.011, "{base} → {scaled}");
    assert!((num(initial[1], "diff") - 1.5 * base).abs() < 0.011);
    assert!(base > 1000.0 && base < 3000.0);
}

/// Every leaf of the scenario as the simulator reads it, path → value.
fn leaves(text: &str) -> BTreeMap<String, String> {
    let scenario = loaded(text).scenario;
    let value = toml::Value::try_from(&scenario.raw).unwrap();
    let mut out = BTreeMap::new();
    flatten(&value, String::new(), &mut out);
    out
}

fn flatten(v: &toml::Value, path: String, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) if !t.contains_key("dist") => {
            for (k, v) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, p, out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

fn check(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("drawdown")
        .unwrap()
        .current_dir(dir)
        .arg("check")
        .arg("s.toml")
        .args(args)
        .assert()
}

#[test]
fn wildcard_and_relative_specs_change_exactly_what_check_lists() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), TEMPLATED).unwrap();
    let spec = "factories.*.capacity.ramp.*.slip_days+=0,30";
    let out = check(
        tmp.path(),
        &["--vary", spec, "--vary", "factories.*.capacity.initial*=2"],
    )
    .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // What check lists for point 2 (+30, *2).
    let listed: BTreeSet<String> = stdout
        .split("point 2 (")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().split(" = ").next().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> = [
        "factories.a.capacity.ramp.m1.slip_days",
        "factories.a.capacity.ramp.m2.slip_days",
        "factories.b.capacity.ramp.m1.slip_days",
        "factories.a.capacity.initial",
        "factories.b.capacity.initial",
    ]
    .map(String::from)
    .into();
    assert_eq!(listed, want, "{stdout}");
    // Build the point's scenario and compare it with the baseline leaf by leaf.
    let l = loaded(TEMPLATED);
    let plan = pipeline::sweep::plan(
        &l,
        &[spec.into(), "factories.*.capacity.initial*=2".into()],
        false,
        &[],
    )
    .unwrap();
    let point = &plan.points[1];
    let (text, _) = pipeline::sweep::point_scenario(&l, &plan, &point.assignments, "p").unwrap();
    let (before, after) = (leaves(TEMPLATED), leaves(&text));
    let changed: BTreeSet<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(changed, want);
    assert_eq!(after["factories.a.capacity.ramp.m2.slip_days"], "40");
    assert_eq!(after["factories.a.capacity.ramp.m1.slip_days"], "30");
    assert_eq!(after["factories.b.capacity.initial"], "100");
    assert_eq!(
        before.len() + 2,
        after.len(),
        "only the absent slips are new"
    );
    // Point 1 (+0, *2) adds no slip: the absent fields stay absent.
    assert!(
        stdout.contains("point 1 (+0, *2):\n  factories.a.capacity.ramp.m2.slip_days = 10\n"),
        "{stdout}"
    );
}

#[test]
fn bad_specs_are_usage_errors_naming_the_spec_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), CAPACITY).unwrap();
    let cases: [(&str, &[&str]); 5] = [
        (
            "factories.plnt.capacity.initial=1,2",
            &["did you mean factories.plant.capacity.initial"],
        ),
        (
            "factories.*.capacity.ramp.*.slipdays+=0,30",
            &["matches nothing", "factories.*.capacity.ramp.*.slip_days"],
        ),
        (
            "factories.plant.capacity.initial=-100,100",
            &["factories.plant.capacity.initial", "point 1"],
        ),
        ("scenario.start+=1", &["a date", "scenario.start"]),
        ("demand.front.nation*=2", &["a string"]),
    ];
    for (spec, wants) in cases {
        let out = check(tmp.path(), &["--vary", spec]).code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.contains(spec) || stderr.contains("point 1"),
            "{spec}: {stderr}"
        );
        for want in wants {
            assert!(stderr.contains(want), "{spec}: wanted '{want}' in {stderr}");
        }
    }
    // The sweep command refuses the same way, before running anything.
    Command::cargo_bin("drawdown")
        .unwrap()
        .current_dir(tmp.path())
        .args([
            "sweep",
            "s.toml",
            "-n",
            "10",
            "--vary",
            "factories.plant.capacity.initiall*=2",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "factories.plant.capacity.initial",
        ));
    assert!(!tmp.path().join("results").exists());
}

#[test]
fn a_sweep_folder_lists_its_files_and_can_be_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    for _ in 0..2 {
        sweep(
            CAPACITY,
            &[
                "factories.plant.capacity.initial=1000,2000",
                "demand.front.dispersion=2,5",
            ],
            64,
            &out,
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files: BTreeSet<&str> = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(files, BTreeSet::from(["points.csv", "sweep.csv"]));
    let rows = rows(&out.join("sweep.csv"));
    let points: BTreeSet<&str> = rows.iter().map(|r| r["point"].as_str()).collect();
    assert_eq!(points.len(), 4, "a 2 × 2 grid");
}

/// Running several models together (a sweep's group) gives each the result of its own
/// run: the default scenario as written, with other supply (it replays the first one's
/// needs) and with other demand (it draws its own), 150 trials on 2 threads, against
/// each run alone on 1 thread: equal aggregates and per-trial values.
#[test]
fn models_run_together_give_the_results_of_their_own_runs() {
    use drawdown::model::Model;
    use drawdown::runner::{RunOptions, Shard, run, run_many};
    use drawdown::scenario::{DEFAULT_SCENARIO, Scenario};
    use drawdown::sweep::Outcomes;
    let model = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Model::new(
            Scenario::from_toml("default", DEFAULT_SCENARIO, &sets).unwrap(),
            91,
        )
    };
    let models = [
        model(&[]),
        model(&["factories.eu_other.capacity.initial=90000"]),
        model(&["demand.belgium_training.schedule.all.per_day=40"]),
    ];
    assert!(models[0].same_draws(&models[1]) && !models[0].same_draws(&models[2]));
    let opts = |threads| RunOptions {
        trials: 150,
        seed: 3,
        threads: Some(threads),
        shard: Shard::ALL,
        precision: None,
    };
    let refs: Vec<&Model> = models.iter().collect();
    let mut sinks: Vec<Outcomes> = models
        .iter()
        .map(|m| Outcomes::new(m.series_count()))
        .collect();
    let together = run_many(&refs, &opts(2), &Silent, &mut sinks).unwrap();
    for (k, m) in models.iter().enumerate() {
        let mut alone = Outcomes::new(m.series_count());
        let result = run(m, &opts(1), &Silent, &mut alone).unwrap();
        assert_eq!(
            together[k].aggregate, result.aggregate,
            "model {k}: aggregate"
        );
        assert_eq!(together[k].trials, 0..150);
        assert_eq!(sinks[k].values, alone.values, "model {k}: per-trial values");
    }
    assert_ne!(sinks[0].values, sinks[1].values);
}

/// A point whose scenario text differs from the baseline's but simulates alike (`+=0`
/// on the default's triangular slip writes the law back in another form) reuses the
/// baseline's trials: only the baseline and the `+100` point run, and the `+0`
/// point's rows are the baseline's (paired differences exactly 0), while the `+100`
/// point's differ.
#[test]
fn a_point_that_simulates_like_the_baseline_reuses_its_trials() {
    use drawdown::scenario::DEFAULT_SCENARIO;
    let tmp = tempfile::tempdir().unwrap();
    let l = loaded(DEFAULT_SCENARIO);
    let spec = "factories.us_scranton.capacity.ramp.dec26.slip_days+=0,100";
    let plan = pipeline::sweep::plan(&l, &[spec.into()], false, &[]).unwrap();
    let scenario = |a| pipeline::sweep::point_scenario(&l, &plan, a, "p").unwrap();
    let (base_text, base) = scenario(&plan.baseline);
    let (zero_text, zero) = scenario(&plan.points[0].assignments);
    let (_, slipped) = scenario(&plan.points[1].assignments);
    // The case under test: another text, the same model; and a point that differs.
    assert_ne!(zero_text, base_text);
    assert!(zero.simulates_like(&base) && !slipped.simulates_like(&base));
    let req = SweepRequest {
        vary: vec![spec.into()],
        trials: 30,
        seed: Some(11),
        threads: Some(2),
        out: Some(tmp.path().join("out")),
        ..SweepRequest::default()
    };
    let summary = pipeline::sweep(&l, &req, &Silent).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summary.trials_run,
        2 * 30,
        "the baseline and the +100 point only"
    );
    let rows = rows(&summary.dir.join("sweep.csv"));
    let point = |k: &'static str| rows.iter().filter(move |r| r["point"] == k);
    assert!(point("1").count() > 0);
    for r in point("1") {
        let diffs = (&r["diff"], &r["diff_ci_low"], &r["diff_ci_high"]);
        assert_eq!(
            diffs,
            (&"0".to_string(), &"0".to_string(), &"0".to_string()),
            "{r:?}"
        );
    }
    assert!(
        point("2").any(|r| num(r, "diff") != 0.0),
        "a later ramp changes something"
    );
}

/// The terminal table names each `--vary` path once above it and gives each point's
/// values columns of their own, aligned: before, every row repeated the whole
/// `path=value` (90 characters for the README's slip example) and no column lined up.
#[test]
fn the_terminal_table_names_each_path_once_and_aligns_its_columns() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), CAPACITY).unwrap();
    let out = Command::cargo_bin("drawdown")
        .unwrap()
        .current_dir(tmp.path())
        .args(["sweep", "s.toml", "-n", "20", "-o", "out"])
        .args(["--vary", "factories.plant.capacity.initial*=1,2"])
        .args(["--vary", "factories.plant.capacity.ramp.*.slip_days+=0,30"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0], "change 1: factories.plant.capacity.initial",
        "{stdout}"
    );
    assert_eq!(
        lines[1], "change 2: factories.plant.capacity.ramp.*.slip_days",
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("point  change 1  change 2  series"),
        "{stdout}"
    );
    let rows: Vec<&str> = lines[3..]
        .iter()
        .copied()
        .filter(|l| l.contains('['))
        .collect();
    assert_eq!(rows.len(), 4, "4 points × 1 consuming series:\n{stdout}");
    // Every row's series and fill rate start under their headers.
    let at = |s: &str, what: &str| s.find(what).unwrap_or(usize::MAX);
    let (series, fill) = (at(lines[2], "series"), at(lines[2], "fill_rate"));
    for row in &rows {
        assert!(!row.contains("factories."), "{row}");
        assert_eq!(row.as_bytes()[series - 1], b' ', "{row}");
        assert_ne!(row.as_bytes()[series], b' ', "{row}");
        assert!(
            row[fill..].starts_with(|c: char| c.is_ascii_digit()),
            "{row}"
        );
    }
    assert!(
        rows[0].starts_with("    1  *1        +0        "),
        "{}",
        rows[0]
    );
}
