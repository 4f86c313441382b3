//! Phone numbers mentioned in free text (deal notes), in any common format: `8 921 123-45-67`,
//! `+7(921)1234567`, `89211234567`, `8.921.123.45.67`. Used only to find known numbers, so a
//! digit run that merely looks like a number costs nothing.

/// A number found in a text: its E.164 candidate and where it starts and ends (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub e164: String,
    pub start: usize,
    pub end: usize,
}

/// At most this many digit groups make one number (`8 921 123 45 67` has five).
const MAX_GROUPS: usize = 6;

/// Every number-like run of `text`. Texts with fewer than 10 digits are skipped at once.
pub fn mentions(text: &str) -> Vec<Mention> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for run in runs(text) {
        scan_run(text, &run, &mut out);
    }
    out
}

/// A digit group inside a run: byte range and whether a `+` stands right before it.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    plus: bool,
}

/// Maximal stretches of digits and phone punctuation, split into digit groups.
fn runs(text: &str) -> Vec<Vec<Group>> {
    let mut runs = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut plus = false;
    let mut digit_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_digit() {
            digit_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = digit_start.take() {
            groups.push(Group {
                start,
                end: i,
                plus,
            });
            plus = false;
        }
        match c {
            '+' => plus = true,
            ' ' | '\u{a0}' | '-' | '(' | ')' | '.' | '\u{2011}' | '\u{2013}' => {}
            _ => {
                plus = false;
                if !groups.is_empty() {
                    runs.push(std::mem::take(&mut groups));
                }
            }
        }
    }
    if let Some(start) = digit_start {
        groups.push(Group {
            start,
            end: text.len(),
            plus,
        });
    }
    if !groups.is_empty() {
        runs.push(groups);
    }
    runs
}

/// The numbers of a run, left to right, without overlap: from each group the longest window
/// of consecutive groups whose digits form a plausible number.
fn scan_run(text: &str, run: &[Group], out: &mut Vec<Mention>) {
    let mut digits = String::with_capacity(16);
    let mut s = 0;
    while s < run.len() {
        let first = run[s];
        let mut best: Option<(usize, String)> = None;
        digits.clear();
        for (last, g) in run.iter().enumerate().skip(s).take(MAX_GROUPS) {
            digits.push_str(&text[g.start..g.end]);
            if digits.len() > 15 {
                break;
            }
            if let Some(e164) = candidate(&digits, first.plus) {
                best = Some((last, e164));
            }
        }
        match best {
            Some((last, e164)) => {
                out.push(Mention {
                    e164,
                    start: first.start,
                    end: run[last].end,
                });
                s = last + 1;
            }
            None => s += 1,
        }
    }
}

/// The E.164 form of a digit string as Russians write numbers; `None` when it cannot be one.
fn candidate(digits: &str, plus: bool) -> Option<String> {
    let first = digits.as_bytes().first().copied()?;
    match (plus, digits.len(), first) {
        (true, 11..=15, _) | (false, 11, b'7') => Some(format!("+{digits}")),
        (false, 11, b'8') => Some(format!("+7{}", &digits[1..])),
        (false, 10, _) => Some(format!("+7{digits}")),
        _ => None,
    }
}

/// Up to `max_chars` characters of `text` before byte offset `end`, starting no earlier than
/// byte offset `floor` (the end of the previous mention).
pub fn context_before(text: &str, floor: usize, end: usize, max_chars: usize) -> &str {
    let head = text.get(floor..end).unwrap_or("");
    let skip = head.chars().count().saturating_sub(max_chars);
    let from = head.char_indices().nth(skip).map_or(head.len(), |(i, _)| i);
    &head[from..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut v: Vec<String> = mentions(text).into_iter().map(|m| m.e164).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn common_formats_in_russian_notes() {
        let text = "12.03.2025 14:00 Клиент просил звонить на 8 (921) 765-43-21, \
                    прораб Сергей тел.+7 911 000-11-22; договор 17/23";
        let v = found(text);
        assert!(v.contains(&"+79217654321".to_string()), "{v:?}");
        assert!(v.contains(&"+79110001122".to_string()), "{v:?}");
        assert_eq!(found("звонить 89211234567"), vec!["+79211234567"]);
        assert_eq!(found("звонить 8.921.123.45.67"), vec!["+79211234567"]);
        assert_eq!(found("тел: 9211234567"), vec!["+79211234567"]);
    }

    #[test]
    fn two_numbers_in_one_run_are_both_found() {
        let v = found("89211234567 89217654321");
        assert!(v.contains(&"+79211234567".to_string()), "{v:?}");
        assert!(v.contains(&"+79217654321".to_string()), "{v:?}");
    }

    #[test]
    fn dates_amounts_and_short_texts_are_not_numbers_of_interest() {
        assert!(mentions("перезвонить 12.03.2025").is_empty());
        assert!(mentions("").is_empty());
        let v = found("замер 12.03.2025 в 14:00, сумма 150 000 руб");
        assert!(!v.contains(&"+79211234567".to_string()));
    }

    #[test]
    fn mention_offsets_and_context() {
        let text = "Прораб Сергей, тел. 89211234567, клиент Иванов 89217654321";
        let ms = mentions(text);
        let client = ms.iter().find(|m| m.e164 == "+79217654321").unwrap();
        let partner = ms.iter().find(|m| m.e164 == "+79211234567").unwrap();
        assert_eq!(&text[partner.start..partner.end], "89211234567");
        assert_eq!(context_before(text, 0, partner.start, 40), "Прораб Сергей, тел. ");
        assert_eq!(
            context_before(text, partner.end, client.start, 40),
            ", клиент Иванов "
        );
        assert_eq!(context_before(text, 0, partner.start, 5), "тел. ");
    }

    #[test]
    fn plus_prefix_keeps_foreign_numbers() {
        assert_eq!(found("Минск +375 29 123 45 67"), vec!["+375291234567"]);
    }
}
