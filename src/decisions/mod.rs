//! Human decisions that flow back into every run: `decisions.csv` (UTF-8 with BOM, `;`), one
//! decision per line, written by people or by `crmclean decide` from the filled workbooks, and
//! read by `--decisions FILE` of `audit`, `dedupe`, `migrate`, `report` and `lookup`.
//!
//! Columns: `kind;ids;subject;value;reason;by;date;expires`. The kinds:
//! - `not-duplicate`: `ids` are records (contacts, or Flow applications when `subject` is
//!   `application`) that are different persons, every two of them: the clustering of DUP001,
//!   DEAL004, FLOW003 and `dedupe` never puts two of them in one cluster;
//! - `partner-own`: `ids` is a partner card, `subject` a phone on it: the partner's own number
//!   (`migrate` keeps it, PRT001 is silent);
//! - `client-number`: `ids` is a partner card, `subject` a phone on it, `value` the name of the
//!   client's new contact or `ID 45102400` (an existing contact to link): `migrate` moves it so;
//! - `accept`: `subject` is a finding key, `reason` why it is accepted, `expires` an optional
//!   date after which it is reported again.
//!
//! [`Decisions::load`] validates every line and refuses decisions that contradict each other
//! (naming both lines); [`resolve`] applies them to a dataset and names the stale ones.

mod accept;
mod file;
pub mod marker;
pub mod readback;
pub mod resolve;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use accept::{Accepted, Outcome};
pub use file::{parse_date, write, HEADER};
pub use resolve::Resolved;

use crate::error::{Error, Result};
use crate::normalize::phone::{normalize_phone, PhoneOptions};

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    NotDuplicate,
    PartnerOwn,
    ClientNumber,
    Accept,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::NotDuplicate,
        Kind::PartnerOwn,
        Kind::ClientNumber,
        Kind::Accept,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NotDuplicate => "not-duplicate",
            Kind::PartnerOwn => "partner-own",
            Kind::ClientNumber => "client-number",
            Kind::Accept => "accept",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The records a `not-duplicate` decision is about.
pub const CONTACT: &str = "contact";
pub const APPLICATION: &str = "application";

/// One line of the decisions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Line in the file (the header is line 1); 0 for a decision not yet written.
    pub line: usize,
    pub kind: Kind,
    /// Record IDs: the partner card, the records that are different persons, the finding's
    /// record.
    pub ids: Vec<String>,
    /// `contact`/`application` (not-duplicate), the phone in E.164 (or as written when it is
    /// not a number), or the finding key (accept).
    pub subject: String,
    /// client-number: the new contact's name, or `ID …` of a contact to link.
    pub value: String,
    pub reason: String,
    pub by: String,
    /// When it was decided (`2026-11-23`).
    pub date: String,
    pub expires: Option<NaiveDate>,
}

impl Decision {
    /// What two decisions must agree on when they have the same [`Decision::topic`].
    fn verdict(&self) -> (Kind, &str, Option<NaiveDate>) {
        (self.kind, self.value.as_str(), self.expires)
    }

    /// What the decision is about: two decisions on one topic must say the same.
    pub fn topic(&self) -> String {
        match self.kind {
            Kind::NotDuplicate => {
                let mut ids = self.ids.clone();
                ids.sort();
                ids.dedup();
                format!("{} {}", self.subject, ids.join(" "))
            }
            Kind::PartnerOwn | Kind::ClientNumber => {
                format!("partner {} {}", self.ids.join(" "), self.subject)
            }
            Kind::Accept => format!("finding {}", self.subject),
        }
    }

    /// `client-number` to an existing contact: its ID.
    pub fn link_id(&self) -> Option<&str> {
        let rest = self.value.trim().strip_prefix("ID")?.trim();
        (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
    }

    /// The phone as the plan writes it: E.164 when it is a valid number, else as written.
    pub fn plan_phone(raw: &str) -> String {
        let norm = normalize_phone(raw, &PhoneOptions::default());
        norm.e164
            .map_or_else(|| raw.trim().to_string(), |p| p.to_string())
    }

    /// `line 4 (by Иванова, 2026-11-23: twins)`: where a decision comes from, for reasons.
    pub fn origin(&self) -> String {
        let mut who = vec![self.by.as_str(), self.date.as_str(), self.reason.as_str()];
        who.retain(|s| !s.is_empty());
        if who.is_empty() {
            format!("decisions line {}", self.line)
        } else {
            format!("decisions line {}: {}", self.line, who.join(", "))
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.topic())?;
        if !self.value.is_empty() {
            write!(f, " → «{}»", self.value)?;
        }
        Ok(())
    }
}

/// The decisions of one file.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    pub path: PathBuf,
    pub list: Vec<Decision>,
}

impl Decisions {
    /// No decisions (no `--decisions`).
    pub fn none() -> Decisions {
        Decisions::default()
    }

    /// Reads and checks a decisions file: every line valid, none contradicting another.
    pub fn load(path: &Path) -> Result<Decisions> {
        let list = file::read(path)?;
        let decisions = Decisions {
            path: path.to_path_buf(),
            list,
        };
        decisions.check_contradictions()?;
        Ok(decisions)
    }

    /// [`Decisions::load`], or an empty list when the file does not exist yet.
    pub fn load_or_new(path: &Path) -> Result<Decisions> {
        if path.exists() {
            Decisions::load(path)
        } else {
            Ok(Decisions {
                path: path.to_path_buf(),
                list: Vec::new(),
            })
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Decision> {
        self.list.iter().filter(move |d| d.kind == kind)
    }

    /// Two decisions on one topic that say different things are an error naming both lines.
    fn check_contradictions(&self) -> Result<()> {
        let mut seen: HashMap<String, &Decision> = HashMap::new();
        for d in &self.list {
            let earlier = *seen.entry(d.topic()).or_insert(d);
            if earlier.verdict() != d.verdict() {
                return Err(self.contradiction(earlier, d));
            }
        }
        Ok(())
    }

    fn contradiction(&self, a: &Decision, b: &Decision) -> Error {
        Error::Decisions {
            path: self.path.clone(),
            line: b.line,
            message: format!("contradicts line {}: «{a}» and «{b}»", a.line),
        }
    }

    /// Adds the decisions of `new` that the file does not hold yet (same topic and verdict:
    /// already there); returns how many were added. A new decision that contradicts one of the
    /// file is an error naming the line and where the new one comes from (`source`).
    pub fn merge(&mut self, new: Vec<(String, Decision)>) -> Result<Vec<(String, Decision)>> {
        let mut by_topic: HashMap<String, usize> = HashMap::new();
        for (i, d) in self.list.iter().enumerate() {
            by_topic.entry(d.topic()).or_insert(i);
        }
        let mut added = Vec::new();
        for (source, mut d) in new {
            validate(&d).map_err(|m| Error::Usage(format!("{source}: {m}")))?;
            let topic = d.topic();
            if let Some(&i) = by_topic.get(&topic) {
                let old = &self.list[i];
                if old.verdict() == d.verdict() {
                    continue;
                }
                let where_ = if old.line == 0 {
                    "another workbook cell".to_string()
                } else {
                    format!("line {} of {}", old.line, self.path.display())
                };
                return Err(Error::Usage(format!(
                    "{source}: «{d}» contradicts {where_}: «{old}»"
                )));
            }
            d.line = 0;
            by_topic.insert(topic, self.list.len());
            self.list.push(d.clone());
            added.push((source, d));
        }
        Ok(added)
    }
}

/// Checks one decision's fields; the message says what is wrong.
fn validate(d: &Decision) -> std::result::Result<(), String> {
    if d.kind != Kind::Accept && d.ids.is_empty() {
        return Err("ids is empty".into());
    }
    match d.kind {
        Kind::NotDuplicate => {
            if d.ids.len() < 2 {
                return Err("not-duplicate needs two or more IDs".into());
            }
            if d.subject != CONTACT && d.subject != APPLICATION {
                return Err(format!(
                    "subject of not-duplicate is «{}»: use «{CONTACT}» or «{APPLICATION}»",
                    d.subject
                ));
            }
        }
        Kind::PartnerOwn | Kind::ClientNumber => {
            if d.ids.len() != 1 {
                return Err(format!("{} needs one partner ID", d.kind.as_str()));
            }
            if d.subject.is_empty() {
                return Err(format!("{} needs the phone in subject", d.kind.as_str()));
            }
            if d.kind == Kind::ClientNumber && !d.subject.starts_with('+') {
                return Err(format!(
                    "client-number needs a valid phone number, not «{}»: only a number can be moved",
                    d.subject
                ));
            }
            if d.kind == Kind::ClientNumber && d.value.trim().is_empty() {
                return Err(
                    "client-number needs the new contact's name (or `ID …` of a contact) in value"
                        .into(),
                );
            }
        }
        Kind::Accept => {
            if d.subject.is_empty() {
                return Err("accept needs the finding key in subject".into());
            }
            if d.reason.trim().is_empty() {
                return Err("accept needs a reason".into());
            }
        }
    }
    Ok(())
}
