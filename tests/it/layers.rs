//! The layering rule (each layer knows only those below it), checked on the source: the
//! engine knows nothing of munitions, the Monte Carlo result knows nothing of the runner,
//! and the exporters read results, never the runner or the command line.

use std::path::Path;

/// Every `.rs` file under `src/<module>` and `src/<module>.rs`, with its text.
fn sources(module: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join(format!("{module}.rs"))];
    let mut dirs = vec![root.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

/// Lines of `module` that use one of `forbidden` (`crate::x` paths), outside comments.
fn uses(module: &str, forbidden: &[&str]) -> Vec<String> {
    let files = sources(module);
    assert!(!files.is_empty(), "no sources found for {module}");
    let mut found = Vec::new();
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for f in forbidden {
                if code.contains(&format!("crate::{f}")) {
                    found.push(format!("{path}:{}: {code}", n + 1));
                }
            }
        }
    }
    found
}

#[test]
fn exporters_read_results_not_the_runner() {
    let found = uses("export", &["runner", "pipeline", "commands", "cli"]);
    assert!(
        found.is_empty(),
        "export depends on a layer above it:\n{}",
        found.join("\n")
    );
}

#[test]
fn results_know_nothing_of_the_runner() {
    let found = uses(
        "results",
        &["runner", "pipeline", "export", "commands", "cli"],
    );
    assert!(
        found.is_empty(),
        "results depend on a layer above them:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_engine_knows_nothing_of_munitions() {
    let found = uses(
        "engine",
        &[
            "model", "scenario", "runner", "results", "export", "pipeline", "commands",
        ],
    );
    assert!(
        found.is_empty(),
        "the engine depends on a layer above it:\n{}",
        found.join("\n")
    );
}
