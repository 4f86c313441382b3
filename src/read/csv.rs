//! CSV: encoding sniffing (UTF-8, UTF-8 with BOM, Windows-1251), delimiter sniffing (`,` `;` tab),
//! quoted multi-line cells, CRLF, ragged rows reported with their row number. A UTF-8 file is
//! mapped and its rows read in place; a Windows-1251 one is decoded as it streams.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use csv::{ByteRecord, ReaderBuilder};
use encoding_rs_io::DecodeReaderBytesBuilder;
use indicatif::ProgressBar;

use super::rows::FileText;
use super::{Encoding, Parts, ReadProblem, Rows, SourceFormat};
use crate::error::{Error, Result};

/// The bytes read up front to sniff the encoding and the delimiter and to spot HTML; the rest
/// of the file is mapped or streamed.
const SAMPLE: usize = 1 << 20;

/// Reads a CSV file; `bar` counts its bytes as they are parsed.
pub(super) fn read(path: &Path, bar: &ProgressBar) -> Result<Parts> {
    let unreadable = |message: String| Error::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut sample = Vec::with_capacity(SAMPLE);
    file.by_ref()
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(io_error)?;
    let whole = sample.len() < SAMPLE;
    let (encoding, text) = decode(&sample, whole).map_err(unreadable)?;
    if whole && text.trim().is_empty() {
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
    let size = file.metadata().map_err(io_error)?.len() as usize;
    let expected = Expected::from_sample(&sample, &text, size);
    let bom = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
    let in_file = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => FileText::map(&file, bom).map(Arc::new),
        Encoding::Windows1251 => None,
    };
    let (stream, rows): (Box<dyn Read>, Rows) = match in_file {
        Some(text) => (
            Box::new(bar.wrap_read(io::Cursor::new(ArcBytes(text.clone())))),
            Rows::in_file(text),
        ),
        None => {
            file.seek(SeekFrom::Start(bom as u64)).map_err(io_error)?;
            let file = bar.wrap_read(file);
            let stream: Box<dyn Read> = match encoding {
                Encoding::Windows1251 => Box::new(
                    DecodeReaderBytesBuilder::new()
                        .encoding(Some(encoding_rs::WINDOWS_1251))
                        .build(file),
                ),
                Encoding::Utf8 | Encoding::Utf8Bom => Box::new(file),
            };
            (stream, Rows::default())
        }
    };
    let (headers, rows, problems) = parse(QuoteCount::new(stream), delimiter, expected, rows)
        .map_err(|e| match e {
            Unparsed::Io(source) => io_error(source),
            Unparsed::Header(message) => unreadable(message),
        })?;
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

/// The size of a file's table as its first bytes foretell it.
#[derive(Debug, Clone, Copy)]
struct Expected {
    /// Bytes of UTF-8 text.
    text: usize,
    rows: usize,
}

impl Expected {
    fn from_sample(raw: &[u8], text: &str, file_size: usize) -> Self {
        let scale = |n: usize| (n as f64 * file_size as f64 / raw.len().max(1) as f64) as usize;
        Expected {
            text: scale(text.len()) + 1024,
            rows: scale(text.bytes().filter(|&b| b == b'\n').count()) + 16,
        }
    }
}

/// Why a CSV stream gave no table.
enum Unparsed {
    Io(io::Error),
    Header(String),
}

/// The mapped text as bytes for a reader.
struct ArcBytes(Arc<FileText>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_str().as_bytes()
    }
}

/// Parses a UTF-8 CSV stream into the header row and data rows appended to `rows`. When the
/// stream is the mapped file of `rows`, rows are read in place where their cells are written as
/// they read.
fn parse<R: Read>(
    stream: QuoteCount<R>,
    delimiter: u8,
    expected: Expected,
    mut rows: Rows,
) -> std::result::Result<(Vec<String>, Rows, Vec<ReadProblem>), Unparsed> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(stream);
    let mut record = ByteRecord::new();
    let headers: Vec<String> = match reader.read_byte_record(&mut record) {
        Ok(true) => record
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .collect(),
        Ok(false) => return Err(Unparsed::Header("empty file".into())),
        Err(e) => return Err(Unparsed::Header(format!("header row: {e}"))),
    };
    rows.reserve(expected.text, expected.rows, expected.rows * headers.len());
    let mut problems = Vec::new();
    loop {
        // The data row number findings use: blank lines are not rows.
        let row = rows.len() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.len() == 1 && record[0].trim_ascii().is_empty() {
                    continue; // a blank line
                }
                if record.len() != headers.len() {
                    problems.push(ReadProblem {
                        row: Some(row),
                        column: None,
                        message: ragged_message(&record, headers.len(), delimiter),
                    });
                }
                let at = record.position().map_or(0, |p| p.byte() as usize);
                let span = at..reader.position().byte() as usize;
                let invalid = if rows.push_in_file(span, &record, delimiter) {
                    None
                } else {
                    rows.push_record(&record)
                };
                if let Some(c) = invalid {
                    problems.push(ReadProblem {
                        row: Some(row),
                        column: Some(column_name(&headers, c)),
                        message: "not valid UTF-8 although the file starts as UTF-8: the bad bytes were read as \u{fffd}".into(),
                    });
                }
            }
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(e) => return Err(Unparsed::Io(e)),
                other => {
                    problems.push(ReadProblem {
                        row: Some(row),
                        column: None,
                        message: format!("reading stopped at this row: {other:?}"),
                    });
                    break;
                }
            },
        }
    }
    if reader.into_inner().quotes % 2 == 1 {
        problems.extend(unclosed_quote(&headers, &rows));
    }
    Ok((headers, rows, problems))
}

/// Counts the quote characters streaming through, for the unclosed-quote check.
struct QuoteCount<R> {
    inner: R,
    quotes: usize,
}

impl<R> QuoteCount<R> {
    fn new(inner: R) -> Self {
        QuoteCount { inner, quotes: 0 }
    }
}

impl<R: Read> Read for QuoteCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count();
        Ok(n)
    }
}

/// Sniffs the encoding from the file's first bytes (`whole` when they are the whole file) and
/// decodes them: UTF-8 (with or without BOM), else Windows-1251 when the text reads as Russian.
/// Binary data, UTF-16 and other single-byte Cyrillic encodings are refused.
fn decode(bytes: &[u8], whole: bool) -> std::result::Result<(Encoding, Cow<'_, str>), String> {
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
        return utf8_prefix(rest, whole)
            .map(|s| (Encoding::Utf8Bom, Cow::Borrowed(s)))
            .map_err(|at| format!("invalid UTF-8 after the byte-order mark at byte {}", at + 3));
    }
    if let Ok(s) = utf8_prefix(bytes, whole) {
        return Ok((Encoding::Utf8, Cow::Borrowed(s)));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    if !reads_as_russian(&text) {
        return Err("text is neither UTF-8 nor Windows-1251 (KOI8-R or another encoding?): save the file as UTF-8 CSV".into());
    }
    Ok((Encoding::Windows1251, text))
}

/// The bytes as UTF-8 text (a character cut at the end of a partial sample is left out), else
/// where the first invalid byte is.
fn utf8_prefix(bytes: &[u8], whole: bool) -> std::result::Result<&str, usize> {
    std::str::from_utf8(bytes).or_else(|e| {
        let valid = &bytes[..e.valid_up_to()];
        match e.error_len() {
            None if !whole => std::str::from_utf8(valid).map_err(|_| e.valid_up_to()),
            _ => Err(e.valid_up_to()),
        }
    })
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
fn ragged_message(record: &ByteRecord, width: usize, delimiter: u8) -> String {
    let len = record.len();
    let what = if len > width {
        "extra cells kept"
    } else {
        "missing cells read as empty"
    };
    let splits = |d: u8| -> usize {
        record
            .iter()
            .map(|c| c.iter().filter(|&&b| b == d).count())
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

/// A quote opened and never closed (an odd number of quotes in the file) swallows the rest of
/// the file into one cell of the last row: name that row and cell. An odd number of quotes inside
/// unquoted cells (`Окна 5"`) reads fine and has no multi-line cell to point at.
fn unclosed_quote(headers: &[String], rows: &Rows) -> Option<ReadProblem> {
    let last = rows.get(rows.len().checked_sub(1)?)?;
    let (column, cell) = last
        .iter()
        .enumerate()
        .find(|(_, c)| c.contains(['\n', '\r']))?;
    let lines = cell.matches('\n').count().max(cell.matches('\r').count());
    Some(ReadProblem {
        row: Some(rows.len()),
        column: Some(column_name(headers, column)),
        message: format!(
            "a quote (\") opens this cell and is never closed: the {lines} line(s) after it, to the end of the file, were read into this one cell"
        ),
    })
}

/// A column's header, or «column N» when it has none.
fn column_name(headers: &[String], column: usize) -> String {
    headers
        .get(column)
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| format!("column {}", column + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(bytes: &[u8]) -> Result<Parts> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        read(&path, &ProgressBar::hidden())
    }

    #[test]
    fn streams_past_the_sample_with_a_character_cut_at_its_end() {
        let mut text = String::from("ID;Имя\n");
        let mut n = 0;
        while text.len() < SAMPLE + 1000 {
            n += 1;
            text.push_str(&format!("{n};Анна Ёлкина\n"));
        }
        let (format, _, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert!(matches!(
            format,
            SourceFormat::Csv {
                encoding: Encoding::Utf8,
                delimiter: b';'
            }
        ));
        assert_eq!(rows.len(), n);
        assert_eq!(rows.row(n - 1).get(1), Some("Анна Ёлкина"));
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn invalid_utf8_after_the_sample_is_kept_and_named() {
        let mut bytes = b"ID;\xd0\x98\xd0\xbc\xd1\x8f\n".to_vec();
        while bytes.len() < SAMPLE + 10 {
            bytes.extend_from_slice("1;Анна\n".as_bytes());
        }
        bytes.extend_from_slice(b"2;\xc8\xe2\xe0\xed\n");
        let (_, _, rows, problems) = read_text(&bytes).unwrap();
        let last = rows.row(rows.len() - 1);
        assert_eq!(last.get(1), Some("\u{fffd}\u{fffd}\u{fffd}\u{fffd}"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, Some(rows.len()));
        assert_eq!(problems[0].column.as_deref(), Some("Имя"));
    }

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
        let (enc, text) = decode(&bytes, true).unwrap();
        assert_eq!(enc, Encoding::Windows1251);
        assert!(text.contains("Иванов"));
    }

    #[test]
    fn refuses_koi8_and_binary() {
        let (bytes, _, _) =
            encoding_rs::KOI8_R.encode("ID;Полное имя контакта\n1;Иванов Иван Петрович\n");
        assert!(decode(&bytes, true)
            .unwrap_err()
            .contains("neither UTF-8 nor Windows-1251"));
        assert!(decode(&[0u8, 1, 2, 3, 200, 201], true)
            .unwrap_err()
            .contains("binary"));
    }

    #[test]
    fn reads_bom_crlf_multiline_and_ragged() {
        let text =
            "\u{feff}ID,Имя,Примечание\r\n1,Анна,\"две\r\nстроки\"\r\n2,Олег\r\n3,Ира,x,лишнее\r\n";
        let (format, headers, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert_eq!(
            format,
            SourceFormat::Csv {
                encoding: Encoding::Utf8Bom,
                delimiter: b','
            }
        );
        assert_eq!(headers, vec!["ID", "Имя", "Примечание"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.row(0).get(2), Some("две\r\nстроки"));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].row, Some(2));
        assert_eq!(rows.row(2).get(3), Some("лишнее"));
    }

    #[test]
    fn a_row_written_with_another_delimiter_is_named() {
        let text = "ID;Имя;Телефон\n1;Анна;+79211234567\n2,Олег,+79111234567\n";
        let (_, _, rows, problems) = read_text(text.as_bytes()).unwrap();
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
        let (_, _, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let p = problems.last().unwrap();
        assert_eq!((p.row, p.column.as_deref()), (Some(2), Some("Примечание")));
        assert!(p.message.contains("never closed"), "{}", p.message);
        assert!(p.message.contains("the 3 line(s)"), "{}", p.message);
    }

    #[test]
    fn an_odd_quote_inside_an_unquoted_cell_is_not_a_problem() {
        let text = "ID;Товар\n1;Окно 5\" с откосами\n2;Подоконник\n";
        let (_, _, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.row(0).get(1), Some("Окно 5\" с откосами"));
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn an_html_table_is_refused_with_a_hint() {
        let text = "<html><body><table><tr><td>ID</td><td>Полное имя контакта</td></tr></table>";
        let err = read_text(text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("web page (HTML)"), "{err}");
        assert!(!is_html("ID;Примечание\n1;<b>важно</b>\n"));
    }

    #[test]
    fn blank_lines_do_not_shift_row_numbers() {
        let text = "ID,Имя,Телефон\n1,Анна,1\n\n\n2,Олег\n";
        let (_, _, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(problems[0].row, Some(2));
    }

    type Table = (Vec<String>, Vec<Vec<String>>, Vec<ReadProblem>, usize);

    /// A table as the in-place reader reads it and as the copying reader does, with the bytes
    /// each copied.
    fn both_ways(text: &str) -> [Table; 2] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let file = File::open(&path).unwrap();
        let expected = Expected::from_sample(text.as_bytes(), text, text.len());
        let read = |in_file: Option<Arc<FileText>>| {
            let rows = in_file.map_or_else(Rows::default, Rows::in_file);
            let (headers, rows, problems) =
                match parse(QuoteCount::new(text.as_bytes()), b';', expected, rows) {
                    Ok(parts) => parts,
                    Err(_) => return (Vec::new(), Vec::new(), Vec::new(), 0),
                };
            let cells = rows
                .iter()
                .map(|r| r.iter().map(String::from).collect())
                .collect();
            (headers, cells, problems, rows.copied())
        };
        let mapped = FileText::map(&file, 0).map(Arc::new);
        assert!(mapped.is_some() || text.is_empty());
        [read(mapped), read(None)]
    }

    #[test]
    fn rows_read_in_place_keep_their_cells() {
        let text = "ID;Имя;Примечание\r\n1;\"Анна; Ёлкина\";\"\"\r\n\r\n2;\"Олег \"\"Бригадир\"\"\";x\r\n3;a\"b;\"многострочная\nзаметка\"\r\n4;\"x\"y;z\n5";
        let [in_place, copied] = both_ways(text);
        assert_eq!(in_place.1.len(), 5);
        assert_eq!(in_place.1[0], ["1", "Анна; Ёлкина", ""]);
        assert_eq!(in_place.1[1], ["2", "Олег \"Бригадир\"", "x"]);
        assert_eq!(in_place.1[2], ["3", "a\"b", "многострочная\nзаметка"]);
        assert_eq!(in_place.1[3], ["4", "xy", "z"]);
        assert_eq!(in_place.1[4], ["5"]);
        let bytes = |row: &[String]| row.iter().map(String::len).sum::<usize>();
        // only the rows with a doubled quote or text after a closing one are copied
        assert_eq!(in_place.3, bytes(&in_place.1[1]) + bytes(&in_place.1[3]));
        assert_eq!(copied.3, in_place.1.iter().map(|r| bytes(r)).sum::<usize>());
        assert_eq!(in_place.0, copied.0);
        assert_eq!(in_place.1, copied.1);
        assert_eq!(format!("{:?}", in_place.2), format!("{:?}", copied.2));
    }

    #[test]
    fn long_rows_read_in_place_keep_their_cells() {
        let mut text = String::from("ID;Примечание;Хвост\n");
        for (i, n) in [100, 9_000, 30_000, 70_000].into_iter().enumerate() {
            text.push_str(&format!("{i};\"{};\";x\n", "ж".repeat(n)));
        }
        let [in_place, copied] = both_ways(&text);
        assert_eq!(in_place.3, 0, "every row read in place");
        assert_eq!(in_place.1, copied.1);
        assert_eq!(in_place.1[3][1].len(), 140_001);
        assert_eq!(in_place.1[3][2], "x");
    }

    proptest::proptest! {
        #[test]
        fn the_in_place_reader_reads_as_the_copying_one(
            text in "[a;\"\r\n ж]{0,120}"
        ) {
            let [in_place, copied] = both_ways(&text);
            proptest::prop_assert_eq!(&in_place.0, &copied.0);
            proptest::prop_assert_eq!(&in_place.1, &copied.1);
            proptest::prop_assert_eq!(format!("{:?}", in_place.2), format!("{:?}", copied.2));
        }
    }
}
