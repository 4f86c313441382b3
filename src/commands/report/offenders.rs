//! Top offenders: per rule, the records it flags that have the most findings overall.

use std::cmp::Reverse;
use std::collections::HashMap;

use super::super::audit::origin::Origins;
use crate::dedupe::id_cmp;
use crate::model::Dataset;
use crate::rules::Finding;

/// One record shown for a rule.
#[derive(Debug, Clone)]
pub struct Offender<'a> {
    /// The record's first finding of the rule.
    pub finding: &'a Finding,
    /// Findings of the record, all rules.
    pub record_findings: usize,
    /// Findings of the record for this rule.
    pub rule_findings: usize,
    /// Codes of every rule that flags the record, in code order.
    pub rules: Vec<&'static str>,
}

/// The worst `per_rule` records of every rule with findings, rules in output order. Worst:
/// most findings of any rule, then most findings of this rule, then ID.
pub fn top<'a>(ds: &Dataset, findings: &'a [Finding], per_rule: usize) -> Vec<Vec<Offender<'a>>> {
    if per_rule == 0 {
        return Vec::new();
    }
    let origins = Origins::new(ds);
    let totals = RecordTotals::new(ds, &origins, findings);
    let mut chosen: Vec<Vec<Offender>> = findings
        .chunk_by(|a, b| a.rule == b.rule)
        .map(|group| worst_of_rule(&origins, &totals, group, per_rule))
        .collect();
    let mut rules_of: HashMap<(&str, usize), Vec<&'static str>> = chosen
        .iter()
        .flatten()
        .map(|o| ((o.finding.file.as_str(), o.finding.row), Vec::new()))
        .collect();
    for f in findings {
        if let Some(codes) = rules_of.get_mut(&(f.file.as_str(), f.row)) {
            if codes.last() != Some(&f.rule) {
                codes.push(f.rule);
            }
        }
    }
    for o in chosen.iter_mut().flatten() {
        if let Some(codes) = rules_of.get(&(o.finding.file.as_str(), o.finding.row)) {
            o.rules = codes.clone();
        }
    }
    chosen
}

/// Findings per record, indexed by source and row.
struct RecordTotals(Vec<Vec<u32>>);

impl RecordTotals {
    fn new(ds: &Dataset, origins: &Origins, findings: &[Finding]) -> Self {
        let mut counts: Vec<Vec<u32>> = ds
            .sources
            .iter()
            .map(|s| vec![0; s.table.rows.len()])
            .collect();
        for f in findings {
            if let Some(n) = slot(origins, f).and_then(|(s, r)| counts.get_mut(s)?.get_mut(r)) {
                *n += 1;
            }
        }
        RecordTotals(counts)
    }

    fn of(&self, origins: &Origins, f: &Finding) -> usize {
        slot(origins, f)
            .and_then(|(s, r)| self.0.get(s)?.get(r))
            .map_or(1, |&n| n as usize)
    }
}

fn slot(origins: &Origins, f: &Finding) -> Option<(usize, usize)> {
    Some((origins.source(f)?, f.row.checked_sub(1)?))
}

/// The worst records of one rule's findings (sorted by file and row).
fn worst_of_rule<'a>(
    origins: &Origins,
    totals: &RecordTotals,
    group: &'a [Finding],
    n: usize,
) -> Vec<Offender<'a>> {
    let mut records: Vec<Offender> = group
        .chunk_by(|a, b| (&a.file, a.row) == (&b.file, b.row))
        .map(|same| Offender {
            finding: &same[0],
            record_findings: totals.of(origins, &same[0]),
            rule_findings: same.len(),
            rules: Vec::new(),
        })
        .collect();
    let key = |o: &Offender| (Reverse(o.record_findings), Reverse(o.rule_findings));
    let order = |a: &Offender, b: &Offender| {
        key(a)
            .cmp(&key(b))
            .then_with(|| id_cmp(&a.finding.id, &b.finding.id))
            .then_with(|| (&a.finding.file, a.finding.row).cmp(&(&b.finding.file, b.finding.row)))
    };
    if records.len() > n {
        records.select_nth_unstable_by(n - 1, order);
        records.truncate(n);
    }
    records.sort_by(order);
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{self, Context, Rule};
    use crate::testutil::{as_of, dataset, rule_set};

    const CONTACTS: &str = "ID;Полное имя контакта;ФИО;Ответственный;Мобильный телефон;Рабочий телефон;Личный email;День рождения\n\
        101;Иванов Иван;Иванов Иван;Петрова Анна;8 921 123-45-67;;ivanov@mail.ru;15.03.1985\n\
        102;Смирнова Ольга;Смирнова Ольга;Петрова Анна;нет;уточнить;;\n\
        103;Орлов Павел;Орлов Павел;Сидоров Пётр;+7 911 555-44-33;;;02.03.1968\n\
        104;Волкова Мария;Волкова Мария;;+7 921 765-43-21;;;01.01.1970\n\
        105;Зайцев Олег;Зайцев Олег;;+7 921 765-43-99;;;\n";

    #[test]
    fn worst_records_first_per_rule() {
        let ds = dataset(&[("contacts.csv", CONTACTS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let selected: Vec<&Rule> = rules::selection(&["CON".into()], &[]).unwrap();
        let findings = rules::run(&ctx, &selected);
        let top = top(&ds, &findings, 2);
        let con003 = top
            .iter()
            .find(|t| t[0].finding.rule == "CON003")
            .expect("CON003 offenders");
        // 102 has the most findings; then 104 (CON001, CON003, CON008) before 105 (CON001,
        // CON003) and 103 (CON003 only); two per rule.
        let ids: Vec<&str> = con003.iter().map(|o| o.finding.id.as_str()).collect();
        assert_eq!(ids, ["102", "104"]);
        assert_eq!(con003[1].rules, ["CON001", "CON003", "CON008"]);
        assert_eq!(con003[1].record_findings, 3);
        let con006 = top
            .iter()
            .find(|t| t[0].finding.rule == "CON006")
            .expect("CON006 offenders");
        assert_eq!(con006.len(), 1);
        assert_eq!(con006[0].rule_findings, 2);
        assert!(top.iter().all(|t| !t.is_empty() && t.len() <= 2));
        assert!(super::top(&ds, &findings, 0).is_empty());
    }
}
