//! Templates (`[templates.<kind>.<id>]`, `template = "<id>"`): a scenario written with
//! templates runs exactly like the same scenario written out in full; an entity's own
//! keys win; mistakes are located in the user's file, at the template when the field
//! came from it; `--set` reaches both the entity and the template.

use assert_cmd::Command;
use drawdown::scenario::Scenario;
use std::fs;
use std::path::Path;

/// Two donors sharing a template (Latvia overrides its floor), a training demand and a
/// gift transfer from templates (Latvia's gift every 30 days instead of 91), a contract
/// template, and a front.
const TEMPLATED: &str = r#"[scenario]
name = "templated"
start = "2022-01-01"
end = "2022-12-31"

[items.shell_155]

[templates.nations.small_donor]
stock.shell_155.floor = { dist = "triangular", min = 2_000, mode = 4_000, max = 8_000 }

[templates.demand.training]
item = "shell_155"
reserve_days = 90
schedule.all = { from = "2022-01-01", per_day = 50 }

[templates.transfers.gift]
to = "ukraine"
item = "shell_155"
every_days = 91
share = 0.5
transit_days = 14
start = "2022-03-15"

[templates.contracts.order]
item = "shell_155"
award = "2022-02-01"
lead_time_days = { dist = "uniform", min = 60, max = 120 }

[nations.estonia]
template = "small_donor"
stock.shell_155.initial = { dist = "pert", min = 10_000, mode = 20_000, max = 30_000 }

[nations.latvia]
template = "small_donor"
stock.shell_155.initial = { dist = "pert", min = 8_000, mode = 15_000, max = 25_000 }
stock.shell_155.floor = 1_000

[nations.ukraine]
stock.shell_155.initial = 50_000

[demand.estonia_training]
template = "training"
nation = "estonia"

[demand.latvia_training]
template = "training"
nation = "latvia"

[demand.front]
nation = "ukraine"
item = "shell_155"
dispersion = 4
schedule.all = { from = "2022-01-01", per_day = 400 }

[transfers.estonia_gift]
template = "gift"
from = "estonia"

[transfers.latvia_gift]
template = "gift"
from = "latvia"
every_days = 30

[contracts.estonia_order]
template = "order"
buyer = "estonia"
quantity = 20_000
"#;

/// [`TEMPLATED`] written out in full, by hand.
const FULL: &str = r#"[scenario]
name = "templated"
start = "2022-01-01"
end = "2022-12-31"

[items.shell_155]

[nations.estonia]
stock.shell_155.initial = { dist = "pert", min = 10_000, mode = 20_000, max = 30_000 }
stock.shell_155.floor = { dist = "triangular", min = 2_000, mode = 4_000, max = 8_000 }

[nations.latvia]
stock.shell_155.initial = { dist = "pert", min = 8_000, mode = 15_000, max = 25_000 }
stock.shell_155.floor = 1_000

[nations.ukraine]
stock.shell_155.initial = 50_000

[demand.estonia_training]
nation = "estonia"
item = "shell_155"
reserve_days = 90
schedule.all = { from = "2022-01-01", per_day = 50 }

[demand.latvia_training]
nation = "latvia"
item = "shell_155"
reserve_days = 90
schedule.all = { from = "2022-01-01", per_day = 50 }

[demand.front]
nation = "ukraine"
item = "shell_155"
dispersion = 4
schedule.all = { from = "2022-01-01", per_day = 400 }

[transfers.estonia_gift]
from = "estonia"
to = "ukraine"
item = "shell_155"
every_days = 91
share = 0.5
transit_days = 14
start = "2022-03-15"

[transfers.latvia_gift]
from = "latvia"
to = "ukraine"
item = "shell_155"
every_days = 30
share = 0.5
transit_days = 14
start = "2022-03-15"

[contracts.estonia_order]
buyer = "estonia"
item = "shell_155"
quantity = 20_000
award = "2022-02-01"
lead_time_days = { dist = "uniform", min = 60, max = 120 }
"#;

fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drawdown"));
    cmd.current_dir(dir);
    cmd
}

fn load(text: &str, overrides: &[&str]) -> Scenario {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::from_toml("<test>", text, &overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// The drawn floor of `nation`'s only stock, as (min, max) of its distribution.
fn floor_range(s: &Scenario, nation: &str) -> (f64, f64) {
    let series = s
        .series
        .iter()
        .find(|x| s.nations[x.nation].id == nation)
        .unwrap_or_else(|| panic!("no stock of {nation}"));
    (series.floor.min_value(), series.floor.max_value())
}

/// 1-based (line, column) where `needle` starts in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// `drawdown check` of `text` must fail with exit 2; returns stderr.
fn check_rejects(text: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("t.toml"), text).expect("writing");
    let out = drawdown(dir.path())
        .args(["check", "t.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_templated_scenario_runs_exactly_like_the_same_scenario_in_full() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [("templated", TEMPLATED), ("full", FULL)] {
        fs::write(dir.path().join(format!("{name}.toml")), text).expect("writing");
        drawdown(dir.path())
            .args(["run", &format!("{name}.toml"), "-n", "64", "--seed", "5"])
            .args(["-o", name, "--quiet"])
            .assert()
            .success();
    }
    for file in ["summary.csv", "trials.csv", "stock.csv", "depletion.csv"] {
        let read = |name: &str| fs::read(dir.path().join(name).join(file)).expect("output");
        let (a, b) = (read("templated"), read("full"));
        assert!(a.len() > 100, "{file} is too short");
        assert!(
            a == b,
            "{file} differs between the templated and the full scenario"
        );
    }
}

#[test]
fn an_entitys_own_keys_win_over_its_template() {
    let s = load(TEMPLATED, &[]);
    assert_eq!(floor_range(&s, "estonia"), (2_000.0, 8_000.0));
    assert_eq!(floor_range(&s, "latvia"), (1_000.0, 1_000.0));
    let every: Vec<(&str, u32)> = s
        .transfers
        .iter()
        .map(|t| (t.id.as_str(), t.every_days))
        .collect();
    assert_eq!(every, [("estonia_gift", 91), ("latvia_gift", 30)]);
    // Both training demands took the template's 50 a day and 90 days of reserve.
    let ids: Vec<&str> = s.demand.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["estonia_training", "front", "latvia_training"]);
    for d in [&s.demand[0], &s.demand[2]] {
        assert_eq!(d.periods[0].per_day.fixed_value(), Some(50.0), "{}", d.id);
        assert_eq!(d.reserve_days.fixed_value(), Some(90.0), "{}", d.id);
    }
    assert_eq!(s.demand[1].reserve_days.fixed_value(), Some(0.0));
}

#[test]
fn set_reaches_an_entity_using_a_template_and_the_template_itself() {
    let s = load(TEMPLATED, &["nations.estonia.stock.shell_155.floor=5000"]);
    assert_eq!(floor_range(&s, "estonia"), (5_000.0, 5_000.0));
    assert_eq!(floor_range(&s, "latvia"), (1_000.0, 1_000.0));

    let s = load(
        TEMPLATED,
        &["templates.nations.small_donor.stock.shell_155.floor=3000"],
    );
    assert_eq!(floor_range(&s, "estonia"), (3_000.0, 3_000.0));
    assert_eq!(
        floor_range(&s, "latvia"),
        (1_000.0, 1_000.0),
        "own key wins"
    );

    let s = load(TEMPLATED, &["templates.transfers.gift.every_days=60"]);
    let every: Vec<u32> = s.transfers.iter().map(|t| t.every_days).collect();
    assert_eq!(every, [60, 30]);
}

#[test]
fn an_unknown_template_is_refused_naming_the_field_its_line_and_the_known_ones() {
    let text = TEMPLATED.replace(
        "template = \"small_donor\"\nstock.shell_155.initial = { dist = \"pert\", min = 10_000",
        "template = \"big_donor\"\nstock.shell_155.initial = { dist = \"pert\", min = 10_000",
    );
    let stderr = check_rejects(&text);
    let (line, column) = position(&text, "\"big_donor\"");
    let expected = format!(
        "t.toml, line {line}, column {column}: nations.estonia.template: unknown template 'big_donor'; nations templates: small_donor"
    );
    assert!(stderr.contains(&expected), "{stderr}");

    let text = TEMPLATED.replace(
        "template = \"gift\"\nfrom = \"estonia\"",
        "template = \"training\"\nfrom = \"estonia\"",
    );
    let stderr = check_rejects(&text);
    assert!(
        stderr.contains("transfers.estonia_gift.template: 'training' is a demand template, not a transfers template; transfers templates: gift"),
        "{stderr}"
    );

    let text = TEMPLATED.replace("[templates.contracts.order]", "[templates.orders.order]");
    let stderr = check_rejects(&text);
    let (line, _) = position(&text, "[templates.orders.order]");
    assert!(stderr.contains(&format!("line {line}")), "{stderr}");
    assert!(
        stderr.contains("templates.orders: unknown kind of template 'orders'"),
        "{stderr}"
    );
}

#[test]
fn a_mistake_in_a_field_from_a_template_is_located_at_the_template() {
    // Only Estonia takes the floor from the template (Latvia gives its own).
    let text = TEMPLATED.replace(
        "stock.shell_155.floor = { dist = \"triangular\", min = 2_000, mode = 4_000, max = 8_000 }",
        "stock.shell_155.floor = -5",
    );
    let stderr = check_rejects(&text);
    let (line, column) = position(&text, "-5");
    let expected = format!(
        "t.toml, line {line}, column {column}: nations.estonia.stock.shell_155.floor: must not be negative, got -5 (the value comes from template 'small_donor')"
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("latvia"), "{stderr}");

    // A misspelt key in a template is reported where it is written.
    let text = TEMPLATED.replace("every_days = 91\n", "every_dayz = 91\n");
    let stderr = check_rejects(&text);
    let (line, _) = position(&text, "every_dayz");
    assert!(stderr.contains(&format!("line {line},")), "{stderr}");
    assert!(stderr.contains("every_dayz"), "{stderr}");
}

/// A sweep's point is simulated from the scenario with its templates expanded, whose
/// lines are not the file's: a problem with the value a `--vary` wrote is reported at
/// the `--vary` (no line), and a problem with another field at its line in the file.
/// Before, both carried a line of the expanded text (line 1655 of a 1002-line file).
#[test]
fn a_sweep_points_problems_are_located_in_the_file_or_at_the_vary() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("t.toml"), TEMPLATED).expect("writing");
    let rejects = |args: &[&str]| {
        let out = drawdown(dir.path())
            .args(args)
            .args(["-n", "5", "-o", "out"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let floor = "nations.estonia.stock.shell_155.floor";
    for command in ["sweep", "tornado"] {
        let stderr = rejects(&[command, "t.toml", "--vary", &format!("{floor}=-5,5")]);
        let expected = format!("  t.toml: --vary {floor}: must not be negative, got -5");
        assert!(stderr.contains(&expected), "{command}: {stderr}");
        assert!(!stderr.contains("line "), "{command}: {stderr}");
    }
    // The start moved past the end: the end, which no --vary wrote, is at its line.
    let stderr = rejects(&["sweep", "t.toml", "--vary", "scenario.start=2023-06-01"]);
    let (line, column) = position(TEMPLATED, "\"2022-12-31\"");
    let expected =
        format!("  t.toml, line {line}, column {column}: scenario.end: the horizon is empty");
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!dir.path().join("out").exists());
}
