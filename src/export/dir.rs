//! Atomic result folders.
//!
//! [`OutputDir::create`] checks that the target may be replaced ([`super::guard`]),
//! sweeps the leftovers of killed runs, and makes a hidden working folder beside the
//! target (`results/.default.partial-<pid>`); files are written there;
//! [`OutputDir::commit`] swaps it into place with renames. If the run fails or is
//! interrupted, dropping the `OutputDir` deletes the working folder, and the previous
//! results are untouched.

use super::atomic::{sibling, sweep_leftovers};
use super::guard::{Protected, check_folder};
use super::manifest::FileRecord;
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Where a result folder may go: what must not be touched, and whether the user
/// allowed replacing a folder that drawdown did not write.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Replace an existing folder even if drawdown did not write it (never a file or
    /// a protected path).
    pub force: bool,
    /// Paths that are never targets.
    pub protected: Protected,
    /// The flag that named the target, for messages (`-o`).
    pub flag: &'static str,
}

impl Default for Placement {
    /// Nothing forced, nothing protected, the target named by `-o`.
    fn default() -> Self {
        Placement {
            force: false,
            protected: Protected::default(),
            flag: "-o",
        }
    }
}

/// A result folder being written.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    work: PathBuf,
    force: bool,
    flag: &'static str,
    swept: Vec<String>,
    committed: bool,
}

impl OutputDir {
    /// Prepares to write `target`: checks it may be replaced, creates its parent,
    /// removes the leftovers of killed runs, and makes a fresh working folder.
    ///
    /// # Errors
    /// [`Error::Usage`] when the target is protected or holds something drawdown did
    /// not write; [`Error::Io`] when the parent cannot be created or written.
    pub fn create(target: &Path, place: &Placement) -> Result<OutputDir> {
        let flag = if place.flag.is_empty() {
            "-o"
        } else {
            place.flag
        };
        let named = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .is_some_and(|n| n != "." && n != "..");
        if !named {
            return Err(Error::Usage(format!(
                "{flag} '{}' names no folder of its own: give a new folder, e.g. {flag} results/mine",
                target.display()
            )));
        }
        place.protected.check(target, flag)?;
        check_folder(target, place.force, flag)?;
        check_replaceable(target, flag)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("creating output folder", parent, e))?;
        let swept = sweep_leftovers(target);
        let work = sibling(target, "partial");
        if work.exists() {
            fs::remove_dir_all(&work).map_err(|e| Error::io("clearing", &work, e))?;
        }
        fs::create_dir(&work).map_err(|e| Error::io("creating output folder", &work, e))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            work,
            force: place.force,
            flag,
            swept,
            committed: false,
        })
    }

    /// What was cleaned up before the run (leftovers of killed runs), one line each.
    pub fn swept(&self) -> &[String] {
        &self.swept
    }

    /// Path of file `name` inside the working folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// Writes `bytes` to file `name` inside the working folder (`/`-separated, creating
    /// its parent folders) and returns its fingerprint for the manifest.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file or folder that cannot be written.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<FileRecord> {
        let path = self.file(name);
        if let Some(parent) = path.parent().filter(|p| *p != self.work) {
            fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::io("writing", &path, e))?;
        Ok(FileRecord::of_bytes(name, bytes))
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished folder into place, replacing any previous results.
    ///
    /// # Errors
    /// [`Error::Io`] when a rename fails; the previous results are then restored.
    pub fn commit(mut self) -> Result<PathBuf> {
        // The target may have changed during the run: check it again.
        check_folder(&self.target, self.force, self.flag)?;
        let old = self.work.with_file_name(
            self.work
                .file_name()
                .map(|n| n.to_string_lossy().replace(".partial-", ".old-"))
                .unwrap_or_default(),
        );
        let had_previous = fs::symlink_metadata(&self.target).is_ok();
        if had_previous {
            fs::rename(&self.target, &old)
                .map_err(|e| Error::io("moving aside previous results in", &self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.work, &self.target) {
            if had_previous {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io("moving results into", &self.target, e));
        }
        self.committed = true;
        if had_previous {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

/// Refuses, before any work, an existing target folder that drawdown could not swap
/// out by renaming: one its owner made write-protected (no write permission at all:
/// the folder was moved aside and left behind, undeletable, by every run), and a
/// mount point (the rename fails with "resource busy" after the whole run).
fn check_replaceable(target: &Path, flag: &str) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    let shown = target.display();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
        let parent = fs::metadata(parent.unwrap_or(Path::new(".")));
        if meta.is_dir() && parent.is_ok_and(|p| p.dev() != meta.dev()) {
            return Err(Error::Usage(format!(
                "{flag} '{shown}' is a mount point, which drawdown cannot replace (it writes results beside the folder and renames them into place); give a folder inside it, e.g. {flag} '{}'",
                target.join("results").display()
            )));
        }
    }
    if meta.is_dir() && meta.permissions().readonly() {
        return Err(Error::Usage(format!(
            "{flag} '{shown}' is write-protected: drawdown does not replace a folder its owner protected; make it writable (chmod u+w '{shown}') or choose another {flag}"
        )));
    }
    Ok(())
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.work);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_previous_results_only_on_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.csv"), "old").unwrap();
        fs::write(
            target.join("manifest.json"),
            r#"{"program":"drawdown","files":{"old.csv":{}}}"#,
        )
        .unwrap();
        {
            let dir = OutputDir::create(&target, &Placement::default()).unwrap();
            fs::write(dir.file("new.csv"), "new").unwrap();
            // Dropped without commit: as if the run failed.
        }
        assert!(target.join("old.csv").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
        let dir = OutputDir::create(&target, &Placement::default()).unwrap();
        let record = dir.write("new.csv", b"new").unwrap();
        assert_eq!(record, FileRecord::of_bytes("new.csv", b"new"));
        dir.write("sub/more.svg", b"<svg/>").unwrap();
        dir.commit().unwrap();
        assert_eq!(fs::read(target.join("sub/more.svg")).unwrap(), b"<svg/>");
        assert!(!target.join("old.csv").exists());
        assert_eq!(fs::read_to_string(target.join("new.csv")).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }

    /// A result folder its owner made read-only is refused before the run (it was
    /// moved aside, replaced, and left behind undeletable as `.out.old-PID`); a mount
    /// point is refused before the run (its rename failed after the whole run).
    #[test]
    fn a_protected_folder_and_a_mount_point_are_refused_before_any_work() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        fs::create_dir(&target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o555)).unwrap();
        let err = OutputDir::create(&target, &Placement::default()).unwrap_err();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(err.is_usage(), "{err}");
        assert!(err.to_string().contains("is write-protected"), "{err}");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing made");
        assert!(OutputDir::create(&target, &Placement::default()).is_ok());
        // /proc is a mount point on every Linux system: its device is not its parent's.
        if Path::new("/proc/self").exists() {
            let err = check_replaceable(Path::new("/proc"), "-o").unwrap_err();
            assert!(err.to_string().contains("is a mount point"), "{err}");
            assert!(err.to_string().contains("'/proc/results'"), "{err}");
        }
        assert!(check_replaceable(&target, "-o").is_ok());
    }
}
