//! Fuzzes `--set` overrides of a valid scenario (the kitchen-sink fixture, which holds
//! every entity and option): each line of the input is one `path=value`. The lines that
//! keep the scenario valid are kept and the scenario simulated, so this reaches the
//! validation of every field and the model far more often than mutating whole files
//! does (see `drawdown_fuzz::load_and_run`).
//!
//! Run it (see README.md, "Fuzzing"):
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none overrides fuzz/corpus/overrides fuzz/seeds_overrides -- -dict=fuzz/overrides.dict`

#![no_main]

use libfuzzer_sys::fuzz_target;

/// The scenario every input edits.
const BASE: &str = include_str!("../../tests/fixtures/kitchen_sink.toml");
/// Most overrides per input.
const MAX_OVERRIDES: usize = 16;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // Keep the lines that leave the scenario valid, so that one bad line does not hide
    // what the others do to the model; every line is still validated (and its error
    // formatted) on the way.
    let mut kept: Vec<String> = Vec::new();
    for line in input.lines().filter(|l| !l.is_empty()).take(MAX_OVERRIDES) {
        kept.push(line.to_owned());
        if drawdown_fuzz::load(BASE, &kept).is_none() {
            kept.pop();
        }
    }
    drawdown_fuzz::load_and_run(BASE, &kept);
});
