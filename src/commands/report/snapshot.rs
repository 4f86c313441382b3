//! The counts a weekly report keeps: the Overview totals, findings per rule and per manager,
//! stamped with the ISO week of `--as-of`. One snapshot per week is stored in `--history DIR`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::super::audit::origin::Origins;
use super::super::audit::statuses::DealCounts;
use super::super::audit::summary::Counts;
use crate::model::Dataset;
use crate::params::StageClass;
use crate::rules::{Finding, Rule};

/// Rules whose findings make a deal incorrect (rule 2).
pub const CORRECT_DEAL_RULES: [&str; 4] = ["DEAL001", "DEAL002", "DEAL003", "DEAL005"];
/// Rule 4: the mandatory contact fields.
pub const RULE4: [&str; 3] = ["CON001", "CON002", "CON003"];

/// The status counts of `audit`'s deal_status.csv, without building its rows: a deal proper is
/// incorrect when DEAL001, DEAL002, DEAL003 or DEAL005 flags it, inactive when DEAL003 does.
pub fn deal_counts(ds: &Dataset, findings: &[Finding]) -> DealCounts {
    const INCORRECT: u8 = 1;
    const INACTIVE: u8 = 2;
    let origins = Origins::new(ds);
    let mut flags: Vec<Vec<u8>> = ds
        .sources
        .iter()
        .map(|s| vec![0; s.table.rows.len()])
        .collect();
    for f in findings
        .iter()
        .filter(|f| CORRECT_DEAL_RULES.contains(&f.rule))
    {
        let slot = origins
            .source(f)
            .zip(f.row.checked_sub(1))
            .and_then(|(s, r)| flags.get_mut(s)?.get_mut(r));
        if let Some(slot) = slot {
            *slot |= if f.rule == "DEAL003" {
                INCORRECT | INACTIVE
            } else {
                INCORRECT
            };
        }
    }
    let mut c = DealCounts {
        total: ds.deals.len(),
        ..DealCounts::default()
    };
    for d in ds.deals.iter().filter(|d| d.stage_class.is_deal_proper()) {
        let f = flags
            .get(d.at.source as usize)
            .and_then(|rows| rows.get(d.at.row as usize))
            .copied()
            .unwrap_or(0);
        c.proper += 1;
        c.correct += usize::from(f & INCORRECT == 0);
        c.active += usize::from(f & INACTIVE == 0);
    }
    c.incorrect = c.proper - c.correct;
    c.inactive = c.proper - c.active;
    c
}

/// An ISO week (`2026-W47`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    /// The ISO week `at` falls in.
    pub fn of(at: NaiveDateTime) -> Self {
        let w = at.date().iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    /// Parses `2026-W47` (the file stem of a history file).
    pub fn parse(s: &str) -> Option<Self> {
        let (year, week) = s.split_once("-W")?;
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(week, 2) {
            return None;
        }
        let week: u32 = week.parse().ok()?;
        (1..=53).contains(&week).then_some(Week {
            year: year.parse().ok()?,
            week,
        })
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

/// The Overview numbers. Counts of records; a metric is `None` when the rules behind it were
/// not run (`--select` / `--ignore`). Percentages are rounded to 0.01 and only informative: the
/// report recomputes rates from the counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    /// Contacts (companies excluded).
    pub contacts: usize,
    /// Contacts that are partner (foreman) cards.
    pub partner_cards: usize,
    /// Every record of the deals exports.
    pub deals: usize,
    /// Deals proper: past «Неразобранное», not in «Корзина».
    pub deals_proper: usize,
    /// Requests in «Неразобранное».
    pub unsorted_deals: usize,
    /// Flow CRM applications.
    pub applications: usize,
    /// Every finding of the rules run.
    pub findings: usize,
    /// Deals proper that no DEAL001/DEAL002/DEAL003/DEAL005 finding makes incorrect.
    pub deals_correct: Option<usize>,
    pub deals_correct_pct: Option<f64>,
    /// Deals proper that DEAL003 does not call inactive.
    pub deals_active: Option<usize>,
    pub deals_active_pct: Option<f64>,
    /// Contacts with a CON001, CON002 or CON003 finding (rule 4).
    pub contacts_rule4: Option<usize>,
    /// Contacts in a duplicate cluster (DUP001).
    pub duplicate_contacts: Option<usize>,
    /// Partner cards holding a client's number (PRT001).
    pub partner_cards_with_client_numbers: Option<usize>,
    /// Unsorted requests older than the response-time limit (DEAL007).
    pub deals_over_response_time: Option<usize>,
    /// Findings left out because a decision accepts them (`--decisions`).
    pub accepted: usize,
    /// Findings of the previous stored week that are no longer found (by key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_since_previous: Option<usize>,
    /// Findings not in the previous stored week (by key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_since_previous: Option<usize>,
}

impl Totals {
    /// The totals of one run.
    pub fn new(ds: &Dataset, findings: &[Finding], rules: &[&Rule], deals: &DealCounts) -> Self {
        let ran = |codes: &[&str]| codes.iter().all(|c| rules.iter().any(|r| r.code == *c));
        let records = |codes: &[&str]| ran(codes).then(|| records_flagged(findings, codes));
        let deals_correct = ran(&CORRECT_DEAL_RULES).then_some(deals.correct);
        let deals_active = ran(&["DEAL003"]).then_some(deals.active);
        Totals {
            contacts: ds.contacts.len(),
            partner_cards: ds.contacts.iter().filter(|c| c.is_partner).count(),
            deals: ds.deals.len(),
            deals_proper: deals.proper,
            unsorted_deals: ds
                .deals
                .iter()
                .filter(|d| d.stage_class == StageClass::Unsorted)
                .count(),
            applications: ds.applications.len(),
            findings: findings.len(),
            deals_correct,
            deals_correct_pct: percent(deals_correct, deals.proper),
            deals_active,
            deals_active_pct: percent(deals_active, deals.proper),
            contacts_rule4: records(&RULE4),
            duplicate_contacts: records(&["DUP001"]),
            partner_cards_with_client_numbers: records(&["PRT001"]),
            deals_over_response_time: records(&["DEAL007"]),
            accepted: 0,
            fixed_since_previous: None,
            new_since_previous: None,
        }
    }

    /// Share of correct deals (0..=1).
    pub fn correct_rate(&self) -> Option<f64> {
        ratio(self.deals_correct, self.deals_proper)
    }

    /// Share of active deals (0..=1).
    pub fn active_rate(&self) -> Option<f64> {
        ratio(self.deals_active, self.deals_proper)
    }
}

/// `part / whole`, `None` without a part or with an empty whole.
pub fn ratio(part: Option<usize>, whole: usize) -> Option<f64> {
    let part = part?;
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn percent(part: Option<usize>, whole: usize) -> Option<f64> {
    ratio(part, whole).map(|r| (r * 10_000.0).round() / 100.0)
}

/// Distinct records (file and row) with a finding of any of `codes`.
pub fn records_flagged(findings: &[Finding], codes: &[&str]) -> usize {
    let mut rows: Vec<(&str, usize)> = findings
        .iter()
        .filter(|f| codes.contains(&f.rule))
        .map(|f| (f.file.as_str(), f.row))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows.len()
}

/// What one run stores in `--history DIR/<week>.json`. Keys are written in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    /// `2026-W47`.
    pub week: String,
    /// `2026-11-23T12:00:00`.
    pub as_of: String,
    pub totals: Totals,
    /// Findings per rule run (zeros included).
    pub by_rule: BTreeMap<String, usize>,
    /// Manager → rule → findings (rules the manager has findings of).
    pub by_manager: BTreeMap<String, BTreeMap<String, usize>>,
    /// Manager → the hashes of the keys of the manager's findings, encoded
    /// ([`super::changes`]): what was fixed and what is new next week. Absent in snapshots of
    /// older versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<BTreeMap<String, String>>,
}

impl Snapshot {
    pub fn new(as_of: NaiveDateTime, totals: Totals, counts: &Counts) -> Self {
        Snapshot {
            week: Week::of(as_of).to_string(),
            as_of: as_of.format("%Y-%m-%dT%H:%M:%S").to_string(),
            totals,
            by_rule: counts
                .by_rule
                .iter()
                .map(|(code, n)| (code.to_string(), *n))
                .collect(),
            by_manager: counts
                .by_manager
                .iter()
                .map(|(m, rules)| {
                    let rules = rules.iter().map(|(c, n)| (c.to_string(), *n)).collect();
                    (m.clone(), rules)
                })
                .collect(),
            keys: None,
        }
    }

    /// The findings of `manager` in this snapshot (0 when absent).
    pub fn manager_total(&self, manager: &str) -> usize {
        self.by_manager
            .get(manager)
            .map_or(0, |rules| rules.values().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::audit::{statuses, summary};
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, dataset, rule_set};

    #[test]
    fn weeks_parse_print_and_order() {
        let w = Week::of(as_of());
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!(Week::parse("2026-W48"), Some(w));
        // 1 January 2027 is a Friday: ISO week 53 of 2026.
        let new_year = crate::commands::parse_as_of("2027-01-01").unwrap();
        assert_eq!(Week::of(new_year).to_string(), "2026-W53");
        assert!(Week::parse("2026-W09") < Week::parse("2026-W10"));
        assert!(Week::parse("2025-W52") < Week::parse("2026-W01"));
        for bad in [
            "2026-W54", "2026-W00", "2026-W4", "26-W47", "2026W47", "2026-w47", "",
        ] {
            assert_eq!(Week::parse(bad), None, "{bad}");
        }
    }

    const CONTACTS: &str = "ID;Полное имя контакта;ФИО;Ответственный;Мобильный телефон;Личный email;День рождения;Теги\n\
        101;Иванов Иван;Иванов Иван Петрович;Петрова Анна;8 921 123-45-67;ivanov@mail.ru;15.03.1985;\n\
        102;Смирнова Ольга;Смирнова Ольга;Сидоров Пётр;нет;;12.07.1979;\n\
        103;Купчинская 4-3-22;;Сидоров Пётр;+7 911 555-44-33;;;\n\
        104;Прораб Кузьмич;Кузьмин Олег;Петрова Анна;+7 921 777-88-99;kuzmin@mail.ru;01.01.1970;прораб\n";

    const DEALS: &str = "ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Основной контакт,ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта\n\
        501,Окна Купчино,45000,Петрова Анна,01.10.2026 10:00,Переговоры,Иванов Иван,101,Окна ПВХ,Окно трёхстворчатое,\"Клиент выбрал профиль Rehau, ждёт расчёт монтажа к пятнице\",20.11.2026 15:00\n\
        502,Ремонт,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Ремонт окон,,перезвонить,01.07.2026 10:00\n\
        503,Заявка с сайта,,,23.11.2026 11:00,Неразобранное,,,,,,\n\
        504,Старая заявка,,,21.11.2026 11:00,Неразобранное,,,,,,\n\
        505,Балкон,90000,Петрова Анна,01.03.2026 10:00,Успешно реализовано,Иванов Иван,101,Балконы,,\"Остекление смонтировано, акт подписан клиентом\",01.04.2026 10:00\n\
        506,Дубль,,Петрова Анна,01.03.2026 10:00,Корзина,,,,,,\n";

    #[test]
    fn totals_count_records_not_findings() {
        let ds = dataset(&[("contacts.csv", CONTACTS), ("deals.csv", DEALS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let all: Vec<&Rule> = rules::RULES.iter().collect();
        let findings = rules::run(&ctx, &all);
        let rows = statuses::deal_rows(&ds, &findings);
        let deals = deal_counts(&ds, &findings);
        assert_eq!(deals, DealCounts::of(&ds, &rows), "the same as audit's");
        let t = Totals::new(&ds, &findings, &all, &deals);
        assert_eq!((t.contacts, t.partner_cards), (4, 1));
        assert_eq!((t.deals, t.deals_proper, t.unsorted_deals), (6, 3, 2));
        assert_eq!(t.findings, findings.len());
        // 501 correct; 502 incorrect and inactive; 505 (won, no product) incorrect but active.
        assert_eq!(t.deals_correct, Some(1));
        assert_eq!(t.deals_correct_pct, Some(33.33));
        assert_eq!(t.deals_active, Some(2));
        assert_eq!(t.deals_active_pct, Some(66.67));
        assert_eq!(t.correct_rate(), Some(1.0 / 3.0));
        // 102: no mobile, no e-mail; 103: no ФИО, no birthday, no e-mail; 104: placeholder
        // birthday (CON001) — each contact once, however many rule-4 findings it has.
        assert_eq!(t.contacts_rule4, Some(3));
        assert_eq!(t.deals_over_response_time, Some(2));
        assert_eq!(t.duplicate_contacts, Some(0));
        let rule4_findings = findings.iter().filter(|f| RULE4.contains(&f.rule)).count();
        assert!(rule4_findings > 3, "{rule4_findings}");
    }

    #[test]
    fn metrics_of_rules_not_run_are_unknown() {
        let ds = dataset(&[("deals.csv", DEALS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let only: Vec<&Rule> = rules::selection(&["DEAL007".into()], &[]).unwrap();
        let findings = rules::run(&ctx, &only);
        let t = Totals::new(&ds, &findings, &only, &deal_counts(&ds, &findings));
        assert_eq!(t.deals_over_response_time, Some(2));
        assert_eq!(t.deals_correct, None);
        assert_eq!(t.deals_correct_pct, None);
        assert_eq!(t.contacts_rule4, None);
        assert_eq!(t.correct_rate(), None);
        let counts = summary::counts(&findings, &only);
        let snap = Snapshot::new(as_of(), t, &counts);
        assert_eq!(snap.week, "2026-W48");
        assert_eq!(snap.as_of, "2026-11-23T12:00:00");
        assert_eq!(snap.by_rule, BTreeMap::from([("DEAL007".to_string(), 2)]));
        assert_eq!(snap.manager_total(summary::NO_MANAGER), 2);
        assert_eq!(snap.manager_total("Петрова Анна"), 0);
    }
}
