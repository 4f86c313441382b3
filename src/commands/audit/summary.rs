//! `summary.json` and the stderr table, and the counts behind them: findings per rule, per
//! severity and per manager ([`counts`], reused by `report`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use polars::prelude::{Column, DataFrame, PolarsResult};
use serde::Serialize;

use super::baseline::{Comparison, Status};
use super::statuses::{DealCounts, DealRow};
use crate::decisions::Accepted;
use crate::error::Result;
use crate::model::{Dataset, LinkStats};
use crate::output::atomic::{write_atomic, OutputPolicy};
use crate::params::Params;
use crate::profile::Layout;
use crate::rules::{self, Finding, Rule, Severity};

/// How a finding without a responsible user is counted.
pub const NO_MANAGER: &str = "(не указан)";

/// Findings counted per rule, severity and manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    /// Every selected rule, zeros included.
    pub by_rule: BTreeMap<&'static str, usize>,
    /// `error` and `warning`, zeros included.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Manager → rule → findings (only rules the manager has findings of).
    pub by_manager: BTreeMap<String, BTreeMap<&'static str, usize>>,
}

/// Counts `findings` per rule (every rule of `rules`, zeros included), per severity and per
/// manager ([`NO_MANAGER`] for an empty one), with a polars group-by.
pub fn counts(findings: &[Finding], rules: &[&Rule]) -> Counts {
    let mut counts = Counts {
        total: findings.len(),
        by_rule: rules.iter().map(|r| (r.code, 0)).collect(),
        by_severity: [Severity::Error, Severity::Warning]
            .map(|s| (s.as_str(), 0))
            .into(),
        by_manager: BTreeMap::new(),
    };
    let groups =
        group_counts(findings).expect("a frame of three equal-length string columns always groups");
    for (rule, severity, manager, n) in groups {
        let code = rules::find(&rule).map_or("?", |r| r.code);
        *counts.by_rule.entry(code).or_default() += n;
        let severity = if severity == Severity::Error.as_str() {
            Severity::Error
        } else {
            Severity::Warning
        };
        *counts.by_severity.entry(severity.as_str()).or_default() += n;
        *counts
            .by_manager
            .entry(manager)
            .or_default()
            .entry(code)
            .or_default() += n;
    }
    counts
}

/// `(rule, severity, manager, count)` per group of findings.
fn group_counts(findings: &[Finding]) -> PolarsResult<Vec<(String, String, String, usize)>> {
    let column = |name: &str, value: fn(&Finding) -> &str| {
        Column::new(
            name.into(),
            findings.iter().map(value).collect::<Vec<&str>>(),
        )
    };
    let df = DataFrame::new_infer_height(vec![
        column("rule", |f| f.rule),
        column("severity", |f| f.severity.as_str()),
        column("manager", |f| manager_name(&f.manager)),
        column("id", |f| f.id.as_str()),
    ])?;
    let grouped = df
        .group_by(["rule", "severity", "manager"])?
        .select(["id"])
        .count()?;
    let rule = grouped.column("rule")?.str()?;
    let severity = grouped.column("severity")?.str()?;
    let manager = grouped.column("manager")?.str()?;
    let n = grouped.column("id_count")?.idx()?;
    Ok(rule
        .iter()
        .zip(severity.iter())
        .zip(manager.iter())
        .zip(n.iter())
        .map(|(((r, s), m), n)| {
            (
                r.unwrap_or_default().to_string(),
                s.unwrap_or_default().to_string(),
                m.unwrap_or_default().to_string(),
                n.unwrap_or_default() as usize,
            )
        })
        .collect())
}

/// The name findings of `manager` are counted under.
pub fn manager_name(manager: &str) -> &str {
    let m = manager.trim();
    if m.is_empty() {
        NO_MANAGER
    } else {
        m
    }
}

/// One input file in `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub file: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    pub rows: usize,
    pub problems: usize,
}

/// Milliseconds spent per step.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    pub read: u128,
    pub rules: u128,
    pub write: u128,
}

/// `summary.json`. Everything but `timings_ms` is deterministic.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub as_of: String,
    pub files: Vec<FileSummary>,
    /// Data rows per kind of export.
    pub rows_read: BTreeMap<&'static str, usize>,
    pub counts: &'a Counts,
    pub deals: DealCounts,
    pub links: &'a LinkStats,
    pub warnings: &'a [String],
    pub timings_ms: Timings,
    /// Findings left out because a decision accepts them (`--decisions`; an added field).
    pub accepted: Accepted,
    /// New / persisting / fixed / gone with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a Comparison>,
}

impl<'a> Summary<'a> {
    pub fn new(
        ds: &'a Dataset,
        as_of: NaiveDateTime,
        counts: &'a Counts,
        deals: &[DealRow],
        warnings: &'a [String],
        timings_ms: Timings,
    ) -> Self {
        let mut files: Vec<FileSummary> = ds
            .sources
            .iter()
            .map(|s| FileSummary {
                file: s.table.name.clone(),
                kind: s.mapping.kind.as_str(),
                layout: s.mapping.layout,
                rows: s.table.rows.len(),
                problems: s.table.problems.len(),
            })
            .collect();
        files.sort_by(|a, b| (&a.file, a.kind).cmp(&(&b.file, b.kind)));
        let mut rows_read = BTreeMap::new();
        for f in &files {
            *rows_read.entry(f.kind).or_default() += f.rows;
        }
        Summary {
            as_of: as_of.format("%Y-%m-%dT%H:%M:%S").to_string(),
            files,
            rows_read,
            counts,
            deals: DealCounts::of(ds, deals),
            links: &ds.links,
            warnings,
            timings_ms,
            accepted: Accepted::default(),
            baseline: None,
        }
    }
}

/// Writes `summary.json` (pretty, with a final newline).
pub fn write_json(path: &Path, policy: &OutputPolicy, summary: &Summary) -> Result<()> {
    write_atomic(path, policy, |w| {
        serde_json::to_writer_pretty(&mut *w, summary).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// The short table `audit` prints on stderr: one line per rule, totals, and the output files.
pub fn table(summary: &Summary, rules: &[&Rule], params: &Params, files: &[PathBuf]) -> String {
    let c = summary.counts;
    let mut out = String::new();
    let statuses = |cmp: Option<&Comparison>, key: &str| -> String {
        match cmp {
            Some(cmp) => {
                let t = cmp.by_rule.get(key).copied().unwrap_or_default();
                Status::ALL.map(|s| format!(" {:>10}", t.get(s))).concat()
            }
            None => String::new(),
        }
    };
    let head = summary.baseline.map_or(String::new(), |_| {
        Status::ALL.map(|s| format!(" {:>10}", s.as_str())).concat()
    });
    let _ = writeln!(out, "{:<8} {:<8} {:>7}{head}", "rule", "severity", "count");
    for r in rules {
        let n = c.by_rule.get(r.code).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:>7}{}",
            r.code,
            r.severity_in(params).as_str(),
            n,
            statuses(summary.baseline, r.code)
        );
    }
    let sev = |s: Severity| c.by_severity.get(s.as_str()).copied().unwrap_or(0);
    let rows: usize = summary.rows_read.values().sum();
    let _ = writeln!(
        out,
        "total: {} findings ({} errors, {} warnings) in {} rows of {} files",
        c.total,
        sev(Severity::Error),
        sev(Severity::Warning),
        rows,
        summary.files.len()
    );
    if summary.accepted.total > 0 {
        let _ = writeln!(
            out,
            "accepted: {} findings left out by decisions (accept)",
            summary.accepted.total
        );
    }
    let d = &summary.deals;
    if d.total > 0 {
        let _ = writeln!(
            out,
            "deals: {} proper, {} correct, {} incorrect, {} inactive",
            d.proper, d.correct, d.incorrect, d.inactive
        );
    }
    if let Some(cmp) = summary.baseline {
        let t = cmp.total;
        let _ = writeln!(
            out,
            "since the baseline: {} new, {} persisting, {} fixed, {} gone",
            t.new, t.persisting, t.fixed, t.gone
        );
        let _ = writeln!(out, "{:<30}{head}", "manager");
        for (manager, t) in &cmp.by_manager {
            let cells = Status::ALL.map(|s| format!(" {:>10}", t.get(s))).concat();
            let _ = writeln!(out, "{:<30}{cells}", manager);
        }
    }
    let _ = writeln!(out, "written:");
    for f in files {
        let _ = writeln!(out, "  {}", f.display());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::origin::tests::blank;
    use super::*;

    fn finding(rule: &'static str, severity: Severity, manager: &str) -> Finding {
        Finding {
            rule,
            severity,
            manager: manager.into(),
            ..blank()
        }
    }

    #[test]
    fn counts_per_rule_severity_and_manager() {
        let findings = [
            finding("CON001", Severity::Error, "Петрова Анна"),
            finding("CON001", Severity::Error, "Петрова Анна"),
            finding("CON001", Severity::Error, ""),
            finding("CON003", Severity::Warning, " "),
            finding("DEAL002", Severity::Warning, "Сидоров Пётр"),
        ];
        let selected: Vec<&Rule> = ["CON001", "CON003", "DEAL002", "FLOW001"]
            .iter()
            .filter_map(|c| rules::find(c))
            .collect();
        let c = counts(&findings, &selected);
        assert_eq!(c.total, 5);
        assert_eq!(
            c.by_rule,
            BTreeMap::from([("CON001", 3), ("CON003", 1), ("DEAL002", 1), ("FLOW001", 0)])
        );
        assert_eq!(
            c.by_severity,
            BTreeMap::from([("error", 3), ("warning", 2)])
        );
        assert_eq!(
            c.by_manager,
            BTreeMap::from([
                (
                    NO_MANAGER.to_string(),
                    BTreeMap::from([("CON001", 1), ("CON003", 1)])
                ),
                ("Петрова Анна".to_string(), BTreeMap::from([("CON001", 2)])),
                ("Сидоров Пётр".to_string(), BTreeMap::from([("DEAL002", 1)])),
            ])
        );
    }

    #[test]
    fn counts_without_findings_list_every_rule() {
        let selected: Vec<&Rule> = rules::RULES.iter().collect();
        let c = counts(&[], &selected);
        assert_eq!(c.total, 0);
        assert_eq!(c.by_rule.len(), rules::RULES.len());
        assert!(c.by_rule.values().all(|&n| n == 0));
        assert_eq!(
            c.by_severity,
            BTreeMap::from([("error", 0), ("warning", 0)])
        );
        assert!(c.by_manager.is_empty());
    }
}
