//! CON001: mandatory contact fields: ФИО, a valid phone, a valid birthday (rule 4).
//!
//! What it checks
//!   Every contact (rows whose «Тип» is «компания» are skipped) must have:
//!   - ФИО: the card body's «ФИО» field when the export has that column, else «Имя» and
//!     «Фамилия». The card title («Полное имя контакта») does not count (see CON005).
//!   - a phone: at least one valid number in any phone column («Мобильный телефон», «Рабочий
//!     телефон», «Другой телефон»…). «нет», «-» and broken numbers do not count (see CON006).
//!   - a birthday: a real date in «День рождения» / «Дата рождения». amoCRM's placeholder
//!     01.01.1970 (`contact.placeholder_birthday`), an unreadable date, a date in the future
//!     or before 1900 (`contact.min_birth_year`) count as missing
//!     (see CON008).
//!
//!   One finding per contact lists everything missing; its field is the first missing one.
//!
//! Key
//!   `CON001/contact/ID/PART`, PART the first missing part: `name`, `phone` or `birthday`
//!   (`CON001/contact/45102374/birthday`). Filling the first of several missing parts turns
//!   the finding into one about the next part: the old key is fixed, the new one is new.
//!   When the export has no column for a part at all, that part is skipped with a warning.
//!
//! Why
//!   Правило 4: «Контакт может быть создан только при заполнении обязательных полей.
//!   Обязательные поля при создании контакта: ФИО, телефон, дата рождения». The name and the
//!   phone are how a client is found and how duplicates are caught (rule 5); the birthday
//!   feeds the greetings.
//!
//! Example
//!   ID 1187, «Полное имя контакта» = «Кузнецов Алексей», «ФИО» empty, «Мобильный телефон» =
//!   «+7 921 987-65-43», «День рождения» = «01.01.1970» →
//!   «Не заполнены обязательные поля контакта: ФИО, дата рождения («01.01.1970» — заглушка
//!   amoCRM, а не настоящая дата)».
//!
//! How to fix
//!   Open the card and fill what the message lists: «ФИО» in the card body (not only in the
//!   title), a client's number in «Мобильный телефон», the real date in «День рождения». Ask
//!   the client when unknown; never type 01.01.1970.

use super::con008_implausible_birthday as birthday;
use super::{Context, Finding, Rule};
use crate::model::Contact;
use crate::normalize::text::is_blank;
use crate::profile::{FieldType, Kind};

/// The name fields, preferred first.
const NAME_FIELDS: [&str; 3] = ["fio", "last_name", "first_name"];

/// One missing item: the header to fill, its current value, how the message names it.
struct Missing {
    /// The key item: `name`, `phone` or `birthday`.
    part: &'static str,
    field: String,
    value: String,
    text: String,
}

/// Which parts each source can be checked for.
struct Present {
    name: Vec<bool>,
    phone: Vec<bool>,
    birthday: Vec<bool>,
}

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let kind = Kind::AmocrmContacts;
    let phone_fields: Vec<&str> = ctx
        .ds
        .sources_of(kind)
        .next()
        .map(|s| s.mapping.fields_of(FieldType::Phone).collect())
        .unwrap_or_default();
    let present = Present {
        name: ctx.sources_with(rule, kind, &NAME_FIELDS),
        phone: ctx.sources_with(rule, kind, &phone_fields),
        birthday: ctx.sources_with(rule, kind, &["birthday"]),
    };
    for c in &ctx.ds.contacts {
        let missing = missing(ctx, c, &present);
        let Some(first) = missing.first() else {
            continue;
        };
        let texts: Vec<&str> = missing.iter().map(|m| m.text.as_str()).collect();
        let fields: Vec<String> = missing.iter().map(|m| format!("«{}»", m.field)).collect();
        out.push(
            Finding {
                field: first.field.as_str().into(),
                value: first.value.clone(),
                message: format!(
                    "Не заполнены обязательные поля контакта: {}",
                    texts.join(", ")
                )
                .into(),
                fix: format!(
                    "Заполните в карточке {} (правило 4: ФИО, телефон, дата рождения)",
                    fields.join(", ")
                )
                .into(),
                ..ctx.finding(rule, c.at, &c.id, &c.responsible)
            }
            .with_item(first.part),
        );
    }
}

/// Everything mandatory the contact lacks, in the order ФИО, phone, birthday.
fn missing(ctx: &Context, c: &Contact, present: &Present) -> Vec<Missing> {
    let source = c.at.source as usize;
    let mut out = Vec::new();
    if present.name[source] {
        out.extend(missing_name(ctx, c));
    }
    if present.phone[source] {
        out.extend(missing_phone(ctx, c));
    }
    if present.birthday[source] {
        out.extend(missing_birthday(ctx, c));
    }
    out
}

fn missing_name(ctx: &Context, c: &Contact) -> Option<Missing> {
    if !is_blank(&c.body_name(ctx.ds)) {
        return None;
    }
    let name_field = NAME_FIELDS
        .into_iter()
        .find(|f| ctx.ds.has(c.at, f))
        .unwrap_or("fio");
    let fio = c.fio(ctx.ds);
    let text = match fio {
        Some(_) => "ФИО".to_string(),
        None => "ФИО («Имя» и «Фамилия» пусты)".to_string(),
    };
    Some(Missing {
        part: "name",
        field: ctx.ds.label(c.at, name_field),
        value: fio.unwrap_or_default().to_string(),
        text,
    })
}

fn missing_phone(ctx: &Context, c: &Contact) -> Option<Missing> {
    if c.valid_phones().next().is_some() {
        return None;
    }
    let Some(first) = c.phones.first() else {
        return Some(Missing {
            part: "phone",
            field: ctx.ds.label(c.at, "phone_mobile"),
            value: String::new(),
            text: "телефон".into(),
        });
    };
    let raws: Vec<String> = c
        .phones
        .iter()
        .map(|p| format!("«{}»", p.norm.raw))
        .collect();
    Some(Missing {
        part: "phone",
        field: ctx.ds.header(c.at, first.column).to_string(),
        value: first.norm.raw.to_string(),
        text: format!(
            "телефон (нет ни одного корректного номера: {})",
            raws.join(", ")
        ),
    })
}

fn missing_birthday(ctx: &Context, c: &Contact) -> Option<Missing> {
    let field = ctx.ds.label(c.at, "birthday");
    if is_blank(c.birthday_raw(ctx.ds)) {
        return Some(Missing {
            part: "birthday",
            field,
            value: c.birthday_raw(ctx.ds).to_string(),
            text: "дата рождения".into(),
        });
    }
    let problem = birthday::problem(&c.birthday, &ctx.ds.birthdays)?;
    Some(Missing {
        part: "birthday",
        field,
        value: c.birthday_raw(ctx.ds).to_string(),
        text: format!("дата рождения («{}» {problem})", c.birthday_raw(ctx.ds)),
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one, warnings};
    use crate::testutil::{dataset, flagged};

    #[test]
    fn flags_exactly_the_incomplete_contacts() {
        // 103 title-only name, 104 address-named, 106 1970 birthday, 108 no valid phone and
        // 30 February, 109 future birthday, 111 «-» in ФИО; 105 is a company.
        assert_eq!(
            flagged("CON001", &all_contacts()),
            ["103", "104", "106", "108", "109", "111"]
        );
    }

    #[test]
    fn one_finding_lists_everything_missing() {
        let f = one("CON001", &all_contacts(), "103");
        assert_eq!(f.field, "ФИО");
        assert_eq!(f.value, "");
        assert_eq!(f.manager, "Сидоров Павел");
        assert_eq!(
            f.message,
            "Не заполнены обязательные поля контакта: ФИО, дата рождения"
        );
        assert!(f.fix.contains("«ФИО», «День рождения»"), "{}", f.fix);
    }

    #[test]
    fn address_named_card_without_fio_is_missing_its_name() {
        let f = one("CON001", &all_contacts(), "104");
        assert!(f.message.contains("ФИО"), "{}", f.message);
    }

    #[test]
    fn placeholder_birthday_counts_as_missing() {
        let f = one("CON001", &all_contacts(), "106");
        assert_eq!(f.field, "День рождения");
        assert_eq!(f.value, "01.01.1970");
        assert!(f.message.contains("заглушка amoCRM"), "{}", f.message);
    }

    #[test]
    fn junk_phones_do_not_count_as_a_phone() {
        let f = one("CON001", &all_contacts(), "108");
        assert_eq!(f.field, "Мобильный телефон");
        assert_eq!(f.value, "555-12-34");
        assert!(f.message.contains("«555-12-34»"), "{}", f.message);
        assert!(f.message.contains("30.02.1988"), "{}", f.message);
    }

    #[test]
    fn a_valid_office_number_is_enough() {
        // 102: «нет» in Мобильный телефон, a valid number in Рабочий телефон.
        assert!(!flagged("CON001", &all_contacts()).contains(&"102".to_string()));
    }

    #[test]
    fn uses_fio_column_not_first_and_last_name() {
        let f = one("CON001", &all_contacts(), "111");
        assert_eq!(f.field, "ФИО");
        assert_eq!(f.value, "-");
    }

    #[test]
    fn without_fio_column_first_and_last_name_are_the_name() {
        let text = "ID;Полное имя контакта;Имя;Фамилия;Мобильный телефон;День рождения\n\
                    501;Ершов Тимур;Тимур;Ершов;+7 921 000-22-33;04.04.1984\n\
                    502;Ершова Алла;;;+7 921 000-22-34;05.05.1985\n";
        let ds = dataset(&[("contacts.csv", text)]);
        assert_eq!(flagged("CON001", &ds), ["502"]);
        let f = one("CON001", &ds, "502");
        assert_eq!(f.field, "Фамилия");
        assert!(
            f.message.contains("«Имя» и «Фамилия» пусты"),
            "{}",
            f.message
        );
    }

    #[test]
    fn missing_columns_skip_their_part_with_a_warning() {
        let text = "ID;Полное имя контакта;Рабочий телефон\n\
                    601;Козлов Артём;\n\
                    602;Павлова Нина;+7 812 380-25-18\n";
        let ds = dataset(&[("contacts.csv", text)]);
        // no name and no birthday columns: only the phone is checked
        assert_eq!(flagged("CON001", &ds), ["601"]);
        assert_eq!(
            one("CON001", &ds, "601").message,
            "Не заполнены обязательные поля контакта: телефон"
        );
        let w = warnings("CON001", &ds);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|m| m.contains("«ФИО»")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("«День рождения»")), "{w:?}");
    }

    #[test]
    fn complete_contact_is_clean() {
        let ds = contacts(&[
            "701;Контакт;Иванов Иван;Иван;Иванов;Петрова Анна;8-921-123-45-67;;;;Иванов Иван;15.03.1985;",
        ]);
        assert!(flagged("CON001", &ds).is_empty());
    }
}
