//! The `drawdown` binary as a user meets it: exit codes, error messages that locate each
//! mistake (file, line, column, field path, what was expected), `--set` overrides, usage
//! errors, the result folder, traces and Ctrl-C.
//!
//! Every command runs in a fresh temporary folder, so nothing is written into the
//! repository. Each bad scenario is `tests/fixtures/minimal.toml` with one edit, written
//! into that folder; the line and column a message must give are computed from the edited
//! text, so they are real positions, not copies of the output.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A valid scenario with every kind of entity once.
const MINIMAL: &str = include_str!("../fixtures/minimal.toml");

/// The columns DESIGN §4 promises, in order, for each contract file.
const CONTRACT_COLUMNS: [(&str, &str); 4] = [
    (
        "summary.csv",
        "nation,item,metric,estimate,ci_low,ci_high,trials",
    ),
    (
        "depletion.csv",
        "nation,item,day,date,p_depleted,ci_low,ci_high",
    ),
    ("stock.csv", "nation,item,day,date,mean,p05,p25,p50,p75,p95"),
    (
        "trials.csv",
        "trial,nation,item,depletion_day,min_stock,final_stock,produced,received,sent,consumed,unmet",
    ),
];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A fresh working folder for one test.
fn tmp() -> TempDir {
    tempfile::tempdir().expect("creating a temporary folder")
}

/// `drawdown` with `dir` as its working folder.
fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drawdown"));
    cmd.current_dir(dir);
    cmd
}

/// `configs/example.toml` (absolute: commands run in a temporary folder).
fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/example.toml")
}

/// Writes `text` as `dir/name`, returning the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("writing a scenario");
    path
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `minimal.toml` with each `old` (which must occur exactly once) replaced by its `new`.
fn edits(changes: &[(&str, &str)]) -> String {
    let mut text = MINIMAL.to_string();
    for (old, new) in changes {
        assert_eq!(
            text.matches(old).count(),
            1,
            "{old:?} must occur exactly once in the scenario being edited"
        );
        text = text.replacen(old, new, 1);
    }
    text
}

/// `minimal.toml` with one edit.
fn edit(old: &str, new: &str) -> String {
    edits(&[(old, new)])
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Byte offset of `needle`, which must occur exactly once in `text`.
fn offset_of(text: &str, needle: &str) -> usize {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} must occur exactly once in:\n{text}"
    );
    text.find(needle).expect("counted above")
}

/// Position of the start of `needle` (unique in `text`).
fn at(text: &str, needle: &str) -> (usize, usize) {
    line_column(text, offset_of(text, needle))
}

/// Position of the value in the unique assignment `key = value` of `text`.
fn value_at(text: &str, assignment: &str) -> (usize, usize) {
    let eq = assignment.find(" = ").expect("an assignment `key = value`");
    line_column(text, offset_of(text, assignment) + eq + 3)
}

/// Position just after `needle` (unique in `text`).
fn after(text: &str, needle: &str) -> (usize, usize) {
    line_column(text, offset_of(text, needle) + needle.len())
}

/// Writes `text` as `file` in a fresh folder, runs `drawdown check file`, asserts exit
/// code 2, and returns stderr.
fn check_rejects(file: &str, text: &str) -> String {
    let dir = tmp();
    write(dir.path(), file, text);
    let output = drawdown(dir.path())
        .args(["check", file])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    stderr_of(&output)
}

/// The number after `word ` in `line` (`line 12` → 12).
fn number_after(line: &str, word: &str) -> Option<usize> {
    let start = line.find(&format!("{word} "))? + word.len() + 1;
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Asserts that one line of `stderr` reports a problem in `file` at `position` (line,
/// column), naming the field `path` (unless empty) and saying each of `says`; the line
/// is the one containing `says[0]`.
fn assert_reported(stderr: &str, file: &str, position: (usize, usize), path: &str, says: &[&str]) {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(says[0])).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line saying {:?} in stderr:\n{stderr}",
        says[0]
    );
    let line = lines[0];
    let fail = |what: String| panic!("{what}\nin line: {line}\nof stderr:\n{stderr}");
    if !line.contains(file) {
        fail(format!("the message does not name the file {file:?}"));
    }
    let (want_line, want_column) = position;
    if number_after(line, "line") != Some(want_line) {
        fail(format!("the message does not give line {want_line}"));
    }
    if number_after(line, "column") != Some(want_column) {
        fail(format!("the message does not give column {want_column}"));
    }
    if !path.is_empty() && !line.contains(path) {
        fail(format!("the message does not name the field {path:?}"));
    }
    for fragment in says {
        if !line.contains(fragment) {
            fail(format!("the message does not say {fragment:?}"));
        }
    }
}

/// Rejects `minimal.toml` with one edit, as `file`, and checks the report.
fn assert_rejected(file: &str, text: &str, position: (usize, usize), path: &str, says: &[&str]) {
    let stderr = check_rejects(file, text);
    assert_reported(&stderr, file, position, path, says);
}

/// Entries of `dir` whose name starts with `prefix`.
fn entries_starting_with(dir: &Path, prefix: &str) -> Vec<String> {
    fs::read_dir(dir)
        .expect("listing a folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// Hidden working folders (`.name.partial-*`, `.name.old-*`) left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    entries_starting_with(dir, ".")
        .into_iter()
        .filter(|n| n.contains(".partial-") || n.contains(".old-"))
        .collect()
}

/// Runs `example.toml` with `-n trials -o out` plus `extra` in `dir`, expecting success.
fn run_example(dir: &Path, trials: u32, out: &str, extra: &[&str]) -> std::process::Output {
    drawdown(dir)
        .arg("run")
        .arg(example())
        .args(["-n", &trials.to_string(), "-o", out])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .clone()
}

// ---------------------------------------------------------------------------------------
// 1. Bad scenarios: exit code 2, and a message that locates and explains the mistake
// ---------------------------------------------------------------------------------------

#[test]
fn the_minimal_fixture_is_valid() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args(["check", "minimal.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "horizon: 2024-01-01 to 2024-03-31 (91 days)",
        ));
}

#[test]
fn rejects_a_toml_syntax_error_at_its_line_and_column() {
    // An unterminated string: the document does not parse, so there is no field path,
    // but the position is where the closing quote is missing.
    let text = edit("name = \"minimal\"", "name = \"minimal");
    assert_rejected(
        "syntax.toml",
        &text,
        after(&text, "name = \"minimal"),
        "",
        &["invalid basic string", "expected `\"`"],
    );
}

#[test]
fn rejects_an_unknown_top_level_table_listing_the_valid_ones() {
    let text = edit(
        "[items.shell]",
        "[weapons.x]\nname = \"x\"\n\n[items.shell]",
    );
    assert_rejected(
        "unknown_table.toml",
        &text,
        at(&text, "weapons"),
        "weapons.x",
        &[
            "unknown field `weapons`",
            "expected one of",
            "`scenario`",
            "`items`",
            "`transfers`",
        ],
    );
}

#[test]
fn rejects_a_misspelt_factory_field_naming_it_and_the_valid_ones() {
    let text = edit(
        "item = \"shell\"\noutput_factor",
        "itme = \"shell\"\noutput_factor",
    );
    assert_rejected(
        "misspelt.toml",
        &text,
        at(&text, "itme"),
        "factories.plant.itme",
        &[
            "unknown field `itme`",
            "expected one of",
            "`item`",
            "`owner`",
        ],
    );
}

#[test]
fn rejects_text_where_a_quantity_is_expected() {
    let text = edit("initial = 3000", "initial = \"lots\"");
    assert_rejected(
        "wrong_type.toml",
        &text,
        at(&text, "\"lots\""),
        "factories.plant.capacity.initial",
        &[
            "invalid type: string \"lots\"",
            "expected a number or a distribution table",
        ],
    );
}

#[test]
fn rejects_text_where_a_plain_number_is_expected() {
    let text = edit("dispersion = 4", "dispersion = \"high\"");
    assert_rejected(
        "dispersion_text.toml",
        &text,
        value_at(&text, "dispersion = \"high\""),
        "demand.fire.dispersion",
        &["invalid type: string \"high\"", "expected a number"],
    );
}

#[test]
fn rejects_a_date_that_is_not_a_date() {
    let text = edit("award = \"2024-01-05\"", "award = \"next spring\"");
    assert_rejected(
        "not_a_date.toml",
        &text,
        at(&text, "\"next spring\""),
        "contracts.backlog.award",
        &["expected a date as YYYY-MM-DD", "next spring"],
    );
}

#[test]
fn rejects_an_impossible_calendar_date() {
    let text = edit("end = \"2024-03-31\"", "end = \"2023-02-30\"");
    assert_rejected(
        "impossible_date.toml",
        &text,
        at(&text, "\"2023-02-30\""),
        "scenario.end",
        &["'2023-02-30' is not a calendar date"],
    );
}

#[test]
fn rejects_an_end_date_before_the_start() {
    let text = edit("end = \"2024-03-31\"", "end = \"2023-12-31\"");
    assert_rejected(
        "empty_horizon.toml",
        &text,
        at(&text, "\"2023-12-31\""),
        "scenario.end",
        &[
            "the horizon is empty",
            "end (2023-12-31) must be on or after start (2024-01-01)",
        ],
    );
}

#[test]
fn rejects_a_factory_owned_by_an_unknown_nation_listing_the_known_ones() {
    let text = edit("owner = \"donor\"", "owner = \"atlantis\"");
    assert_rejected(
        "unknown_owner.toml",
        &text,
        at(&text, "\"atlantis\""),
        "factories.plant.owner",
        &[
            "unknown nation 'atlantis'",
            "[nations.atlantis]",
            "known: donor, front",
        ],
    );
}

#[test]
fn rejects_a_transfer_of_an_unknown_item() {
    let text = edit(
        "item = \"shell\"\nstart = \"2024-01-15\"",
        "item = \"shel\"\nstart = \"2024-01-15\"",
    );
    assert_rejected(
        "unknown_item.toml",
        &text,
        at(&text, "\"shel\""),
        "transfers.pledge.item",
        &["unknown item 'shel'", "known: shell"],
    );
}

#[test]
fn rejects_a_contract_with_an_unknown_factory() {
    let text = edit("factory = \"plant\"", "factory = \"plnt\"");
    assert_rejected(
        "unknown_factory.toml",
        &text,
        at(&text, "\"plnt\""),
        "contracts.backlog.factory",
        &["unknown factory 'plnt'", "known: plant"],
    );
}

#[test]
fn rejects_a_contract_with_both_a_factory_and_a_lead_time() {
    let text = edit(
        "factory = \"plant\"",
        "factory = \"plant\"\nlead_time_days = 45",
    );
    assert_rejected(
        "factory_and_lead_time.toml",
        &text,
        value_at(&text, "lead_time_days = 45"),
        "contracts.backlog.lead_time_days",
        &["give either factory (backlog) or lead_time_days, not both"],
    );
}

#[test]
fn rejects_a_transfer_with_neither_quantity_nor_share() {
    let text = edit("quantity = 300\n", "");
    assert_rejected(
        "no_package_size.toml",
        &text,
        at(&text, "[transfers.pledge]"),
        "transfers.pledge",
        &["missing the package size", "give quantity", "or share"],
    );
}

#[test]
fn rejects_a_transfer_from_a_nation_to_itself() {
    let text = edit(
        "to = \"front\"\nitem = \"shell\"\nstart = \"2024-01-15\"",
        "to = \"donor\"\nitem = \"shell\"\nstart = \"2024-01-15\"",
    );
    assert_rejected(
        "aid_to_itself.toml",
        &text,
        value_at(&text, "to = \"donor\""),
        "transfers.pledge.to",
        &["cannot send aid to itself"],
    );
}

#[test]
fn rejects_a_negative_sd_naming_the_field() {
    let text = edit("sd = 50", "sd = -50");
    assert_rejected(
        "negative_sd.toml",
        &text,
        at(&text, "-50"),
        "nations.front.stock.shell.initial.sd",
        &["sd must be >= 0, got -50"],
    );
}

#[test]
fn rejects_a_uniform_with_min_above_max() {
    let text = edit("min = 5, max = 20", "min = 20, max = 5");
    assert_rejected(
        "min_above_max.toml",
        &text,
        value_at(&text, "max = 5 }"),
        "factories.plant.disruption.repair_days.max",
        &["max (5) must not be below min (20)"],
    );
}

#[test]
fn rejects_a_pert_mode_outside_min_and_max() {
    let text = edit("mode = 2000", "mode = 4000");
    assert_rejected(
        "mode_outside.toml",
        &text,
        value_at(&text, "mode = 4000"),
        "nations.donor.stock.shell.initial.mode",
        &["mode (4000) must lie within min and max [1000, 3000]"],
    );
}

#[test]
fn rejects_a_lognormal_p90_below_the_median() {
    let text = edit("p90 = 120", "p90 = 40");
    assert_rejected(
        "p90_below_median.toml",
        &text,
        value_at(&text, "p90 = 40"),
        "nations.donor.procurement.shell.lead_time_days.p90",
        &["p90 (40) must be above the median (60)"],
    );
}

#[test]
fn rejects_an_unknown_distribution_kind_listing_the_known_ones() {
    let text = edit("\"poisson\"", "\"poison\"");
    assert_rejected(
        "unknown_kind.toml",
        &text,
        at(&text, "\"poison\""),
        "demand.fire.schedule.base.per_day",
        &[
            "unknown distribution 'poison'",
            "expected one of",
            "poisson",
            "negbin",
        ],
    );
}

#[test]
fn rejects_a_parameter_that_does_not_apply_to_the_distribution() {
    let text = edit(
        "mode = 2000, max = 3000",
        "mode = 2000, max = 3000, sd = 150",
    );
    assert_rejected(
        "sd_on_pert.toml",
        &text,
        value_at(&text, "sd = 150"),
        "nations.donor.stock.shell.initial.sd",
        &[
            "sd does not apply to a pert distribution",
            "it takes min, mode and max",
        ],
    );
}

#[test]
fn rejects_a_negbin_with_zero_dispersion() {
    let text = edit(
        "{ dist = \"poisson\", mean = 40 }",
        "{ dist = \"negbin\", mean = 40, dispersion = 0 }",
    );
    assert_rejected(
        "negbin_dispersion.toml",
        &text,
        value_at(&text, "dispersion = 0 }"),
        "demand.fire.schedule.base.per_day.dispersion",
        &["dispersion must be > 0, got 0"],
    );
}

#[test]
fn rejects_a_demand_dispersion_that_is_not_positive() {
    let text = edit("dispersion = 4", "dispersion = -1");
    assert_rejected(
        "demand_dispersion.toml",
        &text,
        value_at(&text, "dispersion = -1"),
        "demand.fire.dispersion",
        &["must be > 0", "got -1"],
    );
}

#[test]
fn rejects_a_policy_share_above_one() {
    let text = edit("share = 0.2", "share = 1.5");
    assert_rejected(
        "share_above_one.toml",
        &text,
        value_at(&text, "share = 1.5"),
        "transfers.surplus.share",
        &["must be a share between 0 and 1", "1.5"],
    );
}

#[test]
fn rejects_an_initial_stock_that_can_be_negative() {
    // A normal without `min = 0` can draw a negative stock.
    let text = edit("sd = 50, min = 0", "sd = 50");
    assert_rejected(
        "negative_stock.toml",
        &text,
        at(&text, "{ dist = \"normal\""),
        "nations.front.stock.shell.initial",
        &[
            "must not be negative",
            "normal(mean 400, sd 50)",
            "add min = 0",
        ],
    );
}

#[test]
fn rejects_a_negative_plain_number_without_suggesting_truncation() {
    let text = edit("initial = 3000", "initial = -3000");
    let stderr = check_rejects("negative_capacity.toml", &text);
    assert_reported(
        &stderr,
        "negative_capacity.toml",
        at(&text, "-3000"),
        "factories.plant.capacity.initial",
        &["must not be negative"],
    );
    assert!(!stderr.contains("add min = 0"), "{stderr}");
}

#[test]
fn rejects_regimes_without_a_start_regime() {
    let text = edit("start_regime = \"quiet\"\n", "");
    assert_rejected(
        "no_start_regime.toml",
        &text,
        at(&text, "[demand.fire]"),
        "demand.fire.start_regime",
        &[
            "missing",
            "which regime holds on the start date",
            "busy, quiet",
        ],
    );
}

#[test]
fn rejects_a_regime_switching_to_an_unknown_regime() {
    let text = edit("next = { busy = 1 }", "next = { bussy = 1 }");
    assert_rejected(
        "unknown_next_regime.toml",
        &text,
        value_at(&text, "bussy = 1"),
        "demand.fire.regimes.quiet.next.bussy",
        &["unknown regime 'bussy'", "known: busy, quiet"],
    );
}

#[test]
fn rejects_a_transfer_every_zero_days() {
    let text = edit("every_days = 30\nquantity", "every_days = 0\nquantity");
    assert_rejected(
        "every_zero_days.toml",
        &text,
        value_at(&text, "every_days = 0"),
        "transfers.pledge.every_days",
        &["must be at least 1"],
    );
}

#[test]
fn rejects_a_truncation_window_that_excludes_all_the_mass() {
    let text = edit("sd = 50, min = 0", "sd = 50, min = 5000");
    assert_rejected(
        "empty_window.toml",
        &text,
        value_at(&text, "min = 5000"),
        "nations.front.stock.shell.initial.min",
        &[
            "truncating to [5000, inf) keeps none of the probability",
            "at least 1e-6 is needed",
        ],
    );
}

#[test]
fn rejects_a_factory_without_an_item() {
    let text = edit(
        "owner = \"donor\"\nitem = \"shell\"\n",
        "owner = \"donor\"\n",
    );
    assert_rejected(
        "factory_without_item.toml",
        &text,
        at(&text, "[factories.plant]"),
        "factories.plant",
        &["missing field `item`"],
    );
}

#[test]
fn rejects_a_duplicate_key_naming_it() {
    let text = edit("seed = 1", "seed = 1\nseed = 2");
    assert_rejected(
        "duplicate_key.toml",
        &text,
        at(&text, "seed = 2"),
        "seed",
        &["duplicate key", "seed"],
    );
}

#[test]
fn accepts_a_toml_date_literal() {
    let dir = tmp();
    let text = edit("end = \"2024-03-31\"", "end = 2024-03-31");
    write(dir.path(), "date_literal.toml", &text);
    drawdown(dir.path())
        .args(["check", "date_literal.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2024-01-01 to 2024-03-31 (91 days)",
        ));
}

// ---------------------------------------------------------------------------------------
// 2. Several mistakes are reported at once
// ---------------------------------------------------------------------------------------

#[test]
fn reports_three_independent_mistakes_at_once_in_file_order() {
    let text = edits(&[
        ("sd = 50", "sd = -50"),
        ("owner = \"donor\"", "owner = \"atlantis\""),
        ("every_days = 30\nquantity", "every_days = 0\nquantity"),
    ]);
    let file = "three_mistakes.toml";
    let stderr = check_rejects(file, &text);
    assert!(stderr.contains("(3 problems)"), "{stderr}");
    let sd = at(&text, "-50");
    let owner = at(&text, "\"atlantis\"");
    let every = value_at(&text, "every_days = 0");
    assert_reported(
        &stderr,
        file,
        sd,
        "nations.front.stock.shell.initial.sd",
        &["sd must be >= 0"],
    );
    assert_reported(
        &stderr,
        file,
        owner,
        "factories.plant.owner",
        &["unknown nation 'atlantis'"],
    );
    assert_reported(
        &stderr,
        file,
        every,
        "transfers.pledge.every_days",
        &["must be at least 1"],
    );
    let order: Vec<usize> = ["sd must be", "unknown nation", "must be at least 1"]
        .iter()
        .map(|m| stderr.find(m).expect("reported above"))
        .collect();
    assert!(order.is_sorted(), "not in file order:\n{stderr}");
}

// ---------------------------------------------------------------------------------------
// 3. Overrides
// ---------------------------------------------------------------------------------------

#[test]
fn set_of_a_missing_path_names_it_and_lists_the_known_keys() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args([
            "check",
            "minimal.toml",
            "--set",
            "factories.plantx.capacity.initial=5",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("minimal.toml"))
        .stderr(predicate::str::contains(
            "--set factories.plantx.capacity.initial",
        ))
        .stderr(predicate::str::contains("no 'plantx' in 'factories'"))
        .stderr(predicate::str::contains("found: plant"));
}

#[test]
fn set_without_a_value_says_what_is_expected() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args([
            "check",
            "minimal.toml",
            "--set",
            "factories.plant.capacity.initial",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set factories.plant.capacity.initial",
        ))
        .stderr(predicate::str::contains("expected path=value"));
}

#[test]
fn set_of_an_unknown_field_names_the_override() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args([
            "check",
            "minimal.toml",
            "--set",
            "factories.plant.capacity.bogus=1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set factories.plant.capacity.bogus",
        ))
        .stderr(predicate::str::contains("`initial`"));
}

/// The bad value is on the command line, not in the file: the message names the
/// `--set` and no line of the file (whose line holds another, valid value).
#[test]
fn set_that_makes_the_scenario_invalid_is_reported_at_the_set_not_at_a_line() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    for (value, says) in [
        ("-5", "must not be negative, got -5"),
        ("abc", "invalid type: string \"abc\""),
    ] {
        let output = drawdown(dir.path())
            .args([
                "check",
                "minimal.toml",
                "--set",
                &format!("factories.plant.capacity.initial={value}"),
            ])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = stderr_of(&output);
        let expected = format!("  minimal.toml: --set factories.plant.capacity.initial: {says}");
        assert!(
            stderr.lines().any(|l| l.starts_with(&expected)),
            "expected a line starting {expected:?} in:\n{stderr}"
        );
        assert!(!stderr.contains("line "), "{stderr}");
    }
}

/// A problem the file holds, with a `--set` elsewhere, is still at its line.
#[test]
fn a_problem_in_the_file_keeps_its_line_beside_a_set() {
    let dir = tmp();
    let text = MINIMAL.replace("initial = 3000", "initial = -3000");
    write(dir.path(), "bad.toml", &text);
    let output = drawdown(dir.path())
        .args(["check", "bad.toml", "--set", "scenario.seed=5"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_reported(
        &stderr_of(&output),
        "bad.toml",
        value_at(&text, "initial = -3000"),
        "factories.plant.capacity.initial",
        &["must not be negative", "-3000"],
    );
}

#[test]
fn set_changes_what_check_reads() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args(["check", "minimal.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("capacity 3000 /month"));
    drawdown(dir.path())
        .args([
            "check",
            "minimal.toml",
            "--set",
            "factories.plant.capacity.initial=4321",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("capacity 4321 /month"))
        .stdout(predicate::str::contains("capacity 3000").not());
}

#[test]
fn set_changes_the_results_of_a_run_and_is_recorded_in_the_manifest() {
    let dir = tmp();
    let d = dir.path();
    run_example(d, 100, "base", &["-q"]);
    let set = "factories.plant.capacity.initial=0";
    run_example(d, 100, "changed", &["-q", "--set", set]);
    let base = read(&d.join("base/summary.csv"));
    let changed = read(&d.join("changed/summary.csv"));
    assert_ne!(base, changed, "--set {set} did not change summary.csv");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&d.join("changed/manifest.json"))).expect("manifest.json");
    assert_eq!(
        manifest["overrides"],
        serde_json::json!([set]),
        "{manifest}"
    );
    // Same seed, same trials: without the override the run is the same as before.
    run_example(d, 100, "again", &["-q"]);
    assert_eq!(read(&d.join("again/summary.csv")), base);
}

#[test]
fn set_of_a_date_moves_the_horizon() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args(["check", "minimal.toml", "--set", "scenario.end=2024-02-29"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2024-01-01 to 2024-02-29 (60 days)",
        ));
}

// ---------------------------------------------------------------------------------------
// 4. Other usage errors
// ---------------------------------------------------------------------------------------

/// Runs `drawdown run minimal.toml -o out` with `args` in a fresh folder, asserts exit
/// code 2, that nothing was written, and that stderr says each of `says`.
fn run_is_refused(args: &[&str], says: &[&str]) {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    let mut assert = drawdown(dir.path())
        .args(["run", "minimal.toml", "-o", "out"])
        .args(args)
        .assert()
        .code(2)
        .stdout("");
    for fragment in says {
        assert = assert.stderr(predicate::str::contains(*fragment));
    }
    assert!(!dir.path().join("out").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn run_refuses_a_shard_beyond_the_count() {
    run_is_refused(
        &["--shard", "5/4"],
        &["--shard", "expected K/N with 1 <= K <= N", "'5/4'"],
    );
}

#[test]
fn run_refuses_a_precision_width_outside_zero_and_one() {
    run_is_refused(
        &["--until-ci", "2"],
        &["--until-ci", "between 0 and 1", "got 2"],
    );
}

#[test]
fn run_refuses_an_unknown_precision_target_listing_the_series() {
    run_is_refused(
        &["--target", "nope.x", "--until-ci", "0.1"],
        &[
            "--target",
            "no series 'nope.x'",
            "known: donor.shell, front.shell",
        ],
    );
}

#[test]
fn run_refuses_a_target_without_until_ci() {
    run_is_refused(
        &["--target", "front.shell"],
        &["--target only applies with --until-ci"],
    );
}

#[test]
fn run_refuses_zero_trials() {
    run_is_refused(&["-n", "0"], &["'0'", "--trials"]);
}

#[test]
fn a_missing_scenario_file_is_a_usage_error_naming_the_file() {
    let dir = tmp();
    drawdown(dir.path())
        .args(["run", "no_such_scenario.toml", "-o", "out"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "scenario 'no_such_scenario.toml': no such file",
        ));
    assert!(!dir.path().join("out").exists());
    drawdown(dir.path())
        .args(["check", "no_such_scenario.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no_such_scenario.toml"));
}

#[test]
fn errors_state_their_cause_once() {
    let dir = tmp();
    let output = drawdown(dir.path())
        .args(["check", "no_such_scenario.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = stderr_of(&output).to_lowercase();
    assert_eq!(stderr.matches("no such file").count(), 1, "{stderr}");
}

#[test]
fn init_refuses_to_overwrite_a_file_without_force() {
    let dir = tmp();
    let path = write(dir.path(), "mine.toml", "# my own work\n");
    drawdown(dir.path())
        .args(["init", "mine.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'mine.toml' already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(read(&path), "# my own work\n");
    drawdown(dir.path())
        .args(["init", "mine.toml", "--force"])
        .assert()
        .success();
    assert!(read(&path).contains("[scenario]"));
}

#[test]
fn merge_refuses_a_folder_that_is_not_a_shard() {
    let dir = tmp();
    run_example(dir.path(), 50, "full", &["-q"]);
    drawdown(dir.path())
        .args(["merge", "full", "-o", "merged"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'full' is not a shard folder"))
        .stderr(predicate::str::contains("partial.json"))
        .stderr(predicate::str::contains("--shard"));
    assert!(!dir.path().join("merged").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A merge whose estimate is above `--max-memory` is refused before it writes anything,
/// naming the shards and trials; the same shards merge under a limit they fit.
#[test]
fn merge_refuses_to_start_above_its_memory_limit() {
    let dir = tmp();
    for k in ["1/2", "2/2"] {
        let out = format!("s{}", &k[..1]);
        run_example(dir.path(), 50, &out, &["-q", "--shard", k]);
    }
    drawdown(dir.path())
        .args(["merge", "s1", "s2", "-o", "merged", "--max-memory", "1M"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("this merge would need about"))
        .stderr(predicate::str::contains("2 shards, 50 trials"))
        .stderr(predicate::str::contains("limit of 1.0 MiB"))
        .stderr(predicate::str::contains("--max-memory"));
    assert!(!dir.path().join("merged").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    drawdown(dir.path())
        .args([
            "merge",
            "s1",
            "s2",
            "-o",
            "merged",
            "-q",
            "--max-memory",
            "1G",
        ])
        .assert()
        .success();
    assert!(dir.path().join("merged").join("summary.csv").exists());
}

// ---------------------------------------------------------------------------------------
// 5. Happy paths
// ---------------------------------------------------------------------------------------

/// The number of (nation, item) series `check` reports for `scenario`.
fn series_count(dir: &Path, scenario: &Path) -> usize {
    let output = drawdown(dir)
        .arg("check")
        .arg(scenario)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = stdout_of(&output);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("stocks ("))
        .unwrap_or_else(|| panic!("no stocks line in:\n{stdout}"));
    line["stocks (".len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

#[test]
fn check_prints_the_horizon_and_lists_the_entities() {
    let dir = tmp();
    drawdown(dir.path())
        .arg("check")
        .arg(example())
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("scenario 'example'"))
        .stdout(predicate::str::contains(
            "horizon: 2024-01-01 to 2024-12-31 (366 days)",
        ))
        .stdout(predicate::str::contains("items (1):"))
        .stdout(predicate::str::contains("shell_155"))
        .stdout(predicate::str::contains("stocks (2 nation × item series):"))
        .stdout(predicate::str::contains("donor.shell_155"))
        .stdout(predicate::str::contains("recipient.shell_155"))
        .stdout(predicate::str::contains("factories (1):"))
        .stdout(predicate::str::contains("plant: shell_155 for donor"))
        .stdout(predicate::str::contains("demand (1):"))
        .stdout(predicate::str::contains("front: recipient fires shell_155"))
        .stdout(predicate::str::contains("transfers (2):"))
        .stdout(predicate::str::contains("monthly_aid: donor -> recipient"))
        .stdout(predicate::str::contains("surplus: donor -> recipient"));
}

#[test]
fn init_writes_a_starter_that_check_accepts() {
    let dir = tmp();
    drawdown(dir.path())
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote scenario.toml"));
    let text = read(&dir.path().join("scenario.toml"));
    assert!(
        text.starts_with('#'),
        "the starter should be commented:\n{text}"
    );
    drawdown(dir.path())
        .args(["check", "scenario.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("horizon:"));
    drawdown(dir.path())
        .args(["init", "other.toml"])
        .assert()
        .success();
    assert_eq!(read(&dir.path().join("other.toml")), text);
}

#[test]
fn run_writes_every_result_file_and_the_contract_columns() {
    let dir = tmp();
    let output = run_example(dir.path(), 300, "out", &[]);
    let out = dir.path().join("out");
    for file in [
        "summary.csv",
        "depletion.csv",
        "stock.csv",
        "trials.csv",
        "shortfall.csv",
        "manifest.json",
    ] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    for (file, columns) in &CONTRACT_COLUMNS[..3] {
        let text = read(&out.join(file));
        let header = text.lines().next().unwrap_or_default();
        assert!(
            header == *columns || header.starts_with(&format!("{columns},")),
            "{file}: header {header:?} does not start with {columns:?}"
        );
    }
    // trials.csv holds every contract column, in order (see the ignored test below for
    // the stricter prefix).
    let (_, columns) = CONTRACT_COLUMNS[3];
    let trials = read(&out.join("trials.csv"));
    let header: Vec<&str> = trials
        .lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .collect();
    let positions: Vec<usize> = columns
        .split(',')
        .map(|c| {
            header
                .iter()
                .position(|h| h == &c)
                .unwrap_or_else(|| panic!("trials.csv lacks {c}: {header:?}"))
        })
        .collect();
    assert!(
        positions.is_sorted(),
        "trials.csv columns out of order: {header:?}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).expect("manifest.json");
    assert_eq!(manifest["trials"], 300, "{manifest}");
    assert_eq!(manifest["seed"], 7, "the example's seed: {manifest}");
    assert_eq!(manifest["scenario_sha256"].as_str().map(str::len), Some(64));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("300 trials"), "{stdout}");
    assert!(
        stdout.contains("donor") && stdout.contains("recipient"),
        "{stdout}"
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn trials_csv_header_starts_with_the_contract_columns() {
    let dir = tmp();
    run_example(dir.path(), 20, "out", &["-q"]);
    let (_, columns) = CONTRACT_COLUMNS[3];
    let trials = read(&dir.path().join("out/trials.csv"));
    let header = trials.lines().next().unwrap_or_default();
    assert!(
        header == columns || header.starts_with(&format!("{columns},")),
        "trials.csv: header {header:?} does not start with {columns:?}"
    );
}

#[test]
fn trials_csv_has_one_row_per_trial_and_series() {
    let dir = tmp();
    let series = series_count(dir.path(), &example());
    assert_eq!(series, 2);
    run_example(dir.path(), 300, "out", &["-q"]);
    let text = read(&dir.path().join("out/trials.csv"));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 300 * series);
    let mut per_trial: BTreeMap<u64, BTreeSet<(&str, &str)>> = BTreeMap::new();
    for row in &rows {
        let trial: u64 = row[0].parse().expect("a trial index");
        assert!(
            per_trial.entry(trial).or_default().insert((row[1], row[2])),
            "duplicate {row:?}"
        );
    }
    assert_eq!(per_trial.len(), 300);
    assert_eq!(
        per_trial.keys().copied().collect::<Vec<_>>(),
        (0..300).collect::<Vec<_>>()
    );
    assert!(per_trial.values().all(|s| s.len() == series));
}

#[test]
fn quiet_run_prints_nothing_on_stdout() {
    let dir = tmp();
    let output = run_example(dir.path(), 50, "out", &["--quiet"]);
    assert_eq!(stdout_of(&output), "");
    assert!(dir.path().join("out/summary.csv").is_file());
}

/// Replays a trace: every (nation, item) starts at its `initial_stock`; produced,
/// delivered and received add, sent and consumed subtract; every other event leaves the
/// stock as it is. Checks `stock_after` on every line; returns the events seen.
fn replay_trace(text: &str) -> BTreeSet<String> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("day,date,event,entity,nation,item,quantity,stock_after")
    );
    let mut stock: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut events = BTreeSet::new();
    let mut last_day = 0;
    for (n, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 8, "line {}: {line}", n + 2);
        let day: u32 = f[0].parse().expect("a day");
        assert!(day >= last_day, "line {}: days go back: {line}", n + 2);
        last_day = day;
        let (event, key) = (f[2], (f[4].to_string(), f[5].to_string()));
        let quantity: i64 = f[6].parse().expect("a quantity");
        let after: i64 = f[7].parse().expect("a stock");
        events.insert(event.to_string());
        let sign = match event {
            "initial_stock" => {
                assert_eq!(day, 0, "line {}: {line}", n + 2);
                assert!(
                    stock.insert(key.clone(), quantity).is_none(),
                    "twice: {line}"
                );
                0
            }
            "produced" | "delivered" | "received" => 1,
            "sent" | "consumed" => -1,
            _ => 0,
        };
        let s = stock
            .get_mut(&key)
            .unwrap_or_else(|| panic!("line {}: event before the initial stock: {line}", n + 2));
        *s += sign * quantity;
        assert!(*s >= 0, "line {}: negative stock {s}: {line}", n + 2);
        assert_eq!(
            after,
            *s,
            "line {}: stock_after disagrees with the replay: {line}",
            n + 2
        );
    }
    events
}

/// Traces trial 0 of `minimal.toml` (contracts, production, aid and demand) as `t.csv`.
fn trace_minimal(dir: &Path) -> String {
    write(dir, "minimal.toml", MINIMAL);
    drawdown(dir)
        .args(["run", "minimal.toml", "--trace", "t.csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("events of trial 0 to t.csv"));
    read(&dir.join("t.csv"))
}

#[test]
fn trace_replays_to_the_stock_after_of_every_line() {
    let dir = tmp();
    let events = replay_trace(&trace_minimal(dir.path()));
    for kind in [
        "initial_stock",
        "produced",
        "delivered",
        "sent",
        "received",
        "demanded",
        "consumed",
    ] {
        assert!(
            events.contains(kind),
            "no {kind} event in the trace: {events:?}"
        );
    }
    assert!(
        !dir.path().join("results").exists(),
        "a trace writes no result folder"
    );
}

/// A stock whose opening draw can fall at or below its floor (drawn apart) is depleted
/// from the first day in that share of trials; `run` says so, since a P(depleted) made
/// of such trials is no drawdown. Here the opening stock is uniform on 0..100, rounded
/// to whole rounds, and the floor 25: P(at most 25) = P(U < 25.5) = 25.5 %, and the
/// note's share is depletion.csv's first day.
#[test]
fn run_notes_stocks_depleted_from_the_first_day() {
    let dir = tmp();
    let d = dir.path();
    write(
        d,
        "start.toml",
        r#"
[scenario]
name = "start"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.a.stock.x]
initial = { dist = "uniform", min = 0, max = 100 }
floor = 25
[nations.b.stock.x]
initial = 100
floor = 25
"#,
    );
    let out = drawdown(d)
        .args(["run", "start.toml", "-n", "2000", "-o", "r"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    let note = text
        .lines()
        .find(|l| l.starts_with("note: at or below the floor by the end of the first day"))
        .unwrap_or_else(|| panic!("no first-day note in:\n{text}"));
    assert!(!note.contains("b.x"), "{note}");
    let share: f64 = note
        .split("a.x ")
        .nth(1)
        .and_then(|r| r.trim_end_matches('%').parse().ok())
        .unwrap_or_else(|| panic!("no share for a.x in: {note}"));
    let day0 = read(&d.join("r/depletion.csv"))
        .lines()
        // The first reporting day's: nothing draws on the stock, so it is day 0's.
        .find(|l| l.starts_with("a,x,"))
        .and_then(|l| l.split(',').nth(4).and_then(|p| p.parse::<f64>().ok()))
        .expect("depletion.csv has a's first day");
    assert!((share - 100.0 * day0).abs() < 0.051, "{share} vs {day0}");
    let se = (0.255f64 * 0.745 / 2000.0).sqrt();
    assert!((share / 100.0 - 0.255).abs() < 4.0 * se, "{share}");
}

/// A trace is replaced only while it is the one drawdown wrote. Before, any file whose
/// first line was the trace's header counted as drawdown's: a trace with the user's
/// notes appended, or the user's own CSV with that header, was overwritten without
/// `--force`. Where the filesystem keeps no extended attributes, drawdown can only go
/// by the header, as documented.
#[test]
fn a_trace_is_replaced_only_while_it_is_the_one_drawdown_wrote() {
    let dir = tmp();
    let d = dir.path();
    let first = trace_minimal(d);
    let stamped = xattr::get(d.join("t.csv"), "user.drawdown.sha256").is_ok_and(|v| v.is_some());
    let again = || {
        drawdown(d)
            .args(["run", "minimal.toml", "-q", "--trace", "t.csv"])
            .assert()
    };
    again().success();
    let header = first.lines().next().unwrap().to_string();
    fs::write(d.join("t.csv"), format!("{first}my note\n")).unwrap();
    fs::write(
        d.join("mine.csv"),
        format!("{header}\n1,2024-01-02,my own row\n"),
    )
    .unwrap();
    let mine = drawdown(d)
        .args(["run", "minimal.toml", "-q", "--trace", "mine.csv"])
        .assert();
    if !stamped {
        // No extended attributes here: the header is all there is to go by.
        again().success();
        mine.success();
        return;
    }
    again()
        .code(2)
        .stderr(predicate::str::contains(
            "'t.csv' was edited since drawdown wrote it",
        ))
        .stderr(predicate::str::contains("--force"));
    assert!(
        read(&d.join("t.csv")).ends_with("my note\n"),
        "the user's note is kept"
    );
    mine.code(2)
        .stderr(predicate::str::contains("drawdown did not write it"));
    assert!(read(&d.join("mine.csv")).contains("my own row"));
    drawdown(d)
        .args(["run", "minimal.toml", "-q", "--trace", "t.csv", "--force"])
        .assert()
        .success();
    assert_eq!(read(&d.join("t.csv")), first);
}

#[test]
fn trace_to_stdout_writes_the_csv_there() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    let output = drawdown(dir.path())
        .args(["run", "minimal.toml", "--trace", "-"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = stdout_of(&output);
    assert!(stdout.starts_with("day,date,event,entity,nation,item,quantity,stock_after\n"));
    replay_trace(&stdout);
}

#[test]
fn an_output_folder_under_a_regular_file_fails_with_code_1_and_leaves_nothing() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    write(dir.path(), "afile", "not a folder\n");
    drawdown(dir.path())
        .args(["run", "minimal.toml", "-n", "20", "-o", "afile/out"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("afile"));
    assert_eq!(read(&dir.path().join("afile")), "not a folder\n");
    let mut names = entries_starting_with(dir.path(), "");
    names.sort();
    assert_eq!(names, ["afile", "minimal.toml"]);
}

#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_output_folder_fails_with_code_1_naming_it() {
    let dir = tmp();
    write(dir.path(), "minimal.toml", MINIMAL);
    drawdown(dir.path())
        .args(["run", "minimal.toml", "-n", "20", "-o", "/proc/forbidden/x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/proc/forbidden"));
    assert!(!Path::new("/proc/forbidden").exists());
}

#[test]
fn a_failed_run_keeps_the_previous_results() {
    let dir = tmp();
    run_example(dir.path(), 50, "out", &["-q"]);
    let summary = dir.path().join("out/summary.csv");
    let before = fs::read(&summary).expect("summary.csv");
    drawdown(dir.path())
        .arg("run")
        .arg(example())
        .args([
            "-n",
            "60",
            "-o",
            "out",
            "--set",
            "factories.plant.capacity.initial=-1",
        ])
        .assert()
        .code(2);
    assert_eq!(fs::read(&summary).expect("summary.csv"), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn a_second_run_replaces_the_previous_results() {
    let dir = tmp();
    run_example(dir.path(), 50, "out", &["-q"]);
    let before = read(&dir.path().join("out/manifest.json"));
    run_example(dir.path(), 60, "out", &["-q"]);
    let after = read(&dir.path().join("out/manifest.json"));
    assert_ne!(before, after);
    assert!(after.contains("\"trials\": 60"), "{after}");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// 6. Interruption
// ---------------------------------------------------------------------------------------

/// Starts a long run of the example into `dir/out`, interrupts it with SIGINT after about
/// a second, checks it says so, and returns its exit code.
#[cfg(unix)]
fn interrupted_run(dir: &Path) -> Option<i32> {
    use std::process::{Command as Std, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Std::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .arg("run")
        .arg(example())
        .args(["-n", "2000000", "-o", "out"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting drawdown");
    // Wait until the run is writing (its Ctrl-C handler is installed by then), and about
    // a second in all, so that the interruption lands in the middle of the trials.
    let started = Instant::now();
    while entries_starting_with(dir, ".out.partial-").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the run never started writing"
        );
        assert!(
            child.try_wait().expect("polling drawdown").is_none(),
            "the run ended before it started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(1).saturating_sub(started.elapsed()));
    assert!(
        child.try_wait().expect("polling drawdown").is_none(),
        "the run finished before it could be interrupted"
    );
    let status = Std::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -INT failed");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("polling drawdown") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("drawdown did not stop within 30 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        pipe.read_to_string(&mut stderr).expect("reading stderr");
    }
    assert!(stderr.contains("interrupted"), "{stderr}");
    status.code()
}

#[cfg(unix)]
#[test]
fn interrupting_a_run_exits_130_and_writes_nothing() {
    let dir = tmp();
    assert_eq!(interrupted_run(dir.path()), Some(130));
    assert!(!dir.path().join("out").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn interrupting_a_run_keeps_the_previous_results() {
    let dir = tmp();
    run_example(dir.path(), 50, "out", &["-q"]);
    let summary = dir.path().join("out/summary.csv");
    let before = fs::read(&summary).expect("summary.csv");
    assert_eq!(interrupted_run(dir.path()), Some(130));
    assert_eq!(fs::read(&summary).expect("summary.csv"), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A reader that stops early (`drawdown run --trace - | head`) is not a failure: no
/// panic, no error message, exit code 0.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/example.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .args(["run", example, "--trace", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here; the trace is far larger than a pipe buffer.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.starts_with(b"day,date,event"));
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

/// The result table is printed after the run: if the reader has gone by then, the run
/// still succeeds quietly (its results are already in place).
#[test]
fn a_reader_gone_before_the_table_is_not_a_failure() {
    use std::process::{Command, Stdio};
    let dir = tmp();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/example.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir.path())
        .args(["run", example, "-n", "3000", "-o", "out"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("out/summary.csv").exists());
}

/// A negative or fractional count is refused as a value out of range, naming the range:
/// clap took `-5` for a flag ("unexpected argument '-5'", with a tip that made it the
/// scenario) and `-n=-5` for a word ("invalid digit found in string").
#[test]
fn negative_and_fractional_numbers_are_refused_with_their_range() {
    let dir = tmp();
    for (args, says) in [
        (
            &["run", "-n", "-5"][..],
            "invalid value '-5' for '--trials <TRIALS>': expected a whole number from 1 to 1000000000",
        ),
        (
            &["run", "-n=-5"][..],
            "expected a whole number from 1 to 1000000000",
        ),
        (
            &["run", "-n", "2.5"][..],
            "expected a whole number from 1 to 1000000000",
        ),
        (
            &["run", "--seed", "-1"][..],
            "invalid value '-1' for '--seed <SEED>': expected a whole number from 0 to",
        ),
        (
            &["sweep", "--vary", "scenario.name=x", "-j", "-2"][..],
            "expected a whole number from 1 to 1024",
        ),
        (
            &["run", "--until-ci", "-0.1"][..],
            "--until-ci: expected a width between 0 and 1",
        ),
    ] {
        drawdown(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says))
            .stderr(predicate::str::contains("unexpected argument").not());
    }
    assert!(
        fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// `rank` ranks every input of one run: it has no `--vary`, in its help or its flags.
#[test]
fn rank_has_no_vary() {
    let dir = tmp();
    drawdown(dir.path())
        .args(["rank", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--vary").not());
    drawdown(dir.path())
        .args(["rank", "--vary", "scenario.seed=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unexpected argument '--vary'"));
}

/// `check` prints every number that decides when an order arrives: a contract's award
/// delay and tranches, a policy's first review and how it is supplied. Before, it
/// printed "awarded 2024-01-11, lead time 20 days" for an award that falls on day 15
/// and arrives in three tranches, and nothing of a policy's supply.
#[test]
fn check_prints_award_delays_tranches_first_reviews_and_supply() {
    let dir = tmp();
    let text = r#"[scenario]
name = "orders"
start = "2024-01-01"
end = "2024-03-31"
[items.x]
[nations.buyer.stock.x]
initial = 500
[contracts.c1]
buyer = "buyer"
item = "x"
quantity = 1000
award = "2024-01-11"
award_delay_days = 5
lead_time_days = 20
tranches = 3
tranche_every_days = 7
[nations.buyer.procurement.x]
reorder_point = 200
target = 1000
review_days = 5
first_review = "2024-01-02"
lead_time_days = 10
"#;
    write(dir.path(), "orders.toml", text);
    drawdown(dir.path())
        .args(["check", "orders.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "c1: 1000 x for buyer, awarded 2024-01-11 + 5 days' delay, lead time 20 days, in 3 tranches every 7 days",
        ))
        .stdout(predicate::str::contains(
            "buyer.x: reorder at 200 up to 1000, review every 5 days from 2024-01-02, lead time 10 days",
        ));
}
