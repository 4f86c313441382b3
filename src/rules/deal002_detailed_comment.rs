//! DEAL002: the latest comment is detailed, not «НД», «перезвонить», «думает»… (rule 3).
//!
//! What it checks
//!   The latest comment of every deal proper («Примечание 1», or «Примечание» in the classic
//!   export) says what was discussed and agreed. An empty comment is DEAL001's concern, not this
//!   rule's; the stop-list, the filler words and the minimum live in rules/default.toml
//!   (`deal.*`). A comment is not detailed when, after the note's own date and author
//!   («14.11.2026 12:40 Петрова А.:») are set aside and the text is folded (case, ё/е,
//!   punctuation), it
//!   - equals a stop-list phrase («НД», «перезвонить», «сбросил», «клиент думает»…), or
//!   - is made only of stop-list phrases and filler words («перезвонить завтра»), or
//!   - has fewer than 3 meaningful words (words of two or more letters, or numbers: «3 окна»;
//!     a date or time such as «25.11» or «10:00» is one word).
//!
//! Key
//!   `DEAL002/deal/ID`: one finding per deal.
//!
//! Why
//!   Rule 3 of the CRM training slides (crm-rules-training-slides.txt): «Развёрнутый
//!   комментарий — это комментарий, в котором указано, о чём велась беседа с клиентом и к каким
//!   договорённостям пришли. «НД», «перезвонить», «сбросил», «пообщались», «думает» и т. д. не
//!   являются развёрнутыми комментариями, не пролонгируют сделку и не делают её активной.»
//!   Rule 2 makes such a deal incorrect.
//!
//! Example
//!   Deal 51877 «Замена стеклопакета» at «Думает», «Примечание 1» = «18.11.2026 15:02 Сидоров
//!   К.: клиент думает, перезвонить». Another manager picking the deal up learns nothing: not
//!   what the client is thinking about, nor when to call.
//!
//! How to fix
//!   Add a note that answers «what was discussed, what was agreed, what happens next», e.g.
//!   «Думает над ценой, сравнивает с Окна Роста, перезвонить в пятницу после 18».

use std::borrow::Cow;

use foldhash::HashSet;

use rayon::prelude::*;

use super::{Context, Finding, Rule};
use crate::model::Deal;
use crate::normalize::date::leading_datetime;
use crate::normalize::text::{fold_phrase, fold_words, is_blank, is_digit, is_letter};
use crate::params::DealParams;

pub fn check(ctx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let comments = Comments::new(&ctx.params.deal);
    let flagged: Vec<&Deal> = ctx
        .ds
        .deals
        .par_iter()
        .filter(|d| d.stage_class.is_deal_proper())
        .filter(|d| {
            let comment = ctx.ds.latest_note(d);
            !is_blank(comment) && !comments.is_detailed(comment)
        })
        .collect();
    out.extend(flagged.into_iter().map(|d| finding(ctx, rule, d)));
}

fn finding(ctx: &Context, rule: &Rule, deal: &Deal) -> Finding {
    Finding {
        field: ctx.ds.label(deal.at, "note_1").into(),
        value: ctx.ds.latest_note(deal).to_string(),
        message: format!(
            "Комментарий «{}» не развёрнутый: из него не видно, о чём говорили с клиентом и о чём договорились",
            strip_note_header(ctx.ds.latest_note(deal)).trim()
        ).into(),
        fix: "Добавьте примечание: что обсудили с клиентом, к какой договорённости пришли и \
              когда следующий контакт (например: «Думает над ценой, сравнивает с конкурентом, \
              перезвонить в пятницу после 18»)"
            .into(),
        ..ctx.finding(rule, deal.at, &deal.id, &deal.responsible)
    }
}

/// The stop list and filler words, prepared once for judging many comments.
struct Comments<'a> {
    stop_list: HashSet<&'a str>,
    /// The stop phrases as words, longest first.
    phrases: Vec<Vec<&'a str>>,
    /// Every word of a stop phrase: the only words a phrase can blank out.
    phrase_words: HashSet<&'a str>,
    filler_words: HashSet<&'a str>,
    min_meaningful_words: usize,
}

impl<'a> Comments<'a> {
    fn new(params: &'a DealParams) -> Self {
        let mut phrases: Vec<Vec<&str>> = params
            .stop_list
            .iter()
            .map(|p| p.split(' ').filter(|w| !w.is_empty()).collect())
            .filter(|p: &Vec<&str>| !p.is_empty())
            .collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Comments {
            stop_list: params.stop_list.iter().map(String::as_str).collect(),
            phrase_words: phrases.iter().flatten().copied().collect(),
            phrases,
            filler_words: params.filler_words.iter().map(String::as_str).collect(),
            min_meaningful_words: params.min_meaningful_words,
        }
    }

    /// Whether a comment says what was discussed and agreed (rule 3): not a stop-list phrase,
    /// not only stop-list phrases and filler words, and at least `min_meaningful_words`
    /// meaningful words. A leading note date and author (`14.11.2026 12:40 Петрова А.:`) are
    /// ignored.
    fn is_detailed(&self, comment: &str) -> bool {
        let text = join_numbers(strip_note_header(comment));
        if self.min_meaningful_words > 0 && self.surely_detailed(&text) {
            return true;
        }
        let folded = fold_phrase(&text);
        if self.stop_list.contains(folded.as_str()) {
            return false;
        }
        let counts = |w: &&str| !self.filler_words.contains(w) && is_meaningful_word(w);
        let mut words: Vec<Option<&str>> = folded.split(' ').map(Some).collect();
        self.remove_stop_phrases(&mut words);
        words.iter().flatten().copied().filter(counts).count() >= self.min_meaningful_words
    }

    /// Blanks out every occurrence of a stop phrase, longest phrases first, on word boundaries.
    /// Words no stop phrase contains stay whatever the phrases blank out (and a text with one
    /// is no stop phrase): when enough of them count, the comment is detailed. Most are, and
    /// this reads only their first words, without folding the whole note or searching phrases.
    fn surely_detailed(&self, text: &str) -> bool {
        let mut sure = 0;
        fold_words(text, |w| {
            if !self.phrase_words.contains(w)
                && !self.filler_words.contains(w)
                && is_meaningful_word(w)
            {
                sure += 1;
            }
            sure < self.min_meaningful_words
        });
        sure >= self.min_meaningful_words
    }

    fn remove_stop_phrases(&self, words: &mut [Option<&str>]) {
        for phrase in &self.phrases {
            let n = phrase.len();
            let mut i = 0;
            while i + n <= words.len() {
                let hit = words[i..i + n]
                    .iter()
                    .zip(phrase)
                    .all(|(w, p)| *w == Some(*p));
                if hit {
                    words[i..i + n].iter_mut().for_each(|w| *w = None);
                    i += n;
                } else {
                    i += 1;
                }
            }
        }
    }
}

/// The comment without a leading `date [time] [Author:]` header.
fn strip_note_header(comment: &str) -> &str {
    if leading_datetime(comment).is_none() {
        return comment;
    }
    let mut rest = comment.trim_start();
    for _ in 0..2 {
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if !is_date_token(&rest[..token_end]) {
            break;
        }
        rest = rest[token_end..].trim_start();
    }
    strip_author(rest)
}

/// A date or time token: digits with date/time separators only.
fn is_date_token(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || ".:/-,TZ".contains(c))
}

/// `Петрова А.: текст` → `текст` when the part before the colon looks like an author (one to
/// three capitalised words); `: текст` → `текст`.
fn strip_author(s: &str) -> &str {
    let Some((head, tail)) = s.split_once(':') else {
        return s;
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    let is_author = words.len() <= 3
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    if is_author {
        tail
    } else {
        s
    }
}

/// Joins the parts of numbers, dates and times (`25.11`, `10:00`, `4-3-22`) so that folding
/// keeps each as one word.
fn join_numbers(s: &str) -> Cow<'_, str> {
    // Separators and digits are ASCII: a byte is one whenever a character is.
    let b = s.as_bytes();
    let joint = |i: usize| {
        b".:/-,".contains(&b[i])
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    };
    if !(0..b.len()).any(joint) {
        return Cow::Borrowed(s);
    }
    let kept: Vec<u8> = (0..b.len()).filter(|&i| !joint(i)).map(|i| b[i]).collect();
    Cow::Owned(String::from_utf8(kept).expect("only ASCII bytes are left out"))
}

/// Two or more letters, or a number.
fn is_meaningful_word(w: &str) -> bool {
    w.chars().any(is_digit) || w.chars().filter(|&c| is_letter(c)).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::super::deal_fixtures::{classic, deal, deals};
    use super::*;
    use crate::testutil::{flagged, rule_set, run_rule};

    const NOT_DETAILED: [&str; 23] = [
        "НД",
        "нд.",
        "Н/Д",
        "Перезвонить",
        "перезвонить завтра",
        "Сбросил",
        "пообщались",
        "Думает",
        "клиент думает",
        "Клиент ещё думает...",
        "не дозвон",
        "абонент недоступен",
        "НД, перезвонить завтра после 15",
        "Перезвонить 25.11 в 15:00",
        "не берет трубку, написал в WhatsApp",
        "Ок",
        "Отправила КП, ждём",
        "позвонить позже",
        "14.11.2026 12:40 Петрова А.: НД",
        "14.11.2026 12:40 Петрова А.: перезвонить через неделю",
        "21.11.2026: сбросил",
        "Поговорили, думает",
        "Перезвонить через неделю, после 18:00",
    ];

    const DETAILED: [&str; 12] = [
        "Клиент согласовал замер на пятницу 10:00, 3 окна ПВХ",
        "Думает над ценой, сравнивает с Окна Роста, перезвонить в пятницу после 18",
        "Выставили счёт на регулировку 4 створок, оплата до 30.11",
        "Замер 12.12 в 14:00, Купчинская 4-3-22, 2 окна",
        "Отправил КП на 3 окна REHAU, клиент сравнивает с конкурентами",
        "Не дозвонился, написал в WhatsApp: клиент ответил, что замер переносит на декабрь",
        "14.11.2026 12:40 Петрова А.: Клиент согласовал монтаж балконного блока на 28.11",
        "Монтаж выполнен, акт подписан, остаток оплаты 12 000 наличными",
        "Клиентка просит заменить фурнитуру на Roto, цена устроила",
        "Дочь клиента против москитных сеток, решают до выходных",
        "Перенесли замер: клиент в отъезде до 5 декабря",
        "Отказ: дорого, выбрал Окна Роста за 41 000",
    ];

    #[test]
    fn table_of_real_comments() {
        let params = rule_set().params.deal;
        for c in NOT_DETAILED {
            assert!(
                !Comments::new(&params).is_detailed(c),
                "should not be detailed: {c:?}"
            );
        }
        for c in DETAILED {
            assert!(
                Comments::new(&params).is_detailed(c),
                "should be detailed: {c:?}"
            );
        }
    }

    #[test]
    fn note_header_is_set_aside() {
        assert_eq!(
            strip_note_header("14.11.2026 12:40 Петрова А.: НД").trim(),
            "НД"
        );
        assert_eq!(strip_note_header("21.11.2026: сбросил").trim(), "сбросил");
        let text = "Клиент сказал: замер в пятницу";
        assert_eq!(strip_note_header(text), text);
        let dated = "14.11.2026 клиент сказал: замер в пятницу";
        assert_eq!(strip_note_header(dated), "клиент сказал: замер в пятницу");
    }

    #[test]
    fn flags_the_deal_with_a_stop_phrase_comment() {
        let ds = deals(&[
            deal("51877").stage("Думает").set(
                "Примечание 1",
                "18.11.2026 15:02 Сидоров К.: клиент думает, перезвонить",
            ),
            deal("51878"),
        ]);
        let f = run_rule("DEAL002", &ds);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "51877");
        assert_eq!(f[0].field, "Примечание 1");
        assert_eq!(
            f[0].value,
            "18.11.2026 15:02 Сидоров К.: клиент думает, перезвонить"
        );
        assert!(
            f[0].message.contains("«клиент думает, перезвонить»"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn only_the_latest_comment_counts() {
        let ds = deals(&[deal("520").set("Примечание 1", "Сбросил").set(
            "Примечание 2",
            "Согласовали замер на 25.11 в 10:00, 4 створки",
        )]);
        assert_eq!(flagged("DEAL002", &ds), ["520"]);
    }

    #[test]
    fn blank_comments_and_non_deals_are_left_to_other_rules() {
        let ds = deals(&[
            deal("521").set("Примечание 1", ""),
            deal("522").stage("Неразобранное").set("Примечание 1", "НД"),
            deal("523").stage("Корзина").set("Примечание 1", "нд"),
            deal("524")
                .stage("Успешно реализовано")
                .set("Примечание 1", "ок"),
        ]);
        assert_eq!(flagged("DEAL002", &ds), ["524"]);
    }

    #[test]
    fn classic_layout_reads_primechanie() {
        let ds = classic(&[deal("525").set("Примечание 1", "пообщались")]);
        let f = run_rule("DEAL002", &ds);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "Примечание");
    }

    proptest::proptest! {
        /// Reading bytes drops the same separators as reading characters would.
        #[test]
        fn numbers_joined_as_characters_would_be(s in "[0-9а-я .:/,-]{0,16}") {
            let chars: Vec<char> = s.chars().collect();
            let by_chars: String = chars
                .iter()
                .enumerate()
                .filter(|&(i, c)| {
                    let between_digits = i > 0
                        && chars[i - 1].is_ascii_digit()
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit);
                    !(between_digits && ".:/-,".contains(*c))
                })
                .map(|(_, c)| c)
                .collect();
            proptest::prop_assert_eq!(join_numbers(&s), by_chars);
        }
    }
}
