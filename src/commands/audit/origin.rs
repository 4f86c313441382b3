//! Where a finding points in the inputs: its source file, its raw row and the columns its
//! `field` names.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::Dataset;
use crate::profile::normalize_header;
use crate::rules::Finding;

/// Finds the source row and columns of findings.
pub struct Origins<'a> {
    ds: &'a Dataset,
    by_file: HashMap<&'a str, usize>,
    /// Normalised headers per source.
    headers: Vec<Vec<String>>,
    /// [`Origins::columns`] per source and field: a big export has a million findings naming a
    /// few dozen fields.
    known: Vec<Mutex<foldhash::HashMap<String, Vec<usize>>>>,
}

impl<'a> Origins<'a> {
    pub fn new(ds: &'a Dataset) -> Self {
        let mut by_file = HashMap::new();
        for (i, s) in ds.sources.iter().enumerate() {
            by_file.entry(s.table.name.as_str()).or_insert(i);
        }
        let headers = ds
            .sources
            .iter()
            .map(|s| {
                s.table
                    .headers
                    .iter()
                    .map(|h| normalize_header(h))
                    .collect()
            })
            .collect();
        Origins {
            ds,
            by_file,
            known: ds.sources.iter().map(|_| Mutex::default()).collect(),
            headers,
        }
    }

    /// The source index of a finding's file.
    pub fn source(&self, f: &Finding) -> Option<usize> {
        self.by_file.get(f.file.as_str()).copied()
    }

    /// The raw cells of a finding's row (`None` when the file or row is unknown).
    pub fn row(&self, f: &Finding) -> Option<(usize, crate::read::Row<'a>)> {
        let source = self.source(f)?;
        let row = f.row.checked_sub(1)?;
        let record = self.ds.sources[source].table.rows.get(row)?;
        Some((source, record))
    }

    /// The columns of `source` that a finding's `field` names: the header itself, or each
    /// header of a `, `-separated list.
    pub fn columns(&self, source: usize, field: &str) -> Vec<usize> {
        let Some(known) = self.known.get(source) else {
            return Vec::new();
        };
        let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(columns) = known.get(field) {
            return columns.clone();
        }
        let columns = find_columns(&self.headers[source], field);
        known.insert(field.to_string(), columns.clone());
        columns
    }
}

/// The columns among `headers` (normalised) that `field` names.
fn find_columns(headers: &[String], field: &str) -> Vec<usize> {
    let find = |name: &str| {
        let wanted = normalize_header(name);
        headers
            .iter()
            .position(|h| !wanted.is_empty() && *h == wanted)
    };
    if let Some(c) = find(field) {
        return vec![c];
    }
    let mut cols: Vec<usize> = field.split([',', ';']).filter_map(find).collect();
    cols.sort_unstable();
    cols.dedup();
    cols
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::dataset;

    #[test]
    fn rows_and_columns_of_findings() {
        let ds = dataset(&[(
            "contacts.csv",
            "ID;Полное имя контакта;Мобильный телефон;Личный email;День рождения ;Бюджет, руб.\n\
             101;Иванов Иван;8 921 123-45-67;;15.03.1985;1\n",
        )]);
        let o = Origins::new(&ds);
        let f = Finding {
            file: "contacts.csv".into(),
            row: 1,
            ..blank()
        };
        let (source, record) = o.row(&f).expect("row");
        assert_eq!(record.get(2), Some("8 921 123-45-67"));
        assert_eq!(o.columns(source, "Мобильный телефон"), [2]);
        assert_eq!(o.columns(source, "день рождения"), [4]);
        assert_eq!(o.columns(source, "Бюджет, руб."), [5]);
        assert_eq!(o.columns(source, "Личный email, Мобильный телефон"), [2, 3]);
        assert!(o.columns(source, "").is_empty());
        assert!(o.columns(source, "Товар").is_empty());
        assert!(o
            .row(&Finding {
                row: 2,
                ..f.clone()
            })
            .is_none());
        assert!(o
            .row(&Finding {
                row: 0,
                ..f.clone()
            })
            .is_none());
        assert!(o
            .row(&Finding {
                file: "other.csv".into(),
                ..f
            })
            .is_none());
    }

    pub(crate) fn blank() -> Finding {
        Finding {
            rule: "CON001",
            severity: crate::rules::Severity::Error,
            entity: crate::rules::Entity::Contact,
            id: String::new(),
            related: Vec::new(),
            file: Default::default(),
            row: 0,
            field: Default::default(),
            value: String::new(),
            message: Default::default(),
            fix: Default::default(),
            manager: Default::default(),
            key: String::new(),
            status: None,
        }
    }
}
