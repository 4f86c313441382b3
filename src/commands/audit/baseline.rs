//! `audit --baseline PATH`: the findings of an earlier audit (its `--out` folder or its
//! `findings.jsonl`), joined with this run's on the finding keys. Each finding becomes `new` or
//! `persisting`; each baseline finding not found again is written to `resolved.jsonl` as `fixed`
//! (its record is still exported) or `gone` (it is not).
//!
//! The join holds only 64-bit key hashes: the baseline is read twice as a stream, once for the
//! hashes of its keys (sorted, with the line number) and once to write the resolved lines, so a
//! baseline of millions of findings costs 16 bytes a finding, not its text.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::pii::mask_text;
use super::summary::manager_name;
use super::FINDINGS;
use crate::error::{Error, Result};
use crate::model::Dataset;
use crate::output::atomic::{write_atomic, OutputPolicy};
use crate::rules::{key, Entity, Finding};

/// `resolved.jsonl` inside `--out DIR`.
pub const RESOLVED: &str = "resolved.jsonl";

/// What became of a finding since the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not in the baseline.
    New,
    /// In the baseline too.
    Persisting,
    /// A baseline finding whose record is still exported without the problem.
    Fixed,
    /// A baseline finding whose record is no longer exported.
    Gone,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::New, Status::Persisting, Status::Fixed, Status::Gone];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Persisting => "persisting",
            Status::Fixed => "fixed",
            Status::Gone => "gone",
        }
    }
}

/// A baseline read for the join.
pub struct Baseline {
    /// The baseline's `findings.jsonl`.
    pub path: PathBuf,
    /// `as_of` of the baseline's `summary.json` beside it, when there is one.
    pub as_of: Option<NaiveDateTime>,
    /// `(key hash, line index)`, sorted.
    hashes: Vec<(u64, u32)>,
}

/// The part of a baseline line the first pass reads.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    rule: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    key: Option<std::borrow::Cow<'a, str>>,
}

/// A baseline finding as written by crmclean, with any fields added since kept after them.
#[derive(Debug, Deserialize, Serialize)]
pub struct Recorded {
    pub rule: String,
    pub severity: String,
    pub entity: Entity,
    pub id: String,
    pub related: Vec<String>,
    pub file: String,
    pub row: usize,
    pub field: String,
    pub value: String,
    pub message: String,
    pub fix: String,
    pub manager: String,
    pub key: String,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Reads the keys of a baseline: `path` is an audit's `--out` folder or its `findings.jsonl`.
/// Anything that is not a crmclean findings file is an error naming the file (exit 2).
pub fn load(path: &Path) -> Result<Baseline> {
    let file = if path.is_dir() {
        path.join(FINDINGS)
    } else {
        path.to_path_buf()
    };
    let bad = |message: String| Error::Baseline {
        path: file.clone(),
        message,
    };
    let reader = open(&file)?;
    let mut hashes = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| bad(format!("cannot read: {e}")))?;
        let head: Head = serde_json::from_str(&line).map_err(|e| {
            bad(format!(
                "line {}: not a crmclean findings.jsonl line ({e})",
                i + 1
            ))
        })?;
        let (Some(_), Some(key)) = (head.rule, head.key) else {
            return Err(bad(format!(
                "line {}: no `rule` and `key`: not a findings.jsonl of this crmclean (keys came \
                 with 0.1; run the baseline audit again)",
                i + 1
            )));
        };
        let line_no = u32::try_from(i).map_err(|_| bad("more than 4 billion lines".into()))?;
        hashes.push((key::hash(&key), line_no));
    }
    hashes.sort_unstable();
    Ok(Baseline {
        as_of: summary_as_of(&file),
        path: file,
        hashes,
    })
}

fn open(file: &Path) -> Result<BufReader<std::fs::File>> {
    std::fs::File::open(file)
        .map(|f| BufReader::with_capacity(1 << 20, f))
        .map_err(|e| Error::Baseline {
            path: file.to_path_buf(),
            message: format!("cannot read: {e}"),
        })
}

/// `as_of` of the `summary.json` beside a baseline's findings, if readable.
fn summary_as_of(findings: &Path) -> Option<NaiveDateTime> {
    let summary = findings.with_file_name(super::SUMMARY);
    let text = std::fs::read_to_string(summary).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    NaiveDateTime::parse_from_str(value.get("as_of")?.as_str()?, "%Y-%m-%dT%H:%M:%S").ok()
}

/// New / persisting / fixed / gone counts, in total, per rule and per manager.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    /// The baseline's findings file.
    pub baseline: String,
    /// The baseline's `as_of`, when its summary.json was beside it.
    pub baseline_as_of: Option<String>,
    pub total: Tally,
    pub by_rule: BTreeMap<String, Tally>,
    pub by_manager: BTreeMap<String, Tally>,
}

/// Findings per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub new: usize,
    pub persisting: usize,
    pub fixed: usize,
    pub gone: usize,
}

impl Tally {
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::New => self.new,
            Status::Persisting => self.persisting,
            Status::Fixed => self.fixed,
            Status::Gone => self.gone,
        }
    }

    fn add(&mut self, status: Status) {
        *match status {
            Status::New => &mut self.new,
            Status::Persisting => &mut self.persisting,
            Status::Fixed => &mut self.fixed,
            Status::Gone => &mut self.gone,
        } += 1;
    }
}

impl Comparison {
    fn count(&mut self, rule: &str, manager: &str, status: Status) {
        self.total.add(status);
        tally_of(&mut self.by_rule, rule).add(status);
        tally_of(&mut self.by_manager, manager_name(manager)).add(status);
    }
}

/// The tally of `name`, added on first use (a name is copied once, not per finding).
fn tally_of<'m>(map: &'m mut BTreeMap<String, Tally>, name: &str) -> &'m mut Tally {
    if !map.contains_key(name) {
        map.insert(name.to_string(), Tally::default());
    }
    map.get_mut(name).expect("inserted above")
}

impl Baseline {
    /// The status of each finding (`new` or `persisting`), by its key as written (`keys`, in
    /// the order of `findings`), and the baseline lines matched.
    pub fn statuses(
        &self,
        keys: impl Iterator<Item = impl AsRef<str>>,
    ) -> (Vec<Status>, Vec<bool>) {
        let mut matched = vec![false; self.hashes.len()];
        let statuses = keys
            .map(|k| {
                let h = key::hash(k.as_ref());
                let start = self.hashes.partition_point(|(x, _)| *x < h);
                let mut found = false;
                for (x, line) in &self.hashes[start..] {
                    if *x != h {
                        break;
                    }
                    matched[*line as usize] = true;
                    found = true;
                }
                if found {
                    Status::Persisting
                } else {
                    Status::New
                }
            })
            .collect();
        (statuses, matched)
    }

    /// Writes `resolved.jsonl` (the baseline lines not `matched`, each with its status) and
    /// returns the comparison with `findings`, whose statuses are set. Baseline findings of rules
    /// this run does not run (`rules`: their codes) are left out: nobody checked them.
    #[allow(clippy::too_many_arguments)]
    pub fn resolve(
        &self,
        ds: &Dataset,
        rules: &[&str],
        findings: &[Finding],
        matched: &[bool],
        out: &Path,
        policy: &OutputPolicy,
        mask: bool,
    ) -> Result<Comparison> {
        let mut cmp = Comparison {
            baseline: self.path.display().to_string(),
            baseline_as_of: self
                .as_of
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            ..Comparison::default()
        };
        for f in findings {
            cmp.count(f.rule, &f.manager, f.status.unwrap_or(Status::New));
        }
        let mut records: Vec<u64> = ds
            .contacts
            .iter()
            .map(|c| key::record_hash(Entity::Contact, &c.id))
            .chain(
                ds.deals
                    .iter()
                    .map(|d| key::record_hash(Entity::Deal, &d.id)),
            )
            .chain(
                ds.applications
                    .iter()
                    .map(|a| key::record_hash(Entity::Application, &a.app_no)),
            )
            .collect();
        records.sort_unstable();
        let reader = open(&self.path)?;
        write_atomic(out, policy, |w| {
            for (line, matched) in reader.lines().zip(matched) {
                let line = line?;
                if *matched {
                    continue;
                }
                let mut r: Recorded = serde_json::from_str(&line)
                    .map_err(|e| std::io::Error::other(format!("{}: {e}", self.path.display())))?;
                if !rules.contains(&r.rule.as_str()) {
                    continue;
                }
                let status = if records
                    .binary_search(&key::record_hash(r.entity, &r.id))
                    .is_ok()
                {
                    Status::Fixed
                } else {
                    Status::Gone
                };
                cmp.count(&r.rule, &r.manager, status);
                if mask {
                    for text in [&mut r.value, &mut r.message, &mut r.fix] {
                        *text = mask_text(text);
                    }
                }
                r.extra
                    .insert("status".into(), serde_json::json!(status.as_str()));
                serde_json::to_writer(&mut *w, &r).map_err(std::io::Error::other)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
        Ok(cmp)
    }
}

/// Warnings about a baseline that does not look like an earlier audit of this export.
pub fn warnings(cmp: &Comparison, baseline: &Baseline, as_of: NaiveDateTime) -> Vec<String> {
    let mut out = Vec::new();
    if cmp.total.persisting + cmp.total.fixed == 0 && cmp.total.gone > 0 {
        out.push(format!(
            "baseline {} shares no record with this export: every one of its findings is gone \
             (an export of another account?)",
            baseline.path.display()
        ));
    }
    if let Some(then) = baseline.as_of.filter(|t| *t > as_of) {
        out.push(format!(
            "baseline {} is dated {} after this export's --as-of {}: are the two the wrong way \
             round?",
            baseline.path.display(),
            then.format("%Y-%m-%d %H:%M"),
            as_of.format("%Y-%m-%d %H:%M")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_findings_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.jsonl");
        std::fs::write(
            &path,
            "{\"rule\":\"CON001\",\"key\":\"CON001/contact/1\"}\nnot json\n",
        )
        .unwrap();
        let e = load(dir.path()).err().expect("refused").to_string();
        assert!(e.contains("findings.jsonl") && e.contains("line 2"), "{e}");
        std::fs::write(&path, "{\"rule\":\"CON001\",\"id\":\"1\"}\n").unwrap();
        let e = load(&path).err().expect("refused").to_string();
        assert!(e.contains("no `rule` and `key`"), "{e}");
        let e = load(&dir.path().join("missing.jsonl"))
            .err()
            .expect("refused");
        assert_eq!(e.exit_code(), crate::error::ExitCode::Usage);
    }

    #[test]
    fn statuses_join_on_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.jsonl");
        std::fs::write(
            &path,
            "{\"rule\":\"CON001\",\"key\":\"CON001/contact/1/name\"}\n\
             {\"rule\":\"CON003\",\"key\":\"CON003/contact/2\"}\n",
        )
        .unwrap();
        let b = load(&path).unwrap();
        let (statuses, matched) = b.statuses(["CON003/contact/2", "CON003/contact/3"].into_iter());
        assert_eq!(statuses, [Status::Persisting, Status::New]);
        assert_eq!(matched, [false, true]);
    }
}
