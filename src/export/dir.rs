//! Atomic result folders.
//!
//! [`OutputDir::create`] makes a hidden working folder beside the target
//! (`results/.default.partial-<pid>`); files are written there; [`OutputDir::commit`]
//! swaps it into place with renames. If the run fails or is interrupted, dropping the
//! `OutputDir` deletes the working folder, and the previous results are untouched.

use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// A result folder being written.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    work: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Prepares to write `target`, creating its parent and a fresh working folder.
    ///
    /// # Errors
    /// [`Error::Io`] when the parent cannot be created or written.
    pub fn create(target: &Path) -> Result<OutputDir> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n != "." && n != "..")
            .ok_or_else(|| {
                Error::Other(format!("output folder '{}' has no name", target.display()))
            })?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("creating output folder", parent, e))?;
        let work = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if work.exists() {
            fs::remove_dir_all(&work).map_err(|e| Error::io("clearing", &work, e))?;
        }
        fs::create_dir(&work).map_err(|e| Error::io("creating output folder", &work, e))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            work,
            committed: false,
        })
    }

    /// Path of file `name` inside the working folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
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
        let old = self.work.with_file_name(
            self.work
                .file_name()
                .map(|n| n.to_string_lossy().replace(".partial-", ".old-"))
                .unwrap_or_default(),
        );
        let had_previous = self.target.exists();
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
        {
            let dir = OutputDir::create(&target).unwrap();
            fs::write(dir.file("new.csv"), "new").unwrap();
            // Dropped without commit: as if the run failed.
        }
        assert!(target.join("old.csv").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
        let dir = OutputDir::create(&target).unwrap();
        fs::write(dir.file("new.csv"), "new").unwrap();
        dir.commit().unwrap();
        assert!(!target.join("old.csv").exists());
        assert_eq!(fs::read_to_string(target.join("new.csv")).unwrap(), "new");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }
}
