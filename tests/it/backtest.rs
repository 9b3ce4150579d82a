//! `drawdown backtest`: each measure against a hand calculation on a deterministic
//! scenario, against trials.csv on a random one, its errors, and the committed
//! configs/BACKTEST.md against what the command writes.

use drawdown::backtest::Verdict;
use drawdown::pipeline::{self, BacktestRequest, Loaded, RunRequest};
use drawdown::runner::Silent;
use drawdown::stats::sorted_quantile as quantile;
use std::path::Path;

/// A factory of exactly 100 rounds a day (3043.75 a month of 30.4375 days) owned by
/// the donor; packages of 1 000 rounds leave on days 0, 10, 20, … and arrive one day
/// later. The donor starts with 50 000 rounds.
const FLOWS: &str = r#"
[scenario]
name = "flows"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.donor.stock.x]
initial = 50000
[nations.ua.stock.x]
initial = 0
[factories.plant]
owner = "donor"
item = "x"
capacity.initial = 3043.75
[transfers.aid]
from = "donor"
to = "ua"
item = "x"
start = "2024-01-01"
every_days = 10
quantity = 1000
transit_days = 1
"#;

/// Over January (days 0–30): output 31 × 100 = 3 100, i.e. 100 a day and
/// 3 043.75 a month; packages leave on days 0, 10, 20, 30 (4 000 sent) and arrive on
/// days 1, 11, 21 (3 000 received by day 30; the fourth arrives on day 31). The
/// donor's stock on 31 January = 50 000 + 3 100 − 4 000 = 49 100.
const FLOW_MILESTONES: &str = r#"
[milestones.output_per_day]
label = "plant output"
measure = "output"
factories = ["plant"]
to = "2024-01-31"
per = "day"
reported = 100
source = "hand calculation"

[milestones.output_per_month]
label = "plant output"
measure = "output"
factories = ["plant"]
to = "2024-01-31"
per = "month"
reported = 3043.75
source = "hand calculation"

[milestones.sent]
label = "sent"
measure = "sent"
nations = ["donor"]
to = "2024-01-31"
reported = 4000
source = "hand calculation"

[milestones.received]
label = "received"
measure = "received"
nations = ["ua"]
to = "2024-01-31"
reported = 3000
source = "hand calculation"

[milestones.stock]
label = "donor stock"
measure = "stock"
nations = ["donor"]
to = "2024-01-31"
reported = 49100
source = "hand calculation"

[milestones.ratio]
label = "received / sent"
measure = "received"
nations = ["ua"]
to = "2024-01-31"
ratio_to = { measure = "sent", nations = ["donor"] }
reported = 0.75
source = "hand calculation"

[milestones.missed]
label = "sent, reported too high"
measure = "sent"
nations = ["donor"]
from = "2024-01-02"
to = "2024-01-31"
reported = { at_least = 5000 }
source = "hand calculation"
miss = "only three packages leave from 2 January to 31 January"
"#;

fn loaded(text: &str) -> Loaded {
    Loaded::from_text("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn request(milestones: &Path, trials: u64, threads: usize) -> BacktestRequest {
    BacktestRequest {
        milestones: milestones.to_path_buf(),
        trials,
        seed: Some(9),
        threads: Some(threads),
        out: None,
        force: false,
        command: "test".into(),
    }
}

#[test]
fn every_measure_matches_a_hand_calculation() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    std::fs::write(&file, FLOW_MILESTONES).unwrap();
    let (result, md) = pipeline::backtest(&loaded(FLOWS), &request(&file, 5, 1), &Silent).unwrap();
    let value = |id: &str| {
        let r = result.rows.iter().find(|r| r.milestone.id == id).unwrap();
        assert_eq!((r.p05, r.p95), (r.p50, r.p50), "{id} is deterministic");
        (r.p50, r.verdict)
    };
    assert_eq!(value("output_per_day"), (100.0, Verdict::Consistent));
    assert_eq!(value("output_per_month").1, Verdict::Consistent);
    assert!((value("output_per_month").0 - 3043.75).abs() < 1e-9);
    assert_eq!(value("sent"), (4000.0, Verdict::Consistent));
    assert_eq!(value("received"), (3000.0, Verdict::Consistent));
    assert_eq!(value("stock"), (49_100.0, Verdict::Consistent));
    assert_eq!(value("ratio"), (0.75, Verdict::Consistent));
    assert_eq!(value("missed"), (3000.0, Verdict::ModelLow));
    assert!(md.contains("- **missed** (model low): only three packages leave"));
}

/// Poisson need on a recipient that runs short: the per-trial fire over the whole
/// horizon, read by the back-test's probe, has exactly the quantiles of `consumed` in
/// trials.csv for the same seed and trials, whatever the thread count.
#[test]
fn per_trial_values_agree_with_trials_csv_at_any_thread_count() {
    let text = r#"
[scenario]
name = "short"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.ua.stock.x]
initial = { dist = "uniform", min = 5000, max = 15000 }
[demand.front]
nation = "ua"
item = "x"
dispersion = 4
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 100
"#;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    std::fs::write(
        &file,
        r#"
[milestones.fired]
label = "fired"
measure = "fired"
nations = ["ua"]
to = "2024-03-31"
reported = 9000
source = "test"
"#,
    )
    .unwrap();
    let sc = loaded(text);
    let trials = 300;
    let (one, _) = pipeline::backtest(&sc, &request(&file, trials, 1), &Silent).unwrap();
    let (two, _) = pipeline::backtest(&sc, &request(&file, trials, 2), &Silent).unwrap();
    let req = RunRequest {
        trials,
        seed: Some(9),
        threads: Some(2),
        out: Some(tmp.path().join("run")),
        ..RunRequest::default()
    };
    let dir = pipeline::run(&sc, &req, &Silent).unwrap().dir;
    let mut reader = csv::Reader::from_path(dir.join("trials.csv")).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "consumed")
        .unwrap();
    let mut consumed: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap()[col].parse().unwrap())
        .collect();
    consumed.sort_by(f64::total_cmp);
    assert_eq!(consumed.len() as u64, trials);
    for r in [&one.rows[0], &two.rows[0]] {
        assert_eq!(r.p05, quantile(&consumed, 0.05));
        assert_eq!(r.p50, quantile(&consumed, 0.5));
        assert_eq!(r.p95, quantile(&consumed, 0.95));
    }
    assert!(
        one.rows[0].p05 < one.rows[0].p95,
        "the draws differ between trials"
    );
}

#[test]
fn bad_milestones_are_usage_errors_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    let bad = FLOW_MILESTONES.replace(
        "nations = [\"ua\"]\nto = \"2024-01-31\"\nreported = 3000",
        "nations = [\"ukraine\"]\nto = \"2024-01-31\"\nreported = 3000",
    );
    std::fs::write(&file, bad).unwrap();
    let err = pipeline::backtest(&loaded(FLOWS), &request(&file, 5, 1), &Silent).unwrap_err();
    assert!(err.is_usage());
    let msg = err.to_string();
    assert!(
        msg.contains("milestones.received.nations: unknown nation 'ukraine'"),
        "{msg}"
    );
    assert!(msg.contains("m.toml, line 31, column 11"), "{msg}");
    std::fs::write(
        &file,
        FLOW_MILESTONES.replace(
            "to = \"2024-01-31\"\nreported = 49100",
            "to = \"2025-01-31\"\nreported = 49100",
        ),
    )
    .unwrap();
    let msg = pipeline::backtest(&loaded(FLOWS), &request(&file, 5, 1), &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("milestones.stock.to: 2025-01-31 must be within the horizon"),
        "{msg}"
    );
}

/// A reported figure that no measure can take (not a number, infinite, negative) or a
/// bracket upside down is refused at its line, with what was expected; before, `nan`
/// was judged "consistent" and `{ min = 10, max = 5 }` printed as `10 – 5`.
#[test]
fn impossible_reported_figures_are_refused_at_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    for (written, expected) in [
        ("nan", "must be a finite number >= 0, got NaN"),
        ("inf", "must be a finite number >= 0, got inf"),
        ("-5", "must be a finite number >= 0, got -5"),
        ("{ min = 10, max = 5 }", "min 10 is above max 5"),
        ("{ at_least = -1 }", "must be a finite number >= 0, got -1"),
        ("\"lots\"", "a number, or a table: { min = …, max = … }"),
    ] {
        let bad = FLOW_MILESTONES.replacen("reported = 3000", &format!("reported = {written}"), 1);
        assert_ne!(bad, FLOW_MILESTONES);
        std::fs::write(&file, bad).unwrap();
        let err = pipeline::backtest(&loaded(FLOWS), &request(&file, 5, 1), &Silent).unwrap_err();
        assert!(err.is_usage(), "{written}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(expected), "{written}: {msg}");
        assert!(
            msg.contains("m.toml, line 33, column 12: milestones."),
            "{written}: {msg}"
        );
    }
}

#[test]
fn the_report_never_replaces_a_file_drawdown_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.toml");
    std::fs::write(&file, FLOW_MILESTONES).unwrap();
    let out = tmp.path().join("BACKTEST.md");
    std::fs::write(&out, "my notes\n").unwrap();
    let mut req = request(&file, 5, 1);
    req.out = Some(out.clone());
    let err = pipeline::backtest(&loaded(FLOWS), &req, &Silent).unwrap_err();
    assert!(err.is_usage(), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my notes\n");
    std::fs::remove_file(&out).unwrap();
    pipeline::backtest(&loaded(FLOWS), &req, &Silent).unwrap();
    let first = std::fs::read_to_string(&out).unwrap();
    pipeline::backtest(&loaded(FLOWS), &req, &Silent).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        first,
        "its own report is replaced"
    );
    req.out = Some(file.clone());
    assert!(
        pipeline::backtest(&loaded(FLOWS), &req, &Silent)
            .unwrap_err()
            .is_usage()
    );
}
