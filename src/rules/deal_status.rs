//! The status pair of every deal proper (rule 2): correct/incorrect and active/inactive.
//! Incorrect when DEAL001, DEAL002, DEAL003 or DEAL005 flags the deal; inactive when DEAL003
//! does (inactive counts as incorrect).

use foldhash::HashMap;

use super::Finding;
use crate::model::{Dataset, Deal};

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

/// The deal rows some finding makes incorrect, by file and row, with the codes of those
/// findings' rules (sorted, once each): a few hundred thousand rows on a big export, where an
/// index of every deal would be millions.
pub struct Flagged<'f>(HashMap<(&'f str, usize), Vec<&'static str>>);

impl<'f> Flagged<'f> {
    pub fn new(findings: &'f [Finding]) -> Self {
        let mut rows: HashMap<(&str, usize), Vec<&'static str>> = HashMap::default();
        for f in findings.iter().filter(|f| INCORRECT_BY.contains(&f.rule)) {
            rows.entry((f.file.as_str(), f.row))
                .or_default()
                .push(f.rule);
        }
        for codes in rows.values_mut() {
            codes.sort_unstable();
            codes.dedup();
        }
        Flagged(rows)
    }

    /// The codes of the rules that make `deal` incorrect (none for a correct one).
    pub fn rules<'s>(&'s self, ds: &'s Dataset, deal: &Deal) -> &'s [&'static str] {
        self.0
            .get(&(ds.file(deal.at), deal.at.row_number()))
            .map_or(&[], Vec::as_slice)
    }

    /// A deal's status: `None` for a record that is not a deal proper (an unsorted request,
    /// trash).
    pub fn status(&self, ds: &Dataset, deal: &Deal) -> Option<DealStatus> {
        deal.stage_class.is_deal_proper().then(|| {
            let rules = self.rules(ds, deal);
            DealStatus {
                correct: rules.is_empty(),
                active: !rules.contains(&INACTIVE_BY),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{deal, deals};
    use super::*;
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, rule_set};

    /// The status of each deal of `ds.deals` (same index).
    fn statuses(findings: &[Finding], ds: &Dataset) -> Vec<Option<DealStatus>> {
        let flagged = Flagged::new(findings);
        ds.deals.iter().map(|d| flagged.status(ds, d)).collect()
    }

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
