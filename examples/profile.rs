//! Runs trials of the default scenario (or `configs/example.toml`) back to back on one
//! thread, with no runner and no output: a small, steady target for a profiler.
//!
//! ```sh
//! cargo build --release --example profile
//! valgrind --tool=callgrind ./target/release/examples/profile default 100
//! perf record ./target/release/examples/profile example 20000
//! ```

use drawdown::model::{Model, NoTrace, Workspace};
use drawdown::scenario::Scenario;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "default".into());
    let trials: u64 = args.next().map_or(Ok(200), |n| n.parse())?;
    let scenario = match which.as_str() {
        "default" => Scenario::default_with(&[])?,
        "example" => Scenario::from_toml(
            "configs/example.toml",
            include_str!("../configs/example.toml"),
            &[],
        )?,
        other => return Err(format!("unknown scenario {other:?}: default or example").into()),
    };
    let model = Model::new(scenario, 7);
    let mut ws = Workspace::new(&model);
    let mut final_stock = 0;
    for trial in 0..trials {
        final_stock += ws.run(&model, 20_220_224, trial, &mut NoTrace).series[0].final_stock;
    }
    println!("{trials} trials of {which}; sum of the first series' final stock {final_stock}");
    Ok(())
}
