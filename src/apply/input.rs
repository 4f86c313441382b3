//! What `migrate` and `dedupe` wrote in the plan folder: the `move` lines of
//! `split_plan.jsonl` and the contact clusters of `clusters.csv`.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// A number to move off a partner card (one `move` line).
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub partner: u64,
    pub phone: String,
    pub column: String,
    /// The new contact's name (or the existing contact's, when `link` is set).
    pub name: String,
    pub deals: Vec<u64>,
    /// The existing contact to link the deals to instead of creating one.
    pub link: Option<u64>,
}

/// A duplicate cluster: the survivor chosen by `dedupe` and the others, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub id: String,
    pub survivor: u64,
    pub duplicates: Vec<u64>,
}

impl Move {
    /// Names the change (in reports and the journal).
    pub fn key(&self) -> String {
        format!(
            "move {} off card {} («{}»)",
            self.phone, self.partner, self.column
        )
    }
}

impl Cluster {
    pub fn key(&self) -> String {
        format!("merge cluster {} into {}", self.id, self.survivor)
    }
}

#[derive(Deserialize)]
struct Line {
    partner_id: String,
    phone: String,
    source_column: String,
    action: String,
    new_contact_name: Option<String>,
    deal_ids: Vec<String>,
    // Required (no default): a plan written before the field existed cannot tell a link to an
    // existing contact from a new contact.
    #[serde(deserialize_with = "Option::deserialize")]
    link_contact_id: Option<String>,
}

/// The `move` lines of `split_plan.jsonl`, in file order.
pub fn moves(path: &Path) -> Result<Vec<Move>> {
    let text = read(path)?;
    let mut out = Vec::new();
    for (k, raw) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |message: String| Error::BadRow {
            path: path.to_path_buf(),
            row: k + 1,
            message,
        };
        let line: Line = serde_json::from_str(raw).map_err(|e| {
            let hint = if e.to_string().contains("link_contact_id") {
                " (written by an older crmclean: run migrate again)"
            } else {
                ""
            };
            bad(format!("not a plan line: {e}{hint}"))
        })?;
        if line.action != "move" {
            continue;
        }
        let id = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| bad(format!("«{s}» is not an amoCRM ID")))
        };
        out.push(Move {
            partner: id(&line.partner_id)?,
            phone: line.phone,
            column: line.source_column,
            name: line
                .new_contact_name
                .ok_or_else(|| bad("a move without new_contact_name".into()))?,
            deals: line.deal_ids.iter().map(|d| id(d)).collect::<Result<_>>()?,
            link: line.link_contact_id.as_deref().map(id).transpose()?,
        });
    }
    Ok(out)
}

/// The contact clusters of `clusters.csv` (applicant clusters are Flow CRM's, not amoCRM's).
pub fn clusters(path: &Path) -> Result<Vec<Cluster>> {
    let text = read(path)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(path, 1, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                suggestion: None,
            })
    };
    let (cid, entity, id, survivor) = (
        col("cluster_id")?,
        col("entity")?,
        col("id")?,
        col("survivor")?,
    );
    let mut out: Vec<Cluster> = Vec::new();
    let mut members: Vec<(u64, bool)> = Vec::new();
    let mut current = String::new();
    let mut flush = |cluster: &str, members: &mut Vec<(u64, bool)>, row: usize| -> Result<()> {
        if members.is_empty() {
            return Ok(());
        }
        let survivors: Vec<u64> = members.iter().filter(|m| m.1).map(|m| m.0).collect();
        let [survivor] = survivors[..] else {
            return Err(Error::BadRow {
                path: path.to_path_buf(),
                row,
                message: format!(
                    "cluster {cluster} has {} survivors, not one",
                    survivors.len()
                ),
            });
        };
        out.push(Cluster {
            id: cluster.to_string(),
            survivor,
            duplicates: members.iter().filter(|m| !m.1).map(|m| m.0).collect(),
        });
        members.clear();
        Ok(())
    };
    for (k, record) in reader.records().enumerate() {
        let row = k + 1;
        let r = record.map_err(|e| csv_error(path, row, e))?;
        if &r[entity] != "contact" {
            continue;
        }
        if r[cid] != current {
            flush(&current, &mut members, row)?;
            current = r[cid].to_string();
        }
        let member = r[id].trim().parse::<u64>().map_err(|_| Error::BadRow {
            path: path.to_path_buf(),
            row,
            message: format!("«{}» is not an amoCRM ID", &r[id]),
        })?;
        members.push((member, &r[survivor] == "true"));
    }
    flush(&current, &mut members, 0)?;
    Ok(out)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn csv_error(path: &Path, row: usize, e: csv::Error) -> Error {
    Error::BadRow {
        path: path.to_path_buf(),
        row,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_move_lines_and_refuses_old_plans() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("split_plan.jsonl");
        std::fs::write(
            &path,
            concat!(
                r#"{"partner_id":"1","phone":"+79210000001","source_column":"Мобильный телефон","action":"keep","new_contact_name":null,"deal_ids":[],"reason":"","link_contact_id":null}"#, "\n",
                r#"{"partner_id":"1","phone":"+79210000002","source_column":"Другой телефон","action":"move","new_contact_name":"Купчинская 4-3-22","deal_ids":["5","6"],"reason":"","link_contact_id":"9"}"#, "\n",
            ),
        )
        .unwrap();
        assert_eq!(
            moves(&path).unwrap(),
            vec![Move {
                partner: 1,
                phone: "+79210000002".into(),
                column: "Другой телефон".into(),
                name: "Купчинская 4-3-22".into(),
                deals: vec![5, 6],
                link: Some(9),
            }]
        );
        std::fs::write(&path, r#"{"partner_id":"1","phone":"+79210000002","source_column":"Другой телефон","action":"move","new_contact_name":"x","deal_ids":[],"reason":""}"#).unwrap();
        let e = moves(&path).unwrap_err().to_string();
        assert!(
            e.contains("row 1") && e.contains("run migrate again"),
            "{e}"
        );
    }

    #[test]
    fn reads_contact_clusters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clusters.csv");
        std::fs::write(
            &path,
            "cluster_id,entity,id,matched_on,score,survivor\n\
             C000001,contact,12,name+phone,1.000,false\n\
             C000001,contact,18,name+phone,1.000,true\n\
             C000001,contact,20,name+phone,1.000,false\n\
             C000002,application,10410,snils,1.000,true\n",
        )
        .unwrap();
        assert_eq!(
            clusters(&path).unwrap(),
            vec![Cluster {
                id: "C000001".into(),
                survivor: 18,
                duplicates: vec![12, 20],
            }]
        );
    }
}
