//! `--mask-pii` for audit outputs: a cell is masked by what its column holds (phones, e-mails,
//! birthdays, from the column profile); any other text has the phone numbers and e-mail
//! addresses inside it masked.

use std::borrow::Cow;

use crate::model::Dataset;
use crate::output::mask::{mask_birthday, mask_email, mask_phone};
use crate::profile::FieldType;
use crate::rules::{key, Finding};

use super::origin::Origins;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pii {
    Phone,
    Email,
    Birthday,
    Other,
}

/// Digits that make a run of digits and separators a phone number in free text.
const TEXT_PHONE_DIGITS: usize = 7;
/// In a phone column any run of this many digits is masked (junk numbers too).
const COLUMN_PHONE_DIGITS: usize = 3;

/// Masks cells and findings of one dataset.
pub struct Masker<'a> {
    origins: Origins<'a>,
    /// Per source, per column.
    columns: Vec<Vec<Pii>>,
}

impl<'a> Masker<'a> {
    pub fn new(ds: &'a Dataset) -> Self {
        let columns = ds
            .sources
            .iter()
            .map(|s| {
                let m = &s.mapping;
                let mut kinds = vec![Pii::Other; s.table.headers.len()];
                let mut mark = |field: &str, pii: Pii| {
                    for &c in m.columns(field) {
                        if let Some(k) = kinds.get_mut(c) {
                            *k = pii;
                        }
                    }
                };
                for f in m.fields_of(FieldType::Phone) {
                    mark(f, Pii::Phone);
                }
                for f in m.fields_of(FieldType::Email) {
                    mark(f, Pii::Email);
                }
                for f in m
                    .fields_of(FieldType::Date)
                    .filter(|f| f.contains("birthday"))
                {
                    mark(f, Pii::Birthday);
                }
                kinds
            })
            .collect();
        Masker {
            origins: Origins::new(ds),
            columns,
        }
    }

    /// A raw cell of `source`, masked by its column.
    pub fn cell(&self, source: usize, column: usize, text: &str) -> String {
        let pii = self
            .columns
            .get(source)
            .and_then(|c| c.get(column))
            .copied()
            .unwrap_or(Pii::Other);
        mask_as(pii, text)
    }

    /// The finding with `value` masked by the column `field` names; in `message` that value
    /// and any phone number or e-mail address are masked too, in `fix` phones and e-mails.
    pub fn finding(&self, f: &Finding) -> Finding {
        let pii = self.pii(f);
        let value = mask_as(pii, &f.value);
        let raw = f.value.trim();
        let message = if pii != Pii::Other && !raw.is_empty() {
            mask_text(&f.message.replace(raw, &value))
        } else {
            mask_text(&f.message)
        };
        let key = self.key_as(pii, f).into_owned();
        Finding {
            value,
            message: message.into(),
            fix: mask_text(&f.fix).into(),
            key,
            ..f.clone()
        }
    }
}

impl Masker<'_> {
    /// What the column of a finding's `field` holds.
    fn pii(&self, f: &Finding) -> Pii {
        self.origins
            .source(f)
            .and_then(|s| {
                let col = *self.origins.columns(s, &f.field).first()?;
                self.columns.get(s)?.get(col).copied()
            })
            .unwrap_or(Pii::Other)
    }

    /// The finding's key as [`Masker::finding`] writes it.
    pub fn key<'f>(&self, f: &'f Finding) -> Cow<'f, str> {
        self.key_as(self.pii(f), f)
    }

    fn key_as<'f>(&self, pii: Pii, f: &'f Finding) -> Cow<'f, str> {
        match pii {
            Pii::Other => Cow::Borrowed(&f.key),
            _ => Cow::Owned(key::mask_item(&f.key)),
        }
    }
}

fn mask_as(pii: Pii, text: &str) -> String {
    match pii {
        Pii::Phone => mask_phones(text, COLUMN_PHONE_DIGITS),
        Pii::Email if text.contains('@') => mask_emails(text),
        Pii::Email => mask_email(text),
        Pii::Birthday => mask_birthday(text),
        Pii::Other => mask_text(text),
    }
}

/// Free text with its phone numbers (7+ digits) and e-mail addresses masked.
pub fn mask_text(text: &str) -> String {
    mask_phones(&mask_emails(text), TEXT_PHONE_DIGITS)
}

/// Every run of digits, spaces, `+ ( ) -` holding at least `min_digits` digits, masked as a
/// phone. Dots end a run, so dates (`01.07.2026`) stay readable.
fn mask_phones(text: &str, min_digits: usize) -> String {
    let is_part =
        |c: char| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | ' ' | '\u{a0}');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit() || c == '+') {
        out.push_str(&rest[..start]);
        let run_len = rest[start..]
            .find(|c: char| !is_part(c))
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + run_len];
        if !run.contains(|c: char| c.is_ascii_digit()) {
            out.push('+');
            rest = &rest[start + 1..];
            continue;
        }
        // Trailing separators belong to the surrounding text.
        let core = run.trim_end_matches(|c: char| !c.is_ascii_digit());
        let digits = core.chars().filter(char::is_ascii_digit).count();
        if digits >= min_digits {
            out.push_str(&mask_phone(core));
        } else {
            out.push_str(core);
        }
        rest = &rest[start + core.len()..];
    }
    out.push_str(rest);
    out
}

/// Every word with an `@` between other characters masked as an e-mail.
fn mask_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_string();
    }
    let is_sep = |c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '«' | '»' | '"' | '(' | ')')
    };
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let trimmed = word.trim_end_matches('.');
        let looks_like = trimmed
            .find('@')
            .is_some_and(|at| at > 0 && at + 1 < trimmed.len());
        if looks_like {
            out.push_str(&mask_email(trimmed));
            out.push_str(&word[trimmed.len()..]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_sep(c) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dataset;

    #[test]
    fn phones_in_text() {
        assert_eq!(
            mask_text("Телефон клиента +79211234567 найден на карточке прораба"),
            "Телефон клиента +7921***4567 найден на карточке прораба"
        );
        let masked = mask_text("номер 8 (921) 123-45-67, а не 8 921 765-43-21.");
        assert!(!masked.contains("123-45"), "{masked}");
        assert!(!masked.contains("765-43"), "{masked}");
        assert!(masked.starts_with("номер 8"), "{masked}");
        assert!(masked.ends_with("21."), "{masked}");
        // Dates, amounts and IDs are not phones.
        let plain = "последний контакт 01.07.2026 12:00, бюджет 45 000, сделка 501";
        assert_eq!(mask_text(plain), plain);
        assert_eq!(mask_text("-"), "-");
        assert_eq!(mask_text("C++ и +"), "C++ и +");
        assert_eq!(mask_text(""), "");
    }

    #[test]
    fn emails_in_text() {
        assert_eq!(
            mask_text("в карточке e-mail менеджера a.petrova@okna-spb.ru."),
            "в карточке e-mail менеджера a***@okna-spb.ru."
        );
        assert_eq!(
            mask_text("«ivanov@mail.ru», @home"),
            "«i***@mail.ru», @home"
        );
    }

    #[test]
    fn cells_by_column_kind() {
        let ds = dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Мобильный телефон;Личный email;День рождения;Примечание\n\
             101;Иванов Иван;12-34;ivanov@mail.ru;15.03.1985;звонил с 8 921 123-45-67\n",
        )]);
        let m = Masker::new(&ds);
        assert_eq!(m.cell(0, 1, "Иванов Иван"), "Иванов Иван");
        assert_ne!(m.cell(0, 2, "12-34"), "12-34");
        assert_eq!(m.cell(0, 3, "ivanov@mail.ru"), "i***@mail.ru");
        assert_eq!(m.cell(0, 3, "ivanov.mail.ru"), "i***");
        assert_eq!(m.cell(0, 4, "15.03.1985"), "1985");
        assert!(!m.cell(0, 5, "звонил с 8 921 123-45-67").contains("123-45"));
        assert_eq!(m.cell(7, 7, "x"), "x");

        let f = Finding {
            file: "contacts.csv".into(),
            row: 1,
            field: "День рождения".into(),
            value: "15.03.1985".into(),
            message: "дата рождения 15.03.1985 у контакта +79211234567".into(),
            fix: "перенесите 8 921 123-45-67 в новый контакт".into(),
            ..super::super::origin::tests::blank()
        };
        let masked = m.finding(&f);
        assert_eq!(masked.value, "1985");
        assert_eq!(masked.message, "дата рождения 1985 у контакта +7921***4567");
        assert!(!masked.fix.contains("123-45"), "{}", masked.fix);
        assert_eq!(masked.file, f.file);
    }
}
