//! CON006: every phone on the card is a valid number.
//!
//! What it checks
//!   Every phone item of every contact (companies skipped), in every phone column; a cell with
//!   several numbers («+7 921 111-22-33, 12-34») gives several items. An item is a finding when
//!   it has no valid E.164 form:
//!   - a placeholder or junk instead of a number («нет», «-», «0»);
//!   - letters («тел. офиса», «звонить после 18»);
//!   - 7 digits without an area code («555-12-34»): not guessed; run with --default-area 812
//!     to read them as St Petersburg numbers;
//!   - too few or too many digits;
//!   - a number that does not exist in the numbering plan.
//!
//!   Extensions («доб. 335») and Excel damage («79211234567.0», a leading apostrophe) are fine.
//!   One finding per bad item.
//!
//! Key
//!   `CON006/contact/ID/TEXT`, TEXT the bad item as written, spaces collapsed, lowercase
//!   (`CON006/contact/45102380/555-12-34`); the same text twice on one card gives `#2`.
//!
//! Why
//!   Правило 4 makes the phone mandatory, and a number nobody can dial is no phone. Broken
//!   numbers also hide duplicates (rule 5) and make the phone lookup miss cards.
//!
//! Example
//!   ID 1108, «Мобильный телефон» = «555-12-34» → «7-значный номер без кода города:
//!   «555-12-34»».
//!
//! How to fix
//!   Correct the number in the column named by the finding (+7 XXX XXX-XX-XX), add the missing
//!   area code, move comments to a note, or delete the junk.

use super::key::text_item;
use super::{Context, Finding, Rule};
use crate::model::Phone;
use crate::normalize::phone::PhoneProblem;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for c in &ctx.ds.contacts {
        for p in c.phones.iter().filter(|p| !p.norm.is_valid()) {
            let column = ctx.ds.header(c.at, p.column);
            let (message, fix) = explain(p, column);
            out.push(
                Finding {
                    field: column.into(),
                    value: p.norm.raw.to_string(),
                    message: message.into(),
                    fix: fix.into(),
                    ..ctx.finding(rule, c.at, &c.id, &c.responsible)
                }
                .with_item(&text_item(&p.norm.raw)),
            );
        }
    }
}

/// The message and the fix for an invalid phone item.
fn explain(p: &Phone, column: &str) -> (String, String) {
    let raw = &p.norm.raw;
    let correct = format!("Исправьте номер в поле «{column}» на полный: +7 XXX XXX-XX-XX");
    match p.norm.problem.unwrap_or(PhoneProblem::Invalid) {
        PhoneProblem::Placeholder => (
            format!("Вместо номера заглушка «{raw}»"),
            format!("Удалите «{raw}» из поля «{column}» или впишите настоящий номер"),
        ),
        PhoneProblem::Letters => (
            format!("Вместо номера текст «{raw}»"),
            format!("Оставьте в поле «{column}» только номер, пояснения перенесите в примечание"),
        ),
        PhoneProblem::NoAreaCode => (
            format!("7-значный номер без кода города: «{raw}»"),
            format!(
                "Допишите код города (Санкт-Петербург: +7 812 {raw}) или запустите crmclean \
                 с --default-area 812"
            ),
        ),
        PhoneProblem::TooShort => (
            format!("Слишком короткий номер «{raw}» ({})", digits(raw)),
            correct,
        ),
        PhoneProblem::TooLong => (
            format!(
                "Слишком длинный номер «{raw}» ({}): возможно, два номера слиты в один",
                digits(raw)
            ),
            format!("{correct}; несколько номеров разделяйте запятой"),
        ),
        PhoneProblem::Invalid => (
            format!("Номер «{raw}» не существует в плане нумерации"),
            correct,
        ),
    }
}

/// «4 цифры», «11 цифр», «21 цифра».
fn digits(s: &str) -> String {
    let n = s.chars().filter(char::is_ascii_digit).count();
    let word = match (n % 10, n % 100) {
        (_, 11..=14) => "цифр",
        (1, _) => "цифра",
        (2..=4, _) => "цифры",
        _ => "цифр",
    };
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use crate::rules::fixtures::{about, all_contacts, contacts, one};
    use crate::testutil::flagged;

    #[test]
    fn flags_every_contact_with_a_bad_phone() {
        // 102 «нет», 108 7 digits, 110 letters, 112 a short second number; 105 is a company
        assert_eq!(
            flagged("CON006", &all_contacts()),
            ["102", "108", "110", "112"]
        );
    }

    #[test]
    fn junk_is_a_placeholder_finding() {
        let f = one("CON006", &all_contacts(), "102");
        assert_eq!(f.field, "Мобильный телефон");
        assert_eq!(f.value, "нет");
        assert_eq!(f.message, "Вместо номера заглушка «нет»");
    }

    #[test]
    fn seven_digits_suggest_default_area() {
        let f = one("CON006", &all_contacts(), "108");
        assert_eq!(f.message, "7-значный номер без кода города: «555-12-34»");
        assert!(f.fix.contains("--default-area 812"), "{}", f.fix);
    }

    #[test]
    fn letters_and_short_numbers_are_named() {
        let ds = all_contacts();
        let letters = one("CON006", &ds, "110");
        assert_eq!(letters.field, "Рабочий телефон");
        assert_eq!(letters.message, "Вместо номера текст «тел. офиса»");
        let short = one("CON006", &ds, "112");
        assert_eq!(short.value, "12-34");
        assert_eq!(short.message, "Слишком короткий номер «12-34» (4 цифры)");
    }

    #[test]
    fn one_finding_per_bad_item() {
        let ds = contacts(&[
            "1601;Контакт;Ильин Кирилл;Кирилл;Ильин;Петрова Анна;\"нет; 12-34\";тел. офиса;;;Ильин Кирилл;05.06.1977;",
        ]);
        let values: Vec<String> = about("CON006", &ds, "1601")
            .into_iter()
            .map(|f| f.value)
            .collect();
        assert_eq!(values.len(), 3, "{values:?}");
        for v in ["нет", "12-34", "тел. офиса"] {
            assert!(values.contains(&v.to_string()), "{values:?}");
        }
    }

    #[test]
    fn digit_counts_agree_in_russian() {
        assert_eq!(super::digits("12-34"), "4 цифры");
        assert_eq!(super::digits("8921123456789"), "13 цифр");
        assert_eq!(super::digits("921"), "3 цифры");
        assert_eq!(super::digits("1"), "1 цифра");
        assert_eq!(super::digits("123456789012345678901"), "21 цифра");
    }

    #[test]
    fn good_numbers_in_any_shape_pass() {
        let ds = contacts(&[
            "1701;Контакт;Осипов Глеб;Глеб;Осипов;Петрова Анна;79211234567.0;8 (812) 380-25-17 доб. 335;;;Осипов Глеб;05.06.1977;",
            "1702;Контакт;Ахметов Ерлан;Ерлан;Ахметов;Петрова Анна;+7 701 234 56 78;'89213334455;;;Ахметов Ерлан;07.08.1982;",
        ]);
        assert!(flagged("CON006", &ds).is_empty());
    }
}
