//! Stop signals with an earlier result present: SIGINT, SIGTERM and SIGHUP stop the run
//! promptly with nothing half-written, the previous results intact and exit codes
//! 130 / 143 / 129 with a note on stderr; SIGKILL cannot be caught, so its leftover
//! working folder is removed by the next run, which says so.

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Writes a small earlier result into `dir/out` and returns its files' bytes.
fn earlier_result(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let status = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(["run", "-n", "64", "-q", "-o", "out"])
        .status()
        .unwrap();
    assert!(status.success());
    files(&dir.join("out"))
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Hidden working folders beside `out`.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out."))
        .collect()
}

/// A long run (the default scenario, a million trials) into `dir/out`, started once its
/// working folder exists and some trials have run.
fn long_run(dir: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(["run", "-n", "1000000", "-j", "2", "-o", "out"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while leftovers(dir).is_empty() {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn stop_signals_keep_the_previous_results_and_exit_with_their_codes() {
    for (signal, code, name) in [
        ("INT", 130, "SIGINT"),
        ("TERM", 143, "SIGTERM"),
        ("HUP", 129, "SIGHUP"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let before = earlier_result(dir);
        let child = long_run(dir);
        let sent = Instant::now();
        send(&child, signal);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
        assert!(stderr.contains(&format!("stopped by {name}")), "{stderr}");
        assert!(
            sent.elapsed() < Duration::from_secs(30),
            "{name}: took {:?} to stop",
            sent.elapsed()
        );
        assert_eq!(files(&dir.join("out")), before, "{name}: results changed");
        assert!(leftovers(dir).is_empty(), "{name}: {:?}", leftovers(dir));
        assert!(out.stdout.is_empty(), "{name}: no result table");
    }
}

#[test]
fn after_sigkill_the_previous_results_stay_and_the_next_run_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let before = earlier_result(dir);
    let mut child = long_run(dir);
    send(&child, "KILL");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    assert_eq!(files(&dir.join("out")), before, "results changed");
    let left = leftovers(dir);
    assert_eq!(left.len(), 1, "the killed run's working folder: {left:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(["run", "-n", "64", "-q", "-o", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("left by a run that was killed") && stderr.contains(&left[0]),
        "{stderr}"
    );
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
}

/// Two shards of a daily-reporting run of the default scenario in `dir/s1`, `dir/s2`:
/// large aggregates, so that merging them takes seconds.
fn large_shards(dir: &Path) {
    for k in ["1", "2"] {
        let status = Command::new(env!("CARGO_BIN_EXE_drawdown"))
            .current_dir(dir)
            .args(["run", "-n", "128", "--step", "1", "-q", "--shard"])
            .arg(format!("{k}/2"))
            .args(["-o", &format!("s{k}")])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A merge of `dir/s1` and `dir/s2` into `dir/out`, returned once it is under way: at
/// once (it is still reading the shards), or once its working folder exists (it is
/// writing the results).
fn long_merge(dir: &Path, writing: bool) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_drawdown"))
        .current_dir(dir)
        .args(["merge", "s1", "s2", "-o", "out"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    if writing {
        while leftovers(dir).is_empty() {
            assert!(Instant::now() < deadline, "the merge never started writing");
            std::thread::sleep(Duration::from_millis(10));
        }
    } else {
        std::thread::sleep(Duration::from_millis(200));
    }
    child
}

#[test]
fn stop_signals_stop_a_merge_keeping_the_previous_results() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    large_shards(dir);
    let before = earlier_result(dir);
    for (signal, code, name, writing) in [
        ("INT", 130, "SIGINT", false),
        ("TERM", 143, "SIGTERM", true),
        ("HUP", 129, "SIGHUP", true),
    ] {
        let child = long_merge(dir, writing);
        let sent = Instant::now();
        send(&child, signal);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("note: stopped by {name}")),
            "{stderr}"
        );
        assert!(
            sent.elapsed() < Duration::from_secs(30),
            "{name}: took {:?} to stop",
            sent.elapsed()
        );
        assert_eq!(files(&dir.join("out")), before, "{name}: results changed");
        assert!(leftovers(dir).is_empty(), "{name}: {:?}", leftovers(dir));
        assert!(out.stdout.is_empty(), "{name}: no result table");
    }
}
