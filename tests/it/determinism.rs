//! Reproducibility to the byte: whatever the thread count, whatever the shard split,
//! and against the example result kept in git.

use drawdown::pipeline::{self, Loaded, RunRequest};
use drawdown::runner::{Shard, Silent};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EXAMPLE: &str = "configs/example.toml";
/// The command that produced `results/example/` (see results/README.md).
const EXAMPLE_TRIALS: u64 = 1000;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn load(path: &str, overrides: &[String]) -> Loaded {
    let text = std::fs::read_to_string(repo(path)).unwrap();
    let scenario = drawdown::scenario::Scenario::from_toml(path, &text, overrides).unwrap();
    Loaded {
        scenario,
        origin: path.into(),
        text,
        overrides: overrides.to_vec(),
        path: None,
    }
}

fn request(out: &Path, trials: u64, threads: usize) -> RunRequest {
    RunRequest {
        trials,
        seed: None,
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        step_days: 7,
        ..RunRequest::default()
    }
}

/// Every file of a result folder but the manifest, by name (`plots/…` for the files of
/// a subfolder).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for (inner, bytes) in files(&path) {
                out.insert(format!("{name}/{inner}"), bytes);
            }
        } else if name != "manifest.json" && name != "partial.json" {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
    out
}

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(
            bytes == &fb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// One shared result per run, filled by 1, 2, 4 or 7 workers: the same bytes in every
/// output file.
#[test]
fn outputs_are_identical_for_one_two_four_and_seven_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load("tests/fixtures/kitchen_sink.toml", &[]);
    let one = tmp.path().join("one");
    // 700 trials: several blocks and a partial last block.
    pipeline::run(&loaded, &request(&one, 700, 1), &Silent).unwrap();
    assert_eq!(files(&one).len(), 5);
    for threads in [2, 4, 7] {
        let other = tmp.path().join(format!("j{threads}"));
        pipeline::run(&loaded, &request(&other, 700, threads), &Silent).unwrap();
        assert_same(&one, &other);
    }
}

/// Every shipped scenario gives the same bytes on 1 and 2 threads (a worker runs many
/// trials in one workspace, so any state a trial leaves behind shows here: the stinger
/// scenario's substitute stocks once carried their period sums over).
#[test]
fn every_shipped_scenario_gives_the_same_outputs_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    for shipped in drawdown::scenario::library::SHIPPED {
        let loaded = Loaded::from_text(shipped.name, shipped.text, &[]).unwrap();
        let (one, two) = (
            tmp.path().join(format!("{}-1", shipped.name)),
            tmp.path().join(format!("{}-2", shipped.name)),
        );
        pipeline::run(&loaded, &request(&one, 60, 1), &Silent).unwrap();
        pipeline::run(&loaded, &request(&two, 60, 2), &Silent).unwrap();
        assert_same(&one, &two);
    }
}

/// 256 shards of one block each, merged (the aggregates read one at a time), give the
/// single-machine run's bytes.
#[test]
fn merged_256_shards_equal_the_single_machine_run() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load(EXAMPLE, &[]);
    let trials = 256 * drawdown::runner::BLOCK;
    let whole = tmp.path().join("whole");
    pipeline::run(&loaded, &request(&whole, trials, 2), &Silent).unwrap();
    let shards: Vec<PathBuf> = (1..=256u64)
        .map(|k| {
            let dir = tmp.path().join(format!("shard{k}"));
            let mut req = request(&dir, trials, 1);
            req.shard = Shard::parse(&format!("{k}/256")).unwrap();
            pipeline::run(&loaded, &req, &Silent).unwrap();
            dir
        })
        .collect();
    let merged = tmp.path().join("merged");
    let summary = pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_eq!(summary.trials, trials);
    assert_same(&whole, &merged);
}

#[test]
fn merged_shards_equal_the_single_machine_run() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load(EXAMPLE, &["transfers.monthly_aid.every_days=45".into()]);
    let whole = tmp.path().join("whole");
    pipeline::run(&loaded, &request(&whole, 1000, 2), &Silent).unwrap();
    let mut shards = Vec::new();
    for k in [3u64, 1, 2] {
        let dir = tmp.path().join(format!("shard{k}"));
        let mut req = request(&dir, 1000, 1);
        req.shard = Shard::parse(&format!("{k}/3")).unwrap();
        pipeline::run(&loaded, &req, &Silent).unwrap();
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    let summary = pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_eq!(summary.trials, 1000);
    assert_same(&whole, &merged);
    // A missing shard is refused rather than merged into a smaller run.
    let err = pipeline::merge(&shards[..2], &tmp.path().join("bad"), false, None).unwrap_err();
    assert!(err.to_string().contains("missing shard"), "{err}");
}

#[test]
fn a_different_seed_changes_the_results() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load(EXAMPLE, &[]);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    pipeline::run(&loaded, &request(&a, 200, 2), &Silent).unwrap();
    let mut req = request(&b, 200, 2);
    req.seed = Some(8);
    pipeline::run(&loaded, &req, &Silent).unwrap();
    assert_ne!(files(&a)["trials.csv"], files(&b)["trials.csv"]);
}

/// `results/example/` is kept in git; regenerating it must give the same bytes.
#[test]
fn regenerates_the_kept_example_result_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("example");
    let req = RunRequest {
        xlsx: true,
        plots: true,
        ..request(&out, EXAMPLE_TRIALS, 2)
    };
    pipeline::run(&load(EXAMPLE, &[]), &req, &Silent).unwrap();
    assert_same(&repo("results/example"), &out);
    let charts = files(&out)
        .keys()
        .filter(|n| n.starts_with("plots/"))
        .count();
    assert_eq!(
        charts, 4,
        "fan charts of donor and recipient, depletion, need"
    );
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo("results/example/manifest.json")).unwrap())
            .unwrap();
    let new: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "scenario_file",
        "scenario_sha256",
        "seed",
        "trials",
        "step_days",
        "xlsx",
        "plots",
    ] {
        assert_eq!(kept[key], new[key], "manifest field {key}");
    }
}

/// Precision stopping adds whole waves until the interval is narrow enough: the stopping
/// point is reproducible, the target is met on every reporting day, and one wave fewer
/// would not have met it.
#[test]
fn precision_stopping_is_reproducible_and_meets_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load(EXAMPLE, &[]);
    let mut req = request(&tmp.path().join("a"), 100_000, 2);
    req.until_ci = Some(0.03);
    req.target = Some("recipient.shell_155".into());
    let a = pipeline::run(&loaded, &req, &Silent).unwrap();
    req.out = Some(tmp.path().join("b"));
    req.threads = Some(1);
    let b = pipeline::run(&loaded, &req, &Silent).unwrap();
    assert_eq!(a.precision_reached, Some(true));
    assert_eq!(a.trials, b.trials);
    assert_eq!(a.trials % 2048, 0, "stops after whole waves");
    assert!(a.trials < 100_000);
    assert_same(&a.dir, &b.dir);
    assert!(widest_interval(&a.dir, "recipient") < 0.03);
    // The same trials minus the last wave: some reported day was still too wide.
    let earlier = tmp.path().join("earlier");
    pipeline::run(&loaded, &request(&earlier, a.trials - 2048, 2), &Silent).unwrap();
    let widest = widest_interval(&earlier, "recipient");
    assert!(
        widest >= 0.03 - 2e-6,
        "one wave earlier the widest was {widest}"
    );
}

/// The widest 95 % interval of `nation`'s depletion curve in `dir/depletion.csv`.
pub(crate) fn widest_interval(dir: &Path, nation: &str) -> f64 {
    let text = std::fs::read_to_string(dir.join("depletion.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == nation)
        .map(|f| f[6].parse::<f64>().unwrap() - f[5].parse::<f64>().unwrap())
        .fold(0.0, f64::max)
}

#[test]
fn merged_shards_with_groups_equal_the_single_machine_run() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = load("tests/fixtures/groups.toml", &[]);
    let (whole, four) = (tmp.path().join("whole"), tmp.path().join("four"));
    pipeline::run(&loaded, &request(&whole, 500, 1), &Silent).unwrap();
    pipeline::run(&loaded, &request(&four, 500, 4), &Silent).unwrap();
    assert_same(&whole, &four);
    assert!(files(&whole).contains_key("groups.csv"));
    let mut shards = Vec::new();
    for k in [2u64, 1, 3] {
        let dir = tmp.path().join(format!("shard{k}"));
        let mut req = request(&dir, 500, 1);
        req.shard = Shard::parse(&format!("{k}/3")).unwrap();
        pipeline::run(&loaded, &req, &Silent).unwrap();
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    pipeline::merge(&shards, &merged, false, None).unwrap();
    assert_same(&whole, &merged);
}
