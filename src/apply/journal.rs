//! `journal.jsonl`: an append-only record of a run, one JSON object per line, each line flushed
//! to disk (fsync) before the run goes on. It holds the cards as they were before the run
//! (`contact_before`, `lead_before`), the changes left out (`skip`), the steps (`step`), each
//! request before it is sent (`send`: method, path, body; never the token) and its outcome
//! after (`done` with the status and the IDs of created contacts, `refused` (which stops the
//! run; a resumed run sends the step again), or `verified`
//! when an uncertain request was checked against the cards). Reading it back tells a resumed
//! run what is done and a rollback what to restore.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::amo::{Contact, Contacts, Lead, Leads};
use super::changes::Skip;
use super::step::{Created, Step};
use crate::error::{Error, Result};

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// A run starts (again, when resumed). `digest` identifies the plan it carries out.
    Start {
        run: String,
        digest: String,
        at: String,
    },
    ContactBefore {
        card: Contact,
    },
    LeadBefore {
        card: Lead,
    },
    Skip {
        change: String,
        reason: String,
    },
    Step {
        step: Step,
    },
    /// The run's steps are all journaled; `covers` names the changes they carry out.
    Planned {
        covers: Vec<String>,
    },
    Send {
        n: usize,
        attempt: u32,
        method: String,
        path: String,
        body: Value,
    },
    /// An uncertain request was checked: `applied` of its items were found done.
    Verified {
        n: usize,
        applied: usize,
        created: Created,
    },
    Done {
        n: usize,
        status: Option<u16>,
        created: Created,
    },
    Refused {
        n: usize,
        status: u16,
        detail: String,
    },
    Finish {
        at: String,
    },
}

/// The journal file, open for appending.
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (or creates) the journal; a last line cut short by a crash is dropped first.
    pub fn open(path: &Path) -> Result<Journal> {
        if let Ok(text) = std::fs::read(path) {
            if text.last().is_some_and(|&b| b != b'\n') {
                let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
                OpenOptions::new()
                    .write(true)
                    .open(path)
                    .and_then(|f| f.set_len(keep as u64))
                    .map_err(|e| write_error(path, e))?;
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| write_error(path, e))?;
        Ok(Journal {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends one entry and waits until it is on disk.
    pub fn write(&mut self, entry: &Entry) -> Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(|e| write_error(&self.path, e))?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| write_error(&self.path, e))
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What a journal says happened. A journal may hold several runs (say `--limit 1`, then the
/// rest): the cards are kept as they were before the first run that touched them.
#[derive(Debug, Default)]
pub struct Record {
    /// The last run and its plan.
    pub run: String,
    pub digest: String,
    /// The last run journaled all its steps …
    pub planned: bool,
    /// … and finished.
    pub finished: bool,
    /// The changes of every planned run.
    pub covered: BTreeSet<String>,
    pub contacts: Contacts,
    pub leads: Leads,
    pub skipped: Vec<Skip>,
    pub steps: Vec<Step>,
    /// Steps with at least one request sent.
    pub sent: BTreeSet<usize>,
    /// Steps finished.
    pub done: BTreeSet<usize>,
    pub created: Created,
}

impl Record {
    /// Reads `path`; `None` when there is no journal. A last line cut short by a crash is
    /// ignored (its request was never sent: `send` is written before sending).
    pub fn read(path: &Path) -> Result<Option<Record>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let mut r = Record::default();
        let lines: Vec<&str> = text.lines().collect();
        for (k, line) in lines.iter().enumerate() {
            let entry: Entry = match serde_json::from_str(line) {
                Ok(e) => e,
                Err(_) if k + 1 == lines.len() && !text.ends_with('\n') => break,
                Err(e) => {
                    return Err(Error::BadRow {
                        path: path.to_path_buf(),
                        row: k + 1,
                        message: format!("not a journal line: {e}"),
                    })
                }
            };
            r.apply(entry);
        }
        Ok(Some(r))
    }

    fn apply(&mut self, entry: Entry) {
        match entry {
            Entry::Start { run, digest, .. } => {
                if run != self.run {
                    self.planned = false;
                }
                self.finished = false;
                self.run = run;
                self.digest = digest;
            }
            Entry::ContactBefore { card } => {
                self.contacts.entry(card.id).or_insert(card);
            }
            Entry::LeadBefore { card } => {
                self.leads.entry(card.id).or_insert(card);
            }
            Entry::Planned { covers } => {
                self.planned = true;
                self.covered.extend(covers);
            }
            Entry::Skip { change, reason } => self.skipped.push(Skip { change, reason }),
            Entry::Step { step } => self.steps.push(step),
            Entry::Send { n, .. } => {
                self.sent.insert(n);
            }
            Entry::Verified { created, .. } => self.created.extend(created),
            Entry::Done { n, created, .. } => {
                self.created.extend(created);
                self.done.insert(n);
            }
            Entry::Refused { .. } => {}
            Entry::Finish { .. } => self.finished = true,
        }
    }

    /// Steps sent but without an outcome: the run stopped while they were in flight.
    pub fn uncertain(&self) -> BTreeSet<usize> {
        self.sent.difference(&self.done).copied().collect()
    }

    /// The last run journaled its steps but did not finish: it is to be resumed.
    pub fn unfinished(&self) -> bool {
        self.planned && !self.finished
    }

    /// The number of the next run's first step.
    pub fn next_step(&self) -> usize {
        self.steps.iter().map(|s| s.n + 1).max().unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::step::{Item, Kind};
    use serde_json::json;

    #[test]
    fn a_journal_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::open(&path).unwrap();
        let step = Step {
            n: 1,
            kind: Kind::Unlink,
            items: vec![
                Item::Unlink {
                    deal: 5,
                    contact: 6,
                },
                Item::Update {
                    contact: 6,
                    patch: crate::apply::step::Patch {
                        fields: [(100, None), (101, Some(vec![json!({"value": "a@b.ru"})]))].into(),
                        ..Default::default()
                    },
                },
            ],
        };
        for e in [
            Entry::Start {
                run: "r1".into(),
                digest: "d".into(),
                at: "now".into(),
            },
            Entry::Step { step: step.clone() },
            Entry::Send {
                n: 1,
                attempt: 1,
                method: "POST".into(),
                path: "/api/v4/leads/unlink".into(),
                body: json!([]),
            },
        ] {
            j.write(&e).unwrap();
        }
        // A crash in the middle of writing the next line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"event\":\"do")
            .unwrap();
        let r = Record::read(&path).unwrap().unwrap();
        assert_eq!((r.run.as_str(), r.steps.len()), ("r1", 1));
        assert_eq!(r.steps[0], step, "items read back as written");
        assert_eq!(r.uncertain(), BTreeSet::from([1]));
        // Resuming drops the torn line before appending.
        let mut j = Journal::open(&path).unwrap();
        j.write(&Entry::Finish { at: "later".into() }).unwrap();
        let r = Record::read(&path).unwrap().unwrap();
        assert!(r.finished);
        assert!(Record::read(&dir.path().join("none.jsonl"))
            .unwrap()
            .is_none());
    }
}
