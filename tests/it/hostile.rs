//! The catalogue of bad inputs and faults (hardening, issue 8): what a hostile or careless
//! user does, and what drawdown must answer. Every case runs in a fresh temporary folder
//! that holds the user's own files (a scenario, notes, a documents folder, an earlier
//! result) and asserts three things:
//!
//! 1. the exit code (2 for anything the user controls, 0 where the request is fine);
//! 2. a message that says where and what (file, line, field or flag);
//! 3. that nothing outside the intended output changed: every file in the folder (and
//!    its parent's user files) is hashed before and after, byte for byte.
//!
//! The cases are data; each class of the issue has several. Signals are in
//! `tests/it/signals.rs`.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const MINIMAL: &str = include_str!("../fixtures/minimal.toml");

/// One bad input: files to create, the command, and the answer expected.
struct Case {
    name: &'static str,
    /// Extra files `(path, content)` created before the command (besides the standard
    /// user files). A path ending in `/` is a folder.
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
    code: i32,
    /// Fragments that must all appear in stderr.
    stderr: Vec<&'static str>,
    /// The one path (relative to the work folder) the command may create or change.
    output: Option<&'static str>,
}

fn case(name: &'static str, args: &[&str], code: i32, stderr: &[&'static str]) -> Case {
    Case {
        name,
        files: Vec::new(),
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        stderr: stderr.to_vec(),
        output: None,
    }
}

impl Case {
    fn with(mut self, path: &'static str, content: impl Into<Vec<u8>>) -> Case {
        self.files.push((path, content.into()));
        self
    }
    fn scenario(self, text: String) -> Case {
        self.with("sc.toml", text)
    }
    fn output(mut self, path: &'static str) -> Case {
        self.output = Some(path);
        self
    }
}

/// `minimal.toml` with `old` (which must occur exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    assert_eq!(MINIMAL.matches(old).count(), 1, "{old}");
    MINIMAL.replace(old, new)
}

/// The user's own files, present in every case's folder.
fn user_files(dir: &Path) {
    fs::write(dir.join("notes.txt"), "my notes\n").unwrap();
    fs::write(dir.join("my.toml"), MINIMAL).unwrap();
    fs::create_dir_all(dir.join("docs/deep")).unwrap();
    fs::write(dir.join("docs/report.docx"), [0u8, 1, 2, 3]).unwrap();
    fs::write(dir.join("docs/deep/data.csv"), "a,b\n1,2\n").unwrap();
    fs::create_dir_all(dir.join("home")).unwrap();
    fs::write(dir.join("home/.profile"), "export X=1\n").unwrap();
}

/// Every file under `dir` with its bytes, and every folder (as an empty entry).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if meta.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else if meta.is_file() {
                out.insert(rel, Some(fs::read(&p).unwrap()));
            } else {
                out.insert(rel, Some(b"<special>".to_vec()));
            }
        }
    }
    out
}

fn run_case(c: &Case) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let work = root.join("work");
    fs::create_dir(&work).unwrap();
    user_files(&work);
    fs::write(root.join("beside.txt"), "a neighbour of the work folder\n").unwrap();
    for (path, content) in &c.files {
        let p = work.join(path);
        if path.ends_with('/') {
            fs::create_dir_all(&p).unwrap();
        } else {
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, content).unwrap();
        }
    }
    let before = snapshot(root);
    let out = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(&work)
        .env("HOME", work.join("home"))
        .args(&c.args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(c.code),
        "case {}: exit code; stderr:\n{stderr}",
        c.name
    );
    for want in &c.stderr {
        assert!(
            stderr.contains(want),
            "case {}: stderr lacks {want:?}:\n{stderr}",
            c.name
        );
    }
    assert!(!stderr.contains("panicked"), "case {}: {stderr}", c.name);
    let after = snapshot(root);
    let allowed = |p: &Path| {
        c.output
            .is_some_and(|o| p.starts_with(Path::new("work").join(o)))
    };
    for (path, content) in &before {
        if !allowed(path) {
            assert_eq!(
                after.get(path),
                Some(content),
                "case {}: {} changed or vanished",
                c.name,
                path.display()
            );
        }
    }
    for path in after.keys() {
        assert!(
            before.contains_key(path) || allowed(path),
            "case {}: {} appeared",
            c.name,
            path.display()
        );
    }
}

/// An earlier result folder written by drawdown (for cases that need one).
fn result_manifest() -> Vec<u8> {
    br#"{"program": "drawdown", "files": {"summary.csv": {}}}"#.to_vec()
}

/// A drawdown manifest listing `name` with the fingerprint of `content`.
fn fingerprinted_manifest(name: &str, content: &[u8]) -> Vec<u8> {
    let record = drawdown::export::manifest::FileRecord::of_bytes(name, content);
    let files = serde_json::json!({ name: record });
    serde_json::json!({ "program": "drawdown", "files": files })
        .to_string()
        .into_bytes()
}

fn data_loss() -> Vec<Case> {
    let run = |o: &'static str| vec!["run", "my.toml", "-n", "40", "-q", "-o", o];
    vec![
        case("o_is_cwd", &run("."), 2, &["-o '.'", "names no folder"]),
        case("o_is_parent", &run(".."), 2, &["-o '..'"]),
        case(
            "o_is_cwd_by_path",
            &run("../work"),
            2,
            &["is the current folder"],
        ),
        case("o_is_grandparent", &run("../.."), 2, &["-o '../..'"]),
        case(
            "o_foreign_folder",
            &run("docs"),
            2,
            &["did not write", "--force"],
        ),
        case("o_existing_file", &run("notes.txt"), 2, &["is a file"]),
        case(
            "o_scenario_file",
            &run("my.toml"),
            2,
            &["-o 'my.toml'", "scenario"],
        ),
        case("o_home", &run("home"), 2, &["home folder"]),
        case("o_root", &run("/"), 2, &["-o '/'"]),
        case("o_dev_null", &run("/dev/null"), 2, &["/dev/null"]),
        case("o_tmp_parent", &run("/tmp"), 2, &["current folder"]),
        case(
            "o_scenario_folder",
            &["run", "sub/sc.toml", "-n", "40", "-q", "-o", "sub"],
            2,
            &["folder holding the scenario"],
        )
        .with("sub/sc.toml", MINIMAL),
        case(
            "o_result_with_user_file",
            &run("old"),
            2,
            &["mine.txt", "--force"],
        )
        .with("old/manifest.json", result_manifest())
        .with("old/summary.csv", "x")
        .with("old/mine.txt", "keep"),
        case(
            "o_not_drawdown_manifest",
            &run("other"),
            2,
            &["did not write"],
        )
        .with("other/manifest.json", r#"{"program": "excel"}"#),
        case(
            "force_never_replaces_cwd",
            &["run", "my.toml", "-n", "40", "-q", "--force", "-o", "."],
            2,
            &["-o '.'"],
        ),
        case(
            "force_never_replaces_a_file",
            &[
                "run",
                "my.toml",
                "-n",
                "40",
                "-q",
                "--force",
                "-o",
                "notes.txt",
            ],
            2,
            &["is a file"],
        ),
        case(
            "force_never_replaces_home",
            &["run", "my.toml", "-n", "40", "-q", "--force", "-o", "home"],
            2,
            &["home folder"],
        ),
        case(
            "force_replaces_a_foreign_folder",
            &[
                "run", "my.toml", "-n", "40", "-q", "--force", "-o", "scratch",
            ],
            0,
            &[],
        )
        .with("scratch/tmp.dat", "scratch")
        .output("scratch"),
        case("o_new_folder_is_fine", &run("results/new"), 0, &[]).output("results"),
        case("o_empty_folder_is_fine", &run("empty"), 0, &[])
            .with("empty/", "")
            .output("empty"),
        case(
            "o_own_result_edited_in_a_spreadsheet",
            &run("edited"),
            2,
            &["summary.csv (edited since drawdown wrote it)", "--force"],
        )
        .with(
            "edited/manifest.json",
            fingerprinted_manifest("summary.csv", b"a,b\n1,2\n"),
        )
        .with("edited/summary.csv", "a,b\n1,2,my note\n"),
        case("o_own_result_is_replaced", &run("old"), 0, &[])
            .with("old/manifest.json", result_manifest())
            .with("old/summary.csv", "x")
            .output("old"),
        case(
            "trace_over_scenario",
            &["run", "my.toml", "--trace", "my.toml"],
            2,
            &["--trace 'my.toml'", "scenario being read"],
        ),
        case(
            "trace_over_user_file",
            &["run", "my.toml", "--trace", "notes.txt"],
            2,
            &["did not write", "--force"],
        ),
        case(
            "trace_into_folder",
            &["run", "my.toml", "--trace", "docs"],
            2,
            &["is a folder"],
        ),
        case(
            "trace_over_device",
            &["run", "my.toml", "--trace", "/dev/null"],
            2,
            &["device"],
        ),
        case(
            "trace_new_file",
            &["run", "my.toml", "-q", "--trace", "t.csv"],
            0,
            &[],
        )
        .output("t.csv"),
        case(
            "init_over_file",
            &["init", "notes.txt"],
            2,
            &["already exists", "--force"],
        ),
        case(
            "init_force_over_folder",
            &["init", "docs", "--force"],
            2,
            &["is a folder"],
        ),
        case(
            "init_into_cwd",
            &["init", ".", "--force"],
            2,
            &["current folder"],
        ),
        case("init_new", &["init", "new.toml"], 0, &["wrote new.toml"]).output("new.toml"),
    ]
}

fn bad_numbers() -> Vec<Case> {
    let set = |name: &'static str, path_value: &'static str, msg: &'static str| {
        case(
            name,
            &["check", "my.toml", "--set", path_value],
            2,
            &["my.toml:", msg],
        )
    };
    vec![
        set(
            "capacity_1e300",
            "factories.plant.capacity.initial=1e300",
            "factories.plant.capacity.initial: must be between 0 and 1e12",
        ),
        set(
            "capacity_1e18",
            "factories.plant.capacity.initial=1e18",
            "1e18",
        ),
        set(
            "stock_near_2_63",
            "nations.donor.stock.shell.floor=9.2e18",
            "nations.donor.stock.shell.floor",
        ),
        set(
            "stock_3e16",
            "nations.front.stock.shell.initial=3e16",
            "nations.front.stock.shell.initial",
        ),
        set(
            "contract_1e13",
            "contracts.purchase.quantity=1e13",
            "contracts.purchase.quantity",
        ),
        set(
            "need_1e13",
            "demand.fire.schedule.base.per_day=1e13",
            "demand.fire.schedule.base.per_day",
        ),
        set(
            "multiplier_1e6",
            "demand.fire.regimes.quiet.multiplier=1e6",
            "factor between 0 and 1000",
        ),
        set(
            "output_factor_huge",
            "factories.plant.output_factor=5000",
            "factories.plant.output_factor",
        ),
        set(
            "lognormal_mean_too_big",
            r#"nations.front.stock.shell.initial={ dist = "lognormal", median = 1e12, p90 = 1e13 }"#,
            "has mean",
        ),
        set("horizon_9999", "scenario.end=9999-12-31", "at most 36525"),
        set(
            "horizon_backwards",
            "scenario.end=2023-01-01",
            "horizon is empty",
        ),
        set(
            "tranches_1e9",
            "contracts.purchase.tranches=1000000000",
            "between 1 and 100000",
        ),
        set(
            "tranches_0",
            "contracts.purchase.tranches=0",
            "between 1 and 100000",
        ),
        set(
            "review_days_0",
            "nations.donor.procurement.shell.review_days=0",
            "at least 1",
        ),
        set(
            "every_days_huge",
            "transfers.pledge.every_days=100000",
            "at most 36525",
        ),
        set(
            "lead_time_huge",
            "contracts.purchase.lead_time_days=1e9",
            "contracts.purchase.lead_time_days",
        ),
        set(
            "negative_sd",
            r#"nations.front.stock.shell.initial={ dist = "normal", mean = 1, sd = -1 }"#,
            "sd",
        ),
        set(
            "p90_below_median",
            r#"contracts.purchase.lead_time_days={ dist = "lognormal", median = 60, p90 = 30 }"#,
            "p90",
        ),
        set(
            "uniform_min_above_max",
            r#"nations.front.stock.shell.initial={ dist = "uniform", min = 9, max = 1 }"#,
            "min",
        ),
        set(
            "dispersion_0",
            "demand.fire.dispersion=0",
            "demand.fire.dispersion",
        ),
        set(
            "dispersion_nan",
            "demand.fire.dispersion=nan",
            "demand.fire.dispersion",
        ),
        set(
            "milestone_far_future",
            "contracts.purchase.award=2900-01-01",
            "about 300 years",
        ),
        set(
            "transit_0",
            "transfers.pledge.transit_days=0",
            "at least 1 day",
        ),
        set(
            "lead_time_0",
            "contracts.purchase.lead_time_days=0",
            "at least 1 day",
        ),
        set(
            "weight_inf",
            "demand.fire.regimes.quiet.next.busy=inf",
            "weights",
        ),
        case(
            "trials_u64_max",
            &["run", "my.toml", "-n", "18446744073709551615", "-o", "out"],
            2,
            &["--trials"],
        ),
        case(
            "trials_0",
            &["run", "my.toml", "-n", "0", "-o", "out"],
            2,
            &["--trials"],
        ),
        case(
            "trials_above_1e9",
            &["run", "my.toml", "-n", "1000000001"],
            2,
            &["--trials"],
        ),
        case(
            "threads_0",
            &["run", "my.toml", "-j", "0"],
            2,
            &["--threads"],
        ),
        case(
            "threads_huge",
            &["run", "my.toml", "-j", "100000"],
            2,
            &["--threads"],
        ),
        case("step_0", &["run", "my.toml", "--step", "0"], 2, &["--step"]),
        case(
            "shard_0",
            &["run", "my.toml", "--shard", "0/4"],
            2,
            &["--shard"],
        ),
        case(
            "shard_5_of_4",
            &["run", "my.toml", "--shard", "5/4"],
            2,
            &["--shard"],
        ),
        case(
            "until_ci_2",
            &["run", "my.toml", "--until-ci", "2", "-o", "o"],
            2,
            &["--until-ci"],
        ),
        case(
            "target_alone",
            &["run", "my.toml", "--target", "front.shell", "-o", "o"],
            2,
            &["--target"],
        ),
        case(
            "memory_limit_refuses",
            &["run", "my.toml", "--max-memory", "1M", "-o", "o"],
            2,
            &["memory", "--step", "--max-memory"],
        ),
        // The analyses keep per-trial values and a design besides the run's memory:
        // each is refused, before it writes anything, when the estimate is above the
        // limit (the default scenario: 151 uncertain inputs).
        case(
            "rank_memory_limit_refuses",
            &["rank", "-n", "1000", "--max-memory", "1M", "-o", "o"],
            2,
            &[
                "ranking would need",
                "1000 trials",
                "fewer trials (-n)",
                "--max-memory",
            ],
        ),
        case(
            "tornado_memory_limit_refuses",
            &["tornado", "-n", "100", "--max-memory", "1M", "-o", "o"],
            2,
            &[
                "tornado would need",
                "30300 trials",
                "--vary",
                "--max-memory",
            ],
        ),
        case(
            "sobol_memory_limit_refuses",
            &["sobol", "--max-memory", "1M", "-o", "o"],
            2,
            &["Sobol design would need", "--base-rows", "--max-memory"],
        ),
        case(
            "sweep_memory_limit_refuses",
            &[
                "sweep",
                "--vary",
                "nations.us.stock.shell_155.initial*=0.5,1",
                "-n",
                "1000",
                "--max-memory",
                "1M",
                "-o",
                "o",
            ],
            2,
            &[
                "sweep would need about",
                "2 × 1000 trials",
                "fewer trials per point (-n)",
                "--max-memory",
            ],
        ),
        // 300 000 base rows × 153 design points: 9.2·10⁷ trials, under the cap of 10⁸,
        // but 4.6·10⁷ design rows of 151 pins each (about 170 GB): refused before the
        // design is built.
        case(
            "sobol_design_too_big",
            &[
                "sobol",
                "-N",
                "300000",
                "-r",
                "2",
                "--max-memory",
                "64G",
                "-o",
                "o",
            ],
            2,
            &[
                "Sobol design would need about",
                "GiB",
                "the design",
                "limit of 64.0 GiB",
            ],
        ),
        // Above the cap of 10⁸ trials: refused before the plan is drawn.
        case(
            "sobol_too_many_trials",
            &["sobol", "-N", "1000000", "-o", "o"],
            2,
            &["more than 100000000"],
        ),
        case(
            "memory_limit_bad_unit",
            &["run", "my.toml", "--max-memory", "12Q"],
            2,
            &["--max-memory"],
        ),
        case(
            "memory_limit_negative",
            &["run", "my.toml", "--max-memory=-5G"],
            2,
            &["--max-memory", "positive size"],
        ),
        case(
            "century_daily_too_big",
            &[
                "run",
                "my.toml",
                "--set",
                "scenario.end=2123-12-31",
                "--step",
                "1",
                "--max-memory",
                "200M",
                "-o",
                "o",
            ],
            2,
            &["reporting days", "--step 30"],
        ),
    ]
}

fn identifiers() -> Vec<Case> {
    let id = |name: &'static str, old: &str, new: &str, msg: &'static str| {
        case(name, &["check", "sc.toml"], 2, &["sc.toml, line", msg]).scenario(edit(old, new))
    };
    vec![
        id(
            "id_hyperlink",
            "[items.shell]",
            "[items.'+HYPERLINK(\"http://evil/x\",\"click\")']",
            "start with a letter",
        ),
        id(
            "id_sum",
            "[nations.front]\n",
            "[nations.'@SUM(A1)']\n",
            "start with a letter",
        ),
        id(
            "id_minus",
            "[nations.front]\n",
            "[nations.'-2+3']\n[nations.front]\n",
            "start with a letter",
        ),
        id(
            "id_equals",
            "[contracts.purchase]",
            "[contracts.'=1+1']",
            "start with a letter",
        ),
        id(
            "id_escape",
            "[transfers.surplus]",
            "[transfers.\"a\\u001b[31m\"]",
            "start with a letter",
        ),
        id(
            "id_newline",
            "[transfers.surplus]",
            "[transfers.\"a\\r\\nb\"]",
            "start with a letter",
        ),
        id(
            "id_dot",
            "[nations.front]\n",
            "[nations.\"a.b\"]\n[nations.front]\n",
            "start with a letter",
        ),
        id(
            "id_too_long",
            "[transfers.surplus]",
            &format!("[transfers.{}]", "x".repeat(65536)),
            "at most 64",
        ),
        id(
            "milestone_id",
            "[factories.plant.capacity]\ninitial = 3000",
            "[factories.plant.capacity]\ninitial = 3000\n[factories.plant.capacity.ramp.'=x']\ndate = \"2024-02-01\"\ntarget = 10",
            "start with a letter",
        ),
        id(
            "regime_id",
            "next = { busy = 1 }",
            "next = { busy = 1, '@x' = 1 }",
            "unknown regime",
        ),
        id(
            "scenario_name_dot",
            "name = \"minimal\"",
            "name = \".\"",
            "scenario.name",
        ),
        id(
            "scenario_name_dotdot",
            "name = \"minimal\"",
            "name = \"..\"",
            "scenario.name",
        ),
        id(
            "scenario_name_nul",
            "name = \"minimal\"",
            "name = \"a\\u0000b\"",
            "scenario.name",
        ),
        id(
            "scenario_name_slash",
            "name = \"minimal\"",
            "name = \"../../etc\"",
            "scenario.name",
        ),
        id(
            "scenario_name_escape",
            "name = \"minimal\"",
            "name = \"a\\u001b]0;x\"",
            "scenario.name",
        ),
        id(
            "item_name_too_long",
            "name = \"155 mm shell\"",
            &format!("name = \"{}\"", "n".repeat(201)),
            "at most 200",
        ),
        case(
            "item_name_escape_is_stripped",
            &["check", "sc.toml"],
            0,
            &[],
        )
        .scenario(edit(
            "name = \"155 mm shell\"",
            "name = \"155 \\u001b[2J mm\"",
        )),
    ]
}

fn files_and_usage() -> Vec<Case> {
    let mut utf16 = vec![0xFF, 0xFE];
    for u in MINIMAL.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    vec![
        case(
            "missing_scenario",
            &["run", "nope.toml", "-o", "o"],
            2,
            &["nope.toml", "no such file"],
        ),
        case(
            "folder_as_scenario",
            &["check", "docs"],
            2,
            &["'docs'", "is a folder"],
        ),
        case(
            "binary_scenario",
            &["check", "docs/report.docx"],
            2,
            &["report.docx", "NUL"],
        ),
        case(
            "utf16_scenario",
            &["check", "u16.toml"],
            2,
            &["u16.toml", "UTF-16"],
        )
        .with("u16.toml", utf16),
        case(
            "latin1_scenario",
            &["check", "l1.toml"],
            2,
            &["l1.toml", "not UTF-8"],
        )
        .with("l1.toml", b"name = \"\xe9\"\n".to_vec()),
        case("empty_scenario", &["check", "e.toml"], 2, &["e.toml"]).with("e.toml", ""),
        case("huge_scenario", &["check", "big.toml"], 2, &["at most"])
            .with("big.toml", vec![b'#'; (16 << 20) + 1]),
        case(
            "deep_nesting",
            &["check", "deep.toml"],
            2,
            &["deep.toml, line 1", "recursion"],
        )
        .with(
            "deep.toml",
            format!("x = {}{}", "[".repeat(5000), "]".repeat(5000)),
        ),
        case("bom_is_accepted", &["check", "bom.toml"], 0, &[])
            .with("bom.toml", format!("\u{feff}{MINIMAL}")),
        case(
            "trace_with_shard",
            &["run", "my.toml", "--trace", "t.csv", "--shard", "1/2"],
            2,
            &["--trace", "--shard"],
        ),
        case(
            "trace_with_until_ci",
            &["run", "my.toml", "--trace", "t.csv", "--until-ci", "0.1"],
            2,
            &["--trace", "--until-ci"],
        ),
        case(
            "unknown_key",
            &["check", "sc.toml"],
            2,
            &["sc.toml, line", "unknown field"],
        )
        .scenario(edit("seed = 1", "seed = 1\ncolour = 3")),
        case(
            "set_unknown_path",
            &[
                "check",
                "my.toml",
                "--set",
                "factories.nope.capacity.initial=1",
            ],
            2,
            &["factories.nope"],
        ),
        case(
            "set_no_equals",
            &["check", "my.toml", "--set", "factories"],
            2,
            &["--set"],
        ),
        case(
            "set_bad_value",
            &["check", "my.toml", "--set", "scenario.end=yesterday"],
            2,
            &["scenario.end"],
        ),
        case(
            "merge_a_file",
            &["merge", "notes.txt", "-o", "m"],
            2,
            &["notes.txt", "not a shard folder"],
        ),
        case(
            "merge_missing_folder",
            &["merge", "nowhere", "-o", "m"],
            2,
            &["nowhere", "no such folder"],
        ),
        case(
            "merge_a_plain_folder",
            &["merge", "docs", "-o", "m"],
            2,
            &["docs", "not a shard folder"],
        ),
        case(
            "merge_garbage_partial",
            &["merge", "bad", "-o", "m"],
            2,
            &["not a valid shard file"],
        )
        .with("bad/partial.json", "{ nope"),
        // `merge` first reads each shard's manifest alone and stops there.
        case(
            "merge_partial_without_manifest",
            &["merge", "bad", "-o", "m"],
            2,
            &["not a valid shard file", "missing field `manifest`"],
        )
        .with(
            "bad/partial.json",
            r#"{"scenario_text": "x", "aggregate": [1, 2]}"#,
        ),
        case(
            "merge_partial_with_a_bad_manifest",
            &["merge", "bad", "-o", "m"],
            2,
            &["not a valid shard file"],
        )
        .with(
            "bad/partial.json",
            r#"{"scenario_text": "x", "manifest": {"seed": "no"}}"#,
        ),
        case(
            "merge_partial_not_an_object",
            &["merge", "bad", "-o", "m"],
            2,
            &["not a valid shard file"],
        )
        .with("bad/partial.json", "[1, 2, 3]"),
    ]
}

#[test]
fn every_bad_input_in_the_catalogue_gets_its_answer_and_touches_nothing_else() {
    let cases: Vec<Case> = [data_loss(), bad_numbers(), identifiers(), files_and_usage()]
        .into_iter()
        .flatten()
        .collect();
    assert!(cases.len() >= 80, "the catalogue has {} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    let mut failed = Vec::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case {}", c.name);
        if std::panic::catch_unwind(|| run_case(c)).is_err() {
            failed.push(c.name);
        }
    }
    assert!(failed.is_empty(), "failed cases: {failed:?}");
}

/// Shards written for the merge cases: two halves of a 128-trial run.
fn shards(dir: &Path) {
    for k in ["1", "2"] {
        let out = Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(dir)
            .args(["run", "my.toml", "-n", "128", "-q", "--shard"])
            .arg(format!("{k}/2"))
            .args(["-o", &format!("s{k}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Merge refusals that need real shards: each damage to a shard is named, and the
/// shards and everything else stay as they were.
#[test]
fn merge_refuses_damaged_shards_and_outputs_over_its_inputs() {
    type Damage = fn(&Path);
    let damages: Vec<(&str, Damage, &[&str], Vec<&str>)> = vec![
        (
            "truncated",
            |d| truncate(&d.join("s2/trials.csv")),
            &["s2", "trials.csv", "truncated or edited"],
            vec!["-o", "m"],
        ),
        (
            "appended",
            |d| append(&d.join("s2/trials.csv"), b"99,x,y,1,2,3\n"),
            &["s2", "trials.csv"],
            vec!["-o", "m"],
        ),
        (
            "edited_summary",
            |d| append(&d.join("s1/summary.csv"), b" "),
            &["s1", "summary.csv"],
            vec!["-o", "m"],
        ),
        (
            "deleted",
            |d| fs::remove_file(d.join("s1/stock.csv")).unwrap(),
            &["s1", "stock.csv", "missing"],
            vec!["-o", "m"],
        ),
        (
            "out_is_input",
            |_| {},
            &["-o 's1'", "input folder"],
            vec!["-o", "s1"],
        ),
        (
            "out_inside_input",
            |_| {},
            &["lies inside an input folder"],
            vec!["-o", "s2/merged"],
        ),
        (
            "out_is_the_folder_of_inputs",
            |_| {},
            &["-o '../work'"],
            vec!["-o", "../work"],
        ),
    ];
    for (name, damage, messages, out) in damages {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("work");
        fs::create_dir(&dir).unwrap();
        user_files(&dir);
        shards(&dir);
        damage(&dir);
        let before = snapshot(tmp.path());
        let output = Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(&dir)
            .args(["merge", "s1", "s2", "-q"])
            .args(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        for m in messages {
            assert!(stderr.contains(m), "{name}: stderr lacks {m:?}: {stderr}");
        }
        assert_eq!(snapshot(tmp.path()), before, "{name}: something changed");
    }
}

fn truncate(path: &Path) {
    let bytes = fs::read(path).unwrap();
    fs::write(path, &bytes[..bytes.len() - 40]).unwrap();
}

fn append(path: &Path, extra: &[u8]) {
    let mut bytes = fs::read(path).unwrap();
    bytes.extend_from_slice(extra);
    fs::write(path, bytes).unwrap();
}

/// `--shard 1/1` writes a shard that merges into the same tables as the plain run.
#[test]
fn a_single_shard_is_mergeable_and_merges_into_the_plain_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("my.toml"), MINIMAL).unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(dir)
            .args(["run", "my.toml", "-n", "100", "-q"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--shard", "1/1", "-o", "one"]);
    assert!(dir.join("one/partial.json").exists());
    run(&["-o", "plain"]);
    let out = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(["merge", "one", "-q", "-o", "merged"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "summary.csv",
        "depletion.csv",
        "stock.csv",
        "shortfall.csv",
        "trials.csv",
    ] {
        assert_eq!(
            fs::read(dir.join("plain").join(f)).unwrap(),
            fs::read(dir.join("merged").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The output-contract checker that CI runs fails on a broken folder (so CI can fail).
#[test]
fn the_contract_checker_fails_on_a_broken_result() {
    let Ok(status) = std::process::Command::new("python3")
        .arg("--version")
        .output()
    else {
        return; // no python3: CI installs it; nothing to check here
    };
    assert!(status.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/check-outputs.py");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/example");
    let broken = tmp.path().join("broken");
    fs::create_dir(&broken).unwrap();
    for e in fs::read_dir(&example).unwrap() {
        let p = e.unwrap().path();
        let to = broken.join(p.file_name().unwrap());
        if p.is_dir() {
            // plots/: one level of files.
            fs::create_dir(&to).unwrap();
            for inner in fs::read_dir(&p).unwrap() {
                let q = inner.unwrap().path();
                fs::copy(&q, to.join(q.file_name().unwrap())).unwrap();
            }
        } else {
            fs::copy(&p, &to).unwrap();
        }
    }
    let ok = std::process::Command::new("python3")
        .arg(&checker)
        .arg(&broken)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    fs::remove_file(broken.join("stock.csv")).unwrap();
    let bad = std::process::Command::new("python3")
        .arg(&checker)
        .arg(&broken)
        .output()
        .unwrap();
    assert!(
        !bad.status.success(),
        "the checker must fail without stock.csv"
    );
}
