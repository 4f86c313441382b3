//! The short table `report` prints on stderr.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::overview::TRACKED;
use super::workbook::as_of_label;
use super::Report;

/// Managers named on the last line.
const WORST: usize = 3;

/// The supervised metrics with their changes, the worst managers, the files written.
pub fn table(report: &Report, files: &[PathBuf]) -> String {
    let s = report.snapshot;
    let mut out = String::new();
    let compared = report.previous.map_or_else(
        || "no earlier week in the history".to_string(),
        |p| format!("compared with {}", p.week),
    );
    let _ = writeln!(
        out,
        "week {} (data as of {}), {compared}",
        s.week,
        as_of_label(&s.as_of)
    );
    let _ = writeln!(out, "{:<50} {:>22} {:>12}", "metric", "value", "change");
    for m in report.metrics.iter().take(TRACKED) {
        let _ = writeln!(
            out,
            "{:<50} {:>22} {:>12}",
            m.label,
            m.value_text(),
            m.delta_text()
        );
    }
    let t = &s.totals;
    if let (Some(fixed), Some(new)) = (t.fixed_since_previous, t.new_since_previous) {
        let _ = writeln!(out, "since the previous week: {fixed} fixed, {new} new");
    }
    let worst: Vec<String> = report
        .managers
        .iter()
        .filter(|m| m.total > 0)
        .take(WORST)
        .map(|m| format!("{} {}", m.name, m.total))
        .collect();
    if !worst.is_empty() {
        let _ = writeln!(out, "most findings: {}", worst.join(", "));
    }
    if !files.is_empty() {
        let _ = writeln!(out, "written:");
        for f in files {
            let _ = writeln!(out, "  {}", f.display());
        }
    }
    out
}
