//! Atomic files and the leftovers of killed runs.
//!
//! Every file drawdown writes outside a result folder (a trace, a starter scenario) is
//! written to a hidden temporary file beside its target (`.NAME.tmp-PID`), flushed to
//! disk, and renamed over the target only when complete: a full disk, a crash or a
//! signal leaves the previous file as it was.
//!
//! A run killed without warning (SIGKILL, power loss) can leave hidden working copies
//! behind: `.NAME.partial-PID` and `.NAME.tmp-PID` (unfinished output) or
//! `.NAME.old-PID` (previous results moved aside during the final rename).
//! [`sweep_leftovers`] removes those whose process is gone, and puts previous results
//! back when the kill came between the two renames.

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written atomically.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Opens a fresh temporary file beside `target`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the temporary file when it cannot be created.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let tmp = sibling(target, "tmp");
        // Our own name for this process; anything there (a leftover of an earlier
        // process with the same id) is removed, and the file is created new, so a link
        // planted under that name is never followed.
        let _ = fs::remove_file(&tmp);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::io("creating", &tmp, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Writes `bytes`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the target.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        match &mut self.out {
            Some(out) => out
                .write_all(bytes)
                .map_err(|e| Error::io("writing", &self.target, e)),
            None => Ok(()),
        }
    }

    /// Flushes to disk and renames the file over its target.
    ///
    /// # Errors
    /// [`Error::Io`] naming the target; the temporary file is then removed and the
    /// target left as it was.
    pub fn commit(mut self) -> Result<()> {
        if !self.flush()? {
            return Ok(());
        }
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io("replacing", &self.target, e))
    }

    /// Flushes the temporary file to disk and closes it; `false` if it was already
    /// committed.
    fn flush(&mut self) -> Result<bool> {
        let Some(out) = self.out.take() else {
            return Ok(false);
        };
        let file = out
            .into_inner()
            .map_err(|e| Error::io("writing", &self.target, e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io("writing", &self.target, e))?;
        Ok(true)
    }

    /// Flushes to disk and links the file at its target only if nothing is there: a
    /// hard link fails when the target exists, even one created since the caller last
    /// looked. The temporary name is then removed.
    ///
    /// # Errors
    /// [`Error::Io`] naming the target (kind `AlreadyExists` when a file is there); the
    /// temporary file is removed and the target left as it was.
    pub fn commit_new(mut self) -> Result<()> {
        if !self.flush()? {
            return Ok(());
        }
        let linked = fs::hard_link(&self.tmp, &self.target);
        let _ = fs::remove_file(&self.tmp);
        linked.map_err(|e| Error::io("creating", &self.target, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() || self.tmp.exists() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `target` atomically.
///
/// # Errors
/// [`Error::Io`] naming the target; the target is then unchanged.
pub fn write(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Writes `bytes` to a new file `target`, never over an existing one (see
/// [`AtomicFile::commit_new`]): the file appears complete or not at all.
///
/// # Errors
/// [`Error::Io`] naming the target, of kind `AlreadyExists` when a file is there.
pub fn write_new(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit_new()
}

/// `.NAME.<tag>-PID` beside `target`, for this process.
pub(crate) fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Removes the leftovers of dead runs that wrote `target` (see the module docs) and
/// returns what was done, one line each, for the user to read.
pub fn sweep_leftovers(target: &Path) -> Vec<String> {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    let mut found: Vec<(PathBuf, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let tag = leftover_tag(&file, &name)?;
            dead_pid(&file).then_some((e.path(), tag.to_string()))
        })
        .collect();
    found.sort();
    for (path, tag) in found {
        if tag == "old" && fs::symlink_metadata(target).is_err() {
            if fs::rename(&path, target).is_ok() {
                notes.push(format!(
                    "restored the previous results '{}' that a killed run had moved aside",
                    target.display()
                ));
            }
            continue;
        }
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        if removed.is_ok() {
            notes.push(format!(
                "removed '{}', left by a run that was killed",
                path.display()
            ));
        }
    }
    notes
}

/// `Some(tag)` if `file` is `.NAME.<tag>-PID` for one of our tags.
fn leftover_tag<'a>(file: &'a str, name: &str) -> Option<&'a str> {
    let rest = file
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let (tag, pid) = rest.rsplit_once('-')?;
    let ok = ["partial", "old", "tmp"].contains(&tag)
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(tag)
}

/// Whether the process named by the `-PID` suffix of `file` is gone. Only Linux
/// (`/proc`) can tell; elsewhere nothing is considered dead.
fn dead_pid(file: &str) -> bool {
    let Some(pid) = file.rsplit('-').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_never_replaces_a_file_and_leaves_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("s.toml");
        write_new(&target, b"first").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "first");
        let err = write_new(&target, b"second").unwrap_err();
        assert!(
            matches!(&err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
            "{err:?}"
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "first");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }

    #[test]
    fn a_file_dropped_before_commit_leaves_the_target_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("t.csv");
        fs::write(&target, "old").unwrap();
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"new").unwrap();
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
        write(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }

    #[test]
    fn recognises_only_its_own_leftovers() {
        assert_eq!(leftover_tag(".out.partial-12", "out"), Some("partial"));
        assert_eq!(leftover_tag(".out.old-12", "out"), Some("old"));
        assert_eq!(leftover_tag(".a.b.tmp-7", "a.b"), Some("tmp"));
        assert_eq!(leftover_tag(".out.partial-x", "out"), None);
        assert_eq!(leftover_tag(".outer.partial-12", "out"), None);
        assert_eq!(leftover_tag("out.partial-12", "out"), None);
    }

    #[test]
    fn sweeps_dead_leftovers_and_restores_moved_results() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        // PIDs above the kernel's maximum (2^22) cannot be alive.
        let dead = 4_194_304 + 17;
        fs::create_dir(tmp.path().join(format!(".out.partial-{dead}"))).unwrap();
        fs::create_dir(tmp.path().join(format!(".out.old-{dead}"))).unwrap();
        fs::write(
            tmp.path().join(format!(".out.old-{dead}/summary.csv")),
            "prev",
        )
        .unwrap();
        fs::write(tmp.path().join(".other.partial-1"), "not ours").unwrap();
        let notes = sweep_leftovers(&target);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "prev"
        );
        assert!(tmp.path().join(".other.partial-1").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2);
    }
}
