//! Free-text helpers: phrase folding for stop-lists, money/number parsing, blank detection.

/// Values that mean «nothing here» in CRM exports (compared case-insensitively).
const PLACEHOLDERS: [&str; 9] = [
    "-",
    "—",
    "–",
    "нет",
    "н/д",
    "не указан",
    "null",
    "none",
    "n/a",
];

/// Lowercase, `ё`→`е`, every non-alphanumeric char → space, collapse and trim.
/// `«Перезвонить!!»` and `перезвонить` fold to the same phrase.
pub fn fold_phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, |folded| match folded {
            Some(c) => out.push(c),
            None if !out.is_empty() && !out.ends_with(' ') => out.push(' '),
            None => {}
        });
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of [`fold_phrase`]`(s)` one by one, without building the phrase: `f` gets each
/// word and says whether to go on.
pub fn fold_words(s: &str, mut f: impl FnMut(&str) -> bool) {
    let mut word = String::new();
    let mut go_on = true;
    for c in s.chars() {
        fold_char(c, |folded| match folded {
            Some(c) => word.push(c),
            None if !word.is_empty() && go_on => {
                go_on = f(&word);
                word.clear();
            }
            None => {}
        });
        if !go_on {
            return;
        }
    }
    if !word.is_empty() {
        f(&word);
    }
}

/// One character as [`fold_phrase`] folds it: letters and digits (`Some`, lowercase, `ё`→`е`),
/// anything else a gap (`None`). Latin and Russian letters and ASCII without the Unicode
/// tables: notes are mostly these.
#[inline]
fn fold_char(c: char, mut emit: impl FnMut(Option<char>)) {
    match (c, lower_letter(c)) {
        (_, Some('ё')) => emit(Some('е')),
        (_, Some(lower)) => emit(Some(lower)),
        ('0'..='9', _) => emit(Some(c)),
        _ if c.is_ascii() => emit(None),
        _ => {
            for c in c.to_lowercase() {
                match c {
                    'ё' => emit(Some('е')),
                    c if c.is_alphanumeric() => emit(Some(c)),
                    _ => emit(None),
                }
            }
        }
    }
}

/// The lowercase of a Latin or Russian letter, without the Unicode tables; `None` for any other
/// character.
pub fn lower_letter(c: char) -> Option<char> {
    match c {
        'a'..='z' | 'а'..='я' | 'ё' => Some(c),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'Ё' => Some('ё'),
        _ => None,
    }
}

/// [`char::is_alphabetic`], without the Unicode tables for ASCII and Russian letters.
pub fn is_letter(c: char) -> bool {
    lower_letter(c).is_some() || (!c.is_ascii() && c.is_alphabetic())
}

/// [`char::is_numeric`], without the Unicode tables for ASCII and Russian letters.
pub fn is_digit(c: char) -> bool {
    match c {
        '0'..='9' => true,
        _ => !c.is_ascii() && lower_letter(c).is_none() && c.is_numeric(),
    }
}

/// Parses an amount as users type it: `"1 500,50 ₽"`, `"1\u{a0}500"`, `"1500.5"`, `"-200"`,
/// `"1.500.000"`. A comma is the decimal separator unless it repeats. `None` for empty or junk.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = strip_currency(s.trim().trim_start_matches('\''));
    let mut cleaned = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' | '.' | ',' | '-' | '+' => cleaned.push(c),
            '−' => cleaned.push('-'),
            c if c.is_whitespace() || c == '\'' => {}
            _ => return None,
        }
    }
    let cleaned = resolve_separators(&cleaned);
    if !cleaned.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Strips one currency sign or word at either end (`₽`, `руб.`, `р.`, `$`, `€`, `RUB`).
fn strip_currency(s: &str) -> &str {
    const SUFFIXES: [&str; 8] = ["₽", "руб.", "руб", "р.", "rub", "$", "€", "usd"];
    for suffix in SUFFIXES {
        if let Some(head) = strip_suffix_ci(s, suffix) {
            return head.trim_end();
        }
    }
    s.strip_prefix(['$', '€', '₽']).map_or(s, str::trim_start)
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    (tail.to_lowercase() == suffix).then(|| &s[..cut])
}

/// Turns the decimal separator into `.` and drops thousands separators.
fn resolve_separators(s: &str) -> String {
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 1) => Some('.'),
        (1, 0) => Some(','),
        (c, d) if c > 0 && d > 0 => s.rfind([',', '.']).and_then(|i| s[i..].chars().next()),
        _ => None,
    };
    let last_decimal = decimal.and_then(|d| s.rfind(d));
    s.char_indices()
        .filter_map(|(i, c)| match c {
            ',' | '.' if Some(i) == last_decimal => Some('.'),
            ',' | '.' => None,
            _ => Some(c),
        })
        .collect()
}

/// True for an empty/whitespace cell or a placeholder such as «нет», «—», «н/д», «n/a».
pub fn is_blank(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() {
        return true;
    }
    // Lowercasing never shortens a text by characters, so a text with more characters than the
    // longest placeholder («не указан», 9) is no placeholder: most cells stop at these tests.
    if t.len() > 4 * PLACEHOLDER_CHARS || t.chars().nth(PLACEHOLDER_CHARS).is_some() {
        return false;
    }
    // One lowercased copy (inline, no allocation) against every placeholder.
    let lower: compact_str::CompactString = t.chars().flat_map(char::to_lowercase).collect();
    PLACEHOLDERS.contains(&lower.as_str())
}

/// The most characters of a placeholder («не указан»).
const PLACEHOLDER_CHARS: usize = 9;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `fold_phrase` through the Unicode tables for every character.
    fn fold_phrase_reference(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars().flat_map(char::to_lowercase) {
            let c = if c == 'ё' { 'е' } else { c };
            if c.is_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.trim_end().to_string()
    }

    proptest! {
        #[test]
        fn fold_phrase_fast_path_agrees_with_the_unicode_tables(
            s in "[a-zA-Zа-яА-ЯёЁ0-9 ,.!?«»—İẞΣ\\PC]{0,40}"
        ) {
            prop_assert_eq!(fold_phrase(&s), fold_phrase_reference(&s));
        }

        #[test]
        fn fold_words_are_the_words_of_the_folded_phrase(
            s in "[a-zA-Zа-яА-ЯёЁ0-9 ,.!?«»—İẞΣ\\PC]{0,40}",
            stop in 0usize..6,
        ) {
            let phrase = fold_phrase(&s);
            let all: Vec<&str> = phrase.split(' ').filter(|w| !w.is_empty()).collect();
            let mut seen = Vec::new();
            fold_words(&s, |w| {
                seen.push(w.to_string());
                seen.len() < stop
            });
            prop_assert_eq!(&seen[..], &all[..all.len().min(stop.max(1))]);
        }

        #[test]
        fn letter_and_digit_fast_paths_agree_with_the_unicode_tables(
            c in "[a-zA-Zа-яА-ЯёЁ0-9 ,.!?«»—İẞΣ٣Ⅻ\\PC]"
        ) {
            let c = c.chars().next().unwrap();
            prop_assert_eq!(is_letter(c), c.is_alphabetic());
            prop_assert_eq!(is_digit(c), c.is_numeric());
        }
    }

    #[test]
    fn no_placeholder_is_longer_than_is_blank_assumes() {
        assert!(PLACEHOLDERS
            .iter()
            .all(|p| p.chars().count() <= PLACEHOLDER_CHARS && p.to_lowercase() == *p));
        assert!(is_blank(" НЕ УКАЗАН "));
        assert!(!is_blank("не указан адрес"));
    }

    #[test]
    fn fold_phrase_normalises_case_yo_and_punctuation() {
        assert_eq!(fold_phrase("  «Перезвонить!!»  "), "перезвонить");
        assert_eq!(fold_phrase("Ещё   думает..."), "еще думает");
        assert_eq!(fold_phrase("НД"), "нд");
        assert_eq!(fold_phrase("---"), "");
        assert_eq!(fold_phrase("звонок 2 раза"), "звонок 2 раза");
    }

    #[test]
    fn parse_number_handles_russian_formats() {
        assert_eq!(parse_number("1 500,50 ₽"), Some(1500.5));
        assert_eq!(parse_number("1\u{a0}500"), Some(1500.0));
        assert_eq!(parse_number("1\u{202f}500 руб."), Some(1500.0));
        assert_eq!(parse_number("1500.5"), Some(1500.5));
        assert_eq!(parse_number("-200"), Some(-200.0));
        assert_eq!(parse_number("−200"), Some(-200.0));
        assert_eq!(parse_number("1.500.000"), Some(1_500_000.0));
        assert_eq!(parse_number("1,500,000"), Some(1_500_000.0));
        assert_eq!(parse_number("1.500,25"), Some(1500.25));
        assert_eq!(parse_number("1,500.25"), Some(1500.25));
        assert_eq!(parse_number("$ 300"), Some(300.0));
        assert_eq!(parse_number("'45000"), Some(45000.0));
        assert_eq!(parse_number("0"), Some(0.0));
    }

    #[test]
    fn parse_number_rejects_junk() {
        for junk in [
            "", "  ", "-", "нет", "abc", "1e5", "inf", "NaN", "12 шт", ",", "₽",
        ] {
            assert_eq!(parse_number(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn is_blank_recognises_placeholders() {
        for blank in [
            "",
            "  ",
            "-",
            "—",
            "–",
            "нет",
            "НЕТ",
            " Н/Д ",
            "не указан",
            "NULL",
            "None",
            "N/A",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for filled in ["0", "нету данных", "Иванов", "--"] {
            assert!(!is_blank(filled), "{filled:?}");
        }
    }
}
