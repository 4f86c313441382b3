//! `deal_status.csv`: the correct/active status of every deal proper, with the rules that made
//! it incorrect.

use std::borrow::Cow;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::model::{Dataset, Deal};
use crate::output::atomic::OutputPolicy;
use crate::output::csvout::{CsvEncoding, CsvOut};
use crate::rules::deal_status::{DealStatus, Flagged};
use crate::rules::Finding;

/// Header of `deal_status.csv`.
pub const HEADER: [&str; 8] = [
    "id", "file", "row", "stage", "manager", "correct", "active", "rules",
];

/// One deal proper and its status.
#[derive(Debug, Clone)]
pub struct DealRow<'a> {
    pub deal: &'a Deal,
    pub status: DealStatus,
    /// Codes of the rules that made it incorrect, in code order.
    pub rules: Vec<&'static str>,
}

impl DealRow<'_> {
    /// The row as `deal_status.csv` writes it (borrowed where it can: a big export has
    /// millions of deals).
    pub fn cells<'s>(&'s self, ds: &'s Dataset) -> [Cow<'s, str>; 8] {
        let rules = match self.rules.as_slice() {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(*one),
            more => Cow::Owned(more.join(";")),
        };
        [
            Cow::Borrowed(self.deal.id.as_str()),
            Cow::Borrowed(ds.file(self.deal.at)),
            Cow::Owned(self.deal.at.row_number().to_string()),
            Cow::Borrowed(&*self.deal.stage),
            Cow::Borrowed(&*self.deal.responsible),
            Cow::Borrowed(yes_no(self.status.correct)),
            Cow::Borrowed(yes_no(self.status.active)),
            rules,
        ]
    }
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "да"
    } else {
        "нет"
    }
}

/// Every deal proper of `ds`, in input order, with its status.
pub fn deal_rows<'a>(ds: &'a Dataset, findings: &[Finding]) -> Vec<DealRow<'a>> {
    let flagged = Flagged::new(findings);
    ds.deals
        .iter()
        .filter_map(|deal| {
            Some(DealRow {
                deal,
                status: flagged.status(ds, deal)?,
                rules: flagged.rules(ds, deal).to_vec(),
            })
        })
        .collect()
}

/// The `deals` block of `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DealCounts {
    /// Every record of the deals exports (unsorted requests and trash included).
    pub total: usize,
    /// Deals proper: past «Неразобранное», not in «Корзина».
    pub proper: usize,
    pub correct: usize,
    pub incorrect: usize,
    pub active: usize,
    pub inactive: usize,
}

impl DealCounts {
    pub fn of(ds: &Dataset, rows: &[DealRow]) -> Self {
        let correct = rows.iter().filter(|r| r.status.correct).count();
        let active = rows.iter().filter(|r| r.status.active).count();
        DealCounts {
            total: ds.deals.len(),
            proper: rows.len(),
            correct,
            incorrect: rows.len() - correct,
            active,
            inactive: rows.len() - active,
        }
    }
}

/// Writes `deal_status.csv` (UTF-8 with BOM, `,`).
pub fn write_csv(path: &Path, policy: &OutputPolicy, ds: &Dataset, rows: &[DealRow]) -> Result<()> {
    CsvOut::new(b',', CsvEncoding::Utf8Bom).write(
        path,
        policy,
        &HEADER,
        rows.iter().map(|r| r.cells(ds)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, dataset, rule_set};

    const DEALS: &str = "ID,Название сделки,Бюджет,Ответственный,Дата создания,Этап сделки,Основной контакт,ID контакта,Группа продуктов,Товар,Примечание 1,Дата последнего контакта\n\
        501,Окна Купчино,45000,Петрова Анна,01.10.2026 10:00,Переговоры,Иванов Иван,101,Окна ПВХ,Окно трёхстворчатое,\"Клиент выбрал профиль Rehau, ждёт расчёт монтажа к пятнице\",20.11.2026 15:00\n\
        502,Ремонт,0,Сидоров Пётр,01.06.2026 10:00,Переговоры,Смирнова Ольга,102,Ремонт окон,,перезвонить,01.07.2026 10:00\n\
        503,Заявка с сайта,,,23.11.2026 11:00,Неразобранное,,,,,,\n";

    #[test]
    fn rows_of_deals_proper() {
        let ds = dataset(&[("deals.csv", DEALS)]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let deal_rules: Vec<_> = rules::RULES
            .iter()
            .filter(|r| r.code.starts_with("DEAL"))
            .collect();
        let findings = rules::run(&ctx, &deal_rules);
        let rows = deal_rows(&ds, &findings);
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.cells(&ds).iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            cells,
            [
                [
                    "501",
                    "deals.csv",
                    "1",
                    "Переговоры",
                    "Петрова Анна",
                    "да",
                    "да",
                    ""
                ],
                [
                    "502",
                    "deals.csv",
                    "2",
                    "Переговоры",
                    "Сидоров Пётр",
                    "нет",
                    "нет",
                    "DEAL001;DEAL002;DEAL003"
                ],
            ]
            .map(|r| r.map(String::from).to_vec())
        );
        assert_eq!(
            DealCounts::of(&ds, &rows),
            DealCounts {
                total: 3,
                proper: 2,
                correct: 1,
                incorrect: 1,
                active: 1,
                inactive: 1,
            }
        );
    }
}
