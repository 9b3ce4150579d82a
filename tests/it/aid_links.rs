//! Issue 9, items 1–3: need versus fire (rationing), aid linked to production, and
//! donors' own use, each checked against answers derived by hand in the comments.

use drawdown::model::{Model, TraceKind, TraceLog, TrialOutcome, Workspace};
use drawdown::scenario::Scenario;

fn inline(text: &str) -> Scenario {
    Scenario::from_toml("<test>", text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs trial `trial` with a trace; checks conservation.
fn traced(model: &Model, trial: u64) -> (TrialOutcome, TraceLog) {
    let mut ws = Workspace::new(model);
    let mut log = TraceLog::default();
    let out = ws.run(model, 11, trial, &mut log).clone();
    if let Some(breach) = out.conservation_breach() {
        panic!("trial {trial}: {breach}");
    }
    (out, log)
}

fn series(model: &Model, label: &str) -> usize {
    (0..model.series_count())
        .find(|&i| model.scenario.series_label(i) == label)
        .unwrap_or_else(|| panic!("no series {label}"))
}

/// The traced quantity of `kind` on `series` for each day (0 when none).
fn daily(log: &TraceLog, model: &Model, series: usize, kind: TraceKind) -> Vec<u64> {
    let mut v = vec![0; model.scenario.days as usize];
    for r in log
        .records
        .iter()
        .filter(|r| r.series == series && r.kind == kind)
    {
        v[r.day as usize] += r.quantity;
    }
    v
}

/// A front with 3000 rounds and no inflow, mean need 100 a day (Poisson), rationed to
/// half its need while the stock covers fewer than 20 days (2000 rounds).
const FRACTION: &str = r#"
[scenario]
name = "fraction"
start = "2024-01-01"
end = "2024-02-29"
[items.x]
[nations.r.stock.x]
initial = 3000
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 100
[demand.front.rationing]
cover_days = 20
fraction = 0.5
"#;

/// Replaying the rule on the traced need: with `S` the morning stock and `n` the
/// need, fire `min(n, S)` while `S >= 2000`, and `min(floor(n/2), S)` once `S < 2000`;
/// the rest is unmet, and of it `min(n, S) − fire` is rationed.
#[test]
fn a_cover_rule_fires_the_stated_fraction_once_cover_is_short() {
    let model = Model::new(inline(FRACTION), 1);
    let r = series(&model, "r.x");
    for trial in 0..20 {
        let (out, log) = traced(&model, trial);
        let need = daily(&log, &model, r, TraceKind::Demanded);
        let fired = daily(&log, &model, r, TraceKind::Consumed);
        let (mut stock, mut unmet, mut rationed) = (3000_u64, 0, 0);
        let mut halved = false;
        for (d, &n) in need.iter().enumerate() {
            let can = n.min(stock);
            let fire = if stock < 2000 {
                (n / 2).min(stock)
            } else {
                can
            };
            halved |= stock < 2000;
            assert_eq!(fired[d], fire, "trial {trial} day {d}");
            rationed += can - fire;
            unmet += n - fire;
            stock -= fire;
        }
        assert!(halved, "the rule never bound: stock stayed at 2000 or more");
        let s = &out.series[r];
        assert_eq!(
            (s.final_stock, s.unmet, s.rationed),
            (stock, unmet, rationed)
        );
        assert_eq!(s.consumed + s.unmet, s.demanded);
    }
}

/// `keep_days = 5` at 100 a day keeps ceil(5 · 100) = 500 rounds: the front fires
/// `min(n, S − 500)`, so from 1000 rounds it fires exactly 500 over the horizon (28
/// days of Poisson(100) need far exceed 500), ends with 500, and every unmet round is
/// rationed (the stock never falls below 500, and one day's need never exceeds it).
#[test]
fn a_keep_rule_fires_down_to_the_kept_cover_and_no_further() {
    let text = FRACTION
        .replace("initial = 3000", "initial = 1000")
        .replace("2024-02-29", "2024-01-28")
        .replace("cover_days = 20\nfraction = 0.5", "keep_days = 5");
    let model = Model::new(inline(&text), 1);
    let r = series(&model, "r.x");
    for trial in 0..20 {
        let (out, _) = traced(&model, trial);
        let s = &out.series[r];
        assert_eq!((s.final_stock, s.consumed), (500, 500), "trial {trial}");
        assert_eq!(s.unmet, s.demanded - 500);
        assert_eq!(s.rationed, s.unmet);
        assert_eq!(s.depletion_day, None, "rationing keeps stock in hand");
    }
}

/// A factory of exactly 100 rounds a day (3043.75 a month of 30.4375 days) owned by
/// the donor, which passes on half of each 30 days' output: dispatches on days 29, 59,
/// 89 and 119 (start 2024-01-30, every 30 days) each send 0.5 · 3000 = 1500 rounds;
/// with 5 days in transit the first three arrive (days 34, 64, 94) and the last is
/// still in transit on the last day (119).
const SHARE: &str = r#"
[scenario]
name = "share"
start = "2024-01-01"
end = "2024-04-29"
[items.x]
[nations.us]
[nations.ua]
[factories.plant]
owner = "us"
item = "x"
capacity.initial = 3043.75
[transfers.output_share]
from = "us"
to = "ua"
item = "x"
factory = "plant"
share = 0.5
start = "2024-01-30"
every_days = 30
transit_days = 5
"#;

#[test]
fn a_production_share_passes_on_exactly_that_share_with_conservation() {
    let model = Model::new(inline(SHARE), 1);
    let (us, ua) = (series(&model, "us.x"), series(&model, "ua.x"));
    let (out, log) = traced(&model, 0);
    assert_eq!(out.series[us].produced, 12_000);
    assert_eq!(out.series[us].sent, 6_000);
    assert_eq!(out.series[us].final_stock, 6_000);
    assert_eq!(out.series[ua].received, 4_500);
    let sent = daily(&log, &model, us, TraceKind::Sent);
    let days: Vec<(usize, u64)> = sent
        .iter()
        .enumerate()
        .filter(|(_, q)| **q > 0)
        .map(|(d, q)| (d, *q))
        .collect();
    assert_eq!(days, vec![(29, 1500), (59, 1500), (89, 1500), (119, 1500)]);
}

/// A ramp-up reaches the recipient by the amount the flow implies: doubling the
/// factory to 200 a day doubles each package (3000), so the recipient receives
/// 3 · 3000 = 9000, 4500 more; a share of 0.3 sends 0.3 · 3000 = 900 per package.
/// A floor of 2000 on the donor caps the first package at 3000 − 2000 = 1000 (not made
/// up later: later packages are 1500 each, the donor holding 2000 + 1500 after each).
#[test]
fn a_ramp_up_sweep_moves_the_recipient_by_the_flow() {
    let cases = [
        (
            "capacity.initial = 3043.75",
            "capacity.initial = 6087.5",
            9_000,
        ),
        ("share = 0.5", "share = 0.3", 2_700),
        (
            "[nations.us]",
            "[nations.us.stock.x]\ninitial = 0\nfloor = 2000",
            1_000 + 1_500 + 1_500,
        ),
    ];
    for (from, to, received) in cases {
        let model = Model::new(inline(&SHARE.replace(from, to)), 1);
        let ua = series(&model, "ua.x");
        let (out, _) = traced(&model, 0);
        assert_eq!(out.series[ua].received, received, "{to}");
    }
}

/// A donor with 10 000 rounds and a floor of 2000 trains with Poisson(100) a day and
/// reserves 10 days of it (ceil(10 · 100) = 1000) from aid; a policy transfer sends
/// all it may every day. Own use comes first each day (consumption before
/// dispatches): on day 0 the front fires its need n₀ in full, then aid sends
/// 10 000 − n₀ − 2000 − 1000 = 7000 − n₀, leaving 3000. From day 1 own use takes n_d
/// from stock and aid sends nothing (stock ≤ 3000), so own use is always served (20
/// days of need, about 2000, stay below 3000) and the stock may fall below the floor:
/// the floor protects against aid, not against the donor's own use.
const OWN_USE: &str = r#"
[scenario]
name = "own_use"
start = "2024-01-01"
end = "2024-01-20"
[items.x]
[nations.us.stock.x]
initial = 10000
floor = 2000
[nations.ua]
[demand.training]
nation = "us"
item = "x"
reserve_days = 10
[demand.training.schedule.all]
from = "2024-01-01"
per_day = 100
[transfers.all_above_floor]
from = "us"
to = "ua"
item = "x"
share = 1.0
start = "2024-01-01"
every_days = 1
transit_days = 1
"#;

#[test]
fn a_donors_own_use_is_served_before_aid() {
    let model = Model::new(inline(OWN_USE), 1);
    let us = series(&model, "us.x");
    for trial in 0..20 {
        let (out, log) = traced(&model, trial);
        let need = daily(&log, &model, us, TraceKind::Demanded);
        let sent = daily(&log, &model, us, TraceKind::Sent);
        let s = &out.series[us];
        assert_eq!(sent[0], 7000 - need[0], "trial {trial}");
        assert!(sent[1..].iter().all(|&q| q == 0), "trial {trial}");
        assert_eq!((s.unmet, s.consumed), (0, s.demanded), "trial {trial}");
        let later: u64 = need[1..].iter().sum();
        assert_eq!(s.final_stock, 3000 - later, "trial {trial}");
    }
}

/// Without a reserve, aid takes everything above the floor after own use; the same
/// day's own use is still served first.
#[test]
fn without_a_reserve_aid_leaves_only_the_floor_after_own_use() {
    let model = Model::new(inline(&OWN_USE.replace("reserve_days = 10\n", "")), 1);
    let us = series(&model, "us.x");
    let (out, log) = traced(&model, 3);
    let need = daily(&log, &model, us, TraceKind::Demanded);
    let sent = daily(&log, &model, us, TraceKind::Sent);
    assert_eq!(sent[0], 8000 - need[0]);
    assert!(out.series[us].final_stock <= 2000);
    assert_eq!(out.series[us].unmet, 0);
}

#[test]
fn bad_rationing_and_production_links_are_errors_naming_the_field() {
    let cases = [
        (
            FRACTION.replace("fraction = 0.5", ""),
            "demand.front.rationing.fraction: missing",
        ),
        (
            FRACTION.replace("fraction = 0.5", "fraction = 1.5"),
            "demand.front.rationing.fraction: must be a share between 0 and 1",
        ),
        (
            FRACTION.replace("cover_days = 20\nfraction = 0.5", "keep_days = -1"),
            "demand.front.rationing.keep_days: must not be negative",
        ),
        (
            FRACTION.replace("cover_days = 20\nfraction = 0.5", ""),
            "demand.front.rationing: empty",
        ),
        (
            SHARE.replace("factory = \"plant\"", "factory = \"nope\""),
            "transfers.output_share.factory: unknown factory 'nope'",
        ),
        (
            SHARE.replace("from = \"us\"\nto = \"ua\"", "from = \"ua\"\nto = \"us\""),
            "transfers.output_share.factory: factory 'plant' is us's",
        ),
        (
            SHARE.replace("share = 0.5", "quantity = 10"),
            "transfers.output_share.quantity: a production-linked transfer",
        ),
        (
            OWN_USE.replace("reserve_days = 10", "reserve_days = 40000"),
            "demand.training.reserve_days: must be days between 0 and 36525",
        ),
    ];
    for (text, expected) in cases {
        let err = Scenario::from_toml("<test>", &text, &[]).expect_err(expected);
        assert!(
            err.to_string().contains(expected),
            "{err}\nexpected: {expected}"
        );
    }
}

/// Rows of `trials.csv` in `dir` as (column → value) maps.
fn trial_rows(dir: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("trials.csv")).expect("trials.csv");
    let header = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Runs `text` with `drawdown run` (20 trials, seed 11) and returns the result folder.
fn run_cli(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.toml"), text).expect("writing the scenario");
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir.path())
        .args([
            "run", "s.toml", "-n", "20", "--seed", "11", "-o", "out", "--quiet",
        ])
        .assert()
        .success();
    let out = dir.path().join("out");
    (dir, out)
}

/// `trials.csv` reports `demanded` and `rationed`. Under the keep rule above (1000
/// rounds, keep 500) every trial fires exactly 500 and every unmet round is rationed:
/// `rationed = unmet = demanded − 500` in each row, so the summary's `rationed_mean` is
/// `demanded_mean − 500`. Under the cover rule, each row's `rationed` is the trial's
/// outcome, which the hand replay above checks day by day.
#[test]
fn trials_csv_and_summary_report_rationed_fire() {
    let keep = FRACTION
        .replace("initial = 3000", "initial = 1000")
        .replace("2024-02-29", "2024-01-28")
        .replace("cover_days = 20\nfraction = 0.5", "keep_days = 5");
    let (_tmp, out) = run_cli(&keep);
    let rows = trial_rows(&out);
    assert_eq!(rows.len(), 20);
    let mut demanded_total = 0_u64;
    for row in &rows {
        let get = |c: &str| -> u64 { row[c].parse().unwrap_or_else(|_| panic!("{c}: {row:?}")) };
        assert_eq!(get("consumed"), 500, "{row:?}");
        assert_eq!(get("rationed"), get("demanded") - 500, "{row:?}");
        assert_eq!(get("rationed"), get("unmet"), "{row:?}");
        demanded_total += get("demanded");
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary.csv");
    let estimate = |metric: &str| -> f64 {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("r,x,{metric},")))
            .unwrap_or_else(|| panic!("no {metric} in\n{summary}"));
        line.split(',')
            .nth(3)
            .and_then(|v| v.parse().ok())
            .expect("estimate")
    };
    let rationed_mean = demanded_total as f64 / 20.0 - 500.0;
    assert!((estimate("rationed_mean") - rationed_mean).abs() < 1e-6 * rationed_mean);
    assert!((estimate("demanded_mean") - 500.0 - estimate("rationed_mean")).abs() < 1e-3);

    let (_tmp, out) = run_cli(FRACTION);
    let model = Model::new(inline(FRACTION), 1);
    let r = series(&model, "r.x");
    for (trial, row) in trial_rows(&out).iter().enumerate() {
        let (o, _) = traced(&model, trial as u64);
        assert_eq!(
            row["rationed"],
            o.series[r].rationed.to_string(),
            "trial {trial}"
        );
        assert_eq!(
            row["demanded"],
            o.series[r].demanded.to_string(),
            "trial {trial}"
        );
    }
}
