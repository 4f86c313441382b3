//! CON008: the birthday is a plausible date (not 01.01.1970, not future, not before 1900;
//! the placeholder and the year are `contact.placeholder_birthday` and `contact.min_birth_year`).
//!
//! What it checks
//!   «День рождения» / «Дата рождения» of every contact (companies skipped) that is filled but:
//!   - is 01.01.1970, the date amoCRM puts in when a birthday could not be saved;
//!   - cannot be read as a date (30.02.1988, «весной», 1985-13-01);
//!   - lies in the future (after --as-of);
//!   - is before 1900.
//!
//!   An empty cell or a placeholder («-», «нет») is not this rule's business: CON001 reports
//!   the birthday as missing.
//!
//! Key
//!   `CON008/contact/ID`: one finding per contact (a different wrong date is the same
//!   problem).
//!
//! Why
//!   Правило 4: «Обязательные поля при создании контакта: ФИО, телефон, дата рождения». The
//!   birthday is used to greet clients (partner-cards seed: «отправлять поздравления клиентам
//!   с праздниками и днями рождения») and to tell duplicates apart (rule 5); a fake date
//!   greets the wrong day and makes different people look alike.
//!
//! Example
//!   ID 1206, «Васильева Мария», «День рождения» = «01.01.1970» →
//!   «Дата рождения «01.01.1970» — заглушка amoCRM, а не настоящая дата».
//!
//! How to fix
//!   Ask the client for the real date and type it as ДД.ММ.ГГГГ in «День рождения». If it cannot
//!   be learnt, clear the field rather than leave a fake date (CON001 will keep reminding).

use super::{Context, Finding, Rule};
use crate::normalize::date::{Birthday, BirthdayRules};
use crate::normalize::text::is_blank;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for c in &ctx.ds.contacts {
        if is_blank(c.birthday_raw(ctx.ds)) {
            continue;
        }
        let Some(problem) = problem(&c.birthday, &ctx.ds.birthdays) else {
            continue;
        };
        out.push(Finding {
            field: ctx.ds.label(c.at, "birthday").into(),
            value: c.birthday_raw(ctx.ds).to_string(),
            message: format!("Дата рождения «{}» {problem}", c.birthday_raw(ctx.ds)).into(),
            fix: "Уточните у клиента настоящую дату рождения и внесите её как ДД.ММ.ГГГГ; \
                  если её не узнать, очистите поле, а не оставляйте ненастоящую дату"
                .into(),
            ..ctx.finding(rule, c.at, &c.id, &c.responsible)
        });
    }
}

/// What is wrong with a filled birthday, `None` when it is a real date (or missing).
pub(super) fn problem(birthday: &Birthday, rules: &BirthdayRules) -> Option<String> {
    Some(match birthday {
        Birthday::Placeholder => "— заглушка amoCRM, а не настоящая дата".into(),
        Birthday::Unparseable => "не читается как дата".into(),
        Birthday::Future => "в будущем".into(),
        Birthday::BeforeMinYear => format!("раньше {} года", rules.min_year),
        Birthday::Missing | Birthday::Valid(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{all_contacts, contacts, one};
    use crate::testutil::flagged;

    #[test]
    fn flags_placeholder_unreadable_and_future_birthdays_only() {
        let ds = all_contacts();
        // 106: 01.01.1970, 108: 30.02.1988, 109: 2031; 105 is a company with 01.01.1970
        assert_eq!(flagged("CON008", &ds), ["106", "108", "109"]);
    }

    #[test]
    fn names_the_placeholder() {
        let f = one("CON008", &all_contacts(), "106");
        assert_eq!(f.field, "День рождения");
        assert_eq!(f.value, "01.01.1970");
        assert_eq!(f.manager, "Петрова Анна");
        assert!(f.message.contains("заглушка amoCRM"), "{}", f.message);
    }

    #[test]
    fn future_and_unreadable_dates_are_told_apart() {
        let ds = all_contacts();
        assert!(one("CON008", &ds, "109").message.contains("в будущем"));
        assert!(one("CON008", &ds, "108").message.contains("не читается"));
    }

    #[test]
    fn before_1900_and_datetime_placeholder() {
        let ds = contacts(&[
            "201;Контакт;Орехова Вера;Вера;Орехова;Петрова Анна;+7 921 000-11-22;;;;Орехова Вера;12.03.1890;",
            "202;Контакт;Титов Глеб;Глеб;Титов;Петрова Анна;+7 921 000-11-23;;;;Титов Глеб;01.01.1970 00:00:00;",
            "203;Контакт;Юдина Зоя;Зоя;Юдина;Петрова Анна;+7 921 000-11-24;;;;Юдина Зоя;28.02.1960;",
        ]);
        assert_eq!(flagged("CON008", &ds), ["201", "202"]);
        assert!(one("CON008", &ds, "201").message.contains("1900"));
    }

    #[test]
    fn blank_and_placeholder_text_are_left_to_con001() {
        let ds = contacts(&[
            "301;Контакт;Лосев Ян;Ян;Лосев;Петрова Анна;+7 921 000-11-25;;;;Лосев Ян;-;",
            "302;Контакт;Рябов Лев;Лев;Рябов;Петрова Анна;+7 921 000-11-26;;;;Рябов Лев;;",
        ]);
        assert!(flagged("CON008", &ds).is_empty());
    }

    #[test]
    fn export_without_birthday_column_is_skipped() {
        let ds = crate::testutil::dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Мобильный телефон\n401;Соболев Игорь;+7 921 000-11-27\n",
        )]);
        assert!(flagged("CON008", &ds).is_empty());
    }
}
