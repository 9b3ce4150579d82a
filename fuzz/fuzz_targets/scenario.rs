//! Fuzzes scenario files: TOML parsing, `--set` overrides, validation, error location,
//! `drawdown check`'s description, and one trial of every cheap scenario that validates
//! (see `drawdown_fuzz::load_and_run`).
//!
//! Input: UTF-8 text. Everything before the first NUL byte is the scenario file; each
//! NUL-separated piece after it is one `--set path=value` override.
//!
//! Run it (see README.md, "Fuzzing"):
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none scenario fuzz/corpus/scenario fuzz/seeds configs tests/fixtures -- -dict=fuzz/scenario.dict`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let mut pieces = input.split('\0');
    let text = pieces.next().unwrap_or_default();
    let overrides: Vec<String> = pieces.map(str::to_owned).collect();
    drawdown_fuzz::load_and_run(text, &overrides);
});
