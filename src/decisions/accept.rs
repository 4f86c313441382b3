//! `accept` decisions: a finding whose key is accepted (and not expired at `--as-of`) is not
//! reported; it is counted instead (`summary.json` `accepted`, the report). An accept whose key
//! no finding of the rules run has is stale; an expired one is said once, and its finding is
//! reported again.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Decisions, Kind};
use crate::rules::{Finding, Rule};

/// The findings left out because they were accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub total: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    /// Per responsible manager ("" for none).
    pub by_manager: BTreeMap<String, usize>,
}

/// What the accept decisions did to one run's findings.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub accepted: Accepted,
    /// `line N: …` for accepts that matched nothing, or that expired.
    pub notes: Vec<String>,
}

impl Decisions {
    /// Removes the accepted findings from `findings` (in place, order kept) and counts them.
    /// `rules` are the rules that ran: an accept of another rule's finding is not stale.
    pub fn accept(
        &self,
        findings: &mut Vec<Finding>,
        rules: &[&Rule],
        today: NaiveDate,
    ) -> Outcome {
        let mut out = Outcome::default();
        let mut live: HashMap<&str, (usize, bool)> = HashMap::new();
        for d in self.of_kind(Kind::Accept) {
            let rule = d.subject.split('/').next().unwrap_or("");
            if !rules.iter().any(|r| r.code.eq_ignore_ascii_case(rule)) {
                continue;
            }
            match d.expires {
                Some(day) if day < today => out.notes.push(format!(
                    "line {}: the acceptance of {} expired on {day}: it is reported again",
                    d.line, d.subject
                )),
                _ => {
                    live.insert(d.subject.as_str(), (d.line, false));
                }
            }
        }
        if live.is_empty() {
            return out;
        }
        findings.retain(|f| match live.get_mut(f.key.as_str()) {
            Some((_, used)) => {
                *used = true;
                let a = &mut out.accepted;
                a.total += 1;
                *a.by_rule.entry(f.rule).or_default() += 1;
                *a.by_manager
                    .entry(f.manager.trim().to_string())
                    .or_default() += 1;
                false
            }
            None => true,
        });
        let mut stale: Vec<(usize, &str)> = live
            .iter()
            .filter(|(_, (_, used))| !used)
            .map(|(key, (line, _))| (*line, *key))
            .collect();
        stale.sort_unstable();
        for (line, key) in stale {
            out.notes.push(format!(
                "line {line}: no finding {key} any more (stale decision, ignored)"
            ));
        }
        out
    }
}
