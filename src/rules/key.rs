//! Finding keys: `RULE/entity/id[/item]`, the identity of one problem on one record from run to
//! run (`findings.jsonl` field `key`; `audit --baseline` and `report --history` join on it).
//!
//! A key is built only from the rule code, the record's CRM ID (Flow: the application number)
//! and, for rules that can report a record more than once or whose problem has a part that
//! matters, an item (the canonical field, the normalised phone or e-mail): never from the row
//! number, the file name or format, the message wording or `--as-of`. Each rule's explanation
//! (`crmclean explain CODE`) says what its item is. When one record yields the same key twice
//! (the same junk text in two phone columns), the repeats are numbered `#2`, `#3` in the order of
//! their value and column.
//!
//! `/`, `#` and `%` inside an ID or an item are written `%2F`, `%23` and `%25`, so a key always
//! splits back into its parts.

use super::{Entity, Finding};
use crate::normalize::name::clean_display;

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Contact => "contact",
            Entity::Deal => "deal",
            Entity::Application => "application",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "contact" => Entity::Contact,
            "deal" => Entity::Deal,
            "application" => Entity::Application,
            _ => return None,
        })
    }
}

impl<'de> serde::Deserialize<'de> for Entity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Entity::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown entity «{s}»")))
    }
}

/// The key of a finding about record `id` without an item.
pub fn compose(rule: &str, entity: Entity, id: &str) -> String {
    let mut key = String::with_capacity(rule.len() + id.len() + 16);
    key.push_str(rule);
    key.push('/');
    key.push_str(entity.as_str());
    key.push('/');
    escape_into(&mut key, id.trim());
    key
}

/// Appends the item part to a key made by [`compose`].
pub fn push_item(key: &mut String, item: &str) {
    key.push('/');
    escape_into(key, item);
}

/// The item of free text (a junk phone, an e-mail): trimmed, spaces collapsed, lowercase.
pub fn text_item(raw: &str) -> String {
    clean_display(raw).to_lowercase()
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match escape(ch) {
            Some(escaped) => out.push_str(escaped),
            None => out.push(ch),
        }
    }
}

/// How a key writes a character that separates its parts (`None`: as it is).
fn escape(ch: char) -> Option<&'static str> {
    match ch {
        '%' => Some("%25"),
        '/' => Some("%2F"),
        '#' => Some("%23"),
        _ => None,
    }
}

/// The key with a personal item (a phone, an e-mail) replaced by `~` and the item's hash in hex,
/// for `--mask-pii`; canonical field names (`birthday`) stay. Masked keys are as stable as the
/// plain ones, so masked runs compare with masked baselines.
pub fn mask_item(key: &str) -> String {
    let (body, repeat) = match key.rsplit_once('#') {
        Some((body, n)) => (body, Some(n)),
        None => (key, None),
    };
    let mut parts = body.splitn(4, '/');
    let head: Vec<&str> = parts.by_ref().take(3).collect();
    let Some(item) = parts.next() else {
        return key.to_string();
    };
    if item.starts_with('~') || item.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return key.to_string();
    }
    let mut out = format!("{}/~{:016x}", head.join("/"), hash(item));
    if let Some(n) = repeat {
        out.push('#');
        out.push_str(n);
    }
    out
}

/// A 64-bit FNV-1a hash of a key: stable across runs, versions and machines (it is stored in the
/// report history), for compact storage and fast joins.
pub fn hash(key: &str) -> u64 {
    fnv1a(key.as_bytes())
}

/// FNV-1a over bytes: the project's one fixed, deterministic 64-bit hash (keys, the apply
/// plan's digest, dedupe's blocking keys).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_on(FNV_OFFSET, bytes)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a continued from `h` over `bytes`: hashing a text piece by piece gives the hash of the
/// whole.
fn fnv1a_on(h: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The hash of a record's part of its keys (`entity/id`, the ID escaped as in a key): whether
/// a baseline's record is still exported. Hashed piece by piece, without building the text.
pub fn record_hash(entity: Entity, id: &str) -> u64 {
    let mut h = fnv1a_on(FNV_OFFSET, entity.as_str().as_bytes());
    h = fnv1a_on(h, b"/");
    let mut buf = [0u8; 4];
    for ch in id.trim().chars() {
        let piece = escape(ch).unwrap_or_else(|| ch.encode_utf8(&mut buf));
        h = fnv1a_on(h, piece.as_bytes());
    }
    h
}

/// Numbers repeated keys of one rule pass, sorted in the output order: the findings of one record
/// are adjacent there, and among them the repeats of a key get `#2`, `#3` … in the order of
/// their value and column (never of their row or file).
pub fn number_repeats(findings: &mut [Finding]) {
    let same_record = |a: &Finding, b: &Finding| a.file == b.file && a.row == b.row && a.id == b.id;
    let mut start = 0;
    while start < findings.len() {
        let mut end = start + 1;
        while end < findings.len() && same_record(&findings[start], &findings[end]) {
            end += 1;
        }
        if end - start > 1 {
            number_record(&mut findings[start..end]);
        }
        start = end;
    }
}

fn number_record(record: &mut [Finding]) {
    let mut order: Vec<usize> = (0..record.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&record[a], &record[b]);
        (&a.key, &a.value, &a.field).cmp(&(&b.key, &b.value, &b.field))
    });
    let mut seen = 1;
    for w in 1..order.len() {
        let (prev, this) = (order[w - 1], order[w]);
        if record[this].key == base(&record[prev].key) {
            seen += 1;
            let key = &mut record[this].key;
            key.push('#');
            key.push_str(&seen.to_string());
        } else {
            seen = 1;
        }
    }
}

/// A key without its `#n` repeat number.
fn base(key: &str) -> &str {
    key.rsplit_once('#').map_or(key, |(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_escapes_items() {
        let mut key = compose("CON006", Entity::Contact, "45102374");
        push_item(&mut key, "12/34 #1 50%");
        assert_eq!(key, "CON006/contact/45102374/12%2F34 %231 50%25");
    }

    #[test]
    fn record_hash_is_the_hash_of_the_escaped_record_part() {
        assert_eq!(
            record_hash(Entity::Contact, " 45/10#2 ж% "),
            hash("contact/45%2F10%232 ж%25")
        );
    }

    #[test]
    fn fnv1a_reference_values() {
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn masking_hides_personal_items_only() {
        let masked = mask_item("PRT001/contact/45102462/+79213456701#2");
        assert!(masked.starts_with("PRT001/contact/45102462/~"), "{masked}");
        assert!(
            masked.ends_with("#2") && !masked.contains("921"),
            "{masked}"
        );
        assert_eq!(mask_item(&masked), masked);
        for plain in [
            "CON001/contact/1/birthday",
            "DUP001/contact/1",
            "DEAL001/deal/2/product_group",
        ] {
            assert_eq!(mask_item(plain), plain);
        }
    }

    #[test]
    fn text_items_fold_case_and_spaces() {
        assert_eq!(text_item("  Тел. ОФИСА \n 2 "), "тел. офиса 2");
    }

    #[test]
    fn repeats_are_numbered_by_value_not_by_position() {
        let finding = |field: &str, value: &str| Finding {
            key: "CON006/contact/7/нет".into(),
            field: field.into(),
            value: value.into(),
            id: "7".into(),
            ..crate::commands::audit::origin::tests::blank()
        };
        let mut a = vec![
            finding("Рабочий телефон", "нет"),
            finding("Мобильный телефон", "нет"),
        ];
        number_repeats(&mut a);
        let keys: Vec<&str> = a.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["CON006/contact/7/нет#2", "CON006/contact/7/нет"]);
    }
}
