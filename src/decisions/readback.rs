//! `crmclean decide`: the decisions people picked in the workbooks, read back. Each decision
//! comes with where it was read (`review.xlsx, sheet «На проверку», cell D5`); a value outside
//! the drop-down's list, a row whose IDs were edited or a decision on a row that is not a
//! record is an error naming the file, sheet and cell.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::marker::{
    self, Filled, Form, CLUSTER, COMMENT, DECISION, EXCEPTION, NEW_NAME, PARTNER_ID, PHONE,
    RECORD_ID, RECORD_TYPE,
};
use super::{Decision, Kind};
use crate::error::{Error, Result};

/// Who decided and when, for every decision read.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub by: String,
    pub date: String,
}

/// A decision and where it was read.
pub type Sourced = (String, Decision);

/// The decisions of one filled workbook, in sheet and row order.
pub fn read(path: &Path, stamp: &Stamp) -> Result<Vec<Sourced>> {
    let filled = marker::read(path)?;
    let reader = Reader {
        path,
        stamp,
        filled: &filled,
    };
    match filled.form {
        Form::Review => reader.review(),
        Form::Duplicates => reader.duplicates(),
        Form::Todo => reader.todo(),
    }
}

struct Reader<'a> {
    path: &'a Path,
    stamp: &'a Stamp,
    filled: &'a Filled,
}

/// One visible sheet with its header.
struct Sheet<'a> {
    name: &'a str,
    rows: &'a [Vec<String>],
}

impl Sheet<'_> {
    fn column(&self, header: &str) -> Option<usize> {
        self.rows.first()?.iter().position(|h| h == header)
    }

    /// The rows (index, value) where a person picked something in `column`.
    fn picked(&self, column: usize) -> impl Iterator<Item = (usize, &str)> {
        (1..self.rows.len())
            .map(move |row| (row, self.cell(row, Some(column))))
            .filter(|(_, v)| !v.is_empty())
    }

    fn cell(&self, row: usize, column: Option<usize>) -> &str {
        column
            .and_then(|c| self.rows.get(row)?.get(c))
            .map_or("", String::as_str)
    }
}

impl Reader<'_> {
    fn sheets(&self) -> impl Iterator<Item = Sheet<'_>> {
        self.filled
            .sheets
            .iter()
            .map(|(name, rows)| Sheet { name, rows })
    }

    fn at(&self, sheet: &Sheet, row: usize, column: usize) -> String {
        format!(
            "{}, sheet «{}», cell {}",
            self.path.display(),
            sheet.name,
            marker::cell_name(row, column)
        )
    }

    fn error(&self, sheet: &Sheet, row: usize, column: usize, message: String) -> Error {
        Error::Usage(format!("{}: {message}", self.at(sheet, row, column)))
    }

    fn decision(&self, kind: Kind, ids: Vec<String>, subject: &str) -> Decision {
        Decision {
            line: 0,
            kind,
            ids,
            subject: subject.to_string(),
            value: String::new(),
            reason: String::new(),
            by: self.stamp.by.clone(),
            date: self.stamp.date.clone(),
            expires: None,
        }
    }

    /// `review.xlsx`: «переместить» → client-number with «Имя нового контакта»,
    /// «оставить у партнёра» → partner-own.
    fn review(&self) -> Result<Vec<Sourced>> {
        let known: HashSet<(&str, &str)> = self
            .filled
            .records
            .iter()
            .filter_map(|r| Some((r.first()?.as_str(), r.get(1)?.as_str())))
            .collect();
        let mut out = Vec::new();
        for sheet in self.sheets() {
            let Some(decision) = sheet.column(DECISION) else {
                continue;
            };
            let partner = sheet.column(PARTNER_ID);
            let phone = sheet.column(PHONE);
            let name = sheet.column(NEW_NAME);
            let comment = sheet.column(COMMENT);
            for (row, picked) in sheet.picked(decision) {
                let (id, number) = (sheet.cell(row, partner), sheet.cell(row, phone));
                if !known.contains(&(id, number)) {
                    return Err(self.error(
                        &sheet,
                        row,
                        partner.unwrap_or(0),
                        format!(
                            "the IDs of this row were edited: partner «{id}», phone «{number}» is \
                             not a row crmclean wrote"
                        ),
                    ));
                }
                let mut d = match picked {
                    marker::MOVE => {
                        let value = sheet.cell(row, name);
                        if value.is_empty() {
                            return Err(self.error(
                                &sheet,
                                row,
                                name.unwrap_or(decision),
                                format!("«{}» needs the name of the new contact", marker::MOVE),
                            ));
                        }
                        let mut d = self.decision(Kind::ClientNumber, vec![id.into()], number);
                        d.value = value.to_string();
                        d
                    }
                    marker::KEEP => self.decision(Kind::PartnerOwn, vec![id.into()], number),
                    other => {
                        return Err(self.outside(
                            &sheet,
                            row,
                            decision,
                            other,
                            marker::REVIEW_CHOICES,
                        ))
                    }
                };
                d.reason = sheet.cell(row, comment).to_string();
                out.push((self.at(&sheet, row, decision), d));
            }
        }
        Ok(out)
    }

    /// A manager's to-do workbook: a reason in «Исключение» accepts the row's findings; lines
    /// `CODE: reason` accept only the findings of those rules.
    fn todo(&self) -> Result<Vec<Sourced>> {
        let known: HashMap<(&str, &str), &[String]> = self
            .filled
            .records
            .iter()
            .filter(|r| r.len() >= 3 && r[0] == "record")
            .map(|r| ((r[1].as_str(), r[2].as_str()), &r[3..]))
            .collect();
        let mut out = Vec::new();
        for sheet in self.sheets() {
            let Some(exception) = sheet.column(EXCEPTION) else {
                continue;
            };
            let (kind, id) = (sheet.column(RECORD_TYPE), sheet.column(RECORD_ID));
            for (row, text) in sheet.picked(exception) {
                let record = (sheet.cell(row, kind), sheet.cell(row, id));
                let Some(keys) = known.get(&record) else {
                    return Err(self.error(
                        &sheet,
                        row,
                        id.unwrap_or(0),
                        format!(
                            "the IDs of this row were edited: {} «{}» is not a row crmclean wrote",
                            record.0, record.1
                        ),
                    ));
                };
                for (key, reason) in accepted_keys(keys, text) {
                    let mut d = self.decision(Kind::Accept, vec![record.1.to_string()], key);
                    d.reason = reason;
                    out.push((self.at(&sheet, row, exception), d));
                }
            }
        }
        Ok(out)
    }

    fn outside(
        &self,
        sheet: &Sheet,
        row: usize,
        column: usize,
        value: &str,
        list: &[&str],
    ) -> Error {
        let list: Vec<String> = list.iter().map(|v| format!("«{v}»")).collect();
        self.error(
            sheet,
            row,
            column,
            format!("«{value}» is not one of {}", list.join(", ")),
        )
    }

    /// `duplicates.xlsx`: a record marked «не дубль» is another person than every other
    /// member of its cluster: one `not-duplicate` decision per such pair.
    fn duplicates(&self) -> Result<Vec<Sourced>> {
        let mut id_headers: HashMap<&str, (&str, &str)> = HashMap::new();
        let mut clusters: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for r in &self.filled.records {
            match r.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["sheet", sheet, entity, header] => {
                    id_headers.insert(sheet, (entity, header));
                }
                ["member", cluster, entity, id] => {
                    clusters.entry((entity, cluster)).or_default().push(id);
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        let mut pairs: BTreeSet<(&str, String, String)> = BTreeSet::new();
        for sheet in self.sheets() {
            let (Some(&(entity, id_header)), Some(decision)) =
                (id_headers.get(sheet.name), sheet.column(DECISION))
            else {
                continue;
            };
            let cluster = sheet.column(CLUSTER);
            let id_column = sheet.column(id_header);
            let comment = sheet.column(COMMENT);
            for (row, picked) in sheet.picked(decision) {
                let (cid, id) = (sheet.cell(row, cluster), sheet.cell(row, id_column));
                let members = clusters.get(&(entity, cid));
                if !members.is_some_and(|m| m.contains(&id)) {
                    return Err(self.error(
                        &sheet,
                        row,
                        id_column.unwrap_or(0),
                        format!(
                            "this row is not a record of cluster «{cid}» that crmclean wrote \
                             (ID «{id}»): its IDs were edited, or it is a merge row"
                        ),
                    ));
                }
                match picked {
                    marker::MERGE => {}
                    marker::NOT_DUPLICATE => {
                        for other in members.into_iter().flatten().filter(|o| **o != id) {
                            let (a, b) = if crate::dedupe::id_cmp(id, other).is_lt() {
                                (id, *other)
                            } else {
                                (*other, id)
                            };
                            if !pairs.insert((entity, a.to_string(), b.to_string())) {
                                continue;
                            }
                            let mut d = self.decision(
                                Kind::NotDuplicate,
                                vec![a.to_string(), b.to_string()],
                                entity,
                            );
                            d.reason = sheet.cell(row, comment).to_string();
                            out.push((self.at(&sheet, row, decision), d));
                        }
                    }
                    other => {
                        return Err(self.outside(
                            &sheet,
                            row,
                            decision,
                            other,
                            marker::DUPLICATE_CHOICES,
                        ))
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The keys a «Исключение» text accepts, each with its reason: with lines `CODE: reason` only
/// the findings of those rules (each with its line's reason), else every finding of the row.
fn accepted_keys<'k>(keys: &'k [String], text: &str) -> Vec<(&'k str, String)> {
    let rule = |key: &str| key.split('/').next().unwrap_or("").to_string();
    let per_rule: HashMap<String, String> = text
        .lines()
        .filter_map(|l| {
            let (code, reason) = l.split_once(':')?;
            let code = code.trim().to_ascii_uppercase();
            keys.iter()
                .any(|k| rule(k) == code)
                .then(|| (code, reason.trim().to_string()))
        })
        .collect();
    keys.iter()
        .filter(|k| !k.is_empty())
        .filter_map(|k| {
            if per_rule.is_empty() {
                Some((k.as_str(), text.trim().to_string()))
            } else {
                per_rule.get(&rule(k)).map(|r| (k.as_str(), r.clone()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_accept_the_whole_row_or_the_rules_named() {
        let keys = vec![
            "CON001/contact/7/phone".to_string(),
            "CON003/contact/7".to_string(),
            "DUP001/contact/7".to_string(),
        ];
        let all = accepted_keys(&keys, "клиент отказался давать данные");
        assert_eq!(all.len(), 3);
        assert!(all
            .iter()
            .all(|(_, r)| r == "клиент отказался давать данные"));
        let some = accepted_keys(&keys, "con003: нет почты\nDUP001: близнецы");
        assert_eq!(
            some,
            [
                ("CON003/contact/7", "нет почты".to_string()),
                ("DUP001/contact/7", "близнецы".to_string())
            ]
        );
    }
}
