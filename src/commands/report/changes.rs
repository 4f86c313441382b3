//! Fixed and new findings since the previous week of `--history`. A snapshot keeps, per
//! manager, the 64-bit hashes of its findings' keys ([`crate::rules::key::hash`]): sorted,
//! each stored as the varint of its difference from the one before, in base64: about 9 bytes a
//! finding instead of its text.
//!
//! Fixed: a key of the previous week that no finding of this week has (attributed to the
//! previous week's manager). New: a key of this week that the previous week did not have
//! (attributed to this week's manager). A finding that changed hands is neither.

use std::collections::BTreeMap;

use super::super::audit::summary::manager_name;
use super::snapshot::Snapshot;
use crate::rules::{key, Finding};

/// Fixed and new findings, in total and per manager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub fixed: usize,
    pub new: usize,
    /// Manager → (fixed, new).
    pub by_manager: BTreeMap<String, (usize, usize)>,
}

/// The key hashes of `findings` per manager, sorted and without repeats.
pub fn hashes(findings: &[Finding]) -> BTreeMap<String, Vec<u64>> {
    let mut by_manager: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for f in findings {
        by_manager
            .entry(manager_name(&f.manager))
            .or_default()
            .push(key::hash(&f.key));
    }
    by_manager
        .into_iter()
        .map(|(m, mut hashes)| {
            hashes.sort_unstable();
            hashes.dedup();
            (m.to_string(), hashes)
        })
        .collect()
}

/// [`hashes`] encoded for [`Snapshot::keys`].
pub fn encoded(hashes: &BTreeMap<String, Vec<u64>>) -> BTreeMap<String, String> {
    hashes.iter().map(|(m, h)| (m.clone(), encode(h))).collect()
}

/// What changed from `previous` to this week's [`hashes`]; `None` when `previous` has no keys
/// (a snapshot written before keys were kept).
pub fn between(previous: &Snapshot, now: &BTreeMap<String, Vec<u64>>) -> Option<Changes> {
    let before: BTreeMap<String, Vec<u64>> = previous
        .keys
        .as_ref()?
        .iter()
        .map(|(m, text)| Some((m.clone(), decode(text)?)))
        .collect::<Option<_>>()?;
    let union = |sets: &BTreeMap<String, Vec<u64>>| {
        let mut all: Vec<u64> = sets.values().flatten().copied().collect();
        all.sort_unstable();
        all
    };
    let (all_before, all_now) = (union(&before), union(now));
    let missing_from = |hashes: &[u64], all: &[u64]| {
        hashes
            .iter()
            .filter(|h| all.binary_search(h).is_err())
            .count()
    };
    let mut changes = Changes::default();
    for (m, hashes) in &before {
        let fixed = missing_from(hashes, &all_now);
        changes.fixed += fixed;
        changes.by_manager.entry(m.clone()).or_default().0 += fixed;
    }
    for (m, hashes) in now {
        let new = missing_from(hashes, &all_before);
        changes.new += new;
        changes.by_manager.entry(m.clone()).or_default().1 += new;
    }
    Some(changes)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Sorted hashes → deltas as LEB128 varints → base64 (no padding).
pub fn encode(sorted: &[u64]) -> String {
    let mut bytes = Vec::with_capacity(sorted.len() * 9);
    let mut prev = 0u64;
    for &h in sorted {
        let mut d = h.wrapping_sub(prev);
        prev = h;
        loop {
            let b = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                bytes.push(b);
                break;
            }
            bytes.push(b | 0x80);
        }
    }
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The inverse of [`encode`]; `None` for text it did not write.
pub fn decode(text: &str) -> Option<Vec<u64>> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = BASE64.iter().position(|&b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    let mut out = Vec::new();
    let (mut prev, mut d, mut shift) = (0u64, 0u64, 0u32);
    for b in bytes {
        if shift > 63 {
            return None;
        }
        d |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            prev = prev.wrapping_add(d);
            out.push(prev);
            d = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    (shift == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encoding_round_trips(mut hashes in proptest::collection::vec(any::<u64>(), 0..200)) {
            hashes.sort_unstable();
            hashes.dedup();
            prop_assert_eq!(decode(&encode(&hashes)), Some(hashes));
        }
    }

    #[test]
    fn garbage_does_not_decode() {
        assert_eq!(decode("A"), None);
        assert_eq!(decode("!!!!"), None);
        assert_eq!(decode("//"), None, "an unfinished varint");
    }

    #[test]
    fn fixed_and_new_per_manager() {
        let hashes = |keys: &[(&str, &[&str])]| -> BTreeMap<String, Vec<u64>> {
            keys.iter()
                .map(|(m, ks)| {
                    let mut h: Vec<u64> = ks.iter().map(|k| key::hash(k)).collect();
                    h.sort_unstable();
                    (m.to_string(), h)
                })
                .collect()
        };
        let snapshot = |keys: &[(&str, &[&str])]| Snapshot {
            keys: Some(encoded(&hashes(keys))),
            ..Snapshot::default()
        };
        let before = snapshot(&[
            ("Иванова Анна", &["CON003/contact/1", "CON003/contact/2"]),
            ("Петров Сергей", &["DUP001/contact/3"]),
        ]);
        let now = hashes(&[
            ("Иванова Анна", &["CON003/contact/2", "CON003/contact/4"]),
            // 3 changed hands: neither fixed nor new
            (
                "Сидоров Пётр",
                &["DUP001/contact/3", "CON001/contact/5/name"],
            ),
        ]);
        let c = between(&before, &now).unwrap();
        assert_eq!((c.fixed, c.new), (1, 2));
        assert_eq!(c.by_manager["Иванова Анна"], (1, 1));
        assert_eq!(c.by_manager["Петров Сергей"], (0, 0));
        assert_eq!(c.by_manager["Сидоров Пётр"], (0, 1));
        assert_eq!(between(&Snapshot::default(), &now), None);
    }
}
