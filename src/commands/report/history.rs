//! `--history DIR`: one snapshot per ISO week (`2026-W47.json`). A run replaces the file of
//! its own week and compares with the latest earlier week present.

use std::path::{Path, PathBuf};

use super::snapshot::{Snapshot, Week};
use crate::error::{Error, Result};
use crate::output::atomic::{write_atomic, OutputPolicy};

/// The snapshots found in a history folder, oldest first, one per week.
#[derive(Debug, Default)]
pub struct History {
    pub weeks: Vec<(Week, Snapshot)>,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<String>,
}

impl History {
    /// The latest snapshot of a week before `week`.
    pub fn previous(&self, week: Week) -> Option<&Snapshot> {
        self.weeks
            .iter()
            .rev()
            .find(|(w, _)| *w < week)
            .map(|(_, s)| s)
    }

    /// The trend up to `current`: every stored week before it, then `current` itself (a stored
    /// snapshot of the same week is replaced; later weeks are left out).
    pub fn trend<'a>(&'a self, current: &'a Snapshot) -> Vec<&'a Snapshot> {
        let week = Week::parse(&current.week);
        let mut rows: Vec<&Snapshot> = self
            .weeks
            .iter()
            .filter(|(w, _)| Some(*w) < week)
            .map(|(_, s)| s)
            .collect();
        rows.push(current);
        rows
    }
}

/// `--history` must be a folder (or not exist yet).
pub fn check_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: --history must be a folder, not a file",
            dir.display()
        )));
    }
    Ok(())
}

/// The path of a week's snapshot.
pub fn file_of(dir: &Path, week: &str) -> PathBuf {
    dir.join(format!("{week}.json"))
}

/// Reads every `YYYY-Www.json` of `dir` (a missing folder is an empty history). Other files are
/// ignored; unreadable snapshots are listed in `skipped`.
pub fn load(dir: &Path) -> Result<History> {
    let mut history = History::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(history),
        Err(source) => {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(week) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(Week::parse)
        else {
            continue;
        };
        match read_snapshot(&path, week) {
            Ok(s) => history.weeks.push((week, s)),
            Err(reason) => history
                .skipped
                .push(format!("{}: {reason}; ignored", path.display())),
        }
    }
    history.weeks.sort_by_key(|(w, _)| *w);
    Ok(history)
}

fn read_snapshot(path: &Path, week: Week) -> std::result::Result<Snapshot, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut s: Snapshot =
        serde_json::from_str(&text).map_err(|e| format!("not a report snapshot: {e}"))?;
    // The file name is the week's identity.
    s.week = week.to_string();
    Ok(s)
}

/// Writes the snapshot of its week atomically, replacing an earlier run of the same week (but
/// never an input file).
pub fn save(dir: &Path, snapshot: &Snapshot, inputs: &[PathBuf]) -> Result<PathBuf> {
    let path = file_of(dir, &snapshot.week);
    let policy = OutputPolicy {
        force: true,
        inputs: inputs.to_vec(),
    };
    write_atomic(&path, &policy, |w| {
        serde_json::to_writer_pretty(&mut *w, snapshot).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::super::snapshot::Totals;
    use super::*;

    fn snapshot(week: &str, findings: usize) -> Snapshot {
        Snapshot {
            week: week.into(),
            as_of: "2026-11-23T12:00:00".into(),
            totals: Totals {
                findings,
                ..Totals::default()
            },
            ..Snapshot::default()
        }
    }

    #[test]
    fn saves_loads_and_replaces_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let hist = dir.path().join("history");
        save(&hist, &snapshot("2026-W46", 10), &[]).unwrap();
        save(&hist, &snapshot("2026-W48", 7), &[]).unwrap();
        save(&hist, &snapshot("2026-W48", 5), &[]).unwrap();
        std::fs::write(hist.join("notes.txt"), "не снимок").unwrap();
        std::fs::write(hist.join("2026-W40.json"), "{ битый").unwrap();
        let h = load(&hist).unwrap();
        let weeks: Vec<String> = h.weeks.iter().map(|(w, _)| w.to_string()).collect();
        assert_eq!(weeks, ["2026-W46", "2026-W48"]);
        assert_eq!(h.weeks[1].1.totals.findings, 5);
        assert_eq!(h.skipped.len(), 1);
        assert!(h.skipped[0].contains("2026-W40.json"), "{:?}", h.skipped);
        let mut files: Vec<String> = std::fs::read_dir(&hist)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "2026-W40.json",
                "2026-W46.json",
                "2026-W48.json",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn previous_is_the_latest_earlier_week() {
        let h = History {
            weeks: ["2026-W44", "2026-W46", "2026-W48", "2026-W50"]
                .iter()
                .map(|w| (Week::parse(w).unwrap(), snapshot(w, 1)))
                .collect(),
            skipped: Vec::new(),
        };
        let week = |s| Week::parse(s).unwrap();
        let prev = |s| h.previous(week(s)).map(|p| p.week.clone());
        assert_eq!(prev("2026-W48").as_deref(), Some("2026-W46"));
        assert_eq!(prev("2026-W47").as_deref(), Some("2026-W46"));
        assert_eq!(prev("2027-W01").as_deref(), Some("2026-W50"));
        assert_eq!(prev("2026-W44"), None);
        let current = snapshot("2026-W48", 3);
        let trend: Vec<(String, usize)> = h
            .trend(&current)
            .iter()
            .map(|s| (s.week.clone(), s.totals.findings))
            .collect();
        assert_eq!(
            trend,
            [
                ("2026-W44".to_string(), 1),
                ("2026-W46".to_string(), 1),
                ("2026-W48".to_string(), 3)
            ]
        );
    }

    #[test]
    fn missing_folder_is_empty_and_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("nope")).unwrap().weeks.is_empty());
        let file = dir.path().join("history.json");
        std::fs::write(&file, "{}").unwrap();
        assert!(matches!(check_dir(&file), Err(Error::Usage(_))));
        assert!(check_dir(dir.path()).is_ok());
    }
}
