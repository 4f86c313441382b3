//! Person names: display cleanup and a folded form for comparison (spec §3 «Names»).

use std::borrow::Cow;

use crate::normalize::text;

/// Trim, NBSP → space, collapse internal whitespace (borrowed when there is nothing to do).
pub fn clean_display(s: &str) -> Cow<'_, str> {
    let clean = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.contains(|c: char| c.is_whitespace() && c != ' ');
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Comparison form: lowercase, `ё`→`е`, Latin look-alikes inside Cyrillic words → Cyrillic,
/// punctuation and hyphens → space, spaces collapsed. `«Ивaнов-Пётр»` (Latin `a`) → `иванов петр`.
pub fn fold(s: &str) -> String {
    fold_words(&lowercase(s), |c| text::is_letter(c) || text::is_digit(c))
}

/// [`fold`] of lowercase text whose words are made of `word_char`s.
fn fold_words(lower: &str, word_char: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(lower.len());
    for word in lower.split(|c: char| !word_char(c)) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let cyrillic = word.chars().any(is_cyrillic);
        for c in word.chars() {
            out.push(match c {
                'ё' => 'е',
                c if cyrillic => lookalike(c).unwrap_or(c),
                c => c,
            });
        }
    }
    out
}

/// The words of [`fold`].
pub fn tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// [`str::to_lowercase`], without the Unicode tables for ASCII and Russian letters.
fn lowercase(s: &str) -> String {
    if s.contains('Σ') {
        // its lowercase depends on the letters around it
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match text::lower_letter(c) {
            Some(lower) => out.push(lower),
            None if c.is_ascii() => out.push(c),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Word-order-insensitive key: `Иванов Иван` and `иван  ИВАНОВ` give the same key.
pub fn name_key(s: &str) -> String {
    let mut words = tokens(s);
    words.sort_unstable();
    words.join(" ")
}

/// True when some word mixes Cyrillic and Latin letters (`Ивaнов` with a Latin `a`).
pub fn has_latin_lookalikes(s: &str) -> bool {
    s.split(|c: char| !c.is_alphabetic())
        .any(|word| word.chars().any(is_cyrillic) && word.chars().any(|c| c.is_ascii_alphabetic()))
}

/// 1–4 words made of letters (Cyrillic or Latin) with optional hyphens, apostrophes and
/// initials' dots; no digits. `Иванов Иван` → true, `Купчинская 4-3-22` → false.
pub fn looks_like_person_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().any(is_letter)
                && w.chars()
                    .all(|c| is_letter(c) || matches!(c, '-' | '\'' | '’' | '.'))
        })
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (is_cyrillic(c) && c.is_alphabetic())
}

/// Cyrillic twin of a lowercase Latin letter that looks the same in at least one case.
fn lookalike(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`fold`] through the Unicode tables for every character.
    fn fold_reference(s: &str) -> String {
        fold_words(&s.to_lowercase(), char::is_alphanumeric)
    }

    proptest! {
        #[test]
        fn fold_fast_path_agrees_with_the_unicode_tables(
            s in "[a-zA-Zа-яА-ЯёЁ0-9 ,.\\-«»—İẞΣσ٣\\PC]{0,30}"
        ) {
            prop_assert_eq!(fold(&s), fold_reference(&s));
        }
    }

    #[test]
    fn clean_display_collapses_whitespace_and_nbsp() {
        assert_eq!(
            clean_display("  Иванов\u{a0}\u{a0}Иван \t Петрович "),
            "Иванов Иван Петрович"
        );
        assert_eq!(clean_display(""), "");
    }

    #[test]
    fn fold_ignores_case_and_yo() {
        assert_eq!(fold("Иванов Пётр"), fold("иванов петр"));
        assert_eq!(fold("ЁЛКИН"), "елкин");
    }

    #[test]
    fn fold_maps_latin_lookalikes_in_cyrillic_words() {
        // Latin a, o, C, X, H, b, y, k, m, t, p, e inside Cyrillic words.
        assert_eq!(fold("Ив\x61н\x6Fв"), "иванов");
        assert_eq!(fold("\x43мирнова"), "смирнова");
        assert_eq!(fold("Ти\x58о\x48ов"), "тихонов");
        assert_eq!(fold("\x62\x79\x6b\x6d\x74\x70\x65ж"), "вукмтреж");
        // Pure Latin words stay Latin.
        assert_eq!(fold("John Smith"), "john smith");
    }

    #[test]
    fn fold_turns_punctuation_into_spaces() {
        assert_eq!(fold("Римский-Корсаков,  Н.А."), "римский корсаков н а");
        assert_eq!(fold("  (Иванов) "), "иванов");
    }

    #[test]
    fn name_key_is_word_order_insensitive() {
        assert_eq!(name_key("Иванов Иван"), name_key("Иван  ИВАНОВ"));
        assert_eq!(name_key("Пётр Ив\x61нов"), name_key("иванов петр"));
        assert_ne!(name_key("Иванов Иван"), name_key("Иванов Пётр"));
        assert_eq!(tokens("Иванов-Петров Иван"), ["иванов", "петров", "иван"]);
    }

    #[test]
    fn detects_mixed_script_words() {
        assert!(has_latin_lookalikes("Ив\x61нов Иван"));
        assert!(!has_latin_lookalikes("Иванов Иван"));
        assert!(!has_latin_lookalikes("Иванов John"));
        assert!(has_latin_lookalikes("Иванов-П\x65тров"));
    }

    #[test]
    fn person_name_heuristic() {
        assert!(looks_like_person_name("Иванов Иван"));
        assert!(looks_like_person_name("Иванов Иван Петрович"));
        assert!(looks_like_person_name("Римский-Корсаков Н.А."));
        assert!(looks_like_person_name("John O'Neil"));
        assert!(!looks_like_person_name("Купчинская 4-3-22"));
        assert!(!looks_like_person_name(""));
        assert!(!looks_like_person_name("- -"));
        assert!(!looks_like_person_name("один два три четыре пять"));
        assert!(!looks_like_person_name("Иванов +79211234567"));
    }
}
