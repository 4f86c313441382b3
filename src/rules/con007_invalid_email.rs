//! CON007: every e-mail on the card is syntactically valid.
//!
//! What it checks
//!   Every e-mail item of every contact (companies skipped), in every e-mail column; a cell with
//!   several addresses gives several items. An item is a finding when it is not of the form
//!   name@domain.zone: no «@» or two of them, no dot in the domain, a one-letter zone, a double
//!   dot, forbidden characters. Placeholders («нет», «-») are empty cells, not findings.
//!   One finding per bad item.
//!
//! Key
//!   `CON007/contact/ID/TEXT`, TEXT the bad address as written, spaces collapsed, lowercase
//!   (`CON007/contact/45102380/fedorov.mail.ru`); the same text twice on one card gives `#2`.
//!
//! Why
//!   Правило 4 asks for the client's «Частный e-mail»; an address that cannot receive mail is
//!   no address, and mailings bounce.
//!
//! Example
//!   ID 1108, «Личный email» = «fedorov.mail.ru» → «Некорректный e-mail «fedorov.mail.ru»: нет
//!   знака @».
//!
//! How to fix
//!   Correct the address in the column named by the finding (common slips: «@» missing, a
//!   comma instead of a dot, «mail,ru», a space) or ask the client again.

use super::key::text_item;
use super::{Context, Finding, Rule};

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for c in &ctx.ds.contacts {
        for e in c.emails.iter().filter(|e| !e.valid) {
            let column = ctx.ds.header(c.at, e.column);
            out.push(Finding {
                field: column.into(),
                value: e.raw.to_string(),
                message: format!("Некорректный e-mail «{}»: {}", e.raw, reason(&e.address)).into(),
                fix: format!(
                    "Исправьте адрес в поле «{column}» (вид имя@домен.ru) или уточните его у клиента"
                ).into(),
                ..ctx.finding(rule, c.at, &c.id, &c.responsible)
            }
            .with_item(&text_item(&e.raw)));
        }
    }
}

/// The most likely slip in an address that failed the syntax check.
fn reason(address: &str) -> &'static str {
    match address.matches('@').count() {
        0 => return "нет знака @",
        1 => {}
        _ => return "несколько знаков @ — возможно, два адреса слиты в один",
    }
    let (local, domain) = address.split_once('@').unwrap_or_default();
    if local.is_empty() {
        "нет имени перед @"
    } else if address.contains("..") {
        "две точки подряд"
    } else if !domain.contains('.') {
        "в домене нет точки (например, mail.ru)"
    } else {
        "адрес не соответствует виду имя@домен.зона"
    }
}

#[cfg(test)]
mod tests {
    use super::reason;
    use crate::rules::fixtures::{about, all_contacts, contacts, one};
    use crate::testutil::flagged;

    #[test]
    fn flags_malformed_addresses_only() {
        assert_eq!(flagged("CON007", &all_contacts()), ["108"]);
    }

    #[test]
    fn finding_names_the_slip() {
        let f = one("CON007", &all_contacts(), "108");
        assert_eq!(f.field, "Личный email");
        assert_eq!(f.value, "fedorov.mail.ru");
        assert_eq!(
            f.message,
            "Некорректный e-mail «fedorov.mail.ru»: нет знака @"
        );
        assert_eq!(f.manager, "Петрова Анна");
    }

    #[test]
    fn one_finding_per_bad_item_of_a_cell() {
        let ds = contacts(&[
            "1801;Контакт;Рыбакова Ника;Ника;Рыбакова;Петрова Анна;+7 921 000-66-77;;\"nika@mail, nika.r@yandex.ru\";@okna.ru;Рыбакова Ника;09.09.1990;",
        ]);
        let mut values: Vec<String> = about("CON007", &ds, "1801")
            .into_iter()
            .map(|f| f.value)
            .collect();
        values.sort();
        assert_eq!(values, ["@okna.ru", "nika@mail"]);
    }

    #[test]
    fn placeholders_are_not_addresses() {
        let ds = contacts(&[
            "1901;Контакт;Ежов Лев;Лев;Ежов;Петрова Анна;+7 921 000-66-78;;нет;-;Ежов Лев;10.10.1991;",
        ]);
        assert!(flagged("CON007", &ds).is_empty());
    }

    #[test]
    fn reasons() {
        assert_eq!(
            reason("ivan@mail"),
            "в домене нет точки (например, mail.ru)"
        );
        assert_eq!(
            reason("a@b.ru@c.ru"),
            "несколько знаков @ — возможно, два адреса слиты в один"
        );
        assert_eq!(reason("@mail.ru"), "нет имени перед @");
        assert_eq!(reason("ivan@mail..ru"), "две точки подряд");
        assert_eq!(
            reason("ivan@mail.r"),
            "адрес не соответствует виду имя@домен.зона"
        );
    }
}
