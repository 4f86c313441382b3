//! CON004: no manager's own e-mail in a client contact (rule 4).
//!
//! What it checks
//!   Every e-mail of every contact (companies skipped), in any e-mail column, against the
//!   managers' addresses: the managers list (a file with columns «Имя», «Email») plus
//!   `managers.extra_emails` in rules/default.toml. Case and surrounding spaces are ignored.
//!   A manager's own card (its name is the manager's name) is not a client's and is left alone.
//!   One finding per contact, naming every manager address found. Without any managers'
//!   addresses the rule cannot run and says so in a warning.
//!
//! Key
//!   `CON004/contact/ID/E-MAIL`, E-MAIL the first manager address found, lowercase
//!   (`CON004/contact/45102399/a.petrova@okna-spb.ru`).
//!
//! Why
//!   Правило 4: «Также запрещается менеджерам в контактах клиентов добавлять свою рабочую или
//!   личную почту». Mail meant for the client goes to the manager, the client never gets it,
//!   and the card looks complete while it is not.
//!
//! Example
//!   ID 1107, «Орлов Дмитрий», «Рабочий email» = «p.sidorov@OKNA-SPB.ru», and the managers list
//!   has «Сидоров Павел, P.Sidorov@okna-spb.ru» → «В карточке клиента e-mail менеджера:
//!   p.sidorov@okna-spb.ru (Сидоров Павел)».
//!
//! How to fix
//!   Delete the manager's address from the card and put the client's own e-mail in
//!   «Личный email» (ask the client).

use std::collections::BTreeMap;

use super::{Context, Finding, Rule};
use crate::model::{Contact, Dataset, Email};
use crate::normalize::name::name_key;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let managers = manager_emails(ctx);
    if managers.is_empty() {
        if !ctx.ds.contacts.is_empty() {
            ctx.warn(format!(
                "{} skipped: no managers' e-mails (give a managers list with columns «Имя», \
                 «Email», or fill managers.extra_emails in the rules)",
                rule.code
            ));
        }
        return;
    }
    for c in &ctx.ds.contacts {
        let found = matches(ctx.ds, c, &managers);
        let Some((first, _)) = found.first() else {
            continue;
        };
        let listed: Vec<String> = found
            .iter()
            .map(|(e, name)| {
                if name.is_empty() {
                    e.address.to_string()
                } else {
                    format!("{} ({name})", e.address)
                }
            })
            .collect();
        let column = ctx.ds.header(c.at, first.column);
        out.push(Finding {
            field: column.into(),
            value: first.raw.to_string(),
            message: format!("В карточке клиента e-mail менеджера: {}", listed.join(", ")).into(),
            fix: format!(
                "Удалите адрес менеджера из поля «{column}» и внесите e-mail самого клиента (правило 4)"
            ).into(),
            ..ctx.finding(rule, c.at, &c.id, &c.responsible)
        }
        .with_item(&first.address));
    }
}

/// Every manager address (lowercase) → the manager's name ("" for `extra_emails`).
fn manager_emails<'a>(ctx: &'a Context) -> BTreeMap<&'a str, &'a str> {
    let mut map: BTreeMap<&str, &str> = ctx
        .params
        .managers
        .extra_emails
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| (e.as_str(), ""))
        .collect();
    for m in &ctx.ds.managers {
        if !m.email.is_empty() {
            map.insert(m.email.as_str(), m.name.as_str());
        }
    }
    map
}

/// The contact's e-mails that belong to a manager other than the contact itself.
fn matches<'c, 'm>(
    ds: &Dataset,
    c: &'c Contact,
    managers: &BTreeMap<&'m str, &'m str>,
) -> Vec<(&'c Email, &'m str)> {
    // The contact's own name is read only for a card that holds a manager's address: few do.
    let own = std::cell::OnceCell::new();
    c.emails
        .iter()
        .filter_map(|e| managers.get(e.address.as_str()).map(|name| (e, *name)))
        .filter(|(_, name)| {
            name.is_empty() || name_key(name) != *own.get_or_init(|| name_key(&c.person_name(ds)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one, warnings, CONTACTS_HEADER};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_manager_email_case_insensitively() {
        // 107 has p.sidorov@OKNA-SPB.ru; the company 105 has it too but is not a contact
        assert_eq!(flagged("CON004", &all_contacts()), ["107"]);
    }

    #[test]
    fn finding_names_the_address_and_the_manager() {
        let f = one("CON004", &all_contacts(), "107");
        assert_eq!(f.field, "Рабочий email");
        assert_eq!(f.value, "p.sidorov@OKNA-SPB.ru");
        assert_eq!(
            f.message,
            "В карточке клиента e-mail менеджера: p.sidorov@okna-spb.ru (Сидоров Павел)"
        );
        assert!(f.fix.contains("«Рабочий email»"), "{}", f.fix);
    }

    #[test]
    fn several_manager_addresses_give_one_finding() {
        let ds = contacts(&[
            "1201;Контакт;Крылов Юрий;Юрий;Крылов;Петрова Анна;+7 921 000-44-55;;a.petrova@okna-spb.ru;p.sidorov@okna-spb.ru;Крылов Юрий;03.03.1973;",
        ]);
        let f = one("CON004", &ds, "1201");
        assert_eq!(f.field, "Личный email");
        assert!(f.message.contains("(Петрова Анна)") && f.message.contains("(Сидоров Павел)"));
    }

    #[test]
    fn the_managers_own_card_is_not_a_client() {
        let ds = contacts(&[
            "1301;Контакт;Сидоров Павел;Павел;Сидоров;Сидоров Павел;+7 921 000-44-56;;;p.sidorov@okna-spb.ru;Павел Сидоров;04.04.1974;",
        ]);
        assert!(flagged("CON004", &ds).is_empty());
    }

    #[test]
    fn without_managers_list_the_rule_warns_and_skips() {
        let text = format!(
            "{CONTACTS_HEADER}\n{}\n",
            crate::rules::fixtures::CONTACT_ROWS[6]
        );
        let ds = dataset(&[("contacts.csv", &text)]);
        assert!(flagged("CON004", &ds).is_empty());
        let w = warnings("CON004", &ds);
        assert!(w.len() == 1 && w[0].contains("CON004 skipped"), "{w:?}");
    }
}
