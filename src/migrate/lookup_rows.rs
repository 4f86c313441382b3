//! The rows of deals and client-base files that can matter to `lookup` of one number, so that
//! only those become records: the rest of a 1.5M-deal export is parsed but never normalised.
//!
//! Every contact is built. From the contacts: those whose card holds the number, the partners
//! among them and every number on their cards (the partner plan's targets), every contact whose
//! card holds a target, and every number on those cards (the keys). A deals row is kept when
//! - it may hold a key: the digits of its phone and note cells contain a key's last seven
//!   digits, or those cells have digits other than ASCII ones (this also keeps a deal linked
//!   by name + phone);
//! - it names one of those contacts by ID, or is named in their `Сделки` column;
//! - its contact name is a partner's card title (an unlinked deal of that partner);
//! - its contract is one of a client-base row that may hold a key.
//!
//! A client-base row is kept when it may hold a key or has the contract of a kept deal. Links
//! are resolved per deal against all contacts, so a kept deal links as in a full load: the
//! lookup over the kept rows equals the lookup over all of them (tests compare the two).

use aho_corasick::AhoCorasick;
use foldhash::HashSet;
use rayon::prelude::*;

use super::contract_key;
use crate::model::{contact_ids, Contact, Dataset, Select, Source};
use crate::normalize::name::name_key;
use crate::normalize::text::is_digit;
use crate::profile::{FieldType, Kind};
use crate::read::Row;

/// Digits of a key that a row must contain to possibly hold it: a local number with its area
/// code left out still has them.
const TAIL_DIGITS: usize = 7;

/// UTF-8 lead bytes of U+0400–U+047F (Russian letters), where no character is a digit.
const CYRILLIC_LEADS: [u8; 2] = [0xD0, 0xD1];

/// [`Select`] for `lookup` of one E.164 number.
pub struct LookupRows<'a> {
    pub phone: &'a str,
}

impl Select for LookupRows<'_> {
    fn rows(&self, ds: &Dataset, deferred: &[&Source]) -> Vec<Vec<u32>> {
        let wanted = Wanted::of(ds, self.phone);
        let kind = |s: &Source| s.mapping.kind;
        let mut rows: Vec<Vec<u32>> = deferred
            .iter()
            .map(|s| match kind(s) {
                Kind::ClientBase => {
                    let columns = number_columns(s);
                    pick(s, |row| wanted.may_hold_key(row, &columns))
                }
                _ => Vec::new(),
            })
            .collect();
        let base_contracts = contracts(deferred, &rows);
        for (s, rows) in deferred.iter().zip(&mut rows) {
            if kind(s) == Kind::AmocrmDeals {
                let columns = number_columns(s);
                *rows = pick(s, |row| wanted.deal(s, row, &columns, &base_contracts));
            }
        }
        let deal_contracts = contracts(deferred, &rows);
        for (s, rows) in deferred.iter().zip(&mut rows) {
            if kind(s) == Kind::ClientBase {
                let more = pick(s, |row| {
                    deal_contracts.contains(contract_key(s.field(row, "contract_no")).as_ref())
                });
                rows.extend(more);
                rows.sort_unstable();
                rows.dedup();
            }
        }
        rows
    }
}

/// What makes a row worth building.
struct Wanted<'a> {
    /// Matches the last digits of every key.
    tails: AhoCorasick,
    /// IDs and `Сделки` entries of the contacts that hold a target.
    ids: HashSet<&'a str>,
    refs: HashSet<&'a str>,
    /// Name keys of the card titles of partners that hold a target.
    partner_titles: HashSet<String>,
}

impl<'a> Wanted<'a> {
    fn of(ds: &'a Dataset, phone: &'a str) -> Self {
        let holding = |set: &HashSet<&str>| -> Vec<&'a Contact> {
            ds.contacts
                .par_iter()
                .filter(|c| c.valid_phones().any(|p| set.contains(p)))
                .collect()
        };
        let mut targets: HashSet<&str> = [phone].into_iter().collect();
        let partners = holding(&targets).into_iter().filter(|c| c.is_partner);
        targets.extend(partners.flat_map(Contact::valid_phones));
        let people = holding(&targets);
        let keys: HashSet<&str> = people.iter().flat_map(|c| c.valid_phones()).collect();
        let tails = keys.iter().chain(&targets).map(|k| {
            let digits = k.trim_start_matches('+');
            &digits[digits.len().saturating_sub(TAIL_DIGITS)..]
        });
        Wanted {
            tails: AhoCorasick::new(tails).expect("digit patterns are valid"),
            ids: people
                .iter()
                .map(|c| c.id.as_str())
                .filter(|id| !id.is_empty())
                .collect(),
            refs: people.iter().flat_map(|c| c.deal_refs(ds)).collect(),
            partner_titles: people
                .iter()
                .filter(|c| c.is_partner)
                .map(|c| c.title(ds))
                .filter(|t| !t.is_empty())
                .map(|t| name_key(&t))
                .collect(),
        }
    }

    /// Whether some cells of a row may hold a key: their ASCII digits (cells apart) contain a
    /// key's tail, or they have other digits, which the phone parser may read as ASCII ones.
    fn may_hold_key(&self, row: &Row, columns: &[usize]) -> bool {
        let mut digits = Vec::with_capacity(64);
        for cell in columns.iter().filter_map(|&c| row.get(c)) {
            for (i, &b) in cell.as_bytes().iter().enumerate() {
                if b.is_ascii_digit() {
                    digits.push(b);
                } else if b >= 0xC0 && !CYRILLIC_LEADS.contains(&b) {
                    let c = cell[i..].chars().next().unwrap_or_default();
                    if is_digit(c) {
                        return true;
                    }
                }
            }
            digits.push(b'|');
        }
        self.tails.is_match(&digits)
    }

    fn deal(
        &self,
        source: &Source,
        row: &Row,
        columns: &[usize],
        base_contracts: &HashSet<String>,
    ) -> bool {
        let field = |f: &str| source.field(row, f);
        let (name, contact_name) = (field("name"), field("contact_name"));
        contact_ids(field("contact_id")).any(|id| self.ids.contains(id))
            || self.refs.contains(field("id"))
            || (!name.is_empty() && self.refs.contains(name))
            || (!self.partner_titles.is_empty()
                && !contact_name.is_empty()
                && self.partner_titles.contains(&name_key(contact_name)))
            || base_contracts.contains(contract_key(field("contract_no")).as_ref())
            || self.may_hold_key(row, columns)
    }
}

/// The columns of a source whose numbers records read: phones and notes.
fn number_columns(source: &Source) -> Vec<usize> {
    let m = &source.mapping;
    let mut columns: Vec<usize> = m
        .fields_of(FieldType::Phone)
        .chain(m.fields_of(FieldType::Note))
        .flat_map(|f| m.columns(f).iter().copied())
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// The rows of a source that pass a test, ascending.
fn pick(source: &Source, keep: impl Fn(&Row) -> bool + Sync) -> Vec<u32> {
    let rows = &source.table.rows;
    (0..rows.len() as u32)
        .into_par_iter()
        .filter(|&i| keep(&rows.row(i as usize)))
        .collect()
}

/// The non-empty contract keys of the picked rows.
fn contracts(sources: &[&Source], rows: &[Vec<u32>]) -> HashSet<String> {
    sources
        .iter()
        .zip(rows)
        .flat_map(|(s, rows)| {
            rows.iter().map(move |&i| {
                contract_key(s.field(&s.table.rows.row(i as usize), "contract_no")).into_owned()
            })
        })
        .filter(|k| !k.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::migrate::lookup::lookup;
    use crate::testutil::{load_dir, rule_set};

    #[test]
    fn russian_letters_hold_no_digits() {
        let leads = ('\u{400}'..='\u{47f}').map(|c| c.encode_utf8(&mut [0; 4]).as_bytes()[0]);
        assert!(leads.clone().all(|b| CYRILLIC_LEADS.contains(&b)));
        assert!(('\u{400}'..='\u{47f}').all(|c| !c.is_numeric()));
    }

    #[test]
    fn a_row_may_hold_a_key_in_any_written_form() {
        let ds = crate::testutil::dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Мобильный телефон\n1;Иванов Иван;+79211234567\n",
        )]);
        let wanted = Wanted::of(&ds, "+79211234567");
        let holds = |cells: &[&str]| {
            let mut rows = crate::read::Rows::default();
            rows.push(cells.iter().copied());
            wanted.may_hold_key(&rows.row(0), &[0, 1])
        };
        assert!(holds(&["Сделка", "8 (921) 123-45-67"]));
        assert!(holds(&["прораб просил звонить на 123-45-67 после 18"]));
        assert!(
            holds(&["тел. \u{ff18}\u{ff19}\u{ff12}\u{ff11}"]),
            "fullwidth digits"
        );
        assert!(!holds(&["Сделка", "8 (921) 765-43-21"]));
        assert!(
            !holds(&["8 921 123", "45-67"]),
            "digits of two cells never join"
        );
        assert!(
            !holds(&["Сделка", "", "8 (921) 123-45-67"]),
            "only the cells asked about"
        );
    }

    #[test]
    fn every_number_of_the_samples_looks_up_as_over_all_rows() {
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let params = rule_set().params;
        let full = load_dir(&samples, None);
        let mut phones: Vec<&str> = full
            .contacts
            .iter()
            .flat_map(|c| c.valid_phones())
            .chain(full.deals.iter().flat_map(|d| {
                d.phones
                    .iter()
                    .chain(&d.client_phones)
                    .filter_map(|p| p.e164())
            }))
            .chain(
                full.clients
                    .iter()
                    .flat_map(|c| c.phones.iter().filter_map(|p| p.e164())),
            )
            .collect();
        phones.sort_unstable();
        phones.dedup();
        assert!(phones.len() > 50, "{} numbers", phones.len());
        for phone in phones {
            let picked = load_dir(&samples, Some(&LookupRows { phone }));
            assert!(
                picked.deals.len() < full.deals.len(),
                "{phone}: every deal picked"
            );
            assert_eq!(
                lookup(
                    &picked,
                    &params,
                    &crate::decisions::Resolved::none(),
                    phone,
                    phone
                ),
                lookup(
                    &full,
                    &params,
                    &crate::decisions::Resolved::none(),
                    phone,
                    phone
                ),
                "{phone}"
            );
        }
    }
}
