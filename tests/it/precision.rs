//! `--until-ci W` keeps its promise: after stopping, the 95 % interval of every reported
//! depletion probability (every day of the curve, not only the horizon) is narrower
//! than W.

use crate::determinism::widest_interval;
use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::Silent;

/// The case of the issue: stock 1 000, Poisson(10) need, 150 days reported daily. The
/// depletion curve crosses 1/2 around day 100, where the Wilson interval is widest; the
/// horizon's probability is near 1, whose interval is narrow long before.
const STOCK: &str = r#"
[scenario]
name = "stock"
start = "2024-01-01"
end = "2024-05-29"
[items.x]
[nations.r.stock.x]
initial = 1000
[demand.front]
nation = "r"
item = "x"
[demand.front.schedule.all]
from = "2024-01-01"
per_day = 10
"#;

#[test]
fn until_ci_holds_on_every_reported_day() {
    let loaded = Loaded::from_text("<stock>", STOCK, &[]).unwrap();
    assert_eq!(loaded.scenario.days, 150);
    let tmp = tempfile::tempdir().unwrap();
    let request = |name: &str, trials: u64, until_ci: Option<f64>| RunRequest {
        trials,
        seed: Some(3),
        threads: Some(2),
        out: Some(tmp.path().join(name)),
        step_days: 1,
        until_ci,
        ..RunRequest::default()
    };
    let width = 0.02;
    let run = pipeline::run(&loaded, &request("ci", 200_000, Some(width)), &Silent).unwrap();
    assert_eq!(run.precision_reached, Some(true));
    let widest = widest_interval(&run.dir, "r");
    assert!(widest < width, "widest reported interval {widest}");
    // The Wilson interval at p = 1/2 is narrower than W only from about
    // (2 · 1.96 · 0.5 / W)² = 9 604 trials on: the stop cannot come earlier.
    assert!(run.trials >= 9604, "{} trials", run.trials);
    // One wave fewer: some day was still too wide (the horizon alone was not).
    let earlier = request("earlier", run.trials - 2048, None);
    let earlier = pipeline::run(&loaded, &earlier, &Silent).unwrap();
    assert!(widest_interval(&earlier.dir, "r") >= width - 2e-6);
    // The manifest records that W was reached; a run whose -n runs out first, that it
    // was not; a run without --until-ci, nothing.
    let reached = |dir: &std::path::Path| {
        let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        m.get("until_ci_reached").cloned()
    };
    assert_eq!(reached(&run.dir), Some(serde_json::Value::Bool(true)));
    let short = pipeline::run(&loaded, &request("short", 2048, Some(width)), &Silent).unwrap();
    assert_eq!(short.precision_reached, Some(false));
    assert_eq!(reached(&short.dir), Some(serde_json::Value::Bool(false)));
    assert_eq!(reached(&earlier.dir), None);
}
