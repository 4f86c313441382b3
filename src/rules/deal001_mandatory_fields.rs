//! DEAL001: a correct deal has product group, stage, contact, comment, product and amount (rule 2).
//!
//! What it checks
//!   Every deal proper (past «Неразобранное» and not in «Корзина», won and lost deals included)
//!   has all the mandatory fields filled: «Группа продуктов», «Этап сделки», a contact
//!   («Основной контакт» / «Полное имя контакта» or «ID контакта»), the latest comment
//!   («Примечание 1» / «Примечание»), «Товар» and «Бюджет» greater than zero. Placeholders such
//!   as «-», «нет», «н/д» count as empty. One finding per deal lists everything missing; a budget
//!   of zero or less is named as such («Бюджет −500 ≤ 0»), an empty or non-numeric one as not
//!   filled. The list is `deal.mandatory` in rules/default.toml; a column the export does not
//!   have is skipped with a warning.
//!
//! Key
//!   `DEAL001/deal/ID/FIELD`, FIELD the first missing entry of `deal.mandatory` in
//!   rules/default.toml (`product_group`, `stage`, `contact`, `comment`, `product`, `budget`):
//!   `DEAL001/deal/31502211/comment`.
//!
//! Why
//!   Rule 2 of the CRM training slides (crm-rules-training-slides.txt): «Корректная сделка — это
//!   сделка без ошибок в заполнении обязательных полей: группа продуктов, актуальная стадия,
//!   контакт, развёрнутый комментарий, товар и сумма». An incorrect deal cannot be counted in
//!   the sales reports, and a closed deal with empty fields is still incorrect.
//!
//! Example
//!   Deal 48213 «Остекление балкона, пр. Славы 30» is at «Успешно реализовано» with «Бюджет ₽»
//!   = 0 and «Товар» empty: the sale is won but nobody can tell what was sold and for how much.
//!
//! How to fix
//!   Open the deal and fill the listed fields: choose «Группа продуктов» and «Товар», enter the
//!   amount from the contract in «Бюджет», link the client's contact and write what was agreed
//!   in a note.

use std::collections::BTreeSet;

use super::{Context, Finding, Rule};
use crate::model::{At, Deal};
use crate::normalize::text::is_blank;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let mut absent = Absent::default();
    for deal in ctx
        .ds
        .deals
        .iter()
        .filter(|d| d.stage_class.is_deal_proper())
    {
        let missing: Vec<Missing> = ctx
            .params
            .deal
            .mandatory
            .iter()
            .filter_map(|field| lacking(ctx, rule, &mut absent, deal, field))
            .collect();
        if !missing.is_empty() {
            out.push(finding(ctx, rule, deal, &missing));
        }
    }
}

/// A mandatory field a deal lacks: its source header and the raw value found there.
struct Missing {
    /// The entry of `deal.mandatory` (the key item).
    part: String,
    label: String,
    raw: String,
    /// The amount when the field is a budget that is filled but ≤ 0 (`None`: not filled).
    not_positive: Option<f64>,
}

/// The canonical columns a mandatory entry is read from (pseudo-fields map to several).
fn columns<'a>(field: &'a &'a str) -> &'a [&'a str] {
    match *field {
        "contact" => &["contact_name", "contact_id"],
        "comment" => &["note_1"],
        _ => std::slice::from_ref(field),
    }
}

/// `Some` when the deal lacks `field`; `None` when it is filled or its column is absent.
fn lacking(
    ctx: &Context,
    rule: &Rule,
    absent: &mut Absent,
    deal: &Deal,
    field: &str,
) -> Option<Missing> {
    let ds = ctx.ds;
    let cols = columns(&field);
    let Some(col) = cols.iter().find(|c| ds.has(deal.at, c)) else {
        absent.require(ctx, rule, deal.at, cols[0]);
        return None;
    };
    // (the cell itself is read only where it decides, or for the finding)
    let filled = match field {
        "contact" => {
            !is_blank(deal.contact_name(ds)) || deal.contact_ids(ds).any(|id| !is_blank(id))
        }
        "comment" => !is_blank(ds.latest_note(deal)),
        "budget" => deal.budget.is_some_and(|b| b > 0.0),
        _ => !is_blank(ds.text(deal.at, col)),
    };
    let not_positive = match field {
        "budget" => deal.budget.filter(|b| *b <= 0.0),
        _ => None,
    };
    (!filled).then(|| Missing {
        part: field.to_string(),
        label: ds.label(deal.at, col),
        raw: ds.text(deal.at, col).to_string(),
        not_positive,
    })
}

fn finding(ctx: &Context, rule: &Rule, deal: &Deal, missing: &[Missing]) -> Finding {
    let quoted = |not_positive: bool| -> Vec<String> {
        missing
            .iter()
            .filter(|m| m.not_positive.is_some() == not_positive)
            .map(|m| format!("«{}»", m.label))
            .collect()
    };
    let (empty, low) = (quoted(false), quoted(true));
    let mut problems = Vec::new();
    if !empty.is_empty() {
        problems.push(format!(
            "не заполнены обязательные поля {}",
            empty.join(", ")
        ));
    }
    problems.extend(missing.iter().filter_map(|m| {
        let amount = m.not_positive?;
        Some(format!("«{}» {} ≤ 0", m.label, amount_ru(amount)))
    }));
    let fix = match (empty.is_empty(), low.is_empty()) {
        (false, true) => format!(
            "Заполните {} в карточке сделки: сумма — больше нуля, комментарий — о чём \
             договорились с клиентом",
            join_ru(&empty)
        ),
        (true, _) => format!(
            "Укажите в {} сумму из договора: она должна быть больше нуля",
            join_ru(&low)
        ),
        (false, false) => format!(
            "Заполните {} и укажите в {} сумму из договора, больше нуля; комментарий — о чём \
             договорились с клиентом",
            join_ru(&empty),
            join_ru(&low)
        ),
    };
    let values: Vec<&str> = missing
        .iter()
        .map(|m| m.raw.as_str())
        .filter(|r| !r.is_empty())
        .collect();
    Finding {
        field: missing
            .iter()
            .map(|m| m.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
            .into(),
        value: values.join("; "),
        message: format!(
            "Сделка некорректна: {} (этап «{}»)",
            problems.join("; "),
            deal.stage
        )
        .into(),
        fix: fix.into(),
        ..ctx.finding(rule, deal.at, &deal.id, &deal.responsible)
    }
    .with_item(missing.first().map_or("", |m| m.part.as_str()))
}

/// Columns already found absent, per source: [`Context::require`] (which warns and looks for the
/// closest header) runs once per file and field instead of once per deal.
#[derive(Default)]
pub(super) struct Absent(BTreeSet<(u32, String)>);

impl Absent {
    /// Whether the file of `at` has a column for `field` (warning once when it has not).
    pub(super) fn require(&mut self, ctx: &Context, rule: &Rule, at: At, field: &str) -> bool {
        if ctx.ds.has(at, field) {
            return true;
        }
        if self.0.insert((at.source, field.to_string())) {
            ctx.require(rule, at, field);
        }
        false
    }
}

/// An amount as a Russian reader writes it: `−500`, `0`, `−1200,5`.
fn amount_ru(amount: f64) -> String {
    if amount == 0.0 {
        return "0".to_string();
    }
    amount.to_string().replace('-', "−").replace('.', ",")
}

/// `«А»`, `«А» и «Б»`, `«А», «Б» и «В»`.
pub(super) fn join_ru(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} и {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{classic, deal, deals};
    use super::*;
    use crate::testutil::{flagged, run_rule};

    #[test]
    fn a_complete_deal_passes_in_both_layouts() {
        assert!(flagged("DEAL001", &deals(&[deal("501")])).is_empty());
        assert!(flagged("DEAL001", &classic(&[deal("501")])).is_empty());
    }

    #[test]
    fn a_won_deal_without_product_and_amount_is_incorrect() {
        let ds = deals(&[deal("48213")
            .stage("Успешно реализовано")
            .set("Товар", "")
            .set("Бюджет ₽", "0")]);
        let f = run_rule("DEAL001", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "48213");
        assert_eq!(f[0].field, "Товар, Бюджет ₽");
        assert_eq!(f[0].value, "0");
        assert_eq!(f[0].manager, "Петрова Анна");
        assert_eq!(f[0].row, 1);
        assert_eq!(
            f[0].message,
            "Сделка некорректна: не заполнены обязательные поля «Товар»; «Бюджет ₽» 0 ≤ 0 \
             (этап «Успешно реализовано»)"
        );
        assert!(
            f[0].fix
                .starts_with("Заполните «Товар» и укажите в «Бюджет ₽» сумму из договора"),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn a_budget_of_zero_or_less_is_not_called_empty() {
        let ds = deals(&[
            deal("520").set("Бюджет ₽", "-500"),
            deal("521").set("Бюджет ₽", "0"),
            deal("522").set("Бюджет ₽", "−1 200,50 ₽"),
            deal("523").set("Бюджет ₽", ""),
            deal("524").set("Бюджет ₽", "-500").set("Товар", ""),
        ]);
        let f = run_rule("DEAL001", &ds);
        let got: Vec<(&str, &str, &str)> = f
            .iter()
            .map(|f| (f.id.as_str(), f.field.as_str(), f.message.as_str()))
            .collect();
        let stage = "(этап «Замер»)";
        assert_eq!(
            got,
            [
                (
                    "520",
                    "Бюджет ₽",
                    format!("Сделка некорректна: «Бюджет ₽» −500 ≤ 0 {stage}").as_str()
                ),
                (
                    "521",
                    "Бюджет ₽",
                    format!("Сделка некорректна: «Бюджет ₽» 0 ≤ 0 {stage}").as_str()
                ),
                (
                    "522",
                    "Бюджет ₽",
                    format!("Сделка некорректна: «Бюджет ₽» −1200,5 ≤ 0 {stage}").as_str()
                ),
                (
                    "523",
                    "Бюджет ₽",
                    format!(
                        "Сделка некорректна: не заполнены обязательные поля «Бюджет ₽» {stage}"
                    )
                    .as_str()
                ),
                (
                    "524",
                    "Товар, Бюджет ₽",
                    format!(
                        "Сделка некорректна: не заполнены обязательные поля «Товар»; \
                         «Бюджет ₽» −500 ≤ 0 {stage}"
                    )
                    .as_str()
                ),
            ]
        );
        for f in &f[..3] {
            assert!(!f.message.contains("не заполнены"), "{}", f.message);
            assert_eq!(
                f.fix,
                "Укажите в «Бюджет ₽» сумму из договора: она должна быть больше нуля"
            );
        }
        assert_eq!(f[0].value, "-500");
        assert!(f[3]
            .fix
            .starts_with("Заполните «Бюджет ₽» в карточке сделки"));
    }

    #[test]
    fn placeholders_and_junk_count_as_missing() {
        let ds = deals(&[
            deal("502")
                .set("Группа продуктов", "-")
                .set("Бюджет ₽", "договорная"),
            deal("503").set("Примечание 1", "н/д"),
            deal("504").set("Бюджет ₽", "-1 200"),
        ]);
        let f = run_rule("DEAL001", &ds);
        let fields: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.id.as_str(), f.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("502", "Группа продуктов, Бюджет ₽"),
                ("503", "Примечание 1"),
                ("504", "Бюджет ₽")
            ]
        );
        assert_eq!(f[0].value, "-; договорная");
    }

    #[test]
    fn contact_is_a_name_or_an_id() {
        let ds = deals(&[
            deal("505").set("ID контакта", ""),
            deal("506").set("Основной контакт", ""),
            deal("507").clear(&["ID контакта", "Основной контакт"]),
        ]);
        let f = run_rule("DEAL001", &ds);
        assert_eq!(flagged("DEAL001", &ds), ["507"]);
        assert_eq!(f[0].field, "Основной контакт");
    }

    #[test]
    fn trash_and_unsorted_are_not_deals_proper() {
        let empty = [
            "Бюджет ₽",
            "Группа продуктов",
            "Товар",
            "Основной контакт",
            "ID контакта",
        ];
        let ds = deals(&[
            deal("508")
                .stage("Корзина")
                .clear(&empty)
                .set("Примечание 1", ""),
            deal("509").stage("Неразобранное").clear(&empty),
            deal("510").stage("Закрыто и не реализовано").clear(&empty),
        ]);
        assert_eq!(flagged("DEAL001", &ds), ["510"]);
    }

    #[test]
    fn classic_layout_labels_use_its_headers() {
        let ds = classic(&[deal("511").clear(&["Основной контакт", "Примечание 1", "Бюджет ₽"])]);
        let f = run_rule("DEAL001", &ds);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "Полное имя контакта, Примечание, Бюджет");
    }

    #[test]
    fn joins_in_russian() {
        let s = |v: &[&str]| join_ru(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["«А»"]), "«А»");
        assert_eq!(s(&["«А»", "«Б»", "«В»"]), "«А», «Б» и «В»");
    }
}
