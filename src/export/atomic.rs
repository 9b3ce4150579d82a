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

/// Writes `bytes` to `target` atomically, stamped as drawdown's (see
/// [`super::stamp`]): the stamp is set on the temporary file, so the file appears
/// complete and stamped, or not at all.
///
/// # Errors
/// [`Error::Io`] naming the target; the target is then unchanged.
pub fn write_stamped(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.flush()?;
    super::stamp::set(&f.tmp, bytes);
    // A failed rename leaves the temporary file to `drop`, which removes it.
    fs::rename(&f.tmp, &f.target).map_err(|e| Error::io("replacing", &f.target, e))
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

/// `.NAME.<tag>-PID@HOST` beside `target`, for this process on this machine. The host
/// keeps two machines writing to one shared folder (a shard started twice on a
/// cluster) from taking each other's live working copies for a killed run's.
pub(crate) fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}@{}", std::process::id(), host()))
}

/// This machine's name as a file name can hold it (`[A-Za-z0-9.-]`, at most 64
/// characters; `host` when it cannot be read).
fn host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let clean: String = raw
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if clean.is_empty() {
            "host".into()
        } else {
            clean
        }
    })
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
            let left = leftover(&file, &name)?;
            if let Some(other) = left.host.filter(|h| *h != host()) {
                notes.push(format!(
                    "left '{}' alone: a working copy of a run on the machine '{other}', which may still be running (delete it if that run is over)",
                    e.path().display()
                ));
                return None;
            }
            dead(left.pid).then_some((e.path(), left.tag.to_string()))
        })
        .collect();
    notes.sort();
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

/// A hidden working copy of a run that wrote a target: `.NAME.<tag>-PID@HOST`, or
/// `.NAME.<tag>-PID` as named before names carried the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Leftover<'a> {
    /// `partial`, `old` or `tmp`.
    tag: &'a str,
    /// The process that made it.
    pid: u32,
    /// The machine it ran on (`None`: an older name, taken as this machine's).
    host: Option<&'a str>,
}

/// `file` read as a leftover of the target `name`, if it is one. The host is read
/// from after the tag, so a target named with an `@` is not mistaken for one.
fn leftover<'a>(file: &'a str, name: &str) -> Option<Leftover<'a>> {
    let rest = file
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let (tag, owner) = rest.split_once('-')?;
    let (pid, host) = match owner.split_once('@') {
        Some((pid, host)) => (pid, Some(host)),
        None => (owner, None),
    };
    let digits = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let ok = ["partial", "old", "tmp"].contains(&tag) && digits;
    Some(Leftover {
        tag,
        pid: pid.parse().ok().filter(|_| ok)?,
        host,
    })
}

/// Whether process `pid` of this machine is gone. Only Linux (`/proc`) can tell;
/// elsewhere nothing is considered dead.
fn dead(pid: u32) -> bool {
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag<'a>(file: &'a str, name: &str) -> Option<&'a str> {
        leftover(file, name).map(|l| l.tag)
    }

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
        assert_eq!(tag(".out.partial-12@node-7.x", "out"), Some("partial"));
        assert_eq!(tag(".out.old-12@h", "out"), Some("old"));
        assert_eq!(tag(".out.old-@h", "out"), None);
        assert_eq!(tag(".out.partial-12", "out"), Some("partial"));
        assert_eq!(tag(".out.old-12", "out"), Some("old"));
        // A target named with an `@`: the host is read after the tag only, so an
        // old-style name is this machine's, not a machine called "b.partial-12".
        assert_eq!(
            leftover(".a@b.partial-12", "a@b"),
            Some(Leftover {
                tag: "partial",
                pid: 12,
                host: None
            })
        );
        assert_eq!(
            leftover(".a@b.tmp-7@n1", "a@b").map(|l| l.host),
            Some(Some("n1"))
        );
        assert_eq!(tag(".a.b.tmp-7", "a.b"), Some("tmp"));
        assert_eq!(tag(".out.partial-x", "out"), None);
        assert_eq!(tag(".outer.partial-12", "out"), None);
        assert_eq!(tag("out.partial-12", "out"), None);
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
        // Another machine's working copy, with a PID that is dead here, may be a live
        // run there (a shared folder on a cluster): it is left, with a note.
        let elsewhere = format!(".out.partial-{dead}@{}x", host());
        fs::create_dir(tmp.path().join(&elsewhere)).unwrap();
        // This machine's, in today's names, is swept like the old-style ones.
        fs::write(tmp.path().join(format!(".out.tmp-{dead}@{}", host())), "x").unwrap();
        let notes = sweep_leftovers(&target);
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!(
            notes[0].starts_with("left ") && notes[0].contains(&elsewhere),
            "{notes:?}"
        );
        assert!(tmp.path().join(&elsewhere).exists());
        fs::remove_dir(tmp.path().join(&elsewhere)).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "prev"
        );
        assert!(tmp.path().join(".other.partial-1").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2);
    }
}
