//! CSV: encoding sniffing (UTF-8, UTF-8 with BOM, Windows-1251), delimiter sniffing (`,` `;` tab),
//! quoted multi-line cells, CRLF, ragged rows reported with their row number.

use std::borrow::Cow;
use std::path::Path;

use csv::{ReaderBuilder, StringRecord};

use super::{Encoding, Parts, ReadProblem, SourceFormat};
use crate::error::{Error, Result};

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Parts> {
    let unreadable = |message: String| Error::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let (encoding, text) = decode(bytes).map_err(unreadable)?;
    if text.trim().is_empty() {
        return Err(unreadable(
            "empty file (only a byte-order mark or whitespace)".into(),
        ));
    }
    if is_html(&text) {
        return Err(unreadable(
            "a web page (HTML) saved under a spreadsheet name, not a CSV or XLSX export: open it in Excel and save it as XLSX or CSV".into(),
        ));
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => return Err(unreadable(format!("header row: {e}"))),
        None => return Err(unreadable("empty file".into())),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        // The data row number findings use: blank lines are not rows.
        let row = rows.len() + 1;
        match record {
            Ok(r) => {
                if r.len() == 1 && r.get(0).is_some_and(|c| c.trim().is_empty()) {
                    continue; // a blank line
                }
                if r.len() != headers.len() {
                    problems.push(ReadProblem {
                        row: Some(row),
                        column: None,
                        message: ragged_message(&r, headers.len(), delimiter),
                    });
                }
                rows.push(r);
            }
            Err(e) => {
                problems.push(ReadProblem {
                    row: Some(row),
                    column: None,
                    message: format!("unreadable row skipped: {e}"),
                });
                rows.push(StringRecord::new());
            }
        }
    }
    if let Some(p) = unbalanced_quote(&text, &headers, &rows) {
        problems.push(p);
    }
    Ok((
        SourceFormat::Csv {
            encoding,
            delimiter,
        },
        headers,
        rows,
        problems,
    ))
}

/// Decodes the bytes: UTF-8 (with or without BOM), else Windows-1251 when the text reads as
/// Russian. Binary data, UTF-16 and other single-byte Cyrillic encodings are refused.
fn decode(bytes: &[u8]) -> std::result::Result<(Encoding, Cow<'_, str>), String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("UTF-16 text: save the file as UTF-8 or Windows-1251 CSV".into());
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    if controls * 100 > sample.len() || sample.contains(&0) {
        return Err("binary data, not a CSV or XLSX export".into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (Encoding::Utf8Bom, Cow::Borrowed(s)))
            .map_err(|e| {
                format!(
                    "invalid UTF-8 after the byte-order mark at byte {}",
                    e.valid_up_to() + 3
                )
            });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((Encoding::Utf8, Cow::Borrowed(s)));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    if !reads_as_russian(&text) {
        return Err("text is neither UTF-8 nor Windows-1251 (KOI8-R or another encoding?): save the file as UTF-8 CSV".into());
    }
    Ok((Encoding::Windows1251, Cow::Owned(text.into_owned())))
}

/// Windows-1251 text reads as Russian: its most frequent letters (о е а и н т с р, about half of
/// all letters) are frequent, which they are not when KOI8-R or another encoding is read as 1251.
fn reads_as_russian(text: &str) -> bool {
    let score = |t: &str| {
        let (mut frequent, mut cyrillic) = (0usize, 0usize);
        for c in t.chars().flat_map(char::to_lowercase) {
            if ('а'..='я').contains(&c) || c == 'ё' {
                cyrillic += 1;
                frequent += usize::from("оеаинтср".contains(c));
            }
        }
        (frequent, cyrillic)
    };
    let sample = match text.char_indices().nth(200_000) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    let (frequent, cyrillic) = score(sample);
    if cyrillic == 0 {
        return !sample
            .chars()
            .any(|c| !c.is_ascii() && !c.is_alphanumeric());
    }
    let bytes = encoding_rs::WINDOWS_1251.encode(sample).0;
    let (koi_frequent, _) = score(&encoding_rs::KOI8_R.decode(&bytes).0);
    frequent * 4 >= cyrillic && frequent >= koi_frequent
}

/// Some CRMs export «Excel» files that are HTML tables.
fn is_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(512).collect();
    let head = head.to_lowercase();
    head.starts_with('<')
        && ["<html", "<table", "<!doctype html"]
            .iter()
            .any(|t| head.contains(t))
}

/// Picks the delimiter that splits the header line (outside quotes) into the most cells.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Why a row's cell count differs from the header's; a short row that holds another delimiter
/// was probably written with it (`,` rows under a `;` header).
fn ragged_message(record: &StringRecord, width: usize, delimiter: u8) -> String {
    let len = record.len();
    let what = if len > width {
        "extra cells kept"
    } else {
        "missing cells read as empty"
    };
    let splits = |d: u8| -> usize {
        record
            .iter()
            .map(|c| c.bytes().filter(|&b| b == d).count())
            .sum()
    };
    let other = [b',', b';', b'\t']
        .into_iter()
        .find(|&d| d != delimiter && len < width && len + splits(d) >= width);
    match other {
        Some(d) => format!(
            "row has {len} cells, the header has {width} ({what}; the row seems to be separated by {:?}, the header by {:?})",
            d as char, delimiter as char
        ),
        None => format!("row has {len} cells, the header has {width} ({what})"),
    }
}

/// A quote opened and never closed swallows the rest of the file into one cell of the last row:
/// name that row and cell. An odd number of quotes inside unquoted cells (`Окна 5"`) reads fine.
fn unbalanced_quote(text: &str, headers: &[String], rows: &[StringRecord]) -> Option<ReadProblem> {
    if text.bytes().filter(|&b| b == b'"').count() % 2 == 0 {
        return None;
    }
    let last = rows.last()?;
    let (column, cell) = last
        .iter()
        .enumerate()
        .find(|(_, c)| c.contains(['\n', '\r']))?;
    let lines = cell.matches('\n').count().max(cell.matches('\r').count());
    Some(ReadProblem {
        row: Some(rows.len()),
        column: Some(
            headers
                .get(column)
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("column {}", column + 1)),
        ),
        message: format!(
            "a quote (\") opens this cell and is never closed: the {lines} line(s) after it, to the end of the file, were read into this one cell"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a;x\",b,c\n"), b',');
        assert_eq!(sniff_delimiter("single\n"), b',');
    }

    #[test]
    fn decodes_windows_1251() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("ID;Полное имя контакта\r\n1;Иванов Иван\r\n");
        let (enc, text) = decode(&bytes).unwrap();
        assert_eq!(enc, Encoding::Windows1251);
        assert!(text.contains("Иванов"));
    }

    #[test]
    fn refuses_koi8_and_binary() {
        let (bytes, _, _) =
            encoding_rs::KOI8_R.encode("ID;Полное имя контакта\n1;Иванов Иван Петрович\n");
        assert!(decode(&bytes)
            .unwrap_err()
            .contains("neither UTF-8 nor Windows-1251"));
        assert!(decode(&[0u8, 1, 2, 3, 200, 201])
            .unwrap_err()
            .contains("binary"));
    }

    #[test]
    fn reads_bom_crlf_multiline_and_ragged() {
        let text =
            "\u{feff}ID,Имя,Примечание\r\n1,Анна,\"две\r\nстроки\"\r\n2,Олег\r\n3,Ира,x,лишнее\r\n";
        let (format, headers, rows, problems) = read(Path::new("t.csv"), text.as_bytes()).unwrap();
        assert_eq!(
            format,
            SourceFormat::Csv {
                encoding: Encoding::Utf8Bom,
                delimiter: b','
            }
        );
        assert_eq!(headers, vec!["ID", "Имя", "Примечание"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].get(2), Some("две\r\nстроки"));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].row, Some(2));
        assert_eq!(rows[2].get(3), Some("лишнее"));
    }

    #[test]
    fn a_row_written_with_another_delimiter_is_named() {
        let text = "ID;Имя;Телефон\n1;Анна;+79211234567\n2,Олег,+79111234567\n";
        let (_, _, rows, problems) = read(Path::new("t.csv"), text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, Some(2));
        assert!(
            problems[0]
                .message
                .contains("separated by ',', the header by ';'"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn an_unclosed_quote_names_its_row_and_cell() {
        let text = "ID;Имя;Примечание\n1;Анна;ок\n2;Олег;\"звонить после 18\n3;Ира;x\n4;Петя;y\n";
        let (_, _, rows, problems) = read(Path::new("t.csv"), text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let p = problems.last().unwrap();
        assert_eq!((p.row, p.column.as_deref()), (Some(2), Some("Примечание")));
        assert!(p.message.contains("never closed"), "{}", p.message);
        assert!(p.message.contains("the 3 line(s)"), "{}", p.message);
    }

    #[test]
    fn an_odd_quote_inside_an_unquoted_cell_is_not_a_problem() {
        let text = "ID;Товар\n1;Окно 5\" с откосами\n2;Подоконник\n";
        let (_, _, rows, problems) = read(Path::new("t.csv"), text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get(1), Some("Окно 5\" с откосами"));
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn an_html_table_is_refused_with_a_hint() {
        let text = "<html><body><table><tr><td>ID</td><td>Полное имя контакта</td></tr></table>";
        let err = read(Path::new("contacts.xls"), text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("web page (HTML)"), "{err}");
        assert!(!is_html("ID;Примечание\n1;<b>важно</b>\n"));
    }

    #[test]
    fn blank_lines_do_not_shift_row_numbers() {
        let text = "ID,Имя,Телефон\n1,Анна,1\n\n\n2,Олег\n";
        let (_, _, rows, problems) = read(Path::new("t.csv"), text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(problems[0].row, Some(2));
    }
}
