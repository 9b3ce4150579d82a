//! `merge` writes what one machine would have written, `inputs.csv` included; it checks
//! every file of a shard, `partial.json` too, against the shard's `manifest.json`, and
//! refuses a shard without one or with another folder's.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/example.toml");

fn drawdown(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) {
    let out = drawdown(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
}

/// `drawdown run` of the example scenario, 1 500 trials, with `extra`, into `out`.
fn run(dir: &Path, out: &str, extra: &[&str]) {
    let args = [&["run", EXAMPLE, "-n", "1500", "-q", "-o", out], extra].concat();
    ok(dir, &args);
}

/// Shards `s1`, `s2`, `s3` of the example's 1 500 trials, each with `extra`.
fn three_shards(dir: &Path, extra: &[&str]) {
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = format!("s{k}");
        run(
            dir,
            &out,
            &[&["-j", "1", "--shard", &shard], extra].concat(),
        );
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Every file of a folder by name, each with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect()
}

/// Every file under `dir` (recursively) with its bytes, to show nothing changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.clone(), fs::read(&path).unwrap());
        }
    }
    out
}

/// Runs a merge of `s1 s2 s3` into `m` that must be refused with exit 2 and change
/// nothing; returns its stderr.
fn refused_merge(dir: &Path) -> String {
    let before = snapshot(dir);
    let out = drawdown(dir, &["merge", "s1", "s2", "s3", "-q", "-o", "m"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(snapshot(dir), before, "the refused merge changed something");
    stderr
}

fn assert_says(stderr: &str, says: &[&str]) {
    for s in says {
        assert!(stderr.contains(s), "expected {s:?} in: {stderr}");
    }
}

/// The manifest without the fields that depend on the machine and the clock.
fn without_clock(mut m: serde_json::Value) -> serde_json::Value {
    let object = m.as_object_mut().unwrap();
    for key in ["threads", "started", "finished", "wall_seconds"] {
        object.remove(key);
    }
    m
}

#[test]
fn merged_shards_run_with_inputs_write_the_single_run_inputs_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    three_shards(dir, &["--inputs"]);
    run(dir, "all", &["--inputs"]);
    ok(dir, &["merge", "s1", "s2", "s3", "-q", "-o", "m"]);
    let (all, merged) = (files(&dir.join("all")), files(&dir.join("m")));
    assert_eq!(
        all.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>()
    );
    assert!(all.contains_key("inputs.csv"));
    for (name, bytes) in all.iter().filter(|(n, _)| *n != "manifest.json") {
        assert!(
            bytes == &merged[name],
            "{name} differs from the single run's"
        );
    }
    assert_eq!(
        without_clock(json(&dir.join("m/manifest.json"))),
        without_clock(json(&dir.join("all/manifest.json")))
    );
}

#[test]
fn merge_refuses_shards_run_with_and_without_inputs_naming_both_values() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    three_shards(dir, &[]);
    run(dir, "s2", &["-j", "1", "--shard", "2/3", "--inputs"]);
    let stderr = refused_merge(dir);
    assert_says(
        &stderr,
        &["'s2' belongs to a different run than 's1': --inputs on against off"],
    );
}

#[test]
fn a_shard_manifest_lists_partial_json_and_repeats_the_manifest_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, "s", &["--shard", "1/2"]);
    run(dir, "plain", &[]);
    let mut listed = json(&dir.join("s/manifest.json"));
    let record = listed["files"]
        .as_object_mut()
        .unwrap()
        .remove("partial.json")
        .expect("partial.json is listed");
    let print = drawdown::export::manifest::FileRecord::of(&dir.join("s/partial.json")).unwrap();
    assert_eq!(record["sha256"], print.sha256);
    assert_eq!(record["bytes"], print.bytes);
    let partial = json(&dir.join("s/partial.json"));
    assert_eq!(listed, partial["manifest"]);
    // An ordinary run writes no shard file and lists none.
    let plain = json(&dir.join("plain/manifest.json"));
    assert!(plain["files"].get("partial.json").is_none());
    assert!(!dir.join("plain/partial.json").exists());
}

/// Changes one digit of the aggregate in `path`: still a valid shard file.
fn change_one_digit(path: &Path) {
    let mut text = fs::read_to_string(path).unwrap();
    let from = text.find("\"aggregate\"").unwrap() + 200;
    let at = from + text[from..].find(|c: char| c.is_ascii_digit()).unwrap();
    let digit = if &text[at..=at] == "1" { "2" } else { "1" };
    text.replace_range(at..=at, digit);
    fs::write(path, text).unwrap();
}

#[test]
fn merge_refuses_a_shard_whose_partial_json_was_edited_truncated_or_extended() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    three_shards(dir, &[]);
    let partial = dir.join("s2/partial.json");
    let original = fs::read(&partial).unwrap();
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 4] = [
        ("one digit", change_one_digit),
        ("truncated", |p| {
            let bytes = fs::read(p).unwrap();
            fs::write(p, &bytes[..bytes.len() - 10]).unwrap();
        }),
        ("extended", |p| {
            let mut bytes = fs::read(p).unwrap();
            bytes.extend_from_slice(b"\n\n");
            fs::write(p, bytes).unwrap();
        }),
        ("broken", |p| {
            let mut bytes = fs::read(p).unwrap();
            bytes[0] = b'[';
            fs::write(p, bytes).unwrap();
        }),
    ];
    for (name, damage) in damages {
        damage(&partial);
        let stderr = refused_merge(dir);
        assert_says(
            &stderr,
            &["shard 's2': partial.json is not the file the shard wrote"],
        );
        assert!(
            !stderr.contains("s1") && !stderr.contains("s3"),
            "{name}: {stderr}"
        );
        fs::write(&partial, &original).unwrap();
    }
    ok(dir, &["merge", "s1", "s2", "s3", "-q", "-o", "m"]);
}

#[test]
fn merge_refuses_a_shard_without_its_own_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    three_shards(dir, &[]);
    run(dir, "plain", &[]);
    let manifest = dir.join("s2/manifest.json");
    let original = fs::read(&manifest).unwrap();
    let cases: [(&str, Option<PathBuf>, &str); 4] = [
        ("deleted", None, "shard 's2': manifest.json is missing"),
        (
            "another shard's",
            Some(dir.join("s3/manifest.json")),
            "shard 's2': manifest.json does not describe the shard in partial.json (they differ in files, ",
        ),
        (
            "a plain run's",
            Some(dir.join("plain/manifest.json")),
            "shard 's2': manifest.json does not list partial.json",
        ),
        (
            "not a manifest",
            Some(dir.join("s2/summary.csv")),
            "shard 's2': manifest.json is not a drawdown manifest",
        ),
    ];
    for (name, replacement, says) in cases {
        match replacement {
            None => fs::remove_file(&manifest).unwrap(),
            Some(from) => fs::copy(from, &manifest).map(drop).unwrap(),
        }
        let stderr = refused_merge(dir);
        assert!(
            stderr.contains(says),
            "{name}: expected {says:?} in: {stderr}"
        );
        fs::write(&manifest, &original).unwrap();
    }
    // An edited field (the seed) no longer describes the shard either.
    let text = String::from_utf8(original.clone()).unwrap();
    fs::write(&manifest, text.replace("\"seed\": 7,", "\"seed\": 8,")).unwrap();
    let stderr = refused_merge(dir);
    assert_says(
        &stderr,
        &["manifest.json does not describe", "(they differ in seed)"],
    );
    fs::write(&manifest, &original).unwrap();
    ok(dir, &["merge", "s1", "s2", "s3", "-q", "-o", "m"]);
}

#[test]
fn a_merged_manifest_gives_its_wall_time_to_the_millisecond() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    three_shards(dir, &[]);
    ok(dir, &["merge", "s1", "s2", "s3", "-q", "-o", "m"]);
    let text = fs::read_to_string(dir.join("m/manifest.json")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("\"wall_seconds\""))
        .unwrap();
    let value = line.trim().trim_start_matches("\"wall_seconds\": ");
    let value = value.trim_end_matches(',');
    let decimals = value.split('.').nth(1).map_or(0, str::len);
    assert!(decimals <= 3, "{line}");
}
