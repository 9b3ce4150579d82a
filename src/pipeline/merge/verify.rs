//! Whether a shard folder holds exactly the files its run wrote: `manifest.json` lists
//! each with its SHA-256, size and row count, `partial.json` included, and must describe
//! the shard in `partial.json` (the manifest that file embeds is `manifest.json` without
//! its own entry). A refusal names the shard folder and the file.

use super::Head;
use crate::error::{Error, Result};
use crate::export::Manifest;
use crate::export::manifest::{self, FileRecord, Fingerprint};
use crate::pipeline::PARTIAL_FILE;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Reads a shard folder's `manifest.json` and checks that it lists `partial.json` and
/// describes `embedded`, the manifest that `partial.json` holds. Returns the shard's
/// [`Head`]: `embedded` and the fingerprint `partial.json` must have.
pub(super) fn head(dir: &Path, embedded: Manifest) -> Result<Head> {
    let mut listed = read_manifest(dir)?;
    let Some(partial) = listed.files.remove(PARTIAL_FILE) else {
        return Err(Error::Usage(format!(
            "shard '{}': {} does not list {PARTIAL_FILE}: the shard was written by an older drawdown, or the manifest is another folder's; re-run that shard",
            dir.display(),
            manifest::FILE
        )));
    };
    if listed != embedded {
        return Err(Error::Usage(format!(
            "shard '{}': {} does not describe the shard in {PARTIAL_FILE} (they differ in {}): one of them was replaced or edited; re-run that shard",
            dir.display(),
            manifest::FILE,
            differing_fields(&listed, &embedded).join(", ")
        )));
    }
    Ok(Head {
        manifest: embedded,
        partial,
    })
}

/// The refusal of a `partial.json` that cannot be read as a shard file when the
/// shard's `manifest.json` lists it with another fingerprint (it was damaged, rather
/// than never a shard file); `None` when there is no such listing to compare with.
pub(super) fn damaged_partial(dir: &Path) -> Option<Error> {
    let expected = read_manifest(dir).ok()?.files.remove(PARTIAL_FILE)?;
    let got = FileRecord::of(&dir.join(PARTIAL_FILE)).ok()?;
    (got != expected).then(|| damaged(dir, PARTIAL_FILE, &got, &expected))
}

/// Reads `dir/manifest.json`, with a usage error naming the shard when it is missing or
/// is not a drawdown manifest.
fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(manifest::FILE);
    let refuse = |what: String| {
        Error::Usage(format!(
            "shard '{}': {} {what}; re-run that shard",
            dir.display(),
            manifest::FILE
        ))
    };
    let meta = std::fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(
            "is missing: a shard folder holds the manifest that lists its files with their SHA-256"
                .into(),
        ),
        _ => Error::io("reading", &path, e),
    })?;
    if !meta.is_file() || meta.len() > manifest::MAX_BYTES {
        return Err(refuse(format!(
            "is not a drawdown manifest: expected a JSON file of at most {} bytes",
            manifest::MAX_BYTES
        )));
    }
    let file = File::open(&path).map_err(|e| Error::io("reading", &path, e))?;
    let m: Manifest = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| refuse(format!("is not a drawdown manifest: {e}")))?;
    if m.program != "drawdown" {
        return Err(refuse(format!(
            "is not a drawdown manifest: its program is '{}'",
            m.program
        )));
    }
    Ok(m)
}

/// The top-level fields in which `a` and `b` differ (`seed`, `files`, …).
fn differing_fields(a: &Manifest, b: &Manifest) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return vec!["their content".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Files a shard lists that are checked while they are read, rather than beforehand:
/// the concatenated tables and the shard file.
pub(super) const STREAMED: [&str; 3] = ["trials.csv", crate::export::inputs::FILE, PARTIAL_FILE];

/// Checks every file a shard's manifest lists against its SHA-256, size and row count,
/// so that a truncated, extended or edited shard is refused rather than merged. The
/// [`STREAMED`] files are checked as they are read, so that each is read once.
pub(super) fn verify_files(dir: &Path, p: &Head) -> Result<()> {
    let listed = &p.manifest.files;
    if !listed.contains_key("trials.csv") {
        return Err(Error::Usage(format!(
            "'{}' lists no file fingerprints: it was written by an older drawdown; re-run that shard",
            dir.display()
        )));
    }
    for (name, expected) in listed
        .iter()
        .filter(|(n, _)| !STREAMED.contains(&n.as_str()))
    {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "shard '{}': {name} is missing",
                dir.display()
            )));
        }
        let got = FileRecord::of(&path)?;
        if got != *expected {
            return Err(damaged(dir, name, &got, expected));
        }
    }
    Ok(())
}

/// The refusal of shard file `name` whose fingerprint is not the one listed.
pub(super) fn damaged(dir: &Path, name: &str, got: &FileRecord, expected: &FileRecord) -> Error {
    let rows = if name.ends_with(".csv") {
        format!(
            "{} rows and {} bytes, expected {} rows and {} bytes",
            got.rows, got.bytes, expected.rows, expected.bytes
        )
    } else {
        format!("{} bytes, expected {} bytes", got.bytes, expected.bytes)
    };
    Error::Usage(format!(
        "shard '{}': {name} is not the file the shard wrote ({rows}; SHA-256 differs): it was truncated or edited; re-run that shard",
        dir.display(),
    ))
}

/// A reader that fingerprints what passes through it (see [`Fingerprint`]).
pub(super) struct Fingerprinted<R> {
    inner: R,
    print: Fingerprint<std::io::Sink>,
}

impl<R: Read> Fingerprinted<R> {
    /// Fingerprints what is read from `inner`.
    pub(super) fn new(inner: R) -> Self {
        Fingerprinted {
            inner,
            print: Fingerprint::new(std::io::sink()),
        }
    }

    /// The record of every byte read so far (`csv`: rows are the lines after the header).
    pub(super) fn finish(self, csv: bool) -> FileRecord {
        self.print.finish(csv).1
    }
}

impl<R: Read> Read for Fingerprinted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.print.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprinted_read_matches_the_file_record() {
        let bytes = b"a,b\n1,2\n3,4\n".repeat(1000);
        let mut reader = Fingerprinted::new(&bytes[..]);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert_eq!(reader.finish(true), FileRecord::of_bytes("t.csv", &bytes));
    }

    #[test]
    fn names_the_fields_in_which_two_manifests_differ() {
        let m: Manifest = serde_json::from_value(serde_json::json!({
            "program": "drawdown", "version": "0", "scenario": "s", "scenario_file": "s.toml",
            "scenario_sha256": "ab", "overrides": [], "seed": 5, "trials": 10,
            "trial_range": [0, 10], "trials_requested": 20, "threads": 1, "shard": "1/2",
            "step_days": 7, "until_ci": null, "started": "", "finished": "",
            "wall_seconds": 0.0
        }))
        .unwrap();
        let mut other = m.clone();
        other.seed = 6;
        other.xlsx = true;
        assert_eq!(differing_fields(&m, &other), ["seed", "xlsx"]);
        assert!(differing_fields(&m, &m).is_empty());
    }
}
