//! The Overview metrics: one line per supervised number, with its base and the change since the
//! previous week. Shared by the workbook, the Markdown and the terminal table.

use super::snapshot::{ratio, Totals};

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share, 0..=1; its change is in percentage points.
    Rate,
    /// A number of records or findings.
    Count,
}

/// One Overview line.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Stable key (the `totals` field it comes from).
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    /// `None` when the rules behind it were not run.
    pub value: Option<f64>,
    /// For a rate the records it is a share of, for a count the records it is counted among.
    pub base: Option<usize>,
    pub previous: Option<f64>,
    /// How it is counted.
    pub how: &'static str,
}

impl Metric {
    /// Change since the previous week (a rate's in shares: 0.05 = 5 percentage points).
    pub fn delta(&self) -> Option<f64> {
        Some(self.value? - self.previous?)
    }

    /// A count's share of its base.
    pub fn share(&self) -> Option<f64> {
        match self.unit {
            Unit::Rate => None,
            Unit::Count => ratio(self.value.map(|v| v as usize), self.base?),
        }
    }

    /// «75,4 % из 65», «14 из 48 (29,2 %)», «120»; «не проверялось» for an unknown value.
    pub fn value_text(&self) -> String {
        let Some(v) = self.value else {
            return "не проверялось".into();
        };
        match (self.unit, self.base, self.share()) {
            (Unit::Rate, Some(base), _) => format!("{} из {base}", percent_text(v)),
            (Unit::Rate, None, _) => percent_text(v),
            (Unit::Count, Some(base), Some(share)) => {
                format!("{} из {base} ({})", v as i64, percent_text(share))
            }
            (Unit::Count, _, _) => (v as i64).to_string(),
        }
    }

    /// Last week's value, «—» without one.
    pub fn previous_text(&self) -> String {
        match (self.previous, self.unit) {
            (None, _) => "—".into(),
            (Some(p), Unit::Rate) => percent_text(p),
            (Some(p), Unit::Count) => (p as i64).to_string(),
        }
    }

    /// «+5,4 п.п.», «-12», «0»; «—» without a previous week.
    pub fn delta_text(&self) -> String {
        match (self.delta(), self.unit) {
            (None, _) => "—".into(),
            (Some(d), Unit::Rate) if (d * 100.0).abs() < 0.05 => "0,0 п.п.".into(),
            (Some(d), Unit::Rate) => {
                format!("{} п.п.", format!("{:+.1}", d * 100.0).replace('.', ","))
            }
            (Some(d), Unit::Count) if d.round() == 0.0 => "0".into(),
            (Some(d), Unit::Count) => format!("{:+}", d.round() as i64),
        }
    }
}

/// A share as «29,2 %».
pub fn percent_text(share: f64) -> String {
    format!("{:.1} %", share * 100.0).replace('.', ",")
}

/// How one metric is read from the totals.
struct Def {
    key: &'static str,
    label: &'static str,
    unit: Unit,
    value: fn(&Totals) -> Option<f64>,
    base: fn(&Totals) -> Option<usize>,
    how: &'static str,
}

fn count(n: Option<usize>) -> Option<f64> {
    n.map(|n| n as f64)
}

/// The first `TRACKED` metrics are the supervised ones, followed week over week (Trend); the
/// rest give the size of the data.
pub const TRACKED: usize = 7;

/// Every metric, in display order.
const METRICS: [Def; 11] = [
    Def {
        key: "deals_correct",
        label: "Корректные сделки",
        unit: Unit::Rate,
        value: |t| t.correct_rate(),
        base: |t| Some(t.deals_proper),
        how: "доля сделок (без «Неразобранное» и «Корзина») без DEAL001, DEAL002, DEAL003, DEAL005",
    },
    Def {
        key: "deals_active",
        label: "Активные сделки",
        unit: Unit::Rate,
        value: |t| t.active_rate(),
        base: |t| Some(t.deals_proper),
        how: "доля сделок без DEAL003 (контакт с клиентом не реже раза в 2 месяца)",
    },
    Def {
        key: "contacts_rule4",
        label: "Контакты с нарушением правила 4 (CON001–CON003)",
        unit: Unit::Count,
        value: |t| count(t.contacts_rule4),
        base: |t| Some(t.contacts),
        how: "контакты без ФИО, телефона, даты рождения, мобильного или личного e-mail",
    },
    Def {
        key: "duplicate_contacts",
        label: "Дубли контактов (DUP001)",
        unit: Unit::Count,
        value: |t| count(t.duplicate_contacts),
        base: |t| Some(t.contacts),
        how: "контакты, у которых есть дубль (все карточки кластера)",
    },
    Def {
        key: "partner_cards_with_client_numbers",
        label: "Карточки партнёров с номерами клиентов (PRT001)",
        unit: Unit::Count,
        value: |t| count(t.partner_cards_with_client_numbers),
        base: |t| Some(t.partner_cards),
        how: "карточки прорабов/партнёров, на которых есть номер клиента",
    },
    Def {
        key: "deals_over_response_time",
        label: "Сделки сверх времени реакции (DEAL007)",
        unit: Unit::Count,
        value: |t| count(t.deals_over_response_time),
        base: |t| Some(t.unsorted_deals),
        how: "заявки, дольше допустимого (10 минут) лежащие в «Неразобранное»",
    },
    Def {
        key: "findings",
        label: "Всего нарушений",
        unit: Unit::Count,
        value: |t| Some(t.findings as f64),
        base: |_| None,
        how: "находки всех проверенных правил (как в findings.jsonl)",
    },
    Def {
        key: "accepted",
        label: "Принятые исключения",
        unit: Unit::Count,
        value: |t| Some(t.accepted as f64),
        base: |_| None,
        how: "нарушения, принятые решением accept (--decisions): не входят во «Всего нарушений»",
    },
    Def {
        key: "contacts",
        label: "Контактов",
        unit: Unit::Count,
        value: |t| Some(t.contacts as f64),
        base: |_| None,
        how: "строки выгрузок контактов, кроме компаний",
    },
    Def {
        key: "deals_proper",
        label: "Сделок",
        unit: Unit::Count,
        value: |t| Some(t.deals_proper as f64),
        base: |_| None,
        how: "сделки без «Неразобранное» и «Корзина»",
    },
    Def {
        key: "applications",
        label: "Заявок Flow CRM",
        unit: Unit::Count,
        value: |t| Some(t.applications as f64),
        base: |_| None,
        how: "строки выгрузок заявок Flow CRM",
    },
];

/// The Overview lines of `current`, compared with `previous`.
pub fn metrics(current: &Totals, previous: Option<&Totals>) -> Vec<Metric> {
    METRICS
        .iter()
        .map(|d| Metric {
            key: d.key,
            label: d.label,
            unit: d.unit,
            value: (d.value)(current),
            base: (d.base)(current),
            previous: previous.and_then(d.value),
            how: d.how,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_bases_and_changes() {
        let current = Totals {
            contacts: 200,
            deals_proper: 80,
            deals_correct: Some(60),
            deals_active: Some(72),
            contacts_rule4: Some(30),
            findings: 120,
            ..Totals::default()
        };
        let previous = Totals {
            deals_proper: 100,
            deals_correct: Some(70),
            contacts_rule4: Some(42),
            findings: 150,
            ..Totals::default()
        };
        let m = metrics(&current, Some(&previous));
        let get = |key| m.iter().find(|m| m.key == key).unwrap();
        let correct = get("deals_correct");
        assert_eq!(correct.value, Some(0.75));
        assert_eq!(correct.previous, Some(0.7));
        assert!((correct.delta().unwrap() - 0.05).abs() < 1e-9);
        assert_eq!(correct.base, Some(80));
        assert_eq!(correct.share(), None);
        let rule4 = get("contacts_rule4");
        assert_eq!(rule4.delta(), Some(-12.0));
        assert_eq!(rule4.share(), Some(0.15));
        // Not run last week: no change to show.
        assert_eq!(get("deals_active").delta(), None);
        assert_eq!(get("deals_active").value, Some(0.9));
        assert_eq!(get("findings").delta(), Some(-30.0));
        assert_eq!(get("duplicate_contacts").value, None);
        assert!(metrics(&current, None).iter().all(|m| m.delta().is_none()));
        assert_eq!(correct.value_text(), "75,0 % из 80");
        assert_eq!(correct.previous_text(), "70,0 %");
        assert_eq!(correct.delta_text(), "+5,0 п.п.");
        assert_eq!(rule4.value_text(), "30 из 200 (15,0 %)");
        assert_eq!(rule4.delta_text(), "-12");
        assert_eq!(get("findings").value_text(), "120");
        assert_eq!(get("duplicate_contacts").value_text(), "не проверялось");
        assert_eq!(get("deals_active").delta_text(), "—");
    }
}
