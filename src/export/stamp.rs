//! The fingerprint of a file drawdown writes outside a result folder (a trace, a
//! back-test report), kept on the file itself.
//!
//! A result folder's `manifest.json` records what drawdown wrote there; a lone file has
//! no manifest. So drawdown stores its SHA-256 and size in the file's extended
//! attribute `user.drawdown.sha256` (`<hex> <bytes>`), set on the temporary file before
//! it is renamed into place. Such a file is drawdown's to replace only while it still
//! has that content: a file the user wrote, or edited since (appended a line, saved
//! from a spreadsheet), has no stamp or a stale one and is refused without `--force`.
//! On a filesystem without user extended attributes (some network and FAT file
//! systems) the stamp cannot be kept, and drawdown falls back to the file's first line:
//! drawdown's header there means drawdown's file.

use super::manifest::FileRecord;
use std::path::Path;

/// The extended attribute holding the stamp.
const ATTRIBUTE: &str = "user.drawdown.sha256";

/// Stamps `path` as holding `bytes`, as drawdown wrote them. Best effort: a
/// filesystem that cannot keep the stamp leaves the file unstamped.
pub fn set(path: &Path, bytes: &[u8]) {
    let record = FileRecord::of_bytes("stamped", bytes);
    let value = format!("{} {}", record.sha256, record.bytes);
    let _ = xattr::set(path, ATTRIBUTE, value.as_bytes());
}

/// What the stamp of `path` says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// Stamped, with the content drawdown wrote.
    Unchanged,
    /// Stamped, but its content has changed since.
    Edited,
    /// No stamp: drawdown did not write it (or an older version did).
    None,
    /// The filesystem keeps no extended attributes: nothing can be told.
    Unsupported,
}

/// Reads the stamp of `path` and checks it against the file's content.
pub fn check(path: &Path) -> Stamp {
    match xattr::get(path, ATTRIBUTE) {
        Ok(Some(value)) => {
            let want = String::from_utf8_lossy(&value).into_owned();
            let same = FileRecord::of(path)
                .is_ok_and(|got| format!("{} {}", got.sha256, got.bytes) == want);
            if same {
                Stamp::Unchanged
            } else {
                Stamp::Edited
            }
        }
        Ok(None) => Stamp::None,
        Err(e) if unsupported(&e) => Stamp::Unsupported,
        Err(_) => Stamp::None,
    }
}

/// Whether `e` says the filesystem keeps no (user) extended attributes.
fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported || e.raw_os_error() == Some(95) // EOPNOTSUPP / ENOTSUP on Linux
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the temporary folder keeps extended attributes (most Linux file systems
    /// do); when it does not, `check` must say so rather than guess.
    fn supported(dir: &Path) -> bool {
        let probe = dir.join("probe");
        std::fs::write(&probe, "x").unwrap();
        xattr::set(&probe, ATTRIBUTE, b"x").is_ok()
    }

    #[test]
    fn a_stamp_tells_unchanged_edited_and_foreign_files_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("t.csv");
        std::fs::write(&f, "a,b\n1,2\n").unwrap();
        if !supported(tmp.path()) {
            assert_eq!(check(&f), Stamp::Unsupported);
            return;
        }
        assert_eq!(check(&f), Stamp::None, "written by someone else");
        set(&f, b"a,b\n1,2\n");
        assert_eq!(check(&f), Stamp::Unchanged);
        std::fs::write(&f, "a,b\n1,2\n3,4\n").unwrap();
        assert_eq!(check(&f), Stamp::Edited, "a line appended in place");
        set(&f, b"something else");
        std::fs::write(&f, "something else").unwrap();
        assert_eq!(check(&f), Stamp::Unchanged);
    }
}
