//! Steps shared by the fast and the reference path: placeholders, Excel damage, extensions.

use crate::normalize::text::is_blank;

/// Extension markers, lowercase, matched case-insensitively right before the extension digits.
const EXTENSION_MARKERS: [&str; 8] = ["добавочный", "доб", "доп", "вн", "ext", "x", "х", "#"];

/// A trimmed piece split into the number proper and its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Prepared<'a> {
    pub raw: &'a str,
    pub body: &'a str,
    pub extension: Option<&'a str>,
}

/// `None` for a placeholder («нет», «—», «0», empty…); otherwise the piece with Excel damage
/// (leading apostrophe, trailing `.0`) repaired and the extension cut off.
pub(super) fn prepare(raw: &str) -> Option<Prepared<'_>> {
    let raw = raw.trim();
    if raw == "0" || (!raw.starts_with(|c: char| c.is_ascii_digit()) && is_blank(raw)) {
        return None;
    }
    let body = strip_excel_damage(raw);
    let (body, extension) = split_extension(body);
    Some(Prepared {
        raw,
        body,
        extension,
    })
}

/// `'89211234567` → `89211234567`; `79211234567.0` → `79211234567`.
fn strip_excel_damage(s: &str) -> &str {
    let s = s.strip_prefix('\'').unwrap_or(s).trim_start();
    match s.strip_suffix(".0") {
        Some(head)
            if head.bytes().any(|b| b.is_ascii_digit())
                && head
                    .strip_prefix('+')
                    .unwrap_or(head)
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => s,
    }
}

/// Cuts a trailing extension (`доб. 335`, `доп 12`, `ext. 12`, `x12`, `#12`, `(доб. 12)`,
/// `, доб. 12`) off a number. Without a marker, or without digits before it, nothing is cut.
fn split_extension(s: &str) -> (&str, Option<&str>) {
    match find_extension(s) {
        Some((number, extension)) if number.bytes().any(|b| b.is_ascii_digit()) => {
            (number, Some(extension))
        }
        _ => (s, None),
    }
}

/// True for a piece that is an extension alone, such as `доб. 12`.
pub(super) fn is_bare_extension(s: &str) -> bool {
    find_extension(s.trim()).is_some_and(|(number, _)| number.is_empty())
}

/// `(text before the marker, extension digits)` when `s` ends with a marker and 1–7 digits.
fn find_extension(s: &str) -> Option<(&str, &str)> {
    let trimmed = s.trim_end();
    let inner = trimmed.strip_suffix(')').unwrap_or(trimmed).trim_end();
    let digits_at = inner.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let extension = &inner[digits_at..];
    if extension.is_empty() || extension.len() > 7 {
        return None;
    }
    let before = inner[..digits_at].trim_end();
    let before = before.strip_suffix(['.', ':']).unwrap_or(before).trim_end();
    if !before.ends_with(|c: char| c.is_alphabetic() || c == '#') {
        return None;
    }
    let marker_len = EXTENSION_MARKERS
        .iter()
        .find_map(|marker| marker_suffix_len(before, marker))?;
    let number = before[..before.len() - marker_len]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '('));
    Some((number, extension))
}

/// Byte length of `marker` at the end of `s` (case-insensitive), if it is there as a whole
/// word (a letter marker must not continue a word such as `box`).
fn marker_suffix_len(s: &str, marker: &str) -> Option<usize> {
    let mut chars = s.char_indices().rev();
    let mut start = s.len();
    for expected in marker.chars().rev() {
        let (i, c) = chars.next()?;
        if !c.to_lowercase().eq(std::iter::once(expected)) {
            return None;
        }
        start = i;
    }
    let letter_marker = marker.chars().all(char::is_alphabetic);
    if letter_marker && s[..start].ends_with(char::is_alphabetic) {
        return None;
    }
    Some(s.len() - start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(s: &str) -> (&str, Option<&str>) {
        split_extension(s)
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "  ",
            "нет",
            "НЕТ",
            "-",
            "—",
            "н/д",
            "0",
            " 0 ",
            "не указан",
        ] {
            assert_eq!(prepare(p), None, "{p:?}");
        }
        assert!(prepare("00").is_some());
        assert!(prepare("звонить после 18").is_some());
    }

    #[test]
    fn excel_damage() {
        assert_eq!(strip_excel_damage("79211234567.0"), "79211234567");
        assert_eq!(strip_excel_damage("+79211234567.0"), "+79211234567");
        assert_eq!(strip_excel_damage("'89211234567"), "89211234567");
        assert_eq!(strip_excel_damage("8.921.123.45.0"), "8.921.123.45.0");
        assert_eq!(strip_excel_damage(".0"), ".0");
    }

    #[test]
    fn extensions() {
        assert_eq!(
            cut("8 (812) 555-12-34 доб. 335"),
            ("8 (812) 555-12-34", Some("335"))
        );
        assert_eq!(
            cut("8 (812) 555-12-34 Доб 335"),
            ("8 (812) 555-12-34", Some("335"))
        );
        assert_eq!(
            cut("8 (812) 555-12-34, доп. 12"),
            ("8 (812) 555-12-34", Some("12"))
        );
        assert_eq!(
            cut("8 (812) 555-12-34 (доб. 12)"),
            ("8 (812) 555-12-34", Some("12"))
        );
        assert_eq!(cut("88125551234 ext. 12"), ("88125551234", Some("12")));
        assert_eq!(cut("88125551234 EXT 12"), ("88125551234", Some("12")));
        assert_eq!(cut("88125551234x12"), ("88125551234", Some("12")));
        assert_eq!(cut("88125551234 х 12"), ("88125551234", Some("12")));
        assert_eq!(cut("88125551234#12"), ("88125551234", Some("12")));
        assert_eq!(cut("88125551234 вн. 7"), ("88125551234", Some("7")));
        assert_eq!(
            cut("88125551234 добавочный 4455"),
            ("88125551234", Some("4455"))
        );
    }

    #[test]
    fn no_extension() {
        for s in [
            "89211234567",
            "8 921 123 45 67",
            "доб. 12",
            "88125551234 box12",
            "88125551234 доб.",
            "звонить после 18",
        ] {
            assert_eq!(cut(s), (s, None), "{s:?}");
        }
    }

    #[test]
    fn bare_extensions() {
        assert!(is_bare_extension(" доб. 12 "));
        assert!(is_bare_extension("ext 5"));
        assert!(!is_bare_extension("8 921 123-45-67 доб. 12"));
        assert!(!is_bare_extension("89211234567"));
        assert!(!is_bare_extension("доб."));
    }
}
