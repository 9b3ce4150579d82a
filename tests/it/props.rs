//! Property tests on random valid scenarios (hardening issue 8).
//!
//! Each case renders a random scenario file ([`strategy`]), loads it like the binary does,
//! and checks, on every trial it runs:
//! - conservation (initial + produced + delivered + received − sent − consumed = final);
//! - the one-trial trace replays to the recorded end-of-day stocks (stocks are whole,
//!   never negative: a replayed withdrawal never goes below zero);
//! - the depletion day is the first day whose end-of-day stock is at or below the floor;
//! - `trials.csv` agrees with the trials re-run one by one, and every number in it is a
//!   whole non-negative count;
//! - no output CSV holds NaN or an infinity;
//! - the result folder is byte-identical at 1 and 3 threads (the manifest up to its
//!   timing and thread fields).
//!
//! The inputs are fixed (a fixed RNG seed, 48 cases) so that a failure reproduces;
//! `PROPTEST_CASES` and `PROPTEST_RNG_SEED` explore further. No regression file is
//! written: a failure prints the shrunk scenario, which belongs in a test of its own.

mod strategy;

use drawdown::model::{Model, SeriesOutcome, TraceKind, TraceLog, TrialOutcome, Workspace};
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::Silent;
use drawdown::scenario::Scenario;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::collections::BTreeMap;
use std::path::Path;
use strategy::Spec;

/// Trials traced event by event per case.
const TRACED: u64 = 4;
/// Trials of each Monte Carlo run: several work units, so threads share the work.
const TRIALS: u64 = 40;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 48;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(0x0d2a_3d05);
    }
    config
}

fn load(spec: &Spec) -> Result<Loaded, TestCaseError> {
    let text = spec.toml();
    Loaded::from_text("<prop>", &text, &[]).map_err(|e| {
        TestCaseError::fail(format!(
            "the generator wrote an invalid scenario: {e}\n{text}"
        ))
    })
}

/// End-of-day stock of series `s` on day `d`, from a trial run with daily reporting.
fn stock_on(model: &Model, out: &TrialOutcome, s: usize, d: u32) -> u64 {
    out.stock[s * model.report_days.len() + d as usize]
}

/// Depletion, minimum and flows of every series against the daily stock path.
fn check_series(model: &Model, out: &TrialOutcome) -> Result<(), TestCaseError> {
    if let Some(breach) = out.conservation_breach() {
        return Err(TestCaseError::fail(format!(
            "trial {}: {breach}",
            out.trial
        )));
    }
    let days = model.scenario.days;
    for (s, o) in out.series.iter().enumerate() {
        // The first moment at or below the floor: day 0's opening stock, then every
        // end-of-day stock.
        // A pass-through channel reports none.
        let opening = (o.initial <= o.floor).then_some(0);
        let first_at_floor = opening
            .or_else(|| (0..days).find(|&d| stock_on(model, out, s, d) <= o.floor))
            .filter(|_| !model.scenario.series[s].channel);
        prop_assert_eq!(
            o.depletion_day,
            first_at_floor,
            "trial {} series {}",
            out.trial,
            s
        );
        let lowest = (0..days).map(|d| stock_on(model, out, s, d)).min();
        prop_assert_eq!(o.min_stock, lowest.unwrap_or(o.initial).min(o.initial));
        prop_assert_eq!(o.final_stock, stock_on(model, out, s, days - 1));
    }
    Ok(())
}

/// Replays a trace: every record's `stock_after` follows from the movements before it,
/// the end-of-day stocks match the outcome, and depletion is traced once, on its day.
fn check_trace(model: &Model, out: &TrialOutcome, log: &TraceLog) -> Result<(), TestCaseError> {
    let n = model.series_count();
    let mut stock = vec![0_u64; n];
    let mut flows = vec![SeriesOutcome::default(); n];
    let mut depleted = vec![None; n];
    let mut records = log.records.iter().peekable();
    for d in 0..model.scenario.days {
        while let Some(r) = records.next_if(|r| r.day <= d) {
            prop_assert_eq!(r.day, d, "trace out of day order");
            let (s, q) = (r.series, r.quantity);
            let f = &mut flows[s];
            match r.kind {
                TraceKind::InitialStock => stock[s] = q,
                TraceKind::Produced => (stock[s], f.produced) = (stock[s] + q, f.produced + q),
                TraceKind::Delivered => (stock[s], f.delivered) = (stock[s] + q, f.delivered + q),
                TraceKind::Received => {
                    (stock[s], f.received) = (stock[s] + q, f.received + u128::from(q))
                }
                TraceKind::Sent | TraceKind::Consumed => {
                    let left = stock[s].checked_sub(q);
                    prop_assert!(
                        left.is_some(),
                        "day {d}: {r:?} takes more than the stock {}",
                        stock[s]
                    );
                    stock[s] = left.unwrap_or(0);
                    if r.kind == TraceKind::Sent {
                        f.sent += u128::from(q);
                    } else {
                        f.consumed += q;
                    }
                }
                TraceKind::Depleted => {
                    prop_assert!(depleted[s].is_none(), "series {s} depleted twice");
                    depleted[s] = Some(d);
                }
                _ => {}
            }
            prop_assert_eq!(r.stock_after, stock[s], "day {}: {:?}", d, r);
        }
        for (s, &v) in stock.iter().enumerate() {
            prop_assert_eq!(v, stock_on(model, out, s, d), "series {} day {}", s, d);
        }
    }
    for (s, o) in out.series.iter().enumerate() {
        let f = &flows[s];
        let traced = (f.produced, f.delivered, f.received, f.sent, f.consumed);
        prop_assert_eq!(
            traced,
            (o.produced, o.delivered, o.received, o.sent, o.consumed)
        );
        prop_assert_eq!(depleted[s], o.depletion_day);
    }
    Ok(())
}

/// Runs the first trials with their full trace and checks each one.
fn check_traced_trials(model: &Model, seed: u64) -> Result<(), TestCaseError> {
    let mut ws = Workspace::new(model);
    for trial in 0..TRACED {
        let mut log = TraceLog::default();
        let out = ws.run(model, seed, trial, &mut log).clone();
        check_series(model, &out)?;
        check_trace(model, &out, &log)?;
    }
    Ok(())
}

fn request(out: &Path, threads: usize, step_days: u32) -> RunRequest {
    RunRequest {
        trials: TRIALS,
        seed: None,
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        step_days,
        ..RunRequest::default()
    }
}

/// Every file of a result folder by name; the manifest without its timing and threads.
fn folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut bytes = std::fs::read(&path).unwrap();
        if name == "manifest.json" {
            let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let map = json.as_object_mut().unwrap();
            for key in ["started", "finished", "wall_seconds", "threads"] {
                assert!(map.remove(key).is_some(), "manifest.json has no {key}");
            }
            bytes = serde_json::to_vec(&json).unwrap();
        }
        files.insert(name, bytes);
    }
    files
}

/// No field of any CSV reads as NaN or an infinity.
fn check_finite(files: &BTreeMap<String, Vec<u8>>) -> Result<(), TestCaseError> {
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".csv")) {
        let text =
            std::str::from_utf8(bytes).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        for (line, row) in text.lines().enumerate() {
            for field in row.split(',') {
                let bad = field.parse::<f64>().is_ok_and(|v| !v.is_finite());
                prop_assert!(!bad, "{}:{}: '{}' in {}", name, line + 1, field, row);
            }
        }
    }
    Ok(())
}

/// `trials.csv` against the trials re-run one by one with daily stock paths.
fn check_trials_csv(model: &Model, seed: u64, csv: &[u8]) -> Result<(), TestCaseError> {
    let text = std::str::from_utf8(csv).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let mut ws = Workspace::new(model);
    let mut rows = lines.map(|l| l.split(',').collect::<Vec<&str>>());
    let sc = &model.scenario;
    for trial in 0..TRIALS {
        let out = ws
            .run(model, seed, trial, &mut drawdown::model::NoTrace)
            .clone();
        check_series(model, &out)?;
        for (s, o) in out.series.iter().enumerate() {
            let row = rows
                .next()
                .ok_or_else(|| TestCaseError::fail("trials.csv is short"))?;
            let def = &sc.series[s];
            let key = (row[col("trial")], row[col("nation")], row[col("item")]);
            let want = (
                trial.to_string(),
                &sc.nations[def.nation].id,
                &sc.items[def.item].id,
            );
            prop_assert_eq!(key, (want.0.as_str(), want.1.as_str(), want.2.as_str()));
            let count = |name: &str| row[col(name)].parse::<u64>().ok();
            for name in [
                "min_stock",
                "final_stock",
                "produced",
                "received",
                "sent",
                "consumed",
                "unmet",
            ] {
                prop_assert!(
                    count(name).is_some(),
                    "{} is not a whole count: {:?}",
                    name,
                    row
                );
            }
            let day = row[col("depletion_day")];
            let day = (!day.is_empty()).then(|| day.parse::<u32>().ok());
            prop_assert_eq!(day, o.depletion_day.map(Some));
            let date = o
                .depletion_day
                .map(|d| sc.date_of(d).to_string())
                .unwrap_or_default();
            prop_assert_eq!(row[col("depletion_date")], date.as_str());
            let got = [
                count("min_stock"),
                count("final_stock"),
                count("floor"),
                count("consumed"),
            ];
            prop_assert_eq!(
                got,
                [o.min_stock, o.final_stock, o.floor, o.consumed].map(Some)
            );
            // Depleted (some day) exactly when the lowest stock, opening stock of day 0
            // included, was at or below the floor.
            if !def.channel {
                prop_assert_eq!(
                    o.depletion_day.is_some(),
                    o.min_stock <= o.floor,
                    "row {:?}",
                    row
                );
            }
        }
    }
    prop_assert!(rows.next().is_none(), "trials.csv has extra rows");
    Ok(())
}

/// Runs the scenario at 1 and 3 threads and checks the result folders.
fn check_runs(loaded: &Loaded, step_days: u32) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let (one, three) = (tmp.path().join("one"), tmp.path().join("three"));
    let fail =
        |e: drawdown::Error| TestCaseError::fail(format!("run failed: {e}\n{}", loaded.text));
    pipeline::run(loaded, &request(&one, 1, step_days), &Silent).map_err(fail)?;
    pipeline::run(loaded, &request(&three, 3, step_days), &Silent).map_err(fail)?;
    let (a, b) = (folder(&one), folder(&three));
    prop_assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        prop_assert!(
            bytes == &b[name],
            "{} differs between 1 and 3 threads",
            name
        );
    }
    check_finite(&a)?;
    let seed = loaded.scenario.seed.unwrap_or(pipeline::DEFAULT_SEED);
    let daily = Model::new(loaded.scenario.clone(), 1);
    check_trials_csv(&daily, seed, &a["trials.csv"])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_scenarios_conserve_stock_and_reproduce_across_threads(
        spec in strategy::spec(),
        step_days in prop_oneof![Just(1_u32), Just(7), Just(30)],
    ) {
        let loaded = load(&spec)?;
        let daily = Model::new(loaded.scenario.clone(), 1);
        check_traced_trials(&daily, spec.seed)?;
        check_runs(&loaded, step_days)?;
    }
}

/// Depletion is "the first moment the stock is at or below the floor" (DESIGN §1), and
/// the opening stock is day 0's first moment: a stock that opens empty is depleted on
/// day 0 even if day 0's production refills it. Found by the property test above (the
/// model used to check end-of-day stocks only, while `min_stock` counted the opening).
#[test]
fn a_series_opening_at_its_floor_is_depleted_on_day_zero() {
    let text = r#"
[scenario]
name = "day_zero"
start = "2024-01-01"
end = "2024-01-31"
[items.shell]
[nations.a.stock.shell]
initial = 0
[factories.plant]
owner = "a"
item = "shell"
capacity.initial = 3000
"#;
    let scenario = Scenario::from_toml("<test>", text, &[]).unwrap();
    let model = Model::new(scenario, 1);
    let out = Workspace::new(&model)
        .run(&model, 1, 0, &mut drawdown::model::NoTrace)
        .clone();
    let s = out.series[0];
    assert_eq!((s.initial, s.floor, s.min_stock), (0, 0, 0));
    assert_eq!(s.depletion_day, Some(0), "{s:?}");
}
