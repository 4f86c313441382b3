//! Masking of personal data for `--mask-pii`: outputs that can be shared (a report for a
//! supervisor, a CI log) keep enough of each value to recognise it, not to use it.
//!
//! All functions are total: any input gives a masked string, never a panic, and never the
//! unmasked value for anything longer than 4 characters.

use chrono::{Datelike, NaiveDate};

const STARS: &str = "***";

/// `"+79211234567"` → `"+7921***4567"`: an E.164 number (`+` and 8 to 15 digits) keeps its
/// first 4 digits (country and area code) and last 4, each hidden digit becomes `*`.
/// Anything else (raw or short input) keeps its first 2 and last 2 characters with stars
/// between; 4 characters or fewer become `***`. Surrounding whitespace is ignored.
pub fn mask_phone(e164_or_raw: &str) -> String {
    let s = e164_or_raw.trim();
    if let Some(digits) = s.strip_prefix('+') {
        let n = digits.len();
        if (8..=15).contains(&n) && digits.bytes().all(|b| b.is_ascii_digit()) {
            return format!("+{}{}{}", &digits[..4], "*".repeat(n - 8), &digits[n - 4..]);
        }
    }
    mask_middle(s, 2, 2)
}

/// `"ivanov@mail.ru"` → `"i***@mail.ru"`: the first character of the local part, then `***`,
/// then the domain. Without an `@`, the first character and `***`.
pub fn mask_email(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        return String::new();
    }
    let (local, domain) = match s.rfind('@') {
        Some(at) => (&s[..at], &s[at..]),
        None => (s, ""),
    };
    let first: String = local.chars().take(1).collect();
    format!("{first}{STARS}{domain}")
}

/// Any birthday text → its year only (`"15.03.1985"`, `"1985-03-15"`, `"15-03-1985 00:00"`,
/// an Excel serial day number such as `"31121"` → `"1985"`); empty stays empty; text that is
/// not a date → `"***"`.
pub fn mask_birthday(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        return String::new();
    }
    match birthday_year(s) {
        Some(y) => format!("{y:04}"),
        None => STARS.to_string(),
    }
}

fn birthday_year(s: &str) -> Option<i32> {
    let plausible = |y: i32| (1800..=2200).contains(&y).then_some(y);

    // An Excel serial date (days since 1899-12-30), possibly damaged to "31121.0".
    if let Ok(n) = s.replace(',', ".").parse::<f64>() {
        if (1.0..2_958_466.0).contains(&n) && !(s.len() == 4 && n.fract() == 0.0) {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
            let date = base.checked_add_days(chrono::Days::new(n.trunc() as u64))?;
            return plausible(date.year());
        }
    }

    let runs: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    let num = |r: &str| r.parse::<u32>().ok();
    match runs.as_slice() {
        // "1985"
        [y] if y.len() == 4 => plausible(num(y)? as i32),
        // "март 1985", "15 марта 1985"
        [_, y] if y.len() == 4 && s.chars().any(char::is_alphabetic) => plausible(num(y)? as i32),
        // dd.mm.yyyy[ time…] or yyyy-mm-dd[ time…]
        [a, b, c, ..] => {
            let (y, m, d) = if c.len() == 4 {
                (c, b, a)
            } else if a.len() == 4 {
                (a, b, c)
            } else {
                return None;
            };
            let date = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)?;
            plausible(date.year())
        }
        _ => None,
    }
}

/// Keep `head` and `tail` characters, a star for each hidden one (at least `***`); strings too
/// short to hide anything become `***`.
fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    if n <= head + tail {
        return STARS.to_string();
    }
    let hidden = n - head - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(hidden.max(3)));
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(mask_phone("+79211234567"), "+7921***4567");
        assert_eq!(mask_phone(" +79211234567 "), "+7921***4567");
        assert_eq!(mask_phone("+77011234567"), "+7701***4567");
        assert_eq!(mask_phone("+4930123456789"), "+4930*****6789");
        assert_eq!(mask_phone("8 921 123-45-67"), "8 ***********67");
        assert_eq!(mask_phone("1234567"), "12***67");
        assert_eq!(mask_phone("12345"), "12***45");
        assert_eq!(mask_phone("1234"), "***");
        assert_eq!(mask_phone("+7"), "***");
        assert_eq!(mask_phone("нет"), "***");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn emails() {
        assert_eq!(mask_email("ivanov@mail.ru"), "i***@mail.ru");
        assert_eq!(mask_email("Ёжик@почта.рф"), "Ё***@почта.рф");
        assert_eq!(mask_email("@mail.ru"), "***@mail.ru");
        assert_eq!(mask_email("a\"b@c\"@x.ru"), "a***@x.ru");
        assert_eq!(mask_email("no-at-sign"), "n***");
        assert_eq!(mask_email(""), "");
    }

    #[test]
    fn birthdays() {
        let cases = [
            ("15.03.1985", "1985"),
            ("15.03.1985 00:00:00", "1985"),
            ("15-03-1985 12:30", "1985"),
            ("1985-03-15", "1985"),
            ("1985-03-15T00:00:00", "1985"),
            ("15/03/1985", "1985"),
            ("1985", "1985"),
            ("15 марта 1985", "1985"),
            ("31121", "1985"),
            ("31121.0", "1985"),
            ("01.01.1970", "1970"),
            ("31.02.1985", "***"),
            ("15.03.85", "***"),
            ("не знаю", "***"),
            ("0", "***"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_birthday(input), expected, "input {input:?}");
        }
    }
}
