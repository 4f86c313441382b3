//! The merge proposal of a cluster: for every column of its records, the value the merged card
//! keeps and the values that would be lost.
//!
//! Records are taken survivor first, then in ID order. Phones and e-mails are multi-valued:
//! the merged card keeps every distinct number and address, nothing is lost. A name keeps the
//! fullest spelling (most words); a birthday the first real date (not the 01.01.1970
//! placeholder); any other column the survivor's value, else the first filled one — the
//! differing values of the other records are the ones lost.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{blank, phrase_key, Cluster};
use crate::model::{At, Dataset};
use crate::normalize::date::{check_birthday, Birthday, BirthdayRules};
use crate::normalize::email::{normalize_email, split_email_cell};
use crate::normalize::name::name_key;
use crate::normalize::phone::split_phone_cell;
use crate::profile::{FieldType, Kind};

/// What a column holds, for merging and highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Id,
    Name,
    Phone,
    Email,
    Birthday,
    Snils,
    Other,
}

/// The merged value of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMerge {
    pub kept: String,
    /// Distinct values of the other records that the merged card would not keep.
    pub lost: Vec<String>,
}

/// The columns of every source of one kind, unified by header (a header repeated in one file
/// stays a separate column).
#[derive(Debug, Clone)]
pub struct Columns {
    pub headers: Vec<String>,
    pub kinds: Vec<ColumnKind>,
    /// By source index: its column for each of `headers` (empty for sources of other kinds).
    index: Vec<Vec<Option<usize>>>,
    today: NaiveDate,
    birthdays: BirthdayRules,
}

impl Columns {
    /// The columns of the sources of `kind`, in source and column order.
    pub fn of(ds: &Dataset, kind: Kind) -> Self {
        let mut headers: Vec<String> = Vec::new();
        let mut kinds = Vec::new();
        let mut keys: Vec<(String, usize)> = Vec::new();
        let mut index = vec![Vec::new(); ds.sources.len()];
        for (s, source) in ds.sources.iter().enumerate() {
            if source.mapping.kind != kind {
                continue;
            }
            let column_kinds = column_kinds(source);
            let mut seen: HashMap<&str, usize> = HashMap::new();
            let mut map = Vec::new();
            for (c, h) in source.table.headers.iter().enumerate() {
                let nth = seen.entry(h.as_str()).or_default();
                let key = (h.clone(), *nth);
                *nth += 1;
                let pos = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                    keys.push(key);
                    headers.push(h.clone());
                    kinds.push(column_kinds[c]);
                    keys.len() - 1
                });
                if map.len() <= pos {
                    map.resize(pos + 1, None);
                }
                map[pos] = Some(c);
            }
            index[s] = map;
        }
        Columns {
            headers,
            kinds,
            index,
            today: ds.today.unwrap_or(NaiveDate::MAX),
            birthdays: ds.birthdays,
        }
    }

    /// A record's value in column `h` ("" when its file has no such column).
    pub fn value<'a>(&self, ds: &'a Dataset, at: At, h: usize) -> &'a str {
        self.index
            .get(at.source as usize)
            .and_then(|m| m.get(h).copied().flatten())
            .map_or("", |c| ds.source(at).table.cell(at.row as usize, c).trim())
    }

    /// The merge proposal, one entry per header.
    pub fn merge(&self, ds: &Dataset, cluster: &Cluster) -> Vec<FieldMerge> {
        let mut order: Vec<At> = vec![cluster.at(ds, cluster.survivor())];
        order.extend(
            cluster
                .members
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != cluster.survivor)
                .map(|(_, m)| cluster.at(ds, m)),
        );
        (0..self.headers.len())
            .map(|h| {
                let values: Vec<&str> = order.iter().map(|&at| self.value(ds, at, h)).collect();
                self.merge_column(self.kinds[h], &values)
            })
            .collect()
    }

    fn merge_column(&self, kind: ColumnKind, values: &[&str]) -> FieldMerge {
        let mut filled = values.iter().filter(|v| !v.is_empty());
        let first = filled.next().copied().unwrap_or("");
        if filled.all(|v| *v == first) {
            // One value (or none) in every record: nothing to choose.
            let kept = if blank(first) { "" } else { first };
            return FieldMerge {
                kept: kept.to_string(),
                lost: Vec::new(),
            };
        }
        match kind {
            ColumnKind::Id => FieldMerge {
                kept: values.first().map_or("", |v| v).to_string(),
                lost: Vec::new(),
            },
            ColumnKind::Phone => union(values, split_phone_cell, phone_digits),
            ColumnKind::Email => union(values, split_email_cell, normalize_email),
            ColumnKind::Name => merge_names(values),
            ColumnKind::Birthday => {
                let date = |v: &str| match check_birthday(v, self.today, &self.birthdays) {
                    Birthday::Valid(d) => Some(d),
                    _ => None,
                };
                keep_first(
                    values,
                    |v| date(v).is_some(),
                    |v| date(v).map(|d| d.to_string()),
                )
            }
            ColumnKind::Snils | ColumnKind::Other => {
                keep_first(values, |v| !blank(v), |v| Some(phrase_key(v)))
            }
        }
    }
}

/// Kinds of a source's columns from its mapping.
fn column_kinds(source: &crate::model::Source) -> Vec<ColumnKind> {
    let m = &source.mapping;
    let mut kinds = vec![ColumnKind::Other; source.table.headers.len()];
    let mut set = |fields: Vec<&str>, kind: ColumnKind| {
        for f in fields {
            for &c in m.columns(f) {
                if let Some(k) = kinds.get_mut(c) {
                    *k = kind;
                }
            }
        }
    };
    set(m.fields_of(FieldType::Phone).collect(), ColumnKind::Phone);
    set(m.fields_of(FieldType::Email).collect(), ColumnKind::Email);
    set(
        vec!["fio", "title", "first_name", "last_name"],
        ColumnKind::Name,
    );
    set(vec!["birthday"], ColumnKind::Birthday);
    set(vec!["snils"], ColumnKind::Snils);
    set(vec!["id", "app_no"], ColumnKind::Id);
    kinds
}

/// A phone's last 10 digits: `8 921 123-45-67` and `+7 (921) 123-45-67` are one number.
fn phone_digits(p: &str) -> String {
    let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(10)..].iter().collect()
}

/// Every distinct item (by `key`) of every value, in order; nothing lost.
fn union<'a>(
    values: &[&'a str],
    split: impl Fn(&'a str) -> Vec<&'a str>,
    key: impl Fn(&str) -> String,
) -> FieldMerge {
    let mut seen: Vec<String> = Vec::new();
    let mut items: Vec<&str> = Vec::new();
    for v in values.iter().filter(|v| !blank(v)) {
        for item in split(v) {
            let k = key(item);
            if !seen.contains(&k) {
                seen.push(k);
                items.push(item.trim());
            }
        }
    }
    FieldMerge {
        kept: items.join(", "),
        lost: Vec::new(),
    }
}

/// The first usable value is kept; other usable values with a different `key` are lost. With
/// no usable value, the first non-blank one is kept.
fn keep_first(
    values: &[&str],
    usable: impl Fn(&str) -> bool,
    key: impl Fn(&str) -> Option<String>,
) -> FieldMerge {
    let kept = values
        .iter()
        .find(|v| usable(v))
        .or_else(|| values.iter().find(|v| !blank(v)))
        .copied()
        .unwrap_or("");
    let kept_key = key(kept);
    let mut lost: Vec<String> = Vec::new();
    let mut lost_keys: Vec<Option<String>> = Vec::new();
    for v in values.iter().filter(|v| **v != kept && usable(v)) {
        let k = key(v);
        if k != kept_key && !lost_keys.contains(&k) {
            lost_keys.push(k);
            lost.push(v.to_string());
        }
    }
    FieldMerge {
        kept: kept.to_string(),
        lost,
    }
}

/// The spelling with the most words is kept; a spelling with a word the kept one lacks is lost.
fn merge_names(values: &[&str]) -> FieldMerge {
    let filled: Vec<(&str, Vec<String>)> = values
        .iter()
        .filter(|v| !blank(v))
        .map(|v| (*v, super::names::words(v)))
        .collect();
    let Some((kept, kept_words)) = filled.iter().rev().max_by_key(|(_, words)| words.len()) else {
        return FieldMerge {
            kept: String::new(),
            lost: Vec::new(),
        };
    };
    let mut lost: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for (v, words) in &filled {
        if v == kept || words.iter().all(|w| kept_words.contains(w)) {
            continue;
        }
        let key = name_key(v);
        if !keys.contains(&key) {
            keys.push(key);
            lost.push(v.to_string());
        }
    }
    FieldMerge {
        kept: kept.to_string(),
        lost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::contact_clusters;
    use crate::testutil;

    #[test]
    fn proposal_keeps_the_fullest_values_and_lists_what_is_lost() {
        let ds = testutil::dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;ФИО;Мобильный телефон;Рабочий телефон;День рождения;Личный email;Должность;Ответственный\n\
             10;Иванов Иван;Иванов Иван;+7 921 123-45-67;+7 812 100-20-30;01.01.1970;ivanov@mail.ru;инженер;Петрова Анна\n\
             12;Иван Иванов;Иванов Иван Петрович;8 921 123-45-67;;15.03.1985;IVANOV@mail.ru, i@ya.ru;прораб;Петрова Анна",
        )]);
        let clusters = contact_clusters(&ds, &testutil::rule_set().params.dedupe, &[]).clusters;
        assert_eq!(clusters.len(), 1);
        let cols = Columns::of(&ds, Kind::AmocrmContacts);
        let merged = cols.merge(&ds, &clusters[0]);
        let at = |h: &str| {
            let i = cols.headers.iter().position(|x| x == h).unwrap();
            (
                cols.kinds[i],
                merged[i].kept.as_str(),
                merged[i].lost.clone(),
            )
        };
        let survivor = clusters[0].id(&ds, clusters[0].survivor()).to_string();
        assert_eq!(at("ID").1, survivor);
        assert_eq!(at("ФИО").0, ColumnKind::Name);
        assert_eq!(at("ФИО").1, "Иванов Иван Петрович");
        assert!(
            at("ФИО").2.is_empty(),
            "«Иванов Иван» is contained in the kept name"
        );
        assert_eq!(at("Мобильный телефон").0, ColumnKind::Phone);
        assert_eq!(at("Мобильный телефон").2, Vec::<String>::new());
        assert_eq!(at("Рабочий телефон").1, "+7 812 100-20-30");
        assert_eq!(
            at("День рождения").1,
            "15.03.1985",
            "the placeholder is not kept"
        );
        assert_eq!(at("Личный email").0, ColumnKind::Email);
        assert_eq!(at("Ответственный").2, Vec::<String>::new());
        let job = at("Должность");
        assert_eq!(job.2.len(), 1);
        assert_ne!(job.1, job.2[0]);
        let emails = at("Личный email").1.to_lowercase();
        assert_eq!(emails.matches("ivanov@mail.ru").count(), 1, "{emails}");
        assert!(emails.contains("i@ya.ru"));
    }

    #[test]
    fn column_helpers() {
        let f = merge_names(&["Иванов Иван", "Иванов Иван Петрович", "Иванов Игорь"]);
        assert_eq!(f.kept, "Иванов Иван Петрович");
        assert_eq!(f.lost, ["Иванов Игорь"]);
        let f = keep_first(&["", "a", "A", "b"], |v| !blank(v), |v| Some(phrase_key(v)));
        assert_eq!((f.kept.as_str(), f.lost), ("a", vec!["b".to_string()]));
    }
}
