//! Person-name matching for duplicate detection.
//!
//! Names are compared as multisets of folded words (case, ё/е, punctuation and Latin
//! look-alike letters normalised by [`fold`](crate::normalize::name::fold)), so word order does
//! not matter. Every word of the shorter name must match a distinct word of the longer one, which
//! makes the patronymic optional. A word matches another:
//! - exactly (similarity 1);
//! - as a typo: Jaro-Winkler ≥ `token_similarity` and at most `max_edits` edits (one more for
//!   words of 9+ letters), both words of 3+ letters with the same first letter — but never two
//!   different known first names (Анна / Инна) and never a masculine / feminine pair (Иванов /
//!   Иванова, Евгений / Евгения);
//! - weakly, as a diminutive of the same first name (Саша / Александр, 0.8) when
//!   `use_diminutives` is on, or as an initial (И. / Иван, 0.7).
//!
//! A name match also needs at least one exact word of 2+ letters (blocking relies on it), at most
//! one typo per two words, a mean similarity of the exact and typo words ≥ `name_similarity`, and
//! a word other than a first name or initial (a surname or patronymic) unless the two names are
//! the same words.

use crate::normalize::name::{looks_like_person_name, tokens};
use crate::params::DedupeParams;

/// Words kept from a name (hyphenated double surnames give extra words).
const MAX_WORDS: usize = 6;
/// Longest word compared without allocating.
const MAX_CHARS: usize = 32;
/// Similarity of a word matched as a diminutive of the same first name.
pub const DIMINUTIVE_SIMILARITY: f32 = 0.8;
/// Similarity of an initial matched to a word.
pub const INITIAL_SIMILARITY: f32 = 0.7;
/// No known first name.
const NOT_GIVEN: u16 = u16::MAX;

/// A comparable person name: 2 to 6 folded words, stored compactly (one string for all words).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonName {
    /// The folded words, each followed by a space.
    text: Box<str>,
    words: Box<[Word]>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Word {
    start: u16,
    end: u16,
    /// Length in characters.
    len: u8,
    /// Id of a known first name or diminutive, else [`NOT_GIVEN`].
    given: u16,
    /// Hash of the word, for blocking.
    hash: u64,
}

impl Word {
    fn is_given(self) -> bool {
        self.given != NOT_GIVEN
    }
}

/// How two words match.
#[derive(Debug, Clone, Copy, PartialEq)]
enum WordMatch {
    Exact,
    Typo(f32),
    Weak(f32),
}

impl WordMatch {
    fn similarity(self) -> f32 {
        match self {
            WordMatch::Exact => 1.0,
            WordMatch::Typo(s) | WordMatch::Weak(s) => s,
        }
    }
}

impl PersonName {
    /// `None` unless `raw` looks like a person's name (no digits, 1–4 words) of 2+ words.
    pub fn parse(raw: &str, params: &DedupeParams) -> Option<Self> {
        let folded = match fast_fold(raw) {
            Fast::Folded(f) => f,
            Fast::NotAName => return None,
            Fast::Unusual if looks_like_person_name(raw) => {
                let mut f = Folded::default();
                for w in tokens(raw) {
                    f.push(|text| text.push_str(&w));
                }
                f
            }
            Fast::Unusual => return None,
        };
        Self::from_folded(folded, params)
    }

    /// A name of the folded words (`None` under 2 words).
    fn from_folded(folded: Folded, params: &DedupeParams) -> Option<Self> {
        if folded.n < 2 {
            return None;
        }
        let text = folded.text;
        let words = folded.bounds[..folded.n]
            .iter()
            .map(|&(start, end)| {
                let w = &text[usize::from(start)..usize::from(end)];
                Word {
                    start,
                    end,
                    len: u8::try_from(w.chars().count()).unwrap_or(u8::MAX),
                    given: params.diminutives.id(w).unwrap_or(NOT_GIVEN),
                    hash: super::engine::hash_bytes(w.as_bytes()),
                }
            })
            .collect();
        Some(PersonName {
            text: text.into_boxed_str(),
            words,
        })
    }

    fn word(&self, w: Word) -> &str {
        &self.text[usize::from(w.start)..usize::from(w.end)]
    }

    /// Hashes of the words that may match exactly (2+ letters).
    pub fn block_hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.words.iter().filter(|w| w.len >= 2).map(|w| w.hash)
    }

    /// Blocking keys such that two matching names always share one: an exact word (2+ letters)
    /// combined with a coarse form of another word — its first letter (kept by exact, typo and
    /// initial matches) or, for a known first name, its name group (kept by diminutives).
    pub fn pair_keys(&self, p: &DedupeParams, out: &mut Vec<u64>) {
        for (i, wi) in self.words.iter().enumerate().filter(|(_, w)| w.len >= 2) {
            for (j, &wj) in self.words.iter().enumerate() {
                if i == j {
                    continue;
                }
                let first = self.word(wj).chars().next().map_or(0, u64::from);
                out.push(super::engine::mix(wi.hash, 1, first));
                if p.use_diminutives && wj.is_given() {
                    for &g in p.diminutives.groups(wj.given) {
                        out.push(super::engine::mix(wi.hash, 2, u64::from(g)));
                    }
                }
            }
        }
    }

    /// The similarity in (0, 1] when the two names are one person's, else `None`: word by word,
    /// else once a word split in two («Алек Сандр Шепелев») or two words run together
    /// («ШепелевАлександр») are joined in the other name.
    pub fn similarity(&self, other: &PersonName, params: &DedupeParams) -> Option<f32> {
        self.word_similarity(other, params).or_else(|| {
            [(self, other), (other, self)]
                .into_iter()
                .flat_map(|(split, whole)| {
                    split
                        .joins(whole, params)
                        .filter_map(move |joined| joined.word_similarity(whole, params))
                })
                .max_by(f32::total_cmp)
        })
    }

    /// This name with two of its words joined (in either order), for each join that could be a
    /// word of `whole`: as long as one of its words (within the typo allowance) and with its
    /// first letter. Only names of 3+ words are joined, so that two words remain.
    fn joins<'a>(
        &'a self,
        whole: &'a PersonName,
        p: &'a DedupeParams,
    ) -> impl Iterator<Item = PersonName> + 'a {
        let n = if self.words.len() >= 3 {
            self.words.len()
        } else {
            0
        };
        let first = |name: &PersonName, w: Word| name.word(w).chars().next();
        (0..n)
            .flat_map(move |i| (0..n).map(move |j| (i, j)))
            .filter(move |&(i, j)| {
                let (a, b) = (self.words[i], self.words[j]);
                let len = usize::from(a.len) + usize::from(b.len);
                i != j
                    && a.len >= 2
                    && b.len >= 2
                    && whole.words.iter().any(|&w| {
                        let allowed = p.max_edits + usize::from(len >= 9);
                        usize::from(w.len).abs_diff(len) <= allowed
                            && first(whole, w) == first(self, a)
                    })
            })
            .filter_map(move |(i, j)| {
                let mut folded = Folded::default();
                for (k, &w) in self.words.iter().enumerate() {
                    if k == i {
                        let joined = [self.word(w), self.word(self.words[j])];
                        folded.push(|text| joined.iter().for_each(|part| text.push_str(part)));
                    } else if k != j {
                        folded.push(|text| text.push_str(self.word(w)));
                    }
                }
                PersonName::from_folded(folded, p)
            })
    }

    /// [`PersonName::similarity`] word by word.
    fn word_similarity(&self, other: &PersonName, params: &DedupeParams) -> Option<f32> {
        let (short, long) = if self.words.len() <= other.words.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut used = [false; MAX_WORDS];
        let mut found: [Option<WordMatch>; MAX_WORDS] = [None; MAX_WORDS];
        for (i, &w) in short.words.iter().enumerate().filter(|(_, w)| w.len >= 2) {
            let same = |j: usize| {
                let v = long.words[j];
                !used[j] && v.hash == w.hash && long.word(v) == short.word(w)
            };
            if let Some(j) = (0..long.words.len()).find(|&j| same(j)) {
                used[j] = true;
                found[i] = Some(WordMatch::Exact);
            }
        }
        if found.iter().all(Option::is_none) {
            return None;
        }
        for (i, &w) in short.words.iter().enumerate() {
            if found[i].is_none() {
                let (j, m) = (0..long.words.len())
                    .filter(|&j| !used[j])
                    .filter_map(|j| {
                        let pair = ((short, w), (long, long.words[j]));
                        word_match(pair, params).map(|m| (j, m))
                    })
                    .max_by(|a, b| a.1.similarity().total_cmp(&b.1.similarity()))?;
                used[j] = true;
                found[i] = Some(m);
            }
        }
        let matches: Vec<WordMatch> = found.iter().flatten().copied().collect();
        accept(&short.words, long.words.len(), &matches, params)
    }
}

/// The whole-name conditions once every word of the shorter name has a match.
fn accept(short: &[Word], long_len: usize, matches: &[WordMatch], p: &DedupeParams) -> Option<f32> {
    let typos = matches
        .iter()
        .filter(|m| matches!(m, WordMatch::Typo(_)))
        .count();
    if typos > (short.len() / 2).max(1) {
        return None;
    }
    let all_exact = matches.iter().all(|m| *m == WordMatch::Exact);
    let only_given = short.iter().all(|w| w.is_given() || w.len == 1);
    if only_given && !(all_exact && short.len() == long_len) {
        return None;
    }
    let strong: Vec<f32> = matches
        .iter()
        .filter(|m| !matches!(m, WordMatch::Weak(_)))
        .map(|m| m.similarity())
        .collect();
    let strong_mean = strong.iter().sum::<f32>() / strong.len().max(1) as f32;
    if f64::from(strong_mean) < p.name_similarity - 1e-6 {
        return None;
    }
    Some(matches.iter().map(|m| m.similarity()).sum::<f32>() / matches.len() as f32)
}

type NamedWord<'a> = (&'a PersonName, Word);

/// How word `a` of the shorter name matches word `b` of the longer one, if at all (exact
/// matches are found before this is called).
fn word_match(((na, a), (nb, b)): (NamedWord, NamedWord), p: &DedupeParams) -> Option<WordMatch> {
    let (ta, tb) = (na.word(a), nb.word(b));
    if a.len == 1 || b.len == 1 {
        let first = |t: &str| t.chars().next();
        return (first(ta) == first(tb)).then_some(WordMatch::Weak(INITIAL_SIMILARITY));
    }
    if ta == tb {
        return Some(WordMatch::Exact);
    }
    if a.is_given() && b.is_given() {
        let same = p.use_diminutives && p.diminutives.same_group(a.given, b.given);
        return same.then_some(WordMatch::Weak(DIMINUTIVE_SIMILARITY));
    }
    typo((ta, a.len), (tb, b.len), p).map(WordMatch::Typo)
}

/// The Jaro-Winkler similarity of two words that differ by a small typo: both of 3+ letters,
/// the same first letter, Jaro-Winkler ≥ `token_similarity`, at most `max_edits` edits (one
/// more for 9+ letters), and not a masculine / feminine pair.
fn typo((a, la): (&str, u8), (b, lb): (&str, u8), p: &DedupeParams) -> Option<f32> {
    let allowed = p.max_edits + usize::from(la.max(lb) >= 9);
    if la.min(lb) < 3
        || usize::from(la.abs_diff(lb)) > allowed
        || a.chars().next() != b.chars().next()
        || gender_pair(a, b)
    {
        return None;
    }
    let (mut ca, mut cb) = (['\0'; MAX_CHARS], ['\0'; MAX_CHARS]);
    let (Some(a), Some(b)) = (decode(a, &mut ca), decode(b, &mut cb)) else {
        return None;
    };
    let jw = strsim::generic_jaro_winkler(&Chars(a), &Chars(b));
    (jw >= p.token_similarity && osa_within(a, b, allowed)).then_some(jw as f32)
}

/// A char slice as strsim's generic functions take it.
struct Chars<'a>(&'a [char]);

impl<'a> IntoIterator for &Chars<'a> {
    type Item = &'a char;
    type IntoIter = std::slice::Iter<'a, char>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

fn decode<'a>(s: &str, buf: &'a mut [char; MAX_CHARS]) -> Option<&'a [char]> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(&buf[..n])
}

/// Whether the optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps) of
/// two short words is at most `k`.
fn osa_within(a: &[char], b: &[char], k: usize) -> bool {
    let w = b.len() + 1;
    // Rows i, i-1 and i-2 of the distance table live at i % 3, (i + 2) % 3 and (i + 1) % 3.
    let mut rows = [[0usize; MAX_CHARS + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        let mut best = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
            best = best.min(d);
        }
        if best > k {
            return false;
        }
    }
    rows[a.len() % 3][b.len()] <= k
}

/// The folded words of any text, as [`tokens`] gives them (faster for plain names).
pub fn words(s: &str) -> Vec<String> {
    match fast_fold(s) {
        Fast::Folded(f) if f.n < MAX_WORDS => f.all_words(),
        _ => tokens(s),
    }
}

/// Folded words in one buffer: each word followed by a space; at most [`MAX_WORDS`] kept.
#[derive(Debug, Default, PartialEq)]
struct Folded {
    text: String,
    bounds: [(u16, u16); MAX_WORDS],
    n: usize,
}

impl Folded {
    /// Appends a word written by `write`; words past [`MAX_WORDS`] or a text past 64 KiB are
    /// dropped.
    fn push(&mut self, write: impl FnOnce(&mut String)) {
        if self.n == MAX_WORDS {
            return;
        }
        let start = self.text.len();
        write(&mut self.text);
        match (u16::try_from(start), u16::try_from(self.text.len())) {
            (Ok(s), Ok(e)) if e > s => {
                self.bounds[self.n] = (s, e);
                self.n += 1;
                self.text.push(' ');
            }
            _ => self.text.truncate(start),
        }
    }

    fn all_words(&self) -> Vec<String> {
        self.bounds[..self.n]
            .iter()
            .map(|&(s, e)| self.text[usize::from(s)..usize::from(e)].to_string())
            .collect()
    }
}

/// The fast path of folding: names made of ASCII and basic Cyrillic letters.
enum Fast {
    Folded(Folded),
    NotAName,
    /// Characters the fast path does not handle: use the general functions.
    Unusual,
}

/// [`tokens`] and [`looks_like_person_name`] in one pass for the common alphabet.
fn fast_fold(raw: &str) -> Fast {
    let mut folded = Folded {
        text: String::with_capacity(raw.len() + 8),
        ..Folded::default()
    };
    let mut raw_words = 0;
    for chunk in raw.split([' ', '\t', '\u{a0}']).filter(|w| !w.is_empty()) {
        raw_words += 1;
        let mut letters = false;
        for c in chunk.chars() {
            match c {
                'a'..='z' | 'A'..='Z' | '\u{400}'..='\u{45f}' => letters = true,
                '-' | '\'' | '’' | '.' => {}
                '0'..='9' => return Fast::NotAName,
                _ => return Fast::Unusual,
            }
        }
        if !letters {
            return Fast::NotAName;
        }
        for piece in chunk.split(['-', '\'', '’', '.']).filter(|p| !p.is_empty()) {
            folded.push(|text| fold_word(piece, text));
        }
    }
    if (1..=4).contains(&raw_words) {
        Fast::Folded(folded)
    } else {
        Fast::NotAName
    }
}

/// One word of letters: lowercase, ё→е, Latin look-alikes → Cyrillic when the word is Cyrillic.
fn fold_word(w: &str, out: &mut String) {
    let cyrillic = w.chars().any(|c| c >= '\u{400}');
    for c in w.chars() {
        let c = match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            '\u{410}'..='\u{42f}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            '\u{400}'..='\u{40f}' => char::from_u32(c as u32 + 0x50).unwrap_or(c),
            _ => c,
        };
        out.push(match c {
            'ё' => 'е',
            c if cyrillic => lookalike(c).unwrap_or(c),
            c => c,
        });
    }
}

/// The Cyrillic twin of a lowercase Latin letter (as in [`crate::normalize::name::fold`]).
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

/// Masculine and feminine forms of one word: `иванов`/`иванова`, `евгений`/`евгения`, in
/// Latin letters too (`ivanov`/`ivanova`).
fn gender_pair(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if let Some(rest) = long.strip_prefix(short) {
        return matches!(rest, "а" | "я" | "a" | "ya" | "ia");
    }
    let (mut ca, mut cb) = (a.chars(), b.chars());
    let ends = (ca.next_back(), cb.next_back());
    ca.as_str() == cb.as_str()
        && matches!(
            ends,
            (Some('й'), Some('я' | 'а')) | (Some('я' | 'а'), Some('й'))
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RuleSet;

    fn params() -> DedupeParams {
        RuleSet::embedded().unwrap().params.dedupe
    }

    fn sim(a: &str, b: &str) -> Option<f32> {
        let p = params();
        let (x, y) = (PersonName::parse(a, &p)?, PersonName::parse(b, &p)?);
        let s = x.similarity(&y, &p);
        assert_eq!(s, y.similarity(&x, &p), "asymmetric: {a} / {b}");
        s
    }

    #[test]
    fn same_person_written_differently() {
        assert_eq!(sim("Иванов Иван", "Иван Иванов"), Some(1.0));
        assert_eq!(sim("Иванов Иван Петрович", "Иванов Иван"), Some(1.0));
        assert_eq!(sim("Пётр Алёшин", "ПЕТР АЛЕШИН"), Some(1.0));
        assert_eq!(
            sim("Смирнова Анна", "Cмирнова Aнна"),
            Some(1.0),
            "Latin C and A"
        );
        assert_eq!(
            sim("Римский-Корсаков Николай", "Римский Корсаков Николай"),
            Some(1.0)
        );
    }

    #[test]
    fn one_letter_typos_match_below_one() {
        for (a, b) in [
            ("Смирнов Алексей", "Смирнв Алексей"),
            ("Кузнецова Ольга", "Кузнецова Ольгв"),
            ("Соколов Дмитрий Андреевич", "Соколов Дмитрий Андреевчи"),
            ("Воробьёв Никита", "Воробьев Нкиита"),
            ("Smith John", "Smith Jon"),
        ] {
            let s = sim(a, b).unwrap_or_else(|| panic!("{a} / {b}"));
            assert!(s > 0.9 && s < 1.0, "{a} / {b}: {s}");
        }
    }

    #[test]
    fn split_and_joined_words_match() {
        assert_eq!(sim("Алек Сандр Шепелев", "Александр Шепелев"), Some(1.0));
        assert_eq!(
            sim("ШепелевАлександр Иванович", "Шепелев Александр Иванович"),
            Some(1.0)
        );
        assert_eq!(
            sim("Овчин Никова Ирина", "Овчинникова Ирина Петровна"),
            Some(1.0)
        );
        assert!(sim("Овчинникова Ирина", "Овчиниквоа Ирина").is_some());
        assert!(sim("Лавровская Мария", "Лаврвоская Мария").is_some());
        for (a, b) in [
            ("Алек Сандра Шепелева", "Александр Шепелев"),
            ("Иван Ов Петр", "Иванов Иван"),
        ] {
            assert_eq!(sim(a, b), None, "{a} / {b}");
        }
    }

    #[test]
    fn diminutives_and_initials_are_weak_matches() {
        assert_eq!(sim("Саша Иванов", "Иванов Александр"), Some(0.9));
        assert_eq!(
            sim("Иванова Саша", "Иванова Александра Петровна"),
            Some(0.9)
        );
        assert_eq!(sim("Иванов И. П.", "Иванов Иван Петрович"), Some(0.8));
        assert_eq!(sim("Иванов И.", "Иванов Игорь"), Some(0.85));
        let mut p = params();
        p.use_diminutives = false;
        let (a, b) = (
            PersonName::parse("Саша Иванов", &p).unwrap(),
            PersonName::parse("Иванов Александр", &p).unwrap(),
        );
        assert_eq!(a.similarity(&b, &p), None);
    }

    #[test]
    fn namesakes_and_relatives_do_not_match() {
        for (a, b) in [
            ("Иванов Иван", "Иванов Игорь"),
            ("Иванов Иван Петрович", "Иванов Иван Сергеевич"),
            ("Петрова Анна", "Петрова Инна"),
            ("Козлова Алина", "Козлова Алена"),
            ("Иванов Александр", "Иванова Александра"),
            ("Зайцев Евгений", "Зайцева Евгения"),
            ("Петров Иван", "Иванов Петр"),
            ("Иванов Иван", "Петров Иван"),
            ("Иван Петрович", "Иван Павлович"),
            ("Смирнв Алексей", "Смирнов Алексйе"),
            ("Ivanov Aleksandr", "Ivanova Aleksandra"),
            ("Petrova Alina", "Petrova Alena"),
        ] {
            assert_eq!(sim(a, b), None, "{a} / {b}");
        }
    }

    #[test]
    fn only_person_names_of_two_words_take_part() {
        let p = params();
        assert!(PersonName::parse("Купчинская 4-3-22", &p).is_none());
        assert!(PersonName::parse("Иван", &p).is_none());
        assert!(PersonName::parse("", &p).is_none());
        assert_eq!(sim("Анна Мария", "Анна Мария"), Some(1.0));
        assert_eq!(
            sim("Анна Мария", "Мария Анна Петровна"),
            None,
            "first names only"
        );
    }

    #[test]
    fn fast_fold_agrees_with_the_general_functions() {
        let cases = [
            "Иванов Иван Петрович",
            "  ИВАНОВ\u{a0}иван ",
            "Пётр Алёшин",
            "Ив\x61нов-Петров Иван",
            "Ivanov Ivan",
            "Римский-Корсаков Н.А.",
            "O'Neil John",
            "Купчинская 4-3-22",
            "- -",
            "один два три четыре пять",
            "Іван Їжак",
            "ЀЁЂ Ѐ",
            "Иванов +79211234567",
            "Иванов (дача)",
            "",
        ];
        for raw in cases {
            let general = looks_like_person_name(raw).then(|| tokens(raw));
            let fast = match fast_fold(raw) {
                Fast::Folded(f) => Some(f.all_words()),
                Fast::NotAName => None,
                Fast::Unusual => general.clone(),
            };
            assert_eq!(fast, general, "{raw:?}");
            if general.is_some() {
                assert_eq!(words(raw), tokens(raw), "{raw:?}");
            }
        }
    }

    #[test]
    fn bounded_osa_matches_strsim() {
        let words = [
            "иванов",
            "иваонв",
            "ивнов",
            "иванова",
            "смирнов",
            "смирнв",
            "аб",
            "ба",
            "",
            "а",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let d = strsim::osa_distance(a, b);
                for k in 0..3 {
                    assert_eq!(osa_within(&ca, &cb, k), d <= k, "{a} / {b} within {k}");
                }
            }
        }
    }

    #[test]
    fn gender_pairs() {
        assert!(gender_pair("иванов", "иванова"));
        assert!(gender_pair("евгения", "евгений"));
        assert!(gender_pair("ярослав", "ярослава"));
        assert!(!gender_pair("смирнов", "смирнв"));
        assert!(!gender_pair("ольга", "ольгв"));
        assert!(!gender_pair("петров", "петрова2"));
        assert!(gender_pair("ivanov", "ivanova") && gender_pair("aleksandr", "aleksandra"));
    }
}
