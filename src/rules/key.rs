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
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
}

fn unescape(s: &str) -> String {
    s.replace("%2F", "/")
        .replace("%23", "#")
        .replace("%25", "%")
}

/// A key split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub rule: String,
    pub entity: Entity,
    pub id: String,
    pub item: Option<String>,
    /// 1 for the first finding with these parts, 2 for `#2` …
    pub repeat: u32,
}

/// Splits a key; `None` when it is not of the form `RULE/entity/id[/item][#n]`.
pub fn parse(key: &str) -> Option<Parts> {
    let (body, repeat) = match key.rsplit_once('#') {
        Some((body, n)) => (body, n.parse().ok().filter(|n| *n >= 2)?),
        None => (key, 1),
    };
    let mut parts = body.splitn(4, '/');
    let rule = parts.next().filter(|r| !r.is_empty())?;
    let entity = Entity::parse(parts.next()?)?;
    let id = parts.next()?;
    let item = parts.next();
    if item.is_some_and(|i| i.contains('/')) {
        return None;
    }
    Some(Parts {
        rule: rule.to_string(),
        entity,
        id: unescape(id),
        item: item.map(unescape),
        repeat,
    })
}

/// The record part of a key, `RULE`-free: `entity/id`, for the record hash of [`record_hash`].
pub fn record_of(entity: Entity, id: &str) -> String {
    let mut s = String::from(entity.as_str());
    s.push('/');
    escape_into(&mut s, id.trim());
    s
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
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    key.bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The hash of a record (`entity/id`): whether a baseline's record is still exported.
pub fn record_hash(entity: Entity, id: &str) -> u64 {
    hash(&record_of(entity, id))
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
    fn compose_and_parse_round_trip() {
        let mut key = compose("CON006", Entity::Contact, "45102374");
        push_item(&mut key, "12/34 #1 50%");
        assert_eq!(key, "CON006/contact/45102374/12%2F34 %231 50%25");
        let parts = parse(&key).unwrap();
        assert_eq!(parts.rule, "CON006");
        assert_eq!(parts.entity, Entity::Contact);
        assert_eq!(parts.id, "45102374");
        assert_eq!(parts.item.as_deref(), Some("12/34 #1 50%"));
        assert_eq!(parts.repeat, 1);
        let parts = parse("DUP001/contact/45102412#3").unwrap();
        assert_eq!((parts.item, parts.repeat), (None, 3));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        for bad in [
            "",
            "CON001",
            "CON001/person/1",
            "CON001/contact/1/a/b",
            "CON001/contact/1#1",
            "CON001/contact/1#x",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
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
