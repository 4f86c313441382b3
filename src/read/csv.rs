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

use super::rows::{self, FileText, Scanned};
use super::{Encoding, Parts, ReadProblem, Rows, SourceFormat, HEADER_SCAN};
use crate::error::{Error, Result};
use crate::profile::Profiles;

/// The bytes read up front to sniff the encoding and the delimiter and to spot HTML; the rest
/// of the file is mapped or streamed.
const SAMPLE: usize = 1 << 20;

/// Reads a CSV file; `bar` counts its bytes as they are parsed. The header row is the first of
/// the first lines that a profile recognises (a title above it is skipped), else the first line.
pub(super) fn read(path: &Path, bar: &ProgressBar, profiles: &Profiles) -> Result<Parts> {
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
    let header = find_header(&text, profiles);
    let delimiter = header.delimiter;
    let size = file.metadata().map_err(io_error)?.len() as usize;
    let expected = Expected::from_sample(&sample, &text, size);
    let bom = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
    let in_file = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => FileText::map(&file, bom).map(Arc::new),
        Encoding::Windows1251 => None,
    };
    let (stream, rows): (Box<dyn Read>, Rows) = match in_file {
        Some(text) => (
            Box::new(io::Cursor::new(ArcBytes(text.clone()))),
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
    let (headers, rows, problems) = parse(QuoteCount::new(stream), header, expected, rows, bar)
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

/// Where the header row is: its 1-based line, the records above it (lines other than empty
/// ones, which the CSV reader skips) and the delimiter it is written with.
#[derive(Debug, Clone, Copy)]
struct Header {
    line: usize,
    above: usize,
    delimiter: u8,
}

/// Finds the header among the first [`HEADER_SCAN`] lines of `text`: the first line a profile
/// recognises, else the first line (and the delimiter sniffed from it).
fn find_header(text: &str, profiles: &Profiles) -> Header {
    let recognised = text
        .split('\n')
        .take(HEADER_SCAN)
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .find_map(|(i, line)| {
            let delimiter = sniff_delimiter(line);
            let mut reader = records(delimiter).from_reader(line.as_bytes());
            let cells: Vec<String> = reader
                .records()
                .next()?
                .ok()?
                .iter()
                .map(|c| c.trim().to_string())
                .collect();
            let above = text
                .split('\n')
                .take(i)
                .filter(|l| !l.trim_end_matches('\r').is_empty())
                .count();
            profiles.detect(&cells).is_ok().then_some(Header {
                line: i + 1,
                above,
                delimiter,
            })
        });
    recognised.unwrap_or(Header {
        line: 1,
        above: 0,
        delimiter: sniff_delimiter(text),
    })
}

/// How every CSV reader here reads: each line a record (the header too), rows of any length.
fn records(delimiter: u8) -> ReaderBuilder {
    let mut builder = ReaderBuilder::new();
    builder
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true);
    builder
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

/// Parses a UTF-8 CSV stream into the header row and data rows appended to `rows`. Lines above
/// the header's are skipped (and named in a warning); NUL bytes are dropped, and a row that is
/// not UTF-8 is read as Windows-1251 (two exports pasted together), each with one warning
/// naming the rows.
///
/// When the stream is the mapped file of `rows`, its rows are read in place: found by a scan
/// for delimiters, quotes and line breaks ([`Rows::push_scanned`]), `bar` counting the bytes;
/// a row the scan cannot read as the CSV reader would is read by the reader (in place where
/// its cells are written as they read), as is every row of a file the scan cannot read.
fn parse<R: Read>(
    stream: QuoteCount<R>,
    header: Header,
    expected: Expected,
    mut rows: Rows,
    bar: &ProgressBar,
) -> std::result::Result<(Vec<String>, Rows, Vec<ReadProblem>), Unparsed> {
    let delimiter = header.delimiter;
    let mut progress = Progress {
        bar: rows.is_mapped().then_some(bar),
        shown: 0,
    };
    let mut reader = records(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(stream);
    let mut record = ByteRecord::new();
    let mut above = Vec::new();
    let headers: Vec<String> = loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if above.len() < header.above => {
                above.push(lossy_line(&record, delimiter));
            }
            Ok(true) => {
                break record
                    .iter()
                    .map(|c| lossy_text(c).trim().to_string())
                    .collect()
            }
            Ok(false) => return Err(Unparsed::Header("empty file".into())),
            Err(e) => return Err(Unparsed::Header(format!("header row: {e}"))),
        }
    };
    rows.reserve(expected.text, expected.rows, expected.rows * headers.len());
    let mut problems = Vec::new();
    if !above.is_empty() {
        problems.push(ReadProblem {
            row: None,
            column: None,
            message: format!(
                "the header is on line {}: the line(s) above it were skipped ({})",
                header.line,
                above
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| format!("«{l}»"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let mut data = Data {
        width: headers.len(),
        delimiter,
        rows,
        problems,
        nuls: Vec::new(),
        recoded: Vec::new(),
    };
    let from = reader.position().byte() as usize;
    let file = data.rows.file();
    let scanned = file
        .as_ref()
        .map(|f| f.as_str().as_bytes())
        .filter(|bytes| data.width > 1 && rows::scannable(bytes.get(from..).unwrap_or_default()));
    let odd_quotes = match scanned {
        Some(bytes) => {
            let above = bytes[..from].iter().filter(|&&b| b == b'"').count();
            (above + data.scan(bytes, from, &mut progress)?) % 2 == 1
        }
        None => {
            while data.read_one(&mut reader, &mut record, 0)? {
                progress.to(reader.position().byte() as usize);
            }
            reader.into_inner().quotes % 2 == 1
        }
    };
    if let Some(f) = &file {
        progress.done(f.as_str().len());
    }
    let Data {
        rows,
        mut problems,
        nuls,
        recoded,
        ..
    } = data;
    problems.extend(rows_problem(
        &nuls,
        "NUL byte(s) (a broken save) dropped from",
    ));
    problems.extend(rows_problem(
        &recoded,
        "not UTF-8 like the rest of the file (two exports pasted together?): read as Windows-1251:",
    ));
    if odd_quotes {
        problems.extend(unclosed_quote(&headers, &rows));
    }
    Ok((headers, rows, problems))
}

/// The data rows of a CSV file as they are read, and what is said about them.
struct Data {
    /// The header's cell count.
    width: usize,
    delimiter: u8,
    rows: Rows,
    problems: Vec<ReadProblem>,
    /// Rows that had NUL bytes, and rows read as Windows-1251.
    nuls: Vec<usize>,
    recoded: Vec<usize>,
}

impl Data {
    /// Appends the next record of `reader`, whose stream starts at byte `offset` of the mapped
    /// file (if the rows are in one); `false` at the end, or when reading stops at a broken row.
    fn read_one<R: Read>(
        &mut self,
        reader: &mut csv::Reader<R>,
        record: &mut ByteRecord,
        offset: usize,
    ) -> std::result::Result<bool, Unparsed> {
        // The data row number findings use: blank lines are not rows.
        let row = self.rows.len() + 1;
        loop {
            match reader.read_byte_record(record) {
                Ok(false) => return Ok(false),
                Ok(true) if record.len() == 1 && record[0].trim_ascii().is_empty() => {
                    // a blank line
                }
                Ok(true) => {
                    if record.len() != self.width {
                        self.problems.push(ReadProblem {
                            row: Some(row),
                            column: None,
                            message: ragged_message(record, self.width, self.delimiter),
                        });
                    }
                    if record.as_slice().contains(&0) {
                        self.nuls.push(row);
                        *record = record.iter().map(without_nuls).collect();
                    }
                    let at = record.position().map_or(0, |p| p.byte() as usize);
                    let span = offset + at..offset + reader.position().byte() as usize;
                    if !self.rows.push_in_file(span, record, self.delimiter)
                        && !self.rows.push_record(record)
                    {
                        self.recoded.push(row);
                    }
                    return Ok(true);
                }
                Err(e) => {
                    return match e.into_kind() {
                        csv::ErrorKind::Io(e) => Err(Unparsed::Io(e)),
                        other => {
                            self.problems.push(ReadProblem {
                                row: Some(row),
                                column: None,
                                message: format!("reading stopped at this row: {other:?}"),
                            });
                            Ok(false)
                        }
                    }
                }
            }
        }
    }

    /// Appends the records of the mapped file's `bytes` from `pos` on: each found in place
    /// ([`Rows::push_scanned`]), and one that must be read by a CSV reader read by one. Returns
    /// the quotes met (for the unclosed-quote check).
    fn scan(
        &mut self,
        bytes: &[u8],
        mut pos: usize,
        progress: &mut Progress,
    ) -> std::result::Result<usize, Unparsed> {
        let mut quotes = 0;
        let mut record = ByteRecord::new();
        loop {
            match self.rows.push_scanned(pos, self.delimiter, self.width) {
                Scanned::Row { next, quoted, .. } => {
                    quotes += 2 * quoted;
                    pos = next;
                }
                Scanned::End => break,
                Scanned::Irregular(at) => {
                    let mut one = records(self.delimiter).from_reader(&bytes[at..]);
                    let more = self.read_one(&mut one, &mut record, at)?;
                    pos = at + one.position().byte() as usize;
                    quotes += bytes[at..pos].iter().filter(|&&b| b == b'"').count();
                    if !more {
                        break;
                    }
                }
            }
            progress.to(pos);
        }
        Ok(quotes)
    }
}

/// Counts a mapped file's bytes on the progress bar as its rows are read (a streamed file's
/// bytes are counted as they stream).
struct Progress<'a> {
    bar: Option<&'a ProgressBar>,
    shown: usize,
}

impl Progress<'_> {
    /// The rows up to byte `pos` are read (shown by the MiB).
    fn to(&mut self, pos: usize) {
        if pos >= self.shown + (1 << 20) {
            self.done(pos);
        }
    }

    /// The rows up to byte `pos` are read, shown now.
    fn done(&mut self, pos: usize) {
        if let Some(bar) = self.bar {
            bar.inc(pos.saturating_sub(self.shown) as u64);
            self.shown = pos;
        }
    }
}

/// A cell's bytes as text: UTF-8, else Windows-1251.
fn lossy_text(cell: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(cell) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1251
                .decode_without_bom_handling(cell)
                .0
        }
    }
}

/// A record above the header as the line it was, for a message.
fn lossy_line(record: &ByteRecord, delimiter: u8) -> String {
    let cells: Vec<Cow<str>> = record.iter().map(lossy_text).collect();
    cells.join(&char::from(delimiter).to_string())
}

fn without_nuls(cell: &[u8]) -> Vec<u8> {
    cell.iter().copied().filter(|&b| b != 0).collect()
}

/// One warning for the rows (1-based, ascending) something happened to, listed as ranges.
fn rows_problem(rows: &[usize], what: &str) -> Option<ReadProblem> {
    const SHOWN: usize = 20;
    let first = *rows.first()?;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &r in rows {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == r => *end = r,
            _ => ranges.push((r, r)),
        }
    }
    let mut listed: Vec<String> = ranges
        .iter()
        .take(SHOWN)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    if ranges.len() > SHOWN {
        listed.push(format!("… ({} rows in all)", rows.len()));
    }
    Some(ReadProblem {
        row: Some(first),
        column: None,
        message: format!("{what} row(s) {}", listed.join(", ")),
    })
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
/// decodes them: UTF-8 (with or without BOM; one that turns invalid later is still UTF-8, its
/// bad rows are read as Windows-1251), else Windows-1251 when the text reads as Russian. Binary
/// data (mostly control bytes), UTF-16 and other single-byte Cyrillic encodings are refused.
fn decode(bytes: &[u8], whole: bool) -> std::result::Result<(Encoding, Cow<'_, str>), String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("UTF-16 text: save the file as UTF-8 or Windows-1251 CSV".into());
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x1B))
        .count();
    if controls * BINARY_SHARE > sample.len() {
        return Err("binary data, not a CSV or XLSX export".into());
    }
    let (encoding, text) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (Encoding::Utf8Bom, rest),
        None => (Encoding::Utf8, bytes),
    };
    match utf8_prefix(text, whole) {
        Ok(s) => return Ok((encoding, Cow::Borrowed(s))),
        Err(at) if encoding == Encoding::Utf8Bom || !text[..at].is_ascii() => {
            return Ok((encoding, String::from_utf8_lossy(text)))
        }
        Err(_) => {}
    }
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    if !reads_as_russian(&text) {
        return Err("text is neither UTF-8 nor Windows-1251 (KOI8-R or another encoding?): save the file as UTF-8 CSV".into());
    }
    Ok((Encoding::Windows1251, text))
}

/// A file is binary when more than one byte in this many is a control byte (other than tab,
/// line breaks and the escape of a terminal colour code).
const BINARY_SHARE: usize = 20;

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

    fn profiles() -> Profiles {
        Profiles::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/profiles")).unwrap()
    }

    fn read_text(bytes: &[u8]) -> Result<Parts> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        read(&path, &ProgressBar::hidden(), &profiles())
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
    fn windows_1251_rows_after_the_sample_are_read_and_named() {
        let mut bytes = b"ID;\xd0\x98\xd0\xbc\xd1\x8f\n".to_vec();
        while bytes.len() < SAMPLE + 10 {
            bytes.extend_from_slice("1;Анна\n".as_bytes());
        }
        bytes.extend_from_slice(b"2;\xc8\xe2\xe0\xed\n3;\xce\xeb\xe5\xe3\n");
        bytes.extend_from_slice("4;Ёлка\n".as_bytes());
        let (_, _, rows, problems) = read_text(&bytes).unwrap();
        let n = rows.len();
        assert_eq!(rows.row(n - 3).get(1), Some("Иван"));
        assert_eq!(rows.row(n - 2).get(1), Some("Олег"));
        assert_eq!(rows.row(n - 1).get(1), Some("Ёлка"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, Some(n - 2));
        assert!(
            problems[0]
                .message
                .ends_with(&format!("row(s) {}–{}", n - 2, n - 1)),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn a_utf8_export_with_windows_1251_rows_pasted_after_it_is_read_whole() {
        let mut bytes = "\u{feff}ID;Полное имя контакта\r\n201;Соколова Мария\r\n"
            .as_bytes()
            .to_vec();
        let (tail, _, _) =
            encoding_rs::WINDOWS_1251.encode("202;Петров Олег\r\n203;Ёлкина Ирина\r\n");
        bytes.extend_from_slice(&tail);
        let (format, _, rows, problems) = read_text(&bytes).unwrap();
        assert!(matches!(
            format,
            SourceFormat::Csv {
                encoding: Encoding::Utf8Bom,
                ..
            }
        ));
        let names: Vec<&str> = rows.iter().map(|r| r.get(1).unwrap()).collect();
        assert_eq!(names, ["Соколова Мария", "Петров Олег", "Ёлкина Ирина"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .message
            .contains("read as Windows-1251: row(s) 2–3"));
    }

    #[test]
    fn a_title_above_the_header_is_skipped() {
        let text = "Экспорт контактов от 20.11.2026\r\n\r\nID;Полное имя контакта;Мобильный телефон\r\n201;Соколова Мария;+7 921 345-18-72\r\n";
        let (format, headers, rows, problems) = read_text(text.as_bytes()).unwrap();
        assert!(matches!(
            format,
            SourceFormat::Csv {
                delimiter: b';',
                ..
            }
        ));
        assert_eq!(headers, ["ID", "Полное имя контакта", "Мобильный телефон"]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows.row(0).get(1), Some("Соколова Мария"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("line 3")
                && problems[0]
                    .message
                    .contains("«Экспорт контактов от 20.11.2026»"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn nul_bytes_are_dropped_and_named() {
        let text = "ID;Полное имя контакта\n201;Соколова\0 Мария\n202;Петров Олег\n203;\0\0Ира\n";
        let (_, _, rows, problems) = read_text(text.as_bytes()).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.get(1).unwrap()).collect();
        assert_eq!(names, ["Соколова Мария", "Петров Олег", "Ира"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, Some(1));
        assert!(
            problems[0].message.ends_with("row(s) 1, 3"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn rows_are_listed_as_ranges() {
        let p = rows_problem(&[1, 2, 3, 7, 9, 10], "x").unwrap();
        assert_eq!(p.message, "x row(s) 1–3, 7, 9–10");
        assert!(rows_problem(&[], "x").is_none());
        let many: Vec<usize> = (0..50).map(|i| i * 2 + 1).collect();
        assert!(rows_problem(&many, "x")
            .unwrap()
            .message
            .ends_with("… (50 rows in all)"));
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
            let header = Header {
                line: 1,
                above: 0,
                delimiter: b';',
            };
            let (headers, rows, problems) = match parse(
                QuoteCount::new(text.as_bytes()),
                header,
                expected,
                rows,
                &ProgressBar::hidden(),
            ) {
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

    #[test]
    fn regular_rows_are_scanned_and_irregular_ones_read_by_the_csv_reader() {
        let text = "ID;Имя;Примечание\r\n1;\"Анна\";\"a;b\r\nc\"\r\n\n2;;\n3;x\"y;z\n4;ok\n5;\"a\"\"b\";\"\"\n6;\"\";";
        let [in_place, copied] = both_ways(text);
        assert!(rows::scannable(text.as_bytes()));
        assert_eq!(in_place.1, copied.1);
        assert_eq!(format!("{:?}", in_place.2), format!("{:?}", copied.2));
        assert_eq!(in_place.1[0], ["1", "Анна", "a;b\r\nc"]);
        assert_eq!(in_place.1[1], ["2", "", ""]);
        assert_eq!(in_place.1[2], ["3", "x\"y", "z"]);
        assert_eq!(in_place.1[3], ["4", "ok"]);
        assert_eq!(in_place.1[4], ["5", "a\"b", ""]);
        assert_eq!(in_place.1[5], ["6", "", ""]);
        assert_eq!(in_place.2.len(), 1, "row 4 is short: {:?}", in_place.2);
        // only row 5 (a doubled quote) is copied; rows 3 and 4 are read by the CSV reader in place
        assert_eq!(in_place.3, "5a\"b".len());
    }

    #[test]
    fn a_lone_carriage_return_or_a_nul_byte_is_left_to_the_csv_reader() {
        assert!(!rows::scannable(b"1;a\rb\n"));
        assert!(!rows::scannable(b"1;a\r"));
        assert!(!rows::scannable(b"1;a\0b\n"));
        assert!(rows::scannable(b"1;a\r\n2;\"b\r\nc\"\r\n"));
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

        /// Texts the scan reads (line breaks `\n` or `\r\n`, no lone `\r`), header included.
        #[test]
        fn the_scan_reads_as_the_copying_reader(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", ";", "\"", "\"\"", "\n", "\r\n", " ", "ж", "a;b;c\n"]),
                0..80,
            )
        ) {
            let text = format!("ID;Имя;Примечание\n{}", parts.concat());
            proptest::prop_assert!(rows::scannable(text.as_bytes()));
            let [in_place, copied] = both_ways(&text);
            proptest::prop_assert_eq!(&in_place.0, &copied.0);
            proptest::prop_assert_eq!(&in_place.1, &copied.1);
            proptest::prop_assert_eq!(format!("{:?}", in_place.2), format!("{:?}", copied.2));
        }
    }
}
