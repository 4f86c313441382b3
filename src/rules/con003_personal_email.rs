//! CON003: «Личный email» is filled (rule 4).
//!
//! What it checks
//!   Every contact (companies skipped) must have an address in «Личный email» (also read
//!   from «Частный email», «Личный e-mail»). An empty cell or a placeholder («нет», «-») counts
//!   as empty; a filled but malformed address is CON007's business. Exports without the column
//!   are skipped with a warning.
//!
//! Key
//!   `CON003/contact/ID`: one finding per contact.
//!
//! Why
//!   Правило 4: «При создании контакта должно быть заполнено поле «Мобильный телефон» и
//!   «Частный e-mail»». The personal address is where greetings and documents go; a work
//!   address changes with the client's job.
//!
//! Example
//!   ID 1103, «Кузнецов Алексей», «Личный email» empty → «Поле «Личный email» не заполнено».
//!
//! How to fix
//!   Ask the client for a personal e-mail and put it in «Личный email». Do not put your own
//!   address there (that is CON004).

use super::{Context, Finding, Rule};
use crate::model::Contact;
use crate::profile::Kind;

const FIELD: &str = "email_personal";

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let present = ctx.sources_with(rule, Kind::AmocrmContacts, &[FIELD]);
    for c in &ctx.ds.contacts {
        if !present[c.at.source as usize] || has_personal_email(ctx, c) {
            continue;
        }
        let label = ctx.ds.label(c.at, FIELD);
        out.push(Finding {
            field: label.as_str().into(),
            value: ctx.ds.text(c.at, FIELD).to_string(),
            message: format!("Поле «{label}» не заполнено").into(),
            fix: format!("Узнайте у клиента личный e-mail и внесите его в «{label}» (правило 4)")
                .into(),
            ..ctx.finding(rule, c.at, &c.id, &c.responsible)
        });
    }
}

/// Whether any e-mail item was read from the contact's personal e-mail column(s).
fn has_personal_email(ctx: &Context, c: &Contact) -> bool {
    let columns = ctx.ds.source(c.at).mapping.columns(FIELD);
    c.emails
        .iter()
        .any(|e| columns.contains(&(e.column as usize)))
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one, warnings};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_contacts_without_personal_email() {
        // 103 and 104 have none; 105 is a company; 108's malformed address is still filled
        assert_eq!(flagged("CON003", &all_contacts()), ["103", "104"]);
    }

    #[test]
    fn finding_names_the_column() {
        let f = one("CON003", &all_contacts(), "103");
        assert_eq!(f.field, "Личный email");
        assert_eq!(f.value, "");
        assert_eq!(f.manager, "Сидоров Павел");
        assert_eq!(f.message, "Поле «Личный email» не заполнено");
    }

    #[test]
    fn placeholder_counts_as_empty_and_work_email_does_not_replace_it() {
        let ds = contacts(&[
            "1001;Контакт;Громов Иван;Иван;Громов;Петрова Анна;+7 921 000-33-44;;нет;gromov@stroy-spb.ru;Громов Иван;01.03.1970;",
            "1002;Контакт;Громова Ева;Ева;Громова;Петрова Анна;+7 921 000-33-45;;eva.gromova@mail.ru;;Громова Ева;02.03.1971;",
        ]);
        assert_eq!(flagged("CON003", &ds), ["1001"]);
        assert_eq!(one("CON003", &ds, "1001").value, "нет");
    }

    #[test]
    fn export_without_personal_email_column_is_skipped_with_a_warning() {
        let ds = dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Рабочий email\n1101;Шилов Марк;\n",
        )]);
        assert!(flagged("CON003", &ds).is_empty());
        let w = warnings("CON003", &ds);
        assert!(w.len() == 1 && w[0].contains("«Личный email»"), "{w:?}");
    }
}
