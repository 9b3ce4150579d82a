//! Which paths drawdown may replace: the user's folders are someone else's property.
//!
//! drawdown replaces only what it wrote itself. Before a result folder or a file is
//! written, its target is classified ([`inspect_folder`], [`check_file`]) and checked
//! against the paths that are never targets ([`Protected`]): the current folder and its
//! parents, the home folder and its parents, the folder holding the scenario, and the
//! inputs of the command (a merge's shard folders, the scenario file itself).
//!
//! A folder is replaced only when it is empty or is a result folder drawdown wrote (its
//! `manifest.json` says `"program": "drawdown"` and it holds only the files that
//! manifest lists, each still with the SHA-256 and size drawdown wrote: a result edited
//! in a spreadsheet and saved in place holds the user's work). Anything else is refused with a usage error (exit 2) that says what
//! is there; `--force` allows replacing a folder that is not recognisably a drawdown
//! result, never a file, a link, a device or a protected path.

use super::manifest::FileRecord;
use super::stamp::Stamp;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Files a result folder may hold besides those its manifest lists, when its manifest
/// lists none (results of older versions); a manifest that lists its files vouches for
/// those alone, and for a shard's `partial.json` (see [`unlisted_but_ours`]).
pub const RESULT_FILES: &[&str] = &[
    "manifest.json",
    "partial.json",
    "summary.csv",
    "depletion.csv",
    "stock.csv",
    "shortfall.csv",
    "trials.csv",
];

/// How a path relates to a protected one that makes it an unacceptable target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The target must not be this path nor one of its parents.
    NotOverOrAt,
    /// The target must not be this path, a parent of it, or inside it.
    Apart,
}

/// Paths that are never targets, with why.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    paths: Vec<(PathBuf, Guard, String)>,
}

impl Protected {
    /// The current folder and the home folder (and, through them, all their parents).
    pub fn standard() -> Protected {
        let mut p = Protected::default();
        if let Ok(cwd) = std::env::current_dir() {
            p.add(&cwd, Guard::NotOverOrAt, "the current folder");
        }
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            p.add(Path::new(&home), Guard::NotOverOrAt, "the home folder");
        }
        p
    }

    /// Adds `path` (resolved when it exists) with its guard and a description.
    pub fn add(&mut self, path: &Path, guard: Guard, what: &str) {
        self.paths.push((resolve(path), guard, what.to_string()));
    }

    /// Adds the folder holding `file` (a scenario): never a target. The file itself is
    /// not added: give it its own description with [`Protected::add`].
    pub fn add_folder_of(&mut self, file: &Path, what: &str) {
        if let Some(parent) = resolve(file).parent() {
            self.paths
                .push((parent.to_path_buf(), Guard::NotOverOrAt, what.to_string()));
        }
    }

    /// Refuses `target` if it is a protected path, contains one, or (for
    /// [`Guard::Apart`]) lies inside one.
    ///
    /// # Errors
    /// [`Error::Usage`] naming the target and what it would destroy.
    pub fn check(&self, target: &Path, flag: &str) -> Result<()> {
        let t = resolve(target);
        for (p, guard, what) in &self.paths {
            let clash = if t == *p {
                Some("is")
            } else if p.starts_with(&t) {
                Some("contains")
            } else if *guard == Guard::Apart && t.starts_with(p) {
                Some("lies inside")
            } else {
                None
            };
            if let Some(rel) = clash {
                return Err(Error::Usage(format!(
                    "{flag} '{}' {rel} {what} ('{}'): drawdown never writes there; choose another {flag}",
                    target.display(),
                    p.display()
                )));
            }
        }
        Ok(())
    }
}

/// What lies at a result folder's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderState {
    /// Nothing: the folder will be created.
    Absent,
    /// An empty folder.
    Empty,
    /// A result folder drawdown wrote, holding only its own files.
    Result,
    /// A folder drawdown did not write, or one with other files in it; the names of
    /// the entries it did not write, in name order.
    Foreign(Vec<String>),
    /// Not a folder: a file, a link, a device …; says which.
    NotFolder(&'static str),
}

/// Classifies what is at `target`.
///
/// # Errors
/// [`Error::Io`] when the folder cannot be listed.
pub fn inspect_folder(target: &Path) -> Result<FolderState> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FolderState::Absent),
        Err(e) => return Err(Error::io("inspecting output folder", target, e)),
    };
    if !meta.is_dir() {
        return Ok(FolderState::NotFolder(kind_of(&meta)));
    }
    let names: BTreeSet<String> = fs::read_dir(target)
        .map_err(|e| Error::io("listing output folder", target, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(FolderState::Empty);
    }
    let Some((listed, shard)) = drawdown_files(&target.join(super::manifest::FILE)) else {
        return Ok(FolderState::Foreign(names.into_iter().collect()));
    };
    let foreign: Vec<String> = names
        .into_iter()
        .filter_map(|n| match listed.get(&n) {
            // Listed with its fingerprint: drawdown's own only if still unchanged (a
            // result opened and saved in a spreadsheet holds the user's edits).
            Some(Some(record)) => {
                let same = FileRecord::of(&target.join(&n)).is_ok_and(|got| got == *record);
                (!same).then(|| format!("{n} (edited since drawdown wrote it)"))
            }
            Some(None) => None,
            None => match subfolder_problem(target, &n, &listed) {
                Some(problem) => problem,
                None => (!unlisted_but_ours(&n, &listed, shard)).then_some(n),
            },
        })
        .collect();
    if foreign.is_empty() {
        Ok(FolderState::Result)
    } else {
        Ok(FolderState::Foreign(foreign))
    }
}

/// Checks subfolder `name` of a result folder (such as `plots/`) whose files the
/// manifest lists as `name/…`: `None` when the manifest lists none (the folder is not
/// drawdown's), `Some(None)` when it holds only those files, unchanged, and
/// `Some(Some(entry))` naming the first entry drawdown did not write or that was
/// edited since.
fn subfolder_problem(
    target: &Path,
    name: &str,
    listed: &BTreeMap<String, Option<FileRecord>>,
) -> Option<Option<String>> {
    let prefix = format!("{name}/");
    if !listed.keys().any(|k| k.starts_with(&prefix)) {
        return None;
    }
    let folder = target.join(name);
    let is_dir = fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir());
    let entries = fs::read_dir(&folder).ok().filter(|_| is_dir);
    let Some(entries) = entries else {
        return Some(Some(name.to_string()));
    };
    let mut children: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    children.sort();
    let problem = children.into_iter().find_map(|child| {
        let key = format!("{prefix}{child}");
        match listed.get(&key) {
            Some(Some(record)) => {
                let same = FileRecord::of(&folder.join(&child)).is_ok_and(|got| got == *record);
                (!same).then(|| format!("{key} (edited since drawdown wrote it)"))
            }
            Some(None) => None,
            None => Some(key),
        }
    });
    Some(problem)
}

/// Whether `name`, in a result folder whose manifest does not list it, is still
/// drawdown's: the manifest itself; any of [`RESULT_FILES`] when the manifest lists no
/// file at all (an older version's); and a shard's `partial.json`, which shards of
/// earlier versions did not list. Anything else there is the user's: a file named
/// `partial.json` in an ordinary run's folder was deleted without `--force`.
fn unlisted_but_ours(
    name: &str,
    listed: &BTreeMap<String, Option<FileRecord>>,
    shard: bool,
) -> bool {
    name == super::manifest::FILE
        || (listed.is_empty() && RESULT_FILES.contains(&name))
        || (shard && name == "partial.json")
}

/// The files listed by a drawdown manifest at `path`, each with its fingerprint when
/// the manifest gives one, and whether it is a shard's (its `shard` is not `1/1`); or
/// `None` if it is not a drawdown manifest.
fn drawdown_files(path: &Path) -> Option<(BTreeMap<String, Option<FileRecord>>, bool)> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > super::manifest::MAX_BYTES {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    if json.get("program")?.as_str()? != "drawdown" {
        return None;
    }
    let files = json
        .get("files")
        .and_then(|f| f.as_object())
        .map(|o| {
            o.iter()
                .map(|(name, v)| (name.clone(), serde_json::from_value(v.clone()).ok()))
                .collect()
        })
        .unwrap_or_default();
    let shard = json
        .get("shard")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v != "1/1");
    Some((files, shard))
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a file"
    } else {
        "a device or special file"
    }
}

/// Refuses a result-folder target unless drawdown may replace it (see the module docs).
///
/// # Errors
/// [`Error::Usage`] saying what is there and how to proceed.
pub fn check_folder(target: &Path, force: bool, flag: &str) -> Result<()> {
    let shown = target.display();
    match inspect_folder(target)? {
        FolderState::Absent | FolderState::Empty | FolderState::Result => Ok(()),
        FolderState::NotFolder(kind) => Err(Error::Usage(format!(
            "{flag} '{shown}' is {kind}, not a result folder: drawdown never replaces it; choose another {flag}"
        ))),
        FolderState::Foreign(_) if force => Ok(()),
        FolderState::Foreign(names) => {
            // Files named like drawdown's, and no manifest at all to vouch for them (a
            // manifest that is not drawdown's is someone else's file, named as such).
            let unvouched = names
                .iter()
                .any(|n| n != super::manifest::FILE && RESULT_FILES.contains(&n.as_str()))
                && fs::symlink_metadata(target.join(super::manifest::FILE)).is_err();
            let what = if unvouched {
                "has no manifest.json, so drawdown cannot tell its files are its own"
            } else {
                "holds files drawdown did not write"
            };
            Err(Error::Usage(format!(
                "{flag} '{shown}' {what} ({}); choose another {flag}, or add --force to replace the folder and everything in it",
                some_of(&names)
            )))
        }
    }
}

/// Names shown in a refusal, at most this many (then how many more there are).
const SHOWN_NAMES: usize = 5;

/// The first [`SHOWN_NAMES`] of `names`, then `… and N more` when there are others.
fn some_of(names: &[String]) -> String {
    let shown = names[..names.len().min(SHOWN_NAMES)].join(", ");
    match names.len().saturating_sub(SHOWN_NAMES) {
        0 => shown,
        rest => format!("{shown} … and {rest} more"),
    }
}

/// Refuses a file target that is not a regular file, or (without `force`) one that is
/// not drawdown's unchanged: written by drawdown with first line `header`, as its stamp
/// says ([`super::stamp`]), or by its first line alone where no stamp can be kept.
///
/// # Errors
/// [`Error::Usage`] saying what is there and how to proceed.
pub fn check_file(target: &Path, header: Option<&str>, force: bool, flag: &str) -> Result<()> {
    check_file_as(target, header, Unstamped::Refused, force, flag)
}

/// What an existing file with no stamp counts as (see [`check_file_as`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unstamped {
    /// Not drawdown's (a trace: a CSV with the trace's header may be the user's own).
    Refused,
    /// drawdown's if its first line is drawdown's header: for a file that travels
    /// without its stamp, such as a back-test report committed to git and checked
    /// out again, which its documented command regenerates in place.
    ByHeader,
}

/// [`check_file`], with what an unstamped file counts as.
///
/// # Errors
/// [`Error::Usage`] saying what is there and how to proceed.
pub fn check_file_as(
    target: &Path,
    header: Option<&str>,
    unstamped: Unstamped,
    force: bool,
    flag: &str,
) -> Result<()> {
    let shown = target.display();
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("inspecting", target, e)),
    };
    if meta.is_dir() {
        return Err(Error::Usage(format!(
            "{flag} '{shown}' is a folder; give a file name"
        )));
    }
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "{flag} '{shown}' is {}: drawdown never replaces it; choose another file",
            kind_of(&meta)
        )));
    }
    if force {
        return Ok(());
    }
    let Some(header) = header else {
        return Err(not_ours(flag, target, "drawdown did not write it"));
    };
    let foreign = "already exists and drawdown did not write it";
    match super::stamp::check(target) {
        Stamp::Unchanged => Ok(()),
        Stamp::Edited => Err(not_ours(flag, target, "was edited since drawdown wrote it")),
        Stamp::None
            if unstamped == Unstamped::ByHeader
                && first_line(target).as_deref() == Some(header) =>
        {
            Ok(())
        }
        Stamp::None => Err(not_ours(flag, target, foreign)),
        // Nothing kept on the file: drawdown's header is all there is to go by.
        Stamp::Unsupported if first_line(target).as_deref() == Some(header) => Ok(()),
        Stamp::Unsupported => Err(not_ours(flag, target, foreign)),
    }
}

/// The refusal of an existing file that drawdown may not replace without `--force`.
fn not_ours(flag: &str, target: &Path, what: &str) -> Error {
    Error::Usage(format!(
        "{flag} '{}' {what}; choose another file, or add --force to replace it",
        target.display()
    ))
}

fn first_line(path: &Path) -> Option<String> {
    use std::io::{BufRead, BufReader, Read};
    let file = fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(file.take(4096)).read_line(&mut line).ok()?;
    Some(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `path` made absolute and, as far as it exists, free of links, `.` and `..`.
pub fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
        if let Ok(p) = fs::canonicalize(&out) {
            out = p;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_target_that_contains_or_is_a_protected_path() {
        let tmp = tempfile::tempdir().unwrap();
        let inner = tmp.path().join("a/b");
        fs::create_dir_all(&inner).unwrap();
        let mut p = Protected::default();
        p.add(&inner, Guard::NotOverOrAt, "the scenario's folder");
        assert!(p.check(&inner, "-o").is_err());
        assert!(p.check(&tmp.path().join("a"), "-o").is_err());
        assert!(p.check(&tmp.path().join("a/b/../b"), "-o").is_err());
        assert!(p.check(&inner.join("c"), "-o").is_ok(), "inside is allowed");
        p.add(&tmp.path().join("s1"), Guard::Apart, "a shard");
        assert!(p.check(&tmp.path().join("s1/x"), "-o").is_err());
        assert!(p.check(&tmp.path().join("s2"), "-o").is_ok());
    }

    #[test]
    fn classifies_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        assert_eq!(inspect_folder(&t.join("x")).unwrap(), FolderState::Absent);
        fs::create_dir(t.join("e")).unwrap();
        assert_eq!(inspect_folder(&t.join("e")).unwrap(), FolderState::Empty);
        fs::write(t.join("f"), "x").unwrap();
        assert_eq!(
            inspect_folder(&t.join("f")).unwrap(),
            FolderState::NotFolder("a file")
        );
        fs::create_dir(t.join("r")).unwrap();
        fs::write(t.join("r/manifest.json"), r#"{"program":"drawdown"}"#).unwrap();
        fs::write(t.join("r/summary.csv"), "x").unwrap();
        assert_eq!(inspect_folder(&t.join("r")).unwrap(), FolderState::Result);
        fs::write(t.join("r/notes.txt"), "mine").unwrap();
        assert_eq!(
            inspect_folder(&t.join("r")).unwrap(),
            FolderState::Foreign(vec!["notes.txt".into()])
        );
        fs::create_dir(t.join("f2")).unwrap();
        let record =
            serde_json::to_string(&FileRecord::of_bytes("summary.csv", b"a\n1\n")).unwrap();
        let manifest = format!(r#"{{"program":"drawdown","files":{{"summary.csv":{record}}}}}"#);
        fs::write(t.join("f2/manifest.json"), manifest).unwrap();
        fs::write(t.join("f2/summary.csv"), "a\n1\n").unwrap();
        assert_eq!(inspect_folder(&t.join("f2")).unwrap(), FolderState::Result);
        fs::write(t.join("f2/summary.csv"), "a\n2\n").unwrap();
        assert_eq!(
            inspect_folder(&t.join("f2")).unwrap(),
            FolderState::Foreign(vec!["summary.csv (edited since drawdown wrote it)".into()])
        );
        // A manifest that lists its files vouches for them alone: a `partial.json`
        // beside them is the user's, unless the folder is a shard's.
        fs::write(t.join("f2/summary.csv"), "a\n1\n").unwrap();
        fs::write(t.join("f2/partial.json"), "my own notes").unwrap();
        assert_eq!(
            inspect_folder(&t.join("f2")).unwrap(),
            FolderState::Foreign(vec!["partial.json".into()])
        );
        let shard =
            format!(r#"{{"program":"drawdown","shard":"2/3","files":{{"summary.csv":{record}}}}}"#);
        fs::write(t.join("f2/manifest.json"), shard).unwrap();
        assert_eq!(inspect_folder(&t.join("f2")).unwrap(), FolderState::Result);
        fs::create_dir(t.join("u")).unwrap();
        fs::write(t.join("u/manifest.json"), r#"{"program":"other"}"#).unwrap();
        assert!(matches!(
            inspect_folder(&t.join("u")).unwrap(),
            FolderState::Foreign(_)
        ));
    }

    /// A result folder whose manifest.json was deleted is refused as such, not as a
    /// folder of someone else's files; a folder of other files as before.
    #[test]
    fn a_result_folder_without_its_manifest_is_refused_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path();
        fs::create_dir(t.join("r")).unwrap();
        fs::write(t.join("r/summary.csv"), "x").unwrap();
        let err = check_folder(&t.join("r"), false, "--out")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("has no manifest.json, so drawdown cannot tell"),
            "{err}"
        );
        assert!(err.contains("summary.csv"), "{err}");
        fs::create_dir(t.join("u")).unwrap();
        fs::write(t.join("u/notes.txt"), "mine").unwrap();
        let err = check_folder(&t.join("u"), false, "--out")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("holds files drawdown did not write (notes.txt)"),
            "{err}"
        );
        // Someone else's manifest.json is one of their files.
        fs::create_dir(t.join("m")).unwrap();
        fs::write(t.join("m/manifest.json"), r#"{"program":"other"}"#).unwrap();
        fs::write(t.join("m/summary.csv"), "x").unwrap();
        let err = check_folder(&t.join("m"), false, "--out")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("holds files drawdown did not write (manifest.json"),
            "{err}"
        );
    }

    #[test]
    fn a_refusal_says_how_many_names_it_leaves_out() {
        let names = |n: usize| (1..=n).map(|k| format!("f{k}")).collect::<Vec<_>>();
        assert_eq!(some_of(&names(2)), "f1, f2");
        assert_eq!(some_of(&names(5)), "f1, f2, f3, f4, f5");
        assert_eq!(some_of(&names(7)), "f1, f2, f3, f4, f5 … and 2 more");
    }
}
