//! Blocking, pair scoring and union-find: the part of duplicate detection that must grow about
//! linearly with the number of records.
//!
//! Two records are duplicates when 2+ of {name, phone, birthday} match (or a strong key such as
//! the СНИЛС matches). Every such pair shares a phone or a birthday, and a name match always has
//! an exact word of 2+ letters, so candidate pairs come only from these blocks:
//! - records sharing a phone key (all pairs while the block has ≤ `max_block_size` records);
//! - records sharing a birthday *and* a name key: an exact name word with the first letter (or
//!   the diminutive group) of another word of the name ([`PersonName::pair_keys`]);
//! - records sharing a strong key;
//! - inside an oversized phone block (a switchboard): records sharing the phone and a birthday,
//!   or the phone and a name word.
//!
//! Secondary blocks larger than `max_subblock_size` are skipped and counted. Keys are 64-bit
//! hashes (collisions only add candidates; every pair is verified on the real values).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use super::names::PersonName;
use super::Fields;
use crate::params::DedupeParams;

/// What duplicate detection compares of one record.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub name: Option<PersonName>,
    /// Hashed phone keys, sorted and deduplicated.
    pub phones: Vec<u64>,
    /// Days since 0001-01-01 of a valid birthday.
    pub birthday: Option<i32>,
    /// A key that alone identifies a person (the СНИЛС digits).
    pub strong: Option<u64>,
}

impl Record {
    pub fn new(phones: Vec<u64>, birthday: Option<i32>, strong: Option<u64>) -> Self {
        Record {
            name: None,
            phones,
            birthday,
            strong,
        }
    }

    /// Adds the name, parsed only when the record can match at all (it has a phone or a
    /// birthday: a name alone never makes a pair).
    pub fn with_name<S: AsRef<str>>(mut self, name: impl FnOnce() -> S, p: &DedupeParams) -> Self {
        if !self.phones.is_empty() || self.birthday.is_some() {
            self.name = PersonName::parse(name().as_ref(), p);
        }
        self
    }
}

/// One matched pair (record indices, `a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairMatch {
    pub a: u32,
    pub b: u32,
    pub fields: Fields,
    pub score: f32,
}

/// How much work blocking did, for the command's summary and the bench.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BlockStats {
    pub records: usize,
    pub candidate_pairs: usize,
    pub matched_pairs: usize,
    /// Phones shared by more than `max_block_size` records (compared only by phone+birthday
    /// or phone+name word).
    pub capped_phone_blocks: usize,
    /// Secondary blocks over `max_subblock_size`, skipped.
    pub skipped_blocks: usize,
}

/// The result of linking: matched pairs and the groups (clusters) they form.
#[derive(Debug, Default)]
pub struct Linkage {
    pub matches: Vec<PairMatch>,
    /// Record indices of each group of 2+, ascending, groups ordered by their smallest index.
    pub groups: Vec<Vec<u32>>,
    pub stats: BlockStats,
}

/// Finds every duplicate pair among `records` and groups them, never putting two records of
/// an `apart` pair (record indices, decided to be different persons) in one group.
pub fn link(records: &[Record], p: &DedupeParams, apart: &[(u32, u32)]) -> Linkage {
    let mut stats = BlockStats {
        records: records.len(),
        ..BlockStats::default()
    };
    let pairs = candidate_pairs(records, p, &mut stats);
    stats.candidate_pairs = pairs.len();
    let matches: Vec<PairMatch> = pairs
        .par_iter()
        .filter_map(|&key| {
            let (a, b) = ((key >> 32) as u32, key as u32);
            score_pair(&records[a as usize], &records[b as usize], p).map(|(fields, score)| {
                PairMatch {
                    a,
                    b,
                    fields,
                    score,
                }
            })
        })
        .collect();
    stats.matched_pairs = matches.len();
    let groups = groups(records.len(), &matches);
    let (matches, groups) = separate(matches, groups, apart);
    Linkage {
        matches,
        groups,
        stats,
    }
}

/// The fields two records match on and the pair's score, when they are duplicates. The score
/// is (name similarity + phone + birthday) / 3; a strong-key match scores 1.
pub fn score_pair(a: &Record, b: &Record, p: &DedupeParams) -> Option<(Fields, f32)> {
    let phone = shares(&a.phones, &b.phones);
    let birthday = a.birthday.is_some() && a.birthday == b.birthday;
    let strong = a.strong.is_some() && a.strong == b.strong;
    if !(phone || birthday || strong) {
        return None;
    }
    let name = match (&a.name, &b.name) {
        (Some(x), Some(y)) => x.similarity(y, p),
        _ => None,
    };
    let count = usize::from(phone) + usize::from(birthday) + usize::from(name.is_some());
    if count < 2 && !strong {
        return None;
    }
    let mut fields = Fields::default();
    for (on, f) in [
        (name.is_some(), Fields::NAME),
        (phone, Fields::PHONE),
        (birthday, Fields::BIRTHDAY),
        (strong, Fields::SNILS),
    ] {
        if on {
            fields = fields.with(f);
        }
    }
    let sum = name.unwrap_or(0.0) + f32::from(u8::from(phone)) + f32::from(u8::from(birthday));
    let score = if strong { 1.0 } else { sum / 3.0 };
    Some((fields, score))
}

/// Whether two sorted key lists share a key.
fn shares(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

const TAG_BIRTHDAY_NAME: u64 = 1;
const TAG_STRONG: u64 = 2;
const TAG_PHONE_BIRTHDAY: u64 = 3;
const TAG_PHONE_WORD: u64 = 4;

/// Candidate pairs as `a << 32 | b` (`a < b`), sorted and deduplicated.
fn candidate_pairs(records: &[Record], p: &DedupeParams, stats: &mut BlockStats) -> Vec<u64> {
    let cap = p.max_block_size.max(2);
    let sub_cap = p.max_subblock_size.max(cap);
    let phones = sorted_entries(records, |r, out| out.extend(&r.phones));
    let (small, big): (Vec<Range<usize>>, Vec<Range<usize>>) =
        runs(&phones).into_iter().partition(|r| r.len() <= cap);
    stats.capped_phone_blocks = big.len();
    let mut pairs = pairs_in(&phones, &small);

    let mut keyed = sorted_entries(records, |r, out| {
        if let (Some(day), Some(name)) = (r.birthday, &r.name) {
            let from = out.len();
            name.pair_keys(p, out);
            for k in &mut out[from..] {
                *k = mix(TAG_BIRTHDAY_NAME, day as u64, *k);
            }
        }
        out.extend(r.strong.map(|s| mix(TAG_STRONG, s, 0)));
    });
    keyed.extend(switchboard_entries(records, &phones, &big));
    keyed.par_sort_unstable();
    let (ok, skipped): (Vec<Range<usize>>, Vec<Range<usize>>) =
        runs(&keyed).into_iter().partition(|r| r.len() <= sub_cap);
    stats.skipped_blocks = skipped.len();
    pairs.extend(pairs_in(&keyed, &ok));
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Sub-block keys for the members of oversized phone blocks: (phone, birthday), (phone, word).
fn switchboard_entries(
    records: &[Record],
    phones: &[(u64, u32)],
    big: &[Range<usize>],
) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    for run in big {
        for &(phone, i) in &phones[run.clone()] {
            let r = &records[i as usize];
            if let Some(day) = r.birthday {
                out.push((mix(TAG_PHONE_BIRTHDAY, phone, day as u64), i));
            }
            if let Some(name) = &r.name {
                out.extend(name_words(name).map(|w| (mix(TAG_PHONE_WORD, phone, w), i)));
            }
        }
    }
    out
}

/// Hashes of a name's distinct block words.
fn name_words(name: &PersonName) -> impl Iterator<Item = u64> {
    let mut words: Vec<u64> = name.block_hashes().collect();
    words.sort_unstable();
    words.dedup();
    words.into_iter()
}

/// `(key, record)` for every key of every record, sorted.
fn sorted_entries(
    records: &[Record],
    keys: impl Fn(&Record, &mut Vec<u64>) + Sync,
) -> Vec<(u64, u32)> {
    const CHUNK: usize = 8192;
    let parts: Vec<Vec<(u64, u32)>> = records
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut part = Vec::with_capacity(chunk.len() * 2);
            let mut k = Vec::new();
            for (i, r) in chunk.iter().enumerate() {
                k.clear();
                keys(r, &mut k);
                k.sort_unstable();
                k.dedup();
                let index = (c * CHUNK + i) as u32;
                part.extend(k.iter().map(|&key| (key, index)));
            }
            part
        })
        .collect();
    let mut entries = parts.concat();
    entries.par_sort_unstable();
    entries
}

/// Ranges of equal keys with 2+ entries.
fn runs(entries: &[(u64, u32)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[start].0 {
            if i - start >= 2 {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

/// Every pair of distinct records inside each run.
fn pairs_in(entries: &[(u64, u32)], runs: &[Range<usize>]) -> Vec<u64> {
    runs.par_iter()
        .flat_map_iter(|run| {
            let ids: Vec<u32> = entries[run.clone()].iter().map(|e| e.1).collect();
            let mut out = Vec::with_capacity(ids.len() * (ids.len() - 1) / 2);
            for (k, &a) in ids.iter().enumerate() {
                for &b in &ids[k + 1..] {
                    if a != b {
                        let (x, y) = (a.min(b), a.max(b));
                        out.push(u64::from(x) << 32 | u64::from(y));
                    }
                }
            }
            out
        })
        .collect()
}

/// Connected components of the matched pairs (union-find), each sorted, ordered by first member.
fn groups(n: usize, matches: &[PairMatch]) -> Vec<Vec<u32>> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for m in matches {
        let (ra, rb) = (find(&mut parent, m.a), find(&mut parent, m.b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut members: Vec<(u32, u32)> = matches
        .iter()
        .flat_map(|m| [m.a, m.b])
        .map(|x| (find(&mut parent, x), x))
        .collect();
    members.par_sort_unstable();
    members.dedup();
    members
        .chunk_by(|x, y| x.0 == y.0)
        .map(|c| c.iter().map(|e| e.1).collect())
        .collect()
}

/// Splits the groups that hold both records of an `apart` pair: their matches are joined
/// again best first (score, then record indices), skipping a join that would put an apart pair
/// together; matches that end up between two groups are dropped. Other groups are untouched.
fn separate(
    matches: Vec<PairMatch>,
    groups: Vec<Vec<u32>>,
    apart: &[(u32, u32)],
) -> (Vec<PairMatch>, Vec<Vec<u32>>) {
    if apart.is_empty() {
        return (matches, groups);
    }
    let mut group_of: HashMap<u32, usize> = HashMap::new();
    for (g, members) in groups.iter().enumerate() {
        for &x in members {
            group_of.insert(x, g);
        }
    }
    let split: HashSet<usize> = apart
        .iter()
        .filter_map(|&(a, b)| match (group_of.get(&a), group_of.get(&b)) {
            (Some(ga), Some(gb)) if ga == gb => Some(*ga),
            _ => None,
        })
        .collect();
    if split.is_empty() {
        return (matches, groups);
    }
    let forbidden: HashSet<(u32, u32)> = apart.iter().copied().collect();
    let (mut inside, mut kept): (Vec<PairMatch>, Vec<PairMatch>) = matches
        .into_iter()
        .partition(|m| group_of.get(&m.a).is_some_and(|g| split.contains(g)));
    inside.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
    });
    // Greedy union with cannot-link constraints: each root keeps its members.
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut root: HashMap<u32, u32> = HashMap::new();
    for m in &inside {
        for x in [m.a, m.b] {
            root.entry(x).or_insert(x);
            members.entry(x).or_insert_with(|| vec![x]);
        }
    }
    let mut joined = Vec::new();
    for m in inside {
        let (ra, rb) = (root[&m.a], root[&m.b]);
        if ra == rb {
            joined.push(m);
            continue;
        }
        let clash = members[&ra].iter().any(|&x| {
            members[&rb]
                .iter()
                .any(|&y| forbidden.contains(&(x.min(y), x.max(y))))
        });
        if clash {
            continue;
        }
        let (keep, gone) = (ra.min(rb), ra.max(rb));
        let moved = members.remove(&gone).unwrap_or_default();
        for &x in &moved {
            root.insert(x, keep);
        }
        members.entry(keep).or_default().extend(moved);
        joined.push(m);
    }
    kept.extend(joined.into_iter().filter(|m| root[&m.a] == root[&m.b]));
    let mut groups: Vec<Vec<u32>> = groups
        .into_iter()
        .enumerate()
        .filter(|(g, _)| !split.contains(g))
        .map(|(_, members)| members)
        .chain(members.into_values().filter(|m| m.len() >= 2).map(|mut m| {
            m.sort_unstable();
            m
        }))
        .collect();
    groups.sort_unstable();
    kept.sort_by_key(|m| (m.a, m.b));
    (kept, groups)
}

/// FNV-1a over bytes, finished with splitmix64: a fixed, deterministic 64-bit hash.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    finish(crate::rules::key::fnv1a(bytes))
}

/// Combines a tag and two hashes into one key.
pub fn mix(tag: u64, a: u64, b: u64) -> u64 {
    finish(finish(tag ^ a.rotate_left(17)) ^ b)
}

fn finish(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RuleSet;

    fn params() -> DedupeParams {
        RuleSet::embedded().unwrap().params.dedupe
    }

    fn rec(name: &str, phones: &[&str], birthday: Option<i32>) -> Record {
        let mut phones: Vec<u64> = phones.iter().map(|p| hash_bytes(p.as_bytes())).collect();
        phones.sort_unstable();
        Record {
            name: PersonName::parse(name, &params()),
            phones,
            birthday,
            strong: None,
        }
    }

    #[test]
    fn two_of_three_fields_make_a_pair() {
        let p = params();
        let a = rec("Иванов Иван", &["+79211234567"], Some(700_000));
        let name_phone = rec("Иван Иванов", &["+79211234567"], None);
        let phone_day = rec("Петров Пётр", &["+79211234567"], Some(700_000));
        let name_day = rec("Иванов Иван Петрович", &[], Some(700_000));
        let name_only = rec("Иванов Иван", &["+79990000000"], Some(1));
        let phone_only = rec("Сидорова Анна", &["+79211234567"], Some(2));
        let (f, s) = score_pair(&a, &name_phone, &p).unwrap();
        assert_eq!((f.to_string(), s), ("name+phone".to_string(), 2.0 / 3.0));
        assert_eq!(
            score_pair(&a, &phone_day, &p).unwrap().0.to_string(),
            "phone+birthday"
        );
        assert_eq!(
            score_pair(&a, &name_day, &p).unwrap().0.to_string(),
            "name+birthday"
        );
        assert_eq!(score_pair(&a, &name_only, &p), None);
        assert_eq!(score_pair(&a, &phone_only, &p), None);
        let all = rec("Иванов Иван", &["+79211234567"], Some(700_000));
        assert_eq!(score_pair(&a, &all, &p).unwrap().1, 1.0);
    }

    #[test]
    fn strong_key_alone_is_enough() {
        let p = params();
        let mut a = rec("Иванов Иван", &[], None);
        let mut b = rec("Петров Пётр", &[], None);
        a.strong = Some(7);
        b.strong = Some(7);
        assert_eq!(score_pair(&a, &b, &p).unwrap(), (Fields::SNILS, 1.0));
    }

    #[test]
    fn switchboard_pairs_are_still_reached_through_birthday_and_name() {
        let mut p = params();
        p.max_block_size = 3;
        let board = "+78123334455";
        let mut records: Vec<Record> = (0..10)
            .map(|i| rec(&format!("Сотрудник{i} Работник{i}"), &[board], Some(i)))
            .collect();
        records.push(rec("Орлова Мария", &[board], Some(9)));
        records.push(rec("Мария Орлова", &[board], Some(100)));
        let linkage = link(&records, &p, &[]);
        assert_eq!(linkage.stats.capped_phone_blocks, 1);
        assert_eq!(linkage.groups, vec![vec![9, 10, 11]]);
        assert!(linkage.stats.candidate_pairs < 10, "{:?}", linkage.stats);
    }

    #[test]
    fn union_find_chains_pairs() {
        let m = |a, b| PairMatch {
            a,
            b,
            fields: Fields::PHONE,
            score: 1.0,
        };
        assert_eq!(
            groups(8, &[m(5, 7), m(1, 2), m(2, 5), m(3, 4)]),
            vec![vec![1, 2, 5, 7], vec![3, 4]]
        );
        assert!(groups(3, &[]).is_empty());
    }

    #[test]
    fn hashing_is_fixed() {
        assert_eq!(hash_bytes(b"+79211234567"), hash_bytes(b"+79211234567"));
        assert_ne!(hash_bytes(b"+79211234567"), hash_bytes(b"+79211234568"));
        assert_ne!(mix(1, 2, 3), mix(1, 3, 2));
    }
}
