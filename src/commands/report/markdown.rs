//! `--format md`: the report's summary as Markdown for e-mail or chat — the Overview with the
//! changes, the ten worst managers, findings per rule.

use std::fmt::Write as _;

use super::workbook::{as_of_label, comparison_label};
use super::Report;

/// Managers listed in the Markdown.
pub const TOP_MANAGERS: usize = 10;
/// Rules named per manager.
const RULES_PER_MANAGER: usize = 3;

/// The Markdown summary.
pub fn render(report: &Report) -> String {
    let s = report.snapshot;
    let mut out = String::new();
    let _ = writeln!(out, "## Соблюдение правил CRM — неделя {}\n", s.week);
    let _ = writeln!(
        out,
        "Данные на {}. {}.\n",
        as_of_label(&s.as_of),
        comparison_label(report)
    );
    overview(&mut out, report);
    managers(&mut out, report);
    changes(&mut out, report);
    rules(&mut out, report);
    out
}

/// A table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

fn overview(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "| Показатель | Значение | Прошлая неделя | Изменение |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for m in &report.metrics {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            m.label,
            m.value_text(),
            m.previous_text(),
            m.delta_text()
        );
    }
    out.push('\n');
}

fn managers(out: &mut String, report: &Report) {
    let shown = report.managers.len().min(TOP_MANAGERS);
    let _ = writeln!(
        out,
        "### Ответственные: {shown} из {} с наибольшим числом нарушений\n",
        report.managers.len()
    );
    let _ = writeln!(
        out,
        "| Ответственный | Нарушений | Изменение | Чаще всего |"
    );
    let _ = writeln!(out, "|---|---:|---:|---|");
    for m in report.managers.iter().take(TOP_MANAGERS) {
        let top: Vec<String> = m
            .top_rules(RULES_PER_MANAGER)
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        let delta = match m.delta() {
            None => "—".to_string(),
            Some(0) => "0".to_string(),
            Some(d) => format!("{d:+}"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {delta} | {} |",
            cell(&m.name),
            m.total,
            top.join(", ")
        );
    }
    out.push('\n');
}

/// Fixed and new findings since the previous week, in total and per manager (most fixed
/// first), when the history kept the previous week's keys.
fn changes(out: &mut String, report: &Report) {
    let t = &report.snapshot.totals;
    let (Some(fixed), Some(new)) = (t.fixed_since_previous, t.new_since_previous) else {
        return;
    };
    let _ = writeln!(
        out,
        "### Исправлено и новые с прошлой недели
"
    );
    let _ = writeln!(
        out,
        "Исправлено: {fixed}, новых: {new}.
"
    );
    let _ = writeln!(out, "| Ответственный | Исправлено | Новые |");
    let _ = writeln!(out, "|---|---:|---:|");
    let mut rows: Vec<_> = report.managers.iter().collect();
    rows.sort_by(|a, b| b.fixed.cmp(&a.fixed).then_with(|| a.name.cmp(&b.name)));
    for m in rows.iter().take(TOP_MANAGERS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&m.name),
            m.fixed.unwrap_or(0),
            m.new.unwrap_or(0)
        );
    }
    out.push('\n');
}

fn rules(out: &mut String, report: &Report) {
    let _ = writeln!(out, "### Нарушения по правилам\n");
    let _ = writeln!(out, "| Правило | Найдено | Прошлая неделя | Изменение |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for (code, &n) in &report.snapshot.by_rule {
        let before = report.previous.and_then(|p| p.by_rule.get(code)).copied();
        let (before, delta) = match before {
            None => ("—".to_string(), "—".to_string()),
            Some(b) if b == n => (b.to_string(), "0".to_string()),
            Some(b) => (b.to_string(), format!("{:+}", n as i64 - b as i64)),
        };
        let _ = writeln!(out, "| {code} | {n} | {before} | {delta} |");
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::managers::ManagerRow;
    use super::super::overview::metrics;
    use super::super::snapshot::{Snapshot, Totals};
    use super::*;

    #[test]
    fn tables_with_changes_and_escaped_names() {
        let snapshot = |week: &str, dup: usize| Snapshot {
            week: week.into(),
            as_of: "2026-11-23T12:00:00".into(),
            totals: Totals {
                contacts: 40,
                duplicate_contacts: Some(dup),
                ..Totals::default()
            },
            by_rule: BTreeMap::from([("DUP001".to_string(), dup), ("CON003".to_string(), 1)]),
            ..Snapshot::default()
        };
        let current = snapshot("2026-W48", 4);
        let previous = snapshot("2026-W47", 6);
        let manager = ManagerRow {
            name: "Иванова | Анна".into(),
            total: 4,
            findings: BTreeMap::from([("DUP001", 3), ("CON003", 1)]),
            previous_total: Some(7),
            ..ManagerRow::default()
        };
        let report = Report {
            snapshot: &current,
            previous: Some(&previous),
            metrics: metrics(&current.totals, Some(&previous.totals)),
            managers: vec![manager],
            rules: &[],
            trend: vec![&previous, &current],
        };
        let md = render(&report);
        assert!(
            md.starts_with("## Соблюдение правил CRM — неделя 2026-W48\n"),
            "{md}"
        );
        assert!(
            md.contains("| Дубли контактов (DUP001) | 4 из 40 (10,0 %) | 6 | -2 |"),
            "{md}"
        );
        assert!(
            md.contains("| Иванова \\| Анна | 4 | -3 | DUP001 3, CON003 1 |"),
            "{md}"
        );
        assert!(md.contains("| DUP001 | 4 | 6 | -2 |"), "{md}");
        assert!(md.contains("| CON003 | 1 | 1 | 0 |"), "{md}");
        assert!(
            md.contains("| Корректные сделки | не проверялось | — | — |"),
            "{md}"
        );
    }
}
