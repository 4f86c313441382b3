//! FLOW001: an application has ФИО, СНИЛС, e-mail and phone.
//!
//! What it checks
//!   Every Flow CRM application must have «ФИО», «СНИЛС», «Email» and «Телефон» filled (the
//!   list is `flow.mandatory` in rules/default.toml, canonical field names of
//!   rules/profiles/flow-applications.toml). Empty cells and placeholders («нет», «-», «н/д»)
//!   count as empty, and so does a phone field without a single valid number («0», a 7-digit
//!   local number without `--default-area`, twelve digits), as for contacts (CON001). One finding per application lists everything missing; its field is the
//!   first missing one. A field whose column the export lacks is skipped with a warning.
//!
//! Key
//!   `FLOW001/application/NUMBER/FIELD`, FIELD the first missing entry of `flow.mandatory` in
//!   rules/default.toml (`fio`, `snils`, `email`, `phone`): `FLOW001/application/48102/snils`.
//!
//! Why
//!   The applicant is identified by ФИО and СНИЛС; the e-mail and the phone are how the
//!   applicant gets the link to the personal account and is reached about documents
//!   («Интеграция с порталом Работа России»: «Пользователю создаётся личный кабинет во Flow и
//!   направляется ссылка на вход»).
//!
//! Example
//!   Application 48105, «Лебедева Ксения Павловна», «СНИЛС» empty, «Email» = «нет» →
//!   «Не заполнены обязательные поля заявки: СНИЛС, Email»; application 48109, «Телефон» =
//!   «44-12-08» → «Не заполнены обязательные поля заявки: Телефон (нет ни одного корректного
//!   номера: «44-12-08»)».
//!
//! How to fix
//!   Fill the listed fields from the applicant's documents or ask the applicant; for portal
//!   applications check the data that came from «Работа в России».

use super::{Context, Finding, Rule};
use crate::model::Application;
use crate::normalize::text::is_blank;
use crate::profile::{FieldType, Kind};

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let fields = &ctx.params.flow.mandatory;
    let present: Vec<Vec<bool>> = fields
        .iter()
        .map(|f| ctx.sources_with(rule, Kind::FlowApplications, &[f.as_str()]))
        .collect();
    // Per field, per source: whether the field is a phone (it then wants a valid number).
    let phone: Vec<Vec<bool>> = fields
        .iter()
        .map(|f| {
            let sources = ctx.ds.sources.iter();
            sources
                .map(|s| s.mapping.fields_of(FieldType::Phone).any(|p| p == f))
                .collect()
        })
        .collect();
    for app in &ctx.ds.applications {
        let source = app.at.source as usize;
        let missing: Vec<Missing> = fields
            .iter()
            .zip(present.iter().zip(&phone))
            .filter(|(_, (present, _))| present[source])
            .filter_map(|(f, (_, phone))| missing(ctx, app, f, phone[source]))
            .collect();
        let Some(first) = missing.first() else {
            continue;
        };
        let texts: Vec<&str> = missing.iter().map(|m| m.text.as_str()).collect();
        let quoted: Vec<String> = missing.iter().map(|m| format!("«{}»", m.label)).collect();
        out.push(
            Finding {
                field: first.label.as_str().into(),
                value: ctx.ds.text(app.at, first.field).to_string(),
                message: format!(
                    "Не заполнены обязательные поля заявки: {}",
                    texts.join(", ")
                )
                .into(),
                fix: format!(
                    "Заполните в заявке {} по документам заявителя или уточните у него",
                    quoted.join(", ")
                )
                .into(),
                ..ctx.finding(rule, app.at, &app.app_no, &app.responsible)
            }
            .with_item(first.field),
        );
    }
}

/// A mandatory field an application lacks: its header and how the message names it.
struct Missing<'f> {
    field: &'f str,
    label: String,
    text: String,
}

/// `field` when the application lacks it: blank, or a phone field without a single valid
/// number.
fn missing<'f>(
    ctx: &Context,
    app: &Application,
    field: &'f str,
    phone: bool,
) -> Option<Missing<'f>> {
    if blank(ctx, app, field) {
        let label = ctx.ds.label(app.at, field);
        return Some(Missing {
            field,
            text: label.clone(),
            label,
        });
    }
    if !phone || app.phones.iter().any(|p| p.e164().is_some()) {
        return None;
    }
    let raws: Vec<String> = app
        .phones
        .iter()
        .map(|p| format!("«{}»", p.norm.raw))
        .collect();
    let label = ctx.ds.label(app.at, field);
    Some(Missing {
        field,
        text: format!(
            "{label} (нет ни одного корректного номера: {})",
            raws.join(", ")
        ),
        label,
    })
}

/// Whether every column of `field` is blank in the application's row.
fn blank(ctx: &Context, app: &Application, field: &str) -> bool {
    let source = ctx.ds.source(app.at);
    source
        .mapping
        .columns(field)
        .iter()
        .all(|&c| is_blank(source.table.cell(app.at.row as usize, c)))
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_flow, flow, one, warnings};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_incomplete_applications() {
        assert_eq!(flagged("FLOW001", &all_flow()), ["48105", "48108"]);
    }

    #[test]
    fn one_finding_lists_the_missing_fields() {
        let ds = all_flow();
        let f = one("FLOW001", &ds, "48105");
        assert_eq!(f.field, "СНИЛС");
        assert_eq!(f.value, "");
        assert_eq!(
            f.message,
            "Не заполнены обязательные поля заявки: СНИЛС, Email"
        );
        assert!(f.fix.contains("«СНИЛС», «Email»"), "{}", f.fix);
        let g = one("FLOW001", &ds, "48108");
        assert_eq!(
            g.message,
            "Не заполнены обязательные поля заявки: ФИО, Телефон"
        );
    }

    #[test]
    fn invalid_but_filled_values_are_not_missing() {
        // 48106 has a wrong СНИЛС check number, 48107 a short СНИЛС: FLOW002's business
        let ds = flow(&[
            crate::rules::fixtures::FLOW_ROWS[5],
            crate::rules::fixtures::FLOW_ROWS[6],
        ]);
        assert!(flagged("FLOW001", &ds).is_empty());
    }

    #[test]
    fn a_phone_without_a_valid_number_is_missing() {
        let rows: Vec<String> = [
            ("49101", "0"),
            ("49102", "44-12-08"),
            ("49103", "+7 (911) 250-63-918"),
            ("49104", "+7 (911) 250-63-91"),
        ]
        .iter()
        .map(|(no, phone)| {
            format!("{no},Фомина Алла Ивановна,Да,Новая,112-233-445 95,alla.f@mail.ru,14.02.1992,{phone},Сайт,10.11.2026 10:15,,,,")
        })
        .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let ds = flow(&rows);
        assert_eq!(flagged("FLOW001", &ds), ["49101", "49102", "49103"]);
        let f = one("FLOW001", &ds, "49102");
        assert_eq!(
            (f.field.as_str(), f.value.as_str()),
            ("Телефон", "44-12-08")
        );
        assert_eq!(
            f.message,
            "Не заполнены обязательные поля заявки: Телефон (нет ни одного корректного номера: «44-12-08»)"
        );
        assert!(f.fix.contains("«Телефон»"), "{}", f.fix);
    }

    #[test]
    fn missing_columns_are_skipped_with_a_warning() {
        let ds = dataset(&[(
            "applications.csv",
            "Номер заявки,ФИО,СНИЛС\n49001,Фомина Алла Ивановна,\n49002,Фомин Иван Петрович,112-233-445 95\n",
        )]);
        assert_eq!(flagged("FLOW001", &ds), ["49001"]);
        let f = one("FLOW001", &ds, "49001");
        assert_eq!(f.message, "Не заполнены обязательные поля заявки: СНИЛС");
        let w = warnings("FLOW001", &ds);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|m| m.contains("«Email»")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("«Телефон»")), "{w:?}");
    }
}
