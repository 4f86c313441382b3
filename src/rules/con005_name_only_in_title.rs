//! CON005: the full name is not only in the card title (partner-cards seed).
//!
//! What it checks
//!   Contacts (companies skipped) of an export that has a «ФИО» column, where «ФИО» is empty
//!   (or a placeholder such as «-») while the card title «Полное имя контакта» holds what looks
//!   like a person's name: one to four words of letters, no digits. Cards named by an address
//!   («Купчинская 4-3-22», the seed's way to name a client whose name is unknown) are not
//!   flagged. CON001 reports the same cards as missing ФИО; this rule adds the ready fix.
//!   Exports without a «ФИО» column are not checked.
//!
//! Key
//!   `CON005/contact/ID`: one finding per contact.
//!
//! Why
//!   Partner-cards seed («Инструкция по корректировке старых анкет»): «Указать ФИО не только
//!   в названии контакта, но и в теле анкеты». Greetings, the duplicate search (rule 5) and
//!   the automations read the «ФИО» field, not the title.
//!
//! Example
//!   ID 1103, «Полное имя контакта» = «Кузнецов Алексей», «ФИО» empty →
//!   «ФИО есть только в названии карточки: «Кузнецов Алексей», поле «ФИО» пустое».
//!
//! How to fix
//!   Copy the title into «ФИО» (the finding's fix gives the exact text) and add the patronymic
//!   if it is known.

use super::{Context, Finding, Rule};
use crate::normalize::name::looks_like_person_name;
use crate::normalize::text::is_blank;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for c in &ctx.ds.contacts {
        let Some(fio) = c.fio(ctx.ds) else {
            continue;
        };
        let title = c.title(ctx.ds);
        if !is_blank(fio) || !looks_like_person_name(&title) {
            continue;
        }
        let label = ctx.ds.label(c.at, "fio");
        out.push(Finding {
            field: label.as_str().into(),
            value: fio.to_string(),
            message: format!(
                "ФИО есть только в названии карточки: «{title}», поле «{label}» пустое"
            ).into(),
            fix: format!(
                "Скопируйте «{title}» из названия в поле «{label}» и допишите отчество, если оно известно"
            ).into(),
            ..ctx.finding(rule, c.at, &c.id, &c.responsible)
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_person_names_only_in_the_title() {
        // 103: ФИО empty, 111: ФИО «-»; 104 is named by an address; 105 is a company
        assert_eq!(flagged("CON005", &all_contacts()), ["103", "111"]);
    }

    #[test]
    fn fix_proposes_copying_the_title() {
        let f = one("CON005", &all_contacts(), "103");
        assert_eq!(f.field, "ФИО");
        assert_eq!(f.value, "");
        assert_eq!(f.manager, "Сидоров Павел");
        assert_eq!(
            f.message,
            "ФИО есть только в названии карточки: «Кузнецов Алексей», поле «ФИО» пустое"
        );
        assert!(
            f.fix.starts_with("Скопируйте «Кузнецов Алексей»"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn address_and_phone_titles_are_not_names() {
        let ds = contacts(&[
            "1401;Контакт;Загребский 21-5-140;;;Петрова Анна;+7 921 000-55-66;;;;;;",
            "1402;Контакт;+7 921 000-55-67;;;Петрова Анна;+7 921 000-55-67;;;;;;",
            "1403;Контакт;Лужская Нина Павловна;;;Петрова Анна;+7 921 000-55-68;;;;;;",
        ]);
        assert_eq!(flagged("CON005", &ds), ["1403"]);
    }

    #[test]
    fn filled_fio_is_fine() {
        assert!(!flagged("CON005", &all_contacts()).contains(&"101".to_string()));
    }

    #[test]
    fn export_without_fio_column_is_not_checked() {
        let ds = dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Имя;Фамилия\n1501;Кузнецов Алексей;;\n",
        )]);
        assert!(flagged("CON005", &ds).is_empty());
    }
}
