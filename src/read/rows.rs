//! A table's data rows as text without an allocation per row or cell, which is what keeps a
//! million-row export within a few hundred bytes of overhead per row. A row lives either in
//! one text buffer, its cells back to back, or, for a UTF-8 CSV, in the mapped file itself:
//! its cells are then read where they are written, between delimiters and quotes.

use std::borrow::Cow;
use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

use memmap2::Mmap;

/// Data rows of text cells. Rows may be ragged: each keeps the cells it had.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    text: String,
    /// The file the rows read in place point into.
    file: Option<Arc<FileText>>,
    /// Per row, where it starts: its first byte (in `text`, or in `file` when [`IN_FILE`] is
    /// set) and its first cell in `ends` or in `wide_ends`; one more entry closes the last row.
    starts: Vec<Start>,
    /// The cells (see [`LEAD_BITS`]) of rows of at most [`NARROW_MAX`] bytes: nearly all.
    ends: Vec<u16>,
    /// The cells of longer rows.
    wide_ends: Vec<u64>,
    /// The cells of the row being appended.
    pending: Vec<u64>,
}

/// Marks a row start that is a byte of the mapped file.
const IN_FILE: usize = 1 << (usize::BITS - 1);

/// The longest row whose cells fit in `u16`s.
const NARROW_MAX: u64 = (u16::MAX >> LEAD_BITS) as u64;

/// A cell is stored as its end, relative to the row's first byte, shifted left by `LEAD_BITS`
/// over its lead: the bytes between the previous cell's end (or the row's start) and its own
/// start. In the text buffer cells touch (lead 0); in a file, a closing quote, the delimiter and
/// an opening quote may come between (lead up to 3).
const LEAD_BITS: u32 = 2;

fn cell(end: usize, lead: usize) -> u64 {
    (end as u64) << LEAD_BITS | lead as u64
}

#[derive(Debug, Clone, Copy, Default)]
struct Start {
    text: usize,
    ends: u32,
    wide_ends: u32,
}

/// A UTF-8 file mapped into memory. Its bytes are read where the operating system keeps them
/// anyway: a big export is not copied, and no fresh memory has to be cleared for it.
pub(super) struct FileText {
    map: Mmap,
    /// Bytes before the text (a byte-order mark).
    skip: usize,
}

impl FileText {
    /// Maps a file whose bytes after `skip` are UTF-8; `None` when they are not, or the file
    /// cannot be mapped (an empty file, a pipe).
    pub fn map(file: &File, skip: usize) -> Option<FileText> {
        // SAFETY: the map is read-only and private to this process. crmclean never writes its
        // inputs; another program truncating an input during a run would end the run (SIGBUS),
        // as it does for every tool that maps its input (ripgrep, the linker).
        let map = unsafe { Mmap::map(file) }.ok()?;
        simdutf8::basic::from_utf8(map.get(skip..)?).ok()?;
        Some(FileText { map, skip })
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: `map` checked these bytes as UTF-8, and a read-only map does not change.
        unsafe { std::str::from_utf8_unchecked(&self.map[self.skip..]) }
    }

    /// Lets the operating system take back the pages of some bytes of the text (best effort;
    /// Unix only).
    fn release(&self, bytes: Range<usize>) {
        let start = self.skip + bytes.start;
        let end = (self.skip + bytes.end).min(self.map.len());
        if start >= end {
            return;
        }
        #[cfg(unix)]
        // SAFETY: the map is read-only and private, never written: a page dropped here (the
        // range is widened to whole pages) is read again from the file (the page cache) when it
        // is next touched, with the same bytes.
        let _ = unsafe {
            self.map
                .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
        };
    }
}

impl std::fmt::Debug for FileText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileText({} bytes)", self.map.len())
    }
}

impl Rows {
    /// Rows that may be read in place from a file's text.
    pub(super) fn in_file(file: Arc<FileText>) -> Self {
        Rows {
            file: Some(file),
            ..Rows::default()
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Rows read in place: lets the operating system take back the pages of some bytes of the
    /// mapped file's text (`0..`[`Rows::mapped_len`]), so that they no longer count in this
    /// process's memory until a row there is read again.
    pub fn release_pages(&self, bytes: Range<usize>) {
        if let Some(file) = &self.file {
            file.release(bytes);
        }
    }

    /// The bytes of the mapped file's text, 0 when the rows are not read in place.
    pub fn mapped_len(&self) -> usize {
        self.file.as_ref().map_or(0, |f| f.as_str().len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether some rows are read in place from a mapped file.
    pub fn is_mapped(&self) -> bool {
        self.file.is_some()
    }

    /// Appends a row.
    pub fn push<'c>(&mut self, cells: impl IntoIterator<Item = &'c str>) {
        let start = self.text.len();
        for text in cells {
            self.text.push_str(text);
            self.pending.push(cell(self.text.len() - start, 0));
        }
        self.end_row(start);
    }

    /// Room for about this much text, rows and cells, so that a big file is not copied over
    /// and over while its rows are appended (rows read in place need no text room). Room left
    /// over is never touched, so it costs no memory (and shrinking it would copy the table).
    pub fn reserve(&mut self, text: usize, rows: usize, cells: usize) {
        if self.file.is_none() {
            self.text.reserve(text);
        }
        self.starts.reserve(rows);
        self.ends.reserve(cells);
    }

    /// Appends a CSV record; a record that is not UTF-8 is read as Windows-1251 (`false`).
    pub fn push_record(&mut self, record: &csv::ByteRecord) -> bool {
        let cell_ends = (0..record.len()).map(|i| record.range(i).map_or(0, |r| r.end));
        // A valid row can still hide an invalid cell: bytes split by a delimiter.
        let whole = simdutf8::basic::from_utf8(record.as_slice())
            .ok()
            .filter(|s| cell_ends.clone().all(|end| s.is_char_boundary(end)));
        let Some(text) = whole else {
            self.push_windows_1251(record);
            return false;
        };
        let start = self.text.len();
        self.text.push_str(text);
        self.pending.extend(cell_ends.map(|end| cell(end, 0)));
        self.end_row(start);
        true
    }

    /// Appends a CSV record by its place in the mapped file: `span` is where its bytes (line
    /// breaks around it included) are in [`FileText::as_str`]. Nothing is appended, and `false`
    /// returned, when the rows are not in a file or a cell is not written as it reads (a doubled
    /// quote inside quotes, text after a closing quote); the record is then copied by
    /// [`Rows::push_record`].
    pub(super) fn push_in_file(
        &mut self,
        span: Range<usize>,
        record: &csv::ByteRecord,
        delimiter: u8,
    ) -> bool {
        let Some(file) = &self.file else {
            return false;
        };
        let raw = &file.as_str().as_bytes()[span.clone()];
        let skip = raw.iter().take_while(|&&b| line_break(b)).count();
        let placed = place_cells(&raw[skip..], record, delimiter, &mut self.pending).is_some();
        if placed {
            self.end_row((span.start + skip) | IN_FILE);
        } else {
            self.pending.clear();
        }
        placed
    }

    /// The mapped file the rows are read in place from, if any.
    pub(super) fn file(&self) -> Option<Arc<FileText>> {
        self.file.clone()
    }

    /// Appends the record that starts at byte `pos` of the mapped file (blank lines before it
    /// skipped) by finding its cells directly, without a CSV reader copying them, when it has
    /// `width` cells that each read as written (see [`Scanned`]). The file's text must hold no
    /// NUL byte and no `\r` outside a `\r\n` ([`scannable`]): a CSV reader reads those apart.
    pub(super) fn push_scanned(&mut self, pos: usize, delimiter: u8, width: usize) -> Scanned {
        let Some(file) = &self.file else {
            return Scanned::Irregular(pos);
        };
        let scanned = scan_record(file.as_str().as_bytes(), pos, delimiter, &mut self.pending);
        match scanned {
            Scanned::Row { start, .. } if self.pending.len() == width => {
                self.end_row(start | IN_FILE)
            }
            Scanned::Row { start, .. } => {
                self.pending.clear();
                return Scanned::Irregular(start);
            }
            _ => self.pending.clear(),
        }
        scanned
    }

    /// [`Rows::push_record`] for a record with bytes that are not UTF-8.
    fn push_windows_1251(&mut self, record: &csv::ByteRecord) {
        let cells: Vec<Cow<str>> = record
            .iter()
            .map(|c| encoding_rs::WINDOWS_1251.decode_without_bom_handling(c).0)
            .collect();
        self.push(cells.iter().map(|c| c.as_ref()));
    }

    /// Closes the row being appended, which starts at `start`, its cells kept narrow when they
    /// fit.
    fn end_row(&mut self, start: usize) {
        if self.starts.is_empty() {
            self.starts.push(Start::default());
        }
        match self.pending.last() {
            Some(&last) if last >> LEAD_BITS > NARROW_MAX => {
                self.wide_ends.append(&mut self.pending)
            }
            _ => self.ends.extend(self.pending.drain(..).map(|c| c as u16)),
        }
        let last = self.starts.len() - 1;
        self.starts[last].text = start;
        self.starts.push(Start {
            text: 0,
            ends: offset(self.ends.len()),
            wide_ends: offset(self.wide_ends.len()),
        });
    }

    /// A row by 0-based index.
    ///
    /// # Panics
    /// When `i` is out of range, like slice indexing.
    pub fn row(&self, i: usize) -> Row<'_> {
        let (from, to) = (self.starts[i], self.starts[i + 1]);
        let ends = if to.wide_ends > from.wide_ends {
            Ends::Wide(&self.wide_ends[from.wide_ends as usize..to.wide_ends as usize])
        } else {
            Ends::Narrow(&self.ends[from.ends as usize..to.ends as usize])
        };
        // The row's text is not sliced out here: that would read its last byte (a char boundary
        // check), a cache miss that a caller reading one cell does not need.
        let text = match (from.text & IN_FILE, &self.file) {
            (0, _) => self.text.as_str(),
            (_, Some(file)) => file.as_str(),
            (_, None) => unreachable!("rows in a file are only appended with the file"),
        };
        Row {
            text,
            start: from.text & !IN_FILE,
            ends,
        }
    }

    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        (i < self.len()).then(|| self.row(i))
    }

    /// Bytes of cells copied into the text buffer (not read in place).
    #[cfg(test)]
    pub(crate) fn copied(&self) -> usize {
        self.text.len()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// Finds where a record's cells are written in its bytes `raw` and adds them to `cells`; `None`
/// when one is not written as it reads.
fn place_cells(
    raw: &[u8],
    record: &csv::ByteRecord,
    delimiter: u8,
    cells: &mut Vec<u64>,
) -> Option<()> {
    let byte = |i: usize| raw.get(i).copied();
    let expect = |i: usize, b: u8| (byte(i) == Some(b)).then_some(());
    let mut cursor = 0; // just past the previous cell's text
    let mut quoted = false; // whether that cell was quoted
    for (i, text) in record.iter().enumerate() {
        let mut lead = 0;
        if quoted {
            expect(cursor, b'"')?;
            lead += 1;
        }
        if i > 0 {
            expect(cursor + lead, delimiter)?;
            lead += 1;
        }
        quoted = byte(cursor + lead) == Some(b'"');
        lead += usize::from(quoted);
        let start = cursor + lead;
        (raw.get(start..start + text.len())? == text).then_some(())?;
        cursor = start + text.len();
        cells.push(cell(cursor, lead));
    }
    if quoted {
        expect(cursor, b'"')?;
        cursor += 1;
    }
    raw[cursor..].iter().all(|&b| line_break(b)).then_some(())
}

/// What [`Rows::push_scanned`] found at a position of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scanned {
    /// A record from `start`; the next one is at `next`; `quoted` of its cells were quoted.
    Row {
        start: usize,
        next: usize,
        quoted: usize,
    },
    /// The end of the file (after blank lines).
    End,
    /// A record from here that a CSV reader must read: a cell with a doubled quote, text after
    /// a closing quote, a quote inside an unquoted cell, an unclosed quote, or a cell count
    /// other than the header's.
    Irregular(usize),
}

/// Whether a file's text (after its header) can be read by [`Rows::push_scanned`]: no NUL byte
/// and no carriage return other than one of a `\r\n`.
pub(super) fn scannable(bytes: &[u8]) -> bool {
    memchr::memchr(0, bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
}

/// Finds the cells of the record at `pos` of `bytes` and adds them to `cells` (see
/// [`Scanned`]); a CSV reader with the default quoting would read the same cells.
fn scan_record(bytes: &[u8], mut pos: usize, delimiter: u8, cells: &mut Vec<u64>) -> Scanned {
    let len = bytes.len();
    while pos < len && line_break(bytes[pos]) {
        pos += 1;
    }
    if pos == len {
        return Scanned::End;
    }
    let start = pos;
    let mut cursor = start; // just past the previous cell's text
    let mut quoted = 0;
    loop {
        // `pos` is the cell's first byte; what follows the cell is at `after`.
        let after = if bytes[pos..].first() == Some(&b'"') {
            let Some(close) = memchr::memchr(b'"', &bytes[pos + 1..]).map(|k| pos + 1 + k) else {
                return Scanned::Irregular(start);
            };
            cells.push(cell(close - start, pos + 1 - cursor));
            cursor = close;
            quoted += 1;
            close + 1
        } else {
            let end =
                memchr::memchr3(delimiter, b'"', b'\n', &bytes[pos..]).map_or(len, |k| pos + k);
            if bytes.get(end) == Some(&b'"') {
                return Scanned::Irregular(start);
            }
            // a line's `\r\n` is a break, not text
            let text_end = if end > pos && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            cells.push(cell(text_end - start, pos - cursor));
            cursor = text_end;
            text_end
        };
        let next = match bytes.get(after) {
            None => len,
            Some(&b) if b == delimiter => {
                pos = after + 1;
                continue;
            }
            Some(b'\n') => after + 1,
            Some(b'\r') if bytes.get(after + 1) == Some(&b'\n') => after + 2,
            Some(_) => return Scanned::Irregular(start),
        };
        return Scanned::Row {
            start,
            next,
            quoted,
        };
    }
}

fn line_break(b: u8) -> bool {
    matches!(b, b'\r' | b'\n')
}

/// A count of cells as stored. 4 G cells would take 8 GB of cell ends alone, far beyond any
/// export that fits in memory, so the clamp never bites.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A row's cells.
#[derive(Debug, Clone, Copy)]
enum Ends<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u64]),
}

impl Ends<'_> {
    fn len(&self) -> usize {
        match self {
            Ends::Narrow(e) => e.len(),
            Ends::Wide(e) => e.len(),
        }
    }

    /// Cell `i`'s end and lead.
    fn get(&self, i: usize) -> Option<(usize, usize)> {
        let c = match self {
            Ends::Narrow(e) => u64::from(*e.get(i)?),
            Ends::Wide(e) => *e.get(i)?,
        };
        Some((
            (c >> LEAD_BITS) as usize,
            (c & ((1 << LEAD_BITS) - 1)) as usize,
        ))
    }
}

/// One data row: its cells as text.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The text the row is in, and where in it the row starts.
    text: &'a str,
    start: usize,
    ends: Ends<'a>,
}

impl<'a> Row<'a> {
    /// The number of cells the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A cell, `None` past the row's end.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let (end, lead) = self.ends.get(i)?;
        let previous = i.checked_sub(1).and_then(|p| self.ends.get(p));
        let from = self.start + previous.map_or(0, |(end, _)| end) + lead;
        self.text.get(from..self.start + end)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let row = *self;
        (0..row.len()).map(move |i| row.get(i).unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_ragged_rows_and_empty_cells() {
        let mut rows = Rows::default();
        rows.push(["1", "Анна", ""]);
        rows.push([]);
        rows.push(["2", "", "x", "лишнее"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.row(0).iter().collect::<Vec<_>>(), ["1", "Анна", ""]);
        assert!(rows.row(1).is_empty());
        assert_eq!(rows.row(1).get(0), None);
        assert_eq!(rows.row(2).get(3), Some("лишнее"));
        assert_eq!(rows.row(2).get(1), Some(""));
        assert_eq!(rows.row(2).get(4), None);
        assert!(rows.get(3).is_none());
    }

    #[test]
    fn rows_longer_than_64_kib_keep_their_cells() {
        let big = "ж".repeat(40_000);
        let mut rows = Rows::default();
        rows.push(["1", "a"]);
        rows.push(["2", &big, "после"]);
        rows.push_record(&csv::ByteRecord::from(vec!["3", big.as_str(), "x"]));
        rows.push(["4", ""]);
        assert_eq!(rows.row(0).iter().collect::<Vec<_>>(), ["1", "a"]);
        assert_eq!(rows.row(1).iter().collect::<Vec<_>>(), ["2", &big, "после"]);
        assert_eq!(rows.row(2).iter().collect::<Vec<_>>(), ["3", &big, "x"]);
        assert_eq!(rows.row(3).iter().collect::<Vec<_>>(), ["4", ""]);
    }

    #[test]
    fn csv_records_not_in_utf8_are_read_as_windows_1251() {
        let mut rows = Rows::default();
        let good = csv::ByteRecord::from(vec!["1", "Анна", "", "x"]);
        assert!(rows.push_record(&good));
        // «\xd0» «\x90» is «А» when glued together, but each cell alone is not UTF-8.
        let split = csv::ByteRecord::from(vec![&b"2"[..], b"\xd0", b"\x90"]);
        assert!(!rows.push_record(&split));
        let cp1251 = csv::ByteRecord::from(vec![&b"3"[..], b"\xc8\xe2\xe0\xed"]);
        assert!(!rows.push_record(&cp1251));
        assert_eq!(
            rows.row(0).iter().collect::<Vec<_>>(),
            ["1", "Анна", "", "x"]
        );
        assert_eq!(rows.row(1).iter().collect::<Vec<_>>(), ["2", "Р", "ђ"]);
        assert_eq!(rows.row(2).iter().collect::<Vec<_>>(), ["3", "Иван"]);
    }
}
