//! Whose number a deal note gives (RULES-SEMANTICS «Partner cards», evidence 2), read from the
//! phrase that governs the number rather than from any partner word near it: the nearest owner
//! word before the number in its clause decides («Прораб дал номер хозяйки квартиры: 8 905 …»
//! → a client's; «тел. прораба 8 921 …» → the partner's), else the first one right after it
//! («8 921 … (прораб)»). A partner who only passed the number on («прораб дал номер 8 905 …»)
//! owns nothing, unless he gave his own («дал свой номер»). Word stems: the partner tags and
//! `[notes]` of rules/default.toml.

use super::notes::{context_before, Mention};
use crate::normalize::text::fold_phrase;
use crate::params::Params;

/// Who a note says a number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// «тел. прораба 8 921 …», «прораб Иванов 8 921 …», «номер партнёра: …».
    Partner,
    /// «номер хозяйки: …», «клиентка Алина 8-921-…», «перезвонить клиенту по 8 (911) …».
    Client,
    /// No owner word governs it («звонить на 8 921 …», «прораб дал номер 8 905 …»).
    Unknown,
}

/// Characters before a number searched for its owner (back to the clause start).
const BEFORE_CHARS: usize = 60;
/// Characters after a number searched when nothing before it names an owner.
const AFTER_CHARS: usize = 30;
/// A messenger verb counts within this many words after the partner word.
const RELAY_REACH: usize = 3;

/// The folded word stems that name owners.
#[derive(Debug, Clone)]
pub struct OwnerWords {
    partner: Vec<String>,
    client: Vec<String>,
    relay: Vec<String>,
    own: Vec<String>,
}

impl OwnerWords {
    pub fn new(params: &Params) -> Self {
        let mut partner: Vec<String> = params
            .contact
            .partner_tags
            .iter()
            .chain(&params.contact.partner_types)
            .filter(|w| !w.is_empty())
            .cloned()
            .collect();
        partner.sort();
        partner.dedup();
        let n = &params.notes;
        OwnerWords {
            partner,
            client: n.client_words.clone(),
            relay: n.relay_words.clone(),
            own: n.own_words.clone(),
        }
    }

    /// The owner of each of `found` (the numbers of `note`, in text order).
    pub fn owners(&self, note: &str, found: &[Mention]) -> Vec<Owner> {
        (0..found.len())
            .map(|i| {
                let floor = if i == 0 { 0 } else { found[i - 1].end };
                let next = found.get(i + 1).map_or(note.len(), |m| m.start);
                self.owner(note, floor, &found[i], next)
            })
            .collect()
    }

    /// The owner of the number `m` of `note`; `floor` is where the previous number ends and
    /// `next` where the next one starts (byte offsets): no phrase reaches past another number.
    fn owner(&self, note: &str, floor: usize, m: &Mention, next: usize) -> Owner {
        let before = fold_phrase(clause_before(note, floor, m.start));
        let words: Vec<&str> = before.split(' ').filter(|w| !w.is_empty()).collect();
        for (i, w) in words.iter().enumerate().rev() {
            match self.word(w) {
                Some(Owner::Partner) if self.relayed(&words[i + 1..]) => {}
                Some(owner) => return owner,
                None => {}
            }
        }
        let after = fold_phrase(clause_after(note, m.end, next));
        after
            .split(' ')
            .find_map(|w| self.word(w))
            .unwrap_or(Owner::Unknown)
    }

    /// The owner a word names, if any.
    fn word(&self, w: &str) -> Option<Owner> {
        let stem = |stems: &[String]| stems.iter().any(|s| w.starts_with(s.as_str()));
        if stem(&self.partner) {
            Some(Owner::Partner)
        } else if stem(&self.client) {
            Some(Owner::Client)
        } else {
            None
        }
    }

    /// Whether the words between a partner word and the number make the partner a messenger:
    /// a relay verb right after him and no own word after the verb.
    fn relayed(&self, rest: &[&str]) -> bool {
        let verb = rest
            .iter()
            .take(RELAY_REACH)
            .position(|w| self.relay.iter().any(|r| is_form_of(w, r)));
        verb.is_some_and(|k| {
            !rest[k + 1..]
                .iter()
                .any(|w| self.own.iter().any(|o| o == w))
        })
    }
}

/// A verb form: the stem itself or with one more letter («дал» → «дала»).
fn is_form_of(word: &str, stem: &str) -> bool {
    word.strip_prefix(stem)
        .is_some_and(|rest| rest.chars().count() <= 1)
}

/// The text before byte offset `start`, back to `floor`, at most [`BEFORE_CHARS`], and from
/// the start of the clause the number is in.
fn clause_before(note: &str, floor: usize, start: usize) -> &str {
    let head = context_before(note, floor, start, BEFORE_CHARS);
    let mut from = 0;
    let mut chars = head.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let sentence_end = c == '.'
            && word_before(&head[..i]).chars().count() >= 4
            && chars.peek().is_some_and(|(_, n)| n.is_whitespace());
        if matches!(c, ';' | '!' | '?' | '\n') || sentence_end {
            from = i + c.len_utf8();
        }
    }
    &head[from..]
}

/// The text after byte offset `end`, up to `next`, at most [`AFTER_CHARS`], to the end of the
/// number's clause (the next comma or sentence mark).
fn clause_after(note: &str, end: usize, next: usize) -> &str {
    let tail = note.get(end..next.max(end)).unwrap_or("");
    let stop = tail
        .char_indices()
        .take(AFTER_CHARS)
        .find(|(_, c)| matches!(c, ',' | ';' | '.' | '!' | '?' | '\n'))
        .map_or_else(
            || {
                tail.char_indices()
                    .nth(AFTER_CHARS)
                    .map_or(tail.len(), |(i, _)| i)
            },
            |(i, _)| i,
        );
    &tail[..stop]
}

/// The letters right before the end of `s` (the word a full stop follows).
fn word_before(s: &str) -> &str {
    let start = s
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::mentions;
    use crate::testutil::rule_set;

    /// The owner of every number of a note, as (E.164, owner).
    fn read(note: &str) -> Vec<(String, Owner)> {
        let words = OwnerWords::new(&rule_set().params);
        let found = mentions(note);
        let owners = words.owners(note, &found);
        found.into_iter().map(|m| m.e164).zip(owners).collect()
    }

    fn owner(note: &str) -> Owner {
        let all = read(note);
        assert_eq!(all.len(), 1, "{note}: {all:?}");
        all[0].1
    }

    #[test]
    fn a_partner_word_near_a_client_number_does_not_make_it_his() {
        for note in [
            "Прораб дал номер хозяйки квартиры: 8 905 211-40-77",
            "от прораба: клиентка Алина 8-921-611-20-33, просит замер в субботу",
            "прораб Петров просил перезвонить клиенту по 8 (911) 234-56-02",
            "12.03.2026 10:15 Иванова А.: со слов прораба заказчица Морозова, тел. +7 921 345-67-01",
            "Прораб передал объект, собственник квартиры 89217654321",
            "по объекту прораба звонить владельцу +7(911)2345602",
            "Клиент Морозов М. А., тел. 8911 234 56 02",
            "Прораб скинул номер, хозяин: 8.921.765.43.21",
            "Звонить 8 921 765-43-21 (хозяйка), ключи у прораба",
            "8 921 765 43 21 — жилец квартиры, прораб на объекте по вторникам",
            "Бригадир привёл заказчика, его номер 8 (921) 765 43 21",
        ] {
            assert_eq!(owner(note), Owner::Client, "{note}");
        }
    }

    #[test]
    fn the_partners_own_number_is_read_as_his() {
        for note in [
            "тел. прораба 8 921 000-00-01",
            "прораб Иванов 8 921 000 00 01, ключи у него",
            "номер партнёра: +7 (921) 000-00-01",
            "Связь через прораба 89210000001",
            "Клиентка просила звонить прорабу на +7 921 000 00 01",
            "прораб дал свой номер 8-921-000-00-01",
            "Звонить 8 921 000-00-01 (прораб Сергей)",
            "Работы принял бригадир Петров, тел.\u{a0}8\u{a0}921\u{a0}000–00–01",
            "Хозяйка в отъезде. Прораб Сергей на объекте, 8(921)000-00-01",
        ] {
            assert_eq!(owner(note), Owner::Partner, "{note}");
        }
    }

    #[test]
    fn no_owner_word_or_a_messenger_only_is_unknown() {
        for note in [
            "звонить на 8 921 765-43-21 после 18",
            "прораб дал номер 8 905 211-40-77, звонить вечером",
            "Прораб передал: 89052114077",
            "Прораб на объекте. Перезвонить по 8 905 211 40 77",
        ] {
            assert_eq!(owner(note), Owner::Unknown, "{note}");
        }
    }

    #[test]
    fn both_kinds_in_one_note() {
        let both = |note: &str| {
            assert_eq!(
                read(note),
                vec![
                    ("+79210000001".to_string(), Owner::Partner),
                    ("+79052114077".to_string(), Owner::Client),
                ],
                "{note}"
            )
        };
        both("Прораб Петров (8 921 000-00-01) дал номер хозяйки: 8 905 211-40-77");
        both("тел. прораба 89210000001, хозяйка квартиры 8-905-211-40-77");
        both("прораб Иванов +7 921 000 00 01; клиентка Алина 8 (905) 211 40 77, после 18");
        both("Прораб: 8 921 000 00 01. Номер клиента +79052114077");
    }

    #[test]
    fn clauses_end_at_sentence_marks_but_not_at_abbreviations() {
        let before = |s: &str| clause_before(s, 0, s.len()).to_string();
        assert_eq!(before("Хозяйка уехала. Звонить "), " Звонить ");
        assert_eq!(
            before("Клиент Морозов М. А., тел. "),
            "Клиент Морозов М. А., тел. "
        );
        assert_eq!(before("Прораб на объекте; звонить "), " звонить ");
        let after = " (хозяйка), прораб";
        assert_eq!(clause_after(after, 0, after.len()), " (хозяйка)");
        assert!(is_form_of("дала", "дал") && !is_form_of("дальше", "дал"));
    }
}
