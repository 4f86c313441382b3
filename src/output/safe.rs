//! Formula-injection safety for CSV cells (spec §7, OWASP "CSV Injection").
//!
//! Excel, LibreOffice and Google Sheets evaluate a CSV cell that starts with `=`, `+`, `-` or `@`
//! (and, in some versions, a leading tab or carriage return) as a formula, which lets data taken
//! from a CRM run `HYPERLINK`/`DDE` payloads on the admin's machine. The OWASP-recommended
//! neutraliser is a leading single quote `'`, which [`csv_safe`] adds.
//!
//! Two kinds of value are deliberately left untouched although they start with `+` or `-`,
//! because they cannot call a function and escaping them would damage our import files:
//!
//! - **phone numbers** in E.164 or RU formatted form (`+79211234567`, `+7 (921) 123-45-67`): a
//!   `+` followed only by digits, spaces, `(`, `)` and `-`. amoCRM's importer treats every cell
//!   as text and would keep a leading `'` as part of the number, breaking the phone we just
//!   normalised; a string made only of digits and arithmetic signs can at worst evaluate to a
//!   number in a spreadsheet, never run anything;
//! - **negative numbers** such as `-200`, `-1 500,50` or `-1500.5`: a pure number is not a
//!   formula.
//!
//! XLSX output does not use this module: there every text is written as a string cell, which is
//! inert (see [`crate::output::xlsx`]).

use std::borrow::Cow;
use std::fmt::Write;

/// `s` for a terminal: control characters (an escape sequence `\x1b[31m` that would recolour or
/// rewrite the screen, a carriage return that would overwrite the line, NUL…) shown escaped as
/// `\x1B`; line breaks and tabs kept.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Does `s` start with a character that a spreadsheet may treat as the start of a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return)?
pub fn needs_escape(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// `s`, made safe to put in a CSV cell: prefixed with `'` when it [`needs_escape`], except for
/// formatted phone numbers and plain negative numbers (see the module docs).
pub fn csv_safe(s: &str) -> Cow<'_, str> {
    if !needs_escape(s) || is_phone(s) || is_negative_number(s) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() + 1);
        out.push('\'');
        out.push_str(s);
        Cow::Owned(out)
    }
}

/// `+` then digits, spaces, parentheses and dashes only, with at least one digit; several such
/// numbers may be listed with `,` / `;` (`+79211234567, +79111234567`): without letters nothing
/// can be called.
fn is_phone(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('+') else {
        return false;
    };
    rest.bytes().any(|b| b.is_ascii_digit())
        && rest.bytes().all(|b| {
            b.is_ascii_digit() || matches!(b, b' ' | b'(' | b')' | b'-' | b',' | b';' | b'+')
        })
}

/// `-` then a number: starts and ends with a digit; inside, digits, (non-breaking / thin) spaces
/// used as thousands separators, and `,` / `.` as decimal or thousands separators.
fn is_negative_number(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('-') else {
        return false;
    };
    let starts = rest.chars().next().is_some_and(|c| c.is_ascii_digit());
    let ends = rest.chars().last().is_some_and(|c| c.is_ascii_digit());
    starts
        && ends
        && rest.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | ',' | '.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, &str)] = &[
            ("=SUM(A1)", "'=SUM(A1)"),
            ("=1+1", "'=1+1"),
            ("+79211234567", "+79211234567"),
            ("+7 921 123-45-67", "+7 921 123-45-67"),
            ("+7 (921) 123-45-67", "+7 (921) 123-45-67"),
            ("+79211234567, +79111234567", "+79211234567, +79111234567"),
            (
                "+7 921 123-45-67; 8 911 123-45-67",
                "+7 921 123-45-67; 8 911 123-45-67",
            ),
            ("+1,HYPERLINK(1)", "'+1,HYPERLINK(1)"),
            ("+7 921 123-45-67 доб. 335", "'+7 921 123-45-67 доб. 335"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("+", "'+"),
            ("-200", "-200"),
            ("-1 500,50", "-1 500,50"),
            ("-1\u{a0}500,50", "-1\u{a0}500,50"),
            ("-1500.5", "-1500.5"),
            ("-cmd", "'-cmd"),
            ("-2+3", "'-2+3"),
            ("-", "'-"),
            ("-200-", "'-200-"),
            ("@x", "'@x"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Иванов Иван", "Иванов Иван"),
            ("", ""),
            ("a=b", "a=b"),
            (" =1+1", " =1+1"),
            ("'already", "'already"),
        ];
        for (input, expected) in cases {
            assert_eq!(csv_safe(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn borrowed_when_unchanged() {
        assert!(matches!(csv_safe("plain"), Cow::Borrowed(_)));
        assert!(matches!(csv_safe("+79211234567"), Cow::Borrowed(_)));
    }

    #[test]
    fn needs_escape_first_char_only() {
        assert!(needs_escape("=x"));
        assert!(needs_escape("-200"));
        assert!(!needs_escape("x="));
        assert!(!needs_escape(""));
    }

    #[test]
    fn terminal_text_shows_controls_escaped() {
        assert_eq!(
            terminal_safe("«\x1b[31mИванов\x1b[0m»\r\0\u{9b}2J"),
            "«\\x1B[31mИванов\\x1B[0m»\\x0D\\x00\\x9B2J"
        );
        assert!(matches!(
            terminal_safe("строка\n\tвторая"),
            Cow::Borrowed(_)
        ));
    }
}
