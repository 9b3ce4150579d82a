//! Fuzzes `--set` overrides of a valid scenario (the kitchen-sink fixture, which holds
//! every entity and option): each line of the input is one `path=value`. Most inputs
//! keep the scenario valid but for the fields they touch, so this reaches validation
//! of every field and the model far more often than mutating whole files does (see
//! `drawdown_fuzz::load_and_run`).
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
    let overrides: Vec<String> = input
        .lines()
        .filter(|l| !l.is_empty())
        .take(MAX_OVERRIDES)
        .map(str::to_owned)
        .collect();
    drawdown_fuzz::load_and_run(BASE, &overrides);
});
