//! FLOW002: the СНИЛС has 11 digits and a valid check number.
//!
//! What it checks
//!   Every filled «СНИЛС» of a Flow CRM application («123-456-789 64», «12345678964», spaces and
//!   dashes anywhere; an Excel «.0» tail is tolerated) must be 11 digits whose last two are the
//!   check number of the first nine:
//!   - multiply the first nine digits by 9, 8, … 1 and add up;
//!   - sum below 100: the check number is the sum; 100 or 101: «00»;
//!   - above 101: the remainder of dividing by 101, where 100 again gives «00».
//!
//!   Numbers up to 001-001-998 were issued without a check number and are accepted as is.
//!   Letters, or more or fewer than 11 digits, are a finding too. An empty СНИЛС is FLOW001's
//!   business.
//!
//! Key
//!   `FLOW002/application/NUMBER`: one finding per application.
//!
//! Why
//!   A wrong СНИЛС blocks the applicant's documents and the exchange with the «Работа в
//!   России» portal and the federal operator; the check number catches almost every typo and
//!   swapped digit at once.
//!
//! Example
//!   Application 48106, «СНИЛС» = «112-233-445 96» → «Неверное контрольное число СНИЛС
//!   «112-233-445 96»: для 112-233-445 должно быть 95».
//!
//! How to fix
//!   Re-type the СНИЛС from the applicant's document (the green card or the «АДИ-РЕГ» notice);
//!   if it was right on paper, the applicant should check it with the Social Fund.

use super::{Context, Finding, Rule};
use crate::normalize::text::is_blank;

/// Numbers up to this one were issued without a check number.
const NO_CHECK_UP_TO: u32 = 1_001_998;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for app in &ctx.ds.applications {
        if is_blank(&app.snils) {
            continue;
        }
        let Err(problem) = validate(&app.snils) else {
            continue;
        };
        out.push(Finding {
            field: ctx.ds.label(app.at, "snils").into(),
            value: app.snils.to_string(),
            message: problem.into(),
            fix: "Перепроверьте СНИЛС по документу заявителя (страховое свидетельство или \
                  уведомление АДИ-РЕГ) и исправьте его в заявке"
                .into(),
            ..ctx.finding(rule, app.at, &app.app_no, &app.responsible)
        });
    }
}

/// `Ok` for a well-formed СНИЛС with the right check number, else what is wrong.
fn validate(raw: &str) -> Result<(), String> {
    let text = raw.trim();
    let text = text.strip_suffix(".0").unwrap_or(text);
    if text
        .chars()
        .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '–' | '—')))
    {
        return Err(format!(
            "СНИЛС «{raw}» содержит посторонние символы: нужны 11 цифр вида 123-456-789 01"
        ));
    }
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 11 {
        let hint = if (9..11).contains(&digits.len()) {
            " (возможно, Excel отбросил ведущие нули)"
        } else {
            ""
        };
        return Err(format!(
            "В СНИЛС «{raw}» не 11 цифр, а {}{hint}",
            digits.len()
        ));
    }
    let (number, given) = digits.split_at(9);
    let body = number.iter().fold(0, |acc, d| acc * 10 + d);
    let given = given[0] * 10 + given[1];
    let expected = check_number(number);
    if body <= NO_CHECK_UP_TO || given == expected {
        return Ok(());
    }
    let grouped = format!(
        "{:03}-{:03}-{:03}",
        body / 1_000_000,
        body / 1000 % 1000,
        body % 1000
    );
    Err(format!(
        "Неверное контрольное число СНИЛС «{raw}»: для {grouped} должно быть {expected:02}"
    ))
}

/// The check number of the first nine digits.
fn check_number(digits: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip((1..=9).rev()).map(|(d, w)| d * w).sum();
    match sum {
        0..=99 => sum,
        100 | 101 => 0,
        _ => match sum % 101 {
            100 => 0,
            rest => rest,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{check_number, validate};
    use crate::rules::fixtures::{all_flow, flow, one};
    use crate::testutil::flagged;

    fn digits(s: &str) -> Vec<u32> {
        s.chars().filter_map(|c| c.to_digit(10)).collect()
    }

    #[test]
    fn check_number_follows_the_algorithm() {
        assert_eq!(check_number(&digits("112233445")), 95); // sum 95
        assert_eq!(check_number(&digits("001239570")), 99); // sum 99
        assert_eq!(check_number(&digits("001326679")), 0); // sum 100
        assert_eq!(check_number(&digits("001508816")), 0); // sum 101
        assert_eq!(check_number(&digits("123456789")), 64); // 165 % 101
        assert_eq!(check_number(&digits("017996174")), 0); // 201 % 101 = 100
    }

    #[test]
    fn accepts_every_usual_spelling() {
        for ok in [
            "112-233-445 95",
            "11223344595",
            "112 233 445 95",
            " 123-456-789 64 ",
            "001-326-679 00",
            "017-996-174 00",
            "12345678964.0",
            "001-001-998 12",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn rejects_wrong_check_numbers_and_shapes() {
        assert_eq!(
            validate("112-233-445 96").unwrap_err(),
            "Неверное контрольное число СНИЛС «112-233-445 96»: для 112-233-445 должно быть 95"
        );
        assert!(validate("017-996-174 01").is_err());
        assert!(validate("002-001-998 12").is_err());
        assert_eq!(
            validate("123-456-78").unwrap_err(),
            "В СНИЛС «123-456-78» не 11 цифр, а 8"
        );
        assert!(validate("1234567896").unwrap_err().contains("ведущие нули"));
        assert!(validate("123-456-789 6a")
            .unwrap_err()
            .contains("посторонние символы"));
        assert!(validate("112-233-445 955").is_err());
    }

    #[test]
    fn flags_only_bad_snils_in_the_export() {
        // 48106 wrong check number, 48107 too short; 48105 has none (FLOW001)
        assert_eq!(flagged("FLOW002", &all_flow()), ["48106", "48107"]);
    }

    #[test]
    fn finding_carries_the_raw_value() {
        let f = one("FLOW002", &all_flow(), "48106");
        assert_eq!(f.field, "СНИЛС");
        assert_eq!(f.value, "112-233-445 96");
        assert!(f.message.contains("должно быть 95"), "{}", f.message);
    }

    #[test]
    fn export_without_snils_column_is_skipped() {
        let ds = flow(&[]);
        assert!(flagged("FLOW002", &ds).is_empty());
        let ds = crate::testutil::dataset(&[(
            "applications.csv",
            "Номер заявки,ФИО\n49101,Орлова Ева Игоревна\n",
        )]);
        assert!(flagged("FLOW002", &ds).is_empty());
    }
}
