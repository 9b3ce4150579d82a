//! Extremes: quantities at 10^12, a 100-year horizon, aid bouncing back and forth, and
//! the overrides that used to panic with "stats accumulator overflow". Nothing may
//! overflow, stock must be conserved, and every output must be written.

use drawdown::model::limits::{self, MAX_ROUNDS};
use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::Silent;
use drawdown::scenario::Scenario;
use std::path::Path;

/// 100 years (36 525 days); every quantity at 10^12; four factories at 10^12 rounds a
/// month running at 4 times capacity (1.3·10^11 a day, just under the daily ceiling);
/// a front needing 10^12 rounds a day with bursty negative-binomial need and
/// backordering; an (s, S) policy at 10^12 reviewed daily; a contract of 10^12 in
/// 100 000 tranches; and both nations sending all they hold to each other every day,
/// so the aid totals pass 2^64.
const EXTREME: &str = r#"
[scenario]
name = "extreme"
start = "2000-01-01"
end = "2099-12-31"
backorder = true
[items.x]
[nations.a.stock.x]
initial = 1e12
[nations.a.procurement.x]
reorder_point = 1e12
target = 1e12
review_days = 1
lead_time_days = 1
[nations.b.stock.x]
initial = 1e12
floor = 1e12
[factories.f1]
owner = "a"
item = "x"
capacity.initial = 1e12
output_factor = 4
[factories.f2]
owner = "a"
item = "x"
capacity.initial = 1e12
output_factor = 4
[factories.f3]
owner = "b"
item = "x"
capacity.initial = 1e12
output_factor = 4
[factories.f4]
owner = "b"
item = "x"
capacity.initial = 1e12
output_factor = 4
[contracts.c]
buyer = "b"
item = "x"
quantity = 1e12
award = "2000-01-01"
lead_time_days = 1
tranches = 100000
[demand.front]
nation = "b"
item = "x"
dispersion = 0.5
[demand.front.schedule.all]
from = "2000-01-01"
per_day = 1e12
[transfers.ab]
from = "a"
to = "b"
item = "x"
start = "2000-01-01"
every_days = 1
share = 1
transit_days = 1
below_floor = true
[transfers.ba]
from = "b"
to = "a"
item = "x"
start = "2000-01-01"
every_days = 1
share = 1
transit_days = 1
below_floor = true
"#;

fn loaded(text: &str, overrides: &[String]) -> Option<Loaded> {
    Loaded::from_text("<extreme>", text, overrides).ok()
}

fn run(loaded: &Loaded, out: &Path, trials: u64, step_days: u32) {
    let req = RunRequest {
        trials,
        seed: Some(1),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        step_days,
        ..RunRequest::default()
    };
    let summary = pipeline::run(loaded, &req, &Silent).unwrap();
    for file in ["summary.csv", "depletion.csv", "stock.csv", "shortfall.csv"] {
        let text = std::fs::read_to_string(summary.dir.join(file)).unwrap();
        assert!(text.lines().count() > 1, "{file} is empty");
    }
}

#[test]
fn a_century_at_the_largest_quantities_is_conserved_and_reported() {
    let loaded = loaded(EXTREME, &[]).expect("a valid scenario");
    let s = &loaded.scenario;
    assert_eq!(s.days, 36_525);
    assert!(limits::check(s).is_ok(), "{:?}", limits::check(s));
    assert!(limits::rounds_bound(s) < MAX_ROUNDS);
    let model = Model::new(s.clone(), 365);
    let mut ws = Workspace::new(&model);
    let mut beyond_u64 = false;
    for t in 0..3 {
        let out = ws.run(&model, 1, t, &mut NoTrace);
        if let Some(breach) = out.conservation_breach() {
            panic!("trial {t}: {breach}");
        }
        for o in &out.series {
            assert!(u128::from(o.final_stock) < MAX_ROUNDS, "{o:?}");
            assert_eq!(o.met_on_time() + o.late_filled, o.consumed, "{o:?}");
            assert_eq!(o.late_filled + o.final_backlog, o.unmet, "{o:?}");
            beyond_u64 |= o.sent > u128::from(u64::MAX);
        }
    }
    assert!(beyond_u64, "the aid totals should pass 2^64 here");
    let tmp = tempfile::tempdir().unwrap();
    run(&loaded, &tmp.path().join("out"), 8, 365);
}

/// The overrides of the issue, which used to panic in the statistics: each is either
/// refused by validation or simulated to the end, with every output written.
#[test]
fn overrides_that_used_to_overflow_run_or_are_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("configs/example.toml")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (k, (set, trials)) in [
        ("factories.plant.capacity.initial=1e300", 200),
        ("factories.plant.capacity.initial=1e18", 200),
        ("nations.donor.stock.shell_155.initial=9.2e18", 200),
        ("factories.plant.capacity.initial=3e16", 10_000),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(loaded) = loaded(&text, &[set.to_string()]) else {
            continue;
        };
        run(&loaded, &tmp.path().join(k.to_string()), trials, 7);
    }
}

#[test]
fn the_rounds_bound_refuses_what_it_cannot_prove() {
    let default = Scenario::default_with(&[]).unwrap();
    assert!(limits::check(&default).is_ok());
    // 100 years of 2 000 factories: 2 000 · 36 525 · 2^37 ≈ 10^19 > 2^63.
    let mut big = loaded(EXTREME, &[]).unwrap().scenario;
    let factory = big.factories[0].clone();
    big.factories = vec![factory; 2000];
    let err = limits::check(&big).unwrap_err();
    assert!(err.contains("2^63"), "{err}");
}
