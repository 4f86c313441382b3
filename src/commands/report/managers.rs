//! The Managers table: per responsible manager, findings and the share of the manager's records
//! each rule flags.
//!
//! Rate of rule R for manager M = records of R's entity owned by M that have an R finding /
//! records of R's entity owned by M (contacts for CON*, DUP001, PRT001; deals — every record of
//! the deals exports — for DEAL*; applications for FLOW*). A record counts once per rule however
//! many findings it has, so the rate is a share (0..=1); the count column counts findings, like
//! `audit`'s summary.

use std::collections::{BTreeMap, HashMap};

use super::super::audit::summary::{manager_name, Counts};
use super::snapshot::Snapshot;
use crate::model::Dataset;
use crate::rules::{Entity, Finding, Rule};

/// Records a manager is responsible for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Owned {
    pub contacts: usize,
    pub deals: usize,
    pub applications: usize,
}

impl Owned {
    pub fn of(&self, entity: Entity) -> usize {
        match entity {
            Entity::Contact => self.contacts,
            Entity::Deal => self.deals,
            Entity::Application => self.applications,
        }
    }
}

/// One row of the Managers sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagerRow {
    pub name: String,
    /// Findings of every rule.
    pub total: usize,
    /// Findings per rule.
    pub findings: BTreeMap<&'static str, usize>,
    /// Distinct records flagged per rule.
    pub flagged: BTreeMap<&'static str, usize>,
    pub owned: Owned,
    /// Findings in the previous week's snapshot (`None` without one).
    pub previous_total: Option<usize>,
    /// Findings fixed and new since the previous week (`None` without its keys).
    pub fixed: Option<usize>,
    pub new: Option<usize>,
}

impl ManagerRow {
    pub fn count(&self, code: &str) -> usize {
        self.findings.get(code).copied().unwrap_or(0)
    }

    /// Share of the manager's records of the rule's entity that the rule flags; `None` when the
    /// manager owns no such record.
    pub fn rate(&self, rule: &Rule) -> Option<f64> {
        let owned = self.owned.of(rule.entity);
        let flagged = self.flagged.get(rule.code).copied().unwrap_or(0);
        (owned > 0).then(|| flagged as f64 / owned as f64)
    }

    /// Change of the findings total since the previous week.
    pub fn delta(&self) -> Option<i64> {
        self.previous_total.map(|p| self.total as i64 - p as i64)
    }

    /// The rules with the most findings, most first (ties by code), at most `n`.
    pub fn top_rules(&self, n: usize) -> Vec<(&'static str, usize)> {
        let mut rules: Vec<(&'static str, usize)> = self
            .findings
            .iter()
            .filter(|(_, &c)| c > 0)
            .map(|(&code, &c)| (code, c))
            .collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        rules.truncate(n);
        rules
    }
}

/// Every manager who owns a record or has a finding, worst first: findings total descending,
/// then name. Findings without a manager are counted under «(не указан)».
pub fn table(
    ds: &Dataset,
    findings: &[Finding],
    counts: &Counts,
    previous: Option<&Snapshot>,
) -> Vec<ManagerRow> {
    let mut rows: BTreeMap<String, ManagerRow> = BTreeMap::new();
    for (name, owned) in owned(ds) {
        rows.entry(name.to_string()).or_default().owned = owned;
    }
    for (name, by_rule) in &counts.by_manager {
        let row = rows.entry(name.clone()).or_default();
        row.findings = by_rule.clone();
        row.total = by_rule.values().sum();
    }
    for ((name, code), n) in flagged(findings) {
        if let Some(row) = rows.get_mut(name) {
            row.flagged.insert(code, n);
        }
    }
    let mut rows: Vec<ManagerRow> = rows
        .into_iter()
        .map(|(name, row)| ManagerRow {
            previous_total: previous.map(|p| p.manager_total(&name)),
            name,
            ..row
        })
        .collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// Records per manager name.
fn owned(ds: &Dataset) -> HashMap<&str, Owned> {
    let mut owned: HashMap<&str, Owned> = HashMap::new();
    for c in &ds.contacts {
        owned
            .entry(manager_name(&c.responsible))
            .or_default()
            .contacts += 1;
    }
    for d in &ds.deals {
        owned.entry(manager_name(&d.responsible)).or_default().deals += 1;
    }
    for a in &ds.applications {
        owned
            .entry(manager_name(&a.responsible))
            .or_default()
            .applications += 1;
    }
    owned
}

/// Distinct records (file, row) per manager and rule. Findings come in output order (rule,
/// file, row first), so a record's findings of one rule are adjacent.
fn flagged(findings: &[Finding]) -> HashMap<(&str, &'static str), usize> {
    let mut out: HashMap<(&str, &'static str), usize> = HashMap::new();
    let mut last: Option<(&str, &str, usize)> = None;
    for f in findings {
        let key = (f.rule, f.file.as_str(), f.row);
        if last != Some(key) {
            *out.entry((manager_name(&f.manager), f.rule)).or_default() += 1;
        }
        last = Some(key);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::audit::summary::{counts, NO_MANAGER};
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, dataset, rule_set};

    const CONTACTS: &str = "ID;Полное имя контакта;ФИО;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;Рабочий email;День рождения\n\
        101;Иванов Иван;Иванов Иван;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;;15.03.1985\n\
        102;Смирнова Ольга;Смирнова Ольга;Петрова Анна;нет;уточнить, 12-34;;;12.07.1979\n\
        103;Орлов Павел;Орлов Павел;Сидоров Пётр;+7 911 555-44-33;;orlov@mail.ru;;02.03.1968\n\
        104;Волкова Мария;Волкова Мария;;+7 921 765-43-21;;volkova@yandex.ru;;02.02.1990\n";

    fn rows() -> Vec<ManagerRow> {
        let ds = dataset(&[("contacts.csv", CONTACTS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let selected: Vec<&Rule> = rules::selection(&["CON".into()], &[]).unwrap();
        let findings = rules::run(&ctx, &selected);
        let c = counts(&findings, &selected);
        let previous = Snapshot {
            by_manager: BTreeMap::from([(
                "Петрова Анна".to_string(),
                BTreeMap::from([("CON001".to_string(), 9)]),
            )]),
            ..Snapshot::default()
        };
        table(&ds, &findings, &c, Some(&previous))
    }

    #[test]
    fn worst_first_with_rates_of_owned_records() {
        let rows = rows();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        // Only Петрова Анна has findings; the clean managers follow by name.
        assert_eq!(names, ["Петрова Анна", NO_MANAGER, "Сидоров Пётр"]);
        let anna = &rows[0];
        assert_eq!(anna.owned.contacts, 2);
        // 102: junk mobile (CON002), no personal e-mail (CON003), two invalid phones (CON006 ×3:
        // «нет», «уточнить», «12-34»).
        assert_eq!(anna.count("CON006"), 3);
        assert_eq!(anna.flagged.get("CON006"), Some(&1));
        let con006 = rules::find("CON006").unwrap();
        assert_eq!(anna.rate(con006), Some(0.5));
        assert_eq!(anna.total, anna.findings.values().sum::<usize>());
        assert_eq!(anna.delta(), Some(anna.total as i64 - 9));
        assert_eq!(anna.top_rules(1), [("CON006", 3)]);
        let clean = &rows[2];
        assert_eq!(clean.total, 0);
        assert_eq!(clean.rate(con006), Some(0.0));
        assert_eq!(clean.delta(), Some(0));
        let flow = rules::find("FLOW001").unwrap();
        assert_eq!(clean.rate(flow), None);
    }
}
