//! The status pair of every deal proper (rule 2): correct/incorrect and active/inactive.
//! Incorrect when DEAL001, DEAL002, DEAL003 or DEAL005 flags the deal; inactive when DEAL003
//! does (inactive counts as incorrect).

use foldhash::HashMap;

use super::Finding;
use crate::model::Dataset;

/// Rules whose findings make a deal incorrect.
const INCORRECT_BY: [&str; 4] = ["DEAL001", "DEAL002", "DEAL003", "DEAL005"];
/// The rule whose finding makes a deal inactive.
const INACTIVE_BY: &str = "DEAL003";

/// A deal's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DealStatus {
    pub correct: bool,
    pub active: bool,
}

/// The status of each deal of `ds.deals` (same index): `None` for records that are not deals
/// proper (unsorted requests and trash). Findings are matched to deals by file and row.
pub fn statuses(findings: &[Finding], ds: &Dataset) -> Vec<Option<DealStatus>> {
    // The rows some finding makes incorrect (and whether one of them is DEAL003's): a few
    // hundred thousand on a big export, where an index of every deal would be millions.
    let mut flagged: HashMap<(&str, usize), bool> = HashMap::default();
    for f in findings.iter().filter(|f| INCORRECT_BY.contains(&f.rule)) {
        *flagged.entry((f.file.as_str(), f.row)).or_default() |= f.rule == INACTIVE_BY;
    }
    ds.deals
        .iter()
        .map(|d| {
            d.stage_class.is_deal_proper().then(|| {
                match flagged.get(&(ds.file(d.at), d.at.row_number())) {
                    Some(&inactive) => DealStatus {
                        correct: false,
                        active: !inactive,
                    },
                    None => DealStatus {
                        correct: true,
                        active: true,
                    },
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{deal, deals};
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, rule_set};

    #[test]
    fn statuses_follow_the_deal_rules() {
        let ds = deals(&[
            deal("600"),
            deal("601").set("Товар", ""),
            deal("602").set("Примечание 1", "Перезвонить"),
            deal("603").set("Дата последнего контакта", "01.07.2026"),
            deal("604").set("ID контакта", "101, 102"),
            deal("605")
                .stage("Неразобранное")
                .set("Дата создания", "01.11.2026 10:00"),
            deal("606").stage("Корзина").set("Товар", ""),
            // DEAL006/DEAL007 findings do not change the status
            deal("607").set("Адрес объекта", ""),
        ]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let findings = rules::run(
            &ctx,
            &rules::RULES
                .iter()
                .filter(|r| r.code.starts_with("DEAL"))
                .collect::<Vec<_>>(),
        );
        let ok = |correct, active| Some(DealStatus { correct, active });
        assert_eq!(
            statuses(&findings, &ds),
            [
                ok(true, true),
                ok(false, true),
                ok(false, true),
                ok(false, false),
                ok(false, true),
                None,
                None,
                ok(true, true),
            ]
        );
    }

    #[test]
    fn findings_of_another_file_do_not_leak() {
        let ds = deals(&[deal("610")]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        let stray = Finding {
            file: "other.csv".into(),
            ..ctx.finding(
                rules::find("DEAL003").expect("rule"),
                ds.deals[0].at,
                "610",
                "",
            )
        };
        assert_eq!(
            statuses(&[stray], &ds),
            [Some(DealStatus {
                correct: true,
                active: true
            })]
        );
    }
}
