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
    let mut out = Vec::new();
    scan(text, |e164, start, end| {
        out.push(Mention {
            e164: e164.to_string(),
            start,
            end,
        })
    });
    out
}

/// Calls `found(e164, start, end)` for every number of `text`, left to right, without
/// allocating per number. Works on bytes: digits and ASCII separators are ASCII, and the
/// non-ASCII separators (no-break space, non-breaking hyphen, en dash) are recognised whole.
pub fn scan(text: &str, mut found: impl FnMut(&str, usize, usize)) {
    let bytes = text.as_bytes();
    let from = leading_datetime_len(bytes);
    if bytes[from..].iter().filter(|b| b.is_ascii_digit()).count() < 10 {
        return;
    }
    let mut run: Vec<Group> = Vec::new();
    let mut plus = false;
    let mut digit_start: Option<usize> = None;
    let mut i = from;
    while i < bytes.len() {
        if run.is_empty() && digit_start.is_none() && !plus {
            // Outside a number: jump to the next digit or `+`.
            match bytes[i..]
                .iter()
                .position(|b| b.is_ascii_digit() || *b == b'+')
            {
                Some(k) => i += k,
                None => break,
            }
        }
        let b = bytes[i];
        if b.is_ascii_digit() {
            digit_start.get_or_insert(i);
            i += 1;
            continue;
        }
        if let Some(start) = digit_start.take() {
            run.push(Group {
                start,
                end: i,
                plus,
            });
            plus = false;
        }
        let separator = separator_len(&bytes[i..]);
        match (b, separator) {
            (b'+', _) => plus = true,
            (_, Some(_)) => {}
            _ => {
                plus = false;
                if !run.is_empty() {
                    scan_run(text, &run, &mut found);
                    run.clear();
                }
            }
        }
        i += separator.unwrap_or(1);
    }
    if let Some(start) = digit_start {
        run.push(Group {
            start,
            end: bytes.len(),
            plus,
        });
    }
    scan_run(text, &run, &mut found);
}

/// The length of the `dd.mm.yyyy HH:MM[:SS]` stamp that starts most CRM notes (0 when there is
/// none): it is no phone number, and skipping it lets most notes be dismissed by a digit count.
fn leading_datetime_len(b: &[u8]) -> usize {
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date = digits(0..2)
        && matches!(b.get(2), Some(b'.' | b'-'))
        && digits(3..5)
        && b.get(5) == b.get(2)
        && digits(6..10);
    if !date {
        return 0;
    }
    let time =
        b.get(10) == Some(&b' ') && digits(11..13) && b.get(13) == Some(&b':') && digits(14..16);
    match (time, b.get(16) == Some(&b':') && digits(17..19)) {
        (true, true) => 19,
        (true, false) => 16,
        _ => 10,
    }
}

/// The byte length of a separator allowed inside a written number at the start of `rest`.
fn separator_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b' ' | b'-' | b'(' | b')' | b'.' | b'+', ..] => Some(1),
        [0xC2, 0xA0, ..] => Some(2),
        [0xE2, 0x80, 0x91 | 0x93, ..] => Some(3),
        _ => None,
    }
}

/// A digit group inside a run: byte range and whether a `+` stands before it.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    plus: bool,
}

/// The numbers of a run, left to right, without overlap: from each group the longest window
/// of consecutive groups whose digits form a plausible number.
fn scan_run(text: &str, run: &[Group], found: &mut impl FnMut(&str, usize, usize)) {
    let mut s = 0;
    while s < run.len() {
        let mut digits = Digits::default();
        let mut best: Option<(usize, Digits)> = None;
        for (last, g) in run.iter().enumerate().skip(s).take(MAX_GROUPS) {
            if !digits.push(&text[g.start..g.end]) {
                break;
            }
            if let Some(e164) = digits.e164(run[s].plus) {
                best = Some((last, e164));
            }
        }
        match best {
            Some((last, e164)) => {
                found(e164.as_str(), run[s].start, run[last].end);
                s = last + 1;
            }
            None => s += 1,
        }
    }
}

/// Up to 16 ASCII bytes on the stack: the digits of a window, or an E.164 number.
#[derive(Debug, Clone, Copy, Default)]
struct Digits {
    buf: [u8; 16],
    len: usize,
}

impl Digits {
    /// Appends ASCII digits; false when they no longer fit.
    fn push(&mut self, digits: &str) -> bool {
        let end = self.len + digits.len();
        if end > self.buf.len() {
            return false;
        }
        self.buf[self.len..end].copy_from_slice(digits.as_bytes());
        self.len = end;
        true
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// The E.164 form of the digits as Russians write numbers; `None` when they cannot be one.
    fn e164(&self, plus: bool) -> Option<Digits> {
        let d = &self.buf[..self.len];
        let (prefix, body): (&str, &[u8]) = match (plus, d.len(), d.first()?) {
            (true, 11..=15, _) | (false, 11, b'7') => ("+", d),
            (false, 11, b'8') => ("+7", &d[1..]),
            (false, 10, _) => ("+7", d),
            _ => return None,
        };
        let mut out = Digits::default();
        out.push(prefix);
        out.push(std::str::from_utf8(body).ok()?).then_some(out)
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
        assert_eq!(
            context_before(text, 0, partner.start, 40),
            "Прораб Сергей, тел. "
        );
        assert_eq!(
            context_before(text, partner.end, client.start, 40),
            ", клиент Иванов "
        );
        assert_eq!(context_before(text, 0, partner.start, 5), "тел. ");
    }

    #[test]
    fn typographic_separators_join_a_number_and_other_letters_split() {
        assert_eq!(
            found("тел.\u{a0}8\u{a0}921\u{a0}123–45–67"),
            vec!["+79211234567"]
        );
        assert_eq!(found("8‑921‑123‑45‑67"), vec!["+79211234567"]);
        assert_eq!(found("89211234ж567 и 12"), Vec::<String>::new());
        assert_eq!(found("ж89211234567ж"), vec!["+79211234567"]);
    }

    #[test]
    fn the_date_stamp_of_a_note_is_skipped() {
        assert_eq!(leading_datetime_len(b"20.11.2021 10:48 text"), 16);
        assert_eq!(leading_datetime_len(b"20-11-2021 10:48:30 text"), 19);
        assert_eq!(leading_datetime_len(b"20.11.2021 text"), 10);
        assert_eq!(leading_datetime_len(b"89211234567"), 0);
        assert_eq!(leading_datetime_len(b"20.1"), 0);
        assert!(mentions("20.11.2021 10:48 Иванов А.: думает, перезвонить 25.11").is_empty());
        let ms = mentions("20.11.2021 10:48 номер клиентки 8 921 765-43-21");
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].e164, "+79217654321");
        assert_eq!(found("8 921 765-43-21 звонить"), vec!["+79217654321"]);
    }

    #[test]
    fn plus_prefix_keeps_foreign_numbers() {
        assert_eq!(found("Минск +375 29 123 45 67"), vec!["+375291234567"]);
    }
}
