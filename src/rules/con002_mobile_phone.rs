//! CON002: «Мобильный телефон» holds a valid number (rule 4).
//!
//! What it checks
//!   Every contact (companies skipped) must have a valid number in «Мобильный телефон» itself.
//!   An empty cell, a placeholder («нет», «-», «0») or a broken number there counts as empty,
//!   even when another phone column holds a good number. Exports without a «Мобильный
//!   телефон» column are skipped with a warning.
//!
//! Key
//!   `CON002/contact/ID`: one finding per contact.
//!
//! Why
//!   Правило 4: «При создании контакта должно быть заполнено поле «Мобильный телефон» и
//!   «Частный e-mail»». Calls, messengers and the duplicate search (rule 5) work from the
//!   mobile number.
//!
//! Example
//!   ID 1102, «Смирнова Ольга», «Мобильный телефон» = «нет», «Рабочий телефон» =
//!   «8 (812) 380-25-17» → «В поле «Мобильный телефон» нет корректного номера: «нет»».
//!
//! How to fix
//!   Ask the client for a mobile number and put it in «Мобильный телефон» as
//!   +7 9XX XXX-XX-XX. If a mobile number was typed into another phone field, move it.

use super::{Context, Finding, Rule};
use crate::model::{Contact, Dataset, Phone};
use crate::profile::Kind;

const FIELD: &str = "phone_mobile";

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let present = ctx.sources_with(rule, Kind::AmocrmContacts, &[FIELD]);
    for c in &ctx.ds.contacts {
        if !present[c.at.source as usize] {
            continue;
        }
        let label = ctx.ds.label(c.at, FIELD);
        let mobile = mobile_items(ctx, c);
        if mobile.iter().any(|p| p.norm.is_valid()) {
            continue;
        }
        let raws: Vec<&str> = mobile.iter().map(|p| p.norm.raw.as_str()).collect();
        let message = if raws.is_empty() {
            format!("Поле «{label}» не заполнено")
        } else {
            format!(
                "В поле «{label}» нет корректного номера: «{}»",
                raws.join("», «")
            )
        };
        out.push(Finding {
            field: label.as_str().into(),
            value: raws.join(", "),
            message: message.into(),
            fix: fix(ctx.ds, c, &label).into(),
            ..ctx.finding(rule, c.at, &c.id, &c.responsible)
        });
    }
}

/// The phone items read from the contact's mobile column(s).
fn mobile_items<'c>(ctx: &Context, c: &'c Contact) -> Vec<&'c Phone> {
    let columns = ctx.ds.source(c.at).mapping.columns(FIELD);
    c.phones
        .iter()
        .filter(|p| columns.contains(&(p.column as usize)))
        .collect()
}

/// Move a valid mobile number from another column, else ask the client.
fn fix(ds: &Dataset, c: &Contact, label: &str) -> String {
    let elsewhere = c
        .phones
        .iter()
        .map(|p| (p, ds.header(c.at, p.column)))
        .filter(|&(_, column)| column != label)
        .find_map(|(p, column)| {
            p.e164()
                .filter(|e| e.starts_with("+79"))
                .map(|e| (e, column))
        });
    match elsewhere {
        Some((number, column)) => {
            format!("Перенесите мобильный номер {number} из поля «{column}» в «{label}»")
        }
        None => format!(
            "Узнайте у клиента мобильный номер и внесите его в «{label}» в виде +7 9XX XXX-XX-XX"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one, warnings};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_junk_and_broken_mobile_numbers() {
        // 102: «нет»; 108: 7 digits without area code; 105 (a company with «нет») is skipped
        assert_eq!(flagged("CON002", &all_contacts()), ["102", "108"]);
    }

    #[test]
    fn junk_is_named_in_the_finding() {
        let f = one("CON002", &all_contacts(), "102");
        assert_eq!(f.field, "Мобильный телефон");
        assert_eq!(f.value, "нет");
        assert_eq!(
            f.message,
            "В поле «Мобильный телефон» нет корректного номера: «нет»"
        );
        assert!(f.fix.contains("Узнайте у клиента"), "{}", f.fix);
    }

    #[test]
    fn empty_mobile_with_a_mobile_number_elsewhere_suggests_moving_it() {
        let ds = contacts(&[
            "801;Контакт;Голубев Рома;Роман;Голубев;Петрова Анна;;+7 921 333-44-55;;;Голубев Роман;01.02.1980;",
            "802;Контакт;Белкин Ян;Ян;Белкин;Петрова Анна;8(921)333-44-56;;;;Белкин Ян;01.02.1981;",
        ]);
        assert_eq!(flagged("CON002", &ds), ["801"]);
        let f = one("CON002", &ds, "801");
        assert_eq!(f.value, "");
        assert_eq!(f.message, "Поле «Мобильный телефон» не заполнено");
        assert_eq!(
            f.fix,
            "Перенесите мобильный номер +79213334455 из поля «Рабочий телефон» в «Мобильный телефон»"
        );
    }

    #[test]
    fn one_valid_number_among_several_is_enough() {
        // 112: «+7 921 111-22-33, 12-34»
        assert!(!flagged("CON002", &all_contacts()).contains(&"112".to_string()));
    }

    #[test]
    fn export_without_mobile_column_is_skipped_with_a_warning() {
        let ds = dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Рабочий телефон\n901;Зуев Пётр;\n",
        )]);
        assert!(flagged("CON002", &ds).is_empty());
        let w = warnings("CON002", &ds);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("«Мобильный телефон»"), "{w:?}");
    }
}
