//! Duplicate detection (rule 5): clusters of contacts, and of Flow applicants, that are one
//! person.
//!
//! Two records are duplicates when two or more of {name, phone, birthday} match:
//! - name: see [`names`] (word order, case, ё/е, Latin look-alikes, optional patronymic, small
//!   typos; diminutives and initials as a weaker match); address-like names never match;
//! - phone: any phone key in common across all phone columns (E.164, or the digits of a number
//!   that does not normalise, such as a foreign one);
//! - birthday: the same valid date (the 01.01.1970 placeholder never matches).
//!
//! Applicants also match on the same СНИЛС alone. Pairs are found by blocking ([`engine`]),
//! grouped by union-find, and each cluster gets a suggested survivor: the most complete card,
//! the oldest ID on ties. [`merge`] proposes the merged card field by field.
//!
//! The clustering is shared by DUP001, DEAL004, FLOW003 and `crmclean dedupe`.

mod diminutives;
mod engine;
mod merge;
mod names;

#[cfg(test)]
mod accuracy;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

pub use diminutives::Diminutives;
pub use engine::BlockStats;
pub use merge::{ColumnKind, Columns, FieldMerge};
pub use names::PersonName;

use crate::model::{At, Contact, Dataset, Phone};
use crate::normalize::date::Birthday;
use crate::normalize::phone::PhoneProblem;
use crate::normalize::text::is_blank;
use crate::params::DedupeParams;
use crate::rules::Entity;
use engine::{Linkage, Record};

/// The fields a pair of records matched on (a small bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fields(u8);

impl Fields {
    pub const NAME: Fields = Fields(1);
    pub const PHONE: Fields = Fields(2);
    pub const BIRTHDAY: Fields = Fields(4);
    pub const SNILS: Fields = Fields(8);

    pub fn contains(self, other: Fields) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn with(self, other: Fields) -> Fields {
        Fields(self.0 | other.0)
    }
}

/// Each field with its name in `clusters.csv` and for people.
const FIELD_NAMES: [(Fields, &str, &str); 4] = [
    (Fields::NAME, "name", "ФИО"),
    (Fields::PHONE, "phone", "телефон"),
    (Fields::BIRTHDAY, "birthday", "дата рождения"),
    (Fields::SNILS, "snils", "СНИЛС"),
];

impl Fields {
    /// The names of the fields set, picked from [`FIELD_NAMES`] and joined.
    fn names(
        self,
        pick: fn(&(Fields, &'static str, &'static str)) -> &'static str,
        sep: &str,
    ) -> String {
        let parts: Vec<&str> = FIELD_NAMES
            .iter()
            .filter(|n| self.contains(n.0))
            .map(pick)
            .collect();
        parts.join(sep)
    }

    /// For people: `ФИО + телефон + дата рождения`.
    pub fn ru(self) -> String {
        self.names(|n| n.2, " + ")
    }
}

impl fmt::Display for Fields {
    /// `name+phone`, `phone+birthday`, `snils`…
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names(|n| n.1, "+"))
    }
}

/// One record of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into `Dataset::contacts` or `Dataset::applications`.
    pub index: usize,
    /// Everything this record matched other members on.
    pub matched_on: Fields,
    /// The score of its best pair, in (0, 1].
    pub score: f32,
    /// The record of that best pair.
    pub best_match: usize,
}

/// Records that are one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub entity: Entity,
    /// In ID order (numeric IDs compared as numbers).
    pub members: Vec<Member>,
    /// Position in `members` of the suggested survivor.
    pub survivor: usize,
}

impl Cluster {
    /// The CRM ID (Flow: application number) of a member.
    pub fn id<'a>(&self, ds: &'a Dataset, m: &Member) -> &'a str {
        match self.entity {
            Entity::Application => &ds.applications[m.index].app_no,
            _ => &ds.contacts[m.index].id,
        }
    }

    /// Where a member's row is.
    pub fn at(&self, ds: &Dataset, m: &Member) -> At {
        match self.entity {
            Entity::Application => ds.applications[m.index].at,
            _ => ds.contacts[m.index].at,
        }
    }

    /// The IDs of the members other than `m`, in member order.
    pub fn other_ids(&self, ds: &Dataset, m: &Member) -> Vec<String> {
        self.members
            .iter()
            .filter(|o| o.index != m.index)
            .map(|o| self.id(ds, o).to_string())
            .collect()
    }

    /// The suggested survivor.
    pub fn survivor(&self) -> &Member {
        &self.members[self.survivor]
    }

    /// The best pair score of the cluster.
    pub fn score(&self) -> f32 {
        self.members.iter().map(|m| m.score).fold(0.0, f32::max)
    }
}

/// Clusters in a deterministic order (by their smallest member ID), with blocking figures.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    pub clusters: Vec<Cluster>,
    pub stats: BlockStats,
}

/// Duplicate clusters of contacts (DUP001), never putting two contacts of an `apart` pair
/// (indices into `Dataset::contacts`, decided `not-duplicate`) in one cluster.
pub fn contact_clusters(ds: &Dataset, params: &DedupeParams, apart: &[(u32, u32)]) -> Clusters {
    let records: Vec<Record> = ds
        .contacts
        .par_iter()
        .map(|c| {
            let day = birthday_key(c.birthday, c.birthday_raw(ds), ds.today);
            let record = Record::new(phone_keys(&c.phones), day, None);
            let name = contact_name(ds, c);
            record.with_name(|| name, params)
        })
        .collect();
    let linkage = engine::link(&records, params, apart);
    drop(records);
    let completeness = |i: usize| {
        let c = &ds.contacts[i];
        card_completeness(ds, c.at, &c.phones, c.birthday)
    };
    build(Entity::Contact, ds, linkage, completeness)
}

/// Clusters of Flow applications of one person (same СНИЛС, or 2+ of ФИО/birthday/phone),
/// keeping the `apart` pairs of applications in different clusters.
pub fn application_clusters(ds: &Dataset, params: &DedupeParams, apart: &[(u32, u32)]) -> Clusters {
    let records: Vec<Record> = ds
        .applications
        .par_iter()
        .map(|a| {
            let strong = snils_digits(&a.snils).map(|s| engine::hash_bytes(s.as_bytes()));
            let day = birthday_key(a.birthday, a.birthday_raw(ds), ds.today);
            Record::new(phone_keys(&a.phones), day, strong).with_name(|| a.fio(ds), params)
        })
        .collect();
    let linkage = engine::link(&records, params, apart);
    drop(records);
    let completeness = |i: usize| {
        let a = &ds.applications[i];
        card_completeness(ds, a.at, &a.phones, a.birthday)
    };
    build(Entity::Application, ds, linkage, completeness)
}

/// [`Contact::person_name`] without copying when the name is a single field: `ФИО`, else
/// `Фамилия Имя`, else the title.
fn contact_name<'a>(ds: &'a Dataset, c: &'a Contact) -> Cow<'a, str> {
    if let Some(fio) = c.fio(ds).filter(|f| !blank(f)) {
        return Cow::Borrowed(fio);
    }
    let (last, first) = (c.last_name(ds), c.first_name(ds));
    let joined = match (last.is_empty(), first.is_empty()) {
        (true, _) => Cow::Borrowed(first),
        (_, true) => Cow::Borrowed(last),
        _ => Cow::Owned(format!("{last} {first}")),
    };
    if blank(&joined) {
        c.title(ds)
    } else {
        joined
    }
}

/// Turns linked groups into clusters: members in ID order, each with its best pair, and the
/// survivor.
fn build(
    entity: Entity,
    ds: &Dataset,
    linkage: Linkage,
    completeness: impl Fn(usize) -> usize + Sync,
) -> Clusters {
    let id = |i: usize| match entity {
        Entity::Application => ds.applications[i].app_no.as_str(),
        _ => ds.contacts[i].id.as_str(),
    };
    let mut best: HashMap<u32, Member> = HashMap::new();
    for m in &linkage.matches {
        for (x, other) in [(m.a, m.b), (m.b, m.a)] {
            let entry = best.entry(x).or_insert(Member {
                index: x as usize,
                matched_on: Fields::default(),
                score: -1.0,
                best_match: other as usize,
            });
            entry.matched_on = entry.matched_on.with(m.fields);
            let better = m.score > entry.score
                || (m.score == entry.score
                    && id_cmp(id(other as usize), id(entry.best_match)) == Ordering::Less);
            if better {
                entry.score = m.score;
                entry.best_match = other as usize;
            }
        }
    }
    let mut clusters: Vec<Cluster> = linkage
        .groups
        .par_iter()
        .map(|g| {
            let mut members: Vec<Member> = g.iter().filter_map(|x| best.get(x).cloned()).collect();
            members.sort_by(|a, b| id_cmp(id(a.index), id(b.index)).then(a.index.cmp(&b.index)));
            let mut survivor = 0;
            let mut most = 0;
            for (k, m) in members.iter().enumerate() {
                let c = completeness(m.index);
                if k == 0 || c > most {
                    survivor = k;
                    most = c;
                }
            }
            Cluster {
                entity,
                members,
                survivor,
            }
        })
        .collect();
    clusters.sort_by(|a, b| {
        let first = |c: &Cluster| c.members.first().map_or(0, |m| m.index);
        id_cmp(id(first(a)), id(first(b))).then(first(a).cmp(&first(b)))
    });
    Clusters {
        clusters,
        stats: linkage.stats,
    }
}

/// How complete a card is: its non-blank cells, plus its valid phones and a valid birthday
/// (so that real values beat junk).
fn card_completeness(ds: &Dataset, at: At, phones: &[Phone], birthday: Birthday) -> usize {
    let table = &ds.source(at).table;
    let cells = table
        .rows
        .get(at.row as usize)
        .map_or(0, |r| r.iter().filter(|c| !blank(c)).count());
    cells
        + phones.iter().filter(|p| p.e164().is_some()).count()
        + usize::from(matches!(birthday, Birthday::Valid(_)))
}

/// [`is_blank`] with shortcuts (every placeholder starts with `-`, `—`, `–`, `н` or `n` and
/// is at most 17 bytes long): the same answer, much faster.
pub fn blank(s: &str) -> bool {
    let t = s.trim();
    match t.chars().next() {
        None => true,
        Some('-' | '—' | '–' | 'н' | 'Н' | 'n' | 'N') => t.len() <= 24 && is_blank(t),
        Some(_) => false,
    }
}

/// [`fold_phrase`](crate::normalize::text::fold_phrase) with a fast path for ASCII and basic
/// Cyrillic text: the same result.
pub fn phrase_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let lower = match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | 'а'..='я' => c,
            'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            'ё' | 'Ё' => 'е',
            c if c.is_ascii() => ' ',
            _ => return crate::normalize::text::fold_phrase(s),
        };
        if lower != ' ' {
            out.push(lower);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Compares record IDs: numbers as numbers (`9` < `10`), anything else as text.
pub fn id_cmp(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (x, y) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        x.len()
            .cmp(&y.len())
            .then_with(|| x.cmp(y))
            .then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

/// The key a phone is matched on: its E.164 form, else the digits of a number that does not
/// normalise (a foreign or local number: 7–15 digits, at least 3 different ones), else none.
pub fn phone_key(phone: &Phone) -> Option<String> {
    if let Some(e164) = phone.e164() {
        return Some(e164.to_string());
    }
    let n = &phone.norm;
    if n.extension.is_some()
        || matches!(
            n.problem,
            Some(PhoneProblem::Placeholder | PhoneProblem::Letters)
        )
    {
        return None;
    }
    let digits: String = n.raw.chars().filter(char::is_ascii_digit).collect();
    let mut distinct: Vec<char> = digits.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    ((7..=15).contains(&digits.len()) && distinct.len() >= 3).then(|| format!("#{digits}"))
}

fn phone_keys(phones: &[Phone]) -> Vec<u64> {
    let mut keys: Vec<u64> = phones
        .iter()
        .filter_map(|p| match p.e164() {
            Some(e164) => Some(engine::hash_bytes(e164.as_bytes())),
            None => phone_key(p).map(|k| engine::hash_bytes(k.as_bytes())),
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Days since 0001-01-01 of a valid birthday. A cell the model could not read is also tried
/// as `yyyymmdd` (`19560409`) or an Excel serial day (`20554`), with the same plausibility
/// rules (not 01.01.1970, not in the future, not before 1900).
fn birthday_key(b: Birthday, raw: &str, today: Option<NaiveDate>) -> Option<i32> {
    let date = match b {
        Birthday::Valid(d) => d,
        Birthday::Unparseable => {
            let d = compact_date(raw.trim())?;
            let today = today.unwrap_or(NaiveDate::MAX);
            let placeholder = (d.year(), d.month(), d.day()) == (1970, 1, 1);
            (d.year() >= 1900 && d <= today && !placeholder).then_some(d)?
        }
        _ => return None,
    };
    Some(date.num_days_from_ce())
}

/// `yyyymmdd` or a whole Excel serial day number.
fn compact_date(s: &str) -> Option<NaiveDate> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match s.len() {
        8 => NaiveDate::parse_from_str(s, "%Y%m%d").ok(),
        5 => s
            .parse::<f64>()
            .ok()
            .and_then(crate::normalize::date::excel_serial_to_datetime)
            .map(|dt| dt.date()),
        _ => None,
    }
}

/// The 11 digits of a СНИЛС (`123-456-789 64`), when it has exactly 11 and they are not all
/// the same (`000-000-000 00` is a placeholder).
pub fn snils_digits(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let same = digits.bytes().all(|b| Some(b) == digits.bytes().next());
    (digits.len() == 11 && !same).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    const HEADER: &str = "ID;Полное имя контакта;ФИО;Мобильный телефон;Рабочий телефон;День рождения;Личный email;Должность";

    fn contacts(rows: &[&str]) -> Dataset {
        let text = std::iter::once(HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        testutil::dataset(&[("contacts.csv", &text)])
    }

    fn params() -> DedupeParams {
        testutil::rule_set().params.dedupe
    }

    fn ids(ds: &Dataset, c: &Cluster) -> Vec<String> {
        c.members.iter().map(|m| c.id(ds, m).to_string()).collect()
    }

    #[test]
    fn clusters_members_best_pairs_and_survivor() {
        let ds = contacts(&[
            "10;Иванов Иван;Иванов Иван Петрович;+7 921 123-45-67;;15.03.1985;ivanov@mail.ru;инженер",
            "9;Иван Иванов;;8 (921) 123-45-67;;;;",
            "11;Иванов И.;;;;15.03.1985;;",
            "12;Петров Пётр;Петров Пётр;+7 921 123-45-67;;01.01.1970;;",
            "100;Сидорова Анна;Сидорова Анна;+7 911 000-11-22;;02.02.1990;;",
        ]);
        let found = contact_clusters(&ds, &params(), &[]);
        assert_eq!(found.clusters.len(), 1, "{:?}", found.clusters);
        let c = &found.clusters[0];
        assert_eq!(ids(&ds, c), ["9", "10", "11"]);
        assert_eq!(c.id(&ds, c.survivor()), "10", "the most complete card");
        let by_id = |id: &str| c.members.iter().find(|m| c.id(&ds, m) == id).unwrap();
        assert_eq!(by_id("9").matched_on.to_string(), "name+phone");
        assert_eq!(by_id("10").matched_on.to_string(), "name+phone+birthday");
        assert_eq!(by_id("11").matched_on.to_string(), "name+birthday");
        assert!((by_id("10").score - 2.0 / 3.0).abs() < 1e-6);
        assert!(by_id("11").score < by_id("9").score, "initials are weaker");
        assert_eq!(c.other_ids(&ds, by_id("10")), ["9", "11"]);
    }

    #[test]
    fn decoys_are_not_duplicates() {
        let ds = contacts(&[
            // namesakes: different phone and birthday
            "1;Кузнецов Алексей;Кузнецов Алексей;+7 921 000-00-01;;01.02.1980;;",
            "2;Кузнецов Алексей;Кузнецов Алексей;+7 921 000-00-02;;03.04.1975;;",
            // a family's landline
            "3;Орлов Павел;Орлов Павел;+7 812 555-66-77;;05.06.1960;;",
            "4;Орлова Галина;Орлова Галина;+7 812 555-66-77;;07.08.1962;;",
            // the placeholder birthday and a name
            "5;Морозов Олег;Морозов Олег;;;01.01.1970;;",
            "6;Морозов Олег;Морозов Олег;+7 921 777-00-00;;01.01.1970;;",
            // an address-named card sharing a phone and a birthday-less twin
            "7;Купчинская 4-3-22;;+7 921 444-55-66;;;;",
            "8;Купчинская 4-3-22;;+7 921 444-55-66;;;;",
        ]);
        assert!(contact_clusters(&ds, &params(), &[]).clusters.is_empty());
    }

    #[test]
    fn cluster_order_and_ties_are_deterministic() {
        let ds = contacts(&[
            "200;Белова Ольга;;+7 921 200-00-00;;;;",
            "30;Белова Ольга;;+7 921 200-00-00;;;;",
            "4;Зуев Олег;;+7 921 400-00-00;;;;",
            "100;Зуев Олег;;+7 921 400-00-00;;;;",
        ]);
        let found = contact_clusters(&ds, &params(), &[]);
        let all: Vec<Vec<String>> = found.clusters.iter().map(|c| ids(&ds, c)).collect();
        assert_eq!(all, [["4", "100"], ["30", "200"]]);
        for c in &found.clusters {
            assert_eq!(c.survivor, 0, "equal cards: the oldest ID survives");
        }
    }

    #[test]
    fn applicants_match_on_snils_alone() {
        let ds = testutil::dataset(&[(
            "apps.csv",
            "Номер заявки;ФИО;Активная;СНИЛС;Телефон;Дата рождения\n\
             A-1;Иванов Иван;Да;112-233-445 95;;\n\
             A-2;Иванов Иван Иванович;Да;11223344595;;\n\
             A-3;Петров Пётр;Да;000-000-000 00;+79210000001;\n\
             A-4;Сидоров Пётр;Да;000-000-000 00;+79210000002;",
        )]);
        let found = application_clusters(&ds, &params(), &[]);
        assert_eq!(found.clusters.len(), 1);
        let c = &found.clusters[0];
        assert_eq!(c.entity, Entity::Application);
        assert_eq!(ids(&ds, c), ["A-1", "A-2"]);
        assert!(c.members[0].matched_on.contains(Fields::SNILS));
        assert_eq!(c.score(), 1.0);
    }

    #[test]
    fn contact_name_is_person_name() {
        let ds = testutil::dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;ФИО;Имя;Фамилия\n\
             1;Титул Один;Иванов Иван;Пётр;Петров\n\
             2;Титул Два;;Пётр;Петров\n\
             3;Титул Три;нет;;Петров\n\
             4;Титул Четыре;;;\n\
             5;Титул Пять;-;Пётр;",
        )]);
        let no_fio = testutil::dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Имя;Фамилия\n1;Титул;Пётр;Петров\n2;Титул;;",
        )]);
        for ds in [ds, no_fio] {
            for c in &ds.contacts {
                assert_eq!(contact_name(&ds, c), c.person_name(&ds), "contact {}", c.id);
            }
        }
    }

    #[test]
    fn fast_helpers_agree_with_the_general_ones() {
        use crate::normalize::text::fold_phrase;
        for s in [
            "",
            " ",
            "-",
            " — ",
            "–",
            "нет",
            "НЕТ",
            "н/д",
            "Не указан",
            "null",
            "None",
            "N/A",
            "нетто",
            "-5",
            "Иванов",
            "15.03.1985",
            "Перезвонить!!",
            "Ещё  думает...",
            "ÄÖ Straße",
            "Mixed Case, 12",
            "x\ty",
            "не указан!",
        ] {
            assert_eq!(blank(s), is_blank(s), "{s:?}");
            assert_eq!(phrase_key(s), fold_phrase(s), "{s:?}");
        }
    }

    #[test]
    fn compact_birthdays_are_read_with_the_same_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23);
        let key = |raw: &str| birthday_key(Birthday::Unparseable, raw, today);
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(|d| d.num_days_from_ce());
        assert_eq!(key("19560409"), day(1956, 4, 9));
        assert_eq!(key("20554"), day(1956, 4, 9));
        assert_eq!(key("19700101"), None, "the placeholder");
        assert_eq!(key("20300101"), None, "the future");
        assert_eq!(key("18000101"), None);
        assert_eq!(key("19561309"), None);
        assert_eq!(key("нет"), None);
        assert_eq!(
            birthday_key(Birthday::Placeholder, "01.01.1970", today),
            None
        );
    }

    #[test]
    fn ids_compare_numerically() {
        assert_eq!(id_cmp("9", "10"), Ordering::Less);
        assert_eq!(id_cmp("010", "9"), Ordering::Greater);
        assert_eq!(id_cmp("A-2", "A-10"), Ordering::Greater);
        assert_eq!(id_cmp("", "1"), Ordering::Less);
    }

    #[test]
    fn phone_keys_fall_back_to_digits_for_foreign_numbers() {
        use crate::normalize::phone::{normalize_phone, PhoneOptions};
        let key = |raw: &str| {
            phone_key(&Phone {
                norm: normalize_phone(raw, &PhoneOptions::default()),
                column: 0,
            })
        };
        assert_eq!(key("8 (921) 123-45-67").as_deref(), Some("+79211234567"));
        assert_eq!(key("02 4918 3006").as_deref(), Some("#0249183006"));
        assert_eq!(key("нет"), None);
        assert_eq!(key("111-11-11"), None);
        assert_eq!(key("123"), None);
    }

    #[test]
    fn snils_digits_need_eleven_real_digits() {
        assert_eq!(
            snils_digits("112-233-445 95").as_deref(),
            Some("11223344595")
        );
        assert_eq!(snils_digits("000-000-000 00"), None);
        assert_eq!(snils_digits("1122334459"), None);
    }
}
