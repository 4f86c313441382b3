//! DEAL006: «Замер» and «Думает» have the fields their stage requires (incoming-messages seed).
//!
//! What it checks
//!   A deal at a stage listed in `[[stage_requirements]]` of rules/default.toml has every field
//!   that stage requires filled; placeholders such as «-» or «нет» count as empty. Stage names
//!   are compared case- and punctuation-insensitively. A required column the export does not
//!   have is skipped with a warning. One finding per deal lists everything missing. The stages:
//!   - «Замер»: «Дата и время замера», «Адрес объекта», «Контактное лицо», «Объём работ»,
//!     «Источник сделки»;
//!   - «Думает»: the client's name («Имя клиента», else the deal's contact name), «Товар»,
//!     «Источник сделки», «Дата следующего контакта», «Причина отказа от замера» and a note
//!     («Примечание 1», the latest).
//!
//! Key
//!   `DEAL006/deal/ID/STAGE`, STAGE the deal's stage, lowercase (`DEAL006/deal/31502211/замер`):
//!   the same deal moved to another stage with missing fields is another problem.
//!
//! Why
//!   The regulation on incoming messages (amocrm-incoming-messages.md, 3.2 and 3.3): before a
//!   deal goes to «Замер» the manager clarifies the date and time of the measurement, the
//!   address, the contact person, the scope of work and where the client heard of the company;
//!   a client not ready for a measurement goes to «Думает» with their name, the product, the
//!   source, the next-contact date, the reason for refusing the measurement and a note that is
//!   «понятно без прослушивания».
//!
//! Example
//!   Deal 50211 «Окна в частный дом, Всеволожск» is at «Замер» but «Дата и время замера» and
//!   «Адрес объекта» are empty: the measurer cannot be sent anywhere.
//!
//! How to fix
//!   Call the client back, clarify the missing data and fill the listed fields; if the client is
//!   not ready for a measurement after all, move the deal to «Думает» and fill that stage's
//!   fields.

use super::deal001_mandatory_fields::{join_ru, Absent};
use super::key::text_item;
use super::{Context, Finding, Rule};
use crate::model::Deal;
use crate::normalize::text::{fold_phrase, is_blank};

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let mut absent = Absent::default();
    for deal in &ctx.ds.deals {
        let stage = fold_phrase(&deal.stage);
        let mut missing: Vec<String> = Vec::new();
        for req in ctx
            .params
            .stage_requirements
            .iter()
            .filter(|r| r.stage.contains(&stage))
        {
            for field in &req.fields {
                if let Some(label) = missing_label(ctx, rule, &mut absent, deal, field) {
                    if !missing.contains(&label) {
                        missing.push(label);
                    }
                }
            }
        }
        if !missing.is_empty() {
            out.push(finding(ctx, rule, deal, &missing));
        }
    }
}

/// The source header of `field` when the deal lacks it; `None` when it is filled or its column is
/// absent (warned once).
fn missing_label(
    ctx: &Context,
    rule: &Rule,
    absent: &mut Absent,
    deal: &Deal,
    field: &str,
) -> Option<String> {
    let ds = ctx.ds;
    let (column, value) = match field {
        "client_name" if !ds.has(deal.at, "client_name") => ("contact_name", deal.contact_name(ds)),
        "client_name" if is_blank(ds.text(deal.at, "client_name")) => {
            ("client_name", deal.contact_name(ds))
        }
        "note_1" => ("note_1", ds.latest_note(deal)),
        other => (other, ds.text(deal.at, other)),
    };
    if !absent.require(ctx, rule, deal.at, column) {
        return None;
    }
    is_blank(value).then(|| ds.label(deal.at, column))
}

fn finding(ctx: &Context, rule: &Rule, deal: &Deal, missing: &[String]) -> Finding {
    let quoted: Vec<String> = missing.iter().map(|l| format!("«{l}»")).collect();
    Finding {
        field: missing.join(", ").into(),
        value: deal.stage.to_string(),
        message: format!(
            "На этапе «{}» не заполнены {}",
            deal.stage,
            quoted.join(", ")
        ).into(),
        fix: format!(
            "Уточните у клиента и заполните {}; если клиент не готов к этому этапу — переведите сделку на подходящий",
            join_ru(&quoted)
        ).into(),
        ..ctx.finding(rule, deal.at, &deal.id, &deal.responsible)
    }
    .with_item(&text_item(&deal.stage))
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{classic, deal, deals, new_layout};
    use crate::rules::{self, Context};
    use crate::testutil::{as_of, dataset, flagged, rule_set, run_rule};

    #[test]
    fn measurement_without_date_and_address() {
        let ds = deals(&[
            deal("50211").clear(&["Дата и время замера", "Адрес объекта"]),
            deal("50212"),
        ]);
        let f = run_rule("DEAL006", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "50211");
        assert_eq!(f[0].field, "Дата и время замера, Адрес объекта");
        assert_eq!(f[0].value, "Замер");
        assert!(
            f[0].fix.starts_with(
                "Уточните у клиента и заполните «Дата и время замера» и «Адрес объекта»"
            ),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn thinking_without_refusal_reason() {
        let thinking = deal("50213")
            .stage("Думает")
            .set("Примечание 1", "Думает над ценой, сравнивает с Окна Роста");
        let ds = deals(&[
            thinking.clone(),
            thinking
                .set("ID", "50214")
                .set("Причина отказа от замера", "Дорого, сравнивает цены"),
        ]);
        let f = run_rule("DEAL006", &ds);
        assert_eq!(flagged("DEAL006", &ds), ["50213"]);
        assert_eq!(f[0].field, "Причина отказа от замера");
        assert!(f[0].message.contains("«Думает»"), "{}", f[0].message);
    }

    #[test]
    fn thinking_without_a_note_or_a_name() {
        let ds = deals(&[deal("50215")
            .stage("ДУМАЕТ")
            .set("Причина отказа от замера", "Дорого")
            .clear(&[
                "Основной контакт",
                "Примечание 1",
                "Дата следующего контакта",
            ])]);
        let f = run_rule("DEAL006", &ds);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].field,
            "Основной контакт, Дата следующего контакта, Примечание 1"
        );
    }

    #[test]
    fn a_blank_client_name_falls_back_to_the_contact_name() {
        let thinking = deal("50216")
            .stage("Думает")
            .set("Причина отказа от замера", "Дорого");
        let rows = [
            thinking.clone(),
            thinking.set("ID", "50219").set("Основной контакт", ""),
        ];
        // an account whose deals carry «Имя клиента» (in place of «Примечание 2» here)
        let text = new_layout(&rows).replacen("Примечание 2", "Имя клиента", 1);
        let ds = dataset(&[("deals.csv", &text)]);
        let f = run_rule("DEAL006", &ds);
        assert_eq!(flagged("DEAL006", &ds), ["50219"]);
        assert_eq!(f[0].field, "Имя клиента");
        let with_name = new_layout(&[deal("50220")
            .stage("Думает")
            .set("Причина отказа от замера", "Дорого")
            .set("Основной контакт", "")
            .set("Примечание 2", "Ольга")])
        .replacen("Примечание 2", "Имя клиента", 1);
        assert!(flagged("DEAL006", &dataset(&[("deals.csv", &with_name)])).is_empty());
    }

    #[test]
    fn other_stages_and_absent_columns_are_skipped() {
        let ds = deals(&[deal("50217")
            .stage("Договор")
            .clear(&["Дата и время замера", "Адрес объекта"])]);
        assert!(flagged("DEAL006", &ds).is_empty());
        // the classic export has none of the measurement columns: nothing to judge
        let ds = classic(&[deal("50218")]);
        assert!(flagged("DEAL006", &ds).is_empty());
    }

    #[test]
    fn an_absent_column_is_warned_about_once_per_file() {
        let ds = classic(&[deal("50221"), deal("50222"), deal("50223")]);
        let set = rule_set();
        let ctx = Context::new(&ds, &set.params, as_of());
        assert!(rules::run(&ctx, &[rules::find("DEAL006").expect("rule")]).is_empty());
        let warnings = ctx.into_warnings();
        let measure: Vec<&String> = warnings
            .iter()
            .filter(|w| w.contains("DEAL006") && w.contains("«Дата и время замера»"))
            .collect();
        assert_eq!(measure.len(), 1, "{warnings:?}");
        assert_eq!(warnings.len(), 5, "{warnings:?}");
    }
}
