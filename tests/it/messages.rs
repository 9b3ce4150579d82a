//! Refusals that say exactly what is wrong: each test runs the binary, checks the exit
//! code (2) and the wording, and that nothing in its folder was changed or created.
//!
//! Each command runs in a fresh temporary folder holding the minimal scenario.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A valid scenario with every kind of entity once.
const MINIMAL: &str = include_str!("../fixtures/minimal.toml");

/// A fresh working folder holding `my.toml` (the minimal scenario).
fn workdir() -> TempDir {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    fs::write(dir.path().join("my.toml"), MINIMAL).expect("writing the scenario");
    dir
}

/// `drawdown` with `dir` as its working folder.
fn drawdown(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drawdown"));
    cmd.current_dir(dir);
    cmd
}

/// Runs `my.toml` with `trials` into `out` plus `extra`, expecting success.
fn run(dir: &Path, trials: &str, out: &str, extra: &[&str]) {
    drawdown(dir)
        .args(["run", "my.toml", "-n", trials, "-q", "-o", out])
        .args(extra)
        .assert()
        .success();
}

/// Every file and folder under `dir`, with each file's bytes (`None` for a folder).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut all = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("listing a folder") {
            let path = entry.expect("a folder entry").path();
            let key = path.strip_prefix(dir).expect("inside dir").to_path_buf();
            let meta = fs::symlink_metadata(&path).expect("inspecting an entry");
            if meta.is_dir() {
                pending.push(path);
                all.insert(key, None);
            } else {
                all.insert(key, Some(fs::read(&path).unwrap_or_default()));
            }
        }
    }
    all
}

/// Runs `args` in `dir`, expecting exit 2 and nothing under `dir` changed or created;
/// returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let before = snapshot(dir);
    let output = drawdown(dir).args(args).output().expect("running drawdown");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        snapshot(dir) == before,
        "{args:?} changed or created files in its folder"
    );
    stderr
}

/// Asserts `stderr` contains each of `says`.
fn assert_says(stderr: &str, says: &[&str]) {
    for s in says {
        assert!(stderr.contains(s), "expected {s:?} in: {stderr}");
    }
}

/// Shard 1/2 of a 300-trial run in `a`, and shard 2/2 of a run of `trials` with
/// `extra` in `b`.
fn shards(dir: &Path, trials: &str, extra: &[&str]) {
    run(dir, "300", "a", &["--shard", "1/2"]);
    run(dir, trials, "b", &[&["--shard", "2/2"], extra].concat());
}

#[test]
fn merge_of_shards_with_different_seeds_names_the_seed_and_both_values() {
    let dir = workdir();
    shards(dir.path(), "300", &["--seed", "7"]);
    let seed0 = {
        let text = fs::read_to_string(dir.path().join("a/manifest.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["seed"].as_u64().unwrap()
    };
    assert_ne!(seed0, 7, "the shards must differ in their seed");
    let stderr = refused(dir.path(), &["merge", "a", "b", "-o", "m"]);
    assert_says(
        &stderr,
        &[&format!(
            "'b' belongs to a different run than 'a': seed 7 against {seed0}\n"
        )],
    );
}

#[test]
fn merge_of_shards_with_different_trial_counts_names_both_counts() {
    let dir = workdir();
    shards(dir.path(), "500", &[]);
    let stderr = refused(dir.path(), &["merge", "b", "a", "-o", "m"]);
    assert_says(
        &stderr,
        &["'b' belongs to a different run than 'a': trials 500 against 300\n"],
    );
}

#[test]
fn merge_of_shards_with_different_csv_formats_names_both_formats() {
    let dir = workdir();
    shards(dir.path(), "300", &["--csv-locale", "fr"]);
    let stderr = refused(dir.path(), &["merge", "a", "b", "-o", "m"]);
    assert_says(
        &stderr,
        &[
            "'b' belongs to a different run than 'a': CSV format (delimiter ';', decimal ',') against (delimiter ',', decimal '.')\n",
        ],
    );
}

#[test]
fn merge_of_shards_differing_in_several_ways_names_each() {
    let dir = workdir();
    shards(dir.path(), "500", &["--seed", "7", "--xlsx"]);
    let stderr = refused(dir.path(), &["merge", "a", "b", "-o", "m"]);
    assert_says(
        &stderr,
        &[
            "seed 7 against",
            "trials 500 against 300",
            "--xlsx on against off",
        ],
    );
    assert!(
        !stderr.contains("CSV format"),
        "the CSV formats agree: {stderr}"
    );
}

#[test]
fn merge_of_the_same_folder_twice_says_it_was_given_twice() {
    let dir = workdir();
    shards(dir.path(), "300", &[]);
    let stderr = refused(dir.path(), &["merge", "a", "a", "b", "-o", "m"]);
    assert_says(
        &stderr,
        &["shard folder 'a' was given twice: give each shard folder once"],
    );
    assert!(!stderr.contains("overlaps"), "{stderr}");
    let stderr = refused(dir.path(), &["merge", "a", "b", "./a", "-o", "m"]);
    assert_says(
        &stderr,
        &["shard folder 'a' was given twice (as 'a' and './a')"],
    );
}

#[test]
fn merge_of_a_copied_shard_names_both_folders_and_their_trials() {
    let dir = workdir();
    shards(dir.path(), "300", &[]);
    fs::create_dir(dir.path().join("copy")).unwrap();
    for entry in fs::read_dir(dir.path().join("a")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(
            &path,
            dir.path().join("copy").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let stderr = refused(dir.path(), &["merge", "a", "copy", "b", "-o", "m"]);
    assert_says(
        &stderr,
        &[
            "'copy' (shard 1/2, trials 0..",
            "overlaps 'a' (shard 1/2, trials 0..",
            "give each shard once",
        ],
    );
}

#[test]
fn refusal_of_a_folder_without_its_manifest_says_how_many_files_it_left_out() {
    let dir = workdir();
    // The default scenario, whose result folder holds more than five files.
    drawdown(dir.path())
        .args(["run", "-n", "10", "-q", "-o", "R"])
        .assert()
        .success();
    fs::remove_file(dir.path().join("R/manifest.json")).unwrap();
    let files = fs::read_dir(dir.path().join("R")).unwrap().count();
    assert!(files > 5, "the folder must hold more files than are listed");
    let stderr = refused(dir.path(), &["run", "-n", "10", "-q", "-o", "R"]);
    assert_says(
        &stderr,
        &[
            "-o 'R' has no manifest.json, so drawdown cannot tell its files are its own (",
            &format!(" … and {} more); choose another -o", files - 5),
        ],
    );
}

#[test]
fn run_onto_the_scenario_file_calls_it_the_scenario_file() {
    let dir = workdir();
    for force in [&[][..], &["--force"]] {
        let args = [
            &["run", "my.toml", "-n", "10", "-q", "-o", "my.toml"][..],
            force,
        ]
        .concat();
        let stderr = refused(dir.path(), &args);
        assert_says(&stderr, &["-o 'my.toml' is the scenario file being read ("]);
        assert!(!stderr.contains("folder holding"), "{stderr}");
    }
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub/sc.toml"), MINIMAL).unwrap();
    let stderr = refused(
        dir.path(),
        &["run", "sub/sc.toml", "-n", "10", "-q", "-o", "sub"],
    );
    assert_says(&stderr, &["-o 'sub' is the folder holding the scenario ("]);
}

#[test]
fn init_given_a_folder_says_so_at_once_and_suggests_a_file_in_it() {
    let dir = workdir();
    fs::create_dir(dir.path().join("userdir")).unwrap();
    for force in [&[][..], &["--force"]] {
        let stderr = refused(dir.path(), &[&["init", "userdir"][..], force].concat());
        assert_says(
            &stderr,
            &[
                "init 'userdir' is a folder: init writes a scenario file; give its name, e.g. drawdown init userdir/my.toml",
            ],
        );
        assert!(!stderr.contains("already exists"), "{stderr}");
        let stderr = refused(dir.path(), &[&["init", "."][..], force].concat());
        assert_says(
            &stderr,
            &[
                "init '.' is a folder (the current folder): init writes a scenario file",
                "drawdown init ./my.toml",
            ],
        );
    }
}
