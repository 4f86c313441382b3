//! `decisions.csv` on disk: UTF-8 with BOM (Excel opens it), `;`, one decision per line, the
//! header [`HEADER`]. Read back with or without the BOM, with `;` or `,`; a cell that the
//! writer protected against formula injection (a leading `'` before `=`, `+`, `-`, `@`) is read
//! as written by the person.

use std::path::Path;

use chrono::NaiveDate;

use super::{validate, Decision, Kind};
use crate::error::{Error, Result};
use crate::output::safe::needs_escape;
use crate::output::{CsvEncoding, CsvOut, OutputPolicy};

pub const HEADER: [&str; 8] = [
    "kind", "ids", "subject", "value", "reason", "by", "date", "expires",
];

/// Writes every decision (atomically; the file is the run's own output).
pub fn write(path: &Path, policy: &OutputPolicy, list: &[Decision]) -> Result<()> {
    let rows = list.iter().map(|d| {
        [
            d.kind.as_str().to_string(),
            d.ids.join(" "),
            d.subject.clone(),
            d.value.clone(),
            d.reason.clone(),
            d.by.clone(),
            d.date.clone(),
            d.expires
                .map(|e| e.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ]
    });
    CsvOut::new(b';', CsvEncoding::Utf8Bom).write(path, policy, &HEADER, rows)
}

/// Reads and validates a decisions file.
pub fn read(path: &Path) -> Result<Vec<Decision>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::Unreadable {
        path: path.to_path_buf(),
        message: "a decisions file must be UTF-8".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let bad = |line: usize, message: String| Error::Decisions {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(h) => h
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        None => return Ok(Vec::new()),
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut columns = Vec::with_capacity(HEADER.len());
    for name in HEADER {
        match column(name) {
            Some(c) => columns.push(Some(c)),
            None if name == "expires" => columns.push(None),
            None => {
                return Err(bad(
                    1,
                    format!(
                        "no column «{name}»: a decisions file has the header {}",
                        HEADER.join(";")
                    ),
                ))
            }
        }
    }
    // The line of a byte offset (the csv reader does not count blank lines).
    let line_at = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            let bytes = text.as_bytes();
            let mut end = (p.byte() as usize).min(text.len());
            while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
                end += 1;
            }
            bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
        })
    };
    let mut out = Vec::new();
    for record in records {
        let record = record.map_err(|e| bad(line_at(e.position()), e.to_string()))?;
        let line = line_at(record.position());
        let cell = |k: usize| -> String {
            columns[k]
                .and_then(|c| record.get(c))
                .map(unescape)
                .unwrap_or_default()
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let kind = Kind::parse(&cell(0)).ok_or_else(|| {
            bad(
                line,
                format!(
                    "kind «{}» is not one of {}",
                    cell(0),
                    Kind::ALL.map(Kind::as_str).join(", ")
                ),
            )
        })?;
        let expires =
            match cell(7).as_str() {
                "" => None,
                s => Some(parse_date(s).ok_or_else(|| {
                    bad(line, format!("expires «{s}» is not a date (2026-12-31)"))
                })?),
            };
        let mut subject = cell(2);
        if matches!(kind, Kind::PartnerOwn | Kind::ClientNumber) {
            subject = Decision::plan_phone(&subject);
        } else if kind == Kind::NotDuplicate {
            subject = subject.to_ascii_lowercase();
        }
        let d = Decision {
            line,
            kind,
            ids: split_ids(&cell(1)),
            subject,
            value: cell(3),
            reason: cell(4),
            by: cell(5),
            date: cell(6),
            expires,
        };
        validate(&d).map_err(|m| bad(line, m))?;
        out.push(d);
    }
    Ok(out)
}

/// IDs separated by spaces, `,` or `;`.
pub fn split_ids(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// `2026-12-31` or `31.12.2026`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

/// A cell as the person wrote it: trimmed, without the `'` the writer put before a formula
/// character.
fn unescape(s: &str) -> String {
    let t = s.trim();
    match t.strip_prefix('\'') {
        Some(rest) if needs_escape(rest) => rest.to_string(),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::Decisions;

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn writes_and_reads_back_every_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.csv");
        let d = |kind, ids: &[&str], subject: &str, value: &str, reason: &str| Decision {
            line: 0,
            kind,
            ids: ids.iter().map(|s| s.to_string()).collect(),
            subject: subject.into(),
            value: value.into(),
            reason: reason.into(),
            by: "Смирнова".into(),
            date: "2026-11-23".into(),
            expires: None,
        };
        let mut list = vec![
            d(
                Kind::NotDuplicate,
                &["45102374", "45102380"],
                "contact",
                "",
                "близнецы",
            ),
            d(Kind::PartnerOwn, &["45102462"], "+79213456701", "", ""),
            d(
                Kind::ClientNumber,
                &["45102462"],
                "+79213456702",
                "=Купчинская 4-3-22",
                "",
            ),
            d(
                Kind::Accept,
                &["28451364"],
                "DEAL003/deal/28451364",
                "",
                "-сезон",
            ),
        ];
        list[3].expires = NaiveDate::from_ymd_opt(2026, 12, 31);
        write(&path, &OutputPolicy::default(), &list).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBFkind;ids;subject"));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(";'=Купчинская 4-3-22;"), "{text}");
        let back = Decisions::load(&path).unwrap().list;
        for (i, (a, b)) in list.iter().zip(&back).enumerate() {
            assert_eq!(b.line, i + 2);
            assert_eq!(
                Decision {
                    line: 0,
                    ..b.clone()
                },
                *a
            );
        }
    }

    #[test]
    fn phones_are_read_in_any_format() {
        let (_dir, path) = file(
            "kind;ids;subject;value;reason;by;date\npartner-own;45102462;8 (921) 345-67-01;;;;\n",
        );
        let list = Decisions::load(&path).unwrap().list;
        assert_eq!(list[0].subject, "+79213456701");
        assert_eq!(list[0].expires, None);
    }

    #[test]
    fn a_bad_line_is_named() {
        for (text, wanted) in [
            ("kind;ids;subject;value;reason;by;date\nnot-a-kind;1;;;;;\n", "line 2: kind «not-a-kind»"),
            ("kind;ids;subject;value;reason;by;date\nnot-duplicate;1;contact;;;;\n", "line 2: not-duplicate needs two"),
            ("kind;ids;subject;value;reason;by;date\n\nclient-number;1;+79210000000;;;;\n", "line 3: client-number needs"),
            ("kind;ids;subject;value;reason;by;date;expires\naccept;1;CON001/contact/1;;ok;;;31.02.2026\n", "expires «31.02.2026»"),
            ("kind;ids;value\n", "line 1: no column «subject»"),
        ] {
            let (_dir, path) = file(text);
            let e = Decisions::load(&path).unwrap_err().to_string();
            assert!(e.contains(wanted), "{e}");
            assert!(e.contains("decisions.csv"), "{e}");
        }
    }

    #[test]
    fn contradictions_name_both_lines() {
        let (_dir, path) = file(
            "kind;ids;subject;value;reason;by;date\n\
             partner-own;7;+79210000001;;;;\n\
             client-number;8;+79210000001;Иванов;;;\n\
             client-number;7;8 921 000-00-01;Иванов;;;\n",
        );
        let e = Decisions::load(&path).unwrap_err().to_string();
        assert!(e.contains("line 4: contradicts line 2"), "{e}");
        let (_dir, path) = file(
            "kind;ids;subject;value;reason;by;date\n\
             not-duplicate;2 1;contact;;;;\n\
             not-duplicate;1,2;contact;;other words;;\n",
        );
        assert_eq!(
            Decisions::load(&path).unwrap().list.len(),
            2,
            "the same decision twice"
        );
    }
}
