//! Atomic, non-clobbering output files.
//!
//! Every output is written to a temporary file in the *same directory* as the destination
//! (so the final rename never crosses a filesystem), buffered, flushed, `fsync`ed and then renamed
//! over the destination. A failure at any point deletes the temporary file and leaves the
//! destination untouched: readers see either the old file or the complete new one.
//!
//! [`OutputPolicy`] decides whether a destination may be written at all: an input file is never
//! overwritten (not even with `--force`), and an existing file is only replaced with `--force`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What the current run may write to.
#[derive(Debug, Clone, Default)]
pub struct OutputPolicy {
    /// `--force`: replace existing output files.
    pub force: bool,
    /// Canonicalised paths of every input file of the run; these are never written to.
    pub inputs: Vec<PathBuf>,
}

impl OutputPolicy {
    /// A policy protecting `inputs`; each path is canonicalised here (a path that cannot be
    /// canonicalised, e.g. because it does not exist, is kept as given).
    pub fn new<P: AsRef<Path>>(force: bool, inputs: impl IntoIterator<Item = P>) -> Self {
        let inputs = inputs
            .into_iter()
            .map(|p| {
                let p = p.as_ref();
                fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
            })
            .collect();
        OutputPolicy { force, inputs }
    }

    /// May `path` be written?
    ///
    /// - `Err(Usage)` when `path` is one of the inputs (compared after canonicalisation, and on
    ///   Unix also by device/inode so hard links are caught), whatever `force` says;
    /// - `Err(Usage)` when `path` is an existing directory;
    /// - `Err(Usage)` when `path` exists and `force` is off;
    /// - `Ok(())` otherwise.
    pub fn check(&self, path: &Path) -> Result<()> {
        let exists = fs::symlink_metadata(path).is_ok();
        if !exists {
            return Ok(());
        }
        if let Ok(canon) = fs::canonicalize(path) {
            for input in &self.inputs {
                let input_canon = fs::canonicalize(input).unwrap_or_else(|_| input.clone());
                if input_canon == canon || same_file(&canon, &input_canon) {
                    return Err(Error::Usage(format!(
                        "{}: refusing to write an output over an input file",
                        path.display()
                    )));
                }
            }
        }
        if path.is_dir() {
            return Err(Error::Usage(format!(
                "{}: is a directory, expected a file path",
                path.display()
            )));
        }
        if !self.force {
            return Err(exists_error(path));
        }
        Ok(())
    }
}

fn exists_error(path: &Path) -> Error {
    Error::Usage(format!(
        "{}: already exists; use --force to overwrite",
        path.display()
    ))
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &Path, _b: &Path) -> bool {
    false
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Write `path` atomically: `f` receives a buffered writer over a temporary file in the same
/// directory; on success the data is flushed, fsynced and the file renamed onto `path`.
///
/// The parent directory is created when missing. [`OutputPolicy::check`] is applied first; without
/// `force` the final rename also refuses to replace a file that appeared in the meantime.
/// Errors from `f` or from the filesystem become [`Error::Write`] naming `path`.
pub fn write_atomic(
    path: &Path,
    policy: &OutputPolicy,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    persist_atomic(path, policy, |file| {
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        f(&mut w)?;
        w.flush()
    })
}

/// Save a workbook atomically: `wb` is serialised into a temporary file in the destination's
/// directory, which is then fsynced and renamed onto `path` (same policy as [`write_atomic`]).
pub fn save_workbook_atomic(
    path: &Path,
    policy: &OutputPolicy,
    wb: &mut rust_xlsxwriter::Workbook,
) -> Result<()> {
    persist_atomic(path, policy, |file| {
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        wb.save_to_writer(&mut w).map_err(io::Error::other)?;
        w.flush()
    })
}

fn persist_atomic(
    path: &Path,
    policy: &OutputPolicy,
    fill: impl FnOnce(&File) -> io::Result<()>,
) -> Result<()> {
    policy.check(path)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file path", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| write_err(path, e))?;

    let prefix = format!(".{}.", file_name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // NamedTempFile defaults to 0600; outputs are ordinary user files, so ask for 0666 and let
    // the umask decide, like any other program creating a file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| write_err(path, e))?;

    // On any error below `tmp` is dropped, which deletes the temporary file.
    fill(tmp.as_file()).map_err(|e| write_err(path, e))?;
    tmp.as_file().sync_all().map_err(|e| write_err(path, e))?;

    if policy.force {
        tmp.persist(path).map_err(|e| write_err(path, e.error))?;
    } else {
        match tmp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(exists_error(path));
            }
            // Some filesystems support neither RENAME_NOREPLACE nor hard links; the policy check
            // above already found no file there, so fall back to a plain rename.
            Err(e) if fs::symlink_metadata(path).is_err() => {
                e.file.persist(path).map_err(|e| write_err(path, e.error))?;
            }
            Err(e) => return Err(write_err(path, e.error)),
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Make the rename durable (best effort; not supported everywhere).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, &OutputPolicy::default(), |w| w.write_all(b"hello")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    #[test]
    fn creates_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("out.txt");
        write_atomic(&path, &OutputPolicy::default(), |w| w.write_all(b"x")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn refuses_existing_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, b"old").unwrap();
        let err =
            write_atomic(&path, &OutputPolicy::default(), |w| w.write_all(b"new")).unwrap_err();
        assert!(
            matches!(err, Error::Usage(ref m) if m.contains("--force")),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    #[test]
    fn overwrites_existing_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, b"old").unwrap();
        let policy = OutputPolicy {
            force: true,
            inputs: vec![],
        };
        write_atomic(&path, &policy, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    #[test]
    fn refuses_input_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("contacts.csv");
        fs::write(&input, b"ID;Name\n").unwrap();
        let policy = OutputPolicy::new(true, [&input]);
        // Reach the same file through a non-canonical path.
        let sneaky = dir.path().join(".").join("contacts.csv");
        let err = write_atomic(&sneaky, &policy, |w| w.write_all(b"boom")).unwrap_err();
        assert!(
            matches!(err, Error::Usage(ref m) if m.contains("input")),
            "{err}"
        );
        assert_eq!(fs::read(&input).unwrap(), b"ID;Name\n");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlink_to_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("contacts.csv");
        fs::write(&input, b"data").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let policy = OutputPolicy::new(true, [&input]);
        assert!(matches!(policy.check(&link), Err(Error::Usage(_))));
    }

    #[test]
    fn refuses_directory() {
        let dir = tempfile::tempdir().unwrap();
        let policy = OutputPolicy {
            force: true,
            inputs: vec![],
        };
        assert!(matches!(policy.check(dir.path()), Err(Error::Usage(_))));
    }

    #[test]
    fn failed_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_atomic(&path, &OutputPolicy::default(), |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        match err {
            Error::Write { path: p, message } => {
                assert_eq!(p, path);
                assert!(message.contains("disk on fire"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn failed_writer_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, b"old").unwrap();
        let policy = OutputPolicy {
            force: true,
            inputs: vec![],
        };
        assert!(write_atomic(&path, &policy, |_| Err(io::Error::other("no"))).is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    #[test]
    fn saves_workbook() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "hi").unwrap();
        save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(entries(dir.path()), vec!["book.xlsx".to_string()]);
        // A second save without force is refused.
        assert!(matches!(
            save_workbook_atomic(&path, &OutputPolicy::default(), &mut wb),
            Err(Error::Usage(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn output_is_not_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, &OutputPolicy::default(), |w| w.write_all(b"x")).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // Same mode as a file created the ordinary way (0666 minus the umask), not 0600.
        let plain = dir.path().join("plain.txt");
        File::create(&plain).unwrap();
        let expected = fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "mode {mode:o}");
    }
}
